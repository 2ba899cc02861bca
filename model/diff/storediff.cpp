// The store diff: a streaming merge of two raw reads.
//
// Key order. Both sides are read by EventStore::readRaw in the order it reads fastest and that both stores have: the
// global position (the version when the scope is one stream). Ids, and (stream, version) pairs, are not ordered by
// position, and positions need not agree between two stores (a restored backup keeps them, a re-imported store
// does not), so events are paired by a bounded hash window over the two ordered reads:
//  - the reads advance in lockstep; equal keys at the heads are compared at once (the fast path: the bytes are
//    compared, and only when they differ are payloads parsed for the paths that differ);
//  - at a mismatch, the head of A is looked up among B's unpaired events and the head of B among A's; one found
//    is paired and only its side advances, which re-aligns the reads after a removed or inserted event;
//  - otherwise both heads wait in their side's pending map, keyed by id or stream+version.
// A pending event whose partner has not come within DiffOptions::window events of the other side's read is reported
// (removed from A, added to B). So memory holds at most `window` unpaired events per side plus the batches in
// flight, and an event moved farther than `window` in read order shows as removed and added.
#include "diff/storediff.h"

#include "core/jsondiff.h"
#include "core/payload.h"
#include "core/rawbatch.h"
#include "core/rawevent.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace es {

namespace {

constexpr int BatchRows = 8192;
constexpr size_t QueueBatches = 6;

// A raw row kept past RawEventReceiver::row(): its fields copied into one arena.
// A batch of B's rows, full at BatchRows.
class RowBatch : public RawBatch {
public:
    bool full() const { return size() >= BatchRows; }
};

// One event held while it waits for its partner: a batch of one.
struct Pending {
    RowBatch row;
    qint64 deadline = 0; // the other side's read count past which it is reported
    RawEvent view() const { return row.view(0); }
};

// B's batches from its reader thread to the merge, bounded; spent batches go back for reuse.
class BatchQueue {
public:
    explicit BatchQueue(const std::atomic<bool>* cancel)
        : m_cancel(cancel)
    { }

    // Reader side. False when the merge wants no more.
    bool push(std::unique_ptr<RowBatch> batch)
    {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_closed || m_full.size() < QueueBatches; });
        if (m_closed)
            return false;
        m_full.push_back(std::move(batch));
        m_ready.notify_one();
        return true;
    }
    std::unique_ptr<RowBatch> spare()
    {
        std::lock_guard lock(m_mutex);
        if (m_spare.empty())
            return std::make_unique<RowBatch>();
        auto batch = std::move(m_spare.back());
        m_spare.pop_back();
        batch->clear();
        return batch;
    }
    void finish(std::exception_ptr error)
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_error = error;
        m_ready.notify_all();
    }
    bool closed() const
    {
        std::lock_guard lock(m_mutex);
        return m_closed;
    }

    // Merge side. Null at the end of B; throws B's error, or Cancelled.
    std::unique_ptr<RowBatch> pop()
    {
        std::unique_lock lock(m_mutex);
        while (m_full.empty() && !m_done) {
            m_ready.wait_for(lock, std::chrono::milliseconds(50));
            if (m_cancel && m_cancel->load())
                throw StoreError(QStringLiteral("Cancelled"), StoreError::Kind::Cancelled);
        }
        if (!m_full.empty()) {
            auto batch = std::move(m_full.front());
            m_full.pop_front();
            m_space.notify_one();
            return batch;
        }
        if (m_error)
            std::rethrow_exception(m_error);
        return nullptr;
    }
    void recycle(std::unique_ptr<RowBatch> batch)
    {
        std::lock_guard lock(m_mutex);
        m_spare.push_back(std::move(batch));
    }
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_space.notify_all();
    }

private:
    const std::atomic<bool>* m_cancel;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::condition_variable m_space;
    std::deque<std::unique_ptr<RowBatch>> m_full;
    std::vector<std::unique_ptr<RowBatch>> m_spare;
    bool m_done = false;
    bool m_closed = false;
    std::exception_ptr m_error;
};

