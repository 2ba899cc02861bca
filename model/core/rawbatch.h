#pragma once

#include "core/rawevent.h"

#include <QByteArray>

#include <array>
#include <vector>

namespace es {

// Raw rows copied out of an engine's buffers, so that they outlive RawEventReceiver::row(): their bytes one after
// another in one buffer, reused from batch to batch (clear() keeps its capacity). A reader thread fills batches that
// another thread consumes (store diff's second store, reconciliation's fold).
class RawBatch {
public:
    void clear()
    {
        m_rows.clear();
        m_arena.resize(0); // keeps the allocation, unlike QByteArray::clear()
    }
    qsizetype size() const { return qsizetype(m_rows.size()); }

    void add(const RawEvent& e)
    {
        Row& r = m_rows.emplace_back();
        r.position = e.position;
        r.version = e.version;
        r.dataEncoding = e.dataEncoding;
        r.metadataEncoding = e.metadataEncoding;
        const std::array<QByteArrayView, Fields> views { e.stream, e.type, e.time, e.id, e.data, e.metadata,
            e.correlationId, e.causationId };
        for (int f = 0; f < Fields; ++f) {
            const QByteArrayView v = views[size_t(f)];
            r.offset[size_t(f)] = m_arena.size();
            r.size[size_t(f)] = v.data() ? v.size() : -1;
            if (v.data())
                m_arena.append(v.data(), v.size());
        }
    }

    // Row i as the engine handed it over; the views are valid until the batch changes.
    RawEvent view(qsizetype i) const
    {
        const Row& r = m_rows[size_t(i)];
        auto field = [&](Field f) {
            const qsizetype size = r.size[size_t(f)];
            return size < 0 ? QByteArrayView() : QByteArrayView(m_arena.constData() + r.offset[size_t(f)], size);
        };
        RawEvent e;
        e.position = r.position;
        e.version = r.version;
        e.stream = field(Stream);
        e.type = field(Type);
        e.time = field(Time);
        e.id = field(Id);
        e.data = field(Data);
        e.metadata = field(Metadata);
        e.correlationId = field(Correlation);
        e.causationId = field(Causation);
        e.dataEncoding = r.dataEncoding;
        e.metadataEncoding = r.metadataEncoding;
        return e;
    }

private:
    enum Field { Stream, Type, Time, Id, Data, Metadata, Correlation, Causation, Fields };
    struct Row {
        qint64 position = -1;
        qint64 version = -1;
        Payload::Encoding dataEncoding = Payload::Encoding::Null;
        Payload::Encoding metadataEncoding = Payload::Encoding::Null;
        std::array<qsizetype, Fields> offset {};
        std::array<qsizetype, Fields> size {}; // -1: null
    };

    std::vector<Row> m_rows;
    QByteArray m_arena;
};

} // namespace es
