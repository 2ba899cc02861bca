#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "samplewriter.h"
#include "store/storeregistry.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

struct DemoStore {
    QTemporaryDir dir;
    QString path;
    DemoStore()
    {
        path = dir.filePath(QStringLiteral("demo.sqlite"));
        SampleOptions options;
        options.events = 20000;
        options.seed = 7;
        writeSampleStore(path, options);
    }
};

DemoStore& demo()
{
    static DemoStore store;
    return store;
}

QJsonObject finalState(Timeline& t)
{
    return t.stateAt(t.lastVersion()).toObject();
}

std::shared_ptr<JsReducer> js(const char* source, int budgetMs = JsReducer::defaultBudgetMs)
{
    return std::make_shared<JsReducer>(QString::fromUtf8(source), QStringLiteral("test.js"), budgetMs);
}

struct LedgerStore {
    QTemporaryDir dir;
    QString path;
    std::unique_ptr<EventStore> store;
    explicit LedgerStore(const std::vector<FixtureEvent>& events)
    {
        path = dir.filePath(QStringLiteral("ledger.sqlite"));
        writeEmmettStream(path, "account-1", events);
        store = StoreRegistry::open(path);
    }
};

const char* const sumSql
    = "SELECT SUM(CASE message_type WHEN 'FundsDeposited' THEN json_extract(message_data, '$.amount') "
      "WHEN 'FundsWithdrawn' THEN -json_extract(message_data, '$.amount') ELSE 0 END) "
      "FROM emt_messages WHERE stream_id = ?1 AND stream_position <= ?2";

} // namespace

TEST_CASE("fold: the accounts reducer gives the balance SQL computes over the demo store", "[fold]")
{
    FoldDb db(demo().path);
    const QByteArray stream = db.text("SELECT stream_id FROM emt_messages WHERE stream_id LIKE 'account-%' "
                                      "GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 1");
    REQUIRE(!stream.isEmpty());
    const qint64 events = db.integer("SELECT count(*) FROM emt_messages WHERE stream_id = ?1", stream);
    REQUIRE(events > 10);

    QString error;
    auto reducer = JsReducer::fromFile(reducerPath("accounts.js"), &error);
    REQUIRE(reducer);
    auto store = StoreRegistry::open(demo().path);
    Timeline timeline(*store, QString::fromUtf8(stream), reducer);
    REQUIRE(timeline.build());
    REQUIRE_FALSE(timeline.reducerError());
    REQUIRE(timeline.count() == events);

    const QJsonObject state = finalState(timeline);
    const qint64 last = timeline.lastVersion();
    CHECK(state.value(QStringLiteral("balance")).toInteger() == db.integer(sumSql, stream, last));
    // The writer also records the running balance in each event: the fold must agree with it.
    CHECK(state.value(QStringLiteral("balance")).toInteger()
        == db.integer("SELECT json_extract(message_data, '$.balance') FROM emt_messages WHERE stream_id = ?1 "
                      "AND message_type IN ('FundsDeposited', 'FundsWithdrawn') ORDER BY stream_position DESC LIMIT 1",
            stream));
    CHECK(state.value(QStringLiteral("transactions")).toInteger()
        == db.integer("SELECT count(*) FROM emt_messages WHERE stream_id = ?1 "
                      "AND message_type IN ('FundsDeposited', 'FundsWithdrawn')",
            stream));
    CHECK(state.value(QStringLiteral("accountId")).toString()
        == QString::fromUtf8(db.text("SELECT json_extract(message_data, '$.accountId') FROM emt_messages "
                                     "WHERE stream_id = ?1 AND message_type = 'AccountOpened'",
            stream)));
    const bool closed = db.integer(
        "SELECT count(*) FROM emt_messages WHERE stream_id = ?1 AND message_type = 'AccountClosed'", stream);
    CHECK(state.value(QStringLiteral("status")).toString()
        == (closed ? QStringLiteral("closed") : QStringLiteral("open")));

    for (const qint64 version : { timeline.firstVersion(), timeline.firstVersion() + events / 3, last - 1 }) {
        CHECK(timeline.stateAt(version).toObject().value(QStringLiteral("balance")).toInteger()
            == db.integer(sumSql, stream, version));
    }
}

