#include "reconcile/reconciler.h"

#include "fold/statepaths.h"
#include "fold/statetext.h"
#include "reconcile/reconciler_p.h"
#include "reconcile/valuecompare.h"
#include "store/job.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSet>

#include <system_error>

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

Reconciler::Reconciler(EventStore& store, TableReader& table, ReducerPtr reducer, ReconcileOptions options)
    : m_store(store)
    , m_table(table)
    , m_reducer(std::move(reducer))
    , m_options(std::move(options))
{ }

Reconciler::~Reconciler() = default;

void Reconciler::interrupt()
{
    // Under the lock: the connection is not closed while interruption() runs; what it leaves to call (PostgreSQL's
    // cancel, which needs no connection) is sent from a thread of its own.
    std::function<void()> stop;
    {
        std::lock_guard lock(m_secondMutex);
        if (m_second)
            stop = m_second->interruption();
    }
    sendInterruption(std::move(stop));
}

bool Reconciler::rowEquals(const TableRow& row, const QByteArray& state) const
{
    const std::vector<QJsonValue> values = valuesAtPaths(state, m_paths);
    for (size_t i = 0; i < m_paths.size(); ++i) {
        if (!cellEquals(row.cells[i], values[i]))
            return false;
    }
    return true;
}

void Reconciler::finishReplay(Replay& r, std::vector<QJsonValue> values)
{
    // The values at the mapped paths, then at the key path when there is one (m_readPaths).
    if (!m_options.keyPath.isEmpty())
        r.key = keyText(values.back());
    else
        r.key = r.stream;
    values.resize(m_paths.size());
    r.values = std::move(values);
}

// Every event of the page's streams in one read where the engine has one, else stream by stream; the fold's thread
// folds and judges them after this returns, while the next page is read. Returns whether the events carry metadata.
bool Reconciler::readPage(EventStore& store, PageReader& reader, const StreamList& page, std::vector<Replay>& replays,
    const QHash<QString, TableRow>* rows)
{
    const bool metadata = reader.folds().readsMetadata();
    reader.startPage(replays, rows, metadata);
    QStringList names;
    names.reserve(qsizetype(page.size()));
    for (const StreamInfo& s : page)
        names.append(s.name);
    if (RawStreamReader* streams = rawStreamReader(store)) {
        streams->readRawStreams(names, reader);
        reader.end();
        reader.flush();
        return metadata;
    }
    BatchReader batches(store, heldEvents);
    batches.setMetadata(metadata);
    for (size_t i = 0; i < page.size(); ++i) {
        if (stopped())
            break;
        EventQuery query;
        query.filter.stream = page[i].name;
        bool begun = false;
        batches.read(query, [&](const Event* events, qsizetype n) {
            if (!begun)
                reader.begin(int(i));
            begun = true;
            RawEvent::Texts texts;
            for (qsizetype k = 0; k < n; ++k)
                reader.hold(RawEvent::of(events[k], texts));
            return true;
        });
        if (begun)
            reader.end();
    }
    reader.flush();
    return metadata;
}

// A stream's events again, its state compared with the row after every event: the latest version it equals, and
// whether it equals the state as of the checkpoint. matchStart and matchEvents run on the fold's thread.
void Reconciler::matchStart(Fold& fold, Match& m) const
{
    fold.reset();
    m.atCheckpoint = m_options.checkpoint && rowEquals(m.row, fold.stateJson());
}

void Reconciler::matchEvents(Fold& fold, Match& m, const Event* events, qsizetype n) const
{
    const std::optional<CheckpointRow>& cp = m_options.checkpoint;
    const bool byVersion = cp && !cp->scope.stream.isEmpty();
    for (qsizetype i = 0; i < n && !m.failed; ++i) {
        if (fold.apply(events + i, 1).error) {
            m.failed = true;
            break;
        }
        const bool equal = rowEquals(m.row, fold.stateJson());
        if (equal) {
            m.out.matchesVersion = events[i].version;
            m.out.matchesPosition = events[i].position;
        }
        if (cp && (byVersion ? events[i].version : events[i].position) <= cp->position)
            m.atCheckpoint = equal;
    }
}

