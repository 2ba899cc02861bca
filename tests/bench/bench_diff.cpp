// Diff benchmark (run by hand): two stores compared (StoreDiff, as `eventscope-cli diff` runs it) vs exporting one of
// them to JSON Lines (Exporter, as `eventscope-cli export` runs it), in the same run. Goal: diff <= 2x export.
//   bench_diff [A=/work/bench/browse10m.sqlite] [B=/work/bench/diff10m-b.sqlite] [FOLDER=a new temporary folder]
// B is made when missing: a copy of A with planted changes written the way Emmett writes (three payloads edited, two
// events removed, two appended to a stream by appendToStream's statements). A is only read.
#include "connectors.h"
#include "diff/storediff.h"
#include "export/exporter.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <cstdio>

#include <sys/resource.h>

using namespace es;

namespace {

double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

bool exec(sqlite3* db, const char* sql)
{
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "%s: %s\n", sql, error ? error : "?");
        sqlite3_free(error);
        return false;
    }
    return true;
}

// The planted changes; positions are chosen from the store's own range.
bool makeB(const QString& a, const QString& b)
{
    std::fprintf(stderr, "making %s: a copy of %s with planted changes...\n", qPrintable(b), qPrintable(a));
    const QString partial = b + QStringLiteral(".partial");
    QFile::remove(partial);
    if (!QFile::copy(a, partial)) {
        std::fprintf(stderr, "cannot copy %s\n", qPrintable(a));
        return false;
    }
    QFile(partial).setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(partial).constData(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return false;
    bool ok = exec(db, "BEGIN")
        && exec(db,
            "UPDATE emt_messages SET message_data = json_set(message_data, '$.amount', 4242) WHERE global_position IN "
            "(SELECT global_position FROM emt_messages WHERE global_position IN (1000000, 5000000, 9999990))")
        && exec(db, "DELETE FROM emt_messages WHERE global_position IN (2500000, 7500000)") && exec(db, "COMMIT");
    // appendToStream.ts: the stream's row bumped, then the messages, in one transaction.
    ok = ok && exec(db, "BEGIN IMMEDIATE")
        && exec(db,
            "UPDATE emt_streams SET stream_position = stream_position + 2 WHERE stream_id = 'bench-diff-1' AND "
            "partition = 'emt:default' AND is_archived = 0")
        && exec(db,
            "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, "
            "is_archived) SELECT 'bench-diff-1', 2, 'emt:default', 'bench', '[]', false WHERE changes() = 0")
        && exec(db,
            "INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
            "message_metadata, message_schema_version, message_type, message_id, is_archived) VALUES "
            "('bench-diff-1', 1, 'emt:default', 'E', '{\"n\":1}', "
            "'{\"streamName\":\"bench-diff-1\",\"messageId\":\"bench-diff-1-1\",\"streamPosition\":1}', '0', "
            "'Planted', 'bench-diff-1-1', 0), ('bench-diff-1', 2, 'emt:default', 'E', '{\"n\":2}', "
            "'{\"streamName\":\"bench-diff-1\",\"messageId\":\"bench-diff-1-2\",\"streamPosition\":2}', '1', "
            "'Planted', 'bench-diff-1-2', 0)")
        && exec(db, "COMMIT");
    sqlite3_close(db);
    return ok && QFile::rename(partial, b);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    const QString a = args.value(1, QStringLiteral("/work/bench/browse10m.sqlite"));
    const QString b = args.value(2, QStringLiteral("/work/bench/diff10m-b.sqlite"));
    QTemporaryDir temp;
    const QString folder = args.size() > 3 ? args.at(3) : temp.path();
    if (!QFileInfo::exists(b) && !makeB(a, b))
        return 1;

    try {
        auto storeA = StoreRegistry::open(a);
        auto storeB = StoreRegistry::open(b);

        ExportOptions options;
        options.format = QStringLiteral("jsonl");
        options.path = folder + QStringLiteral("/bench_diff_export.jsonl");
        options.overwrite = true;
        QElapsedTimer t;
        double cpu = cpuSeconds();
        t.start();
        const ExportResult exported = Exporter::run(*storeA, options);
        const double exportSeconds = double(t.nsecsElapsed()) / 1e9;
        const double exportCpu = cpuSeconds() - cpu;
        QFile::remove(options.path);
        std::printf("export A to JSON Lines: %lld events, %.1f MB in %.2f s (%.2f s CPU)\n",
            static_cast<long long>(exported.events), double(exported.bytes) / 1e6, exportSeconds, exportCpu);
        std::fflush(stdout);

        qint64 changes = 0;
        cpu = cpuSeconds();
        t.restart();
        const DiffSummary s = StoreDiff::run(*storeA, *storeB, {}, [&](const DiffChange& c) {
            ++changes;
            std::printf("  %s %s@%lld %s\n", qPrintable(DiffChange::kindName(c.kind)), qPrintable(c.stream),
                static_cast<long long>(c.version), qPrintable(c.paths.join(QLatin1Char(','))));
        });
        const double diffSeconds = double(t.nsecsElapsed()) / 1e9;
        const double diffCpu = cpuSeconds() - cpu;
        std::printf("diff A B: %lld vs %lld events, %lld unchanged, %lld changed, %lld removed, %lld added, by %s, "
                    "at most %lld unpaired held, in %.2f s (%.2f s CPU, both threads)\n",
            static_cast<long long>(s.eventsA), static_cast<long long>(s.eventsB), static_cast<long long>(s.unchanged),
            static_cast<long long>(s.counts.changed), static_cast<long long>(s.counts.removed),
            static_cast<long long>(s.counts.added), s.matchedById ? "id" : "stream and version",
            static_cast<long long>(s.maxPending), diffSeconds, diffCpu);
        std::printf("ratio diff / export: %.2f (goal <= 2.0)\n", diffSeconds / exportSeconds);
        return 0;
    } catch (const StoreError& e) {
        std::fprintf(stderr, "%s\n", qPrintable(e.message()));
        return 1;
    }
}
