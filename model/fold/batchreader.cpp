#include "fold/batchreader.h"

#include <chrono>
#include <cstring>
#include <limits>

namespace es {

namespace {

constexpr qsizetype maxSharedTypes = 4096;

// Bytes copied into `out`, in its own buffer when it has one large enough.
void assignBytes(QByteArray& out, QByteArrayView bytes)
{
    if (!out.isDetached()) {
        out = QByteArray(bytes.data(), bytes.size());
        return;
    }
    out.resize(bytes.size());
    if (!bytes.isEmpty())
        std::memcpy(out.data(), bytes.data(), size_t(bytes.size()));
}

void assignPayload(Payload& out, QByteArrayView bytes, Payload::Encoding encoding)
{
    out.encoding = encoding;
    if (encoding == Payload::Encoding::Null)
        out.bytes.truncate(0);
    else
        assignBytes(out.bytes, bytes);
}

QString text(QByteArrayView bytes)
{
    return bytes.isNull() ? QString() : QString::fromUtf8(bytes);
}

} // namespace

bool fastStoreTimeMs(QByteArrayView s, qint64* ms)
{
    UtcTimeFields t;
    if (!fastUtcTimeFields(s, &t))
        return false;
    using namespace std::chrono;
    const sys_days date { year { t.year } / month { unsigned(t.month) } / day { unsigned(t.day) } };
    *ms = duration_cast<milliseconds>(date.time_since_epoch()).count()
        + ((qint64(t.hour) * 60 + t.minute) * 60 + t.second) * 1000 + t.msec;
    return true;
}

const QString& RawEventConverter::sharedText(QByteArrayView bytes, QByteArray& lastBytes, QString& lastText)
{
    if (bytes.isNull()) {
        static const QString null;
        return null;
    }
    if (lastText.isNull() || lastBytes != bytes) {
        assignBytes(lastBytes, bytes);
        lastText = QString::fromUtf8(bytes);
    }
    return lastText;
}

void RawEventConverter::convert(const RawEvent& raw, Event& out)
{
    out.position = raw.position;
    out.version = raw.version;
    out.stream = sharedText(raw.stream, m_lastStream, m_lastStreamText);
    if (raw.type.isNull()) {
        out.type = QString();
    } else if (!m_lastTypeText.isNull() && m_lastType == raw.type) {
        out.type = m_lastTypeText;
    } else {
        const QByteArray key = QByteArray::fromRawData(raw.type.data(), raw.type.size());
        auto it = m_types.constFind(key);
        if (it == m_types.constEnd()) {
            if (m_types.size() >= maxSharedTypes)
                m_types.clear();
            it = m_types.insert(QByteArray(raw.type.data(), raw.type.size()), QString::fromUtf8(raw.type));
        }
        assignBytes(m_lastType, raw.type);
        m_lastTypeText = *it;
        out.type = m_lastTypeText;
    }
    qint64 ms = 0;
    if (raw.time.isNull())
        out.time = QDateTime();
    else if (fastStoreTimeMs(raw.time, &ms))
        out.time = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    else
        out.time = parseStoreTime(raw.time);
    out.id = text(raw.id);
    assignPayload(out.data, raw.data, raw.dataEncoding);
    assignPayload(out.metadata, raw.metadata, raw.metadataEncoding);
    out.correlationId = text(raw.correlationId);
    out.causationId = text(raw.causationId);
}

class BatchReader::Receiver : public RawEventReceiver {
public:
    Receiver(qsizetype batchSize, bool metadata, const Sink& sink)
        : m_events(std::size_t(batchSize))
        , m_metadata(metadata)
        , m_sink(sink)
    { }

    bool row(const RawEvent& event) override
    {
        m_converter.convert(event, m_events[std::size_t(m_count++)]);
        ++m_read;
        if (m_count == qsizetype(m_events.size()))
            return flush();
        return true;
    }
    bool wantsIds() const override { return false; }
    bool wantsMetadata() const override { return m_metadata; }

    // Hands over what is gathered; false when the sink stopped the read.
    bool flush()
    {
        const qsizetype count = m_count;
        m_count = 0;
        if (count > 0 && !m_sink(m_events.data(), count))
            m_stopped = true;
        return !m_stopped;
    }
    bool stopped() const { return m_stopped; }
    qint64 read() const { return m_read; }

private:
    EventList m_events;
    bool m_metadata;
    qsizetype m_count = 0;
    qint64 m_read = 0;
    bool m_stopped = false;
    const Sink& m_sink;
    RawEventConverter m_converter;
};

BatchReader::BatchReader(EventStore& store, qsizetype batchSize, Path path)
    : m_store(store)
    , m_batchSize(qMax<qsizetype>(1, batchSize))
    , m_path(path)
{ }

bool BatchReader::read(const EventQuery& query, const Sink& sink)
{
    m_read = 0;
    m_raw = false;
    if (m_path == Path::Raw) {
        EventQuery all = query;
        all.limit = 0;
        all.backward = false;
        Receiver receiver(m_batchSize, m_metadata, sink);
        if (m_store.readRaw(all, receiver)) {
            m_raw = true;
            const bool reachedEnd = !receiver.stopped() && receiver.flush();
            m_read = receiver.read();
            return reachedEnd;
        }
    }
    return readPages(query, sink);
}

bool BatchReader::readPages(const EventQuery& query, const Sink& sink)
{
    EventQuery page = query;
    page.limit = int(qMin<qsizetype>(m_batchSize, std::numeric_limits<int>::max()));
    page.backward = false;
    while (true) {
        const EventPage result = m_store.events(page);
        m_read += qint64(result.events.size());
        if (!result.events.empty() && !sink(result.events.data(), qsizetype(result.events.size())))
            return false;
        if (result.atEnd || result.events.empty())
            return true;
        page.from = result.next >= 0 ? result.next : result.events.back().version + 1;
    }
}

} // namespace es
