// PostgreSQL engine benchmark, run by hand against a Message DB store made by
//   eventscope-cli sample "host=... dbname=build-pg_bench" --layout messagedb --events 10000000
// Usage: bench_pg "<libpq address>" [samples=200] [streams=1000000] [prefix=order-]
// Every measured read is also run by psql in the same run, as the very same SQL (the engine's statement with its
// parameters written in as literals) in one psql session whose connection is already open, with \timing on and
// output to /dev/null: psql's time covers sending the query, planning and executing it and receiving every row into
// a result, not printing (PostgreSQL 15's psql stops its clock before printing the last result). EventScope's time is
// the whole EventStore::events() call: statement, rows and building the Event values. Both sides read pages made warm
// by one untimed pass; psql runs its batch just before ours, so load on a shared machine can favour either side:
// the lead reruns the final figures on a quiet machine.
#include "connectors.h"
#include "pg/pgstore.h"
#include "sql/sqlbuilder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <random>

#include <sys/resource.h>

using namespace es;

namespace {

double peakRssMb()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;
}

QString literalSql(const SqlStatement& st)
{
    QString sql = SqlBuilder::render(st.sql, SqlDialect::Postgres);
    for (qsizetype i = st.values.size(); i >= 1; --i) {
        const QVariant& v = st.values.at(i - 1);
        QString text;
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            text = QString::number(v.toLongLong());
        else {
            text = v.toString();
            text.replace(QLatin1String("'"), QLatin1String("''"));
            text = u'\'' + text + u'\'';
        }
        sql.replace(QStringLiteral("$%1").arg(i), text);
    }
    return sql;
}

// Runs the statements in one psql session; returns each statement's time in ms as psql measures it.
std::vector<double> psqlTimes(const QString& address, const QStringList& statements)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.sql"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(
        "SET default_transaction_read_only = on;\nSET TimeZone = 'UTC';\nSET search_path TO message_store, public;\n"
        "\\o /dev/null\n\\timing on\n");
    for (const QString& s : statements)
        f.write((s + QStringLiteral(";\n")).toUtf8());
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
    // The SET statements are timed too.
    if (times.size() >= size_t(statements.size()))
        times.erase(times.begin(), times.end() - statements.size());
    else
        std::fprintf(stderr, "psql: %s\n", out.left(2000).toLocal8Bit().constData());
    return times;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