void Reconciler::matchEnd(const Replay& r, Match& m) const
{
    const std::optional<CheckpointRow>& cp = m_options.checkpoint;
    const bool byVersion = cp && !cp->scope.stream.isEmpty();
    const bool cpApplies = cp && (cp->scope.stream.isEmpty() || cp->scope.stream == r.stream);
    // Equal to the checkpoint's state with events after it: lagging. Equal to it with nothing after it: wrong.
    if (m.atCheckpoint && cpApplies && (byVersion ? r.lastVersion : r.lastPosition) > cp->position) {
        m.out.status = ReconcileStatus::Stale;
        m.out.note = QStringLiteral("equals the state as of checkpoint %1 of %2: the projection has not applied the "
                                    "events after it yet")
                         .arg(cp->position)
                         .arg(cp->name);
    }
}

// The stream read again from the store, its events folded on the fold's thread batch by batch.
void Reconciler::matchFromStore(FoldThread& folds, const Replay& r, const TableRow& row, ReconcileRow& out)
{
    Match m { row, out };
    bool metadata = true;
    folds.run([&](Fold& fold) {
        metadata = fold.readsMetadata();
        matchStart(fold, m);
    });
    BatchReader reader(m_store, 2000);
    reader.setMetadata(metadata);
    EventQuery query;
    query.filter.stream = r.stream;
    reader.read(query, [&](const Event* events, qsizetype n) {
        folds.run([&](Fold& fold) { matchEvents(fold, m, events, n); });
        return !m.failed;
    });
    matchEnd(r, m);
}

bool Reconciler::compare(const Replay& r, const TableRow* row, ReconcileRow& out)
{
    out.key = r.key;
    out.stream = r.stream;
    out.lastVersion = r.lastVersion;
    out.lastPosition = r.lastPosition;
    if (r.error)
        out.note = QStringLiteral("the reducer failed: %1").arg(r.error->toString());
    const std::optional<CheckpointRow>& cp = m_options.checkpoint;
    const bool cpApplies = cp && (cp->scope.stream.isEmpty() || cp->scope.stream == r.stream);
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
            out.columns.push_back({ m_options.columns[i].column, QJsonValue::Undefined, r.values[i], false });
        return false;
    }
    for (size_t i = 0; i < m_paths.size(); ++i) {
        const QJsonValue& replayed = r.values[i];
        if (!cellEquals(row->cells[i], replayed))
            out.columns.push_back({ m_options.columns[i].column, cellToJson(row->cells[i]), replayed, false });
    }
    if (out.columns.empty()) {
        out.status = ReconcileStatus::Ok;
        out.matchesVersion = r.lastVersion;
        out.matchesPosition = r.lastPosition;
        return false;
    }
    out.status = ReconcileStatus::Differs;
    return true;
}

