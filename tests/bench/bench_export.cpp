// Export benchmark (run by hand): JSON Lines export of N events from a SQLite store vs the sqlite3 shell's -json
// output of the same rows, in the same run.
//   bench_export [EVENTS=1000000] [FOLDER=a new temporary folder]
// PostgreSQL (a Message DB store made by `eventscope-cli sample ADDRESS --layout messagedb`, read only): the first
// EVENTS positions exported to JSON Lines vs psql writing the same rows with row_to_json, and vs a plain COPY of the
// same columns as text (what the server can hand out at most), all to files in the same run.
//   bench_export --pg ADDRESS [EVENTS=1000000]
#include "connectors.h"
#include "export/exporter.h"
#include "pg/pgaddress.h"
#include "samplewriter.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

#include <sys/resource.h>

using namespace es;

namespace {

double runShell(const QString& program, const QStringList& args, const QString& outFile, bool* ok)
{
    QProcess p;
    p.setStandardOutputFile(outFile);
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    *ok = p.waitForStarted() && p.waitForFinished(-1) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!*ok)
        std::fprintf(stderr, "%s failed: %s\n", qPrintable(program), p.readAllStandardError().constData());
    return double(t.nsecsElapsed()) / 1e9;
}

// User and system CPU seconds of this process so far (all its threads).
double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

} // namespace

