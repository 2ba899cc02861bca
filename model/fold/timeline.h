#pragma once

#include "core/jsondiff.h"
#include "fold/batchreader.h"
#include "fold/reducer.h"
#include "fold/timelineindex.h"
#include "store/eventstore.h"
#include "store/failure.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace es {

struct TimelineOptions {
    int pageSize = 2000; // events folded per batch (and read per store call on the paged path)
    // Raw: the stream is read through EventStore::readRaw and folded while it is read; Pages: page by page through
    // events(), as before readRaw (engines without a raw path always page; benchmarks compare the two).
    BatchReader::Path readPath = BatchReader::Path::Raw;
    // Snapshots are kept so that rebuilding any version costs about this much, from the measured cost per event.
    double rebuildTargetMs = 3.0;
    int minInterval = 16;
    int maxInterval = 1 << 16; // as far apart as the rebuild target may put them; the budget may go further
    // A hard cap on the snapshots' bytes: past it the interval doubles (beyond maxInterval too) until they fit.
    qint64 snapshotBudgetBytes = 64LL * 1024 * 1024;
    // The most the reducer's state may hold (Fold::setMemoryBudget); 0 = no limit.
    qint64 memoryBudgetBytes = Fold::defaultMemoryBudget;
    // What-if: these events are not folded (the state at a skipped version is the state before it).
    QSet<qint64> skipVersions;
    QStringList skipTypes;
};

// The life of one stream under one reducer: an index of the stream (version, position, time, type per event), the
// state after any version, diffs, breakpoints. Reads the stream through BatchReader (EventStore::readRaw, else pages)
// and never writes; the Events it folds and visits may lack id, correlation and causation (no reducer reads them).
// Not thread-safe and thread-affine (the fold may hold a QJSEngine): create and use it in one (worker) thread; only
// its index() may be handed to other threads. Nothing here throws: failures come back as values, store failures
// with their kind, reducer failures as Failure::Kind::ReducerError. Long loops poll `cancel` between batches.
class Timeline {
public:
    // Return false to cancel.
    using Progress = std::function<bool(qint64 done, qint64 total)>;

    Timeline(EventStore& store, QString stream, ReducerPtr reducer, TimelineOptions options = {});
    ~Timeline();
    Timeline(const Timeline&) = delete;
    Timeline& operator=(const Timeline&) = delete;

    // Folds the stream once from the start, indexing it and keeping snapshots. False when cancelled or when the
    // reducer or the store could not start (see error()). A reducer error at some event is not a failure: the
    // fold stops there (see reducerError()) and the index is completed.
    bool build(const Progress& progress = {}, const std::atomic_bool* cancel = nullptr);
    bool isBuilt() const { return m_built; }
    // Why build() failed: a store failure, or the reducer could not start (ReducerError); empty message when none.
    const Failure& failure() const { return m_failure; }
    QString error() const { return m_failure.message; }
    // The index of the last build(), complete once it returned true. Never changed afterwards (a new build() starts
    // a new one), so it can be shared with other threads without a copy.
    TimelineIndexPtr index() const { return m_index; }

    const QString& stream() const { return m_stream; }
    const ReducerPtr& reducer() const { return m_reducer; }
    const TimelineOptions& options() const { return m_options; }

    qint64 count() const { return m_index->count(); }
    qint64 firstVersion() const { return count() ? m_index->firstVersion : -1; }
    qint64 lastVersion() const { return m_index->lastVersion(); }
    qint64 versionAt(qint64 index) const { return m_index->versionAt(index); }
    // Index of the event with this version, or of the last event before it; -1 when before the first.
    qint64 indexAtOrBefore(qint64 version) const { return m_index->indexAtOrBefore(version); }
    qint64 positionAt(qint64 index) const { return m_index->positionAt(index); }
    QDateTime timeAt(qint64 index) const { return m_index->timeAt(index); }
    QString typeAt(qint64 index) const { return m_index->typeAt(index); }
    int typeIdAt(qint64 index) const { return m_index->typeIdAt(index); }
    // Distinct event types in order of first appearance; typeIdAt indexes into it.
    const QStringList& types() const { return m_index->types; }
    bool isSkipped(qint64 index) const;

