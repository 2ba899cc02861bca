// Reconciliation reads a page of streams in one statement (EventStore::readRawStreams) and folds it while reading:
// the reports must not depend on where pages end, on streams longer than the events held in memory, on empty or
// one-event streams, nor on the engine.
#include <catch2/catch.hpp>

#include "test_fold_support.h"
#include "test_forwarding_store.h"
#include "testutils.h"

#include "core/rawbatch.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "reconcile/reconciler.h"
#include "store/rawstreamreader.h"
#include "store/storeregistry.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

using namespace es;
using namespace es::test;

namespace {

using Report = std::map<QString, QJsonObject>;

// (stream, version) of each row readRawStreams hands over, in order.
class Recorder : public RawEventReceiver {
public:
    bool row(const RawEvent& event) override
    {
        rows.emplace_back(QString::fromUtf8(event.stream), event.version);
        return true;
    }
    bool wantsIds() const override { return false; }
    std::vector<std::pair<QString, qint64>> rows;
};

// The streams every engine's store holds (merge reducer: data {"n": version, "owner": stream}):
// acct-a 1 event, acct-b 1 event, acct-c none visible (its messages archived), acct-d and acct-g longer than
// Reconciler::heldEvents, acct-e 5 events, acct-f 3 events.
constexpr int LongStream = int(Reconciler::heldEvents) + 76;

std::vector<std::pair<QByteArray, int>> streamsToWrite()
{
    return { { "acct-a", 1 }, { "acct-b", 1 }, { "acct-c", 2 }, { "acct-d", LongStream }, { "acct-e", 5 },
        { "acct-f", 3 }, { "acct-g", LongStream } };
}

QByteArray dataOf(const QByteArray& stream, int version)
{
    return "{\"n\": " + QByteArray::number(version) + ", \"owner\": \"" + stream + "\"}";
}

// The read model: acct-a right, acct-b missing, acct-c's row for no events, acct-d lost its last 76 events, acct-e
// its last two, acct-f a value no version had, acct-g right, acct-z a row with no stream; and rows with no stream
// among the pages' names (acct-bb, and acct-c-00 to acct-c-39, more than a page of two streams' range may hold
// before the rows are looked up by key).
constexpr int Strays = 40;
QString readModelRows()
{
    QString rows = QStringLiteral("('acct-a', 'acct-a', 1), ('acct-bb', 'acct-bb', 2), ('acct-c', NULL, NULL), "
                                  "('acct-d', 'acct-d', 1024), ('acct-e', 'acct-e', 3), ('acct-f', 'acct-f', 99), "
                                  "('acct-g', 'acct-g', %1), ('acct-z', 'acct-z', 7)")
                       .arg(LongStream);
    for (int i = 0; i < Strays; ++i)
        rows += QStringLiteral(", ('acct-c-%1', 'acct-c-%1', %2)").arg(i, 2, 10, QLatin1Char('0')).arg(i);
    return rows;
}

qint64 positionOf(EventStore& store, const QString& stream, qint64 version)
{
    EventQuery q;
    q.filter.stream = stream;
    q.from = version;
    q.limit = 1;
    const EventPage page = store.events(q);
    REQUIRE(page.events.size() == 1);
    REQUIRE(page.events.front().version == version);
    return page.events.front().position;
}

QJsonObject json(const QByteArray& text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    REQUIRE(doc.isObject());
    return doc.object();
}

// The acct streams against acct_view, owner and n mapped.
ReconcileOptions acctOptions(int streamBatch)
{
    ReconcileOptions options;
    options.category = QStringLiteral("acct");
    options.table = QStringLiteral("acct_view");
    options.keyColumn = QStringLiteral("id");
    options.columns
        = { { QStringLiteral("owner"), QStringLiteral("owner") }, { QStringLiteral("n"), QStringLiteral("n") } };
    options.streamBatch = streamBatch;
    return options;
}

using Opener = std::function<std::unique_ptr<EventStore>()>;

// What second connections (ReconcileOptions::openReader) did.
struct SecondCounts {
    int opened = 0;
    std::atomic<int> pages { 0 }; // page reads (readRawStreams)
};

// A second connection to the store, counted; each page read first waits `delayMs` (a slow server).
class SecondConnection : public ForwardingStore, public RawStreamReader {
public:
    SecondConnection(std::unique_ptr<EventStore> store, SecondCounts& counts, int delayMs)
        : ForwardingStore(*store)
        , m_own(std::move(store))
        , m_counts(counts)
        , m_delayMs(delayMs)
    { }
    void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) override
    {
        ++m_counts.pages;
        if (m_delayMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(m_delayMs));
        rawStreamReader(m_store)->readRawStreams(streams, receiver);
    }

private:
    std::unique_ptr<EventStore> m_own;
    SecondCounts& m_counts;
    int m_delayMs;
};

