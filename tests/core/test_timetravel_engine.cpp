// Time travel as jobs on the session: a long load ends as cancelled soon after cancel(), state requests are
// coalesced, the index reaches the caller shared with the Timeline (never copied), failures carry their kind.
#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timetravelengine.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 60000;

struct Ledger {
    QTemporaryDir dir;
    QString path;
    qint64 events;
    explicit Ledger(qint64 n)
        : path(dir.filePath(QStringLiteral("ledger.sqlite")))
        , events(n)
    {
        std::vector<qint64> amounts;
        amounts.reserve(std::size_t(n));
        for (qint64 i = 0; i < n; ++i)
            amounts.push_back((i * 7919) % 200 - 90);
        test::writeEmmettStream(path, "ledger-1", test::ledger(amounts));
    }
};

} // namespace

TEST_CASE("time travel engine: cancel stops a long load within moments", "[timetravel][engine]")
{
    Ledger ledger(200000);
    StoreSession session(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("ledger-1"));
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    QSignalSpy failed(&engine, &TimeTravelEngine::loadFailed);
    qint64 lastDone = 0;
    QObject::connect(
        &engine, &TimeTravelEngine::progress, [&](const QString&, qint64 done, qint64) { lastDone = done; });
    engine.load(std::make_shared<MergeReducer>());
    REQUIRE(engine.isBusy());
    REQUIRE(waitFor([&] { return lastDone > 0; }, Timeout));
    REQUIRE(lastDone < ledger.events);

    QElapsedTimer clock;
    clock.start();
    engine.cancel();
    REQUIRE(waitFor([&] { return failed.count() == 1; }, Timeout));
    INFO(
        "folded " << lastDone << " of " << ledger.events << " events; ended " << clock.elapsed() << " ms after cancel");
    CHECK(clock.elapsed() < 2000);
    CHECK(failed.first().at(0).value<Failure>().kind == Failure::Kind::Cancelled);
    CHECK(loaded.isEmpty());
    REQUIRE(waitFor([&] { return !engine.isBusy(); }, Timeout));

    // The lane serves the next load as usual.
    engine.load(std::make_shared<MergeReducer>());
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, Timeout));
    CHECK(loaded.first().at(0).value<TimelineIndexPtr>()->count() == ledger.events);
    CHECK(failed.count() == 1);
}

TEST_CASE("time travel engine: the index reaches the caller shared with the Timeline", "[timetravel][engine]")
{
    Ledger ledger(3000);
    StoreSession session(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("ledger-1"));
    TimelineIndexPtr first;
    QObject::connect(&engine, &TimeTravelEngine::loaded, [&](const TimelineIndexPtr& index) { first = index; });
    engine.load(std::make_shared<MergeReducer>());
    REQUIRE(waitFor([&] { return first != nullptr && !engine.isBusy(); }, Timeout));
    // Two owners, the Timeline on the engine's lane and this test: the same object, not a copy of it.
    REQUIRE(waitFor([&] { return first.use_count() == 2; }, Timeout));
    CHECK(first->count() == ledger.events);
    CHECK(first->stream == QLatin1String("ledger-1"));
    CHECK(first->denseVersions);
    CHECK(first->versions.empty());
    CHECK(first->versionAt(first->count() - 1) == ledger.events);

    // Another reducer: a new Timeline and a new index; the one handed out before stays whole, now ours alone.
    const TimelineIndex* before = first.get();
    const TimelineIndexPtr kept = first;
    first.reset();
    engine.load(std::make_shared<MergeReducer>(MergeReducer::Mode::ByType));
    REQUIRE(waitFor([&] { return first != nullptr && !engine.isBusy(); }, Timeout));
    CHECK(first.get() != before);
    REQUIRE(waitFor([&] { return kept.use_count() == 1; }, Timeout));
    CHECK(kept->count() == ledger.events);
    CHECK(kept->reducerName != first->reducerName);
}

