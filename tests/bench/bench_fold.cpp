// Fold throughput and timeline jumps on a 1,000,000-event stream. A program, not a test: run it by hand.
//   bench_fold [events] [store-path] [js [rounds]]
//   bench_fold watchdog [pairs]
// With `js`, only the C++ baseline and the JS balance fold run, over the first 200,000 events held in memory, five
// times or `rounds` times: for profiling. `watchdog` times the arm/disarm pair a JS fold makes around each batch.
#include "connectors.h"
#include "fold/js/jsreducer.h"
#include "fold/js/watchdog.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "sql/emmettschema.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJSEngine>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QUuid>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

using namespace es;

namespace {

qint64 rssKb(const char* key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(qsizetype(qstrlen(key))).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

void check(int rc, sqlite3* db, int expected = SQLITE_OK)
{
    if (rc != expected) {
        std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        std::exit(2);
    }
}

// One stream in the Emmett SQLite layout (emmett-sqlite tables.ts / appendToStream.ts), data {"amount": n}.
void writeStore(const QString& path, qint64 events)
{
    sqlite3* db = nullptr;
    check(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), db);
    check(sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", nullptr, nullptr, nullptr), db);
    for (const char* ddl : emmett::sqliteSchema)
        check(sqlite3_exec(db, ddl, nullptr, nullptr, nullptr), db);
    sqlite3_stmt* insert = nullptr;
    check(sqlite3_prepare_v2(db,
              "INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
              "message_metadata, message_schema_version, message_type, message_id, is_archived, created) "
              "VALUES ('account-1', ?1, 'emt:default', 'E', ?2, ?3, ?4, 'FundsDeposited', ?5, 0, ?6)",
              -1, &insert, nullptr),
        db);
    std::mt19937_64 random(42);
    const qint64 start = 1709510400;
    for (qint64 v = 1; v <= events; ++v) {
        const QByteArray data = "{\"amount\":" + QByteArray::number(qint64(random() % 10000) - 4000) + "}";
        const QByteArray id = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        const QByteArray metadata = "{\"streamName\":\"account-1\",\"messageId\":\"" + id
            + "\",\"streamPosition\":\"1\",\"correlationId\":\"" + id + "\",\"causationId\":\"" + id + "\"}";
        const QByteArray created = QDateTime::fromSecsSinceEpoch(start + v * 2, QTimeZone::utc())
                                       .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                       .toLatin1();
        const QByteArray schema = QByteArray::number(v - 1);
        sqlite3_bind_int64(insert, 1, v);
        sqlite3_bind_text(insert, 2, data.constData(), int(data.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, metadata.constData(), int(metadata.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, schema.constData(), int(schema.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, id.constData(), int(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 6, created.constData(), int(created.size()), SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db, SQLITE_DONE);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    const QByteArray streamRow = "INSERT INTO emt_streams VALUES ('account-1', " + QByteArray::number(events)
        + ", 'emt:default', 'account', '[]', 0); COMMIT;";
    check(sqlite3_exec(db, streamRow.constData(), nullptr, nullptr, nullptr), db);
    sqlite3_close(db);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

// Nanoseconds per arm/disarm pair with the budget of a fold, in `threads` threads at once, each with its engine.
double watchdogPairNs(qint64 pairs, int threads)
{
    std::vector<double> ns(std::size_t(threads), 0);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([t, pairs, &ns] {
            QJSEngine engine;
            Watchdog watchdog(&engine);
            QElapsedTimer timer;
            timer.start();
            for (qint64 i = 0; i < pairs; ++i) {
                watchdog.arm(JsReducer::defaultBudgetMs);
                if (watchdog.disarm())
                    std::exit(3);
            }
            ns[std::size_t(t)] = double(timer.nsecsElapsed()) / double(pairs);
        });
    }
    for (std::thread& w : workers)
        w.join();
    return *std::max_element(ns.begin(), ns.end());
}

const char* const balanceJs
    = "({ $init: () => ({ balance: 0 }), FundsDeposited: (s, e) => { s.balance += e.data.amount; } })";

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    if (argc > 1 && qstrcmp(argv[1], "watchdog") == 0) {
        const qint64 pairs = argc > 2 ? QByteArray(argv[2]).toLongLong() : 1000000;
        for (const int threads : { 1, 4 })
            std::printf(
                "watchdog arm + disarm, %d thread(s): %.0f ns per pair\n", threads, watchdogPairNs(pairs, threads));
        return 0;
    }
    const qint64 events = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    QTemporaryDir dir;
    const QString path = argc > 2 ? QString::fromLocal8Bit(argv[2]) : dir.filePath(QStringLiteral("bench-fold.sqlite"));

    QElapsedTimer timer;
    if (!QFile::exists(path)) {
        timer.start();
        writeStore(path, events);
        std::printf("wrote %lld events to %s in %.1f s\n", static_cast<long long>(events), qPrintable(path),
            double(timer.elapsed()) / 1000.0);
    }

    try {
        auto store = StoreRegistry::open(path);
        ReducerError error;
        if (argc > 3 && qstrcmp(argv[3], "js") == 0) {
            EventQuery query;
            query.filter.stream = QStringLiteral("account-1");
            query.limit = 200000;
            const EventList events = store->events(query).events;
            const int rounds = argc > 4 ? QByteArray(argv[4]).toInt() : 5;
            auto fold = JsReducer(QString::fromUtf8(balanceJs)).createFold(&error);
            if (!fold) {
                std::fprintf(stderr, "reducer: %s\n", qPrintable(error.toString()));
                return 1;
            }
            for (int round = 0; round < rounds; ++round) {
                timer.start();
                double sum = 0;
                for (const Event& e : events)
                    sum += QJsonDocument::fromJson(e.data.bytes).object().value(QLatin1String("amount")).toDouble();
                const qint64 baselineNs = timer.nsecsElapsed();
                fold->reset();
                timer.start();
                if (!fold->apply(events).ok())
                    return 1;
                const qint64 jsNs = timer.nsecsElapsed();
                std::printf("%zu events: C++ baseline %.1f ms, JS balance fold %.1f ms = %.2fx (sum %.0f)\n",
                    events.size(), double(baselineNs) / 1e6, double(jsNs) / 1e6, double(baselineNs) / double(jsNs),
                    sum);
            }
            return 0;
        }
        auto merge = MergeReducer().createFold(&error);
        auto jsReducer = std::make_shared<JsReducer>(QString::fromUtf8(balanceJs), QStringLiteral("balance.js"));
        auto jsFold = jsReducer->createFold(&error);
        if (!merge || !jsFold) {
            std::fprintf(stderr, "reducer: %s\n", qPrintable(error.toString()));
            return 1;
        }
        // The naive way, for reference: one engine call per event, JSON.parse of each payload.
        QJSEngine naiveEngine;
        QJSValue naiveState = naiveEngine.evaluate(QStringLiteral("({ balance: 0 })"));
        QJSValue naiveFn = naiveEngine.evaluate(
            QStringLiteral("(function (s, type, text) { var d = JSON.parse(text); s.balance += d.amount; })"));

        qint64 readNs = 0, baselineNs = 0, mergeNs = 0, jsNs = 0, naiveNs = 0;
        double baselineSum = 0;
        qint64 folded = 0;
        EventQuery query;
        query.filter.stream = QStringLiteral("account-1");
        query.limit = 10000;
        QElapsedTimer t;
        while (true) {
            t.start();
            const EventPage page = store->events(query);
            readNs += t.nsecsElapsed();
            if (page.events.empty())
                break;

            t.start();
            for (const Event& e : page.events) {
                const QJsonDocument doc = QJsonDocument::fromJson(e.data.bytes);
                baselineSum += doc.object().value(QLatin1String("amount")).toDouble();
            }
            baselineNs += t.nsecsElapsed();

            t.start();
            if (!merge->apply(page.events).ok())
                return 1;
            mergeNs += t.nsecsElapsed();

            t.start();
            const FoldResult r = jsFold->apply(page.events);
            jsNs += t.nsecsElapsed();
            if (!r.ok()) {
                std::fprintf(stderr, "js: %s\n", qPrintable(r.error->toString()));
                return 1;
            }

            t.start();
            for (const Event& e : page.events)
                naiveFn.call({ naiveState, e.type, QString::fromUtf8(e.data.bytes) });
            naiveNs += t.nsecsElapsed();

            folded += qint64(page.events.size());
            if (page.atEnd)
                break;
            query.from = page.next >= 0 ? page.next : page.events.back().version + 1;
        }
        const double jsBalance = jsFold->state().toObject().value(QStringLiteral("balance")).toDouble();
        const double naiveBalance = naiveState.property(QStringLiteral("balance")).toNumber();
        const auto rate = [folded](qint64 ns) { return double(folded) / (double(ns) / 1e9) / 1e6; };

        std::printf(
            "\nfold of %lld events (fold time only; reading the store is separate)\n", static_cast<long long>(folded));
        std::printf("%-44s %12s %14s %10s\n", "fold", "time (ms)", "M events/s", "vs C++");
        std::printf("%-44s %12.1f %14.2f %10s\n", "read pages from SQLite (not in the ratios)", double(readNs) / 1e6,
            rate(readNs), "");
        std::printf("%-44s %12.1f %14.2f %9.2fx\n", "C++ baseline (QJsonDocument per payload)",
            double(baselineNs) / 1e6, rate(baselineNs), 1.0);
        std::printf("%-44s %12.1f %14.2f %9.2fx\n", "merge reducer", double(mergeNs) / 1e6, rate(mergeNs),
            double(baselineNs) / double(mergeNs));
        std::printf("%-44s %12.1f %14.2f %9.2fx\n", "JS balance reducer (batched)", double(jsNs) / 1e6, rate(jsNs),
            double(baselineNs) / double(jsNs));
        std::printf("%-44s %12.1f %14.2f %9.2fx\n", "JS naive (call + JSON.parse per event)", double(naiveNs) / 1e6,
            rate(naiveNs), double(baselineNs) / double(naiveNs));
        std::printf("balances agree: C++ %.0f, JS %.0f, naive %.0f -> %s\n", baselineSum, jsBalance, naiveBalance,
            baselineSum == jsBalance && jsBalance == naiveBalance ? "yes" : "NO");
        merge.reset();
        jsFold.reset();

        std::printf("\ntimeline: build (read + fold + index + snapshots), then 1000 jumps to random versions\n");
        std::printf("%-12s %10s %6s %10s %10s %10s %10s %10s\n", "reducer", "build (s)", "K", "snapshots", "snap KB",
            "p50 (ms)", "p99 (ms)", "max (ms)");
        for (const ReducerPtr& reducer : { ReducerPtr(jsReducer), ReducerPtr(std::make_shared<MergeReducer>()) }) {
            Timeline timeline(*store, QStringLiteral("account-1"), reducer);
            t.start();
            if (!timeline.build()) {
                std::fprintf(stderr, "build: %s\n", qPrintable(timeline.error()));
                return 1;
            }
            const double buildS = double(t.nsecsElapsed()) / 1e9;
            std::mt19937 random(7);
            std::uniform_int_distribution<qint64> pick(timeline.firstVersion(), timeline.lastVersion());
            std::vector<double> jumps;
            for (int i = 0; i < 1000; ++i) {
                const qint64 v = pick(random);
                t.start();
                const auto state = timeline.stateJsonAt(v);
                jumps.push_back(double(t.nsecsElapsed()) / 1e6);
                if (!state)
                    return 1;
            }
            std::printf("%-12s %10.2f %6d %10zu %10.1f %10.2f %10.2f %10.2f\n", qPrintable(reducer->name()), buildS,
                timeline.snapshotInterval(), timeline.snapshotCount(), double(timeline.snapshotBytes()) / 1024.0,
                percentile(jumps, 0.5), percentile(jumps, 0.99), percentile(jumps, 1.0));
            std::printf("             index + snapshots held: RSS now %lld MB\n",
                static_cast<long long>(rssKb("VmRSS:") / 1024));
        }
    } catch (const StoreError& e) {
        std::fprintf(stderr, "store: %s\n", qPrintable(e.message()));
        return 1;
    }
    std::printf("\npeak RSS (VmHWM): %lld MB\n", static_cast<long long>(rssKb("VmHWM:") / 1024));
    return 0;
}