Opener secondConnection(const EventStore& store, SecondCounts* counts, int delayMs = 0)
{
    return [address = store.address(), counts, delayMs] {
        ++counts->opened;
        return std::make_unique<SecondConnection>(StoreRegistry::open(address), *counts, delayMs);
    };
}

Report reconcilePages(EventStore& store, TableReader& tables, int streamBatch, ReconcileSummary* summary,
    ReducerPtr reducer = std::make_shared<MergeReducer>(), Opener openReader = {})
{
    ReconcileOptions options = acctOptions(streamBatch);
    options.tableBatch = 3;
    options.openReader = std::move(openReader);
    Reconciler reconciler(store, tables, std::move(reducer), options);
    Report report;
    *summary = reconciler.run([&](const ReconcileRow& row) {
        REQUIRE(report.count(row.key) == 0);
        QJsonObject o = row.toJson();
        CHECK_FALSE(o.contains(QStringLiteral("note")));
        report[row.key] = o;
    });
    return report;
}

void checkPages(EventStore& store, TableReader& tables)
{
    // One statement per page: the rows come grouped by stream, in version order; names are bound, not spliced.
    RawStreamReader* reader = rawStreamReader(store);
    REQUIRE(reader);
    Recorder recorder;
    reader->readRawStreams({ QStringLiteral("acct-e"), QStringLiteral("acct-c"), QStringLiteral("acct-a"),
                               QStringLiteral("x' OR '1'='1"), QStringLiteral("acct-f") },
        recorder);
    const std::vector<std::pair<QString, qint64>> expected { { QStringLiteral("acct-a"), 1 },
        { QStringLiteral("acct-e"), 1 }, { QStringLiteral("acct-e"), 2 }, { QStringLiteral("acct-e"), 3 },
        { QStringLiteral("acct-e"), 4 }, { QStringLiteral("acct-e"), 5 }, { QStringLiteral("acct-f"), 1 },
        { QStringLiteral("acct-f"), 2 }, { QStringLiteral("acct-f"), 3 } };
    CHECK(recorder.rows == expected);
    Recorder none;
    reader->readRawStreams({}, none);
    CHECK(none.rows.empty());

    const QString d = QStringLiteral("acct-d");
    const QString e = QStringLiteral("acct-e");
    const QByteArray last = QByteArray::number(LongStream);
    Report want {
        { QStringLiteral("acct-a"),
            json(R"({"key": "acct-a", "stream": "acct-a", "status": "ok", "columns": {}, "matchesVersion": 1,
                "matchesPosition": )"
                + QByteArray::number(positionOf(store, QStringLiteral("acct-a"), 1)) + R"(, "lastVersion": 1})") },
        { QStringLiteral("acct-b"), json(R"({"key": "acct-b", "stream": "acct-b", "status": "missing", "columns": {
                "owner": {"table": null, "replayed": "acct-b"}, "n": {"table": null, "replayed": 1}},
                "matchesVersion": null, "matchesPosition": null, "lastVersion": 1})") },
        { QStringLiteral("acct-c"),
            json(R"({"key": "acct-c", "stream": "acct-c", "status": "ok", "columns": {}, "matchesVersion": null,
                "matchesPosition": null, "lastVersion": null})") },
        { d,
            json(R"({"key": "acct-d", "stream": "acct-d", "status": "differs", "columns": {
                "n": {"table": 1024, "replayed": )"
                + last + R"(}}, "matchesVersion": 1024, "matchesPosition": )"
                + QByteArray::number(positionOf(store, d, 1024)) + R"(, "lastVersion": )" + last + "}") },
        { e,
            json(R"({"key": "acct-e", "stream": "acct-e", "status": "differs", "columns": {
                "n": {"table": 3, "replayed": 5}}, "matchesVersion": 3, "matchesPosition": )"
                + QByteArray::number(positionOf(store, e, 3)) + R"(, "lastVersion": 5})") },
        { QStringLiteral("acct-f"), json(R"({"key": "acct-f", "stream": "acct-f", "status": "differs", "columns": {
                "n": {"table": 99, "replayed": 3}}, "matchesVersion": null, "matchesPosition": null,
                "lastVersion": 3})") },
        { QStringLiteral("acct-g"),
            json(R"({"key": "acct-g", "stream": "acct-g", "status": "ok", "columns": {}, "matchesVersion": )" + last
                + R"(, "matchesPosition": )"
                + QByteArray::number(positionOf(store, QStringLiteral("acct-g"), LongStream)) + R"(, "lastVersion": )"
                + last + "}") },
        { QStringLiteral("acct-z"), json(R"({"key": "acct-z", "stream": null, "status": "extra", "columns": {
                "owner": {"table": "acct-z", "replayed": null}, "n": {"table": 7, "replayed": null}},
                "matchesVersion": null, "matchesPosition": null, "lastVersion": null})") },
    };
    const auto stray = [](const QString& key, int n) {
        return json(R"({"key": ")" + key.toUtf8() + R"(", "stream": null, "status": "extra", "columns": {
                "owner": {"table": ")"
            + key.toUtf8() + R"(", "replayed": null}, "n": {"table": )" + QByteArray::number(n)
            + R"(, "replayed": null}},
                "matchesVersion": null, "matchesPosition": null, "lastVersion": null})");
    };
    want[QStringLiteral("acct-bb")] = stray(QStringLiteral("acct-bb"), 2);
    for (int i = 0; i < Strays; ++i) {
        const QString key = QStringLiteral("acct-c-%1").arg(i, 2, 10, QLatin1Char('0'));
        want[key] = stray(key, i);
    }
    // Pages of one stream, of two (acct-c, the empty one, alone at a page's end), of three, and all in one.
    for (const int batch : { 1, 2, 3, 200 }) {
        INFO("streams per page: " << batch);
        ReconcileSummary summary;
        const Report got = reconcilePages(store, tables, batch, &summary);
        CHECK(got == want);
        CHECK(summary.streams == 7);
        CHECK(summary.events == 1 + 1 + 0 + LongStream + 5 + 3 + LongStream);
        CHECK(summary.count(ReconcileStatus::Ok) == 3);
        CHECK(summary.count(ReconcileStatus::Differs) == 3);
        CHECK(summary.count(ReconcileStatus::Missing) == 1);
        CHECK(summary.count(ReconcileStatus::Extra) == 2 + Strays);
    }
    // A second connection reading every other page: the same report, opened only when there is more than a page. One
    // that cannot be opened leaves the reading to the first.
    const ReducerPtr nJs = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({}), $any: (s, e) => { s.n = e.data.n; s.owner = e.data.owner; } })"),
        QStringLiteral("n.js"), 2000);
    for (const ReducerPtr& reducer : { ReducerPtr(std::make_shared<MergeReducer>()), nJs }) {
        for (const int batch : { 1, 2, 3, 200 }) {
            INFO("two connections, " << reducer->name().toStdString() << ", streams per page: " << batch);
            ReconcileSummary summary;
            SecondCounts counts;
            CHECK(reconcilePages(store, tables, batch, &summary, reducer, secondConnection(store, &counts)) == want);
            CHECK(summary.events == 1 + 1 + 0 + LongStream + 5 + 3 + LongStream);
            // Seven streams: every other page of (7 + batch - 1) / batch is the second connection's.
            CHECK(counts.opened == (batch < 7 ? 1 : 0));
            CHECK(counts.pages == (7 + batch - 1) / batch / 2);
            CHECK(summary.connections == (batch < 7 ? 2 : 1));
        }
    }
    {
        ReconcileSummary summary;
        const Opener refused
            = []() -> std::unique_ptr<EventStore> { throw StoreError(QStringLiteral("too many connections")); };
        CHECK(reconcilePages(store, tables, 2, &summary, std::make_shared<MergeReducer>(), refused) == want);
        CHECK(summary.connections == 1);
    }
    // An engine without RawStreamReader is read stream by stream through events(): the same report.
    ForwardingStore plain(store);
    REQUIRE_FALSE(rawStreamReader(plain));
    for (const int batch : { 1, 3, 200 }) {
        INFO("stream by stream, streams per page: " << batch);
        ReconcileSummary summary;
        CHECK(reconcilePages(plain, tables, batch, &summary) == want);
        CHECK(summary.events == 1 + 1 + 0 + LongStream + 5 + 3 + LongStream);
    }
    // A reducer that reads metadata without naming it, so that the pages are first read without: the pages are read
    // again with it, and the report is the merge's.
    const ReducerPtr hidden = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({}),\n"
                       "   $any: (s, e) => { s.owner = e['meta' + 'data'].streamName; s.n = e.data.n; } })"),
        QStringLiteral("hidden.js"), 2000);
    for (const int batch : { 1, 3, 200 }) {
        INFO("metadata read without its name, streams per page: " << batch);
        ReconcileSummary summary;
        CHECK(reconcilePages(store, tables, batch, &summary, hidden) == want);
        SecondCounts counts;
        CHECK(reconcilePages(store, tables, batch, &summary, hidden, secondConnection(store, &counts)) == want);
        CHECK(counts.pages >= (7 + batch - 1) / batch / 2);
    }

    // Names far apart, with 2 x 1,100 rows of other streams between them: the same rows as a read by name (on SQLite
    // a range read stops once it skips more rows than it keeps, and the names it has not brought are read by name).
    Recorder apart;
    reader->readRawStreams(
        { QStringLiteral("acct-a"), QStringLiteral("acct-b"), QStringLiteral("acct-c"), QStringLiteral("acct-e"),
            QStringLiteral("acct-f"), QStringLiteral("acct-h"), QStringLiteral("acct-i"), QStringLiteral("acct-j") },
        apart);
    std::vector<std::pair<QString, qint64>> expectedApart = expected;
    expectedApart.insert(expectedApart.begin() + 1, { QStringLiteral("acct-b"), 1 });
    CHECK(apart.rows == expectedApart);
}

