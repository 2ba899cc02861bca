// Issue 18 benchmark: the local summary cache. On a large store, in one run, with a cache file of its own:
//
//   bench_cache [STORE] [CACHE_FILE]   (default /work/bench/browse10m.sqlite and a new file in a temporary folder; a
//                                        postgresql:// or key=value address works too; the store is only read)
//
// Activity by day (and by day and type): the estimate's time and its worst error on the buckets (cells) holding at
// least 1% of the events (goal < 1 s, within 5%); the first exact run through an empty cache (it counts at the
// cache's base bucket and keeps the counts) against the same GROUP BY in `sqlite3 -readonly` / `psql` (each side
// best of two, run alternately, the second first run with a cache file of its own; wall time, and CPU time of this
// process against the shell's, which says more on a loaded machine for SQLite and nothing for the server's work on
// PostgreSQL; goal <= 1.2x), and the second exact run, from the cache (goal < 1 s); a zoom into one day at 15
// minutes from the same entry. Counts the same way: the log's count (estimate, first exact run through the cache
// against count(*) in the shell, second run), info(), and the stream tree's category counts (estimate with its worst
// error on categories of >= 1% of the events, first exact run against the same statement in the shell, second run).
// Then the cache's size, per 10M events, and the load average.
#include "activity/activity.h"
#include "cache/categorycounts.h"
#include "cache/scopecounts.h"
#include "cache/summarycache.h"
#include "pg/pgstore.h"
#include "sql/histogramsql.h"
#include "sql/sqlbuilder.h"
#include "sqlite/sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/resource.h>

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

double cpuMs(int who)
{
    rusage u {};
    getrusage(who, &u);
    return (double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3)
        + (double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3);
}

// Wall time and CPU time (user + system) of one run. On a loaded machine the wall time of a 10M scan is mostly
// waiting for the disk and the processor; the CPU time is the work done.
struct Cost {
    double wallMs = 0;
    double cpuMs = 0;
    Cost best(const Cost& o) const { return { std::min(wallMs, o.wallMs), std::min(cpuMs, o.cpuMs) }; }
};

Cost measured(const std::function<void()>& f)
{
    const double cpu = cpuMs(RUSAGE_SELF);
    const double wall = timed(f);
    return { wall, cpuMs(RUSAGE_SELF) - cpu };
}

void printVersus(const char* what, const Cost& ours, const Cost& shell, const char* shellName)
{
    std::printf("  %-29s %8.0f ms   %.2fx the shell (goal <= 1.2); CPU %.0f ms = %.2fx\n", what, ours.wallMs,
        ours.wallMs / shell.wallMs, ours.cpuMs, ours.cpuMs / shell.cpuMs);
    std::printf("  %-29s %8.0f ms   CPU %.0f ms (each side best of 2, run alternately)\n", shellName, shell.wallMs,
        shell.cpuMs);
}

