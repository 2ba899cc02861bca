#pragma once

#include "core/event.h"

#include <QByteArray>
#include <QByteArrayView>

namespace es {

// One event row as an engine read it, for writers that pass payloads through untouched (export, `events --json`).
// Views point into the engine's row buffers and are valid only during RawEventReceiver::row(); a view with a null
// data() pointer is SQL NULL. Produces exactly what the engine's events() would, field for field.
struct RawEvent {
    qint64 position = -1;
    qint64 version = -1;
    QByteArrayView stream; // UTF-8 as stored (invalid sequences are replaced on output, as QString does)
    QByteArrayView type;
    QByteArrayView time; // the stored time text, any form parseStoreTime() reads
    QByteArrayView id;
    QByteArrayView data; // raw bytes (bytea already decoded)
    QByteArrayView metadata;
    Payload::Encoding dataEncoding = Payload::Encoding::Null; // decided by the engine (rawPayloadEncoding())
    Payload::Encoding metadataEncoding = Payload::Encoding::Null;
    QByteArrayView correlationId; // UTF-8 text; null or empty: none
    QByteArrayView causationId;

    // The same event as events() returns it (for sinks that need parsed values, and for redaction).
    Event toEvent() const;
    // The row an Event read through events() stands for (engines without a raw path): its texts are held in `keep`,
    // which must outlive the views; payloads are viewed in place.
    struct Texts {
        QByteArray stream, type, time, id, correlationId, causationId;
    };
    static RawEvent of(const Event& e, Texts& keep);
    // Appends Event::toJsonLine() of the same event, byte for byte, without building the Event.
    void appendJsonLine(QByteArray& out) const;

private:
    bool appendPlainJsonLine(QByteArray& out) const;
};

// What a store hands raw rows to. Returning false stops the read (the store returns normally).
class RawEventReceiver {
public:
    virtual ~RawEventReceiver() = default;
    virtual bool row(const RawEvent& event) = 0;
    // False when the receiver reads neither id, correlationId nor causationId (a fold): engines may then leave them
    // out of the statement (the views are null), which spares the database parsing every metadata document for them.
    virtual bool wantsIds() const { return true; }
    // False when the receiver never reads metadata (a fold whose reducer does not): engines may leave it out too.
    virtual bool wantsMetadata() const { return true; }
    // Called between statements with the last key examined so far: progress during long filtered scans.
    virtual bool reached(qint64 key)
    {
        Q_UNUSED(key);
        return true;
    }
};

// How the engines classify payload bytes, without QJsonDocument where it can be avoided:
enum class RawPayloadHint {
    Json, // the database says JSON: json unless the bytes are not UTF-8 (then binary)
    NotJson, // the database says not JSON: text, or binary when not UTF-8
    Unknown, // like Payload::sniff(): json, text or binary
};
Payload::Encoding rawPayloadEncoding(QByteArrayView bytes, RawPayloadHint hint);

// Payloads above this size are not handed to SQLite's json_valid(), which builds a node per token (3.2 GB for a
// 500 MB payload): the engine leaves such a check undecided and the reader scans the bytes (isJsonText).
inline constexpr qsizetype kLargePayloadBytes = 16 * 1024 * 1024;

// True when Payload::sniff() would call the bytes JSON (isValidJson()); a fast scan decides the common cases and
// QJsonDocument only the rest.
bool isJsonText(QByteArrayView utf8);
// True when a strict RFC 8259 scan finds exactly one JSON value (JSON whitespace around it; numbers without exponent
// and of at most 15 characters; depth at most 512): JSON to any parser. False when unsure; then ask one.
bool isCertainlyJson(QByteArrayView utf8);

// A store time in its usual UTC forms ("2024-01-01 10:00:00.123", with T, with Z / +00 / +00:00 / +0000, or a
// date alone), split into fields without QDateTime; false for anything else (parseStoreTime() decides those).
struct UtcTimeFields {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, msec = 0;
};
bool fastUtcTimeFields(QByteArrayView text, UtcTimeFields* out);

// Appends a time as Event::timeToIso(parseStoreTime(text)) would, quoted; null when it does not parse.
void appendJsonTime(QByteArray& out, QByteArrayView text);

// Appends payload bytes as Payload::appendJson() would for this encoding.
void appendJsonPayload(QByteArray& out, QByteArrayView bytes, Payload::Encoding encoding);

} // namespace es
