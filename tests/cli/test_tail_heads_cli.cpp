#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>

using namespace es;
using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

// Positions of stdout's lines, each of which must be a JSON object.
std::vector<qint64> jsonPositions(const QByteArray& out)
{
    std::vector<qint64> positions;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            FAIL("not a JSON object: " << line.constData());
        positions.push_back(doc.object().value(QLatin1String("position")).toInteger());
    }
    return positions;
}

QByteArray headsLine(qint64 visible, qint64 settled)
{
    return QStringLiteral("heads visible=%1 settled=%2\n").arg(visible).arg(settled).toUtf8();
}

void interrupt(QProcess& p)
{
    ::kill(pid_t(p.processId()), SIGINT);
    REQUIRE(p.waitForFinished(10000));
    CHECK(p.exitStatus() == QProcess::NormalExit);
    CHECK(p.exitCode() == 0);
}

} // namespace

TEST_CASE("cli tail --heads: the heads go to stderr when they change, stdout stays JSON Lines", "[cli][tail]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("heads.sqlite"));
    EmmettWriter w(path, true);
    const EmmettWriter::Message placed { QStringLiteral("Placed"), QByteArray("{}") };
    w.append(QStringLiteral("order-1"), { placed, placed });

    QProcess tail;
    tail.start(cli,
        { QStringLiteral("tail"), path, QStringLiteral("--from"), QStringLiteral("1"), QStringLiteral("--poll"),
            QStringLiteral("20"), QStringLiteral("--heads") });
    REQUIRE(tail.waitForStarted());
    QByteArray out, err;
    auto read = [&] {
        out += tail.readAllStandardOutput();
        err += tail.readAllStandardError();
    };
    REQUIRE(waitFor(
        [&] {
            read();
            return err.contains(headsLine(2, 2));
        },
        20000));
    const qint64 last = w.append(QStringLiteral("order-2"), { placed, placed, placed });
    REQUIRE(waitFor(
        [&] {
            read();
            return err.contains(headsLine(last, last));
        },
        20000));
    QThread::msleep(100); // no change, no line
    interrupt(tail);
    read();
    CHECK(err == headsLine(2, 2) + headsLine(last, last));
    CHECK(jsonPositions(out) == std::vector<qint64> { 1, 2, last - 2, last - 1, last });

    // Without --heads stderr stays quiet.
    QProcess quiet;
    quiet.start(cli,
        { QStringLiteral("tail"), path, QStringLiteral("--from"), QStringLiteral("1"), QStringLiteral("--poll"),
            QStringLiteral("20") });
    REQUIRE(quiet.waitForStarted());
    QByteArray quietOut;
    REQUIRE(waitFor(
        [&] {
            quietOut += quiet.readAllStandardOutput();
            return quietOut.count('\n') >= 5;
        },
        20000));
    interrupt(quiet);
    CHECK(quiet.readAllStandardError().isEmpty());
}