struct Shell {
    bool pg = false;
    QString address;
    Cost cost(const QString& sql) const
    {
        const double cpu = cpuMs(RUSAGE_CHILDREN);
        const double wall = run(sql);
        return { wall, cpuMs(RUSAGE_CHILDREN) - cpu };
    }
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

// Worst relative error of the estimate over the exact cells holding at least 1% of all events, and how many.
std::pair<double, int> worstError(const Cells& exact, const Cells& estimate, qint64 total)
{
    double worst = 0;
    int n = 0;
    for (const auto& [key, count] : exact) {
        if (count * 100 < total)
            continue;
        const auto it = estimate.find(key);
        worst
            = std::max(worst, std::abs(double(it == estimate.end() ? 0 : it->second) - double(count)) / double(count));
        ++n;
    }
    return { worst, n };
}

// Runs f with the summary cache in a new file of its own (for a second "first" run), the bench's cache left as it is.
Cost measuredWithEmptyCache(const QString& scratch, const std::function<void()>& f)
{
    const QByteArray kept = qgetenv("ES_SUMMARY_CACHE");
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
        QFile::remove(scratch + suffix);
    qputenv("ES_SUMMARY_CACHE", scratch.toUtf8());
    const Cost cost = measured(f);
    qputenv("ES_SUMMARY_CACHE", kept);
    return cost;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2)
                                       : QStringLiteral("?");
}

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
    QTemporaryDir dir;
    const QString cachePath = args.size() > 2 ? args.at(2) : dir.filePath(QStringLiteral("summaries.sqlite"));
    qputenv("ES_SUMMARY_CACHE", cachePath.toUtf8());
    const QString scratchPath = dir.filePath(QStringLiteral("scratch.sqlite"));
    try {
        Shell shell;
        shell.pg = PgStore::acceptsAddress(address);
        shell.address = address;
        std::unique_ptr<EventStore> store;
        const Profile* profile = nullptr;
        // A store keeps what it counted for its scopes: a second "first" run needs a connection of its own.
        const auto openStore = [&shell, &address](const Profile** used = nullptr) -> std::unique_ptr<EventStore> {
            if (shell.pg) {
                OpenOptions options;
                options.statementTimeoutMs = 0;
                auto s = PgStore::open(address, options);
                if (used)
                    *used = &s->profile();
                return s;
            }
            auto s = SqliteStore::open(address);
            if (used)
                *used = &s->profile();
            return s;
        };
        store = openStore(&profile);
        const SqlDialect dialect = shell.pg ? SqlDialect::Postgres : SqlDialect::Sqlite;
        const SqlBuilder builder(*profile, dialect);
        std::printf(
            "store                         %s\ncache                         %s\nload average at start        %s\n",
            qPrintable(address), qPrintable(cachePath), qPrintable(loadAverage()));

        for (const auto by : { HistogramQuery::GroupBy::None, HistogramQuery::GroupBy::Type }) {
            const bool types = by == HistogramQuery::GroupBy::Type;
            HistogramQuery day;
            day.bucketSeconds = 86400;
            day.groupBy = by;
            day.topN = 1000;
            const QString daySql = inlined(histogramStatement(builder, day, shell.pg), dialect);
            Cost shellCost = shell.cost(daySql);
            ActivityRequest request;
            request.bucketSeconds = 86400;
            request.groupBy = by;
            request.topN = 1000;
            request.useCache = true;
            JobControl control;
            ActivityRequest estimateRequest = request;
            estimateRequest.estimate = true;
            estimateRequest.useCache = false;
            ActivityResult estimate;
            const double estimateMs = timed([&] { estimate = activity::compute(*store, estimateRequest); });
            ActivityResult first;
            Cost firstCost = measured([&] { first = activity::compute(*store, request, &control); });
            shellCost = shellCost.best(shell.cost(daySql));
            // The first run again, from an empty cache, after the shell's second run.
            firstCost = firstCost.best(
                measuredWithEmptyCache(scratchPath, [&] { activity::compute(*store, request, &control); }));
            ActivityResult second;
            const double secondMs = timed([&] { second = activity::compute(*store, request, &control); });
            ActivityRequest zoom = request;
            zoom.bucketSeconds = 900;
            zoom.from = QDateTime::fromSecsSinceEpoch(
                first.histogram.buckets.at(first.histogram.buckets.size() / 2), Qt::UTC);
            zoom.to = zoom.from.addDays(1);
            zoom.cacheOnly = true;
            ActivityResult zoomed;
            const double zoomMs = timed([&] { zoomed = activity::compute(*store, zoom, &control); });
            if (first.histogram.total != second.histogram.total || !first.cached || !second.cached) {
                std::fprintf(stderr, "the cached runs differ or did not use the cache\n");
                return 1;
            }
            std::printf("activity by day%s: %lld events in %zu days\n", types ? " and type" : "", first.histogram.total,
                first.histogram.buckets.size());
            const auto [error, errorCells]
                = worstError(cells(first.histogram), cells(estimate.histogram), first.histogram.total);
            std::printf("  estimate                      %8.0f ms   worst error %.2f%% on %d %s of >= 1%% (goal < 1 s, "
                        "5%%)%s\n",
                estimateMs, error * 100, errorCells, types ? "cells" : "days",
                estimate.estimated() ? "" : " (counted, not estimated)");
            printVersus("first exact run (cache empty)", firstCost, shellCost,
                shell.pg ? "psql, same GROUP BY" : "sqlite3, same GROUP BY");
            std::printf("  second exact run (cache)      %8.0f ms   (goal < 1 s)\n", secondMs);
            std::printf("  zoom: one day at 15 minutes   %8.0f ms   from the cache, %lld events\n", zoomMs,
                zoomed.histogram.total);
        }

        const QString countSql = inlined(builder.scopeStats({}, shell.pg, -1), dialect);
        Cost countShell = shell.cost(countSql);
        CountEstimate countEstimate;
        const double countEstimateMs = timed([&] { countEstimate = store->estimateCount({}); });
        bool cached = false;
        qint64 firstCount = 0;
        Cost firstCountCost = measured([&] { firstCount = counts::scopeStats(*store, {}, &cached).count; });
        countShell = countShell.best(shell.cost(countSql));
        firstCountCost = firstCountCost.best(
            measuredWithEmptyCache(scratchPath, [&] { counts::scopeStats(*openStore(), {}, &cached); }));
        qint64 secondCount = 0;
        const double secondCountMs = timed([&] { secondCount = counts::scopeStats(*store, {}, &cached).count; });
        std::printf("count of the log: %lld\n  estimate %.0f ms, error %.3f%%%s\n", firstCount, countEstimateMs,
            100.0 * std::abs(double(countEstimate.count - firstCount)) / double(std::max<qint64>(1, firstCount)),
            countEstimate.estimated ? "" : " (counted)");
        printVersus("first exact run (cache empty)", firstCountCost, countShell, "count(*) in the shell");
        std::printf("  second exact run (cache)      %8.0f ms   (%s)\n", secondCountMs,
            cached && secondCount == firstCount ? "from the cache" : "NOT from the cache");
        StoreInfo info;
        const double infoFirstMs = timed([&] { info = counts::storeInfo(*store, true); });
        const double infoSecondMs = timed([&] { info = counts::storeInfo(*store, true, &cached); });
        std::printf("info(): %lld events, %lld streams; first %.0f ms, second %.0f ms (%s)\n", info.eventCount,
            info.streamCount, infoFirstMs, infoSecondMs, cached ? "cache" : "NOT from the cache");

        // The stream tree's category counts.
        const QString categoriesSql = inlined(builder.categories(), dialect);
        Cost categoriesShell = shell.cost(categoriesSql);
        counts::CategoryCounts categoriesEstimate;
        const double categoriesEstimateMs = timed([&] { categoriesEstimate = counts::quickCategories(*store, true); });
        counts::CategoryCounts categoriesFirst;
        Cost categoriesFirstCost = measured([&] { categoriesFirst = counts::categories(*store, true); });
        categoriesShell = categoriesShell.best(shell.cost(categoriesSql));
        categoriesFirstCost
            = categoriesFirstCost.best(measuredWithEmptyCache(scratchPath, [&] { counts::categories(*store, true); }));
        counts::CategoryCounts categoriesSecond;
        const double categoriesSecondMs = timed([&] { categoriesSecond = counts::categories(*store, true); });
        Cells exactEvents;
        Cells exactStreams;
        Cells estimatedEvents;
        Cells estimatedStreams;
        qint64 categorised = 0;
        for (const CategoryInfo& c : categoriesFirst.categories) {
            exactEvents[{ 0, c.name }] = c.events;
            categorised += std::max<qint64>(0, c.events);
        }
        for (const CategoryInfo& c : categoriesEstimate.categories)
            estimatedEvents[{ 0, c.name }] = c.events;
        // Streams judged on the same categories (those holding >= 1% of the events).
        for (const CategoryInfo& c : categoriesFirst.categories) {
            if (c.events * 100 >= categorised)
                exactStreams[{ 0, c.name }] = c.streams;
        }
        for (const CategoryInfo& c : categoriesEstimate.categories)
            estimatedStreams[{ 0, c.name }] = c.streams;
        const auto [eventsError, eventsCategories] = worstError(exactEvents, estimatedEvents, categorised);
        const double streamsError = worstError(exactStreams, estimatedStreams, 0).first;
        std::printf(
            "category counts: %zu categories\n  estimate %.0f ms, worst error %.2f%% (events), %.2f%% (streams) "
            "on %d categories of >= 1%%%s\n",
            categoriesFirst.categories.size(), categoriesEstimateMs, eventsError * 100, streamsError * 100,
            eventsCategories, categoriesEstimate.estimated ? "" : " (counted, not estimated)");
        printVersus(
            "first exact run (cache empty)", categoriesFirstCost, categoriesShell, "the same statement in the shell");
        std::printf("  second exact run (cache)      %8.0f ms   (%s)\n", categoriesSecondMs,
            categoriesSecond.cached ? "from the cache" : "NOT from the cache");

        SummaryCache cache(cachePath);
        const CacheStats s = cache.stats();
        const double per10M = firstCount > 0 ? 1e7 / double(firstCount) : 0;
        std::printf("cache: %lld entries, file %.0f KiB (values %.0f KiB); per 10M events %.0f KiB\n", s.entries,
            double(s.bytes) / 1024, double(s.valueBytes) / 1024, double(s.bytes) / 1024 * per10M);
        std::printf("load average at the end        %s\n", qPrintable(loadAverage()));
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
