#pragma once

#include "core/event.h"
#include "core/jsondiff.h"
#include "fold/reducer.h"
#include "fold/timeline.h"
#include "store/storeregistry.h"

#include <QJsonArray>
#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace es {

// A copy of a built timeline's index for the GUI thread: what the strip, the event list and time jumps need.
struct TimelineIndex {
    QString stream;
    QString reducerName;
    std::vector<qint64> versions;
    std::vector<qint64> positions;
    std::vector<qint64> timesMs; // INT64_MIN where the layout keeps no time
    bool timesSorted = true;
    std::vector<quint16> typeIds;
    QStringList types;
    std::optional<ReducerError> reducerError;
    qint64 errorIndex = -1; // index of the event the reducer failed on
    int snapshotInterval = 0;
    double foldMicrosPerEvent = 0;

    qint64 count() const { return qint64(versions.size()); }
    // Index of the event with this version or the last before it; -1 before the first.
    qint64 indexAtOrBefore(qint64 version) const;
    // Index of the last event at or before the time; -1 when the stream starts later.
    qint64 indexAsOf(const QDateTime& time) const;
    QDateTime timeAt(qint64 index) const;
    QString typeAt(qint64 index) const { return types.value(typeIds[std::size_t(index)]); }
};
using TimelineIndexPtr = std::shared_ptr<const TimelineIndex>;

// The state at the cursor: after the event at `version`, what it changed, and the event itself.
struct CursorState {
    quint64 ticket = 0;
    qint64 version = -1;
    QByteArray stateJson;
    JsonDiff changes;
    std::optional<Event> event;
    QString error;
};

struct CompareResult {
    qint64 fromVersion = -1;
    qint64 toVersion = -1;
    QByteArray fromJson;
    QByteArray toJson;
    JsonDiff diff;
    QString error;
};

// A numeric path across the stream: (index, value) points, thinned to min and max per bucket for long streams.
struct SeriesResult {
    QJsonArray path;
    std::vector<std::pair<qint64, double>> points; // event index, value
    QString error;
};

// Runs one stream's Timeline on a worker thread with its own store connection (the Timeline and its JS engine are
// thread-affine). Requests are queued; state requests are coalesced (only the newest runs) so dragging the cursor
// never piles up work; long jobs report throttled progress and can be cancelled. Results arrive on the GUI thread.
class TimeTravelEngine : public QObject {
    Q_OBJECT
public:
    explicit TimeTravelEngine(StoreOpener opener, QString stream, QObject* parent = nullptr);
    ~TimeTravelEngine() override;

    QString stream() const { return m_stream; }
    bool isBusy() const { return m_longJobs > 0; }

    void load(ReducerPtr reducer, TimelineOptions options = {});
    quint64 requestState(qint64 version);
    void requestCompare(qint64 fromVersion, qint64 toVersion);
    // The first version after `afterVersion` where any of the predicates holds.
    void findBreakpoint(const QStringList& predicates, qint64 afterVersion);
    void requestSeries(const QJsonArray& path);
    // The last version at or before `version` whose event changed the value at `path`.
    void findLastSet(const QJsonArray& path, qint64 version);
    // Stops the long jobs queued or running now.
    void cancel();

Q_SIGNALS:
    void busyChanged(bool busy);
    void progress(const QString& what, qint64 done, qint64 total);
    void loaded(const es::TimelineIndexPtr& index);
    void loadFailed(const QString& message);
    void stateReady(const es::CursorState& state);
    void compareReady(const es::CompareResult& result);
    // found = false with an empty error: no breakpoint holds after the version (or cancelled).
    void breakpointResult(bool found, qint64 version, const QString& predicate, const QString& error);
    void seriesReady(const es::SeriesResult& series);
    void lastSetFound(const QJsonArray& path, qint64 version, const QString& error);

private:
    class Worker;
    using Cancelled = std::function<bool()>;
    // Runs job on the worker; `cancelled` turns true when cancel() is called after posting.
    void postLong(const QString& what, std::function<void(Worker&, const Cancelled&)> job);
    void post(std::function<void(Worker&)> job);
    void deliver(std::function<void()> fn);
    void longJobEnded();

    QString m_stream;
    QThread m_thread;
    Worker* m_worker;
    std::atomic<quint64> m_cancelEpoch { 0 };
    std::atomic<quint64> m_stateTicket { 0 };
    int m_longJobs = 0;
};

} // namespace es

Q_DECLARE_METATYPE(es::TimelineIndexPtr)
Q_DECLARE_METATYPE(es::CursorState)
Q_DECLARE_METATYPE(es::CompareResult)
Q_DECLARE_METATYPE(es::SeriesResult)
