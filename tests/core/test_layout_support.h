#pragma once

// Helpers for the layout tests: read what a store returns in a compact, comparable form.

#include "store/eventstore.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace es::test {

struct Row {
    qint64 position;
    QString stream;
    qint64 version;
    QString type;
};

inline EventList readAll(EventStore& store, const EventFilter& filter = {}, bool backward = false)
{
    EventQuery q;
    q.filter = filter;
    q.limit = 0;
    q.backward = backward;
    return store.events(q).events;
}

inline EventList readStream(EventStore& store, const QString& stream)
{
    EventFilter f;
    f.stream = stream;
    return readAll(store, f);
}

inline EventList readCategory(EventStore& store, const QString& category)
{
    EventFilter f;
    f.category = category;
    return readAll(store, f);
}

// "position stream@version type" per event, for readable failures.
inline QStringList summary(const EventList& events, bool withPosition = true)
{
    QStringList out;
    for (const Event& e : events) {
        out.append((withPosition ? QString::number(e.position) + u' ' : QString()) + e.stream + u'@'
            + QString::number(e.version) + u' ' + e.type);
    }
    return out;
}

inline QStringList streamNames(EventStore& store, const QString& prefix = {})
{
    StreamQuery q;
    q.prefix = prefix;
    q.limit = 0;
    QStringList out;
    for (const StreamInfo& s : store.streams(q))
        out.append(s.name);
    return out;
}

inline QString categoryOfStream(EventStore& store, const QString& name)
{
    const auto s = store.stream(name);
    return s ? s->category : QStringLiteral("<no stream>");
}

} // namespace es::test
