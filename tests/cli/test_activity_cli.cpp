#include <catch2/catch.hpp>

#include "testutils.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <map>

using namespace es;
using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

using Cells = std::map<std::pair<QString, QString>, qint64>; // (start, group) -> count

struct Lines {
    Cells cells;
    int estimated = 0; // lines saying "estimated": true
    int exact = 0;
    int withGroup = 0;
    qint64 total = 0;
};

Lines activity(const QStringList& args)
{
    QByteArray out, err;
    const int code = runProcess(cli, QStringList { QStringLiteral("activity") } + args, &out, &err);
    INFO(err.constData());
    REQUIRE(code == 0);
    Lines lines;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
        REQUIRE(error.error == QJsonParseError::NoError);
        REQUIRE(o.value(QLatin1String("estimated")).isBool());
        (o.value(QLatin1String("estimated")).toBool() ? lines.estimated : lines.exact)++;
        if (o.contains(QLatin1String("group")))
            ++lines.withGroup;
        const qint64 n = o.value(QLatin1String("count")).toInteger(-1);
        REQUIRE(n > 0);
        lines.cells[{ o.value(QLatin1String("start")).toString(), o.value(QLatin1String("group")).toString() }] += n;
        lines.total += n;
    }
    return lines;
}

QString isoUtc(qint64 epochSeconds)
{
    return QDateTime::fromSecsSinceEpoch(epochSeconds, Qt::UTC).toString(Qt::ISODate);
}

// The same count straight from SQLite: rows of (bucket start in epoch seconds, group, count).
Cells sqliteCells(const QString& path, const QString& sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr) == SQLITE_OK);
    Cells cells;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* group = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
        cells[{ isoUtc(sqlite3_column_int64(stmt, 0)), QString::fromUtf8(group ? group : "") }]
            += sqlite3_column_int64(stmt, 2);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return cells;
}

Cells psqlCells(const QString& address, const QString& select)
{
    QByteArray out, err;
    REQUIRE(psql(address, { QStringLiteral("-c"), QStringLiteral("COPY (") + select + QStringLiteral(") TO STDOUT") },
                &out, &err)
        == 0);
    Cells cells;
    for (const QByteArray& line : out.split('\n')) {
        const QList<QByteArray> f = line.split('\t');
        if (f.size() == 3)
            cells[{ isoUtc(f[0].toLongLong()), QString::fromUtf8(f[1]) }] += f[2].toLongLong();
    }
    return cells;
}

QString writeSample(const QString& target, qint64 events, const QString& layout)
{
    QByteArray err;
    const int code = runProcess(cli,
        { QStringLiteral("sample"), target, QStringLiteral("--events"), QString::number(events),
            QStringLiteral("--layout"), layout },
        nullptr, &err);
    INFO(err.constData());
    REQUIRE(code == 0);
    return target;
}

// The largest relative error over the buckets holding at least `share` of all events.
double worstError(const Cells& exact, const Cells& estimate, double share)
{
    qint64 total = 0;
    for (const auto& [key, n] : exact)
        total += n;
    double worst = 0;
    int checked = 0;
    for (const auto& [key, n] : exact) {
        if (double(n) < share * double(total))
            continue;
        const auto it = estimate.find(key);
        const double e = it == estimate.end() ? 0.0 : double(it->second);
        worst = std::max(worst, std::abs(e - double(n)) / double(n));
        ++checked;
    }
    REQUIRE(checked >= 3);
    return worst;
}

Cells withoutGroups(const Cells& cells)
{
    Cells out;
    for (const auto& [key, n] : cells)
        out[{ key.first, QString() }] += n;
    return out;
}

const char* const emmettVisible = "is_archived = 0 AND message_kind = 'E'";

} // namespace

TEST_CASE("activity counts exactly what a GROUP BY counts, on SQLite", "[cli][activity]")
{
    QTemporaryDir dir;
    const QString path = writeSample(dir.filePath(QStringLiteral("a.sqlite")), 20000, QStringLiteral("emmett"));
    const QString hour = QStringLiteral("CAST(strftime('%s', created) AS INTEGER) / 3600 * 3600");

    const Lines byType = activity({ path, QStringLiteral("--bucket"), QStringLiteral("hour"), QStringLiteral("--by"),
        QStringLiteral("type"), QStringLiteral("--top"), QStringLiteral("1000"), QStringLiteral("--json") });
    CHECK(byType.estimated == 0);
    CHECK(byType.withGroup == int(byType.cells.size()));
    CHECK(byType.total == 20000);
    CHECK(byType.cells
        == sqliteCells(path,
            QStringLiteral("SELECT %1, message_type, count(*) FROM emt_messages WHERE %2 GROUP BY 1, 2")
                .arg(hour, QLatin1String(emmettVisible))));

    // One category from a time on, by day, without groups: no group key.
    const Lines orders = activity({ path, QStringLiteral("--category"), QStringLiteral("order"),
        QStringLiteral("--bucket"), QStringLiteral("day"), QStringLiteral("--from-time"),
        QStringLiteral("2024-03-05T12:00:00"), QStringLiteral("--json") });
    CHECK(orders.withGroup == 0);
    CHECK(orders.cells
        == sqliteCells(path,
            QStringLiteral("SELECT CAST(strftime('%s', created) AS INTEGER) / 86400 * 86400, '', count(*) FROM "
                           "emt_messages WHERE %1 AND stream_id LIKE 'order-%' AND created >= '2024-03-05 12:00:00' "
                           "GROUP BY 1")
                .arg(QLatin1String(emmettVisible))));
    CHECK(orders.total > 0);

    // The top groups, the rest summed as "(other)".
    const Lines top = activity({ path, QStringLiteral("--by"), QStringLiteral("type"), QStringLiteral("--top"),
        QStringLiteral("2"), QStringLiteral("--bucket"), QStringLiteral("day"), QStringLiteral("--json") });
    QSet<QString> groups;
    for (const auto& [key, n] : top.cells)
        groups.insert(key.second);
    CHECK(groups.size() == 3);
    CHECK(groups.contains(QStringLiteral("(other)")));
    CHECK(top.total == 20000);

    QByteArray out, err;
    CHECK(runProcess(
              cli, { QStringLiteral("activity"), path, QStringLiteral("--bucket"), QStringLiteral("week") }, &out, &err)
        == 2);
    CHECK(runProcess(cli,
              { QStringLiteral("activity"), path, QStringLiteral("--stream"), QStringLiteral("a"),
                  QStringLiteral("--type"), QStringLiteral("b") },
              &out, &err)
        == 2);
}

