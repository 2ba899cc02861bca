// Fold::foldStreams folds many short streams in one call into a JavaScript engine (reconciliation's pages of streams):
// each stream's state and error must be exactly what reset(), apply() and stateJson() give for it alone, and a
// hostile reducer (throwing, looping, a state whose toJSON loops, a throwing $init) on one stream must give that
// stream its own error without touching the others.
#include <catch2/catch.hpp>

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/statepaths.h"

#include <QElapsedTimer>
#include <QJsonObject>

using namespace es;

namespace {

constexpr int budgetMs = 200;
constexpr qint64 promptlyMs = 6000;

// Streams s0..s(n-1) of `lengths` events each: a deposit of (stream index + 1) * version, every third a withdrawal.
struct Streams {
    EventList events;
    std::vector<qsizetype> ends;
    Streams(const std::vector<int>& lengths)
    {
        qint64 position = 0;
        for (size_t s = 0; s < lengths.size(); ++s) {
            for (int v = 1; v <= lengths[s]; ++v) {
                Event e;
                e.stream = QStringLiteral("s%1").arg(s);
                e.version = v;
                e.position = ++position;
                e.type = v % 3 == 0 ? QStringLiteral("FundsWithdrawn") : QStringLiteral("FundsDeposited");
                e.data = Payload::json("{\"amount\": " + QByteArray::number(qint64(s + 1) * v) + ", \"stream\": \""
                    + e.stream.toUtf8() + "\"}");
                e.metadata = Payload::json("{\"n\": " + QByteArray::number(position) + "}");
                events.push_back(e);
            }
            ends.push_back(qsizetype(events.size()));
        }
    }
};

std::unique_ptr<Fold> loaded(const QString& source)
{
    ReducerError error;
    auto fold = JsReducer(source, QStringLiteral("hostile.js"), budgetMs).createFold(&error);
    INFO(error.toString().toStdString());
    REQUIRE(fold);
    return fold;
}

// What each stream gives alone, through a fold of its own.
std::vector<Fold::StreamState> alone(const QString& source, const Streams& s)
{
    auto fold = loaded(source);
    std::vector<Fold::StreamState> out;
    qsizetype start = 0;
    for (const qsizetype end : s.ends) {
        Fold::StreamState state;
        state.error = fold->reset();
        if (!state.error) {
            const FoldResult r = fold->apply(s.events.data() + start, end - start);
            state.error = r.error;
        }
        state.state = fold->stateJson();
        out.push_back(state);
        start = end;
    }
    return out;
}

void requireSame(const std::vector<Fold::StreamState>& got, const std::vector<Fold::StreamState>& expected)
{
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
        INFO("stream s" << i);
        CHECK(got[i].state == expected[i].state);
        REQUIRE(got[i].error.has_value() == expected[i].error.has_value());
        if (got[i].error) {
            CHECK(got[i].error->toString() == expected[i].error->toString());
            CHECK(got[i].error->kind == expected[i].error->kind);
            CHECK(got[i].error->line == expected[i].error->line);
        }
    }
}

std::vector<Fold::StreamState> together(const QString& source, const Streams& s)
{
    auto fold = loaded(source);
    std::vector<Fold::StreamState> out;
    fold->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), out);
    return out;
}

const char* const accounts = "({ $init: () => ({ balance: 0, n: 0 }),\n"
                             "   FundsDeposited: (s, e) => { s.balance += e.data.amount; s.n++; },\n"
                             "   FundsWithdrawn: (s, e) => ({ balance: s.balance - e.data.amount, n: s.n + 1 }) })";

} // namespace

TEST_CASE("fold streams: many streams in one call give what each gives alone", "[fold][foldstreams]")
{
    const Streams s({ 1, 20, 3, 7, 2, 1, 40 });
    const QString source = QString::fromLatin1(accounts);
    const auto expected = alone(source, s);
    requireSame(together(source, s), expected);
    CHECK(expected[1].state == QByteArray("{\"balance\":168,\"n\":20}"));

    // The fold serves again afterwards, from a reset.
    auto fold = loaded(source);
    std::vector<Fold::StreamState> out;
    fold->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), out);
    REQUIRE(!fold->reset());
    REQUIRE(fold->apply(s.events.data() + s.ends[0], s.ends[1] - s.ends[0]).ok());
    CHECK(fold->stateJson() == expected[1].state);

    // The merge fold through the default implementation.
    const auto merge = MergeReducer().createFold(nullptr);
    std::vector<Fold::StreamState> merged;
    merge->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), merged);
    REQUIRE(merged.size() == 7);
    CHECK(merged[2].state == QByteArray("{\"amount\":9,\"stream\":\"s2\"}"));
    CHECK(!merged[2].error);

    // A handler that reads metadata and stream names, which batches leave out until a handler asks.
    const QString reading = QStringLiteral("({ $init: () => ({ last: 0, names: '' }),\n"
                                           "   $any: (s, e) => { s.last = e.metadata.n; s.names += e.streamId; } })");
    requireSame(together(reading, s), alone(reading, s));
}

