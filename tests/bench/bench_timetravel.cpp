// Opening time travel the way the GUI does: a TimeTravelEngine folds a stream and hands its index to the caller's
// thread; then the cursor is moved to random versions. A program, not a test: run it by hand.
//   bench_timetravel STORE [stream] [rounds]
// The store is what bench_fold writes (one stream, account-1); each round opens it with the merge reducer and the
// JS balance reducer, times load() → loaded and 200 cursor moves (requestState → stateReady).
//   bench_timetravel --synthetic EVENTS [KEYS] [VALUE_BYTES] [SNAPSHOT_BUDGET_MB]
// Memory of time travel on a stream too long to write as a store: a Timeline folds EVENTS generated events (one
// stream, positions with gaps, a time per event, 12 types) with the merge reducer, each event setting one of KEYS
// keys (default 1) to a string of VALUE_BYTES (default 8), so the state holds about KEYS * (VALUE_BYTES + 10)
// bytes; snapshots within SNAPSHOT_BUDGET_MB (default 64, the GUI's). Then 50 jumps to random versions. Prints
// the peak resident memory (getrusage), the snapshots kept and their bytes.
#include "connectors.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "fold/timetravelengine.h"
#include "store/storesession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <sys/resource.h>

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

// A stream computed on demand: event i has version i, position 3i + 1, a time 250 ms after the one before and
// data {"k<i % keys>": "vvv…"} (one payload per key, shared). Nothing per event is kept, so any length fits.
class GeneratedStore : public EventStore {
public:
    GeneratedStore(qint64 events, int keys, int valueBytes)
        : m_events(events)
        , m_keys(qMax(1, keys))
    {
        for (int t = 0; t < 12; ++t)
            m_types.append(QStringLiteral("Type%1Happened").arg(t));
        for (int k = 0; k < m_keys; ++k)
            m_payloads.push_back(
                Payload::json("{\"k" + QByteArray::number(k) + "\":\"" + QByteArray(qMax(0, valueBytes), 'v') + "\"}"));
    }
    QString address() const override { return QStringLiteral("generated"); }
    StoreInfo info(bool) override { return {}; }
    CategoryList categories() override { return {}; }
    StreamList streams(const StreamQuery&) override { return {}; }
    std::optional<StreamInfo> stream(const QString&) override { return std::nullopt; }
    ScopeStats scopeStats(const EventFilter&) override { return { m_events, 0, m_events - 1 }; }
    std::vector<qint64> keyAnchors(const EventFilter&, int) override { return {}; }
    std::function<void()> interruption() override { return {}; }
    EventPage events(const EventQuery& query) override
    {
        EventPage page;
        const qint64 from = qMax<qint64>(0, query.from);
        const qint64 to = qMin(m_events - 1, query.to < 0 ? m_events - 1 : query.to);
        const qint64 end = qMin(to + 1, from + query.limit);
        page.events.reserve(std::size_t(qMax<qint64>(0, end - from)));
        for (qint64 i = from; i < end; ++i) {
            Event& e = page.events.emplace_back();
            e.version = i;
            e.position = 3 * i + 1;
            e.stream = m_stream;
            e.type = m_types[int((i * 7 + i / 5) % 12)];
            e.time = QDateTime::fromMSecsSinceEpoch(m_start + i * 250, Qt::UTC);
            e.data = m_payloads[std::size_t(i % m_keys)];
        }
        page.atEnd = end > to;
        page.next = end;
        return page;
    }

private:
    qint64 m_events;
    int m_keys;
    QStringList m_types;
    std::vector<Payload> m_payloads;
    QString m_stream = QStringLiteral("generated-1");
    qint64 m_start = 1700000000000;
};

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

int synthetic(qint64 events, int keys, int valueBytes, qint64 snapshotBudgetMb)
{
    GeneratedStore store(events, keys, valueBytes);
    TimelineOptions options;
    options.snapshotBudgetBytes = snapshotBudgetMb * 1024 * 1024;
    Timeline timeline(store, QStringLiteral("generated-1"), std::make_shared<MergeReducer>(), options);
    QElapsedTimer timer;
    timer.start();
    qint64 lastReport = 0;
    const bool built = timeline.build([&](qint64 done, qint64 total) {
        if (done - lastReport >= 10000000) {
            lastReport = done;
            std::fprintf(stderr, "%lld/%lld events, peak RSS %.0f MB\n", static_cast<long long>(done),
                static_cast<long long>(total), peakRssMb());
        }
        return true;
    });
    if (!built) {
        std::fprintf(stderr, "build failed: %s\n", qPrintable(timeline.error()));
        return 1;
    }
    const double buildS = double(timer.nsecsElapsed()) / 1e9;
    const double afterBuild = peakRssMb();
    std::mt19937 random(7);
    std::uniform_int_distribution<qint64> pick(0, timeline.count() - 1);
    std::vector<double> jumps;
    for (int i = 0; i < 50; ++i) {
        timer.start();
        if (!timeline.stateJsonAt(timeline.versionAt(pick(random))))
            return 1;
        jumps.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::printf("events %lld  build %.1f s  peak RSS after build %.0f MB, after 50 jumps %.0f MB\n",
        static_cast<long long>(timeline.count()), buildS, afterBuild, peakRssMb());
    // The index's own bytes where it can say (TimelineIndex::bytes(), from the compact index on).
    const auto indexBytes = [](const auto& index) -> qint64 {
        if constexpr (requires { index.bytes(); })
            return index.bytes();
        else
            return -1;
    };
    const qint64 ixBytes = indexBytes(*timeline.index());
    if (ixBytes >= 0)
        std::printf("index %.1f MB, %.2f bytes an event\n", double(ixBytes) / 1048576.0,
            double(ixBytes) / double(qMax<qint64>(1, timeline.count())));
    std::printf("snapshots %zu (every %d events) holding %.1f MB; state %.1f KB; jump p50 %.1f ms\n",
        timeline.snapshotCount(), timeline.snapshotInterval(), double(timeline.snapshotBytes()) / 1048576.0,
        double(timeline.stateJsonAt(timeline.lastVersion())->size()) / 1024.0, median(jumps));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc > 2 && QByteArray(argv[1]) == "--synthetic")
        return synthetic(QByteArray(argv[2]).toLongLong(), argc > 3 ? QByteArray(argv[3]).toInt() : 1,
            argc > 4 ? QByteArray(argv[4]).toInt() : 8, argc > 5 ? QByteArray(argv[5]).toLongLong() : 64);
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
