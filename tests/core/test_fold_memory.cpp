// Memory budgets of a fold: the reducer's state (JS and merge), the snapshots a timeline keeps, the reducer's log.
#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>

using namespace es;
using namespace es::test;

namespace {

std::unique_ptr<JsFold> jsFold(const char* source)
{
    ReducerError error;
    auto fold = JsReducer(QString::fromUtf8(source), QStringLiteral("memory.js")).createFold(&error);
    INFO(error.toString().toStdString());
    REQUIRE(fold);
    return std::unique_ptr<JsFold>(static_cast<JsFold*>(fold.release()));
}

EventList events(int n, const std::function<QByteArray(int)>& data)
{
    EventList out;
    for (int i = 0; i < n; ++i) {
        Event e;
        e.stream = QStringLiteral("account-1");
        e.version = i + 1;
        e.position = i + 1;
        e.type = QStringLiteral("Noted");
        e.data = Payload::json(data(i));
        out.push_back(std::move(e));
    }
    return out;
}

// Events that each add a key of their own: the merge state grows by about 20 bytes an event.
std::vector<FixtureEvent> growing(int n)
{
    std::vector<FixtureEvent> out;
    for (int i = 0; i < n; ++i)
        out.push_back({ "Noted", "{\"key" + QByteArray::number(i) + "\": " + QByteArray::number(i * 7) + "}",
            fixtureStartMs + i * 1000 });
    return out;
}

} // namespace

TEST_CASE("fold memory: a JS state that grows past the budget stops the fold with a memory error", "[fold][memory]")
{
    // An array pushed to on every event, about 1 KB an event.
    auto fold = jsFold("({ $init: () => ({ seen: [] }),\n"
                       "   $any: (s, e) => { s.seen.push('event ' + e.version + ' '.repeat(1000)); } })");
    fold->setMemoryBudget(1024 * 1024);
    const EventList list = events(10000, [](int i) -> QByteArray { return "{\"i\": " + QByteArray::number(i) + "}"; });
    const FoldResult r = fold->apply(list);
    REQUIRE(r.error);
    CHECK(r.error->kind == ReducerError::Kind::Memory);
    CHECK(r.error->message.contains(QStringLiteral("past the memory budget of 1.0 MB")));
    // Measured after each batch of 2048: the first took it past 1 MB, and is blamed on its last event.
    CHECK(r.applied == 2047);
    CHECK(r.error->version == 2048);
    CHECK(fold->state().toObject().value(QStringLiteral("seen")).toArray().size() == 2047);
    CHECK(r.error->toString().contains(QStringLiteral("Noted at version 2048: out of memory budget")));

    // One huge string in one event, measured after its batch (here of four events).
    auto big = jsFold("({ $any: (s, e) => { if (e.version === 3) s.big = 'x'.repeat(5 * 1024 * 1024); } })");
    big->setMemoryBudget(1024 * 1024);
    big->setBatchSize(4);
    const FoldResult huge = big->apply(list);
    REQUIRE(huge.error);
    CHECK(huge.error->kind == ReducerError::Kind::Memory);
    CHECK(huge.applied == 3);
    CHECK(huge.error->message.contains(QStringLiteral("5.0 MB")));

    // The same reducers within the budget, and with no limit.
    auto within = jsFold("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += 1; } })");
    within->setMemoryBudget(1024);
    CHECK(within->apply(list).ok());
    auto unlimited = jsFold("({ $init: () => ({ seen: [] }), $any: (s, e) => { s.seen.push(e.version); } })");
    unlimited->setMemoryBudget(0);
    CHECK(unlimited->apply(list).ok());
}

TEST_CASE("fold memory: the merge fold counts its state as it merges", "[fold][memory]")
{
    for (const auto mode : { MergeReducer::Mode::Flat, MergeReducer::Mode::ByType }) {
        INFO(int(mode));
        auto fold = MergeReducer(mode).createFold(nullptr);
        const qint64 budget = 100 * 1024;
        fold->setMemoryBudget(budget);
        const EventList list = events(20000, [](int i) -> QByteArray {
            return "{\"key" + QByteArray::number(i) + "\": \"" + QByteArray(80, 'v') + "\"}";
        });
        const FoldResult r = fold->apply(list);
        REQUIRE(r.error);
        CHECK(r.error->kind == ReducerError::Kind::Memory);
        CHECK(r.error->version == r.applied + 1);
        // The state as of the event before: the first past the budget, by at most that event.
        const qint64 size = fold->stateJson().size();
        CHECK(size >= budget - 1);
        CHECK(size < budget + 120);
        CHECK(r.applied > 900);
        CHECK(r.applied < 1200);

        // Replacing values (scalars, objects by scalars and back) does not count them twice.
        auto replacing = MergeReducer(mode).createFold(nullptr);
        replacing->setMemoryBudget(2048);
        const EventList same = events(20000, [](int i) -> QByteArray {
            if (i % 3 == 0)
                return "{\"a\": {\"b\": " + QByteArray::number(i) + ", \"c\": [1, 2, 3]}}";
            return "{\"a\": \"" + QByteArray(i % 50, 'w') + "\", \"n\": " + QByteArray::number(i) + "}";
        });
        const FoldResult steady = replacing->apply(same);
        INFO((steady.error ? steady.error->toString() : QString()).toStdString());
        CHECK(steady.ok());
        CHECK(replacing->stateJson().size() < 200);
        // A state set from JSON is counted from it.
        replacing->setMemoryBudget(64);
        REQUIRE(replacing->setStateJson("{\"x\": \"" + QByteArray(100, 'z') + "\"}"));
        const FoldResult afterSet = replacing->apply(same.data(), 1);
        REQUIRE(afterSet.error);
        CHECK(afterSet.error->kind == ReducerError::Kind::Memory);
        CHECK(afterSet.applied == 0);
    }
}