TEST_CASE("fold streams: a hostile reducer on one stream fails that stream alone", "[fold][foldstreams][budget]")
{
    const Streams s({ 5, 6, 4, 9, 3 });
    // Each case misbehaves on stream s1 or s3 only; the other streams must come out as a clean fold gives them.
    const char* const sources[] = {
        // throws in a handler, after mutating the state
        "({ $init: () => ({ balance: 0 }),\n"
        "   FundsDeposited: (s, e) => { s.balance += e.data.amount;\n"
        "       if (e.data.stream === 's1' && e.version === 4) throw new Error('bad deposit'); },\n"
        "   FundsWithdrawn: (s, e) => { s.balance -= e.data.amount; } })",
        // loops forever on one stream
        "({ $init: () => ({ balance: 0 }),\n"
        "   FundsDeposited: (s, e) => { if (e.data.stream === 's3') for (;;); s.balance += e.data.amount; } })",
        // a state whose toJSON loops, on one stream
        "({ $init: () => ({ balance: 0 }),\n"
        "   FundsDeposited: (s, e) => { s.balance += e.data.amount;\n"
        "       if (e.data.stream === 's1') s.toJSON = function () { for (;;); }; } })",
        // $init throws once a handler of s1 ran (for s2, s3 and s4)
        "var bad = false;\n"
        "({ $init: () => { if (bad) throw new TypeError('no init'); return { balance: 0 }; },\n"
        "   FundsDeposited: (s, e) => { s.balance += e.data.amount; if (e.data.stream === 's1') bad = true; } })",
        // returns a state that cannot be serialised on one stream
        "({ $init: () => ({ balance: 0 }),\n"
        "   FundsDeposited: (s, e) => { s.balance += e.data.amount;\n"
        "       if (e.data.stream === 's3') s.big = BigInt(1); } })",
    };
    for (const char* source : sources) {
        INFO(source);
        QElapsedTimer timer;
        timer.start();
        const auto got = together(QString::fromUtf8(source), s);
        const auto expected = alone(QString::fromUtf8(source), s);
        requireSame(got, expected);
        int failed = 0;
        for (const auto& state : got)
            failed += state.error ? 1 : 0;
        CHECK(failed >= 1);
        CHECK(failed <= 3);
        CHECK(timer.elapsed() < 3 * promptlyMs);
    }
}

