// The one job mechanism: results on the caller's thread, exactly one ending per job, cancel that interrupts the
// running statement, typed failures, throttled progress, lanes of their own, and the session's connection state.
#include "samplewriter.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>

#include <catch2/catch.hpp>

using namespace es;

namespace {

struct Endings {
    int finished = 0;
    int failed = 0;
    int cancelled = 0;
    Failure failure;
    int total() const { return finished + failed + cancelled; }
};

template <typename R> JobCallbacks<R> recordInto(Endings& endings)
{
    JobCallbacks<R> callbacks;
    callbacks.finished = [&endings](R) { ++endings.finished; };
    callbacks.failed = [&endings](const Failure& failure) {
        ++endings.failed;
        endings.failure = failure;
    };
    callbacks.cancelled = [&endings] { ++endings.cancelled; };
    return callbacks;
}

QString sampleStore(QTemporaryDir& dir, qint64 events)
{
    const QString path = dir.filePath(QStringLiteral("store.sqlite"));
    writeSampleStore(path, SampleOptions { events, 7, QStringLiteral("emmett") });
    return path;
}

} // namespace

TEST_CASE("A job's result arrives on the caller's thread, after work on the lane's thread", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 500), {} });
    QObject context;
    Endings endings;
    QThread* workThread = nullptr;
    QThread* doneThread = nullptr;
    JobCallbacks<qint64> callbacks = recordInto<qint64>(endings);
    callbacks.finished = [&](qint64 count) {
        ++endings.finished;
        doneThread = QThread::currentThread();
        CHECK(count == 500);
    };
    session.run<qint64>(
        StoreSession::Lane::Interactive, &context,
        [&](EventStore& store, JobControl&) {
            workThread = QThread::currentThread();
            return store.scopeStats({}).count;
        },
        callbacks);
    REQUIRE(test::waitFor([&] { return endings.total() == 1; }));
    CHECK(endings.finished == 1);
    CHECK(doneThread == QThread::currentThread());
    CHECK(workThread != QThread::currentThread());
    CHECK(test::waitFor([&] { return !session.isBusy(); }));
}

TEST_CASE("Cancel ends a job as cancelled and interrupts the statement it is running", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 60000), {} });
    QObject context;
    Endings endings;
    std::atomic<int> scans { 0 };
    // Forty full scans of every payload: seconds of work, unless the statement running is interrupted.
    const JobId job = session.run<int>(
        StoreSession::Lane::Background, &context,
        [&](EventStore& store, JobControl&) {
            EventFilter filter;
            filter.text = QStringLiteral("no payload holds this text");
            for (int i = 0; i < 40; ++i) {
                store.scopeStats(filter);
                ++scans;
            }
            return int(scans);
        },
        recordInto<int>(endings));
    REQUIRE(test::waitFor([&] { return session.isBusy(); }));
    QThread::msleep(50);
    QElapsedTimer clock;
    clock.start();
    session.cancel(job);
    REQUIRE(test::waitFor([&] { return endings.total() == 1; }, 20000));
    INFO("scans before the job ended: " << scans.load() << ", " << clock.elapsed() << " ms after cancel");
    CHECK(endings.cancelled == 1);
    CHECK(scans.load() < 40);
    CHECK(clock.elapsed() < 2000);

    // The lane goes on serving after an interrupted statement.
    Endings next;
    session.run<qint64>(
        StoreSession::Lane::Background, &context,
        [](EventStore& store, JobControl&) { return store.scopeStats({}).count; }, recordInto<qint64>(next));
    REQUIRE(test::waitFor([&] { return next.total() == 1; }));
    CHECK(next.finished == 1);
}

TEST_CASE("A job cancelled before it starts never runs and still ends once", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 200), {} });
    QObject context;
    Endings first, second;
    std::atomic<bool> secondRan { false };
    session.run<int>(
        StoreSession::Lane::Interactive, &context,
        [](EventStore&, JobControl&) {
            QThread::msleep(200);
            return 1;
        },
        recordInto<int>(first));
    const JobId queued = session.run<int>(
        StoreSession::Lane::Interactive, &context,
        [&](EventStore&, JobControl&) {
            secondRan = true;
            return 2;
        },
        recordInto<int>(second));
    session.cancel(queued);
    REQUIRE(test::waitFor([&] { return first.total() == 1 && second.total() == 1; }));
    CHECK(first.finished == 1);
    CHECK(second.cancelled == 1);
    CHECK_FALSE(secondRan.load());
}