TEST_CASE("fold memory: a timeline stops at the budget and says so; states before it stay", "[fold][memory][timeline]")
{
    StreamStore s(growing(3000));
    for (const ReducerPtr& reducer : { ReducerPtr(std::make_shared<MergeReducer>()),
             ReducerPtr(std::make_shared<JsReducer>(
                 QStringLiteral("({ $any: (s, e) => { Object.assign(s, e.data); } })"), QStringLiteral("grow.js"))) }) {
        INFO(reducer->name().toStdString());
        TimelineOptions options;
        options.memoryBudgetBytes = 20 * 1024;
        Timeline t(*s.store, QStringLiteral("account-1"), reducer, options);
        REQUIRE(t.build());
        REQUIRE(t.reducerError());
        CHECK(t.reducerError()->kind == ReducerError::Kind::Memory);
        CHECK(t.index()->errorIndex > 500);
        CHECK(t.index()->errorIndex < 3000);
        // As of the event before the one named: for the merge fold past the budget, for a JS fold (measured after
        // each run of events the timeline folds, 16 or more) near it.
        const auto last = t.stateJsonAt(t.lastVersion());
        REQUIRE(last);
        CHECK(last->size() > 15 * 1024);
        CHECK(last->size() < 25 * 1024);
    }
}

TEST_CASE("fold memory: the snapshot budget is a hard cap at every size", "[fold][memory][timeline]")
{
    StreamStore s(growing(3000));
    for (const qint64 budget : { qint64(40 * 1024), qint64(1024) }) {
        INFO(budget);
        TimelineOptions options;
        options.minInterval = options.maxInterval = 16; // the largest interval already: the old cap stopped here
        options.snapshotBudgetBytes = budget;
        Timeline t(*s.store, QStringLiteral("account-1"), std::make_shared<MergeReducer>(), options);
        REQUIRE(t.build());
        CHECK(t.snapshotBytes() <= budget);
        CHECK(t.snapshotInterval() > 16);
        CHECK(t.snapshotCount() >= 1);
        // Every state still right: the merge of the events up to it.
        for (const qint64 version : { qint64(1), qint64(777), qint64(2999), qint64(3000) }) {
            const QJsonObject state = t.stateAt(version).toObject();
            CHECK(state.size() == version);
            CHECK(state.value(QStringLiteral("key%1").arg(version - 1)).toInteger() == (version - 1) * 7);
        }
    }
}

TEST_CASE("fold memory: the reducer's log is capped in bytes", "[fold][memory]")
{
    const EventList list = events(40, [](int i) -> QByteArray { return "{\"i\": " + QByteArray::number(i) + "}"; });
    auto fold = jsFold("({ $any: (s, e) => { log('big ' + e.version, 'x'.repeat(1024 * 1024)); } })");
    QElapsedTimer timer;
    timer.start();
    const FoldResult applied = fold->apply(list);
    INFO((applied.error ? applied.error->message.toStdString() : std::string()));
    REQUIRE(applied.ok());
    const QStringList logs = fold->takeLog();
    qint64 chars = 0;
    for (const QString& m : logs)
        chars += m.size();
    CHECK(chars <= 128 * 1024);
    REQUIRE_FALSE(logs.isEmpty());
    CHECK(logs.back().startsWith(QStringLiteral("big 40 xxx")));
    CHECK(logs.back().contains(QStringLiteral("more characters)")));
    CHECK(logs.back().size() < 8300);
    CHECK(fold->takeLog().isEmpty());

    // Many small messages: the last thousand at most.
    auto chatty = jsFold("({ $any: (s, e) => { for (var i = 0; i < 100; ++i) console.log('m', e.version, i); } })");
    REQUIRE(chatty->apply(list).ok());
    const QStringList many = chatty->takeLog();
    CHECK(many.size() == 1000);
    CHECK(many.back() == QStringLiteral("m 40 99"));
}
