// Issue 18 benchmark: estimates first, exact next. On a large store, in one run:
//
//   bench_estimate [STORE]   (default /work/bench/browse10m.sqlite; a postgresql:// or key=value address works too;
//                             read-only)
//
// Activity by day: the estimate's time (cold, then best of 3) and its worst error on buckets holding at least 1% of
// the events, the same by week and type on cells of at least 1%; the exact count in parts as the GUI runs it, the
// store's one statement, and the same GROUP BY in `sqlite3 -readonly` / `psql` (run first and last, best kept),
// with their ratio (goals: estimate < 1 s within 5%; exact <= 1.2x the shell). Counts the same way: the whole log
// and its largest category, estimated and counted, against count(*) in the shell.
#include "activity/activity.h"
#include "pg/pgstore.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

using namespace es;

namespace {

double timed(const std::function<void()>& f)
{
    QElapsedTimer t;
    t.start();
    f();
    return double(t.nsecsElapsed()) / 1e6;
}

using Cells = std::map<std::pair<qint64, QString>, qint64>;

Cells cells(const Histogram& h)
{
    Cells out;
    for (size_t b = 0; b < h.buckets.size(); ++b) {
        for (qsizetype g = 0; g < h.groups.size(); ++g)
            out[{ h.buckets[b], h.groups.at(g) }] += h.counts[b][size_t(g)];
    }
    return out;
}

// Worst relative error of the estimate over the exact cells holding at least 1% of all events; how many there were.
std::pair<double, int> worstError(const Histogram& exact, const Histogram& estimate)
{
    const Cells e = cells(exact);
    const Cells s = cells(estimate);
    double worst = 0;
    int n = 0;
    for (const auto& [key, count] : e) {
        if (count * 100 < exact.total)
            continue;
        const auto it = s.find(key);
        worst = std::max(worst, std::abs(double(it == s.end() ? 0 : it->second) - double(count)) / double(count));
        ++n;
    }
    return { worst, n };
}

struct Shell {
    bool pg = false;
    QString address;
    // Runs the SQL (values inlined), returns ms; exits on failure.
    double run(const QString& sql) const
    {
        QProcess shell;
        const double ms = timed([&] {
            if (pg)
                shell.start(QStringLiteral("psql"),
                    { QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-d"), address, QStringLiteral("-c"),
                        sql });
            else
                shell.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), address, sql });
            shell.waitForFinished(-1);
        });
        if (shell.exitCode() != 0) {
            std::fprintf(stderr, "shell failed: %s\n", shell.readAllStandardError().constData());
            std::exit(1);
        }
        return ms;
    }
};