class BatchingReceiver : public RawEventReceiver {
public:
    BatchingReceiver(BatchQueue& queue, const std::atomic<bool>* cancel)
        : m_queue(queue)
        , m_cancel(cancel)
        , m_batch(queue.spare())
    { }
    bool row(const RawEvent& event) override
    {
        m_batch->add(event);
        if (!m_batch->full())
            return true;
        return flush() && !(m_cancel && m_cancel->load());
    }
    bool reached(qint64) override { return !m_queue.closed() && !(m_cancel && m_cancel->load()); }
    bool flush()
    {
        if (m_batch->size() == 0)
            return true;
        const bool more = m_queue.push(std::move(m_batch));
        m_batch = m_queue.spare();
        return more;
    }

private:
    BatchQueue& m_queue;
    const std::atomic<bool>* m_cancel;
    std::unique_ptr<RowBatch> m_batch;
};

QByteArray payloadJson(QByteArrayView bytes, Payload::Encoding encoding)
{
    QByteArray out;
    appendJsonPayload(out, bytes, encoding);
    return out;
}

QJsonValue payloadValue(QByteArrayView bytes, Payload::Encoding encoding)
{
    Payload p { bytes.toByteArray(), encoding };
    return p.toJsonValue();
}

QString joinPath(const char* root, const QString& sub)
{
    const QString base = QLatin1String(root);
    if (sub == QLatin1String("$"))
        return base;
    if (sub.startsWith(QLatin1Char('[')))
        return base + sub;
    return base + QLatin1Char('.') + sub;
}

// Whether a top-level payload value only echoes its event's own identity: its stream name, id or global position
// (Emmett's metadata.streamName and messageId, a position as a string).
bool echoesIdentity(const QJsonValue& v, const RawEvent& e)
{
    if (v.isDouble())
        return e.position >= 0 && v.toDouble() == double(e.position);
    const QString text = v.toString();
    return v.isString() && !text.isEmpty()
        && (text == QString::fromUtf8(e.stream) || text == QString::fromUtf8(e.id)
            || (e.position >= 0 && text == QString::number(e.position)));
}

// Two payloads without the top-level keys where each side echoes its own event's identity: two streams compared side
// by side differ there by design. A key kept on one side only stays a difference.
void dropIdentityEchoes(QJsonValue& x, const RawEvent& a, QJsonValue& y, const RawEvent& b)
{
    if (!x.isObject() || !y.isObject())
        return;
    QJsonObject ox = x.toObject(), oy = y.toObject();
    const QStringList keys = ox.keys();
    for (const QString& key : keys) {
        if (oy.contains(key) && echoesIdentity(ox.value(key), a) && echoesIdentity(oy.value(key), b)) {
            ox.remove(key);
            oy.remove(key);
        }
    }
    x = ox;
    y = oy;
}

void comparePayload(
    const char* root, const RawEvent& a, const RawEvent& b, bool metadata, QStringList& paths, bool ignoreIdentity)
{
    const QByteArrayView x = metadata ? a.metadata : a.data;
    const QByteArrayView y = metadata ? b.metadata : b.data;
    const Payload::Encoding ex = metadata ? a.metadataEncoding : a.dataEncoding;
    const Payload::Encoding ey = metadata ? b.metadataEncoding : b.dataEncoding;
    if (ex == ey && x == y)
        return;
    if (ex != Payload::Encoding::Json || ey != Payload::Encoding::Json) {
        if (payloadJson(x, ex) != payloadJson(y, ey))
            paths.append(QLatin1String(root));
        return;
    }
    // Both JSON but spelled differently (another engine's formatting, reordered keys): compare the values.
    QJsonValue vx = payloadValue(x, ex), vy = payloadValue(y, ey);
    if (ignoreIdentity)
        dropIdentityEchoes(vx, a, vy, b);
    for (const JsonChange& c : diffJson(vx, vy))
        paths.append(joinPath(root, c.pathText()));
}