// A store whose connection drops after `rows` rows of its page reads, inside a page and while the fold's thread may
// still be folding the rows before.
class DroppingStore : public ForwardingStore, public RawStreamReader {
public:
    DroppingStore(EventStore& store, int rows)
        : ForwardingStore(store)
        , m_left(rows)
    { }
    void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) override
    {
        Dropping dropping(receiver, m_left);
        rawStreamReader(m_store)->readRawStreams(streams, dropping);
    }

private:
    struct Dropping : RawEventReceiver {
        Dropping(RawEventReceiver& to, int& left)
            : m_to(to)
            , m_left(left)
        { }
        bool row(const RawEvent& event) override
        {
            if (--m_left < 0)
                throw StoreError(QStringLiteral("server closed the connection"), StoreError::Kind::Disconnected);
            return m_to.row(event);
        }
        bool wantsIds() const override { return m_to.wantsIds(); }
        bool wantsMetadata() const override { return m_to.wantsMetadata(); }
        RawEventReceiver& m_to;
        int& m_left;
    };
    int m_left;
};

// A store whose page reads hand a stream's rows over in two runs, as ORDER BY does under a collation that orders
// distinct names as equal: the second stream's rows come between the first stream's first row and the rest.
class SplittingStore : public ForwardingStore, public RawStreamReader {
public:
    using ForwardingStore::ForwardingStore;
    void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) override
    {
        Collect collect;
        rawStreamReader(m_store)->readRawStreams(streams, collect);
        std::vector<size_t> order(collect.batch.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        if (order.size() > 2)
            std::rotate(order.begin() + 1, order.end() - 1, order.end()); // the last row moves to second place
        for (const size_t i : order) {
            if (!receiver.row(collect.batch.view(qsizetype(i))))
                return;
        }
    }

private:
    struct Collect : RawEventReceiver {
        bool row(const RawEvent& event) override
        {
            batch.add(event);
            return true;
        }
        RawBatch batch;
    };
};