ReconcileSummary Reconciler::run(const Sink& sink, const Progress& progress, const std::atomic<bool>* cancel)
{
    QElapsedTimer clock;
    clock.start();
    m_cancel = cancel;
    m_stopped = false;
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
    m_readPaths = m_paths;
    if (!m_options.keyPath.isEmpty())
        m_readPaths.push_back(parseJsonPathText(m_options.keyPath));
    // The fold runs on a thread of its own (folds overlap reads); the tasks it runs use the page reader and the
    // pages' replays and rows, so it stops before they go. Two pages: one read while the fold's thread finishes the
    // other, which is reported after. With a second connection the pages alternate between the two readers, and the
    // second reads its page on a thread of its own while this thread reads the next.
    struct Page {
        StreamList streams;
        std::vector<Replay> replays;
        QHash<QString, TableRow> rows;
        int reader = 0; // which of `readers` reads it
        qint64 fence = 0; // the ticket of its last task
        bool metadata = true; // read with the events' metadata
    };
    Page pages[2];
    std::unique_ptr<Reader> readers[2];
    // Before the readers go, interrupt() no longer reaches the second connection.
    const auto forgetSecond = qScopeGuard([this] {
        std::lock_guard lock(m_secondMutex);
        m_second = nullptr;
    });
    readers[0] = std::make_unique<Reader>(*this);
    if (!readers[0]->folds.started())
        throw StoreError(QStringLiteral("The reducer %1 does not start: %2")
                             .arg(m_reducer->name(), readers[0]->folds.startError().toString()));
    // The second connection and its reader; null where either cannot be had (one connection reads every page then).
    auto startSecond = [&]() -> std::unique_ptr<Reader> {
        try {
            std::unique_ptr<EventStore> store = m_options.openReader();
            if (!store)
                return nullptr;
            auto reader = std::make_unique<Reader>(*this);
            if (!reader->folds.started())
                return nullptr;
            std::lock_guard lock(m_secondMutex);
            m_second = store.get();
            reader->store = std::move(store);
            return reader;
        } catch (const std::exception&) {
            return nullptr;
        }
    };
    // The table and its columns are checked before the first stream is replayed.
    TableQuery probe { m_options.table, m_options.keyColumn, columnNames, {}, std::nullopt, 1 };
    m_table.rows(probe);

    auto cancelled = [&] { return m_cancel && m_cancel->load(); };
    auto throwIfCancelled = [&] {
        if (cancelled())
            throw StoreError(QStringLiteral("Reconciliation cancelled."), StoreError::Kind::Cancelled);
    };
    auto lookup = [&](const QStringList& keys, QHash<QString, TableRow>& rows) {
        rows.clear();
        if (keys.isEmpty())
            return;
        for (TableRow& row : m_table.rows({ m_options.table, m_options.keyColumn, columnNames, keys, {}, 0 }))
            rows.insert(row.key, std::move(row));
    };
    // A page's rows by the range of its names (one walk of the key's index, which costs a fraction of a lookup per
    // key), the names the range missed looked up by key: the table may order keys otherwise than the stream list.
    // Looked up by key only from the first page whose range holds many rows of other keys.
    bool byRange = true;
    auto lookupPage = [&](const QStringList& names, QHash<QString, TableRow>& rows) {
        if (!byRange || names.size() < 2)
            return lookup(names, rows);
        rows.clear();
        TableQuery range { m_options.table, m_options.keyColumn, columnNames, {}, std::nullopt,
            int(names.size()) * 2 + 16 };
        range.from = names.first();
        range.through = names.last();
        std::vector<TableRow> got = m_table.rows(range);
        if (qsizetype(got.size()) >= range.limit) {
            byRange = false;
            return lookup(names, rows);
        }
        const QSet<QString> wanted(names.begin(), names.end());
        for (TableRow& row : got) {
            if (wanted.contains(row.key))
                rows.insert(row.key, std::move(row));
        }
        QStringList rest;
        for (const QString& name : names) {
            if (!rows.contains(name))
                rest.append(name);
        }
        if (!rest.isEmpty()) {
            QHash<QString, TableRow> more;
            lookup(rest, more);
            for (auto it = more.begin(); it != more.end(); ++it)
                rows.insert(it.key(), std::move(it.value()));
        }
    };
    const bool keyIsStream = m_options.keyPath.isEmpty();
    QSet<QString> matched;
    StreamQuery streams;
    streams.category = m_options.category;
    streams.prefix = m_options.prefix;
    streams.limit = qMax(1, m_options.streamBatch);
    // A page's rows are reported once the fold's thread is done with it: in order, and with its differing rows'
    // versions found.
    // A page's events read and handed to the fold's thread, the streams without events after them.
    // On the page's reader's thread.
    auto readAndPost = [&](Page& p) {
        Reader& reader = *readers[p.reader];
        p.replays.clear();
        p.replays.resize(p.streams.size());
        for (size_t i = 0; i < p.streams.size(); ++i)
            p.replays[i].stream = p.streams[i].name;
        p.metadata = readPage(reader.store ? *reader.store : m_store, reader.pages, p.streams, p.replays,
            keyIsStream ? &p.rows : nullptr);
        throwIfCancelled();
        p.fence = reader.folds.post([this, &p](Fold& fold) {
            for (Replay& r : p.replays) {
                if (!r.read) {
                    // A stream with no event: the reducer's initial state.
                    if (auto error = fold.reset())
                        r.error = error;
                    finishReplay(r, valuesAtPaths(fold.stateJson(), m_readPaths));
                }
            }
        });
    };
    // Reads the page: the second connection's on a thread of its own, returning at once (inline where no thread can
    // be had); the store's own here.
    auto read = [&](Page& p) {
        Reader& reader = *readers[p.reader];
        if (reader.store) {
            try {
                reader.reading = std::async(std::launch::async, [&readAndPost, &p] { readAndPost(p); });
                return;
            } catch (const std::system_error&) { }
        }
        readAndPost(p);
    };
    // Until the page is read and folded.
    auto settle = [&](Page& p) {
        Reader& reader = *readers[p.reader];
        if (reader.reading.valid())
            reader.reading.get();
        reader.folds.waitFor(p.fence);
    };
    // Its reader is idle while the page is reported (the other reads the next page), so the folds of its differing
    // rows' second reads (matchFromStore, on this thread with the store's own connection) come between no other.
    // The second connection's read uses the lambdas above: when this throws, it is stopped and waited for before
    // they go (its statement interrupted, its reader told to stop at the next row).
    bool finished = false;
    const auto stopSecond = qScopeGuard([&] {
        if (finished || !readers[1])
            return;
        m_stopped = true;
        interrupt();
        if (readers[1]->reading.valid())
            readers[1]->reading.wait();
    });
    auto report = [&](Page& p) {
        FoldThread& folds = readers[p.reader]->folds;
        settle(p);
        if (!p.metadata && folds.readsMetadata()) {
            // A handler read metadata the page was read without (the source did not name it): read it again.
            read(p);
            settle(p);
        }
        for (const Replay& r : p.replays)
            m_summary.events += r.count;
        if (!keyIsStream) {
            QStringList keys;
            QSet<QString> seen;
            for (const Replay& r : p.replays) {
                if (!r.key.isEmpty() && !seen.contains(r.key)) {
                    seen.insert(r.key);
                    keys.append(r.key);
                }
            }
            lookup(keys, p.rows);
        }
        for (Replay& r : p.replays) {
            throwIfCancelled();
            const auto it = p.rows.constFind(r.key);
            const TableRow* row = it == p.rows.constEnd() ? nullptr : &*it;
            if (!r.judged)
                r.findMatch = compare(r, row, r.out);
            if (r.findMatch)
                matchFromStore(folds, r, *row, r.out);
            if (r.key.isEmpty())
                r.out.note = QStringLiteral("the replayed state has no key at %1").arg(m_options.keyPath);
            if (row)
                matched.insert(r.key);
            ++m_summary.counts[int(r.out.status)];
            sink(r.out);
        }
        m_summary.streams += qint64(p.streams.size());
        m_summary.rows += p.rows.size();
        if (progress)
            progress(m_summary.streams, -1, m_summary.rows);
    };
    Page* previous = nullptr;
    int next = 0;
    bool more = true;
    while (more) {
        throwIfCancelled();
        Page& p = pages[next];
        p.streams = m_store.streams(streams);
        if (p.streams.empty())
            break;
        streams.after = p.streams.back().name;
        more = int(p.streams.size()) >= streams.limit;
        if (more && previous == nullptr && m_options.openReader && rawStreamReader(m_store)) {
            // More than a page: a second connection for every other one, where the store opens one.
            readers[1] = startSecond();
            m_summary.connections = readers[1] ? 2 : 1;
        }
        p.reader = readers[1] && previous && previous->reader == 0 ? 1 : 0;
        if (keyIsStream) {
            QStringList keys; // the page's names are distinct, and so are the keys looked up
            for (const StreamInfo& info : p.streams)
                keys.append(info.name);
            lookupPage(keys, p.rows);
        }
        read(p);
        if (previous)
            report(*previous);
        previous = &p;
        next = 1 - next;
    }
    if (previous)
        report(*previous);

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
    m_summary.seconds = double(clock.nsecsElapsed()) / 1e9;
    finished = true;
    return m_summary;
}

} // namespace es
