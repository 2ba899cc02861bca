#include "fold/timeline.h"

#include <QElapsedTimer>

#include <algorithm>
#include <limits>

namespace es {

namespace {

constexpr qint64 noTime = TimelineIndex::noTime;
constexpr qint64 calibrationEvents = 4096;

int floorPowerOfTwo(double v)
{
    int p = 1;
    while (p * 2 <= v && p < (1 << 30))
        p *= 2;
    return p;
}

} // namespace

Timeline::Timeline(EventStore& store, QString stream, ReducerPtr reducer, TimelineOptions options)
    : m_store(store)
    , m_stream(std::move(stream))
    , m_reducer(std::move(reducer))
    , m_options(std::move(options))
    , m_index(std::make_shared<TimelineIndex>())
{
    m_options.pageSize = qMax(1, m_options.pageSize);
    m_options.minInterval = qMax(1, m_options.minInterval);
    m_options.maxInterval = qMax(m_options.minInterval, m_options.maxInterval);
    m_interval = qBound(m_options.minInterval, 64, m_options.maxInterval);
}

Timeline::~Timeline() = default;

bool Timeline::isSkipped(qint64 index) const
{
    return m_options.skipVersions.contains(versionAt(index)) || m_skipTypeIds.contains(quint16(typeIdAt(index)));
}

qint64 Timeline::lastFoldableIndex() const
{
    return m_errorIndex >= 0 ? m_errorIndex - 1 : count() - 1;
}

bool Timeline::ensureFold()
{
    if (m_fold)
        return true;
    ReducerError error;
    m_fold = m_reducer->createFold(&error);
    if (!m_fold) {
        m_reducerError = error;
        m_failure = Failure { Failure::Kind::ReducerError, error.toString() };
        return false;
    }
    m_fold->setMemoryBudget(m_options.memoryBudgetBytes);
    m_foldIndex = -1;
    return true;
}

void Timeline::indexEvent(const Event& e)
{
    TimelineIndex& ix = *m_index;
    auto it = m_typeIdByName.constFind(e.type);
    quint16 id;
    if (it != m_typeIdByName.constEnd()) {
        id = *it;
    } else {
        id = quint16(qMin<qsizetype>(ix.types.size(), 0xFFFF));
        if (ix.types.size() < 0xFFFF) {
            ix.types.append(e.type);
            m_typeIdByName.insert(e.type, id);
            if (m_options.skipTypes.contains(e.type))
                m_skipTypeIds.insert(id);
        }
    }
    ix.append(e.version, e.position, e.time.isValid() ? e.time.toMSecsSinceEpoch() : noTime, id);
}

FoldResult Timeline::applyFiltered(const Event* events, qsizetype count)
{
    if (m_options.skipVersions.isEmpty() && m_options.skipTypes.isEmpty())
        return m_fold->apply(events, count);
    FoldResult out;
    qsizetype runStart = 0;
    auto flush = [&](qsizetype end) {
        if (end <= runStart)
            return true;
        FoldResult r = m_fold->apply(events + runStart, end - runStart);
        if (!r.ok() || r.stopped) {
            r.applied += runStart;
            out = std::move(r);
            return false;
        }
        return true;
    };
    for (qsizetype i = 0; i < count; ++i) {
        const Event& e = events[i];
        if (m_options.skipVersions.contains(e.version) || m_options.skipTypes.contains(e.type)) {
            if (!flush(i))
                return out;
            runStart = i + 1;
        }
    }
    if (!flush(count))
        return out;
    out.applied = count;
    return out;
}

void Timeline::addSnapshot(qint64 index)
{
    Snapshot s { index, m_fold->stateJson() };
    m_snapshotBytes += s.state.size();
    m_snapshots.push_back(std::move(s));
    // A hard cap at every size: the interval doubles (past maxInterval if it must) until the snapshots fit, down to
    // the initial state alone, which seek() always needs.
    while (m_snapshotBytes > m_options.snapshotBudgetBytes && m_snapshots.size() > 1) {
        thinSnapshots(m_interval < (1 << 29) ? m_interval * 2 : std::numeric_limits<int>::max());
        m_budgetInterval = m_interval;
    }
}

void Timeline::thinSnapshots(int newInterval)
{
    m_interval = qMax(m_options.minInterval, newInterval);
    std::vector<Snapshot> kept;
    m_snapshotBytes = 0;
    for (auto& s : m_snapshots) {
        if (s.index < 0 || (m_interval < std::numeric_limits<int>::max() && (s.index + 1) % m_interval == 0)) {
            m_snapshotBytes += s.state.size();
            kept.push_back(std::move(s));
        }
    }
    m_snapshots = std::move(kept);
}

bool Timeline::build(const Progress& progress, const std::atomic_bool* cancel)
{
    m_built = false;
    m_failure = {};
    m_reducerError.reset();
    m_errorIndex = -1;
    m_fold.reset();
    m_snapshots.clear();
    m_snapshotBytes = 0;
    m_budgetInterval = 1;
    // A new index: one handed out by an earlier build stays as it was.
    m_index = std::make_shared<TimelineIndex>();
    m_index->stream = m_stream;
    m_index->reducerName = m_reducer->name();
    m_typeIdByName.clear();
    m_skipTypeIds.clear();
    if (!ensureFold())
        return false;
    addSnapshot(-1);

    try {
        EventFilter filter;
        filter.stream = m_stream;
        const qint64 expected = expectedCount();
        // A hint only (versions may have gaps): never more than a few tens of megabytes up front.
        const qint64 reserved = qMin<qint64>(expected, 1 << 24);
        m_index->positions.reserve(reserved);
        m_index->timesMs.reserve(reserved);
        m_index->typeIds.reserve(reserved);

        QElapsedTimer timer;
        timer.start();
        bool calibrated = false;
        auto calibrate = [&] {
            // Read and fold cost per event decides how far apart snapshots may be for a jump to stay cheap.
            m_usPerEvent = double(timer.nsecsElapsed()) / 1000.0 / qMax<qint64>(1, count());
            const double events = m_options.rebuildTargetMs * 1000.0 / qMax(0.01, m_usPerEvent);
            // Never closer than the budget already made them.
            thinSnapshots(qMax(m_budgetInterval,
                qBound(m_options.minInterval, floorPowerOfTwo(qMax(1.0, events)), m_options.maxInterval)));
            calibrated = true;
        };
        bool stopped = false;
        // Folded while it is read: each batch is indexed, folded up to the snapshot boundaries in it, and reported.
        auto foldBatch = [&](const Event* events, qsizetype n) {
            if (cancel && cancel->load())
                return !(stopped = true);
            const qint64 base = count();
            for (qsizetype k = 0; k < n; ++k)
                indexEvent(events[k]);
            qsizetype i = 0;
            while (m_errorIndex < 0 && i < n) {
                if (cancel && cancel->load(std::memory_order_relaxed))
                    return !(stopped = true);
                const qint64 index = base + i;
                const qint64 boundary = (index / m_interval + 1) * m_interval - 1;
                const qsizetype end = qsizetype(qMin<qint64>(n, boundary - base + 1));
                const FoldResult r = applyFiltered(events + i, end - i);
                if (!r.ok()) {
                    m_errorIndex = index + r.applied;
                    m_reducerError = r.error;
                    m_foldIndex = m_errorIndex - 1;
                    break;
                }
                i = end;
                m_foldIndex = base + i - 1;
                if ((m_foldIndex + 1) % m_interval == 0)
                    addSnapshot(m_foldIndex);
            }
            if (!calibrated && count() >= calibrationEvents)
                calibrate();
            if (progress && !progress(count(), qMax(expected, count())))
                return !(stopped = true);
            return true;
        };
        EventQuery query;
        query.filter = filter;
        BatchReader reader(m_store, m_options.pageSize, m_options.readPath);
        reader.setMetadata(m_fold->readsMetadata());
        reader.read(query, foldBatch);
        if (stopped)
            return false;
        if (!calibrated)
            calibrate();
        m_usPerEvent = double(timer.nsecsElapsed()) / 1000.0 / qMax<qint64>(1, count());
    } catch (const StoreError& e) {
        m_failure = e.failure();
        return false;
    }
    m_index->reducerError = m_reducerError;
    m_index->errorIndex = m_errorIndex;
    m_index->snapshotInterval = m_interval;
    m_index->foldMicrosPerEvent = m_usPerEvent;
    m_built = true;
    return true;
}

qint64 Timeline::expectedCount()
{
    // The first and the last event are two index lookups, where counting the stream would read every entry of it.
    EventQuery query;
    query.filter.stream = m_stream;
    query.limit = 1;
    const EventPage first = m_store.events(query);
    if (first.events.empty())
        return 0;
    query.backward = true;
    const EventPage last = m_store.events(query);
    return last.events.empty() ? 0 : qMax<qint64>(1, last.events.front().version - first.events.front().version + 1);
}

EventList Timeline::readRange(qint64 fromIndex, qint64 toIndex)
{
    EventList out;
    if (toIndex < fromIndex)
        return out;
    const qint64 wanted = toIndex - fromIndex + 1;
    out.reserve(std::size_t(wanted));
    EventQuery query;
    query.filter.stream = m_stream;
    query.from = versionAt(fromIndex);
    query.to = versionAt(toIndex);
    // A few events are one statement on either path; many are read raw (one statement or COPY for all of them).
    const qsizetype batch = m_options.pageSize * 4;
    BatchReader reader(m_store, batch, wanted > batch ? m_options.readPath : BatchReader::Path::Pages);
    reader.setMetadata(!m_fold || m_fold->readsMetadata());
    reader.read(query, [&](const Event* events, qsizetype n) {
        out.insert(out.end(), events, events + n);
        return qint64(out.size()) < wanted;
    });
    return out;
}

void Timeline::seek(qint64 index)
{
    const qint64 target = qMin(index, lastFoldableIndex());
    if (target == m_foldIndex)
        return;
    if (!ensureFold())
        throw StoreError(m_failure.message, m_failure.kind);
    auto it = std::upper_bound(m_snapshots.begin(), m_snapshots.end(), target,
        [](qint64 value, const Snapshot& s) { return value < s.index; });
    Q_ASSERT(it != m_snapshots.begin());
    const Snapshot& snapshot = *(it - 1);
    // Stepping forward continues from where the fold is when that is nearer than the snapshot.
    if (!(m_foldIndex >= snapshot.index && m_foldIndex < target)) {
        m_fold->setStateJson(snapshot.state);
        m_foldIndex = snapshot.index;
    }
    if (m_foldIndex == target)
        return;
    const EventList events = readRange(m_foldIndex + 1, target);
    const FoldResult r = applyFiltered(events.data(), qsizetype(events.size()));
    if (!r.ok()) {
        m_foldIndex = -2;
        throw StoreError(QStringLiteral("the reducer failed on replay (is it deterministic?): ") % r.error->toString(),
            Failure::Kind::ReducerError);
    }
    m_foldIndex = target;
}

std::optional<QByteArray> Timeline::stateJsonAt(qint64 version, Failure* failure)
{
    if (m_snapshots.empty()) {
        if (failure)
            *failure = Failure { Failure::Kind::Generic, QStringLiteral("the timeline is not built") };
        return std::nullopt;
    }
    const qint64 index = indexAtOrBefore(version);
    if (index < 0)
        return m_snapshots.front().state;
    try {
        seek(index);
        return m_fold->stateJson();
    } catch (const StoreError& e) {
        if (failure)
            *failure = e.failure();
        return std::nullopt;
    }
}

QJsonValue Timeline::stateAt(qint64 version, Failure* failure)
{
    const auto json = stateJsonAt(version, failure);
    return json ? parseJsonValue(*json) : QJsonValue(QJsonValue::Undefined);
}

qint64 Timeline::versionAsOf(const QDateTime& time) const
{
    const qint64 index = m_index->indexAsOf(time);
    return index < 0 ? -1 : versionAt(index);
}

JsonDiff Timeline::diff(qint64 fromVersion, qint64 toVersion, Failure* failure)
{
    // The earlier state first, so that reaching the later one only continues the fold.
    const bool forward = fromVersion <= toVersion;
    const auto first = stateJsonAt(forward ? fromVersion : toVersion, failure);
    if (!first)
        return {};
    const auto second = stateJsonAt(forward ? toVersion : fromVersion, failure);
    if (!second)
        return {};
    return forward ? diffJson(parseJsonValue(*first), parseJsonValue(*second))
                   : diffJson(parseJsonValue(*second), parseJsonValue(*first));
}

JsonDiff Timeline::changesAt(qint64 version, Failure* failure)
{
    const qint64 index = indexAtOrBefore(version);
    if (index < 0)
        return {};
    const qint64 before = index == 0 ? firstVersion() - 1 : versionAt(index - 1);
    return diff(before, versionAt(index), failure);
}

Timeline::BreakHit Timeline::findFirst(
    const QString& predicate, qint64 fromVersion, const Progress& progress, const std::atomic_bool* cancel)
{
    BreakHit hit;
    if (!ensureFold() || count() == 0)
        return hit;
    qint64 start = fromVersion < 0 ? 0 : indexAtOrBefore(fromVersion - 1) + 1;
    const qint64 last = lastFoldableIndex();
    try {
        seek(start - 1);
        ReducerError error;
        if (!m_fold->setStopPredicate(predicate, &error)) {
            hit.error = error;
            return hit;
        }
        while (start <= last) {
            if (cancel && cancel->load()) {
                hit.cancelled = true;
                break;
            }
            const qint64 end = qMin(last, start + m_options.pageSize * 4 - 1);
            const EventList events = readRange(start, end);
            const FoldResult r = applyFiltered(events.data(), qsizetype(events.size()));
            if (!r.ok()) {
                hit.error = r.error;
                m_foldIndex = -2;
                break;
            }
            if (r.stopped) {
                m_foldIndex = start + r.applied - 1;
                hit.found = true;
                hit.version = versionAt(m_foldIndex);
                break;
            }
            m_foldIndex = end;
            start = end + 1;
            if (progress && !progress(start, last + 1)) {
                hit.cancelled = true;
                break;
            }
        }
    } catch (const StoreError& e) {
        hit.storeFailure = e.failure();
        m_foldIndex = -2;
    }
    m_fold->setStopPredicate(QString(), nullptr);
    return hit;
}

bool Timeline::walk(
    qint64 fromVersion, qint64 toVersion, const Visitor& visit, const std::atomic_bool* cancel, Failure* failure)
{
    if (!ensureFold() || count() == 0)
        return true;
    qint64 start = qMax<qint64>(0, indexAtOrBefore(fromVersion - 1) + 1);
    const qint64 last = qMin(indexAtOrBefore(toVersion), lastFoldableIndex());
    try {
        seek(start - 1);
        while (start <= last) {
            if (cancel && cancel->load())
                return false;
            const qint64 end = qMin(last, start + m_options.pageSize - 1);
            const EventList events = readRange(start, end);
            for (const Event& e : events) {
                const FoldResult r = applyFiltered(&e, 1);
                if (!r.ok()) {
                    m_foldIndex = -2;
                    if (failure)
                        *failure = Failure { Failure::Kind::ReducerError, r.error->toString() };
                    return false;
                }
                m_foldIndex = start++;
                if (!visit(e, m_fold->stateJson()))
                    return true;
            }
            if (events.empty())
                break;
        }
    } catch (const StoreError& e) {
        if (failure)
            *failure = e.failure();
        return false;
    }
    return true;
}

} // namespace es