// The run ends with the store's Disconnected, before it reported every stream.
void checkDisconnected(Reconciler& reconciler)
{
    int reported = 0;
    try {
        reconciler.run([&](const ReconcileRow&) { ++reported; });
        FAIL("the dropped connection went unnoticed");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Disconnected);
    }
    CHECK(reported < 7);
}

void checkDropped(EventStore& store, TableReader& tables)
{
    // The error reaches the caller as the store gave it, however far the fold's thread had got, and the same
    // reconciliation runs again afterwards.
    const ReducerPtr js = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({}), $any: (s, e) => { s.n = e.data.n; s.owner = e.data.owner; } })"),
        QStringLiteral("n.js"), 2000);
    // Rows of a stream in two runs: an error that says so, not a state folded from part of the stream.
    SplittingStore splitting(store);
    try {
        Reconciler(splitting, tables, js, acctOptions(200)).run([](const ReconcileRow&) {});
        FAIL("a stream read in two runs went unnoticed");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Generic);
        CHECK(e.message().contains(QStringLiteral("acct-")));
    }
    for (const ReducerPtr& reducer : { ReducerPtr(std::make_shared<MergeReducer>()), js }) {
        for (const int rows : { 0, 1, 3, LongStream - 10, LongStream + 3, 2 * LongStream }) {
            for (const int batch : { 1, 3, 200 }) {
                INFO(reducer->name().toStdString() << ": dropped after " << rows << " rows, pages of " << batch);
                DroppingStore dropping(store, rows);
                Reconciler reconciler(dropping, tables, reducer, acctOptions(batch));
                checkDisconnected(reconciler);
            }
        }
        // The second connection drops: the same error, whichever page it was reading.
        auto second = StoreRegistry::open(store.address());
        for (const int rows : { 0, 1, 3, LongStream + 3 }) {
            for (const int batch : { 1, 2, 3 }) {
                INFO(reducer->name().toStdString()
                    << ": the second connection dropped after " << rows << " rows, pages of " << batch);
                ReconcileOptions options = acctOptions(batch);
                options.openReader = [&second, rows] { return std::make_unique<DroppingStore>(*second, rows); };
                Reconciler reconciler(store, tables, reducer, options);
                checkDisconnected(reconciler);
            }
        }
        // Cancelled while both connections read (the second slow to answer): cancelled, not a report cut short;
        // interrupt() reaches the second.
        for (const int batch : { 1, 2 }) {
            ReconcileOptions options = acctOptions(batch);
            SecondCounts counts;
            options.openReader = secondConnection(store, &counts, 30);
            Reconciler reconciler(store, tables, reducer, options);
            std::atomic<bool> cancel { false };
            try {
                reconciler.run(
                    [&](const ReconcileRow&) {
                        cancel = true;
                        reconciler.interrupt();
                    },
                    {}, &cancel);
                FAIL("not cancelled");
            } catch (const StoreError& e) {
                CHECK(e.kind() == StoreError::Kind::Cancelled);
            }
            CHECK(counts.opened == 1);
            CHECK(counts.pages > 0);
            reconciler.interrupt(); // after the run: reaches no connection
        }
        // The first connection drops while the second is reading: its error, once the second has stopped.
        for (const int rows : { 0, 3, LongStream + 3 }) {
            DroppingStore dropping(store, rows);
            ReconcileOptions options = acctOptions(1);
            SecondCounts counts;
            options.openReader = secondConnection(store, &counts, 30);
            Reconciler reconciler(dropping, tables, reducer, options);
            checkDisconnected(reconciler);
        }
        Reconciler again(store, tables, reducer, acctOptions(1000));
        const ReconcileSummary summary = again.run([](const ReconcileRow&) {});
        CHECK(summary.streams == 7);
        CHECK(summary.count(ReconcileStatus::Ok) == 3);
    }
}

} // namespace

