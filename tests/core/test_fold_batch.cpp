#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/timeline.h"
#include "store/storeregistry.h"

#include <QJSEngine>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>

using namespace es;
using namespace es::test;

namespace {

std::vector<FixtureEvent> counted(int n)
{
    std::vector<FixtureEvent> out;
    for (int i = 1; i <= n; ++i)
        out.push_back({ "Counted", "{\"amount\": " + QByteArray::number(i) + "}", fixtureStartMs + i * 1000 });
    return out;
}

std::unique_ptr<JsFold> jsFold(const char* source, int batchSize)
{
    ReducerError error;
    auto fold = JsReducer(QString::fromUtf8(source)).createFold(&error);
    REQUIRE(fold);
    auto* js = static_cast<JsFold*>(fold.release());
    js->setBatchSize(batchSize);
    return std::unique_ptr<JsFold>(js);
}

// Payloads that stress the way data crosses into the engine.
std::vector<QByteArray> awkwardPayloads()
{
    std::vector<QByteArray> out = {
        R"({"amount": 5})",
        R"({"big": 12345678901234567890, "huge": 1e308, "tiny": 5e-324, "neg": -0.0, "exp": 1.5E+10, "frac": 0.1})",
        R"({"max": 9007199254740993, "min": -9007199254740993, "long": 3.141592653589793238462643383279})",
        R"({"s": "caf\u00e9 \ud83d\ude00 \"q\" \\ back\/slash\n\t"})",
        "{\"name\": \"Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"}",
        R"({"__proto__": {"x": 1}, "y": 2})",
        R"({"sep": "a\u2028b\u2029c"})",
        "{\"rawsep\": \"a\xe2\x80\xa8"
        "b\"}",
        // A raw U+2029 is valid in a JSON key, not in a JS literal.
        "{\"k\xe2\x80\xa9"
        "ey\": 1}",
        R"([1, [2, [3, {"k": null}]], true, false])",
        R"({})",
        R"([])",
        R"("just a string")",
        R"(42)",
        R"(null)",
        R"({"1": "a", "0": "b", "b": 1, "a": 2})",
        R"({"a": 1, "a": 2})",
        "{\n  \"a\" : [ 1 , 2 ] ,\r\n \"b\":{ }\n}",
        R"({"amount": 7, "items": [{"sku": "x", "qty": 2}, {"sku": "y", "qty": 1}]})",
        "not json {",
        "plain text with \"quotes\" and \xc3\xa9",
    };
    QByteArray deep;
    for (int i = 0; i < 24; ++i)
        deep += "{\"d\":";
    deep += "1";
    for (int i = 0; i < 24; ++i)
        deep += "}";
    out.push_back(deep);
    QByteArray large = "{\"list\": [";
    for (int i = 0; i < 1500; ++i)
        large += (i ? "," : "") + QByteArray::number(i);
    out.push_back(large + "]}");
    return out;
}

// The reference: one engine call per event, JSON.parse of each payload, the state as text after each event.
std::vector<QByteArray> naiveStates(const EventList& events)
{
    QJSEngine engine;
    QJSValue state = engine.evaluate(QStringLiteral("({ seen: [] })"));
    QJSValue step = engine.evaluate(QStringLiteral("(function (s, type, text, json) { s.seen.push([type, json ? "
                                                   "JSON.parse(text) : text]); return JSON.stringify(s); })"));
    std::vector<QByteArray> out;
    for (const Event& e : events) {
        const QJSValue text = step.call({ state, e.type, QString::fromUtf8(e.data.bytes), e.data.isJson() });
        REQUIRE(!text.isError());
        out.push_back(text.toString().toUtf8());
    }
    return out;
}

const char* const seenReducer = "({ $init: () => ({ seen: [] }), $any: (s, e) => { s.seen.push([e.type, e.data]); } })";

} // namespace

