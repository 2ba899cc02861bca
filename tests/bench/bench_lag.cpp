// Lag and tail benchmark, run by hand against a Message DB store made by
//   eventscope-cli sample "host=... dbname=build-pglag_bench" --layout messagedb --events N
// Usage: bench_lag "<libpq address>" [checkpoints=200] [seconds=10]
// It WRITES to that (sample) database: 200 position streams (Recorded messages), then events from 8 writers at
// 2,000 events/s in total while a Tailer polls every 200 ms (eventscope-cli tail's default); it reports the time of
// one lag poll and the commit-to-seen latency p50/p99.
#include "connectors.h"
#include "lag.h"
#include "storeregistry.h"
#include "tailer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QThread>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

using namespace es;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_lag \"<libpq address>\" [checkpoints=200] [seconds=10]\n");
        return 2;
    }
    const QString address = args.at(1);
    const int checkpoints = args.size() > 2 ? args.at(2).toInt() : 200;
    const int seconds = args.size() > 3 ? args.at(3).toInt() : 10;
    try {
        pqxx::connection setup(address.toStdString());
        {
            pqxx::work tx(setup);
            tx.exec0("SET search_path TO message_store, public");
            const long head = tx.exec1("SELECT coalesce(max(global_position), 0) FROM messages")[0].as<long>();
            // Consumers spread over the log, in 20 categories of the sample ('account' .. or whatever exists).
            const pqxx::result cats = tx.exec(
                "SELECT DISTINCT split_part(stream_name, '-', 1) FROM (SELECT stream_name FROM messages ORDER BY "
                "global_position DESC LIMIT 5000) s");
            for (int i = 0; i < checkpoints; ++i) {
                const std::string cat = cats.empty() ? std::string("bench") : cats[size_t(i) % cats.size()][0].c_str();
                // As write_message stores it (the sample database has the table, not the functions).
                tx.exec_params("INSERT INTO messages (stream_name, position, type, data) VALUES ($1, 0, 'Recorded', "
                               "jsonb_build_object('position', $2::bigint))",
                    cat + ":position-bench" + std::to_string(i),
                    head - long(i) * (head / std::max(1, checkpoints)) / 2);
            }
            tx.commit();
        }
        auto store = StoreRegistry::open(address);
        std::vector<double> times;
        size_t readings = 0;
        for (int i = 0; i < 21; ++i) {
            QElapsedTimer t;
            t.start();
            const LagPoll poll = pollLag(*store);
            times.push_back(double(t.nsecsElapsed()) / 1e6);
            readings = poll.readings.size();
        }
        std::sort(times.begin(), times.end());
        const long events = store->scopeStats(EventFilter {}).count;
        std::printf("lag poll: %zu checkpoints, %ld events: median %.1f ms, min %.1f ms, max %.1f ms\n", readings,
            events, times[times.size() / 2], times.front(), times.back());

        // Tail latency under 8 writers at 2,000 events/s.
        Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
        tailer.poll(*store);
        std::mutex mutex;
        QHash<QString, Clock::time_point> committedAt;
        std::atomic<bool> stop { false };
        std::vector<std::thread> writers;
        for (int w = 0; w < 8; ++w) {
            writers.emplace_back([&, w] {
                pqxx::connection conn(address.toStdString());
                pqxx::nontransaction(conn).exec0("SET search_path TO message_store, public");
                long n = 0;
                const auto start = Clock::now();
                while (!stop) {
                    // 250 events/s per writer, in transactions of 5.
                    std::vector<std::string> ids;
                    pqxx::work tx(conn);
                    for (int i = 0; i < 5; ++i) {
                        ids.push_back(tx.exec1("SELECT gen_random_uuid()::text")[0].c_str());
                        tx.exec_params("INSERT INTO messages (id, stream_name, position, type, data) "
                                       "VALUES ($1::uuid, $2, 0, 'Written', '{}')",
                            ids.back(), "benchtail" + std::to_string(w) + "-" + std::to_string(n + i));
                    }
                    tx.commit();
                    const auto at = Clock::now();
                    {
                        std::lock_guard<std::mutex> lock(mutex);
                        for (const std::string& id : ids)
                            committedAt.insert(QString::fromStdString(id), at);
                    }
                    n += 5;
                    std::this_thread::sleep_until(start + std::chrono::microseconds(n * 4000));
                }
            });
        }
        std::vector<double> latency;
        QHash<QString, Clock::time_point> seenAt;
        const auto end = Clock::now() + std::chrono::seconds(seconds);
        while (Clock::now() < end + std::chrono::seconds(2)) {
            if (Clock::now() >= end)
                stop = true;
            const auto pollStart = Clock::now();
            const EventList batch = tailer.poll(*store);
            const auto now = Clock::now();
            for (const Event& e : batch)
                seenAt.insert(e.id, now);
            std::this_thread::sleep_until(pollStart + std::chrono::milliseconds(200));
        }
        for (std::thread& t : writers)
            t.join();
        for (auto it = committedAt.cbegin(); it != committedAt.cend(); ++it) {
            const auto seen = seenAt.find(it.key());
            if (seen != seenAt.end())
                latency.push_back(std::chrono::duration<double, std::milli>(seen.value() - it.value()).count());
        }
        std::sort(latency.begin(), latency.end());
        if (latency.empty()) {
            std::printf("tail: nothing seen\n");
            return 1;
        }
        std::printf("tail (poll 200 ms, 8 writers, %.0f events/s): %zu committed, %zu seen; commit->seen p50 %.0f ms, "
                    "p99 %.0f ms, max %.0f ms\n",
            double(committedAt.size()) / seconds, size_t(committedAt.size()), latency.size(),
            latency[latency.size() / 2], latency[latency.size() * 99 / 100], latency.back());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_lag: %s\n", e.what());
        return 1;
    }
    return 0;
}