TEST_CASE("time travel engine: only the newest state request is answered", "[timetravel][engine]")
{
    Ledger ledger(2000);
    StoreSession session(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("ledger-1"));
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    engine.load(std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += 1; } })"), QStringLiteral("n.js")));
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, Timeout));

    std::vector<CursorState> answers;
    QObject::connect(&engine, &TimeTravelEngine::stateReady, [&](const CursorState& s) { answers.push_back(s); });
    quint64 last = 0;
    for (qint64 version = 1; version <= 50; ++version)
        last = engine.requestState(version * 37);
    REQUIRE(waitFor([&] { return !answers.empty(); }, Timeout));
    QTest::qWait(200);
    REQUIRE(answers.size() == 1);
    CHECK(answers.front().ticket == last);
    CHECK(answers.front().version == 50 * 37);
    CHECK(answers.front().stateJson == "{\"n\":" + QByteArray::number(50 * 37) + "}");
    REQUIRE(answers.front().event);
    CHECK(answers.front().event->version == 50 * 37);
    CHECK_FALSE(answers.front().failure);
}

TEST_CASE("time travel engine: failures carry their kind", "[timetravel][engine]")
{
    Ledger ledger(50);
    StoreSession session(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("ledger-1"));
    QSignalSpy failed(&engine, &TimeTravelEngine::loadFailed);
    // $init throws: the reducer cannot start.
    engine.load(std::make_shared<JsReducer>(QStringLiteral("({ $init: () => { throw new Error('no start'); } })")));
    REQUIRE(waitFor([&] { return failed.count() == 1; }, Timeout));
    const Failure failure = failed.first().at(0).value<Failure>();
    CHECK(failure.kind == Failure::Kind::ReducerError);
    CHECK(failure.message.contains(QLatin1String("no start")));
    REQUIRE(waitFor([&] { return !engine.isBusy(); }, Timeout));

    // A breakpoint predicate that does not compile, after a good load.
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    engine.load(std::make_shared<MergeReducer>());
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, Timeout));
    std::optional<BreakpointResult> hit;
    QObject::connect(&engine, &TimeTravelEngine::breakpointResult, [&](const BreakpointResult& r) { hit = r; });
    engine.findBreakpoint({ QStringLiteral("state.amount >") }, 0);
    REQUIRE(waitFor([&] { return hit.has_value(); }, Timeout));
    REQUIRE(hit->failure);
    CHECK(hit->failure->kind == Failure::Kind::ReducerError);
    CHECK(hit->failure->message.startsWith(QLatin1String("state.amount >:")));
    CHECK_FALSE(hit->found);
}

TEST_CASE("time travel engine: outlives its session without harm", "[timetravel][engine]")
{
    Ledger ledger(500);
    auto session = std::make_unique<StoreSession>(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(session.get(), QStringLiteral("ledger-1"));
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    QSignalSpy closed(&engine, &TimeTravelEngine::sessionClosed);
    engine.load(std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += 1; } })"), QStringLiteral("n.js")));
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, Timeout));
    engine.requestSeries(QJsonArray { QStringLiteral("n") });
    session.reset();
    CHECK(closed.count() == 1);
    CHECK_FALSE(engine.isBusy());
    engine.requestState(3); // nothing to answer it, and nothing breaks
    engine.load(std::make_shared<MergeReducer>());
    CHECK_FALSE(engine.isBusy());
}

TEST_CASE("time travel engine: a reducer named by key loads on the lane; a hanging top level fails there",
    "[timetravel][engine]")
{
    Ledger ledger(500);
    StoreSession session(StoreOpener { ledger.path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("ledger-1"));
    QTemporaryDir dir;
    const QString hang = dir.filePath(QStringLiteral("hang.js"));
    QFile file(hang);
    REQUIRE(file.open(QIODevice::WriteOnly));
    file.write("for (;;) {}\n");
    file.close();

    QSignalSpy failed(&engine, &TimeTravelEngine::loadFailed);
    QElapsedTimer timer;
    timer.start();
    engine.load(hang);
    CHECK(timer.elapsed() < 200); // the caller's thread only queues the job
    REQUIRE(waitFor([&] { return failed.count() == 1; }, Timeout));
    const auto failure = failed.first().at(0).value<Failure>();
    CHECK(failure.kind == Failure::Kind::ReducerError);
    CHECK(failure.message.contains(QLatin1String("loading the script took longer than 2000 ms")));
    CHECK(timer.elapsed() >= JsReducer::defaultBudgetMs);

    // A missing file is an i/o failure; a good key folds.
    engine.load(dir.filePath(QStringLiteral("missing.js")));
    REQUIRE(waitFor([&] { return failed.count() == 2; }, Timeout));
    CHECK(failed.last().at(0).value<Failure>().kind == Failure::Kind::Io);
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    engine.load(QStringLiteral("merge"));
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, Timeout));
    CHECK(loaded.first().at(0).value<TimelineIndexPtr>()->count() == 500);
}
