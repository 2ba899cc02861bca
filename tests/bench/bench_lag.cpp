// Lag and tail benchmark, run by hand against a Message DB store made by
//   eventscope-cli sample "postgresql://postgres@/build_lag_bench?host=..." --layout messagedb --events 10000000
// Usage: bench_lag "<libpq address>" [checkpoints=200] [seconds=10] [server log file]
// It WRITES to that (sample) database, never to one named bench10m: position streams until there are `checkpoints`
// consumers (Recorded messages, as Eventide's consumer writes them; 0 = write none), then, when seconds > 0, events
// from 8 writers at 2,000 events/s in total while a Tailer polls every 200 ms (eventscope-cli tail's default).
// It reports one lag poll's time (median, p95) and the commit-to-seen latency p50/p99. With a readable server log it
// also runs the poll's very statements through psql in the same run (the baseline): the database is set to
// log_statement = all for the duration, and the statements of the poll's backend are read back from the log.
#include "connectors.h"
#include "live/lag.h"
#include "live/tailer.h"
#include "store/storeregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

using namespace es;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

// The statements one backend logged after `offset` (log_statement = all, log_line_prefix '%m [%p] '), with their
// bound parameters written in as literals.
QStringList loggedStatements(const QString& logPath, qint64 offset, qint64 pid)
{
    QFile f(logPath);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(offset))
        return {};
    const QString text = QString::fromUtf8(f.readAll());
    const QString tag = QStringLiteral(" [%1] ").arg(pid);
    static const QRegularExpression stmt(QStringLiteral("(?:statement|execute [^:]*): (.*)$"));
    static const QRegularExpression param(QStringLiteral("\\$(\\d+) = ('(?:[^']|'')*'|NULL)"));
    QStringList out;
    const QStringList lines = text.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString& line = lines.at(i);
        if (!line.contains(tag) || !line.contains(QLatin1String("LOG:")))
            continue;
        const QRegularExpressionMatch m = stmt.match(line);
        if (!m.hasMatch())
            continue;
        QString sql = m.captured(1);
        if (i + 1 < lines.size() && lines.at(i + 1).contains(tag)
            && lines.at(i + 1).contains(QLatin1String("DETAIL:  parameters:"))) {
            QList<QPair<int, QString>> values;
            auto it = param.globalMatch(lines.at(i + 1));
            while (it.hasNext()) {
                const QRegularExpressionMatch p = it.next();
                values.append({ p.captured(1).toInt(), p.captured(2) });
            }
            std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
            for (const auto& v : values)
                sql.replace(QStringLiteral("$%1").arg(v.first), v.second);
        }
        out.append(sql);
    }
    return out;
}

