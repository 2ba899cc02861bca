// Issue 13 benchmark: the type catalog of a large store, against the same SQL in the database's shell.
//
//   bench_catalog [STORE] [--category C] [--counts-only | --first-only] [--chunk POSITIONS] [--count-chunks N]
//                 [--partitions N] [--time-limit SECONDS] [--sql]
//     (default /work/bench/browse10m.sqlite; a PostgreSQL address works too; read-only)
//
// Runs scanCatalog over the store (or one category) with exact fields and shapes (--counts-only: the first answer,
// exact type counts and streams only; --first-only: the first answer and its rates), timing each stage: the first
// answer (estimated counts and rates, sampled fields), exact type counts, exact streams and the exact catalog, and
// records every statement it ran (the estimate's key-range sample statement too). Then runs the same statements, values
// inlined, in `sqlite3 -readonly` or `psql` in one script each for the first answer and for the whole run. Prints the
// times, the ratios (goals: first answer under 1 s, exact within 1.2x of the SQL), the first answer's estimated counts
// against the exact ones and the margins it gave, the longest single statement and this process's peak RSS.
// --time-limit starts no statement after that many seconds (the shell runs the same statements that ran); --sql prints
// them to stderr. Each statement runs in the shell as the engine runs it: PostgreSQL's sample and estimate without
// JIT, the estimate over the pages of the heap it sampled (PgStore::planSample), SQLite's estimate without automatic
// indexes, the index probe as a plan. Unless --first-only, it also times opening the
// catalog a second time, from the summary cache (a cache of the run's own).
#include "../core/test_forwarding_store.h"
#include "catalog/catalogcache.h"
#include "catalog/catalogscan.h"
#include "pg/pgstore.h"
#include "sql/catalogsql.h"
#include "sql/estimatesql.h"
#include "sqlite/sqlitestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <cstdio>

using namespace es;

namespace {

// Forwards the catalog's reads to a store, keeping each request (what the shell runs again).
class RecordingStore : public test::ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    // A statement as the shell runs it again: a catalog request, or the estimate's sampled histogram.
    struct Recorded {
        std::optional<CatalogRequest> catalog;
        std::optional<HistogramQuery> estimate;
        double ms = 0;
    };
    std::vector<Recorded> requests;

    qint64 deadlineMs = 0; // with a time limit: no statement starts after this (ms since `clock` started)
    QElapsedTimer clock;
    CatalogRows catalogRows(const CatalogRequest& request) override
    {
        if (deadlineMs > 0 && clock.elapsed() > deadlineMs)
            throw StoreError(QStringLiteral("time limit"), StoreError::Kind::Cancelled);
        QElapsedTimer t;
        t.start();
        CatalogRows rows = m_store.catalogRows(request);
        requests.push_back({ request, std::nullopt, double(t.nsecsElapsed()) / 1e6 });
        return rows;
    }
    Histogram estimateHistogram(const HistogramQuery& q) override
    {
        QElapsedTimer t;
        t.start();
        Histogram h = m_store.estimateHistogram(q);
        requests.push_back({ std::nullopt, q, double(t.nsecsElapsed()) / 1e6 });
        return h;
    }
};

