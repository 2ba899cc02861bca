// Issue 2 benchmark: open a large SQLite store and browse it the way the GUI does, against the sqlite3 shell.
//
//   bench_browse [--events N] [--samples N] [--walk] STORE.sqlite
//
// Creates STORE (Emmett layout, sample generator) when it does not exist. Reports: time to open and show the first
// page (core and item model), p50/p99 of a jump to a random global position (core) and to a random row of the table
// model, and with --walk the peak RSS after walking the table model from the first row to the last in pages. The same
// queries run in the sqlite3 shell in the same run for the ratio.
#include "connectors.h"
#include "models/eventtablemodel.h"
#include "samplewriter.h"
#include "store/storeregistry.h"
#include "store/storesession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QThread>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace es;

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

long peakRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    }
    return -1;
}

bool spinUntil(const std::function<bool()>& pred, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!pred()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
    }
    return true;
}

const char* kSelect = "SELECT global_position, stream_id, stream_position, message_type, created, message_id, "
                      "message_data, message_metadata FROM emt_messages WHERE is_archived = 0 AND message_kind = 'E' ";

// Runs the statements in one sqlite3 shell with .timer on; returns the per-statement real times in ms.
std::vector<double> shellTimes(const QString& store, const QStringList& statements)
{
    QTemporaryFile script;
    script.open();
    script.write(".output /dev/null\n.timer on\n");
    for (const QString& s : statements)
        script.write(s.toUtf8() + ";\n");
    script.flush();
    QProcess p;
    p.setStandardInputFile(script.fileName());
    p.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), store });
    p.waitForFinished(-1);
    const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    std::vector<double> times;
    static const QRegularExpression re(QStringLiteral("Run Time: real ([0-9.]+)"));
    auto it = re.globalMatch(out);
    while (it.hasNext())
        times.push_back(it.next().captured(1).toDouble() * 1000.0);
    return times;
}

// Mean time per statement of the sqlite3 shell: the whole script's wall time less an empty script's, over N.
double shellMeanMs(const QString& store, const QStringList& statements)
{
    auto runScript = [&](const QStringList& list) {
        QTemporaryFile script;
        script.open();
        script.write(".output /dev/null\n");
        for (const QString& s : list)
            script.write(s.toUtf8() + ";\n");
        script.flush();
        QElapsedTimer t;
        t.start();
        QProcess p;
        p.setStandardInputFile(script.fileName());
        p.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), store });
        p.waitForFinished(-1);
        return t.nsecsElapsed() / 1e6;
    };
    const double empty = std::min(runScript({}), runScript({}));
    return (runScript(statements) - empty) / double(std::max<qsizetype>(1, statements.size()));
}

// The same statement through the C API in a plain loop: prepare once, bind, step, read every column as text.
std::vector<double> cLoopTimes(const QString& store, const QString& sql, const std::vector<qint64>& params)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(store.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr);
    std::vector<double> times;
    size_t bytes = 0;
    for (const qint64 p : params) {
        QElapsedTimer t;
        t.start();
        sqlite3_bind_int64(stmt, 1, p);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                sqlite3_column_text(stmt, c);
                bytes += size_t(sqlite3_column_bytes(stmt, c));
            }
        }
        sqlite3_reset(stmt);
        times.push_back(t.nsecsElapsed() / 1e6);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return bytes ? times : std::vector<double> {};
}

double mean(const std::vector<double>& v)
{
    double sum = 0;
    for (const double x : v)
        sum += x;
    return v.empty() ? 0 : sum / double(v.size());
}