    // The first event the reducer failed on. States at and after it stay as of the event before it.
    const std::optional<ReducerError>& reducerError() const { return m_reducerError; }

    int snapshotInterval() const { return m_interval; }
    std::size_t snapshotCount() const { return m_snapshots.size(); }
    qint64 snapshotBytes() const { return m_snapshotBytes; }
    double foldMicrosPerEvent() const { return m_usPerEvent; }

    // The state after the event at `version` (a version before the first gives the initial state) as compact JSON.
    // Empty optional on a failure (*failure says why).
    std::optional<QByteArray> stateJsonAt(qint64 version, Failure* failure = nullptr);
    QJsonValue stateAt(qint64 version, Failure* failure = nullptr);
    // The last version whose event time is at or before `time`; -1 when the stream starts after it.
    qint64 versionAsOf(const QDateTime& time) const;
    // Differences between the states after two versions.
    JsonDiff diff(qint64 fromVersion, qint64 toVersion, Failure* failure = nullptr);
    // What the event at `version` changed.
    JsonDiff changesAt(qint64 version, Failure* failure = nullptr);

    struct BreakHit {
        bool found = false;
        qint64 version = -1; // first version where the predicate holds
        std::optional<ReducerError> error; // the predicate failed to compile or threw, or the reducer threw
        std::optional<Failure> storeFailure; // reading the stream failed
        bool cancelled = false;
    };
    // First version >= fromVersion (default: the start) after which `predicate` holds over (state, event).
    BreakHit findFirst(const QString& predicate, qint64 fromVersion = -1, const Progress& progress = {},
        const std::atomic_bool* cancel = nullptr);

    // Visits the events of versions [fromVersion, toVersion] in order with the state after each; stops when
    // visit returns false. False on a failure (*failure says why) or cancel.
    using Visitor = std::function<bool(const Event& event, const QByteArray& stateJson)>;
    bool walk(qint64 fromVersion, qint64 toVersion, const Visitor& visit, const std::atomic_bool* cancel = nullptr,
        Failure* failure = nullptr);

private:
    struct Snapshot {
        qint64 index; // state after the event at this index; -1 = the initial state
        QByteArray state;
    };

    bool ensureFold();
    // The number of events in the stream, for progress, from its first and last versions (exact when they are dense).
    qint64 expectedCount(); // throws StoreError
    EventList readRange(qint64 fromIndex, qint64 toIndex); // throws StoreError
    // Folds events (already read, covering indexes firstIndex..) into m_fold, skipping what-if events.
    FoldResult applyFiltered(const Event* events, qsizetype count);
    // Moves the fold to the state after `index` (clamped to before the failing event). Throws StoreError.
    void seek(qint64 index);
    void addSnapshot(qint64 index);
    void thinSnapshots(int newInterval);
    void indexEvent(const Event& e);
    qint64 lastFoldableIndex() const;

    EventStore& m_store;
    QString m_stream;
    ReducerPtr m_reducer;
    TimelineOptions m_options;
    std::unique_ptr<Fold> m_fold;
    qint64 m_foldIndex = -2; // index of the last event in m_fold's state; -2 = unknown
    bool m_built = false;
    Failure m_failure;
    std::optional<ReducerError> m_reducerError;
    qint64 m_errorIndex = -1;

    // Written by build() only, before anyone else sees it.
    std::shared_ptr<TimelineIndex> m_index;
    QHash<QString, quint16> m_typeIdByName;
    QSet<quint16> m_skipTypeIds;

    std::vector<Snapshot> m_snapshots;
    qint64 m_snapshotBytes = 0;
    int m_interval = 64;
    int m_budgetInterval = 1; // the interval the snapshot budget forced, which calibration keeps
    double m_usPerEvent = 0;
};

} // namespace es
