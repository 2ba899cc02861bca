// Watchdog: one thread of the process interrupts the engine whose call outlives its budget, and only that one.
#include <catch2/catch.hpp>

#include "fold/js/watchdog.h"

#include <QElapsedTimer>
#include <QJSEngine>

#include <thread>
#include <vector>

using namespace es;

TEST_CASE("fold watchdog: a looping engine is interrupted at its deadline, an idle one is not", "[fold][watchdog]")
{
    QJSEngine looping;
    QJSEngine idle;
    Watchdog loopingWatch(&looping);
    Watchdog idleWatch(&idle);
    // The thread sleeps until the later deadline first: the earlier one must wake it.
    QElapsedTimer timer;
    timer.start();
    idleWatch.arm(60000);
    loopingWatch.arm(150);
    const QJSValue result = looping.evaluate(QStringLiteral("for (;;) {}"));
    const qint64 elapsed = timer.elapsed();
    CHECK(result.isError());
    CHECK(elapsed >= 150);
    CHECK(elapsed < 3000);
    CHECK(loopingWatch.disarm());
    looping.setInterrupted(false);
    CHECK(looping.evaluate(QStringLiteral("6 * 7")).toInt() == 42);
    CHECK_FALSE(idleWatch.disarm());
    CHECK_FALSE(idle.isInterrupted());
}

TEST_CASE("fold watchdog: deadlines after the planned wake-up are found when the thread wakes", "[fold][watchdog]")
{
    QJSEngine first;
    QJSEngine second;
    Watchdog firstWatch(&first);
    Watchdog secondWatch(&second);
    QElapsedTimer timer;
    timer.start();
    firstWatch.arm(50);
    secondWatch.arm(250);
    CHECK(second.evaluate(QStringLiteral("for (;;) {}")).isError());
    CHECK(timer.elapsed() >= 250);
    CHECK(timer.elapsed() < 3000);
    CHECK(secondWatch.disarm());
    CHECK(firstWatch.disarm());
    CHECK(first.isInterrupted());
}

TEST_CASE("fold watchdog: engines in several threads each stop at their own deadline", "[fold][watchdog]")
{
    constexpr int threads = 4;
    std::vector<qint64> elapsed(threads, -1);
    std::vector<int> fired(threads, -1);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([t, &elapsed, &fired] {
            QJSEngine engine;
            Watchdog watchdog(&engine);
            // Short calls first, as a fold's batches are, then one that loops.
            for (int i = 0; i < 1000; ++i) {
                watchdog.arm(5000);
                engine.evaluate(QStringLiteral("1 + 1"));
                if (watchdog.disarm())
                    return;
            }
            QElapsedTimer timer;
            timer.start();
            watchdog.arm(100 + 100 * t);
            engine.evaluate(QStringLiteral("for (;;) {}"));
            elapsed[std::size_t(t)] = timer.elapsed();
            fired[std::size_t(t)] = watchdog.disarm() ? 1 : 0;
        });
    }
    for (std::thread& w : workers)
        w.join();
    for (int t = 0; t < threads; ++t) {
        INFO(t);
        CHECK(fired[std::size_t(t)] == 1);
        CHECK(elapsed[std::size_t(t)] >= 100 + 100 * t);
        CHECK(elapsed[std::size_t(t)] < 3000 + 100 * t);
    }
}

TEST_CASE("fold watchdog: an interruption never lands after the call that it was for", "[fold][watchdog]")
{
    // Deadlines that pass at once race the watchdog thread against disarm(): whichever wins, once disarm() has
    // returned and the interruption is cleared, the engine runs.
    QJSEngine engine;
    Watchdog watchdog(&engine);
    for (int i = 0; i < 2000; ++i) {
        watchdog.arm(0);
        if (i % 2)
            std::this_thread::yield();
        watchdog.disarm();
        engine.setInterrupted(false);
        REQUIRE(engine.evaluate(QStringLiteral("2 + 2")).toInt() == 4);
    }
}
