// Opening time travel the way the GUI does: a TimeTravelEngine folds a stream and hands its index to the caller's
// thread; then the cursor is moved to random versions. A program, not a test: run it by hand.
//   bench_timetravel STORE [stream] [rounds]
// The store is what bench_fold writes (one stream, account-1); each round opens it with the merge reducer and the
// JS balance reducer, times load() → loaded and 200 cursor moves (requestState → stateReady).
#include "connectors.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timetravelengine.h"
#include "store/storesession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace es;

namespace {

const char* const balanceJs
    = "({ $init: () => ({ balance: 0 }), FundsDeposited: (s, e) => { s.balance += e.data.amount; } })";

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Waits for `signal` of `sender` (or a failure), at most ten minutes.
template <typename Signal> bool waitFor(TimeTravelEngine& engine, Signal signal)
{
    QEventLoop loop;
    bool ok = false;
    auto a = QObject::connect(&engine, signal, &loop, [&] {
        ok = true;
        loop.quit();
    });
    auto b = QObject::connect(&engine, &TimeTravelEngine::loadFailed, &loop, [&] { loop.quit(); });
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(a);
    QObject::disconnect(b);
    return ok;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    if (argc < 2 || !QFile::exists(QString::fromLocal8Bit(argv[1]))) {
        std::fprintf(stderr, "usage: bench_timetravel STORE [stream] [rounds]  (STORE as bench_fold writes it)\n");
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    const QString stream = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QStringLiteral("account-1");
    const int rounds = argc > 3 ? QByteArray(argv[3]).toInt() : 3;

    StoreSession session(StoreOpener { path, {} });
    const std::vector<std::pair<const char*, ReducerPtr>> reducers {
        { "merge", std::make_shared<MergeReducer>() },
        { "balance.js", std::make_shared<JsReducer>(QString::fromUtf8(balanceJs), QStringLiteral("balance.js")) },
    };
    std::printf("%-12s %6s %12s %14s %14s\n", "reducer", "round", "events", "load (s)", "move p50 (ms)");
    for (int round = 0; round < rounds; ++round) {
        for (const auto& [name, reducer] : reducers) {
            TimeTravelEngine engine(&session, stream);
            TimelineIndexPtr index;
            QObject::connect(
                &engine, &TimeTravelEngine::loaded, [&](const TimelineIndexPtr& loaded) { index = loaded; });
            QElapsedTimer timer;
            timer.start();
            engine.load(reducer);
            if (!waitFor(engine, &TimeTravelEngine::loaded) || !index) {
                std::fprintf(stderr, "load failed\n");
                return 1;
            }
            const double loadS = double(timer.nsecsElapsed()) / 1e9;
            std::mt19937 random(7);
            std::uniform_int_distribution<qint64> pick(0, index->count() - 1);
            std::vector<double> moves;
            for (int i = 0; i < 200; ++i) {
                const qint64 version = index->versionAt(pick(random));
                timer.start();
                engine.requestState(version);
                if (!waitFor(engine, &TimeTravelEngine::stateReady))
                    return 1;
                moves.push_back(double(timer.nsecsElapsed()) / 1e6);
            }
            std::printf("%-12s %6d %12lld %14.2f %14.2f\n", name, round, static_cast<long long>(index->count()), loadS,
                median(moves));
        }
    }
    return 0;
}
