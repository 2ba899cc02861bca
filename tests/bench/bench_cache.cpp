// Issue 18 benchmark: the local summary cache. On a large store, in one run, with a cache file of its own:
//
//   bench_cache [STORE] [CACHE_FILE]   (default /work/bench/browse10m.sqlite and a new file in a temporary folder; a
//                                        postgresql:// or key=value address works too; the store is only read)
//
// Activity by day (and by day and type): the first exact run through an empty cache (it counts at the cache's base
// bucket and keeps the counts) against the same GROUP BY in `sqlite3 -readonly` / `psql` (best of two, run first and
// last), and the second exact run, from the cache (goal < 1 s); a zoom into one day at 15 minutes from the same entry.
// Counts the same way: the log's count (scopeStats through the cache) and info(), first and second. Then the cache's
// size, per 10M events.
#include "activity/activity.h"
#include "cache/scopecounts.h"
#include "cache/summarycache.h"
#include "pg/pgstore.h"
#include "sql/histogramsql.h"
#include "sql/sqlbuilder.h"
#include "sqlite/sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>

using namespace es;

namespace {

double timed(const std::function<void()>& f)
{
    QElapsedTimer t;
    t.start();
    f();
    return double(t.nsecsElapsed()) / 1e6;
}

struct Shell {
    bool pg = false;
    QString address;
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
    QTemporaryDir dir;
    const QString cachePath = args.size() > 2 ? args.at(2) : dir.filePath(QStringLiteral("summaries.sqlite"));
    qputenv("ES_SUMMARY_CACHE", cachePath.toUtf8());
    try {
        Shell shell;
        shell.pg = PgStore::acceptsAddress(address);
        shell.address = address;
        std::unique_ptr<EventStore> store;
        const Profile* profile = nullptr;
        if (shell.pg) {
            OpenOptions options;
            options.statementTimeoutMs = 0;
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
        std::printf("store                         %s\ncache                         %s\n", qPrintable(address),
            qPrintable(cachePath));

        for (const auto by : { HistogramQuery::GroupBy::None, HistogramQuery::GroupBy::Type }) {
            const bool types = by == HistogramQuery::GroupBy::Type;
            HistogramQuery day;
            day.bucketSeconds = 86400;
            day.groupBy = by;
            day.topN = 1000;
            const QString daySql = inlined(histogramStatement(builder, day, shell.pg), dialect);
            double shellMs = shell.run(daySql);
            ActivityRequest request;
            request.bucketSeconds = 86400;
            request.groupBy = by;
            request.topN = 1000;
            request.useCache = true;
            JobControl control;
            ActivityResult first;
            const double firstMs = timed([&] { first = activity::compute(*store, request, &control); });
            ActivityResult second;
            const double secondMs = timed([&] { second = activity::compute(*store, request, &control); });
            shellMs = std::min(shellMs, shell.run(daySql));
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
            std::printf("  first exact run (cache empty) %8.0f ms   %.2fx the shell (goal <= 1.2)\n", firstMs,
                firstMs / shellMs);
            std::printf("  %-29s %8.0f ms   (best of 2: first and last)\n",
                shell.pg ? "psql, same GROUP BY" : "sqlite3, same GROUP BY", shellMs);
            std::printf("  second exact run (cache)      %8.0f ms   (goal < 1 s)\n", secondMs);
            std::printf("  zoom: one day at 15 minutes   %8.0f ms   from the cache, %lld events\n", zoomMs,
                zoomed.histogram.total);
        }

        const QString countSql = inlined(builder.scopeStats({}, shell.pg, -1), dialect);
        const double countShellMs = shell.run(countSql);
        bool cached = false;
        qint64 firstCount = 0;
        const double firstCountMs = timed([&] { firstCount = counts::scopeStats(*store, {}, &cached).count; });
        qint64 secondCount = 0;
        const double secondCountMs = timed([&] { secondCount = counts::scopeStats(*store, {}, &cached).count; });
        std::printf("count of the log: %lld; first %.0f ms (%.2fx shell count(*) %.0f ms); second %.0f ms (%s)\n",
            firstCount, firstCountMs, firstCountMs / countShellMs, countShellMs, secondCountMs,
            cached && secondCount == firstCount ? "cache" : "NOT from the cache");
        StoreInfo info;
        const double infoFirstMs = timed([&] { info = counts::storeInfo(*store, true); });
        const double infoSecondMs = timed([&] { info = counts::storeInfo(*store, true, &cached); });
        std::printf("info(): %lld events, %lld streams; first %.0f ms, second %.0f ms (%s)\n", info.eventCount,
            info.streamCount, infoFirstMs, infoSecondMs, cached ? "cache" : "NOT from the cache");

        SummaryCache cache(cachePath);
        const CacheStats s = cache.stats();
        const double per10M = firstCount > 0 ? 1e7 / double(firstCount) : 0;
        std::printf("cache: %lld entries, file %.0f KiB (values %.0f KiB); per 10M events %.0f KiB\n", s.entries,
            double(s.bytes) / 1024, double(s.valueBytes) / 1024, double(s.bytes) / 1024 * per10M);
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