TEST_CASE("activity --estimate answers from a sample, labelled, close to the count, on SQLite", "[cli][activity]")
{
    QTemporaryDir dir;
    const QString path = writeSample(dir.filePath(QStringLiteral("e.sqlite")), 100000, QStringLiteral("emmett"));
    const Cells exact = sqliteCells(path,
        QStringLiteral(
            "SELECT CAST(strftime('%s', created) AS INTEGER) / 86400 * 86400, '', count(*) FROM emt_messages "
            "WHERE %1 GROUP BY 1")
            .arg(QLatin1String(emmettVisible)));

    // The sample spreads its events over six weeks: each day holds about 2% of them.
    const Lines estimate = activity({ path, QStringLiteral("--bucket"), QStringLiteral("day"),
        QStringLiteral("--estimate"), QStringLiteral("--json") });
    CHECK(estimate.exact == 0);
    CHECK(estimate.estimated > 0);
    CHECK(std::abs(double(estimate.total) - 100000.0) / 100000.0 < 0.02);
    const double worst = worstError(exact, estimate.cells, 0.01);
    INFO("worst error on buckets of 1% or more: " << worst);
    CHECK(worst < 0.10);

    // Grouped: the groups add up to the buckets' estimate.
    const Lines byType = activity(
        { path, QStringLiteral("--bucket"), QStringLiteral("day"), QStringLiteral("--by"), QStringLiteral("type"),
            QStringLiteral("--top"), QStringLiteral("1000"), QStringLiteral("--estimate"), QStringLiteral("--json") });
    CHECK(byType.exact == 0);
    const Cells grouped = withoutGroups(byType.cells);
    REQUIRE(grouped.size() == estimate.cells.size());
    for (const auto& [key, n] : estimate.cells)
        CHECK(std::abs(grouped.at(key) - n) <= 20); // each group's estimate is rounded on its own

    // One stream is counted, and says so.
    const Lines stream = activity({ path, QStringLiteral("--stream"), QStringLiteral("account-1001"),
        QStringLiteral("--bucket"), QStringLiteral("day"), QStringLiteral("--estimate"), QStringLiteral("--json") });
    CHECK(stream.estimated == 0);
    CHECK(stream.cells
        == sqliteCells(path,
            QStringLiteral("SELECT CAST(strftime('%s', created) AS INTEGER) / 86400 * 86400, '', count(*) FROM "
                           "emt_messages WHERE %1 AND stream_id = 'account-1001' GROUP BY 1")
                .arg(QLatin1String(emmettVisible))));
}

TEST_CASE(
    "activity on PostgreSQL: exact equals psql's GROUP BY, the estimate is labelled and close", "[cli][activity][pg]")
{
    ES_REQUIRE_PG("activity on PostgreSQL");
    PgTestDatabase db(QStringLiteral("cliactivity"));
    REQUIRE(db.ok());
    writeSample(db.address(), 80000, QStringLiteral("messagedb"));
    const QString hour = QStringLiteral("(floor(extract(epoch from time) / 3600) * 3600)::bigint");
    QByteArray countOut, countErr;
    REQUIRE(psql(db.address(),
                { QStringLiteral("-At"), QStringLiteral("-c"),
                    QStringLiteral("SELECT count(*) FROM message_store.messages") },
                &countOut, &countErr)
        == 0);
    const qint64 events = countOut.trimmed().toLongLong();
    REQUIRE(events >= 80000);

    const Lines byType
        = activity({ db.address(), QStringLiteral("--bucket"), QStringLiteral("hour"), QStringLiteral("--by"),
            QStringLiteral("type"), QStringLiteral("--top"), QStringLiteral("1000"), QStringLiteral("--json") });
    CHECK(byType.estimated == 0);
    CHECK(byType.total == events);
    CHECK(byType.cells
        == psqlCells(db.address(),
            QStringLiteral("SELECT %1, type, count(*) FROM message_store.messages GROUP BY 1, 2").arg(hour)));

    const Lines byDay
        = activity({ db.address(), QStringLiteral("--bucket"), QStringLiteral("day"), QStringLiteral("--json") });
    CHECK(byDay.estimated == 0);
    CHECK(byDay.total == events);
    const Lines estimate = activity({ db.address(), QStringLiteral("--bucket"), QStringLiteral("day"),
        QStringLiteral("--estimate"), QStringLiteral("--json") });
    CHECK(estimate.exact == 0);
    CHECK(std::abs(double(estimate.total) - double(events)) / double(events) < 0.02);
    const double worst = worstError(byDay.cells, estimate.cells, 0.01);
    INFO("worst error on buckets of 1% or more: " << worst);
    CHECK(worst < 0.10);
}
