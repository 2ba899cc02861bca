#pragma once

#include "core/payload.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <vector>

namespace es {

// One event, the same shape for every engine and layout.
struct Event {
    qint64 position = -1; // global position; -1 where the layout keeps none
    QString stream;
    qint64 version = -1; // position within the stream, as the layout numbers it
    QString type;
    QDateTime time; // UTC; invalid where the layout keeps none
    QString id;
    Payload data;
    Payload metadata;
    QString correlationId;
    QString causationId;

    // Keys: position, stream, version, type, time, id, data, metadata, correlationId, causationId,
    // and "encoding" ({"data": "text"|"base64", ...}) when a payload is not JSON.
    QJsonObject toJson() const;
    // The same object as one line of compact JSON (no trailing newline), built without parsing JSON payloads.
    QByteArray toJsonLine() const;
    static QString timeToIso(const QDateTime& t);
};

using EventList = std::vector<Event>;

// Reads correlation and causation ids from JSON metadata, trying each key in order.
void pickCorrelation(Event& e, const QStringList& correlationKeys, const QStringList& causationKeys);

// Parses the time formats stores write: ISO 8601 with 'T' or ' ', optional fraction and zone
// (no zone means UTC), and integer epoch seconds/milliseconds/microseconds.
QDateTime parseStoreTime(QByteArrayView text);

} // namespace es

Q_DECLARE_METATYPE(es::Event)
