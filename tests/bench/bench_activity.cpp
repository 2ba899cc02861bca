// Issue 6 benchmark: what the Activity chart costs on a large store, against the database's own GROUP BY.
//
//   bench_activity [ADDRESS]      (default /work/bench/es10m.sqlite; a postgresql:// address works too; read-only)
//
// Times, in one run: for SQLite the histogram statement in `sqlite3 -readonly` (run first, so it also warms the page
// cache), the store's histogram alone, the scope span lookup, and the chart's whole request (span, bucket choice,
// counting by type, top 8). Prints the ratios of the chart's request to the others.
#include "activity/activity.h"
#include "connectors.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <cstdio>

using namespace es;

namespace {
double msSince(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString address = args.size() > 1 ? args.at(1) : QStringLiteral("/work/bench/es10m.sqlite");
    registerConnectors();
    try {
        auto store = StoreOpener { address, {} }();
        QElapsedTimer t;
        t.start();
        QDateTime first;
        QDateTime last;
        if (!activity::scopeSpan(*store, {}, &first, &last)) {
            std::fprintf(stderr, "the store is empty or keeps no times\n");
            return 1;
        }
        const double spanMs = msSince(t);

        HistogramQuery q;
        q.bucketSeconds = histogram::chooseBucketSeconds(last.toSecsSinceEpoch() + 1 - first.toSecsSinceEpoch(), 120);
        q.groupBy = HistogramQuery::GroupBy::Type;
        q.topN = 8;
        std::printf("store                   %s\n", qPrintable(address));
        double shellMs = -1;
        if (auto* sqlite = dynamic_cast<SqliteStore*>(store.get())) {
            const SqlBuilder builder(sqlite->profile(), SqlDialect::Sqlite);
            const SqlStatement st = histogramStatement(builder, q, false);
            if (st.values.isEmpty()) {
                const QString sql = SqlBuilder::render(st.sql, SqlDialect::Sqlite);
                QProcess shell;
                t.restart();
                shell.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), address, sql });
                shell.waitForFinished(-1);
                shellMs = msSince(t);
                if (shell.exitCode() != 0) {
                    std::fprintf(stderr, "sqlite3 failed: %s\n", shell.readAllStandardError().constData());
                    return 1;
                }
                std::printf("SQL                     %s\n", qPrintable(sql));
            }
        }

        t.restart();
        const Histogram h = store->histogram(q);
        const double histogramMs = msSince(t);

        ActivityRequest request;
        request.groupBy = HistogramQuery::GroupBy::Type;
        request.topN = 8;
        t.restart();
        const ActivityResult chart = activity::compute(*store, request);
        const double chartMs = msSince(t);
        if (h.total != chart.histogram.total || h.bucketSeconds != chart.histogram.bucketSeconds) {
            std::fprintf(
                stderr, "the chart and the histogram differ: %lld vs %lld events\n", chart.histogram.total, h.total);
            return 1;
        }

        std::printf("events counted          %lld in %zu bars of %s, %lld groups\n", chart.histogram.total,
            chart.starts.size(), qPrintable(histogram::bucketName(chart.histogram.bucketSeconds)),
            qint64(chart.histogram.groups.size()));
        if (shellMs > 0)
            std::printf("sqlite3 shell, same SQL %8.0f ms\n", shellMs);
        std::printf("store histogram         %8.0f ms\n", histogramMs);
        std::printf("scope span (2 reads)    %8.1f ms\n", spanMs);
        std::printf(
            "chart request           %8.0f ms   (chart / store histogram = %.2fx)\n", chartMs, chartMs / histogramMs);
        if (shellMs > 0)
            std::printf("chart / sqlite3 shell   %.2fx (goal <= 1.2)\n", chartMs / shellMs);
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
