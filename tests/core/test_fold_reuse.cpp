#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "store/storeregistry.h"

#include <QFile>
#include <QJSEngine>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

// n events, alternately of type Counted and Other, each with an amount.
StreamStore countedStore(int n)
{
    std::vector<FixtureEvent> fixture;
    for (int i = 1; i <= n; ++i)
        fixture.push_back(
            { i % 2 ? "Counted" : "Other", "{\"amount\": " + QByteArray::number(i) + "}", fixtureStartMs + i * 1000 });
    return StreamStore(fixture);
}

QJsonObject foldAll(const char* source, const EventList& events, int batchSize)
{
    ReducerError error;
    auto fold = JsReducer(QString::fromUtf8(source)).createFold(&error);
    REQUIRE(fold);
    static_cast<JsFold*>(fold.get())->setBatchSize(batchSize);
    const FoldResult r = fold->apply(events);
    REQUIRE(r.ok());
    return fold->state().toObject();
}

QString resource(const char* name)
{
    QFile f(reducerPath(name));
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QString::fromUtf8(f.readAll());
}

} // namespace

TEST_CASE("fold reuse: sources that only read event properties may share one event object", "[fold][reuse]")
{
    const char* const lettingGo[] = {
        "({ $init: () => ({ balance: 0 }), FundsDeposited: (s, e) => { s.balance += e.data.amount; } })",
        "({ $any: (s, e) => { s.seen.push([e.type, e.data]); } })",
        "({ A: function (state, event) { state.last = event.data; state.v = event.version; return state; } })",
        "({ A(s, e) { if (e.data.x === 1) { s.n++; } } })",
        "({ A: (s, { data }) => ({ n: data.amount }) })",
        "// a comment naming e alone: e\n({ A: (s, e) => ({ t: e.type, q: 'e ' + \"e\", r: /e[)]/.test(e.type) }) })",
        "({ A: (s, e) => ({ total: s.total + e.data.items.length }), B: s => ({ n: s.n + 1 }) })",
        "({ A: (s, e) => { s[`${e.type}:${`${e.data.k}`}`] = { v: `v${e.version}` }; } })",
    };
    for (const char* source : lettingGo) {
        INFO(source);
        CHECK_FALSE(JsFold::mayKeepEvents(QString::fromUtf8(source)));
    }
    CHECK_FALSE(JsFold::mayKeepEvents(resource("accounts.js")));
    CHECK_FALSE(JsFold::mayKeepEvents(resource("orders.js")));
    for (const char* name : { "accounts.js", "orders.js" }) {
        INFO(name);
        ReducerError error;
        auto fold = JsReducer(resource(name)).createFold(&error);
        REQUIRE(fold);
        CHECK(static_cast<JsFold*>(fold.get())->recompiled());
    }

    const char* const keeping[] = {
        "({ A: (s, e) => { s.last = e; } })",
        "({ A: (s, e) => { s.all.push(e); } })",
        "({ A: (s, e) => e })",
        "({ A: (s, e) => { return helper(s, e); } })",
        "({ A: (s, e) => { e.extra = 1; } })",
        "({ A: (s, e) => { e.count++; } })",
        "({ A: (s, e) => { delete e.data; } })",
        "({ A: (s, e) => { s.t = e['type']; } })",
        "({ A: (s, e) => { s.f = () => e.data; } })",
        "({ A: function (s, ev) { s.list = [ev]; } })",
        "({ A: (s, e) => { s.f = function () { return e.version; }; } })",
        "({ A: function () { s.x = arguments[1]; } })",
        "({ A: (s, e) => { s.t = `${e}`; } })",
        "({ A: (s, e) => { s.t = `a ${ { x: 1 }.x } b ${`${e}`}`; } })",
        "({ A: (s, e) => { s.t = `unterminated ${e.type}; } })",
        "({ A: (s, e) => { eval('s.e = e'); } })",
        "({ A: (s, e) => { s.e = e?.data; } })",
        "({ A: (s, e) => { log(e); } })",
        "({ A: (s, e) => { s.x = e.data; } /* unterminated",
        "({ A: Array.prototype.push.bind(kept) })",
        "({ A: (s, e) => { s.o = { get x() { return e.data; } }; } })",
        "({ A: (s, e) => { s.o = { f() { return e.version; } }; } })",
        "({ A: (s, e) => { s.last = \\u0065; } })",
    };
    for (const char* source : keeping) {
        INFO(source);
        CHECK(JsFold::mayKeepEvents(QString::fromUtf8(source)));
    }
}