// Runs the statements `rounds` times in one psql session; returns each round's total time as psql measures it.
std::vector<double> psqlRounds(const QString& address, const QStringList& statements, int rounds)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("poll.sql"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write("SET default_transaction_read_only = on;\nSET TimeZone = 'UTC';\nSET jit = off;\nSET search_path TO "
            "message_store, public;\n\\o /dev/null\n\\timing on\n");
    for (int r = 0; r < rounds; ++r) {
        for (const QString& s : statements)
            f.write((s + QStringLiteral(";\n")).toUtf8());
    }
    f.close();
    QProcess p;
    p.start(QStringLiteral("psql"),
        { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
            QStringLiteral("-f"), path, address });
    p.waitForFinished(-1);
    const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    std::vector<double> times;
    static const QRegularExpression time(QStringLiteral("Time: ([0-9.]+) ms"));
    auto it = time.globalMatch(out);
    while (it.hasNext())
        times.push_back(it.next().captured(1).toDouble());
    const size_t n = size_t(statements.size()) * size_t(rounds);
    if (times.size() < n) {
        std::fprintf(stderr, "psql: %s\n", out.left(2000).toLocal8Bit().constData());
        return {};
    }
    times.erase(times.begin(), times.end() - qsizetype(n));
    std::vector<double> perRound;
    for (int r = 0; r < rounds; ++r) {
        double sum = 0;
        for (qsizetype i = 0; i < statements.size(); ++i)
            sum += times[size_t(r) * size_t(statements.size()) + size_t(i)];
        perRound.push_back(sum);
    }
    return perRound;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_lag \"<libpq address>\" [checkpoints=200] [seconds=10] [server log]\n");
        return 2;
    }
    const QString address = args.at(1);
    const int checkpoints = args.size() > 2 ? args.at(2).toInt() : 200;
    const int seconds = args.size() > 3 ? args.at(3).toInt() : 10;
    const QString logPath = args.size() > 4 ? args.at(4) : QString();
    try {
        pqxx::connection setup(address.toStdString());
        const std::string dbname = setup.dbname();
        if ((checkpoints > 0 || seconds > 0) && dbname == "bench10m") {
            std::fprintf(stderr, "bench_lag writes; bench10m is read-only: pass checkpoints=0 seconds=0\n");
            return 2;
        }
        if (checkpoints > 0) {
            pqxx::work tx(setup);
            tx.exec0("SET search_path TO message_store, public");
            const long head = tx.exec1("SELECT coalesce(max(global_position), 0) FROM messages")[0].as<long>();
            const pqxx::result cats = tx.exec(
                "SELECT DISTINCT split_part(stream_name, '-', 1) FROM (SELECT stream_name FROM messages WHERE "
                "stream_name "
                "NOT LIKE '%:position%' AND stream_name NOT LIKE 'benchtail%' ORDER BY global_position DESC LIMIT "
                "5000) s ORDER BY 1");
            // Consumers spread over the log (0 to 5M behind), in the categories of the sample; each wrote its
            // position 3 times, as a consumer records it every N messages.
            int written = 0;
            for (int i = 0; i < checkpoints; ++i) {
                const std::string cat = cats.empty() ? std::string("bench") : cats[size_t(i) % cats.size()][0].c_str();
                const std::string stream = cat + ":position-bench" + std::to_string(i);
                if (!tx.exec_params("SELECT 1 FROM messages WHERE stream_name = $1 LIMIT 1", stream).empty())
                    continue;
                const long at = head - long(i) * (head / std::max(1, checkpoints)) / 2;
                for (int v = 0; v < 3; ++v) {
                    // As write_message stores it.
                    tx.exec_params("INSERT INTO messages (stream_name, position, type, data) VALUES ($1, $2, "
                                   "'Recorded', jsonb_build_object('position', $3::bigint))",
                        stream, v, std::max(0L, at - (2 - v) * 100));
                }
                ++written;
            }
            tx.commit();
            std::printf("wrote %d position streams (%d wanted; the others were there)\n", written, checkpoints);
        }
        auto store = StoreRegistry::open(address);
        // The store's backend, to find its statements in the log.
        const qint64 storePid = pqxx::nontransaction(setup)
                                    .exec1("SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = "
                                           "current_database() AND application_name = 'eventscope'")[0]
                                    .as<long>();
        std::vector<double> times;
        size_t readings = 0, estimated = 0;
        qint64 calls = 0;
        for (int i = 0; i < 31; ++i) {
            QElapsedTimer t;
            t.start();
            const LagPoll poll = pollLag(*store);
            times.push_back(double(t.nsecsElapsed()) / 1e6);
            readings = poll.readings.size();
            calls = poll.queries;
            estimated = size_t(std::count_if(
                poll.readings.begin(), poll.readings.end(), [](const LagReading& r) { return r.lagEstimated; }));
        }
        times.erase(times.begin()); // the first poll warms the caches
        const double ours50 = percentile(times, 0.5), ours95 = percentile(times, 0.95);
        std::printf("lag poll: %zu checkpoints (%zu lags estimated, the rest counted), %lld store calls: median %.1f "
                    "ms, p95 %.1f ms, min %.1f ms, max %.1f ms\n",
            readings, estimated, static_cast<long long>(calls), ours50, ours95, percentile(times, 0),
            percentile(times, 1));

        if (!logPath.isEmpty() && storePid > 0) {
            const std::string db = pqxx::nontransaction(setup).quote_name(dbname);
            pqxx::nontransaction(setup).exec0("ALTER DATABASE " + db + " SET log_statement = 'all'");
            // The setting applies to new sessions: poll once through a new store.
            auto logged = StoreRegistry::open(address);
            const qint64 pid = pqxx::nontransaction(setup)
                                   .exec1("SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE datname = "
                                          "current_database() AND application_name = 'eventscope' AND pid <> "
                                       + std::to_string(storePid))[0]
                                   .as<long>();
            const qint64 offset = QFile(logPath).size();
            pollLag(*logged);
            QThread::msleep(200);
            pqxx::nontransaction(setup).exec0("ALTER DATABASE " + db + " RESET log_statement");
            const QStringList statements = loggedStatements(logPath, offset, pid);
            const std::vector<double> psql = psqlRounds(address, statements, 31);
            if (psql.size() > 1) {
                std::vector<double> warm(psql.begin() + 1, psql.end());
                const double p50 = percentile(warm, 0.5), p95 = percentile(warm, 0.95);
                std::printf("psql, the poll's %lld statements in one session: median %.1f ms, p95 %.1f ms | ratio "
                            "eventscope/psql median %.2f, p95 %.2f\n",
                    static_cast<long long>(statements.size()), p50, p95, p50 > 0 ? ours50 / p50 : 0.0,
                    p95 > 0 ? ours95 / p95 : 0.0);
            } else {
                std::printf(
                    "psql baseline: could not read the poll's statements from %s\n", logPath.toLocal8Bit().constData());
            }
        }
        if (seconds <= 0)
            return 0;

        // Tail latency under 8 writers at 2,000 events/s.
        Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
        tailer.poll(*store);
        std::mutex mutex;
        QHash<QString, Clock::time_point> committedAt;
        std::atomic<bool> stop { false };
        std::vector<std::thread> writers;
        for (int w = 0; w < 8; ++w) {
            writers.emplace_back([&, w] {
                pqxx::connection conn(address.toStdString());
                pqxx::nontransaction(conn).exec0("SET search_path TO message_store, public");
                long n = 0;
                const auto start = Clock::now();
                while (!stop) {
                    // 250 events/s per writer, in transactions of 5.
                    std::vector<std::string> ids;
                    pqxx::work tx(conn);
                    for (int i = 0; i < 5; ++i) {
                        ids.push_back(tx.exec1("SELECT gen_random_uuid()::text")[0].c_str());
                        tx.exec_params("INSERT INTO messages (id, stream_name, position, type, data) "
                                       "VALUES ($1::uuid, $2, 0, 'Written', '{}')",
                            ids.back(), "benchtail" + std::to_string(w) + "-" + std::to_string(n + i));
                    }
                    tx.commit();
                    const auto at = Clock::now();
                    {
                        std::lock_guard<std::mutex> lock(mutex);
                        for (const std::string& id : ids)
                            committedAt.insert(QString::fromStdString(id), at);
                    }
                    n += 5;
                    std::this_thread::sleep_until(start + std::chrono::microseconds(n * 4000));
                }
            });
        }
        std::vector<double> latency;
        QHash<QString, Clock::time_point> seenAt;
        const auto end = Clock::now() + std::chrono::seconds(seconds);
        while (Clock::now() < end + std::chrono::seconds(2)) {
            if (Clock::now() >= end)
                stop = true;
            const auto pollStart = Clock::now();
            const EventList batch = tailer.poll(*store);
            const auto now = Clock::now();
            for (const Event& e : batch)
                seenAt.insert(e.id, now);
            std::this_thread::sleep_until(pollStart + std::chrono::milliseconds(200));
        }
        for (std::thread& t : writers)
            t.join();
        for (auto it = committedAt.cbegin(); it != committedAt.cend(); ++it) {
            const auto seen = seenAt.find(it.key());
            if (seen != seenAt.end())
                latency.push_back(std::chrono::duration<double, std::milli>(seen.value() - it.value()).count());
        }
        std::sort(latency.begin(), latency.end());
        if (latency.empty()) {
            std::printf("tail: nothing seen\n");
            return 1;
        }
        std::printf("tail (poll 200 ms, 8 writers, %.0f events/s): %zu committed, %zu seen; commit->seen p50 %.0f ms, "
                    "p99 %.0f ms, max %.0f ms\n",
            double(committedAt.size()) / seconds, size_t(committedAt.size()), latency.size(),
            latency[latency.size() / 2], latency[latency.size() * 99 / 100], latency.back());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_lag: %s\n", e.what());
        return 1;
    }
    return 0;
}
