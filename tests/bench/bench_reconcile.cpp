// Reconciliation throughput: 100,000 accounts of 20 events (an Emmett SQLite store) beside a read-model table in
// the same file, reconciled, with the fold throughput of the same events and the table's read time in the same run.
// A program, not a test: run it by hand.
//   bench_reconcile [store-path] [aggregates] [reducer|all] [rounds] [connections]
//                        (default /work/bench/recon100k.sqlite, 100000, both reducers, 3 rounds, 2 connections as the
//                        GUI and CLI use; the store is written when missing; the fold and the reconciliation
//                        alternate, the best of each is reported)
//   bench_reconcile "host=... dbname=..."        (PostgreSQL: the same store loaded by tests/bench/recon100k_pg.sql)
// The table holds every account's final state except 1 in 1000 rows, which are planted faults: a row missing its
// last event, a wrong balance, or no row at all.
#include "connectors.h"
#include "fold/batchreader.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/reducercatalog.h"
#include "reconcile/reconciler.h"
#include "sql/emmettschema.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTimeZone>

#include <sqlite3.h>

#include <cstdio>
#include <ctime>
#include <random>

using namespace es;

namespace {

constexpr int EventsPerAggregate = 20;

void check(int rc, sqlite3* db, int expected = SQLITE_OK)
{
    if (rc != expected) {
        std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        std::exit(2);
    }
}

QByteArray streamName(qint64 i)
{
    return "account-" + QByteArray::number(i).rightJustified(6, '0');
}

// Emmett's appends, round by round (every account's first event, then every second one...), so that a stream's
// events are spread over the whole file as a live system leaves them; then the projection's table.
void writeStore(const QString& path, qint64 aggregates)
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
              "VALUES (?1, ?2, 'emt:default', 'E', ?3, ?4, '0', ?5, ?6, 0, ?7)",
              -1, &insert, nullptr),
        db);
    std::mt19937_64 random(42);
    std::vector<qint64> balance(size_t(aggregates), 0);
    std::vector<qint64> lastAmount(size_t(aggregates), 0);
    std::vector<qint64> beforeLast(size_t(aggregates), 0);
    const qint64 start = 1709510400;
    qint64 n = 0;
    for (int v = 1; v <= EventsPerAggregate; ++v) {
        for (qint64 a = 0; a < aggregates; ++a) {
            const QByteArray stream = streamName(a + 1);
            QByteArray type, data;
            if (v == 1) {
                type = "AccountOpened";
                data = "{\"accountId\":\"A" + QByteArray::number(a + 1) + "\",\"owner\":\"Owner "
                    + QByteArray::number(a) + "\",\"kind\":\"checking\",\"currency\":\"EUR\"}";
            } else {
                const qint64 amount = qint64(random() % 1000) + 1;
                const bool deposit = random() % 3 != 0;
                type = deposit ? "FundsDeposited" : "FundsWithdrawn";
                data = "{\"amount\":" + QByteArray::number(amount) + "}";
                beforeLast[size_t(a)] = balance[size_t(a)];
                balance[size_t(a)] += deposit ? amount : -amount;
                lastAmount[size_t(a)] = amount;
            }
            const QByteArray id = "m" + QByteArray::number(++n);
            const QByteArray metadata = "{\"streamName\":\"" + stream + "\",\"messageId\":\"" + id + "\"}";
            const QByteArray created = QDateTime::fromSecsSinceEpoch(start + n, QTimeZone::utc())
                                           .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                           .toLatin1();
            sqlite3_bind_text(insert, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
            sqlite3_bind_int64(insert, 2, v);
            sqlite3_bind_text(insert, 3, data.constData(), int(data.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 4, metadata.constData(), int(metadata.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 5, type.constData(), int(type.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 6, id.constData(), int(id.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 7, created.constData(), int(created.size()), SQLITE_TRANSIENT);
            check(sqlite3_step(insert), db, SQLITE_DONE);
            sqlite3_reset(insert);
        }
    }
    sqlite3_finalize(insert);
    sqlite3_stmt* streamRow = nullptr;
    check(sqlite3_prepare_v2(db,
              "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, "
              "is_archived) VALUES (?1, ?2, 'emt:default', 'account', '[]', 0)",
              -1, &streamRow, nullptr),
        db);
    check(sqlite3_exec(db,
              "CREATE TABLE account_summaries (id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL, "
              "transactions INTEGER NOT NULL, last_amount INTEGER NOT NULL)",
              nullptr, nullptr, nullptr),
        db);
    sqlite3_stmt* row = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO account_summaries VALUES (?1, ?2, ?3, ?4, ?5)", -1, &row, nullptr), db);
    for (qint64 a = 0; a < aggregates; ++a) {
        const QByteArray stream = streamName(a + 1);
        sqlite3_bind_text(streamRow, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(streamRow, 2, EventsPerAggregate);
        check(sqlite3_step(streamRow), db, SQLITE_DONE);
        sqlite3_reset(streamRow);
        const int fault = a % 1000 == 499 ? int((a / 1000) % 3) + 1 : 0; // 1: lost last event, 2: wrong, 3: no row
        if (fault == 3)
            continue;
        const QByteArray owner = "Owner " + QByteArray::number(a);
        sqlite3_bind_text(row, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(row, 2, owner.constData(), int(owner.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(row, 3,
            fault == 1       ? beforeLast[size_t(a)]
                : fault == 2 ? balance[size_t(a)] + 1000000
                             : balance[size_t(a)]);
        sqlite3_bind_int64(row, 4, fault == 1 ? EventsPerAggregate - 2 : EventsPerAggregate - 1);
        sqlite3_bind_int64(row, 5, lastAmount[size_t(a)]);
        check(sqlite3_step(row), db, SQLITE_DONE);
        sqlite3_reset(row);
    }
    sqlite3_finalize(row);
    sqlite3_finalize(streamRow);
    check(sqlite3_exec(db, "COMMIT;", nullptr, nullptr, nullptr), db);
    sqlite3_close(db);
}

struct Timed {
    double seconds = 0;
    double cpu = 0; // this process's CPU seconds: on a shared machine wall times follow the other programs' load
    qint64 events = 0;
};

double cpuSeconds()
{
    return double(std::clock()) / CLOCKS_PER_SEC;
}

// The fold alone, as bench_fold measures it but over this store: every event read once in global order (the raw
// path) and folded through one fold.
Timed foldAll(EventStore& store, const ReducerPtr& reducer)
{
    ReducerError error;
    auto fold = reducer->createFold(&error);
    BatchReader reader(store, 2000);
    reader.setMetadata(fold->readsMetadata());
    Timed t;
    QElapsedTimer clock;
    clock.start();
    const double cpu = cpuSeconds();
    reader.read(EventQuery {}, [&](const Event* events, qsizetype n) {
        fold->apply(events, n);
        t.events += n;
        return true;
    });
    t.seconds = double(clock.nsecsElapsed()) / 1e9;
    t.cpu = cpuSeconds() - cpu;
    return t;
}

// The table alone: every row by keyset pages.
Timed readTable(TableReader& tables, const QStringList& columns)
{
    Timed t;
    QElapsedTimer clock;
    clock.start();
    const double cpu = cpuSeconds();
    std::optional<QString> after;
    while (true) {
        const auto page
            = tables.rows({ QStringLiteral("account_summaries"), QStringLiteral("id"), columns, {}, after, 1000 });
        t.events += qint64(page.size());
        if (page.size() < 1000)
            break;
        after = page.back().key;
    }
    t.seconds = double(clock.nsecsElapsed()) / 1e9;
    t.cpu = cpuSeconds() - cpu;
    return t;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QString path = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("/work/bench/recon100k.sqlite");
    const qint64 aggregates = argc > 2 ? QByteArray(argv[2]).toLongLong() : 100000;
    const QByteArray only = argc > 3 ? QByteArray(argv[3]) : QByteArray(); // "merge" or "accounts.js"
    const int rounds = argc > 4 ? qMax(1, QByteArray(argv[4]).toInt()) : 3;
    const int connections = argc > 5 ? qBound(1, QByteArray(argv[5]).toInt(), 2) : 2;
    QElapsedTimer timer;
    const bool sqliteFile = !path.contains(u'=') && !path.contains(QLatin1String("://"));
    if (sqliteFile && !QFile::exists(path)) {
        timer.start();
        writeStore(path, aggregates);
        std::printf("wrote %lld aggregates x %d events and their table to %s in %.1f s\n",
            static_cast<long long>(aggregates), EventsPerAggregate, qPrintable(path), double(timer.elapsed()) / 1000.0);
    }
    try {
        auto store = StoreRegistry::open(path);
        TableReader& tables = *store->tables();
        struct Case {
            const char* name;
            ReducerPtr reducer;
            const char* columns;
        };
        Failure failure;
        const ReducerPtr accounts = ReducerCatalog::load(QStringLiteral(":/reducers/accounts.js"), &failure);
        if (!accounts) {
            std::fprintf(stderr, "reducer: %s\n", qPrintable(failure.message));
            return 1;
        }
        const Case cases[] = {
            { "merge", std::make_shared<MergeReducer>(), "owner=owner,last_amount=amount" },
            { "accounts.js", accounts, "owner=owner,balance=balance,transactions=transactions" },
        };
        std::printf(
            "%-12s %-34s %10s %8s %14s %16s\n", "reducer", "what", "time (s)", "cpu (s)", "M events/s", "aggregates/s");
        for (const Case& c : cases) {
            if (!only.isEmpty() && only != "all" && only != c.name)
                continue;
            std::vector<ColumnMapping> columns;
            QStringList names;
            for (const QString& part : QString::fromLatin1(c.columns).split(u',')) {
                const qsizetype eq = part.indexOf(u'=');
                columns.push_back({ part.left(eq), part.mid(eq + 1) });
                names.append(part.left(eq));
            }
            ReconcileOptions options;
            options.category = QStringLiteral("account");
            options.table = QStringLiteral("account_summaries");
            options.keyColumn = QStringLiteral("id");
            options.columns = columns;
            if (connections > 1)
                options.openReader = [path] { return StoreRegistry::open(path); };
            const auto rate = [](double events, double s) { return events / s / 1e6; };
            // Fold and reconcile alternate, `rounds` times: on a shared machine the best of each is what the code
            // costs, and a round's own ratio shows how far the load moved within it.
            Timed fold, table;
            ReconcileSummary summary;
            double cpu = 0;
            qint64 reported = 0;
            for (int round = 1; round <= rounds; ++round) {
                const Timed f = foldAll(*store, c.reducer);
                const Timed t = readTable(tables, names);
                Reconciler reconciler(*store, tables, c.reducer, options);
                reported = 0;
                const double cpuBefore = cpuSeconds();
                const ReconcileSummary s = reconciler.run([&](const ReconcileRow& row) {
                    if (row.status != ReconcileStatus::Ok)
                        ++reported;
                });
                const double used = cpuSeconds() - cpuBefore;
                std::printf("%-12s round %d: fold %.2f s, table %.2f s, reconcile %.2f s: reconcile / fold %.2f\n",
                    c.name, round, f.seconds, t.seconds, s.seconds, f.seconds / s.seconds);
                if (round == 1 || f.seconds < fold.seconds)
                    fold = f;
                if (round == 1 || t.seconds < table.seconds)
                    table = t;
                if (round == 1 || s.seconds < summary.seconds) {
                    summary = s;
                    cpu = used;
                }
                if (reported != s.problems())
                    return 1;
            }
            std::printf("%-12s %-34s %10.2f %8.2f %14.2f %16s\n", c.name, "fold (one read, global order)", fold.seconds,
                fold.cpu, rate(double(fold.events), fold.seconds), "");
            std::printf("%-12s %-34s %10.2f %8.2f %14s %16.0f\n", c.name, "table read (keyset pages of 1000)",
                table.seconds, table.cpu, "", double(table.events) / table.seconds);
            std::printf("%-12s %-34s %10.2f %8.2f %14.2f %16.0f\n", c.name, "reconcile", summary.seconds, cpu,
                rate(double(summary.events), summary.seconds), double(summary.streams) / summary.seconds);
            const double goal = 2 * fold.seconds + table.seconds;
            std::printf("%-12s %s\n", c.name, qPrintable(summary.toText()));
            std::printf("%-12s best of %d: reconcile / fold throughput %.2f; goal (half the fold's throughput plus the "
                        "table read) %.2f s: %s\n",
                c.name, rounds, fold.seconds / summary.seconds, goal, summary.seconds <= goal ? "met" : "NOT met");
            // Not the goal (throughput is), but what the reconciliation costs beside the fold on a busy machine.
            std::printf("%-12s this process's CPU time: reconcile %.2f s, %.2f times the fold's\n", c.name, cpu,
                cpu / fold.cpu);
        }
    } catch (const StoreError& e) {
        std::fprintf(stderr, "store: %s\n", qPrintable(e.message()));
        return 1;
    }
    return 0;
}