// How paired events are keyed and compared: by id, by stream and version, or (one stream against another) by version
// alone, where stream names, ids and positions differ by design.
enum class Pairing { Id, StreamVersion, Version };

// The paths where two paired events differ; empty when they are the same event.
QStringList compare(const RawEvent& a, const RawEvent& b, Pairing pairing)
{
    QStringList paths;
    if (pairing == Pairing::Version) {
        // the stream, id and position are the other stream's own
    } else if (pairing == Pairing::Id) {
        if (a.stream != b.stream)
            paths.append(QStringLiteral("stream"));
        if (a.version != b.version)
            paths.append(QStringLiteral("version"));
    } else if (a.id != b.id || (a.id.data() == nullptr) != (b.id.data() == nullptr)) {
        paths.append(QStringLiteral("id"));
    }
    if (a.type != b.type)
        paths.append(QStringLiteral("type"));
    if (a.time != b.time) {
        QByteArray x, y;
        appendJsonTime(x, a.time);
        appendJsonTime(y, b.time);
        if (x != y)
            paths.append(QStringLiteral("time"));
    }
    comparePayload("data", a, b, false, paths, false);
    comparePayload("metadata", a, b, true, paths, pairing == Pairing::Version);
    return paths;
}

bool sameBytes(const RawEvent& a, const RawEvent& b, Pairing pairing)
{
    return a.version == b.version && a.data == b.data && a.metadata == b.metadata && a.type == b.type
        && (pairing == Pairing::Version || (a.stream == b.stream && a.id == b.id)) && a.time == b.time
        && a.dataEncoding == b.dataEncoding && a.metadataEncoding == b.metadataEncoding;
}

QByteArray lineOf(const RawEvent& e)
{
    QByteArray out;
    e.appendJsonLine(out);
    return out;
}

class Merge {
public:
    Merge(const DiffOptions& options, Pairing pairing, const StoreDiff::ChangeSink& sink, DiffSummary& summary)
        : m_window(std::max<qint64>(1, options.window))
        , m_pairing(pairing)
        , m_sink(sink)
        , m_summary(summary)
    { }

    // One event of A, in A's read order; `nextB` gives B's head (null at B's end) and `advanceB` consumes it.
    template <typename Head, typename Advance> void onA(const RawEvent& a, Head&& nextB, Advance&& advanceB)
    {
        ++m_readA;
        expire();
        while (true) {
            const RawEvent* b = nextB();
            if (!b) {
                if (!pairWithPending(a, m_pendingB, true))
                    report(DiffChange::Kind::Removed, &a, nullptr);
                return;
            }
            if (partners(a, *b)) {
                pair(a, *b);
                ++m_readB;
                advanceB();
                return;
            }
            if (pairWithPending(a, m_pendingB, true))
                return;
            if (pairWithPending(*b, m_pendingA, false)) {
                ++m_readB;
                advanceB();
                continue;
            }
            if (!hold(m_pendingA, m_orderA, key(a), a, m_readB + m_window))
                report(DiffChange::Kind::Removed, &a, nullptr);
            if (!hold(m_pendingB, m_orderB, key(*b), *b, m_readA + m_window))
                report(DiffChange::Kind::Added, nullptr, b);
            ++m_readB;
            advanceB();
            return;
        }
    }

    // One event of B after A ended.
    void onBAfterEnd(const RawEvent& b)
    {
        ++m_readB;
        if (!pairWithPending(b, m_pendingA, false))
            report(DiffChange::Kind::Added, nullptr, &b);
    }

    void finish()
    {
        for (const QByteArray& k : m_orderA) {
            if (auto it = m_pendingA.find(k); it != m_pendingA.end()) {
                const RawEvent e = it->second.view();
                report(DiffChange::Kind::Removed, &e, nullptr);
                m_pendingA.erase(it);
            }
        }
        for (const QByteArray& k : m_orderB) {
            if (auto it = m_pendingB.find(k); it != m_pendingB.end()) {
                const RawEvent e = it->second.view();
                report(DiffChange::Kind::Added, nullptr, &e);
                m_pendingB.erase(it);
            }
        }
        m_orderA.clear();
        m_orderB.clear();
    }