void report(const char* what, const std::vector<double>& ours, const std::vector<double>& psql, const char* base)
{
    const double o50 = percentile(ours, 0.5), o99 = percentile(ours, 0.99);
    const double p50 = percentile(psql, 0.5), p99 = percentile(psql, 0.99);
    std::printf(
        "%-34s eventscope p50 %8.2f ms p99 %8.2f ms | %-5s p50 %8.2f ms p99 %8.2f ms | ratio p50 %.2f p99 %.2f\n", what,
        o50, o99, base, p50, p99, p50 > 0 ? o50 / p50 : 0.0, p99 > 0 ? o99 / p99 : 0.0);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_pg \"<libpq address>\" [samples] [streams] [prefix]\n");
        return 2;
    }
    const QString address = args.at(1);
    const int samples = args.size() > 2 ? args.at(2).toInt() : 200;
    const int wantStreams = args.size() > 3 ? args.at(3).toInt() : 1000000;
    const QString prefix = args.size() > 4 ? args.at(4) : QStringLiteral("order-");

    try {
        // Open and show the first page, three times (the first run also warms the server's caches).
        std::vector<double> firstPage;
        std::unique_ptr<PgStore> store;
        for (int i = 0; i < 3; ++i) {
            QElapsedTimer t;
            t.start();
            store = PgStore::open(address);
            EventQuery q;
            q.limit = 200;
            const EventPage page = store->events(q);
            firstPage.push_back(double(t.nsecsElapsed()) / 1e6);
            if (page.events.size() != 200)
                std::fprintf(stderr, "first page has %zu events\n", page.events.size());
        }
        const StoreInfo info = store->info();
        std::printf("store: %s, layout %s, %lld events, head %lld\n", info.address.toLocal8Bit().constData(),
            info.layout.toLocal8Bit().constData(), static_cast<long long>(info.eventCount),
            static_cast<long long>(info.headPosition));
        std::printf("open + first page (200 events): %.1f ms cold, %.1f ms warm\n", firstPage[0], firstPage[2]);
        EventQuery firstQuery;
        firstQuery.limit = 200;
        const QString firstSql = literalSql(store->sql().eventsPage(firstQuery, true, std::nullopt));
        const std::vector<double> psqlFirst = psqlTimes(address, { firstSql, firstSql, firstSql });
        std::printf("psql first page alone (same SQL, connection already open): %.1f ms\n",
            psqlFirst.empty() ? 0.0 : psqlFirst.back());

        std::mt19937_64 random(7);
        // Jumps to random global positions.
        // Each sample set runs once untimed first, so both sides read warm pages.
        auto timed = [&](const std::vector<EventQuery>& queries, const char* what) {
            QStringList statements;
            for (const EventQuery& q : queries) {
                store->events(q);
                statements.append(literalSql(store->sql().eventsPage(q, true, std::nullopt)));
            }
            const std::vector<double> psql = psqlTimes(address, statements);
            std::vector<double> ours;
            for (const EventQuery& q : queries) {
                QElapsedTimer t;
                t.start();
                store->events(q);
                ours.push_back(double(t.nsecsElapsed()) / 1e6);
            }
            report(what, ours, psql, "psql");
        };
        std::vector<EventQuery> jumps;
        for (int i = 0; i < samples; ++i) {
            EventQuery q;
            q.limit = 200;
            q.from = qint64(random() % quint64(std::max<qint64>(1, info.headPosition))) + 1;
            jumps.push_back(q);
        }
        timed(jumps, "jump to a global position (200)");

        // Jumps to random streams: names picked from the store itself.
        std::vector<QString> names;
        {
            StreamQuery sq;
            sq.limit = 20000;
            sq.prefix = prefix;
            for (const StreamInfo& s : store->streams(sq))
                names.push_back(s.name);
        }
        std::vector<EventQuery> streamJumps;
        for (int i = 0; i < samples && !names.empty(); ++i) {
            EventQuery q;
            q.limit = 200;
            q.filter.stream = names[size_t(random() % names.size())];
            streamJumps.push_back(q);
        }
        timed(streamJumps, "jump to a stream");

        // Listing streams by prefix, in keyset pages of 10,000 as the stream browser asks for them.
        QStringList sql;
        qint64 listed = 0;
        StreamQuery sq;
        sq.prefix = prefix;
        sq.limit = 10000;
        QElapsedTimer t;
        t.start();
        while (listed < wantStreams) {
            sq.limit = int(std::min<qint64>(10000, wantStreams - listed));
            sql.append(literalSql(store->sql().streams(sq)));
            const StreamList page = store->streams(sq);
            listed += qint64(page.size());
            if (page.empty() || qint64(page.size()) < sq.limit)
                break;
            sq.after = page.back().name;
        }
        const double ourList = double(t.nsecsElapsed()) / 1e6;
        const std::vector<double> psqlList = psqlTimes(address, sql);
        double psqlTotal = 0;
        for (const double v : psqlList)
            psqlTotal += v;
        std::printf(
            "list %lld streams with prefix \"%s\" (%lld pages): eventscope %.0f ms | psql %.0f ms | ratio %.2f\n",
            static_cast<long long>(listed), prefix.toLocal8Bit().constData(), static_cast<long long>(sql.size()),
            ourList, psqlTotal, psqlTotal > 0 ? ourList / psqlTotal : 0.0);
        std::printf("peak RSS: %.1f MB\n", peakRssMb());
    } catch (const StoreError& e) {
        std::fprintf(stderr, "bench_pg: %s\n", e.message().toLocal8Bit().constData());
        return 1;
    }
    return 0;
}