TEST_CASE("fold: the orders reducer gives items, total and status of a demo order", "[fold]")
{
    FoldDb db(demo().path);
    const QByteArray stream = db.text("SELECT stream_id FROM emt_messages WHERE message_type = 'ItemAdded' "
                                      "GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 1");
    REQUIRE(!stream.isEmpty());
    QString error;
    auto reducer = JsReducer::fromFile(reducerPath("orders.js"), &error);
    REQUIRE(reducer);
    auto store = StoreRegistry::open(demo().path);
    Timeline timeline(*store, QString::fromUtf8(stream), reducer);
    REQUIRE(timeline.build());
    REQUIRE_FALSE(timeline.reducerError());
    const QJsonObject state = finalState(timeline);

    const qint64 items
        = db.integer("SELECT count(*) FROM emt_messages WHERE stream_id = ?1 AND message_type = 'ItemAdded'", stream);
    CHECK(items >= 2);
    CHECK(state.value(QStringLiteral("itemCount")).toInteger() == items);
    CHECK(state.value(QStringLiteral("items")).toArray().size() == items);
    CHECK(state.value(QStringLiteral("total")).toInteger()
        == db.integer("SELECT json_extract(message_data, '$.total') FROM emt_messages WHERE stream_id = ?1 "
                      "AND message_type = 'ItemAdded' ORDER BY stream_position DESC LIMIT 1",
            stream));
    CHECK(state.value(QStringLiteral("items")).toArray().first().toObject().value(QStringLiteral("sku")).toString()
        == QString::fromUtf8(
            db.text("SELECT json_extract(message_data, '$.sku') FROM emt_messages WHERE stream_id = ?1 "
                    "AND message_type = 'ItemAdded' ORDER BY stream_position LIMIT 1",
                stream)));
    const QByteArray lastType = db.text(
        "SELECT message_type FROM emt_messages WHERE stream_id = ?1 ORDER BY stream_position DESC LIMIT 1", stream);
    const QHash<QByteArray, QString> statusOf { { "OrderPlaced", QStringLiteral("placed") },
        { "ItemAdded", QStringLiteral("placed") }, { "OrderConfirmed", QStringLiteral("confirmed") },
        { "PaymentCaptured", QStringLiteral("paid") }, { "PaymentFailed", QStringLiteral("payment-failed") },
        { "OrderCancelled", QStringLiteral("cancelled") }, { "OrderShipped", QStringLiteral("shipped") },
        { "OrderCompleted", QStringLiteral("completed") }, { "OrderRefunded", QStringLiteral("refunded") } };
    REQUIRE(statusOf.contains(lastType));
    CHECK(state.value(QStringLiteral("status")).toString() == statusOf.value(lastType));
}

TEST_CASE("fold: the merge reducer deep-merges data, flat and by type", "[fold]")
{
    FoldDb db(demo().path);
    const QByteArray stream = db.text("SELECT stream_id FROM emt_messages WHERE message_type = 'ShipmentCreated' "
                                      "ORDER BY global_position LIMIT 1");
    REQUIRE(!stream.isEmpty());
    auto store = StoreRegistry::open(demo().path);

    Timeline flat(*store, QString::fromUtf8(stream), std::make_shared<MergeReducer>());
    REQUIRE(flat.build());
    const QJsonObject state = finalState(flat);
    // ShipmentCreated carries a nested destination object; later events add keys and must not drop it.
    CHECK(state.value(QStringLiteral("destination")).toObject().value(QStringLiteral("city")).toString()
        == QString::fromUtf8(db.text("SELECT json_extract(message_data, '$.destination.city') FROM emt_messages "
                                     "WHERE stream_id = ?1 AND message_type = 'ShipmentCreated'",
            stream)));
    CHECK(state.value(QStringLiteral("shipmentId")).toString()
        == QString::fromUtf8(db.text("SELECT json_extract(message_data, '$.shipmentId') FROM emt_messages "
                                     "WHERE stream_id = ?1 LIMIT 1",
            stream)));

    const QByteArray account = db.text("SELECT stream_id FROM emt_messages WHERE message_type = 'FundsWithdrawn' "
                                       "GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 1");
    Timeline byType(*store, QString::fromUtf8(account), std::make_shared<MergeReducer>(MergeReducer::Mode::ByType));
    REQUIRE(byType.build());
    const QJsonObject typed = finalState(byType);
    CHECK(typed.value(QStringLiteral("FundsWithdrawn")).toObject().value(QStringLiteral("amount")).toInteger()
        == db.integer("SELECT json_extract(message_data, '$.amount') FROM emt_messages WHERE stream_id = ?1 "
                      "AND message_type = 'FundsWithdrawn' ORDER BY stream_position DESC LIMIT 1",
            account));
    CHECK(typed.value(QStringLiteral("AccountOpened")).toObject().value(QStringLiteral("currency")).toString()
        == QStringLiteral("EUR"));
}