QString inlined(const SqlStatement& st, SqlDialect dialect)
{
    QString sql = st.sql;
    for (const QVariant& v : st.values) {
        const QString value
            = v.typeId() == QMetaType::QString ? SqlBuilder::literal(v.toString()) : QString::number(v.toLongLong());
        sql.replace(sql.indexOf(SqlBuilder::param()), 1, value);
    }
    return SqlBuilder::render(sql, dialect);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString address = args.size() > 1 ? args.at(1) : QStringLiteral("/work/bench/browse10m.sqlite");
    try {
        Shell shell;
        shell.pg = PgStore::acceptsAddress(address);
        shell.address = address;
        std::unique_ptr<EventStore> store;
        const Profile* profile = nullptr;
        if (shell.pg) {
            OpenOptions options;
            options.statementTimeoutMs = 0; // full counts of 10M events take longer than the default 30 s
            auto s = PgStore::open(address, options);
            profile = &s->profile();
            store = std::move(s);
        } else {
            auto s = SqliteStore::open(address);
            profile = &s->profile();
            store = std::move(s);
        }
        const SqlDialect dialect = shell.pg ? SqlDialect::Postgres : SqlDialect::Sqlite;
        const SqlBuilder builder(*profile, dialect);
        std::printf("store                         %s\n", qPrintable(address));

        // Activity by day.
        HistogramQuery day;
        day.bucketSeconds = 86400;
        day.groupBy = HistogramQuery::GroupBy::None;
        const QString daySql = inlined(histogramStatement(builder, day, shell.pg), dialect);
        double shellMs = shell.run(daySql);

        Histogram estimate;
        const double estimateColdMs = timed([&] { estimate = store->estimateHistogram(day); });
        double estimateMs = estimateColdMs;
        for (int i = 0; i < 3; ++i)
            estimateMs = std::min(estimateMs, timed([&] { estimate = store->estimateHistogram(day); }));

        ActivityRequest request;
        request.bucketSeconds = 86400;
        request.groupBy = HistogramQuery::GroupBy::None;
        ActivityResult parts;
        JobControl control;
        const double partsMs = timed([&] { parts = activity::compute(*store, request, &control); });
        Histogram exact;
        const double exactMs = timed([&] { exact = store->histogram(day); });
        shellMs = std::min(shellMs, shell.run(daySql));
        if (parts.histogram.total != exact.total) {
            std::fprintf(stderr, "the counts in parts and in one statement differ\n");
            return 1;
        }
        const auto [dayError, dayCells] = worstError(exact, estimate);
        std::printf("activity by day: %lld events in %zu days; estimate %s\n", exact.total, exact.buckets.size(),
            estimate.estimated ? "sampled" : "counted (small store)");
        std::printf("  estimate                    %8.0f ms cold, %.0f ms best of 3; worst error %.2f%% on %d days "
                    "of >= 1%% (goal < 1 s, < 5%%); total %+.2f%%\n",
            estimateColdMs, estimateMs, dayError * 100, dayCells,
            (double(estimate.total) - double(exact.total)) * 100 / double(exact.total));
        std::printf(
            "  exact as the GUI counts      %8.0f ms   %.2fx the shell (goal <= 1.2)\n", partsMs, partsMs / shellMs);
        std::printf("  exact, one statement        %8.0f ms   %.2fx the shell\n", exactMs, exactMs / shellMs);
        std::printf("  %-27s %8.0f ms   (best of 2: first and last)\n",
            shell.pg ? "psql, same GROUP BY" : "sqlite3, same GROUP BY", shellMs);

        // Days split by type are all under 1% of the events: types are measured by week.
        HistogramQuery byType = day;
        byType.bucketSeconds = 7 * 86400;
        byType.groupBy = HistogramQuery::GroupBy::Type;
        byType.topN = 1000;
        Histogram typeEstimate;
        const double typeMs = timed([&] { typeEstimate = store->estimateHistogram(byType); });
        Histogram typeExact;
        const double typeExactMs = timed([&] { typeExact = store->histogram(byType); });
        const auto [typeError, typeCells] = worstError(typeExact, typeEstimate);
        std::printf(
            "activity by week and type: estimate %.0f ms, worst error %.2f%% on %d cells of >= 1%%; exact %.0f ms\n",
            typeMs, typeError * 100, typeCells, typeExactMs);

        // Counts: the whole log and its largest category.
        const SqlStatement countSt = builder.scopeStats({}, shell.pg, -1);
        const QString countSql = inlined(countSt, dialect);
        CountEstimate logEstimate;
        const double logEstimateMs = timed([&] { logEstimate = store->estimateCount({}); });
        qint64 logCount = 0;
        const double logCountMs = timed([&] { logCount = store->scopeStats({}).count; });
        StoreInfo info;
        const double infoMs = timed([&] { info = store->info(true); });
        const double countShellMs = shell.run(countSql);
        std::printf("count of the log: %lld; estimate %.0f ms (%+.2f%%); scopeStats %.0f ms; info() %.0f ms (%lld "
                    "events); shell count(*) %.0f ms\n",
            logCount, logEstimateMs, (double(logEstimate.count) - double(logCount)) * 100 / double(logCount),
            logCountMs, infoMs, info.eventCount, countShellMs);

        CategoryInfo largest;
        for (const CategoryInfo& c : store->categories()) {
            if (c.events > largest.events)
                largest = c;
        }
        if (!largest.name.isEmpty()) {
            EventFilter category;
            category.category = largest.name;
            CountEstimate catEstimate;
            const double catEstimateMs = timed([&] { catEstimate = store->estimateCount(category); });
            qint64 catCount = 0;
            const double catCountMs = timed([&] { catCount = store->scopeStats(category).count; });
            const double catShellMs = shell.run(inlined(builder.scopeStats(category, shell.pg, -1), dialect));
            std::printf("count of category %s: %lld; estimate %.0f ms (%+.2f%%); scopeStats %.0f ms; shell %.0f ms\n",
                qPrintable(largest.name), catCount, catEstimateMs,
                (double(catEstimate.count) - double(catCount)) * 100 / double(catCount), catCountMs, catShellMs);
        }
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