int benchPostgres(const QString& address, qint64 events)
{
    QTemporaryDir temp;
    std::unique_ptr<EventStore> store;
    qint64 first = -1;
    try {
        store = StoreRegistry::open(address);
        if (store->info().layout != QLatin1String("messagedb")) {
            std::fprintf(stderr, "the PostgreSQL benchmark reads a Message DB store\n");
            return 1;
        }
        first = store->info().firstPosition;
    } catch (const StoreError& e) {
        std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(address), qPrintable(e.message()));
        return 1;
    }
    const qint64 last = first + events - 1;
    const QString range
        = QStringLiteral("global_position BETWEEN %1 AND %2 ORDER BY global_position").arg(first).arg(last);
    // The columns of the export, named as its keys; correlation and causation as the profile reads them.
    const QString rowToJson = QStringLiteral(
        "\\copy (SELECT row_to_json(t) FROM (SELECT global_position AS position, stream_name AS stream, position AS "
        "version, type, time, id, data, metadata, metadata->>'correlationStreamName' AS \"correlationId\", "
        "metadata->>'causationMessageGlobalPosition' AS \"causationId\" FROM message_store.messages WHERE %1) t) TO "
        "STDOUT")
                                  .arg(range);
    const QString plainCopy
        = QStringLiteral("COPY (SELECT global_position, stream_name, position, type, time, id, data, metadata, "
                         "metadata->>'correlationStreamName', metadata->>'causationMessageGlobalPosition' FROM "
                         "message_store.messages WHERE %1) TO STDOUT")
              .arg(range);
    const QString psql = QStandardPaths::findExecutable(QStringLiteral("psql"));
    if (psql.isEmpty()) {
        std::fprintf(stderr, "psql not found\n");
        return 1;
    }
    auto runPsql = [&](const QString& sql, const QString& out) {
        bool ok = false;
        const double s = runShell(psql,
            { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                QStringLiteral("-d"), address, QStringLiteral("-c"), sql },
            out, &ok);
        return ok ? s : -1.0;
    };
    std::printf("PostgreSQL %s: positions %lld..%lld\n", qPrintable(PgAddress::redact(address)),
        static_cast<long long>(first), static_cast<long long>(last));
    // Three rounds, each running the three one after another; the best time of each is compared at the end too, as
    // on a busy machine a single round mostly measures the neighbours.
    double bestOurs = 1e9;
    double bestJson = 1e9;
    double bestCopy = 1e9;
    for (int round = 0; round < 3; ++round) {
        const QString out = temp.filePath(QStringLiteral("export.jsonl"));
        QFile::remove(out);
        QElapsedTimer t;
        t.start();
        const double cpuBefore = cpuSeconds();
        ExportResult r;
        try {
            ExportOptions options;
            options.path = out;
            options.format = QStringLiteral("jsonl");
            options.from = first;
            options.to = last;
            r = Exporter::run(*store, options);
        } catch (const StoreError& e) {
            std::fprintf(stderr, "export failed: %s\n", qPrintable(e.message()));
            return 1;
        }
        const double ours = double(t.nsecsElapsed()) / 1e9;
        const double cpu = cpuSeconds() - cpuBefore;
        QFile::remove(out);
        const QString psqlOut = temp.filePath(QStringLiteral("psql.out"));
        const double json = runPsql(rowToJson, psqlOut);
        const qint64 jsonBytes = QFileInfo(psqlOut).size();
        const double copy = runPsql(plainCopy, psqlOut);
        const qint64 copyBytes = QFileInfo(psqlOut).size();
        QFile::remove(psqlOut);
        std::printf("round %d: eventscope export jsonl: %lld events, %.1f MB in %.2f s (%.0f events/s; client CPU %.2f "
                    "s)\n",
            round + 1, static_cast<long long>(r.events), double(r.bytes) / 1e6, ours, double(r.events) / ours, cpu);
        if (json > 0)
            std::printf("round %d: psql \\copy row_to_json, same rows: %.1f MB in %.2f s -> ratio %.2fx its speed\n",
                round + 1, double(jsonBytes) / 1e6, json, json / ours);
        if (copy > 0)
            std::printf(
                "round %d: psql plain COPY of the columns as text: %.1f MB in %.2f s -> ratio %.2fx its speed\n",
                round + 1, double(copyBytes) / 1e6, copy, copy / ours);
        bestOurs = std::min(bestOurs, ours);
        if (json > 0)
            bestJson = std::min(bestJson, json);
        if (copy > 0)
            bestCopy = std::min(bestCopy, copy);
        std::fflush(stdout);
    }
    std::printf("best of 3: eventscope %.2f s; psql row_to_json %.2f s -> ratio %.2fx (goal >= 1.0); plain COPY %.2f s "
                "-> ratio %.2fx (goal >= 0.8)\n",
        bestOurs, bestJson, bestJson / bestOurs, bestCopy, bestCopy / bestOurs);
    return 0;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    if (args.size() > 2 && args.at(1) == QLatin1String("--pg"))
        return benchPostgres(args.at(2), args.size() > 3 ? args.at(3).toLongLong() : 1000000);
    const qint64 events = args.size() > 1 ? args.at(1).toLongLong() : 1000000;
    QTemporaryDir temp;
    const QString folder = args.size() > 2 ? args.at(2) : temp.path();

    const QString store = folder + QStringLiteral("/bench-export-%1.sqlite").arg(events);
    if (!QFileInfo::exists(store)) {
        QElapsedTimer t;
        t.start();
        SampleOptions options;
        options.events = events;
        writeSampleStore(store, options);
        std::printf("sample store: %lld events written in %.1f s (%s)\n", static_cast<long long>(events),
            double(t.elapsed()) / 1000.0, qPrintable(store));
    }

    // The same rows and columns the exporter writes, as the sqlite3 shell's JSON output.
    const QString sql = QStringLiteral(
        "SELECT global_position AS position, stream_id AS stream, stream_position AS version, message_type AS type, "
        "created AS time, message_id AS id, message_data AS data, message_metadata AS metadata, "
        "json_extract(message_metadata, '$.correlationId') AS correlationId, "
        "json_extract(message_metadata, '$.causationId') AS causationId FROM emt_messages "
        "WHERE is_archived = 0 AND message_kind = 'E' ORDER BY global_position");
    const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));

    for (int round = 0; round < 2; ++round) {
        const QString out = folder + QStringLiteral("/export.jsonl");
        QFile::remove(out);
        QElapsedTimer t;
        t.start();
        ExportResult r;
        try {
            auto s = StoreRegistry::open(store);
            ExportOptions options;
            options.path = out;
            options.format = QStringLiteral("jsonl");
            r = Exporter::run(*s, options);
        } catch (const StoreError& e) {
            std::fprintf(stderr, "export failed: %s\n", qPrintable(e.message()));
            return 1;
        }
        const double ours = double(t.nsecsElapsed()) / 1e9;
        std::printf("round %d: eventscope export jsonl: %lld events, %.1f MB in %.2f s (%.0f events/s)\n", round + 1,
            static_cast<long long>(r.events), double(r.bytes) / 1e6, ours, double(r.events) / ours);
        if (!sqlite3.isEmpty()) {
            bool ok = false;
            const QString shellOut = folder + QStringLiteral("/sqlite3.json");
            const double shell = runShell(
                sqlite3, { QStringLiteral("-readonly"), QStringLiteral("-json"), store, sql }, shellOut, &ok);
            if (ok)
                std::printf("round %d: sqlite3 -json, same rows: %.1f MB in %.2f s -> ratio %.2fx their speed\n",
                    round + 1, double(QFileInfo(shellOut).size()) / 1e6, shell, shell / ours);
            QFile::remove(shellOut);
        } else {
            std::printf("sqlite3 shell not found; no comparison\n");
        }
        QFile::remove(out);
    }
    std::printf("PostgreSQL: run bench_export --pg ADDRESS [EVENTS]\n");
    return 0;
}
