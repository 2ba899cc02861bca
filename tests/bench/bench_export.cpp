// Export benchmark (run by hand): JSON Lines export of N events from a SQLite store vs the sqlite3 shell's -json
// output of the same rows, in the same run.
//   bench_export [EVENTS=1000000] [FOLDER=a new temporary folder]
#include "connectors.h"
#include "exporter.h"
#include "samplewriter.h"
#include "storeregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>

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

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
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
    std::printf("PostgreSQL: not measured (no PostgreSQL engine registered in this build)\n");
    return 0;
}
