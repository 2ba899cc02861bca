#include "fold/timetravelengine.h"

#include "fold/reducercatalog.h"
#include "fold/statepaths.h"

#include <QThread>

namespace es {

namespace {

constexpr qint64 maxSeriesPoints = 4000;

// A failure reported by a Timeline call through its out-parameter: only when it set one.
std::optional<Failure> reported(const Failure& failure)
{
    return failure.message.isEmpty() ? std::nullopt : std::optional<Failure>(failure);
}

// The state after `version`, what its event changed, and the event itself.
CursorState cursorStateAt(Timeline& t, EventStore& store, JobControl& control, qint64 version)
{
    CursorState s;
    s.version = version;
    Failure failure;
    s.changes = t.changesAt(version, &failure);
    if (const auto json = t.stateJsonAt(version, &failure))
        s.stateJson = *json;
    s.failure = reported(failure);
    control.throwIfCancelled();
    if (version >= t.firstVersion()) {
        try {
            EventQuery q;
            q.filter.stream = t.stream();
            q.from = q.to = version;
            q.limit = 1;
            EventPage page = store.events(q);
            if (!page.events.empty())
                s.event = std::move(page.events.front());
        } catch (const StoreError& e) {
            control.throwIfCancelled();
            s.failure = e.failure();
        }
    }
    return s;
}

} // namespace

// What a load hands back: the index, and the state at its last event, which the window shows first.
struct TimeTravelEngine::Loaded {
    TimelineIndexPtr index;
    std::optional<CursorState> last;
};

// What the jobs of one engine share on its lane: the Timeline (and through its fold, a JS engine), created, used and
// destroyed on the lane's thread only. Every job holds it; the engine hands its own reference to a last job when it
// goes, so the Timeline ends on the lane too.
struct TimeTravelEngine::State {
    explicit State(QString stream)
        : stream(std::move(stream))
    { }

    QString stream;
    std::unique_ptr<Timeline> timeline;
    bool watchingThread = false;