double shellProcessMs(const QString& store, const QString& statement)
{
    QElapsedTimer t;
    t.start();
    QProcess p;
    p.start(QStringLiteral("sqlite3"), { QStringLiteral("-readonly"), store, statement });
    p.waitForFinished(-1);
    p.readAllStandardOutput();
    return t.nsecsElapsed() / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("store"), QStringLiteral("SQLite store (created when absent)"));
    parser.addOption({ QStringLiteral("events"), QStringLiteral("Events when creating"), QStringLiteral("n"),
        QStringLiteral("10000000") });
    parser.addOption(
        { QStringLiteral("samples"), QStringLiteral("Random jumps"), QStringLiteral("n"), QStringLiteral("500") });
    parser.addOption({ QStringLiteral("walk"), QStringLiteral("Walk the table model from first to last row") });
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);
    const QString store = parser.positionalArguments().first();
    const int samples = parser.value(QStringLiteral("samples")).toInt();
    registerConnectors();

    if (!QFileInfo::exists(store)) {
        const qint64 n = parser.value(QStringLiteral("events")).toLongLong();
        std::fprintf(stderr, "creating %lld-event store %s ...\n", qint64(n), qPrintable(store));
        QElapsedTimer t;
        t.start();
        writeSampleStore(store, SampleOptions { n, 42, QStringLiteral("emmett") });
        std::fprintf(stderr, "created in %.1f s\n", t.elapsed() / 1000.0);
    }
    // Warm the page cache for both sides alike.
    shellTimes(store, { QStringLiteral("SELECT count(*) FROM emt_messages") });

    const int pageSize = 256;
    std::printf("store: %s (%.0f MB)\n", qPrintable(store), QFileInfo(store).size() / 1e6);

    // 1. Open and first page, core.
    QElapsedTimer t;
    t.start();
    auto conn = StoreRegistry::open(store);
    EventQuery first;
    first.limit = pageSize;
    const EventPage firstPage = conn->events(first);
    const double openCoreMs = t.nsecsElapsed() / 1e6;
    const StoreInfo info = conn->info();
    const double infoMs = t.nsecsElapsed() / 1e6 - openCoreMs;
    const QString firstSql
        = QString::fromLatin1(kSelect) + QStringLiteral("ORDER BY global_position LIMIT %1").arg(pageSize);
    const double shellFirstMs = shellProcessMs(store, firstSql);

    // 2. Open and first page through the table model (what the GUI shows).
    t.restart();
    StoreSession session(StoreOpener { store, {} });
    EventTableModel model;
    model.setPageSize(pageSize);
    model.setSession(&session);
    model.setFilter({});
    model.data(model.index(0, 0));
    bool ok = spinUntil(
        [&] { return model.rowCount() > 0 && model.data(model.index(0, 0), EventTableModel::LoadedRole).toBool(); });
    const double openModelMs = t.nsecsElapsed() / 1e6;
    spinUntil([&] { return model.isRowCountKnown(); }, 600000);
    const double countMs = t.nsecsElapsed() / 1e6;
    const qint64 rows = model.rowCount();

    // 3. Random global positions: core keyset seek of one page, against the shell.
    std::mt19937_64 rng(7);
    const qint64 head = info.headPosition;
    const qint64 lo = std::max<qint64>(1, info.firstPosition);
    std::vector<qint64> positions;
    for (int i = 0; i < samples; ++i)
        positions.push_back(lo + qint64(rng() % quint64(head - lo + 1)));
    std::vector<double> jumpCore;
    for (const qint64 pos : positions) {
        QElapsedTimer j;
        j.start();
        EventQuery q;
        q.from = pos;
        q.limit = 50;
        const EventPage page = conn->events(q);
        jumpCore.push_back(j.nsecsElapsed() / 1e6);
        if (page.events.empty() || page.events.front().position < pos)
            ok = false;
    }
    QStringList jumpSql;
    for (const qint64 pos : positions)
        jumpSql.append(QString::fromLatin1(kSelect)
            + QStringLiteral("AND global_position >= %1 ORDER BY global_position LIMIT 50").arg(pos));
    const double jumpShellMean = shellMeanMs(store, jumpSql);
    const std::vector<double> jumpLoop = cLoopTimes(store,
        QString::fromLatin1(kSelect) + QStringLiteral("AND global_position >= ?1 ORDER BY global_position LIMIT 50"),
        positions);
    QStringList pageSql;
    for (const qint64 pos : positions)
        pageSql.append(QString::fromLatin1(kSelect)
            + QStringLiteral("AND global_position >= %1 ORDER BY global_position LIMIT %2").arg(pos).arg(pageSize));
    const double pageShellMean = shellMeanMs(store, pageSql);
    const std::vector<double> pageLoop = cLoopTimes(store,
        QString::fromLatin1(kSelect)
            + QStringLiteral("AND global_position >= ?1 ORDER BY global_position LIMIT %1").arg(pageSize),
        positions);

    // 4. Random rows of the table model: from asking for a cell of an unloaded page to its data.
    std::vector<double> jumpModel;
    for (int i = 0; i < samples; ++i) {
        const int row = int(rng() % quint64(std::max(1, model.rowCount())));
        const QModelIndex idx = model.index(row, EventTableModel::TypeColumn);
        QElapsedTimer j;
        j.start();
        model.data(idx);
        if (!spinUntil([&] { return model.data(idx, EventTableModel::LoadedRole).toBool(); }, 10000))
            ok = false;
        jumpModel.push_back(j.nsecsElapsed() / 1e6);
    }

    auto row = [](const char* what, double ours, double base) {
        std::printf("%-58s %10.3f ms %10.3f ms %7.2fx\n", what, ours, base, ours / std::max(1e-6, base));
    };
    std::printf("\n%-58s %13s %13s %8s\n", "measure (baseline in brackets)", "eventscope", "baseline", "ratio");
    row("open + first page, core (sqlite3 shell process)", openCoreMs, shellFirstMs);
    row("open + first page shown by the table model (shell process)", openModelMs, shellFirstMs);
    row("jump to random position, 50 rows, mean (sqlite3 shell mean)", mean(jumpCore), jumpShellMean);
    row("jump to random position, 50 rows, p50 (C API loop p50)", percentile(jumpCore, 0.5), percentile(jumpLoop, 0.5));
    row("jump to random position, 50 rows, p99 (C API loop p99)", percentile(jumpCore, 0.99),
        percentile(jumpLoop, 0.99));
    row("jump to random table row, 256-row page, mean (shell mean)", mean(jumpModel), pageShellMean);
    row("jump to random table row, 256-row page, p50 (C loop p50)", percentile(jumpModel, 0.5),
        percentile(pageLoop, 0.5));
    row("jump to random table row, 256-row page, p99 (C loop p99)", percentile(jumpModel, 0.99),
        percentile(pageLoop, 0.99));
    std::printf("info() %.1f ms; table model row count %lld known after %.0f ms; RSS so far %ld MB\n", infoMs,
        qint64(rows), countMs, peakRssKb() / 1024);

    if (parser.isSet(QStringLiteral("walk"))) {
        QElapsedTimer w;
        w.start();
        for (int row = 0; row < model.rowCount(); row += pageSize) {
            const QModelIndex idx = model.index(row, EventTableModel::DataColumn);
            model.data(idx);
            if (!spinUntil([&] { return model.data(idx, EventTableModel::LoadedRole).toBool(); }, 10000)) {
                ok = false;
                break;
            }
            model.data(idx); // the preview is built, as a view would
        }
        std::printf("walked %d rows in %.1f s; cached pages %d; peak RSS %ld MB\n", model.rowCount(),
            w.elapsed() / 1000.0, model.cachedPageCount(), peakRssKb() / 1024);
    }
    std::printf("result: %s\n", ok ? "all reads returned the expected rows" : "SOME READS FAILED");
    return ok ? 0 : 1;
}
