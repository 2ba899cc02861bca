#pragma once

#include "core/event.h"
#include "core/rawevent.h"
#include "store/eventstore.h"

#include <QHash>

#include <functional>

namespace es {

// Reads events for a fold in batches of a fixed size counted from the start of the read, so that a reducer sees the
// same batches whichever way the rows came: through EventStore::readRaw where the engine has it (the rows become
// Events here, without page statements, without the ids a fold never reads and without metadata when it reads none),
// else page by page through events().
// The batch's Events keep their buffers from batch to batch and share repeated stream names and types, so a row costs
// a few copies rather than allocations. Not thread-safe; throws StoreError.
class BatchReader {
public:
    // Called with each batch, in order; the Events are valid until it returns. Return false to stop the read.
    using Sink = std::function<bool(const Event* events, qsizetype count)>;

    enum class Path {
        Raw, // readRaw, falling back to pages when the engine has no raw path
        Pages, // events() only (as before readRaw; kept to compare the two)
    };

    BatchReader(EventStore& store, qsizetype batchSize, Path path = Path::Raw);

    // Whether the Events need their metadata (Fold::readsMetadata()); without it the raw path leaves it out.
    void setMetadata(bool wanted) { m_metadata = wanted; }

    // Every event `query` selects (filter, from, to; its limit is ignored), forward. True when the read reached the
    // end, false when the sink stopped it.
    bool read(const EventQuery& query, const Sink& sink);
    // Events read by the last read().
    qint64 eventsRead() const { return m_read; }
    // Whether the last read() went through readRaw.
    bool readRawly() const { return m_raw; }

private:
    class Receiver;
    bool readPages(const EventQuery& query, const Sink& sink);

    EventStore& m_store;
    qsizetype m_batchSize;
    Path m_path;
    bool m_metadata = true;
    qint64 m_read = 0;
    bool m_raw = false;
};

// The milliseconds since the epoch of a stored time in the usual UTC forms ("2024-03-04 05:06:07", with 'T', a
// fraction, Z or +00:00), exactly as parseStoreTime() reads them; false for any other form (then ask it).
bool fastStoreTimeMs(QByteArrayView text, qint64* ms);

// Turns raw rows into Events, reusing the Event's buffers and the text of repeated streams and types.
class RawEventConverter {
public:
    void convert(const RawEvent& raw, Event& out);

private:
    const QString& sharedText(QByteArrayView bytes, QByteArray& lastBytes, QString& lastText);

    QByteArray m_lastStream;
    QString m_lastStreamText;
    QByteArray m_lastType;
    QString m_lastTypeText;
    QHash<QByteArray, QString> m_types;
};

} // namespace es