TEST_CASE("Failures carry their kind: a store that cannot be opened, a job that throws", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { dir.filePath(QStringLiteral("missing.sqlite")), {} });
    QSignalSpy connectionFailed(&session, &StoreSession::connectionFailed);
    QObject context;
    Endings endings;
    session.run<int>(
        StoreSession::Lane::Interactive, &context, [](EventStore&, JobControl&) { return 1; },
        recordInto<int>(endings));
    REQUIRE(test::waitFor([&] { return endings.total() == 1; }));
    CHECK(endings.failed == 1);
    CHECK(endings.failure.kind != Failure::Kind::Generic);
    CHECK_FALSE(endings.failure.message.isEmpty());
    REQUIRE(test::waitFor([&] { return connectionFailed.count() == 1; }));
    CHECK(connectionFailed.first().first().value<Failure>().kind == endings.failure.kind);

    StoreSession good(StoreOpener { sampleStore(dir, 10), {} });
    Endings thrown;
    good.run<int>(
        StoreSession::Lane::Interactive, &context,
        [](EventStore&, JobControl&) -> int {
            throw StoreError(QStringLiteral("no table emt_messages"), StoreError::Kind::MissingTable);
        },
        recordInto<int>(thrown));
    REQUIRE(test::waitFor([&] { return thrown.total() == 1; }));
    CHECK(thrown.failed == 1);
    CHECK(thrown.failure.kind == Failure::Kind::MissingTable);
}

TEST_CASE("Progress reaches the caller at most ten times a second", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 10), {} });
    QObject context;
    Endings endings;
    int reports = 0;
    qint64 lastDone = -1;
    JobCallbacks<int> callbacks = recordInto<int>(endings);
    callbacks.progress = [&](const JobProgress& p) {
        ++reports;
        CHECK(p.done > lastDone);
        lastDone = p.done;
    };
    QElapsedTimer clock;
    clock.start();
    session.run<int>(
        StoreSession::Lane::Background, &context,
        [](EventStore&, JobControl& control) {
            QElapsedTimer run;
            run.start();
            qint64 i = 0;
            while (run.elapsed() < 1000)
                control.progress(++i, -1, QStringLiteral("spinning"));
            return 0;
        },
        callbacks);
    REQUIRE(test::waitFor([&] { return endings.total() == 1; }));
    const qint64 ms = clock.elapsed();
    CHECK(reports >= 3);
    CHECK(reports <= ms / 100 + 2);
}

TEST_CASE("A lane of its own runs on its own thread and connection, and closes", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 10), {} });
    QObject context;
    QThread* interactive = nullptr;
    QThread* own = nullptr;
    Endings a, b;
    session.run<int>(
        StoreSession::Lane::Interactive, &context,
        [&](EventStore&, JobControl&) {
            interactive = QThread::currentThread();
            return 0;
        },
        recordInto<int>(a));
    const StoreSession::Lane lane = session.openLane(QStringLiteral("test-lane"));
    session.run<int>(
        lane, &context,
        [&](EventStore&, JobControl&) {
            own = QThread::currentThread();
            return 0;
        },
        recordInto<int>(b));
    REQUIRE(test::waitFor([&] { return a.total() == 1 && b.total() == 1; }));
    CHECK(own != interactive);
    CHECK(own->objectName() == QStringLiteral("test-lane"));
    session.closeLane(lane);
    CHECK(test::waitFor([&] { return !session.isBusy(); }));
}

TEST_CASE("A lost connection makes the session say disconnected, probe, and say reconnected", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 10), {} });
    QSignalSpy disconnected(&session, &StoreSession::disconnected);
    QSignalSpy reconnected(&session, &StoreSession::reconnected);
    QObject context;
    Endings endings;
    session.run<int>(
        StoreSession::Lane::Interactive, &context,
        [](EventStore&, JobControl&) -> int {
            throw StoreError(QStringLiteral("server closed the connection"), StoreError::Kind::Disconnected);
        },
        recordInto<int>(endings));
    REQUIRE(test::waitFor([&] { return endings.total() == 1; }));
    CHECK(endings.failure.kind == Failure::Kind::Disconnected);
    REQUIRE(disconnected.count() == 1);
    CHECK(session.isDisconnected());
    CHECK(disconnected.first().at(1).toInt() > 0);
    // The store itself is fine, so the first probe reads and the session is connected again.
    REQUIRE(test::waitFor([&] { return reconnected.count() == 1; }, 15000));
    CHECK_FALSE(session.isDisconnected());
}

TEST_CASE("Results for a context that is gone are dropped, the job still ends", "[session][job]")
{
    QTemporaryDir dir;
    StoreSession session(StoreOpener { sampleStore(dir, 10), {} });
    bool delivered = false;
    {
        QObject context;
        session.run<int>(
            StoreSession::Lane::Interactive, &context,
            [](EventStore&, JobControl&) {
                QThread::msleep(100);
                return 1;
            },
            JobCallbacks<int> { [&](int) { delivered = true; }, {}, {}, {} });
    }
    REQUIRE(test::waitFor([&] { return !session.isBusy(); }));
    CHECK_FALSE(delivered);
}
