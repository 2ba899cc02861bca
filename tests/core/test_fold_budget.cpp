// Hostile reducers: every way the C++ side calls into the reducer's code ends in a reducer error within the budget.
#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/timeline.h"

#include <QElapsedTimer>
#include <QJsonObject>

using namespace es;
using namespace es::test;

namespace {

constexpr int budgetMs = 200;
// Several budgets at most: a hang would take forever, a loaded machine may take a little longer.
constexpr qint64 promptlyMs = 4000;

JsReducer hostile(const char* source)
{
    return JsReducer(QString::fromUtf8(source), QStringLiteral("hostile.js"), budgetMs);
}

std::unique_ptr<JsFold> loaded(const char* source)
{
    ReducerError error;
    auto fold = hostile(source).createFold(&error);
    INFO(error.toString().toStdString());
    REQUIRE(fold);
    return std::unique_ptr<JsFold>(static_cast<JsFold*>(fold.release()));
}

} // namespace

TEST_CASE("fold budget: enumerating handlers that never end is a timeout when the reducer loads", "[fold][budget]")
{
    const char* const sources[] = {
        "fromAll().when(new Proxy({}, { ownKeys() { for (;;); } }));",
        "module.exports = new Proxy({}, { ownKeys() { for (;;); } });",
        "fromAll().when(new Proxy({ A: (s, e) => s }, { get() { for (;;); } }));",
        "({ $init: () => ({}), get A() { for (;;); } })",
        "Object.defineProperty(this, 'handler', { enumerable: true, get() { for (;;); } });",
    };
    for (const char* source : sources) {
        INFO(source);
        QElapsedTimer timer;
        timer.start();
        const auto error = hostile(source).check();
        CHECK(timer.elapsed() < promptlyMs);
        REQUIRE(error);
        CHECK(error->kind == ReducerError::Kind::Timeout);
        CHECK(error->message.contains(QStringLiteral("took longer than 200 ms")));
    }
}

TEST_CASE("fold budget: an error whose message, name or toString never ends is a reducer error", "[fold][budget]")
{
    StreamStore s(ledger({ 10, 20, 30 }));
    const char* const throwers[] = {
        "{ name: 'Oops', get message() { for (;;); } }",
        "{ get name() { for (;;); } }",
        "{ toString() { for (;;); } }",
        "new Proxy({}, { get() { for (;;); } })",
        "(function () { var x = new Error('x'); Object.defineProperty(x, 'message', { get() { for (;;); } }); "
        "return x; })()",
    };
    for (const char* thrown : throwers) {
        INFO(thrown);
        const QByteArray handler = "({ $init: () => ({ balance: 0 }),\n"
                                   "   FundsDeposited: (s, e) => { if (e.data.amount === 20) throw "
            + QByteArray(thrown) + "; s.balance += e.data.amount; } })";
        auto fold = loaded(handler.constData());
        QElapsedTimer timer;
        timer.start();
        const FoldResult r = fold->apply(s.events);
        CHECK(timer.elapsed() < promptlyMs);
        REQUIRE(r.error);
        CHECK(r.error->kind == ReducerError::Kind::Timeout);
        CHECK(r.error->message == QStringLiteral("reading what the reducer threw took longer than 200 ms"));
        CHECK(r.applied == 1);
        CHECK(r.error->version == s.events[1].version);
        // The fold still works: the state is the one before the failing event.
        CHECK(fold->state().toObject().value(QStringLiteral("balance")).toInteger() == 10);

        // The same thrown by $init.
        const QByteArray init = "({ $init: () => { throw " + QByteArray(thrown) + "; } })";
        timer.start();
        const auto initError = hostile(init.constData()).check();
        CHECK(timer.elapsed() < promptlyMs);
        REQUIRE(initError);
        CHECK(initError->kind == ReducerError::Kind::Timeout);
        CHECK(initError->eventType == QStringLiteral("$init"));
    }

    // An Error thrown by the script itself (QJSEngine::evaluate returns other thrown values as the script's value).
    for (const char* property : { "name", "message" }) {
        INFO(property);
        const QByteArray script = "var x = new Error('x');\nObject.defineProperty(x, '" + QByteArray(property)
            + "', { get() { for (;;); } });\nthrow x;";
        QElapsedTimer timer;
        timer.start();
        const auto error = hostile(script.constData()).check();
        CHECK(timer.elapsed() < promptlyMs);
        REQUIRE(error);
        CHECK(error->kind == ReducerError::Kind::Timeout);
        CHECK(error->message == QStringLiteral("reading what the reducer threw took longer than 200 ms"));
    }
}