TEST_CASE("fold: merge semantics on nested objects and arrays", "[fold]")
{
    LedgerStore fixture({ { "A", R"({"a": {"x": 1, "y": [1, 2]}, "s": "one"})", fixtureStartMs },
        { "B", R"({ "a" : { "y" : [ 3 ] , "z" : { "deep" : true } } })", fixtureStartMs + 1000 },
        { "C", R"({"s": {"now": "object"}, "a": {"x": null}})", fixtureStartMs + 2000 } });
    Timeline t(*fixture.store, QStringLiteral("account-1"), std::make_shared<MergeReducer>());
    REQUIRE(t.build());
    CHECK(*t.stateJsonAt(t.firstVersion()) == QByteArray(R"({"a":{"x":1,"y":[1,2]},"s":"one"})"));
    CHECK(*t.stateJsonAt(t.firstVersion() + 1) == QByteArray(R"({"a":{"x":1,"y":[3],"z":{"deep":true}},"s":"one"})"));
    CHECK(*t.stateJsonAt(t.lastVersion())
        == QByteArray(R"({"a":{"x":null,"y":[3],"z":{"deep":true}},"s":{"now":"object"}})"));
}

TEST_CASE("fold: reducer forms that existing projection code uses all load", "[fold]")
{
    LedgerStore fixture(ledger({ 10, 20, -5, 7, -3 }));
    const char* const forms[] = {
        // EventStoreDB projection, mutating handlers and the event's ESDB names.
        R"(fromStream('account-1').when({
               $init: function () { return { balance: 0, n: 0 }; },
               FundsDeposited: function (s, e) { s.balance += e.body.amount; s.n = e.sequenceNumber; },
               FundsWithdrawn: function (s, e) { s.balance -= e.data.amount; s.n = e.sequenceNumber; }
           }).outputState();)",
        // module.exports and handlers returning new states.
        R"(module.exports = {
               $init: () => ({ balance: 0, n: 0 }),
               $any: (s, e) => ({ balance: s.balance + (e.type === 'FundsDeposited' ? 1 : -1) * e.data.amount, n: e.version })
           };)",
        // Top-level functions.
        R"(function $init() { return { balance: 0, n: 0 }; }
           function FundsDeposited(s, e) { s.balance += e.data.amount; s.n = e.version; }
           function FundsWithdrawn(s, e) { return { balance: s.balance - e.data.amount, n: e.version }; })",
        // A bare object literal, fromCategory, options().
        R"(options({ $includeLinks: false });
           fromCategory('account').when({ $init: () => ({ balance: 0, n: 0 }),
               $any: (s, e) => { s.balance += (e.eventType === 'FundsWithdrawn' ? -1 : 1) * e.data.amount; s.n = e.version; } });)",
    };
    for (const char* source : forms) {
        INFO(source);
        Timeline t(*fixture.store, QStringLiteral("account-1"), js(source));
        REQUIRE(t.build());
        REQUIRE_FALSE(t.reducerError());
        const QJsonObject s = finalState(t);
        CHECK(s.value(QStringLiteral("balance")).toInteger() == 29);
        CHECK(s.value(QStringLiteral("n")).toInteger() == t.lastVersion());
        CHECK(t.stateAt(t.firstVersion() + 1).toObject().value(QStringLiteral("balance")).toInteger() == 30);
    }
}