    qint64 readA() const { return m_readA; }
    qint64 readB() const { return m_readB; }

private:
    using PendingMap = std::unordered_map<QByteArray, Pending>;

    bool partners(const RawEvent& a, const RawEvent& b) const
    {
        switch (m_pairing) {
        case Pairing::Id:
            return a.id == b.id;
        case Pairing::StreamVersion:
            return a.version == b.version && a.stream == b.stream;
        case Pairing::Version:
            break;
        }
        return a.version == b.version;
    }

    QByteArray key(const RawEvent& e) const
    {
        if (m_pairing == Pairing::Id)
            return e.id.toByteArray();
        QByteArray k;
        k.reserve(e.stream.size() + 9);
        if (m_pairing == Pairing::StreamVersion)
            k.append(e.stream.data(), e.stream.size());
        k.append('\0');
        const qint64 v = e.version;
        k.append(reinterpret_cast<const char*>(&v), sizeof v);
        return k;
    }

    void pair(const RawEvent& a, const RawEvent& b)
    {
        if (sameBytes(a, b, m_pairing)) {
            ++m_summary.unchanged;
            return;
        }
        QStringList paths = compare(a, b, m_pairing);
        if (paths.isEmpty()) {
            ++m_summary.unchanged;
            return;
        }
        report(DiffChange::Kind::Changed, &a, &b, std::move(paths));
    }

    // Pairs `e` (of side A when fromA) with its partner among `pending`, if it waits there.
    bool pairWithPending(const RawEvent& e, PendingMap& pending, bool fromA)
    {
        if (pending.empty())
            return false;
        auto it = pending.find(key(e));
        if (it == pending.end())
            return false;
        const RawEvent other = it->second.view();
        if (fromA)
            pair(e, other);
        else
            pair(other, e);
        pending.erase(it);
        return true;
    }

    // False for a key that already waits on this side (seen twice in one store): that one cannot be paired.
    bool hold(
        PendingMap& pending, std::deque<QByteArray>& order, const QByteArray& k, const RawEvent& e, qint64 deadline)
    {
        if (pending.count(k))
            return false;
        Pending& p = pending[k];
        p.row.add(e);
        p.deadline = deadline;
        order.push_back(k);
        m_summary.maxPending = std::max<qint64>(m_summary.maxPending, qint64(m_pendingA.size() + m_pendingB.size()));
        return true;
    }

    void expire()
    {
        auto drop = [this](PendingMap& pending, std::deque<QByteArray>& order, qint64 read, bool sideA) {
            while (!order.empty()) {
                auto it = pending.find(order.front());
                if (it != pending.end()) {
                    if (it->second.deadline > read)
                        return;
                    const RawEvent e = it->second.view();
                    if (sideA)
                        report(DiffChange::Kind::Removed, &e, nullptr);
                    else
                        report(DiffChange::Kind::Added, nullptr, &e);
                    pending.erase(it);
                }
                order.pop_front();
            }
        };
        drop(m_pendingA, m_orderA, m_readB, true);
        drop(m_pendingB, m_orderB, m_readA, false);
    }

    void report(DiffChange::Kind kind, const RawEvent* a, const RawEvent* b, QStringList paths = {})
    {
        const RawEvent& e = a ? *a : *b;
        DiffChange change;
        change.kind = kind;
        change.stream = QString::fromUtf8(e.stream);
        change.version = e.version;
        change.id = QString::fromUtf8(e.id);
        change.paths = std::move(paths);
        if (a)
            change.a = lineOf(*a);
        if (b)
            change.b = lineOf(*b);
        DiffCounts& s = m_summary.perStream[change.stream];
        for (DiffCounts* c : { &s, &m_summary.counts }) {
            switch (kind) {
            case DiffChange::Kind::Changed:
                ++c->changed;
                break;
            case DiffChange::Kind::Removed:
                ++c->removed;
                break;
            case DiffChange::Kind::Added:
                ++c->added;
                break;
            }
        }
        if (m_sink)
            m_sink(change);
    }