TEST_CASE("cli tail --heads on PostgreSQL: the settled head waits for an open transaction", "[cli][tail][pg]")
{
    ES_REQUIRE_PG("tail --heads on PostgreSQL");
    PgTestDatabase db(QStringLiteral("tailheads"), { QStringLiteral("messagedb.sql") });
    db.sql(messageDbWrite(QStringLiteral("seed-1")));
    const qint64 seeded = messageDbPosition(db, QStringLiteral("seed-1"));

    QProcess tail;
    tail.start(cli,
        { QStringLiteral("tail"), db.address(), QStringLiteral("--from"), QString::number(seeded),
            QStringLiteral("--poll"), QStringLiteral("20"), QStringLiteral("--heads") });
    REQUIRE(tail.waitForStarted());
    QByteArray out, err;
    auto read = [&] {
        out += tail.readAllStandardOutput();
        err += tail.readAllStandardError();
    };
    REQUIRE(waitFor(
        [&] {
            read();
            return err.contains(headsLine(seeded, seeded));
        },
        20000));

    QProcess held;
    held.start(QStringLiteral("psql"),
        { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
            QStringLiteral("-d"), db.address() });
    REQUIRE(held.waitForStarted());
    held.write(QStringLiteral("BEGIN; %1\n\\echo written\n").arg(messageDbWrite(QStringLiteral("held-1"))).toUtf8());
    QByteArray heldOut;
    REQUIRE(waitFor(
        [&] {
            heldOut += held.readAllStandardOutput();
            return heldOut.contains("written");
        },
        20000));
    db.sql(messageDbWrite(QStringLiteral("later-1")));
    const qint64 later = messageDbPosition(db, QStringLiteral("later-1"));
    // The line names the transaction that holds the settled head back: psql's session, open since the write.
    const QByteArray heldBack
        = QStringLiteral("heads visible=%1 settled=%2 held by pid ").arg(later).arg(seeded).toUtf8();
    REQUIRE(waitFor(
        [&] {
            read();
            return err.contains(heldBack);
        },
        20000));
    const QByteArray heldLine = err.mid(err.indexOf(heldBack)).split('\n').first();
    INFO(heldLine.constData());
    CHECK(heldLine.contains("(psql, in transaction for "));
    CHECK(jsonPositions(out) == std::vector<qint64> { seeded });

    held.write("COMMIT;\n");
    held.closeWriteChannel();
    REQUIRE(held.waitForFinished(20000));
    CHECK(held.exitCode() == 0);
    const qint64 heldPosition = messageDbPosition(db, QStringLiteral("held-1"));
    REQUIRE(waitFor(
        [&] {
            read();
            return err.contains(headsLine(later, later));
        },
        20000));
    interrupt(tail);
    read();
    CHECK(jsonPositions(out) == std::vector<qint64> { seeded, heldPosition, later });
}

TEST_CASE("cli tail and lag --watch go on across a server restart: every committed event printed once",
    "[cli][tail][pg][restart]")
{
    ES_REQUIRE_PG("tail across a restart");
    if (postgresControl().isEmpty()) {
        WARN("ES_TEST_PG_CTL is not set: tail restart test skipped");
        return;
    }
    PgTestDatabase db(QStringLiteral("tailrestart"), { QStringLiteral("messagedb.sql") });
    db.sql(messageDbWrite(QStringLiteral("seed-1")));
    const qint64 seeded = messageDbPosition(db, QStringLiteral("seed-1"));
    auto writeBatch = [&](const QString& prefix, int count) {
        QString sql;
        for (int i = 0; i < count; ++i)
            sql += messageDbWrite(QStringLiteral("%1-%2").arg(prefix).arg(i));
        db.sql(sql);
    };

    QProcess tail;
    tail.start(cli,
        { QStringLiteral("tail"), db.address(), QStringLiteral("--from"), QString::number(seeded),
            QStringLiteral("--poll"), QStringLiteral("50") });
    QProcess lag;
    lag.start(cli, { QStringLiteral("lag"), db.address(), QStringLiteral("--watch"), QStringLiteral("0.2") });
    REQUIRE(tail.waitForStarted());
    REQUIRE(lag.waitForStarted());
    QByteArray out, err, lagOut, lagErr;
    auto read = [&] {
        out += tail.readAllStandardOutput();
        err += tail.readAllStandardError();
        lagOut += lag.readAllStandardOutput();
        lagErr += lag.readAllStandardError();
    };
    writeBatch(QStringLiteral("before"), 20);
    REQUIRE(waitFor(
        [&] {
            read();
            return jsonPositions(out).size() == 21;
        },
        20000));

    restartPostgres();
    const qsizetype lagBefore = lagOut.size();
    writeBatch(QStringLiteral("after"), 20);
    const bool caughtUp = waitFor(
        [&] {
            read();
            return jsonPositions(out).size() >= 41 && lagOut.size() > lagBefore + 10;
        },
        60000);
    INFO("tail stderr: " << err.constData() << "\nlag stderr: " << lagErr.constData());
    REQUIRE(caughtUp);
    CHECK(tail.state() == QProcess::Running);
    CHECK(lag.state() == QProcess::Running);
    interrupt(tail);
    interrupt(lag);
    read();
    std::vector<qint64> expected { seeded };
    for (const QString& prefix : { QStringLiteral("before"), QStringLiteral("after") }) {
        for (int i = 0; i < 20; ++i)
            expected.push_back(messageDbPosition(db, QStringLiteral("%1-%2").arg(prefix).arg(i)));
    }
    CHECK(jsonPositions(out) == expected);
}