// CPU seconds (user + system) of this process, or of its waited-for children.
double cpuSeconds(int who)
{
    rusage usage {};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // lines as they come, also into a pipe
    // A catalog cache of this run's own (the second open reads it), not the user's.
    const QTemporaryDir cacheDir;
    qputenv("XDG_CACHE_HOME", cacheDir.path().toLocal8Bit());
    const QStringList args = app.arguments();
    QString path = QStringLiteral("/work/bench/browse10m.sqlite");
    CatalogOptions options;
    options.exact = true;
    bool printSql = false;
    double timeLimitS = 0; // stop starting statements after this many seconds (the shell then runs those that ran)
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--category") && i + 1 < args.size())
            options.scope.category = args.at(++i);
        else if (args.at(i) == QLatin1String("--counts-only"))
            options.exact = false;
        else if (args.at(i) == QLatin1String("--first-only"))
            options.exact = options.exactCounts = false;
        else if (args.at(i) == QLatin1String("--sql"))
            printSql = true;
        else if (args.at(i) == QLatin1String("--time-limit") && i + 1 < args.size())
            timeLimitS = args.at(++i).toDouble();
        else if (args.at(i) == QLatin1String("--chunk") && i + 1 < args.size())
            options.chunkPositions = std::max<qint64>(1, args.at(++i).toLongLong());
        else if (args.at(i) == QLatin1String("--count-chunks") && i + 1 < args.size())
            options.countChunks = std::max(1, args.at(++i).toInt());
        else if (args.at(i) == QLatin1String("--partitions") && i + 1 < args.size())
            options.streamPartitions = std::max(1, args.at(++i).toInt());
        else
            path = args.at(i);
    }
    try {
        const bool pg = PgStore::acceptsAddress(path);
        std::unique_ptr<EventStore> store;
        std::unique_ptr<SqlBuilder> builder;
        const SqlDialect dialect = pg ? SqlDialect::Postgres : SqlDialect::Sqlite;
        if (pg) {
            OpenOptions options;
            options.statementTimeoutMs = 0;
            auto s = PgStore::open(path, options);
            builder = std::make_unique<SqlBuilder>(s->sql());
            store = std::move(s);
        } else {
            auto s = SqliteStore::open(path);
            builder = std::make_unique<SqlBuilder>(s->profile(), dialect);
            store = std::move(s);
        }
        RecordingStore recording(*store);

        QElapsedTimer clock;
        std::vector<double> stageMs;
        std::vector<size_t> stageStatements;
        const double cpuStart = cpuSeconds(RUSAGE_SELF);
        std::vector<double> stageCpu;
        clock.start();
        std::optional<TypeCatalog> firstAnswer;
        std::optional<TypeCatalog> lastStage;
        recording.deadlineMs = qint64(timeLimitS * 1000);
        recording.clock.start();
        bool stopped = false;
        TypeCatalog catalog;
        try {
            catalog = scanCatalog(recording, options, nullptr, [&](const TypeCatalog& stage) {
                if (!firstAnswer)
                    firstAnswer = stage;
                lastStage = stage;
                stageMs.push_back(double(clock.nsecsElapsed()) / 1e6);
                stageCpu.push_back(cpuSeconds(RUSAGE_SELF) - cpuStart);
                stageStatements.push_back(recording.requests.size());
            });
        } catch (const StoreError& e) {
            if (e.kind() != StoreError::Kind::Cancelled || !lastStage)
                throw;
            stopped = true;
            catalog = *lastStage;
        }
        const double exactMs = double(clock.nsecsElapsed()) / 1e6;
        const double exactCpu = cpuSeconds(RUSAGE_SELF) - cpuStart;
        const double rss = peakRssMb();

        auto script = [&](size_t from, size_t to) {
            QString sql;
            for (size_t i = from; i < to; ++i) {
                const RecordingStore::Recorded& r = recording.requests[i];
                SqlStatement st;
                // What the engine runs around a statement, the shell runs too: the index probe is a plan, not a
                // read (run, it would scan the table for a type no event has), and SQLite's estimate runs without
                // automatic indexes (with them sqlite3 builds one over the whole table first).
                QString before;
                QString after;
                if (r.catalog) {
                    st = catalogStatement(*builder, *r.catalog, true);
                    if (r.catalog->part == CatalogPart::TypeIndexed)
                        before = pg ? QStringLiteral("EXPLAIN ") : QStringLiteral("EXPLAIN QUERY PLAN ");
                    // PgStore runs the sample without JIT (its sessions' setting), the other parts with the server's.
                    if (pg && r.catalog->part == CatalogPart::Sample) {
                        before = QStringLiteral("SET jit = off;\n");
                        after = QStringLiteral("RESET jit;\n");
                    }
                } else {
                    // The sample the engine read: PostgreSQL's pages of the heap (PgStore::planSample), SQLite's
                    // windows of positions.
                    const std::optional<KeySample> sample = pg
                        ? static_cast<PgStore&>(*store).planSample(r.estimate->filter)
                        : planKeySample(*store, r.estimate->filter);
                    if (!sample)
                        continue; // counted outright: not a sampled statement
                    st = histogramSampleStatement(*builder, *r.estimate, false, *sample);
                    if (pg) {
                        // PgStore::estimateHistogram runs it in the session's setting, without JIT.
                        before = QStringLiteral("SET jit = off;\n");
                        after = QStringLiteral("RESET jit;\n");
                    } else {
                        before = QStringLiteral("PRAGMA automatic_index = OFF;\n");
                        after = QStringLiteral("PRAGMA automatic_index = ON;\n");
                    }
                }
                QString inlined = st.sql;
                for (const QVariant& v : st.values) {
                    const QString value = v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int
                        ? QString::number(v.toLongLong())
                        : SqlBuilder::literal(v.toString());
                    inlined.replace(inlined.indexOf(SqlBuilder::param()), 1, value);
                }
                sql += before + SqlBuilder::render(inlined, dialect) + QStringLiteral(";\n") + after;
            }
            return sql;
        };
        double shellCpu = 0; // of the last shell run
        auto runShell = [&](const QString& sql, qint64* rows) -> double {
            const double childrenBefore = cpuSeconds(RUSAGE_CHILDREN);
            QProcess shell;
            QElapsedTimer t;
            t.start();
            if (pg)
                shell.start(QStringLiteral("psql"),
                    { QStringLiteral("-X"), QStringLiteral("-At"), QStringLiteral("-v"),
                        QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), path, QStringLiteral("-f"),
                        QStringLiteral("-") });
            else
                shell.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), path });
            shell.write(sql.toUtf8());
            shell.closeWriteChannel();
            shell.waitForFinished(-1);
            const double ms = double(t.nsecsElapsed()) / 1e6;
            shellCpu = cpuSeconds(RUSAGE_CHILDREN) - childrenBefore;
            *rows = shell.readAllStandardOutput().count('\n');
            if (shell.exitCode() != 0) {
                std::fprintf(stderr, "shell failed: %s\n", shell.readAllStandardError().constData());
                return -1;
            }
            return ms;
        };
        if (printSql)
            std::fprintf(stderr, "%s", qPrintable(script(0, recording.requests.size())));
        const QString shellName = pg ? QStringLiteral("psql") : QStringLiteral("sqlite3");
        qint64 sampleRows = 0;
        qint64 allRows = 0;
        const double shellSampleMs = runShell(script(0, stageStatements.at(0)), &sampleRows);
        const double shellSampleCpu = shellCpu;
        const double shellAllMs = runShell(script(0, recording.requests.size()), &allRows);
        const double shellAllCpu = shellCpu;
        if (shellSampleMs < 0 || shellAllMs < 0)
            return 1;

        qint64 events = 0;
        size_t fields = 0;
        size_t shapes = 0;
        for (const TypeSummary& t : catalog.types) {
            events += t.count;
            fields += t.fields.size();
            shapes += t.shapes.size();
        }
        std::printf("store              %s%s%s\n", qPrintable(path),
            options.scope.category.isEmpty() ? "" : ", category ", qPrintable(options.scope.category));
        std::printf("catalog            %lld events, %zu types, %zu fields, %zu shapes; sample %lld events in %zu "
                    "ranges; %zu statements (%zu for the sample)\n",
            events, catalog.types.size(), fields, shapes, catalog.sampleEvents, catalog.sample.size(),
            recording.requests.size(), stageStatements.at(0));
        std::printf("first answer       %.0f ms (estimated counts, sampled fields; goal < 1000 ms); %s runs its "
                    "statements in %.0f ms, ratio %.2fx\n",
            stageMs.at(0), qPrintable(shellName), shellSampleMs, stageMs.at(0) / shellSampleMs);
        // Stages after the first answer: rates (a large scope), exact counts, exact streams, exact fields.
        const size_t rates = !firstAnswer || firstAnswer->lastPosition - firstAnswer->firstPosition < 65535 ? 0 : 1;
        if (rates && stageMs.size() > 1)
            std::printf("rates              %.0f ms (estimated by type over time)\n", stageMs.at(1));
        if (options.exactCounts && stageMs.size() > 1 + rates)
            std::printf("exact type counts  %.0f ms (%d statements by ranges of positions)\n", stageMs.at(1 + rates),
                options.countChunks);
        if (options.exactCounts && stageMs.size() > 2 + rates)
            std::printf("exact streams      %.0f ms (%d statements by partitions of the stream names)\n",
                stageMs.at(2 + rates), options.streamPartitions);
        if (catalog.countsExact && firstAnswer && firstAnswer->countsEstimated) {
            // How far the first answer's estimated counts were from the exact ones, against the margins it gave.
            qint64 off = 0;
            qint64 total = 0;
            int within = 0;
            double worst = 0;
            QString worstText;
            for (const TypeSummary& exact : catalog.types) {
                const TypeSummary* est = firstAnswer->find(exact.type);
                const qint64 estimate = est ? est->count : 0;
                const qint64 margin = est ? est->countMargin : -1;
                off += std::abs(estimate - exact.count);
                total += exact.count;
                within += margin >= 0 && std::abs(estimate - exact.count) <= margin ? 1 : 0;
                const double rel = double(std::abs(estimate - exact.count)) / double(std::max<qint64>(1, exact.count));
                if (rel > worst && exact.count >= 10000) {
                    worst = rel;
                    worstText = QStringLiteral("%1: %2 estimated ± %3, %4 exact")
                                    .arg(exact.type)
                                    .arg(estimate)
                                    .arg(margin)
                                    .arg(exact.count);
                }
            }
            std::printf("estimate error     from %s: %.2f%% of all events misplaced; %d of %zu types within their "
                        "margin (two standard errors); worst type of 10,000+ events %.2f%% (%s)\n",
                firstAnswer->countsFromStatistics ? "planner statistics" : "256 key ranges",
                100.0 * double(off) / double(std::max<qint64>(1, total)), within, catalog.types.size(), 100.0 * worst,
                qPrintable(worstText));
        }
        for (size_t i = 0; i < stageStatements.at(0) && i < recording.requests.size(); ++i) {
            const RecordingStore::Recorded& r = recording.requests[i];
            std::printf("  first answer, statement %zu (%s): %.0f ms\n", i,
                r.catalog ? qPrintable(QStringLiteral("part %1").arg(int(r.catalog->part))) : "estimate", r.ms);
        }
        double longest = 0;
        QString longestPart;
        for (const RecordingStore::Recorded& r : recording.requests) {
            if (r.ms > longest) {
                longest = r.ms;
                longestPart = r.catalog ? QString::number(int(r.catalog->part)) : QStringLiteral("estimate");
            }
        }
        std::printf("longest statement  %.0f ms (part %s; PostgreSQL's default statement timeout is 30000 ms)\n",
            longest, qPrintable(longestPart));
        std::printf("%s %.0f ms; %s runs the same %zu statements in %.0f ms (%lld rows), ratio %.2fx "
                    "(goal <= 1.2)\n",
            options.exact ? "exact catalog     " : "sample + counts   ", exactMs, qPrintable(shellName),
            recording.requests.size(), shellAllMs, allRows, exactMs / shellAllMs);
        // On a loaded machine wall times drift between the two runs; SQLite does all its work in the calling
        // process, so CPU times compare the same work (PostgreSQL's work is in the server: not counted here).
        if (!pg) {
            std::printf("CPU, first answer  eventscope %.2f s, sqlite3 %.2f s, ratio %.2fx\n", stageCpu.at(0),
                shellSampleCpu, stageCpu.at(0) / shellSampleCpu);
            std::printf("CPU, whole run     eventscope %.2f s, sqlite3 %.2f s, ratio %.2fx\n", exactCpu, shellAllCpu,
                exactCpu / shellAllCpu);
        }
        if (stopped)
            std::printf("time limit         stopped after %.0f s: no statement started later; the last stage and the "
                        "shell's run cover the statements that ran\n",
                timeLimitS);
        std::printf("peak RSS           %.1f MB\n", rss);
        if (!stopped && (options.exactCounts || options.exact)) {
            // Opening the Types view a second time: the catalog just read is kept as a first open through the cache
            // keeps it, then read back through the cache as CatalogJob reads it (scanCatalogCached).
            QElapsedTimer t;
            t.start();
            const bool kept = catalogcache::keep(*store, catalog);
            const double keepMs = double(t.nsecsElapsed()) / 1e6;
            CatalogCacheUse use;
            double shownMs = -1;
            t.restart();
            const TypeCatalog again = scanCatalogCached(
                *store, options, nullptr,
                [&](const TypeCatalog&) {
                    if (shownMs < 0)
                        shownMs = double(t.nsecsElapsed()) / 1e6;
                },
                {}, &use);
            const double againMs = double(t.nsecsElapsed()) / 1e6;
            std::printf("second open        %.0f ms to the first stage, %.0f ms in all, from the catalog cache (%s; "
                        "%zu types, counts %s; kept after the first open in %.0f ms)\n",
                shownMs, againMs,
                use.hit            ? "a hit"
                    : use.extended ? "extended past the cached head"
                    : kept         ? "a miss"
                                   : "not kept",
                again.types.size(), again.countsExact ? "exact" : "estimated", keepMs);
        }
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