TEST_CASE("fold: the event carries type, data, metadata, streamId, position, version, time", "[fold]")
{
    LedgerStore fixture(ledger({ 10, 20 }));
    auto reducer = js(R"(({ $any: (s, e) => ({ type: e.type, amount: e.data.amount, stream: e.streamId,
        position: e.position, version: e.version, time: e.time, messageStream: e.metadata.streamName }) }))");
    Timeline t(*fixture.store, QStringLiteral("account-1"), reducer);
    REQUIRE(t.build());
    const QJsonObject s = finalState(t);
    CHECK(s.value(QStringLiteral("type")).toString() == QStringLiteral("FundsDeposited"));
    CHECK(s.value(QStringLiteral("amount")).toInteger() == 20);
    CHECK(s.value(QStringLiteral("stream")).toString() == QStringLiteral("account-1"));
    CHECK(s.value(QStringLiteral("messageStream")).toString() == QStringLiteral("account-1"));
    CHECK(s.value(QStringLiteral("position")).toInteger() == t.positionAt(1));
    CHECK(s.value(QStringLiteral("version")).toInteger() == t.lastVersion());
    CHECK(s.value(QStringLiteral("time")).toString() == QStringLiteral("2024-03-04T00:01:00.000Z"));
}

TEST_CASE("fold: a throwing reducer is reported with its event and the state before it is kept", "[fold]")
{
    LedgerStore fixture(ledger({ 10, 20, -15, 7 }));
    // The handler mutates the state before it throws: that half-applied change must not be kept.
    auto reducer = js("({ $init: () => ({ balance: 0, touched: [] }),\n"
                      "   FundsDeposited: (s, e) => { s.balance += e.data.amount; s.touched.push(e.version); },\n"
                      "   FundsWithdrawn: (s, e) => { s.balance -= e.data.amount; s.touched.push(e.version);\n"
                      "       if (s.balance < 20) throw new Error('overdrawn at ' + e.version); } })");
    Timeline t(*fixture.store, QStringLiteral("account-1"), reducer);
    REQUIRE(t.build());
    REQUIRE(t.reducerError());
    const ReducerError& error = *t.reducerError();
    const qint64 third = t.firstVersion() + 2;
    CHECK(error.kind == ReducerError::Kind::Threw);
    CHECK(error.version == third);
    CHECK(error.eventType == QStringLiteral("FundsWithdrawn"));
    CHECK(error.message.contains(QStringLiteral("overdrawn")));
    CHECK(error.line == 4);
    CHECK(t.count() == 4); // the index still covers the whole stream
    for (const qint64 v : { third - 1, third, t.lastVersion() }) {
        const QJsonObject s = t.stateAt(v).toObject();
        CHECK(s.value(QStringLiteral("balance")).toInteger() == 30);
        CHECK(s.value(QStringLiteral("touched")).toArray().size() == 2);
    }

    // The same through a fold that takes one event per call.
    ReducerError loadError;
    auto fold = reducer->createFold(&loadError);
    REQUIRE(fold);
    static_cast<JsFold*>(fold.get())->setBatchSize(1);
    EventQuery q;
    q.filter.stream = QStringLiteral("account-1");
    const EventPage page = fixture.store->events(q);
    const FoldResult r = fold->apply(page.events);
    CHECK(r.applied == 2);
    REQUIRE(r.error);
    CHECK(r.error->version == third);
    CHECK(fold->state().toObject().value(QStringLiteral("balance")).toInteger() == 30);
}

TEST_CASE("fold: a looping reducer is interrupted within its budget", "[fold]")
{
    LedgerStore fixture(ledger({ 10, 20, 30 }));
    auto reducer = js("({ FundsDeposited: (s, e) => {\n"
                      "    if (e.data.amount === 20) { for (;;) {} }\n"
                      "    s.balance = (s.balance || 0) + e.data.amount; } })",
        300);
    Timeline t(*fixture.store, QStringLiteral("account-1"), reducer);
    QElapsedTimer timer;
    timer.start();
    REQUIRE(t.build());
    CHECK(timer.elapsed() < 3000);
    REQUIRE(t.reducerError());
    CHECK(t.reducerError()->kind == ReducerError::Kind::Timeout);
    CHECK(t.reducerError()->version == t.firstVersion() + 1);
    CHECK(finalState(t).value(QStringLiteral("balance")).toInteger() == 10);

    // The engine works again after the interruption.
    CHECK(t.stateAt(t.firstVersion()).toObject().value(QStringLiteral("balance")).toInteger() == 10);
}