TEST_CASE("fold batches: the state after every event equals a per-event JSON.parse fold", "[fold][batch]")
{
    const auto payloads = awkwardPayloads();
    std::vector<FixtureEvent> fixture;
    for (int i = 0; i < 300; ++i) {
        const QByteArray type = i % 3 == 0 ? QByteArray("Odd\xc3\xa9vent")
            : i % 3 == 1                   ? QByteArray("Plain")
                                           : QByteArray("x");
        fixture.push_back({ type, payloads[std::size_t(i) % payloads.size()], fixtureStartMs + i * 1000 });
    }
    StreamStore s(fixture);
    REQUIRE(s.events.size() == 300);
    // The non-JSON ones really are stored as text.
    CHECK(std::count_if(s.events.begin(), s.events.end(), [](const Event& e) { return !e.data.isJson(); }) >= 20);
    const std::vector<QByteArray> expected = naiveStates(s.events);

    for (const int batchSize : { 1, 7, 64, 2048 }) {
        auto fold = jsFold(seenReducer, batchSize);
        const FoldResult r = fold->apply(s.events);
        REQUIRE(r.ok());
        CHECK(fold->stateJson() == expected.back());
    }

    // Every version through the timeline: snapshots, jumps and refolds give the same text as the reference.
    Timeline timeline(
        *s.store, QStringLiteral("account-1"), std::make_shared<JsReducer>(QString::fromUtf8(seenReducer)));
    REQUIRE(timeline.build());
    for (qint64 i = 0; i < timeline.count(); ++i) {
        const auto state = timeline.stateJsonAt(timeline.versionAt(i));
        REQUIRE(state);
        CHECK(*state == expected[std::size_t(i)]);
    }
}

TEST_CASE("fold batches: an error in the middle of a batch names its event and keeps the state before", "[fold][batch]")
{
    StreamStore s(counted(30));
    for (const int batchSize : { 8, 2048 }) {
        auto fold = jsFold("({ $init: () => ({ balance: 0, seen: [] }),\n"
                           "   Counted: (s, e) => { s.balance += e.data.amount; s.seen.push(e.data.amount);\n"
                           "       if (e.data.amount === 13) throw new Error('unlucky'); } })",
            batchSize);
        const FoldResult r = fold->apply(s.events);
        REQUIRE(r.error);
        CHECK(r.applied == 12);
        CHECK(r.error->version == s.events[12].version);
        CHECK(r.error->position == s.events[12].position);
        CHECK(r.error->eventType == QStringLiteral("Counted"));
        CHECK(r.error->message.contains(QStringLiteral("unlucky")));
        CHECK(r.error->line == 3);
        const QJsonObject state = fold->state().toObject();
        CHECK(state.value(QStringLiteral("balance")).toInteger() == 78); // 1 + ... + 12
        CHECK(state.value(QStringLiteral("seen")).toArray().size() == 12);
    }
}

TEST_CASE("fold batches: a breakpoint that holds mid-batch stops at that version", "[fold][batch]")
{
    StreamStore s(counted(40));
    auto fold = jsFold("({ $init: () => ({ balance: 0 }), Counted: (s, e) => { s.balance += e.data.amount; } })", 8);
    ReducerError error;
    REQUIRE(fold->setStopPredicate(QStringLiteral("state.balance > 50"), &error));
    const FoldResult r = fold->apply(s.events);
    REQUIRE(r.ok());
    CHECK(r.stopped);
    CHECK(r.applied == 10); // 1 + ... + 10 = 55
    CHECK(fold->state().toObject().value(QStringLiteral("balance")).toInteger() == 55);

    // Through the timeline, over a stream longer than one batch and one page.
    StreamStore longer(counted(5000));
    Timeline timeline(*longer.store, QStringLiteral("account-1"),
        std::make_shared<JsReducer>(QStringLiteral("({ $init: () => ({ n: 0 }), Counted: (s) => { s.n++; } })")));
    REQUIRE(timeline.build());
    const Timeline::BreakHit hit = timeline.findFirst(QStringLiteral("state.n === 3001"));
    REQUIRE(hit.found);
    CHECK(hit.version == timeline.versionAt(3000));
    const Timeline::BreakHit byEvent = timeline.findFirst(QStringLiteral("(s, e) => e.version === 2049"));
    REQUIRE(byEvent.found);
    CHECK(byEvent.version == 2049);
}

TEST_CASE(
    "fold batches: metadata read late by a handler is fetched and the batch is not applied twice", "[fold][batch]")
{
    StreamStore s(counted(10));
    // The source does not name metadata, so batches start without it.
    auto fold = jsFold("({ $init: () => ({ n: 0 }), Counted: (s, e) => { s.n++;\n"
                       "    if (e.data.amount === 6) s.stream = e['meta' + 'data'].streamName; } })",
        4);
    const FoldResult r = fold->apply(s.events);
    REQUIRE(r.ok());
    const QJsonObject state = fold->state().toObject();
    CHECK(state.value(QStringLiteral("n")).toInteger() == 10);
    CHECK(state.value(QStringLiteral("stream")).toString() == QStringLiteral("account-1"));
}