TEST_CASE("fold reuse: a reducer that keeps events or closures over them sees each event as it was", "[fold][reuse]")
{
    const StreamStore s = countedStore(300);
    for (const int batchSize : { 1, 7, 2048 }) {
        INFO(batchSize);
        // Kept whole: every kept event keeps its own version and data.
        const QJsonObject kept
            = foldAll("({ $init: () => ({ kept: [] }), $any: (s, e) => { s.kept.push(e); } })", s.events, batchSize);
        const QJsonArray list = kept.value(QStringLiteral("kept")).toArray();
        REQUIRE(list.size() == 300);
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonObject e = list.at(i).toObject();
            CHECK(e.value(QStringLiteral("version")).toInteger() == s.events[std::size_t(i)].version);
            CHECK(e.value(QStringLiteral("data")).toObject().value(QStringLiteral("amount")).toInteger() == i + 1);
            CHECK(e.value(QStringLiteral("type")).toString() == s.events[std::size_t(i)].type);
        }
        // Kept by a closure in a global: the fifth event stays the fifth.
        const QJsonObject closure = foldAll("var keep = null;\n"
                                            "({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n++;\n"
                                            "    if (s.n === 5) keep = () => e.data.amount + ':' + e.version;\n"
                                            "    s.fifth = keep ? keep() : null; } })",
            s.events, batchSize);
        CHECK(closure.value(QStringLiteral("fifth")).toString()
            == QStringLiteral("5:") + QString::number(s.events[4].version));
    }
}

TEST_CASE("fold reuse: a shared event object gives every handler its own event's fields", "[fold][reuse]")
{
    const StreamStore s = countedStore(300);
    // The reference: one engine call per event with the envelope read in C++.
    QJSEngine engine;
    QJSValue state = engine.evaluate(QStringLiteral("({ rows: [] })"));
    QJSValue step = engine.evaluate(
        QStringLiteral("(function (s, type, version, position, text, meta) { s.rows.push([type, version, position, "
                       "JSON.parse(text).amount, JSON.parse(meta).messageId]); })"));
    for (const Event& e : s.events)
        step.call({ state, e.type, double(e.version), double(e.position), QString::fromUtf8(e.data.bytes),
            QString::fromUtf8(e.metadata.bytes) });
    const QByteArray expected = engine.evaluate(QStringLiteral("JSON.stringify")).call({ state }).toString().toUtf8();

    const char* const reducer = "({ $init: () => ({ rows: [] }),\n"
                                "   $any: (s, e) => { s.rows.push([e.type, e.version, e.position, e.data.amount,\n"
                                "       e.metadata.messageId]); } })";
    REQUIRE_FALSE(JsFold::mayKeepEvents(QString::fromUtf8(reducer)));
    for (const int batchSize : { 1, 7, 64, 2048 }) {
        INFO(batchSize);
        ReducerError error;
        auto fold = JsReducer(QString::fromUtf8(reducer)).createFold(&error);
        REQUIRE(fold);
        static_cast<JsFold*>(fold.get())->setBatchSize(batchSize);
        REQUIRE(fold->apply(s.events).ok());
        CHECK(fold->stateJson() == expected);
    }
}

TEST_CASE(
    "fold reuse: a stream name read late by a handler is fetched and the batch is not applied twice", "[fold][reuse]")
{
    const StreamStore s = countedStore(10);
    // The source names neither streamId nor .stream, so batches start without stream names.
    const QJsonObject state = foldAll("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n++;\n"
                                      "    if (e.data.amount === 6) s.name = e['stream' + 'Id']; } })",
        s.events, 4);
    CHECK(state.value(QStringLiteral("n")).toInteger() == 10);
    CHECK(state.value(QStringLiteral("name")).toString() == QStringLiteral("account-1"));
}