    const qint64 m_window;
    const Pairing m_pairing;
    const StoreDiff::ChangeSink& m_sink;
    DiffSummary& m_summary;
    qint64 m_readA = 0;
    qint64 m_readB = 0;
    PendingMap m_pendingA;
    PendingMap m_pendingB;
    std::deque<QByteArray> m_orderA; // keys in the order they began to wait (some already paired)
    std::deque<QByteArray> m_orderB;
};

// A's side: each raw row is merged at once against B's batches.
class MergingReceiver : public RawEventReceiver {
public:
    MergingReceiver(
        Merge& merge, BatchQueue& queue, const std::atomic<bool>* cancel, std::function<void(qint64)> progress)
        : m_merge(merge)
        , m_queue(queue)
        , m_cancel(cancel)
        , m_progress(std::move(progress))
    { }

    bool row(const RawEvent& a) override
    {
        m_merge.onA(
            a, [this] { return head(); }, [this] { ++m_index; });
        if ((m_merge.readA() & 4095) == 0) {
            if (m_cancel && m_cancel->load())
                return false;
            m_progress(m_merge.readA());
        }
        return true;
    }
    bool reached(qint64) override { return !(m_cancel && m_cancel->load()); }

    // B's rows after A ended.
    void drainB()
    {
        while (const RawEvent* b = head()) {
            m_merge.onBAfterEnd(*b);
            ++m_index;
            if ((m_merge.readB() & 4095) == 0 && m_cancel && m_cancel->load())
                return;
        }
    }

private:
    const RawEvent* head()
    {
        while (!m_batch || m_index >= m_batch->size()) {
            if (m_ended)
                return nullptr;
            if (m_batch)
                m_queue.recycle(std::move(m_batch));
            m_batch = m_queue.pop();
            m_index = 0;
            if (!m_batch) {
                m_ended = true;
                return nullptr;
            }
        }
        if (m_viewIndex != m_index || m_viewBatch != m_batch.get()) {
            m_view = m_batch->view(m_index);
            m_viewIndex = m_index;
            m_viewBatch = m_batch.get();
        }
        return &m_view;
    }

    Merge& m_merge;
    BatchQueue& m_queue;
    const std::atomic<bool>* m_cancel;
    std::function<void(qint64)> m_progress;
    std::unique_ptr<RowBatch> m_batch;
    qsizetype m_index = 0;
    bool m_ended = false;
    RawEvent m_view;
    qsizetype m_viewIndex = -1;
    const RowBatch* m_viewBatch = nullptr;
};

bool firstHasId(EventStore& store, const EventFilter& filter)
{
    EventQuery q;
    q.filter = filter;
    q.limit = 1;
    const EventPage page = store.events(q);
    return !page.events.empty() && !page.events.front().id.isEmpty();
}

void throwIfCancelled(const std::atomic<bool>* cancel)
{
    if (cancel && cancel->load())
        throw StoreError(QStringLiteral("Cancelled"), StoreError::Kind::Cancelled);
}

} // namespace

QString DiffChange::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Changed:
        return QStringLiteral("changed");
    case Kind::Removed:
        return QStringLiteral("removed");
    case Kind::Added:
        return QStringLiteral("added");
    }
    return {};
}

QByteArray DiffChange::toJsonLine() const
{
    QByteArray out = "{\"change\":\"" + kindName(kind).toLatin1() + "\",\"stream\":";
    appendJsonString(out, QStringView(stream));
    out.append(",\"version\":");
    out.append(version >= 0 ? QByteArray::number(version) : QByteArray("null"));
    out.append(",\"id\":");
    if (id.isEmpty())
        out.append("null");
    else
        appendJsonString(out, QStringView(id));
    out.append(",\"paths\":[");
    for (qsizetype i = 0; i < paths.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendJsonString(out, QStringView(paths[i]));
    }
    out.append("],\"a\":");
    out.append(a.isEmpty() ? QByteArray("null") : a);
    out.append(",\"b\":");
    out.append(b.isEmpty() ? QByteArray("null") : b);
    out.append('}');
    return out;
}