TEST_CASE("reconcile pages: one read per page of streams, on SQLite", "[reconcile]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pages.sqlite"));
    for (const auto& [stream, count] : streamsToWrite()) {
        std::vector<FixtureEvent> events;
        for (int v = 1; v <= count; ++v)
            events.push_back({ "Changed", dataOf(stream, v), fixtureStartMs + v * 1000 });
        writeEmmettStream(path, stream, events);
    }
    // Emmett archives a stream's messages in place (is_archived), leaving the stream listed.
    execSqlite(path,
        QStringLiteral("UPDATE emt_messages SET is_archived = 1 WHERE stream_id = 'acct-c';"
                       "CREATE TABLE acct_view (id TEXT PRIMARY KEY, owner TEXT, n INTEGER);"
                       "INSERT INTO acct_view VALUES ")
            + readModelRows() + u';');
    auto store = StoreRegistry::open(path);
    REQUIRE(store->tables());
    checkPages(*store, *store->tables());
    checkDropped(*store, *store->tables());
}

TEST_CASE("reconcile pages: one read per page of streams, on PostgreSQL", "[reconcile][pg]")
{
    ES_REQUIRE_PG("reconciliation pages");
    PgTestDatabase db(QStringLiteral("recon_pages"), { QStringLiteral("emmett.sql") });
    // As emmett-postgresql's appendToStream writes: the stream row upserted, then the messages, in one transaction
    // per append of up to 100 messages.
    for (const auto& [stream, count] : streamsToWrite()) {
        const QString name = QString::fromLatin1(stream);
        for (int first = 1; first <= count; first += 100) {
            const int last = qMin(count, first + 99);
            QString sql = first == 1
                ? QStringLiteral("BEGIN; INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                                 "stream_metadata) VALUES ('%1', %2, 'emt:default', 'acct', '{}');")
                      .arg(name)
                      .arg(last)
                : QStringLiteral("BEGIN; UPDATE emt_streams SET stream_position = %2 WHERE stream_id = '%1';")
                      .arg(name)
                      .arg(last);
            sql += QStringLiteral("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                                  "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                                  "transaction_id, created) VALUES ");
            for (int v = first; v <= last; ++v)
                sql += QStringLiteral("%1('%2', %3, 'emt:default', '%4', '{\"streamName\": \"%2\"}', '0', "
                                      "'Changed', 'E', gen_random_uuid()::text, pg_current_xact_id(), "
                                      "'2024-03-04 00:00:00+00'::timestamptz + interval '%3 seconds')")
                           .arg(v == first ? QString() : QStringLiteral(", "), name)
                           .arg(v)
                           .arg(QString::fromLatin1(dataOf(stream, v)));
            db.sql(sql + QStringLiteral("; COMMIT;"));
        }
    }
    db.sql(QStringLiteral("UPDATE emt_messages SET is_archived = true WHERE stream_id = 'acct-c';"
                          "CREATE TABLE acct_view (id text PRIMARY KEY, owner text, n bigint);"
                          "INSERT INTO acct_view VALUES ")
        + readModelRows() + u';');
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->tables());
    checkPages(*store, *store->tables());
    checkDropped(*store, *store->tables());
}

