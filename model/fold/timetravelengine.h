#pragma once

#include "core/event.h"
#include "core/jsondiff.h"
#include "fold/reducer.h"
#include "fold/timeline.h"
#include "fold/timelineindex.h"
#include "store/failure.h"
#include "store/job.h"
#include "store/storesession.h"

#include <QJsonArray>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace es {

// The state at the cursor: after the event at `version`, what it changed, and the event itself. A failure may come
// with what could still be read.
struct CursorState {
    quint64 ticket = 0;
    qint64 version = -1;
    QByteArray stateJson;
    JsonDiff changes;
    std::optional<Event> event;
    std::optional<Failure> failure;
};

struct CompareResult {
    qint64 fromVersion = -1;
    qint64 toVersion = -1;
    QByteArray fromJson;
    QByteArray toJson;
    JsonDiff diff;
    std::optional<Failure> failure;
};

// A numeric path across the stream: (index, value) points, thinned to min and max per bucket for long streams.
struct SeriesResult {
    QJsonArray path;
    std::vector<std::pair<qint64, double>> points; // event index, value
    std::optional<Failure> failure;
};

// The first version after the cursor where a breakpoint holds; found = false without a failure when none does.
struct BreakpointResult {
    bool found = false;
    qint64 version = -1;
    QString predicate; // the one that held, or the one that failed
    std::optional<Failure> failure;
};

// The last version at or before the cursor whose event changed the value at `path`; -1: the initial state set it.
struct LastSetResult {
    QJsonArray path;
    qint64 version = -1;
    std::optional<Failure> failure;
};

// Time travel over one stream, as jobs on the store's session. The engine opens a lane of its own (a thread and a
// connection) because the Timeline and its JS engine are thread-affine: they live in state that only jobs on that
// lane touch. Long requests report throttled progress and end on cancel() with the running statement interrupted and
// the fold stopped at its next batch; state requests are coalesced (a new one cancels the one before). Results
// arrive on the engine's thread; the index is the Timeline's own, shared, never copied.
class TimeTravelEngine : public QObject {
    Q_OBJECT
public:
    TimeTravelEngine(StoreSession* session, QString stream, QObject* parent = nullptr);
    ~TimeTravelEngine() override;

    QString stream() const { return m_stream; }
    bool isBusy() const { return !m_longJobs.empty(); }

    // Folds the stream with `reducer`; a load still queued or running is superseded (it ends without a signal).
    // Requests made before it are cancelled: they were about the previous fold.
    void load(ReducerPtr reducer, TimelineOptions options = {});
    // The same with the reducer a ReducerCatalog key names, read and compiled on the engine's lane: a JS reducer's
    // top level runs there (under its time budget), never on the caller's thread. A source that cannot be read
    // fails with Io, one that does not compile, or whose top level or $init throws or runs too long, with
    // ReducerError.
    void load(const QString& reducerKey, TimelineOptions options = {});
    quint64 requestState(qint64 version);
    void requestCompare(qint64 fromVersion, qint64 toVersion);
    // The first version after `afterVersion` where any of the predicates holds.
    void findBreakpoint(const QStringList& predicates, qint64 afterVersion);
    void requestSeries(const QJsonArray& path);
    // The last version at or before `version` whose event changed the value at `path`.
    void findLastSet(const QJsonArray& path, qint64 version);
    // Stops the long jobs queued or running now; a load stopped so ends with loadFailed(Cancelled).
    void cancel();

Q_SIGNALS:
    void busyChanged(bool busy);
    void progress(const QString& what, qint64 done, qint64 total);
    void loaded(const es::TimelineIndexPtr& index);
    // The reducer could not start (Failure::Kind::ReducerError), the store failed, or cancel() stopped it.
    void loadFailed(const es::Failure& failure);
    void stateReady(const es::CursorState& state);
    void compareReady(const es::CompareResult& result);
    void breakpointResult(const es::BreakpointResult& result);
    void seriesReady(const es::SeriesResult& series);
    void lastSetFound(const es::LastSetResult& result);
    // The session went away (its store was closed): no request can be answered any more.
    void sessionClosed();

private:
    struct State;
    struct Loaded;
    template <typename R> using LaneJob = std::function<R(State&, EventStore&, JobControl&)>;
    // Runs job on the engine's lane as a long request: counted in isBusy(), stopped by cancel().
    template <typename R>
    void runLong(const QString& what, LaneJob<R> job, std::function<void(R)> done,
        std::function<void(const Failure&)> failed, std::function<void()> cancelled = {});
    template <typename R> JobId runOnLane(LaneJob<R> job, JobCallbacks<R> callbacks, const QString& what = {});
    void longJobEnded(JobId id);
    // reducer, or when null the one reducerKey names.
    void startLoad(ReducerPtr reducer, const QString& reducerKey, TimelineOptions options);
    void cancelAllJobs();

    QPointer<StoreSession> m_session;
    StoreSession::Lane m_lane;
    QString m_stream;
    std::shared_ptr<State> m_state; // handed to every job; touched only on the lane
    std::set<JobId> m_longJobs;
    JobId m_stateJob = 0;
    std::optional<CursorState> m_lastState; // the state at the last event, from the last load
    Generation m_stateGeneration;
    Generation m_loadGeneration;
};

} // namespace es

Q_DECLARE_METATYPE(es::CursorState)
Q_DECLARE_METATYPE(es::CompareResult)
Q_DECLARE_METATYPE(es::SeriesResult)
Q_DECLARE_METATYPE(es::BreakpointResult)
Q_DECLARE_METATYPE(es::LastSetResult)
