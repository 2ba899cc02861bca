#pragma once

#include "core/checkpoint.h"
#include "fold/reducer.h"
#include "store/eventstore.h"
#include "store/tablereader.h"

#include <QHash>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace es {

class FoldThread;

enum class ReconcileStatus { Ok, Differs, Missing, Extra, Stale };
// "ok", "differs", "missing", "extra", "stale".
QString reconcileStatusName(ReconcileStatus status);

// A column of the read model and the path into the replayed state it should equal ("balance", "owner.name",
// "items[0].sku", "$" for the whole state).
struct ColumnMapping {
    QString column;
    QString path;
};

struct ReconcileOptions {
    // The scope: the streams of a category, or those whose name starts with a prefix (neither: every stream).
    QString category;
    QString prefix;
    QString table;
    QString keyColumn;
    // Empty: the key column holds the stream name. Else the key is the replayed state's value at this path.
    QString keyPath;
    std::vector<ColumnMapping> columns;
    // A projection checkpoint (CheckpointRow::position: a global position, or a version for a stream's own): a row
    // whose stream has events after it and that equals the state as of it is stale, not wrong.
    std::optional<CheckpointRow> checkpoint;
    int streamBatch = 1000; // streams per page of the stream list, and keys per table lookup
    int tableBatch = 1000; // rows per keyset page of the pass that finds extra rows
    bool findExtra = true;
    // Opens a second connection to the store, which reads every other page while the first reads the next: reading
    // a page's events by stream costs an index seek per event, and two connections overlap those on two cores. Unset,
    // or when it throws, one connection reads every page.
    std::function<std::unique_ptr<EventStore>()> openReader;
};

struct ColumnValues {
    QString column;
    QJsonValue table; // undefined when there is no row
    QJsonValue replayed; // undefined for an extra row or a missing path
    bool equal = false;
};

// One row of the report.
struct ReconcileRow {
    QString key;
    QString stream; // empty for an extra row
    ReconcileStatus status = ReconcileStatus::Ok;
    // Differs and stale: the columns that differ; missing and extra: every mapped column.
    std::vector<ColumnValues> columns;
    qint64 matchesVersion = -1; // the latest version whose replayed state equals the row; -1 = none
    qint64 matchesPosition = -1;
    qint64 lastVersion = -1; // the stream's last version ("matches version 18 of 20")
    qint64 lastPosition = -1;
    QString note; // a reducer error, or why a row is stale

    QJsonObject toJson() const;
    // "matches version 18 of 20", "matches no version", or empty where no version applies.
    QString matchText() const;
};
using ReconcileRows = std::vector<ReconcileRow>;

struct ReconcileSummary {
    qint64 streams = 0;
    qint64 events = 0;
    qint64 rows = 0; // table rows looked at
    qint64 counts[5] = { 0, 0, 0, 0, 0 }; // by ReconcileStatus
    int connections = 1; // to the store that read the events (2 with ReconcileOptions::openReader)
    double seconds = 0;
    qint64 count(ReconcileStatus s) const { return counts[int(s)]; }
    qint64 problems() const { return counts[1] + counts[2] + counts[3] + counts[4]; }
    QString toText() const;
};

// Compares a replay of every stream of a scope with a read-model table, streamed: the streams are listed by keyset
// a page at a time, and the page's events are read in ONE statement (RawStreamReader::readRawStreams: raw rows grouped
// by stream, in version order) into a buffer of heldEvents; the streams completed in it are folded together
// (Fold::foldStreams: one call into a JavaScript engine for many short streams, each from the initial state) when it
// fills and at the end of the page, and only the values at the mapped paths come back (a JavaScript fold serialises
// those, not each whole state). When the key column holds the stream name, the page's rows are read by key (one
// lookup) before its events, and each stream is judged as soon as it is folded: a row that differs is compared with
// the state after each of the stream's events, still held in memory, to find the latest version it equals and, with a
// checkpoint, whether it equals the state as of the checkpoint. With a key path the key is known only from the
// replayed state: the rows are read after the page, and a differing row's stream is read once more to find its
// version; so is a stream longer than heldEvents (folded as it comes). A last keyset pass over the table's keys finds
// rows no stream produced (it keeps the matched keys, not the rows). Runs on the store's thread, the fold on a thread
// of its own (FoldThread), so that the next events are read while the last are folded; throws StoreError (Cancelled
// when `cancel` is set: the read of a page stops at its next stream).
class Reconciler {
public:
    using Sink = std::function<void(const ReconcileRow& row)>;
    // Streams and rows done so far; return value ignored.
    using Progress = std::function<void(qint64 streamsDone, qint64 streamsTotal, qint64 rowsDone)>;
    // Events held at once (the streams folded together); the events of one stream kept for the comparison after each
    // event: a longer stream is read again instead.
    static constexpr qsizetype heldEvents = 1024;

    Reconciler(EventStore& store, TableReader& table, ReducerPtr reducer, ReconcileOptions options);
    ~Reconciler();

    // Throws StoreError: Generic for options that cannot work (no such path syntax, a reducer that does not start),
    // MissingTable for a missing table or column, Cancelled.
    ReconcileSummary run(const Sink& sink, const Progress& progress = {}, const std::atomic<bool>* cancel = nullptr);
    // Interrupts the statement of the second connection (ReconcileOptions::openReader), if one is running; from any
    // thread, which it never blocks (a PostgreSQL cancel is sent from a thread of its own). The store's own statement
    // is the caller's to interrupt.
    void interrupt();

private:
    struct Replay;
    class PageReader;
    struct Reader;
    // A row compared with the state after each event of its stream.
    struct Match {
        const TableRow& row;
        ReconcileRow& out;
        bool atCheckpoint = false;
        bool failed = false;
    };

    // Returns whether the events were read with their metadata.
    bool readPage(EventStore& store, PageReader& reader, const StreamList& page, std::vector<Replay>& replays,
        const QHash<QString, TableRow>* rows);
    // The replay's values and key from the state's values at m_readPaths.
    void finishReplay(Replay& r, std::vector<QJsonValue> values);
    // Fills `out` from the replay and the row; true when the row differs and a match must say which version.
    bool compare(const Replay& r, const TableRow* row, ReconcileRow& out);
    // The latest version whose state equals the row, and whether the row is stale: matchStart, then matchEvents with
    // the stream's events in order (both on the fold's thread), then matchEnd.
    void matchStart(Fold& fold, Match& m) const;
    void matchEvents(Fold& fold, Match& m, const Event* events, qsizetype n) const;
    void matchEnd(const Replay& r, Match& m) const;
    // The same with the stream's events read again from the store.
    void matchFromStore(FoldThread& folds, const Replay& r, const TableRow& row, ReconcileRow& out);
    bool rowEquals(const TableRow& row, const QByteArray& state) const;

    EventStore& m_store;
    TableReader& m_table;
    ReducerPtr m_reducer;
    ReconcileOptions m_options;
    std::vector<QJsonArray> m_paths;
    std::vector<QJsonArray> m_readPaths; // m_paths, then the key path when the key is a state path
    // Whether the reads stop: cancelled, or the run ends by an exception (the second connection's read stops too).
    bool stopped() const { return (m_cancel && m_cancel->load()) || m_stopped.load(); }
    const std::atomic<bool>* m_cancel = nullptr;
    std::atomic<bool> m_stopped { false };
    std::mutex m_secondMutex;
    EventStore* m_second = nullptr; // the second connection, while run() runs
    ReconcileSummary m_summary;
};

} // namespace es

Q_DECLARE_METATYPE(es::ReconcileRow)
Q_DECLARE_METATYPE(es::ReconcileSummary)