TEST_CASE("fold budget: a state whose toJSON never ends stops the fold with a timeout", "[fold][budget]")
{
    StreamStore s(ledger({ 10, 20, 30 }));
    auto fold = loaded("({ $init: () => ({ balance: 0, toJSON() { for (;;); } }),\n"
                       "   FundsDeposited: (s, e) => { s.balance += e.data.amount; } })");
    QElapsedTimer timer;
    timer.start();
    // The state is saved as text at the start of each batch, to go back to when a handler fails.
    const FoldResult r = fold->apply(s.events);
    REQUIRE(r.error);
    CHECK(r.error->kind == ReducerError::Kind::Timeout);
    CHECK(r.applied == 0);
    CHECK(fold->stateJson() == QByteArray("null"));
    CHECK(timer.elapsed() < promptlyMs);

    // A toJSON that starts looping after the second event, through a timeline that snapshots every event.
    const auto late = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ balance: 0 }),\n"
                       "   FundsDeposited: (s, e) => { s.balance += e.data.amount;\n"
                       "       if (e.data.amount === 20) s.toJSON = function () { for (;;); }; } })"),
        QStringLiteral("late.js"), budgetMs);
    TimelineOptions options;
    options.minInterval = 1;
    options.maxInterval = 1;
    Timeline timeline(*s.store, QStringLiteral("account-1"), late, options);
    timer.start();
    REQUIRE(timeline.build());
    REQUIRE(timeline.reducerError());
    CHECK(timeline.reducerError()->kind == ReducerError::Kind::Timeout);
    // Caught as the state is measured after the event that set the toJSON (the memory budget measures it there).
    CHECK(timeline.reducerError()->version == s.events[1].version);
    CHECK(timeline.stateAt(timeline.firstVersion()).toObject().value(QStringLiteral("balance")).toInteger() == 10);
    CHECK(timer.elapsed() < 2 * promptlyMs);
}

TEST_CASE("fold budget: built-ins the script replaces with endless loops end in timeouts", "[fold][budget]")
{
    StreamStore s(ledger({ 10, 20, 30 }));
    QElapsedTimer timer;

    // Compiling the shape of the first payload, and a breakpoint.
    auto function = loaded("Function = function () { for (;;); };\n"
                           "({ FundsDeposited: (s, e) => { s.n = (s.n || 0) + 1; } })");
    timer.start();
    const FoldResult shaped = function->apply(s.events);
    REQUIRE(shaped.error);
    CHECK(shaped.error->kind == ReducerError::Kind::Timeout);
    ReducerError error;
    CHECK_FALSE(function->setStopPredicate(QStringLiteral("state.n > 1"), &error));
    CHECK(error.kind == ReducerError::Kind::Timeout);
    CHECK(error.message.startsWith(QStringLiteral("breakpoint")));
    CHECK(timer.elapsed() < promptlyMs);

    // Reading the state, parsing a state back, going back after a failing handler.
    auto json = loaded("({ $init: () => ({ n: 0 }), FundsDeposited: (s, e) => {\n"
                       "    if (e.data.amount === 30) { JSON.stringify = JSON.parse = function () { for (;;); };\n"
                       "        throw new Error('now'); } s.n++; } })");
    timer.start();
    const FoldResult parsed = json->apply(s.events);
    REQUIRE(parsed.error);
    CHECK(parsed.error->message.contains(QStringLiteral("now")));
    CHECK(json->stateJson() == QByteArray("null"));
    CHECK_FALSE(json->setStateJson("{\"n\": 5}"));
    CHECK(timer.elapsed() < promptlyMs);

    // Taking the log.
    auto logs = loaded("log('one');\nArray.prototype.splice = function () { for (;;); };\n"
                       "({ FundsDeposited: (s, e) => s })");
    timer.start();
    CHECK(logs->takeLog().isEmpty());
    CHECK(timer.elapsed() < promptlyMs);
}
