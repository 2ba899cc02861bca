// Issue 6 benchmark: histogram of a large SQLite store by hour and type, against the same SQL in the sqlite3 shell.
//
//   bench_histogram [STORE.sqlite]      (default /work/bench/es10m.sqlite, opened read-only)
//
// Runs SqliteStore::histogram, then the statement it runs in `sqlite3 -readonly`, in the same run; reports both
// times and the ratio (goal <= 1.2).
#include "histogramsql.h"
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
        auto store = SqliteStore::open(path);
        HistogramQuery q;
        q.bucketSeconds = 3600;
        q.groupBy = HistogramQuery::GroupBy::Type;
        q.topN = 1000;

        QElapsedTimer t;
        t.start();
        const Histogram h = store->histogram(q);
        const double oursMs = double(t.nsecsElapsed()) / 1e6;

        const SqlBuilder builder(store->profile(), SqlDialect::Sqlite);
        const SqlStatement st = histogramStatement(builder, q, false);
        if (!st.values.isEmpty()) {
            std::fprintf(stderr, "the statement has parameters; cannot run it in the shell as is\n");
            return 1;
        }
        const QString sql = SqlBuilder::render(st.sql, SqlDialect::Sqlite);
        QProcess shell;
        t.restart();
        shell.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), path, sql });
        shell.waitForFinished(-1);
        const double shellMs = double(t.nsecsElapsed()) / 1e6;
        const qint64 shellRows = shell.readAllStandardOutput().count('\n');
        if (shell.exitCode() != 0) {
            std::fprintf(stderr, "sqlite3 failed: %s\n", shell.readAllStandardError().constData());
            return 1;
        }
        qint64 cells = 0;
        for (const auto& row : h.counts)
            for (qint64 c : row)
                cells += c > 0 ? 1 : 0;
        std::printf("store            %s\n", qPrintable(path));
        std::printf("SQL              %s\n", qPrintable(sql));
        std::printf("events counted   %lld in %zu buckets x %lld types (%lld rows; sqlite3 printed %lld)\n", h.total,
            h.buckets.size(), qint64(h.groups.size()), cells, shellRows);
        std::printf("eventscope       %.0f ms\n", oursMs);
        std::printf("sqlite3 shell    %.0f ms\n", shellMs);
        std::printf("ratio            %.2fx (goal <= 1.2)\n", oursMs / shellMs);
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