TEST_CASE("fold: a malformed reducer reports the syntax error with its line", "[fold]")
{
    auto reducer = js("({\n  $init: () => ({ n: 0 }),\n  FundsDeposited: (s, e) => { s.n = ; }\n})");
    const auto error = reducer->check();
    REQUIRE(error);
    CHECK(error->kind == ReducerError::Kind::Syntax);
    CHECK(error->line == 3);
    CHECK(error->toString().contains(QStringLiteral("line 3")));

    LedgerStore fixture(ledger({ 1 }));
    Timeline t(*fixture.store, QStringLiteral("account-1"), reducer);
    CHECK_FALSE(t.build());
    CHECK(t.error().contains(QStringLiteral("syntax")));

    const auto initError = js("({ $init: () => { throw new Error('no init'); } })")->check();
    REQUIRE(initError);
    CHECK(initError->kind == ReducerError::Kind::Threw);
    CHECK(initError->eventType == QStringLiteral("$init"));
    CHECK(initError->message.contains(QStringLiteral("no init")));

    const auto topLevel = js("var x = 1;\nundefinedFunction();")->check();
    REQUIRE(topLevel);
    CHECK(topLevel->kind == ReducerError::Kind::Threw);
    CHECK(topLevel->line == 2);
}

TEST_CASE("fold: an event whose payload is not JSON reaches reducers as text", "[fold]")
{
    std::vector<FixtureEvent> events = ledger({ 10, 20 });
    events.insert(events.begin() + 1, { "NoteAdded", "call the customer back {not json", fixtureStartMs + 30000 });
    LedgerStore store(events);

    Timeline jsTimeline(*store.store, QStringLiteral("account-1"),
        js("({ $init: () => ({ balance: 0, notes: [] }),\n"
           "   NoteAdded: (s, e) => { s.notes.push(typeof e.data + ': ' + e.data); },\n"
           "   FundsDeposited: (s, e) => { s.balance += e.data.amount; } })"));
    REQUIRE(jsTimeline.build());
    REQUIRE_FALSE(jsTimeline.reducerError());
    const QJsonObject s = finalState(jsTimeline);
    CHECK(s.value(QStringLiteral("balance")).toInteger() == 30);
    REQUIRE(s.value(QStringLiteral("notes")).toArray().size() == 1);
    CHECK(s.value(QStringLiteral("notes")).toArray().first().toString()
        == QStringLiteral("string: call the customer back {not json"));

    Timeline merge(*store.store, QStringLiteral("account-1"), std::make_shared<MergeReducer>());
    REQUIRE(merge.build());
    REQUIRE_FALSE(merge.reducerError());
    const QJsonObject m = finalState(merge);
    CHECK(m.value(QStringLiteral("NoteAdded")).toString() == QStringLiteral("call the customer back {not json"));
    CHECK(m.value(QStringLiteral("amount")).toInteger() == 20);
}

TEST_CASE("fold: reducers are sandboxed", "[fold]")
{
    LedgerStore fixture(ledger({ 1 }));
    auto reducer = js(R"(({ $init: () => ({
            require: typeof require, xhr: typeof XMLHttpRequest, fetch: typeof fetch, importScripts: typeof importScripts,
            qtInclude: typeof Qt === 'undefined' ? 'undefined' : typeof Qt.include,
            logged: log('hello', { a: 1 }) === undefined }) }))");
    ReducerError error;
    auto fold = reducer->createFold(&error);
    REQUIRE(fold);
    const QJsonObject s = fold->state().toObject();
    for (const char* key : { "require", "xhr", "fetch", "importScripts", "qtInclude" }) {
        INFO(key);
        CHECK(s.value(QLatin1String(key)).toString() == QStringLiteral("undefined"));
    }
    CHECK(s.value(QStringLiteral("logged")).toBool());
    CHECK(static_cast<JsFold*>(fold.get())->takeLog() == QStringList { QStringLiteral("hello {\"a\":1}") });
}
