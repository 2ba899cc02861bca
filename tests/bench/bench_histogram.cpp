// Issue 6 benchmark: histogram of a large store by hour and type, against the same SQL in the database's shell.
//
//   bench_histogram [STORE]      (default /work/bench/es10m.sqlite; a PostgreSQL address works too; read-only)
//
// Runs the store's histogram, then the statement it runs in `sqlite3 -readonly` or `psql` (same SQL, values
// inlined: the bench's query has none), in the same run; reports both times and the ratio (goal <= 1.2).
#include "histogramsql.h"
#include "pgstore.h"
#include "sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

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

        QElapsedTimer t;
        t.start();
        const Histogram h = store->histogram(q);
        const double oursMs = double(t.nsecsElapsed()) / 1e6;

        const SqlBuilder builder(*profile, dialect);
        const SqlStatement st = histogramStatement(builder, q, pg);
        if (!st.values.isEmpty()) {
            std::fprintf(stderr, "the statement has parameters; cannot run it in the shell as is\n");
            return 1;
        }
        const QString sql = SqlBuilder::render(st.sql, dialect);
        const QString shellName = pg ? QStringLiteral("psql") : QStringLiteral("sqlite3");
        QProcess shell;
        t.restart();
        if (pg)
            shell.start(shellName,
                { QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-d"), path, QStringLiteral("-c"), sql });
        else
            shell.start(shellName, { QStringLiteral("-readonly"), path, sql });
        shell.waitForFinished(-1);
        const double shellMs = double(t.nsecsElapsed()) / 1e6;
        const qint64 shellRows = shell.readAllStandardOutput().count('\n');
        if (shell.exitCode() != 0) {
            std::fprintf(stderr, "%s failed: %s\n", qPrintable(shellName), shell.readAllStandardError().constData());
            return 1;
        }
        qint64 cells = 0;
        for (const auto& row : h.counts)
            for (qint64 c : row)
                cells += c > 0 ? 1 : 0;
        std::printf("store            %s\n", qPrintable(path));
        std::printf("SQL              %s\n", qPrintable(sql));
        std::printf("events counted   %lld in %zu buckets x %lld types (%lld rows; %s printed %lld)\n", h.total,
            h.buckets.size(), qint64(h.groups.size()), cells, qPrintable(shellName), shellRows);
        std::printf("eventscope       %.0f ms\n", oursMs);
        std::printf("%-16s %.0f ms\n", qPrintable(shellName), shellMs);
        std::printf("ratio            %.2fx (goal <= 1.2)\n", oursMs / shellMs);
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