    // When the session goes first, its lanes stop while the engine still holds the state: the Timeline is then
    // released as the lane's thread finishes, still on that thread.
    static void watchThread(const std::shared_ptr<State>& state)
    {
        if (state->watchingThread)
            return;
        state->watchingThread = true;
        QObject::connect(QThread::currentThread(), &QThread::finished, [weak = std::weak_ptr<State>(state)] {
            if (const auto s = weak.lock())
                s->timeline.reset();
        });
    }
};

TimeTravelEngine::TimeTravelEngine(StoreSession* session, QString stream, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_lane(session->openLane(QStringLiteral("timetravel")))
    , m_stream(stream)
    , m_state(std::make_shared<State>(std::move(stream)))
{
    qRegisterMetaType<TimelineIndexPtr>();
    qRegisterMetaType<CursorState>();
    qRegisterMetaType<CompareResult>();
    qRegisterMetaType<SeriesResult>();
    qRegisterMetaType<BreakpointResult>();
    qRegisterMetaType<LastSetResult>();
    connect(session, &QObject::destroyed, this, [this] {
        // The session's lanes are gone and with them every job's callbacks.
        const bool wasBusy = isBusy();
        m_longJobs.clear();
        m_stateJob = 0;
        if (wasBusy)
            Q_EMIT busyChanged(false);
        Q_EMIT sessionClosed();
    });
}

TimeTravelEngine::~TimeTravelEngine()
{
    if (!m_session)
        return;
    cancelAllJobs();
    // The last job takes the engine's reference to the lane. closeLane() cancels it before it starts, and a job
    // that never runs is still dropped on the lane's thread: the Timeline and its JS engine end where they lived.
    m_session->run<bool>(
        m_lane, m_session.data(),
        [state = std::move(m_state)](EventStore&, JobControl&) mutable {
            state.reset();
            return true;
        },
        JobCallbacks<bool> {});
    m_session->closeLane(m_lane);
}

template <typename R> JobId TimeTravelEngine::runOnLane(LaneJob<R> job, JobCallbacks<R> callbacks, const QString& what)
{
    return m_session->run<R>(
        m_lane, this,
        [state = m_state, job = std::move(job), what](EventStore& store, JobControl& control) {
            State::watchThread(state);
            if (!what.isEmpty())
                control.progress(0, 0, what);
            return job(*state, store, control);
        },
        std::move(callbacks));
}

template <typename R>
void TimeTravelEngine::runLong(const QString& what, LaneJob<R> job, std::function<void(R)> done,
    std::function<void(const Failure&)> failed, std::function<void()> cancelled)
{
    if (!m_session)
        return;
    auto id = std::make_shared<JobId>(0);
    JobCallbacks<R> callbacks;
    callbacks.finished = [this, id, done = std::move(done)](R result) {
        if (done)
            done(std::move(result));
        longJobEnded(*id);
    };
    callbacks.failed = [this, id, failed = std::move(failed)](const Failure& failure) {
        if (failed)
            failed(failure);
        longJobEnded(*id);
    };
    callbacks.cancelled = [this, id, cancelled = std::move(cancelled)] {
        if (cancelled)
            cancelled();
        longJobEnded(*id);
    };
    callbacks.progress = [this](const JobProgress& report) { Q_EMIT progress(report.what, report.done, report.total); };
    *id = runOnLane<R>(std::move(job), std::move(callbacks), what);
    const bool wasIdle = m_longJobs.empty();
    m_longJobs.insert(*id);
    if (wasIdle)
        Q_EMIT busyChanged(true);
}

void TimeTravelEngine::longJobEnded(JobId id)
{
    if (m_longJobs.erase(id) && m_longJobs.empty())
        Q_EMIT busyChanged(false);
}

void TimeTravelEngine::cancel()
{
    if (!m_session)
        return;
    for (const JobId id : m_longJobs)
        m_session->cancel(id);
}

void TimeTravelEngine::cancelAllJobs()
{
    cancel();
    if (m_session && m_stateJob)
        m_session->cancel(m_stateJob);
}

void TimeTravelEngine::load(ReducerPtr reducer, TimelineOptions options)
{
    startLoad(std::move(reducer), {}, std::move(options));
}

void TimeTravelEngine::load(const QString& reducerKey, TimelineOptions options)
{
    startLoad(nullptr, reducerKey, std::move(options));
}

void TimeTravelEngine::startLoad(ReducerPtr reducer, const QString& reducerKey, TimelineOptions options)
{
    if (!m_session)
        return;
    const quint64 generation = m_loadGeneration.next();
    cancelAllJobs();
    const QString what = tr("Folding %1").arg(m_stream);
    m_lastState.reset();
    runLong<Loaded>(
        what,
        [reducer, reducerKey, options, what](State& state, EventStore& store, JobControl& control) {
            ReducerPtr chosen = reducer;
            if (!chosen) {
                // Not test-compiled first: build() compiles it once, and says why when it cannot.
                Failure failure;
                chosen = ReducerCatalog::load(reducerKey, &failure, ReducerCatalog::Check::No);
                if (!chosen)
                    throw StoreError(failure.message, failure.kind);
            }
            auto timeline = std::make_unique<Timeline>(store, state.stream, chosen, options);
            const bool built = timeline->build(
                [&](qint64 done, qint64 total) {
                    control.progress(done, total, what);
                    return !control.isCancelled();
                },
                control.cancelFlag());
            control.throwIfCancelled();
            if (!built)
                throw StoreError(timeline->failure().message, timeline->failure().kind);
            Loaded result { timeline->index(), std::nullopt };
            // The fold stands at the end of the stream now: the state there is known without another read of it.
            if (result.index->count() > 0)
                result.last = cursorStateAt(*timeline, store, control, result.index->lastVersion());
            state.timeline = std::move(timeline);
            return result;
        },
        [this, generation](Loaded result) {
            if (!m_loadGeneration.isCurrent(generation))
                return;
            m_lastState = std::move(result.last);
            Q_EMIT loaded(result.index);
        },
        [this, generation](const Failure& failure) {
            if (m_loadGeneration.isCurrent(generation))
                Q_EMIT loadFailed(failure);
        },
        [this, generation] {
            if (m_loadGeneration.isCurrent(generation))
                Q_EMIT loadFailed(Failure { Failure::Kind::Cancelled, tr("Cancelled.") });
        });
}

quint64 TimeTravelEngine::requestState(qint64 version)
{
    const quint64 ticket = m_stateGeneration.next();
    if (!m_session)
        return ticket;
    // Only the newest request matters (the cursor is being dragged): the one before is dropped or interrupted.
    if (m_stateJob)
        m_session->cancel(m_stateJob);
    m_stateJob = 0;
    // The state at the end of the stream came with the load: answered at once (still after this call returns).
    if (m_lastState && m_lastState->version == version) {
        CursorState state = *m_lastState;
        state.ticket = ticket;
        QMetaObject::invokeMethod(
            this,
            [this, state] {
                if (m_stateGeneration.isCurrent(state.ticket))
                    Q_EMIT stateReady(state);
            },
            Qt::QueuedConnection);
        return ticket;
    }
    JobCallbacks<std::optional<CursorState>> callbacks;
    callbacks.finished = [this, ticket](std::optional<CursorState> state) {
        if (!m_stateGeneration.isCurrent(ticket))
            return;
        m_stateJob = 0;
        if (state)
            Q_EMIT stateReady(*state);
    };
    callbacks.failed = [this, ticket, version](const Failure& failure) {
        if (!m_stateGeneration.isCurrent(ticket))
            return;
        m_stateJob = 0;
        CursorState state;
        state.ticket = ticket;
        state.version = version;
        state.failure = failure;
        Q_EMIT stateReady(state);
    };
    callbacks.cancelled = [this, ticket] {
        if (m_stateGeneration.isCurrent(ticket))
            m_stateJob = 0;
    };
    m_stateJob = runOnLane<std::optional<CursorState>>(
        [ticket, version](State& state, EventStore& store, JobControl& control) -> std::optional<CursorState> {
            if (!state.timeline)
                return std::nullopt;
            CursorState s = cursorStateAt(*state.timeline, store, control, version);
            s.ticket = ticket;
            return s;
        },
        std::move(callbacks));
    return ticket;
}

void TimeTravelEngine::requestCompare(qint64 fromVersion, qint64 toVersion)
{
    runLong<std::optional<CompareResult>>(
        tr("Comparing"),
        [fromVersion, toVersion](State& state, EventStore&, JobControl& control) -> std::optional<CompareResult> {
            if (!state.timeline)
                return std::nullopt;
            CompareResult r;
            r.fromVersion = fromVersion;
            r.toVersion = toVersion;
            Failure failure;
            if (const auto a = state.timeline->stateJsonAt(fromVersion, &failure))
                r.fromJson = *a;
            if (const auto b = state.timeline->stateJsonAt(toVersion, &failure))
                r.toJson = *b;
            control.throwIfCancelled();
            r.failure = reported(failure);
            if (!r.failure)
                r.diff = diffJson(parseJsonValue(r.fromJson), parseJsonValue(r.toJson));
            return r;
        },
        [this](std::optional<CompareResult> r) {
            if (r)
                Q_EMIT compareReady(*r);
        },
        [this, fromVersion, toVersion](const Failure& failure) {
            Q_EMIT compareReady(CompareResult { fromVersion, toVersion, {}, {}, {}, failure });
        });
}

void TimeTravelEngine::findBreakpoint(const QStringList& predicates, qint64 afterVersion)
{
    const QString what = tr("Running to the next breakpoint");
    runLong<std::optional<BreakpointResult>>(
        what,
        [predicates, afterVersion, what](
            State& state, EventStore&, JobControl& control) -> std::optional<BreakpointResult> {
            if (!state.timeline)
                return std::nullopt;
            BreakpointResult result;
            for (const QString& predicate : predicates) {
                const Timeline::BreakHit hit = state.timeline->findFirst(
                    predicate, afterVersion + 1,
                    [&](qint64 done, qint64 total) {
                        control.progress(done, total, what);
                        return !control.isCancelled();
                    },
                    control.cancelFlag());
                control.throwIfCancelled();
                if (hit.error || hit.storeFailure) {
                    Failure failure = hit.storeFailure ? *hit.storeFailure
                                                       : Failure { Failure::Kind::ReducerError, hit.error->toString() };
                    failure.message = QStringLiteral("%1: %2").arg(predicate, failure.message);
                    result.failure = failure;
                    result.predicate = predicate;
                    break;
                }
                if (hit.found && (!result.found || hit.version < result.version)) {
                    result.found = true;
                    result.version = hit.version;
                    result.predicate = predicate;
                }
            }
            return result;
        },
        [this](std::optional<BreakpointResult> result) {
            if (result)
                Q_EMIT breakpointResult(*result);
        },
        [this](const Failure& failure) {
            Q_EMIT breakpointResult(BreakpointResult { false, -1, {}, failure });
        });
}

void TimeTravelEngine::requestSeries(const QJsonArray& path)
{
    const QString what = tr("Charting %1").arg(jsonPathText(path));
    runLong<std::optional<SeriesResult>>(
        what,
        [path, what](State& state, EventStore&, JobControl& control) -> std::optional<SeriesResult> {
            if (!state.timeline)
                return std::nullopt;
            Timeline& t = *state.timeline;
            SeriesResult r;
            r.path = path;
            const qint64 n = t.count();
            const qint64 bucket = n > maxSeriesPoints ? (2 * n + maxSeriesPoints - 1) / maxSeriesPoints : 1;
            std::pair<qint64, double> lo { -1, 0 };
            std::pair<qint64, double> hi { -1, 0 };
            auto flush = [&] {
                if (lo.first < 0)
                    return;
                if (lo.first == hi.first) {
                    r.points.push_back(lo);
                } else {
                    r.points.push_back(lo.first < hi.first ? lo : hi);
                    r.points.push_back(lo.first < hi.first ? hi : lo);
                }
                lo = hi = { -1, 0 };
            };
            qint64 index = 0;
            Failure failure;
            const bool ok = t.walk(
                t.firstVersion(), t.lastVersion(),
                [&](const Event&, const QByteArray& stateJson) {
                    const QJsonValue v = valueAtPath(parseJsonValue(stateJson), path);
                    if (v.isDouble()) {
                        const double d = v.toDouble();
                        if (lo.first < 0 || d < lo.second)
                            lo = { index, d };
                        if (hi.first < 0 || d > hi.second)
                            hi = { index, d };
                    }
                    ++index;
                    if (index % bucket == 0)
                        flush();
                    control.progress(index, n, what);
                    return !control.isCancelled();
                },
                control.cancelFlag(), &failure);
            control.throwIfCancelled();
            flush();
            if (!ok)
                r.failure = failure;
            return r;
        },
        [this](std::optional<SeriesResult> r) {
            if (r)
                Q_EMIT seriesReady(*r);
        },
        [this, path](const Failure& failure) {
            Q_EMIT seriesReady(SeriesResult { path, {}, failure });
        });
}

void TimeTravelEngine::findLastSet(const QJsonArray& path, qint64 version)
{
    runLong<std::optional<LastSetResult>>(
        tr("Finding what set %1").arg(jsonPathText(path)),
        [path, version](State& state, EventStore&, JobControl& control) -> std::optional<LastSetResult> {
            if (!state.timeline)
                return std::nullopt;
            Timeline& t = *state.timeline;
            LastSetResult result;
            result.path = path;
            Failure failure;
            // Backwards in growing chunks, each folded forwards: the cost follows how far back the change is.
            qint64 hiIndex = t.indexAtOrBefore(version);
            qint64 chunk = 256;
            while (hiIndex >= 0 && result.version < 0 && !control.isCancelled()) {
                const qint64 loIndex = qMax<qint64>(0, hiIndex - chunk + 1);
                const qint64 before = loIndex == 0 ? t.firstVersion() - 1 : t.versionAt(loIndex - 1);
                const auto start = t.stateJsonAt(before, &failure);
                if (!start)
                    break;
                QJsonValue previous = valueAtPath(parseJsonValue(*start), path);
                qint64 lastChange = -1;
                const bool ok = t.walk(
                    t.versionAt(loIndex), t.versionAt(hiIndex),
                    [&](const Event& e, const QByteArray& stateJson) {
                        const QJsonValue v = valueAtPath(parseJsonValue(stateJson), path);
                        if (v != previous)
                            lastChange = e.version;
                        previous = v;
                        return !control.isCancelled();
                    },
                    control.cancelFlag(), &failure);
                if (!ok)
                    break;
                result.version = lastChange;
                hiIndex = loIndex - 1;
                chunk *= 2;
            }
            control.throwIfCancelled();
            result.failure = reported(failure);
            return result;
        },
        [this](std::optional<LastSetResult> result) {
            if (result)
                Q_EMIT lastSetFound(*result);
        },
        [this, path](const Failure& failure) {
            Q_EMIT lastSetFound(LastSetResult { path, -1, failure });
        });
}

} // namespace es