TEST_CASE("reconcile pages: pages of names read as one range of the stream index, on SQLite", "[reconcile]")
{
    // 40 accounts of 1 to 3 events, streams whose names sort among them ("acct-07-audit" inside the range of a page,
    // "acct_x-1" and "acct-zz" beside it), and an archived stream. The read model has every account's version but
    // for a missing row and a lagging one.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ranges.sqlite"));
    const auto name = [](int i) -> QByteArray { return "acct-" + QByteArray::number(i).rightJustified(2, '0'); };
    const auto events = [](const QByteArray& stream, int count) {
        std::vector<FixtureEvent> out;
        for (int v = 1; v <= count; ++v)
            out.push_back({ "Changed", dataOf(stream, v), fixtureStartMs + v * 1000 });
        return out;
    };
    for (int i = 0; i < 40; ++i)
        writeEmmettStream(path, name(i), events(name(i), 1 + i % 3));
    writeEmmettStream(path, "acct-07-audit", events("acct-07-audit", 3));
    writeEmmettStream(path, "acct_x-1", events("acct_x-1", 3));
    writeEmmettStream(path, "acct-zz", events("acct-zz", 1));
    QString rows;
    for (int i = 0; i < 40; ++i) {
        if (i == 13)
            continue; // missing
        const int n = i == 21 ? 0 : 1 + i % 3; // 21: lagging
        if (!rows.isEmpty())
            rows += QStringLiteral(", ");
        rows += QStringLiteral("('%1', '%1', %2)").arg(QString::fromLatin1(name(i))).arg(n);
    }
    execSqlite(path,
        QStringLiteral("UPDATE emt_messages SET is_archived = 1 WHERE stream_id = 'acct-30';"
                       "CREATE TABLE acct_view (id TEXT PRIMARY KEY, owner TEXT, n INTEGER);"
                       "INSERT INTO acct_view VALUES ")
            + rows + u';');
    auto store = StoreRegistry::open(path);
    RawStreamReader* reader = rawStreamReader(*store);
    REQUIRE(reader);

    // Nine names, out of order, one with no events, one that is no stream, one that would break a spliced statement:
    // only the named streams' rows, grouped, in version order.
    Recorder recorder;
    reader->readRawStreams({ QStringLiteral("acct-09"), QStringLiteral("acct-02"), QStringLiteral("acct-30"),
                               QStringLiteral("acct-05"), QStringLiteral("x' OR '1'='1"), QStringLiteral("acct-nope"),
                               QStringLiteral("acct-07"), QStringLiteral("acct-08"), QStringLiteral("acct-03") },
        recorder);
    std::map<QString, std::vector<qint64>> got;
    QString last;
    for (const auto& [stream, version] : recorder.rows) {
        if (stream != last)
            REQUIRE(got.count(stream) == 0); // each stream's rows together
        last = stream;
        got[stream].push_back(version);
    }
    const std::map<QString, std::vector<qint64>> expected { { QStringLiteral("acct-02"), { 1, 2, 3 } },
        { QStringLiteral("acct-03"), { 1 } }, { QStringLiteral("acct-05"), { 1, 2, 3 } },
        { QStringLiteral("acct-07"), { 1, 2 } }, { QStringLiteral("acct-08"), { 1, 2, 3 } },
        { QStringLiteral("acct-09"), { 1 } } };
    CHECK(got == expected);

    // Reconciled in pages of 10 names (ranges) and stream by stream (no ranges): the same report.
    const auto run = [&](EventStore& s, int batch) {
        ReconcileOptions options = acctOptions(batch);
        options.columns = { { QStringLiteral("n"), QStringLiteral("n") } };
        Reconciler reconciler(s, *store->tables(), std::make_shared<MergeReducer>(), options);
        Report report;
        const ReconcileSummary summary
            = reconciler.run([&](const ReconcileRow& row) { report[row.key] = row.toJson(); });
        return std::make_pair(report, summary);
    };
    ForwardingStore plain(*store);
    const auto [byName, byNameSummary] = run(plain, 10);
    for (const int batch : { 10, 17, 100 }) {
        INFO("streams per page: " << batch);
        const auto [report, summary] = run(*store, batch);
        CHECK(report == byName);
        CHECK(summary.events == byNameSummary.events);
    }
    CHECK(byName.at(QStringLiteral("acct-13")).value(QStringLiteral("status")).toString() == QStringLiteral("missing"));
    CHECK(byName.at(QStringLiteral("acct-21")).value(QStringLiteral("status")).toString() == QStringLiteral("differs"));
    CHECK(byName.at(QStringLiteral("acct-39")).value(QStringLiteral("status")).toString() == QStringLiteral("ok"));
    CHECK(byName.at(QStringLiteral("acct-07-audit")).value(QStringLiteral("status")).toString()
        == QStringLiteral("missing"));
    CHECK(byNameSummary.events == 40 + 27 + 13 - 2 + 3 + 1); // accounts (acct-30's 1 archived), audit, zz
}