DiffSummary StoreDiff::run(EventStore& a, EventStore& b, const DiffOptions& options, const ChangeSink& sink,
    const ProgressFn& progress, const std::atomic<bool>* cancel)
{
    QElapsedTimer clock;
    clock.start();
    DiffSummary summary;
    auto onB = [](auto&& f) {
        try {
            return f();
        } catch (const StoreError& e) {
            if (e.kind() == StoreError::Kind::Cancelled)
                throw;
            throw StoreError(QStringLiteral("The second store: %1").arg(e.message()), e.kind());
        }
    };
    switch (options.filterB ? DiffMatch::StreamVersion : options.match) {
    case DiffMatch::Id:
        summary.matchedById = true;
        break;
    case DiffMatch::StreamVersion:
        summary.matchedById = false;
        break;
    case DiffMatch::Auto:
        summary.matchedById = firstHasId(a, options.filter)
            && onB([&] { return firstHasId(b, options.filterB.value_or(options.filter)); });
        break;
    }
    throwIfCancelled(cancel);
    qint64 totalA = -1;
    try {
        totalA = a.estimateCount(options.filter).count;
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Cancelled)
            throw;
    }

    EventQuery query;
    query.filter = options.filter;
    query.limit = 0;
    EventQuery queryB = query;
    queryB.filter = options.filterB.value_or(options.filter);

    BatchQueue queue(cancel);
    qint64 readB = 0;
    std::thread reader([&] {
        std::exception_ptr error;
        try {
            BatchingReceiver receiver(queue, cancel);
            bool raw = b.readRaw(queryB, receiver);
            if (!raw) {
                // No raw path: page through events() as the exporter does.
                EventQuery page = queryB;
                page.limit = 2000;
                bool more = true;
                while (more && !(cancel && cancel->load())) {
                    const EventPage p = b.events(page);
                    RawEvent::Texts texts;
                    for (const Event& e : p.events) {
                        const RawEvent r = RawEvent::of(e, texts);
                        if (!receiver.row(r)) {
                            more = false;
                            break;
                        }
                    }
                    more = more && !p.atEnd && p.next > page.from;
                    page.from = p.next;
                }
            }
            receiver.flush();
        } catch (const StoreError& e) {
            error = e.kind() == StoreError::Kind::Cancelled
                ? std::current_exception()
                : std::make_exception_ptr(
                    StoreError(QStringLiteral("The second store: %1").arg(e.message()), e.kind()));
        } catch (...) {
            error = std::current_exception();
        }
        queue.finish(error);
    });

    const Pairing pairing = options.filterB ? Pairing::Version
        : summary.matchedById               ? Pairing::Id
                                            : Pairing::StreamVersion;
    Merge merge(options, pairing, sink, summary);
    auto report = [&](qint64 readA) {
        if (!progress)
            return;
        DiffProgress p;
        p.eventsA = readA;
        p.eventsB = merge.readB();
        p.totalA = totalA;
        p.differences = summary.counts.total();
        p.elapsedMs = clock.elapsed();
        progress(p);
    };
    std::exception_ptr error;
    try {
        MergingReceiver receiver(merge, queue, cancel, report);
        const bool raw = a.readRaw(query, receiver);
        if (!raw)
            throw StoreError(QStringLiteral("The first store has no raw read path"));
        throwIfCancelled(cancel);
        receiver.drainB();
        throwIfCancelled(cancel);
        merge.finish();
    } catch (...) {
        error = std::current_exception();
    }
    queue.close();
    if (error && (!cancel || !cancel->load()))
        b.interrupt();
    reader.join();
    if (error)
        std::rethrow_exception(error);
    readB = merge.readB();
    summary.eventsA = merge.readA();
    summary.eventsB = readB;
    summary.elapsedMs = clock.elapsed();
    report(summary.eventsA);
    return summary;
}

} // namespace es
