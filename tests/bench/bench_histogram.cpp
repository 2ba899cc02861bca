// Issue 6 benchmark: histogram of a large store by hour and type, against the same SQL in the database's shell.
//
//   bench_histogram [STORE] [ROUNDS=2]   (default /work/bench/es10m.sqlite; a PostgreSQL address works too; read-only)
//
// Runs the store's histogram and the statement it runs in `sqlite3 -readonly` or `psql` (same SQL, values inlined:
// the bench's query has none), in the same run, alternating which goes first so neither alone pays a cold page
// cache; reports each round, then the best times and their ratio (goal <= 1.2).
#include "pg/pgstore.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <algorithm>
#include <cstdio>

using namespace es;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString path = args.size() > 1 ? args.at(1) : QStringLiteral("/work/bench/es10m.sqlite");
    try {
        const bool pg = PgStore::acceptsAddress(path);
        std::unique_ptr<EventStore> store;
        const Profile* profile = nullptr;
        if (pg) {
            auto s = PgStore::open(path);
            profile = &s->profile();
            store = std::move(s);
        } else {
            auto s = SqliteStore::open(path);
            profile = &s->profile();
            store = std::move(s);
        }
        const SqlDialect dialect = pg ? SqlDialect::Postgres : SqlDialect::Sqlite;
        HistogramQuery q;
        q.bucketSeconds = 3600;
        q.groupBy = HistogramQuery::GroupBy::Type;
        q.topN = 1000;

        const SqlBuilder builder(*profile, dialect);
        const SqlStatement st = histogramStatement(builder, q, pg);
        // The shell gets the values inlined: the bench's query has only integers (the top-N limit).
        QString inlined = st.sql;
        for (const QVariant& v : st.values) {
            if (v.typeId() != QMetaType::LongLong && v.typeId() != QMetaType::Int) {
                std::fprintf(stderr, "the statement has a parameter that is not an integer; cannot inline it\n");
                return 1;
            }
            inlined.replace(inlined.indexOf(SqlBuilder::param()), 1, QString::number(v.toLongLong()));
        }
        const QString sql = SqlBuilder::render(inlined, dialect);
        const QString shellName = pg ? QStringLiteral("psql") : QStringLiteral("sqlite3");

        Histogram h;
        auto runOurs = [&] {
            QElapsedTimer t;
            t.start();
            h = store->histogram(q);
            return double(t.nsecsElapsed()) / 1e6;
        };
        qint64 shellRows = 0;
        auto runShell = [&]() -> double {
            QProcess shell;
            QElapsedTimer t;
            t.start();
            if (pg)
                shell.start(shellName,
                    { QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-d"), path, QStringLiteral("-c"),
                        sql });
            else
                shell.start(shellName, { QStringLiteral("-readonly"), path, sql });
            shell.waitForFinished(-1);
            const double ms = double(t.nsecsElapsed()) / 1e6;
            shellRows = shell.readAllStandardOutput().count('\n');
            if (shell.exitCode() != 0) {
                std::fprintf(
                    stderr, "%s failed: %s\n", qPrintable(shellName), shell.readAllStandardError().constData());
                return -1;
            }
            return ms;
        };
        const int rounds = args.size() > 2 ? std::max(1, args.at(2).toInt()) : 2;
        double oursMs = 1e18;
        double shellMs = 1e18;
        for (int round = 0; round < rounds; ++round) {
            double ours = 0;
            double shellTime = 0;
            if (round % 2 == 0) {
                ours = runOurs();
                shellTime = runShell();
            } else {
                shellTime = runShell();
                ours = runOurs();
            }
            if (shellTime < 0)
                return 1;
            std::printf("round %d (%s first): eventscope %.0f ms, %s %.0f ms, ratio %.2fx\n", round + 1,
                round % 2 == 0 ? "eventscope" : qPrintable(shellName), ours, qPrintable(shellName), shellTime,
                ours / shellTime);
            oursMs = std::min(oursMs, ours);
            shellMs = std::min(shellMs, shellTime);
        }
        qint64 cells = 0;
        for (const auto& row : h.counts)
            for (qint64 c : row)
                cells += c > 0 ? 1 : 0;
        std::printf("store            %s\n", qPrintable(path));
        std::printf("SQL              %s\n", qPrintable(sql));
        std::printf("events counted   %lld in %zu buckets x %lld types (%lld rows; %s printed %lld)\n", h.total,
            h.buckets.size(), qint64(h.groups.size()), cells, qPrintable(shellName), shellRows);
        std::printf("eventscope       %.0f ms (best of %d)\n", oursMs, rounds);
        std::printf("%-16s %.0f ms (best of %d)\n", qPrintable(shellName), shellMs, rounds);
        std::printf("ratio            %.2fx (goal <= 1.2)\n", oursMs / shellMs);
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