TEST_CASE("fold streams: values at paths are what the state's JSON holds there", "[fold][foldstreams][reconcile]")
{
    // One kind of state per stream: plain, without a prototype, with toJSON, holding a Date, a class instance and a
    // Map, an array, a number, null; each path must give valueAtPath() of the state's JSON text, whether the engine
    // reads it from the state or has to serialise the whole state.
    const Streams s({ 2, 2, 2, 2, 2, 2, 2, 2 });
    const QString source = QStringLiteral(
        "function build(n, v) {\n"
        "  switch (n) {\n"
        "  case 's0': return { balance: v * 10, owner: 'Ann \"Q\" \\\\ \\u00e9\\u0001', items: [{ sku: 'x' }, "
        "undefined, "
        "function () {}, null], nested: { deep: { n: 1.5, e: 1e21 } }, nan: NaN, inf: -Infinity, neg: -0, "
        "big: 12345678901234567, t: true, f: false, z: null, fn: function () {}, u: undefined, sym: Symbol('s'), "
        "empty: {}, list: [] };\n"
        "  case 's1': { var o = Object.create(null); o.balance = v; o.owner = 'Bo'; return o; }\n"
        "  case 's2': return { balance: v, owner: 'Cy', toJSON: function () { return { balance: 42 }; } };\n"
        "  case 's3': return { balance: v, when: new Date(86400000 * v), inst: new (class { constructor() { this.a = "
        "1; "
        "} })(), m: new Map([[1, 2]]), nested: { deep: { toJSON: function (k) { return 'key ' + k; } } } };\n"
        "  case 's4': return [v, { sku: 'y' }];\n"
        "  case 's5': return 7;\n"
        "  case 's6': return null;\n"
        "  default: { var p = { balance: v }; Object.defineProperty(p, 'hidden', { value: 5, enumerable: false }); "
        "return Object.assign(Object.create(p), { owner: 'Di' }); }\n"
        "  }\n"
        "}\n"
        "({ $init: () => ({}), $any: (s, e) => build(e.data.stream, e.version) })");
    const QStringList texts { QStringLiteral("$"), QStringLiteral("balance"), QStringLiteral("owner"),
        QStringLiteral("items[0].sku"), QStringLiteral("items[1]"), QStringLiteral("items[2]"),
        QStringLiteral("items[3]"), QStringLiteral("items[9]"), QStringLiteral("nested.deep.n"),
        QStringLiteral("nested.deep.e"), QStringLiteral("nested.deep"), QStringLiteral("nan"), QStringLiteral("inf"),
        QStringLiteral("neg"), QStringLiteral("big"), QStringLiteral("t"), QStringLiteral("f"), QStringLiteral("z"),
        QStringLiteral("fn"), QStringLiteral("u"), QStringLiteral("sym"), QStringLiteral("empty"),
        QStringLiteral("list"), QStringLiteral("when"), QStringLiteral("inst.a"), QStringLiteral("inst"),
        QStringLiteral("m"), QStringLiteral("[0]"), QStringLiteral("[1].sku"), QStringLiteral("hidden"),
        QStringLiteral("missing.x"), QStringLiteral("owner.length") };
    std::vector<QJsonArray> paths;
    for (const QString& t : texts)
        paths.push_back(parseJsonPathText(t));
    const auto expected = alone(source, s);
    auto fold = loaded(source);
    std::vector<Fold::StreamState> got;
    fold->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), got, &paths);
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
        INFO("stream s" << i << ": " << expected[i].state.toStdString());
        REQUIRE(!expected[i].error);
        CHECK(!got[i].error);
        CHECK(got[i].state.isEmpty());
        REQUIRE(got[i].values.size() == paths.size());
        const QJsonValue state = parseJsonValue(expected[i].state);
        for (size_t p = 0; p < paths.size(); ++p) {
            INFO("path " << texts[qsizetype(p)].toStdString());
            CHECK(got[i].values[p] == valueAtPath(state, paths[p]));
        }
    }
    CHECK(got[0].values[1] == QJsonValue(20));
    CHECK(got[2].values[1] == QJsonValue(42)); // through the state's toJSON
    CHECK(got[3].values[23].isString()); // the Date as its JSON
    CHECK(got[7].values[29].isUndefined()); // not the state's own: not in its JSON

    // The merge fold gives the same through the default implementation.
    const auto merge = MergeReducer().createFold(nullptr);
    std::vector<Fold::StreamState> merged;
    merge->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), merged, &paths);
    REQUIRE(merged.size() == s.ends.size());
    CHECK(merged[0].values[0]
        == QJsonValue(
            QJsonObject { { QStringLiteral("amount"), 2 }, { QStringLiteral("stream"), QStringLiteral("s0") } }));
    CHECK(merged[0].values[1].isUndefined());
    CHECK(merged[0].state.isEmpty());

    // A reducer that throws on one stream: that stream's error and values are those it gives alone.
    const QString throwing = QStringLiteral("({ $init: () => ({ n: 0 }),\n"
                                            "   $any: (s, e) => { s.n += e.version; if (e.data.stream === 's2') "
                                            "throw new Error('bad'); } })");
    const auto expectedThrowing = alone(throwing, s);
    auto throwingFold = loaded(throwing);
    std::vector<Fold::StreamState> gotThrowing;
    const std::vector<QJsonArray> n { parseJsonPathText(QStringLiteral("n")) };
    throwingFold->foldStreams(s.events.data(), s.ends.data(), qsizetype(s.ends.size()), gotThrowing, &n);
    for (size_t i = 0; i < gotThrowing.size(); ++i) {
        INFO("stream s" << i);
        REQUIRE(gotThrowing[i].error.has_value() == expectedThrowing[i].error.has_value());
        if (gotThrowing[i].error)
            CHECK(gotThrowing[i].error->toString() == expectedThrowing[i].error->toString());
        CHECK(gotThrowing[i].values.front() == valueAtPath(parseJsonValue(expectedThrowing[i].state), n.front()));
    }
    CHECK(gotThrowing[2].error);
    CHECK(gotThrowing[1].values.front() == QJsonValue(3));
}
