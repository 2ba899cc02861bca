#include "reconcile/reconciler.h"

#include "fold/batchreader.h"
#include "fold/statepaths.h"
#include "reconcile/valuecompare.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QSet>

namespace es {

namespace {

QJsonValue orNull(const QJsonValue& v)
{
    return v.isUndefined() ? QJsonValue(QJsonValue::Null) : v;
}

QJsonValue orNull(qint64 v)
{
    return v >= 0 ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString reconcileStatusName(ReconcileStatus status)
{
    switch (status) {
    case ReconcileStatus::Ok:
        return QStringLiteral("ok");
    case ReconcileStatus::Differs:
        return QStringLiteral("differs");
    case ReconcileStatus::Missing:
        return QStringLiteral("missing");
    case ReconcileStatus::Extra:
        return QStringLiteral("extra");
    case ReconcileStatus::Stale:
        return QStringLiteral("stale");
    }
    return {};
}

QJsonObject ReconcileRow::toJson() const
{
    QJsonObject columnsJson;
    for (const ColumnValues& c : columns)
        columnsJson.insert(c.column,
            QJsonObject {
                { QStringLiteral("table"), orNull(c.table) }, { QStringLiteral("replayed"), orNull(c.replayed) } });
    QJsonObject o { { QStringLiteral("key"), key },
        { QStringLiteral("stream"), stream.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(stream) },
        { QStringLiteral("status"), reconcileStatusName(status) }, { QStringLiteral("columns"), columnsJson },
        { QStringLiteral("matchesVersion"), orNull(matchesVersion) },
        { QStringLiteral("matchesPosition"), orNull(matchesPosition) },
        { QStringLiteral("lastVersion"), orNull(lastVersion) } };
    if (!note.isEmpty())
        o.insert(QStringLiteral("note"), note);
    return o;
}

QString ReconcileRow::matchText() const
{
    if (status != ReconcileStatus::Differs && status != ReconcileStatus::Stale)
        return {};
    if (matchesVersion < 0)
        return QStringLiteral("matches no version");
    return QStringLiteral("matches version %1 of %2").arg(matchesVersion).arg(lastVersion);
}

QString ReconcileSummary::toText() const
{
    return QStringLiteral("%1 streams (%2 events), %3 table rows: %4 ok, %5 differ, %6 missing, %7 extra, %8 stale "
                          "in %9 s")
        .arg(streams)
        .arg(events)
        .arg(rows)
        .arg(count(ReconcileStatus::Ok))
        .arg(count(ReconcileStatus::Differs))
        .arg(count(ReconcileStatus::Missing))
        .arg(count(ReconcileStatus::Extra))
        .arg(count(ReconcileStatus::Stale))
        .arg(seconds, 0, 'f', 2);
}

struct Reconciler::Replay {
    QString stream;
    QJsonValue state;
    QString key;
    qint64 count = 0;
    qint64 firstVersion = -1;
    qint64 lastVersion = -1;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
    std::optional<ReducerError> error;
};

Reconciler::Reconciler(EventStore& store, TableReader& table, ReducerPtr reducer, ReconcileOptions options)
    : m_store(store)
    , m_table(table)
    , m_reducer(std::move(reducer))
    , m_options(std::move(options))
{ }

bool Reconciler::rowEquals(const TableRow& row, const QJsonValue& state) const
{
    for (size_t i = 0; i < m_paths.size(); ++i) {
        if (!cellEquals(row.cells[i], valueAtPath(state, m_paths[i])))
            return false;
    }
    return true;
}

Reconciler::Replay Reconciler::replay(const QString& stream)
{
    Replay r;
    r.stream = stream;
    if (auto error = m_fold->reset())
        r.error = error;
    BatchReader reader(m_store, 2000);
    reader.setMetadata(m_fold->readsMetadata());
    EventQuery query;
    query.filter.stream = stream;
    reader.read(query, [&](const Event* events, qsizetype n) {
        if (r.count == 0) {
            r.firstVersion = events[0].version;
            r.firstPosition = events[0].position;
        }
        r.lastVersion = events[n - 1].version;
        r.lastPosition = events[n - 1].position;
        r.count += n;
        if (!r.error) {
            const FoldResult result = m_fold->apply(events, n);
            if (result.error)
                r.error = result.error;
        }
        return true;
    });
    r.state = parseJsonValue(m_fold->stateJson());
    if (!m_options.keyPath.isEmpty())
        r.key = keyText(valueAtPath(r.state, m_keyPath));
    else
        r.key = stream;
    return r;
}

// The stream again, its state compared with the row after every event: the latest version it equals, and whether it
// equals the state as of the checkpoint.
void Reconciler::findMatch(const QString& stream, const TableRow& row, ReconcileRow& out)
{
    m_fold->reset();
    const std::optional<CheckpointRow>& cp = m_options.checkpoint;
    const bool byVersion = cp && !cp->scope.stream.isEmpty();
    bool atCheckpoint = cp && rowEquals(row, parseJsonValue(m_fold->stateJson()));
    BatchReader reader(m_store, 2000);
    reader.setMetadata(m_fold->readsMetadata());
    EventQuery query;
    query.filter.stream = stream;
    bool failed = false;
    reader.read(query, [&](const Event* events, qsizetype n) {
        for (qsizetype i = 0; i < n && !failed; ++i) {
            if (m_fold->apply(events + i, 1).error) {
                failed = true;
                break;
            }
            const bool equal = rowEquals(row, parseJsonValue(m_fold->stateJson()));
            if (equal) {
                out.matchesVersion = events[i].version;
                out.matchesPosition = events[i].position;
            }
            if (cp && (byVersion ? events[i].version : events[i].position) <= cp->position)
                atCheckpoint = equal;
        }
        return !failed;
    });
    if (cp && atCheckpoint) {
        out.status = ReconcileStatus::Stale;
        out.note = QStringLiteral("equals the state as of checkpoint %1 of %2: the projection has not applied the "
                                  "events after it yet")
                       .arg(cp->position)
                       .arg(cp->name);
    }
}

void Reconciler::judge(const QString& stream, const Replay& r, const TableRow* row, ReconcileRow& out)
{
    out.key = r.key;
    out.stream = stream;
    out.lastVersion = r.lastVersion;
    out.lastPosition = r.lastPosition;
    if (r.error)
        out.note = QStringLiteral("the reducer failed: %1").arg(r.error->toString());
    const std::optional<CheckpointRow>& cp = m_options.checkpoint;
    const bool cpApplies = cp && (cp->scope.stream.isEmpty() || cp->scope.stream == stream);
    const bool byVersion = cp && !cp->scope.stream.isEmpty();
    if (!row) {
        out.status = ReconcileStatus::Missing;
        if (cpApplies && (byVersion ? r.firstVersion : r.firstPosition) > cp->position) {
            out.status = ReconcileStatus::Stale;
            out.note = QStringLiteral("no row yet: the stream starts after checkpoint %1 of %2")
                           .arg(cp->position)
                           .arg(cp->name);
        }
        for (size_t i = 0; i < m_paths.size(); ++i)
            out.columns.push_back(
                { m_options.columns[i].column, QJsonValue::Undefined, valueAtPath(r.state, m_paths[i]), false });
        return;
    }
    for (size_t i = 0; i < m_paths.size(); ++i) {
        const QJsonValue replayed = valueAtPath(r.state, m_paths[i]);
        if (!cellEquals(row->cells[i], replayed))
            out.columns.push_back({ m_options.columns[i].column, cellToJson(row->cells[i]), replayed, false });
    }
    if (out.columns.empty()) {
        out.status = ReconcileStatus::Ok;
        out.matchesVersion = r.lastVersion;
        out.matchesPosition = r.lastPosition;
        return;
    }
    out.status = ReconcileStatus::Differs;
    findMatch(stream, *row, out);
    if (out.status == ReconcileStatus::Stale
        && !(cpApplies && (byVersion ? r.lastVersion : r.lastPosition) > cp->position)) {
        out.status = ReconcileStatus::Differs; // equal to the checkpoint's state, but nothing came after it
        out.note.clear();
    }
}

ReconcileSummary Reconciler::run(const Sink& sink, const Progress& progress, const std::atomic<bool>* cancel)
{
    QElapsedTimer clock;
    clock.start();
    m_cancel = cancel;
    m_summary = {};
    if (m_options.table.isEmpty() || m_options.keyColumn.isEmpty())
        throw StoreError(QStringLiteral("Name the read-model table and its key column."));
    if (m_options.columns.empty())
        throw StoreError(QStringLiteral("Map at least one column to a state path (COL=PATH)."));
    m_paths.clear();
    QStringList columnNames;
    for (const ColumnMapping& m : m_options.columns) {
        m_paths.push_back(parseJsonPathText(m.path));
        columnNames.append(m.column);
    }
    m_keyPath = parseJsonPathText(m_options.keyPath);
    ReducerError reducerError;
    m_fold = m_reducer->createFold(&reducerError);
    if (!m_fold)
        throw StoreError(
            QStringLiteral("The reducer %1 does not start: %2").arg(m_reducer->name(), reducerError.toString()));
    // The table and its columns are checked before the first stream is replayed.
    TableQuery probe { m_options.table, m_options.keyColumn, columnNames, {}, std::nullopt, 1 };
    m_table.rows(probe);

    auto cancelled = [&] { return m_cancel && m_cancel->load(); };
    auto throwIfCancelled = [&] {
        if (cancelled())
            throw StoreError(QStringLiteral("Reconciliation cancelled."), StoreError::Kind::Cancelled);
    };
    QSet<QString> matched;
    StreamQuery streams;
    streams.category = m_options.category;
    streams.prefix = m_options.prefix;
    streams.limit = qMax(1, m_options.streamBatch);
    std::vector<Replay> replays;
    while (true) {
        throwIfCancelled();
        const StreamList page = m_store.streams(streams);
        if (page.empty())
            break;
        streams.after = page.back().name;
        replays.clear();
        QStringList keys;
        for (const StreamInfo& s : page) {
            throwIfCancelled();
            replays.push_back(replay(s.name));
            m_summary.events += replays.back().count;
            if (!replays.back().key.isEmpty() && !keys.contains(replays.back().key))
                keys.append(replays.back().key);
        }
        QHash<QString, TableRow> rows;
        if (!keys.isEmpty()) {
            for (TableRow& row : m_table.rows({ m_options.table, m_options.keyColumn, columnNames, keys, {}, 0 }))
                rows.insert(row.key, std::move(row));
        }
        for (const Replay& r : replays) {
            throwIfCancelled();
            const auto it = rows.constFind(r.key);
            ReconcileRow out;
            judge(r.stream, r, it == rows.constEnd() ? nullptr : &*it, out);
            if (r.key.isEmpty())
                out.note = QStringLiteral("the replayed state has no key at %1").arg(m_options.keyPath);
            if (it != rows.constEnd())
                matched.insert(r.key);
            ++m_summary.counts[int(out.status)];
            sink(out);
        }
        m_summary.streams += qint64(page.size());
        m_summary.rows += rows.size();
        if (progress)
            progress(m_summary.streams, -1, m_summary.rows);
        if (int(page.size()) < streams.limit)
            break;
    }

    if (m_options.findExtra) {
        std::optional<QString> after;
        const int limit = qMax(1, m_options.tableBatch);
        while (true) {
            throwIfCancelled();
            const std::vector<TableRow> page
                = m_table.rows({ m_options.table, m_options.keyColumn, columnNames, {}, after, limit });
            for (const TableRow& row : page) {
                if (matched.contains(row.key))
                    continue;
                if (m_options.keyPath.isEmpty() && !m_options.prefix.isEmpty() && !row.key.startsWith(m_options.prefix))
                    continue;
                ReconcileRow out;
                out.key = row.key;
                out.status = ReconcileStatus::Extra;
                for (size_t i = 0; i < m_paths.size(); ++i)
                    out.columns.push_back(
                        { m_options.columns[i].column, cellToJson(row.cells[i]), QJsonValue::Undefined, false });
                ++m_summary.rows;
                ++m_summary.counts[int(out.status)];
                sink(out);
            }
            if (page.empty())
                break;
            after = page.back().key;
            if (progress)
                progress(m_summary.streams, m_summary.streams, m_summary.rows);
            if (int(page.size()) < limit)
                break;
        }
    }
    m_fold.reset();
    m_summary.seconds = double(clock.nsecsElapsed()) / 1e9;
    return m_summary;
}

} // namespace es