namespace {

std::unique_ptr<JsFold> loaded(const char* source)
{
    ReducerError error;
    auto fold = JsReducer(QString::fromUtf8(source), QStringLiteral("test.js")).createFold(&error);
    INFO(error.toString().toStdString());
    REQUIRE(fold);
    return std::unique_ptr<JsFold>(static_cast<JsFold*>(fold.release()));
}

} // namespace

TEST_CASE("fold recompile: every reducer form runs from the recompiled handlers with the same results", "[fold][reuse]")
{
    const StreamStore s = countedStore(100);
    // 1 + 3 + ... + 99 over Counted (odd amounts), 2 + 4 + ... + 100 over Other.
    const char* const forms[] = {
        "fromStream('account-1').when({ $init: function () { return { a: 0, b: 0 }; },\n"
        "  Counted: function (s, e) { s.a += e.data.amount; }, Other: function (s, e) { s.b += e.body.amount; } });",
        "var k = 1;\nmodule.exports = { $init: () => ({ a: 0, b: 0 }),\n"
        "  $any: (s, e) => ({ a: s.a + (e.type === 'Counted' ? k * e.data.amount : 0),\n"
        "                     b: s.b + (e.type === 'Other' ? e.data.amount : 0) }) };",
        "function $init() { return { a: 0, b: 0 }; }\nvar twice = 2;\n"
        "function Counted(s, e) { s.a += e.data.amount * twice / 2; }\nfunction Other(s, e) { s.b += e.data.amount; }",
        "// a comment first\n({ $init: () => ({ a: 0, b: 0 }), Counted: (s, e) => { s.a += e.data.amount; },\n"
        "   Other: (s, e) => { s.b += e.data.amount; } })",
    };
    for (const char* source : forms) {
        INFO(source);
        auto fold = loaded(source);
        CHECK(fold->recompiled());
        REQUIRE(fold->apply(s.events).ok());
        const QJsonObject state = fold->state().toObject();
        CHECK(state.value(QStringLiteral("a")).toInteger() == 2500);
        CHECK(state.value(QStringLiteral("b")).toInteger() == 2550);
    }

    // Sources that are not recompiled still fold: a value after other statements, top-level `this`.
    for (const char* source : {
             "var k = 1;\n({ $init: () => ({ a: 0, b: 0 }), $any: (s, e) => { s[e.type === 'Counted' ? 'a' : 'b'] += "
             "k * e.data.amount; } })",
             "this.k = 1;\n({ $init: () => ({ a: 0, b: 0 }), $any: (s, e) => { s[e.type === 'Counted' ? 'a' : 'b'] += "
             "k * e.data.amount; } })",
         }) {
        INFO(source);
        auto fold = loaded(source);
        CHECK_FALSE(fold->recompiled());
        REQUIRE(fold->apply(s.events).ok());
        CHECK(fold->state().toObject().value(QStringLiteral("b")).toInteger() == 2550);
    }
}

TEST_CASE("fold recompile: top-level logs appear once and errors keep the script's line", "[fold][reuse]")
{
    const StreamStore s = countedStore(30);
    auto fold = loaded("log('loading');\n"
                       "fromAll().when({ $init: () => ({ n: 0 }),\n"
                       "   $any: (s, e) => { s.n += 1;\n"
                       "       if (e.data.amount === 13) throw new Error('unlucky'); } });");
    REQUIRE(fold->recompiled());
    CHECK(fold->takeLog() == QStringList { QStringLiteral("loading") });
    for (const int batchSize : { 1, 8, 2048 }) {
        INFO(batchSize);
        fold->setBatchSize(batchSize);
        REQUIRE_FALSE(fold->reset());
        const FoldResult r = fold->apply(s.events);
        REQUIRE(r.error);
        CHECK(r.applied == 12);
        CHECK(r.error->version == s.events[12].version);
        CHECK(r.error->message.contains(QStringLiteral("unlucky")));
        CHECK(r.error->line == 4);
        CHECK(fold->state().toObject().value(QStringLiteral("n")).toInteger() == 12);
    }
}
