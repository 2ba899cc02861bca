#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "testutils.h"

#include <QJsonArray>
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

using Message = EmmettWriter::Message;

Message event(const char* type, const char* created)
{
    return Message { QString::fromLatin1(type), QByteArray("{}"), {}, QString::fromLatin1(created) };
}

QString padded(qint64 position)
{
    return QStringLiteral("%1").arg(position, 19, 10, QLatin1Char('0'));
}

void storeProcessor(Db& db, const QString& id, const QString& checkpoint)
{
    db.exec(QStringLiteral("INSERT INTO emt_processors (processor_id, version, last_processed_checkpoint, partition, "
                           "processor_instance_id) VALUES (?, 1, ?, 'emt:default', 'i-1')"),
        { id, checkpoint });
}

// Events at 1, 2, 3, 5 (4 is a command): head 5 at 10:00:09.
void writeStore(const QString& path)
{
    EmmettWriter w(path, true);
    w.append(QStringLiteral("order-1"),
        { event("Placed", "2024-01-01 10:00:00"), event("Paid", "2024-01-01 10:00:01"),
            event("Shipped", "2024-01-01 10:00:02") });
    Message command = event("Cancel", "2024-01-01 10:00:03");
    command.command = true;
    w.append(QStringLiteral("order-1"), { command });
    w.append(QStringLiteral("order-2"), { event("Placed", "2024-01-01 10:00:09") });
    storeProcessor(w.db(), QStringLiteral("reports"), padded(2));
    storeProcessor(w.db(), QStringLiteral("mail"), QStringLiteral("00000000000000000777:") + padded(5));
    storeProcessor(w.db(), QStringLiteral("odd"), QStringLiteral("12x"));
    storeProcessor(w.db(), QStringLiteral("future"), padded(50));
}

std::vector<QJsonObject> jsonLines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            FAIL("not a JSON object: " << line.constData());
        objects.push_back(doc.object());
    }
    return objects;
}

QJsonObject byName(const std::vector<QJsonObject>& lines, const char* name)
{
    for (const QJsonObject& o : lines) {
        if (o.value(QLatin1String("name")).toString() == QLatin1String(name))
            return o;
    }
    FAIL("no line for " << name);
    return {};
}

} // namespace

TEST_CASE("cli lag: JSON Lines with counted lag, statuses and clear errors", "[cli][lag]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    writeStore(path);
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli, { QStringLiteral("lag"), path, QStringLiteral("--json") }, &out, &err) == 0);
    const auto lines = jsonLines(out);
    REQUIRE(lines.size() == 4);
    for (const QJsonObject& o : lines) {
        for (const char* key : { "name", "scope", "position", "head", "lagEvents", "lagEstimated", "lagSeconds",
                 "ratePerSecond", "etaSeconds", "status" })
            CHECK(o.contains(QLatin1String(key)));
    }
    const QJsonObject reports = byName(lines, "reports");
    CHECK(reports.value(QLatin1String("scope")).toString() == QLatin1String("global"));
    CHECK(reports.value(QLatin1String("position")).toInteger() == 2);
    CHECK(reports.value(QLatin1String("head")).toInteger() == 5);
    CHECK(reports.value(QLatin1String("lagEvents")).toInteger() == 2); // 3 and 5
    CHECK(reports.value(QLatin1String("lagEstimated")) == QJsonValue(false));
    CHECK(reports.value(QLatin1String("lagSeconds")).toDouble() == Approx(8.0));
    CHECK(reports.value(QLatin1String("ratePerSecond")).isNull()); // one poll: no rate yet
    CHECK(reports.value(QLatin1String("status")).toString() == QLatin1String("behind"));
    const QJsonObject mail = byName(lines, "mail");
    CHECK(mail.value(QLatin1String("position")).toInteger() == 5);
    CHECK(mail.value(QLatin1String("lagEvents")).toInteger() == 0);
    CHECK(mail.value(QLatin1String("status")).toString() == QLatin1String("caught-up"));
    const QJsonObject odd = byName(lines, "odd");
    CHECK(odd.value(QLatin1String("status")).toString() == QLatin1String("unparseable"));
    CHECK(odd.value(QLatin1String("position")).isNull());
    CHECK(odd.value(QLatin1String("checkpoint")).toString() == QLatin1String("12x"));
    CHECK(byName(lines, "future").value(QLatin1String("status")).toString() == QLatin1String("ahead-of-head"));

    REQUIRE(runProcess(cli, { QStringLiteral("lag"), path }, &out, &err) == 0);
    CHECK(out.startsWith("NAME"));
    CHECK(out.contains("reports"));
    CHECK(out.contains("unparseable"));

    CHECK(runProcess(cli, { QStringLiteral("lag"), path, QStringLiteral("--watch"), QStringLiteral("x") }, &out, &err)
        == 2);
}

TEST_CASE("cli lag: a store without a checkpoint table says so", "[cli][lag]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    writeStore(path);
    execSqlite(path, QStringLiteral("DROP TABLE emt_processors;"));
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli, { QStringLiteral("lag"), path, QStringLiteral("--json") }, &out, &err) == 0);
    CHECK(out.isEmpty());
    CHECK(err.contains("no checkpoint table"));
    CHECK(err.contains("emt_processors"));
}

TEST_CASE("cli lag --watch: polls until SIGTERM, with rates from the second poll", "[cli][lag]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    writeStore(path);
    QProcess p;
    p.start(cli,
        { QStringLiteral("lag"), path, QStringLiteral("--json"), QStringLiteral("--watch"), QStringLiteral("0.2") });
    REQUIRE(p.waitForStarted());
    QByteArray out;
    REQUIRE(waitFor(
        [&] {
            out += p.readAllStandardOutput();
            return out.count('\n') >= 12;
        },
        20000));
    p.terminate();
    REQUIRE(p.waitForFinished(10000));
    CHECK(p.exitStatus() == QProcess::NormalExit);
    CHECK(p.exitCode() == 0);
    out += p.readAllStandardOutput();
    const auto lines = jsonLines(out);
    REQUIRE(lines.size() >= 12);
    const QJsonObject later = lines[8]; // third poll
    CHECK_FALSE(later.value(QLatin1String("ratePerSecond")).isNull());
}

TEST_CASE("cli tail: every event committed by a concurrent writer, once and in order, until SIGINT", "[cli][tail]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("tail.sqlite"));
    EmmettWriter w(path, true);
    w.append(QStringLiteral("order-0"), { event("Placed", "2024-01-01 10:00:00") });

    QProcess all;
    all.start(cli,
        { QStringLiteral("tail"), path, QStringLiteral("--from"), QStringLiteral("1"), QStringLiteral("--poll"),
            QStringLiteral("20") });
    QProcess orders;
    orders.start(cli,
        { QStringLiteral("tail"), path, QStringLiteral("--category"), QStringLiteral("order"), QStringLiteral("--from"),
            QStringLiteral("2"), QStringLiteral("--poll"), QStringLiteral("20") });
    REQUIRE(all.waitForStarted());
    REQUIRE(orders.waitForStarted());
    QThread::msleep(100);

    std::vector<qint64> expected { 1 };
    std::vector<qint64> expectedOrders;
    for (int i = 1; i <= 60; ++i) {
        std::vector<Message> batch;
        for (int k = 0; k <= i % 4; ++k)
            batch.push_back(event("Happened", "2024-01-01 10:00:01"));
        if (i % 5 == 0) {
            Message command = event("Do", "2024-01-01 10:00:01");
            command.command = true;
            batch.push_back(command);
        }
        const QString stream = (i % 2 ? QStringLiteral("order-") : QStringLiteral("invoice-")) + QString::number(i % 6);
        const qint64 last = w.append(stream, batch);
        const qint64 first = last - qint64(batch.size()) + 1;
        for (qint64 pos = first; pos < first + (i % 4) + 1; ++pos) {
            expected.push_back(pos);
            if (i % 2)
                expectedOrders.push_back(pos);
        }
        if (i % 10 == 0)
            QThread::msleep(30);
    }

    auto positions = [](const QByteArray& out) {
        std::vector<qint64> seen;
        for (const QJsonObject& o : jsonLines(out))
            seen.push_back(o.value(QLatin1String("position")).toInteger());
        return seen;
    };
    QByteArray allOut;
    QByteArray ordersOut;
    REQUIRE(waitFor(
        [&] {
            allOut += all.readAllStandardOutput();
            ordersOut += orders.readAllStandardOutput();
            return allOut.count('\n') >= qsizetype(expected.size())
                && ordersOut.count('\n') >= qsizetype(expectedOrders.size());
        },
        20000));
    QThread::msleep(200); // nothing more may come
    ::kill(pid_t(all.processId()), SIGINT);
    orders.terminate();
    REQUIRE(all.waitForFinished(10000));
    REQUIRE(orders.waitForFinished(10000));
    CHECK(all.exitStatus() == QProcess::NormalExit);
    CHECK(all.exitCode() == 0);
    CHECK(orders.exitCode() == 0);
    allOut += all.readAllStandardOutput();
    ordersOut += orders.readAllStandardOutput();
    CHECK(positions(allOut) == expected);
    CHECK(positions(ordersOut) == expectedOrders);
    const auto first = jsonLines(allOut).front();
    CHECK(first.value(QLatin1String("stream")).toString() == QLatin1String("order-0"));
    CHECK(first.value(QLatin1String("type")).toString() == QLatin1String("Placed"));

    QByteArray err;
    CHECK(runProcess(cli,
              { QStringLiteral("tail"), path, QStringLiteral("--stream"), QStringLiteral("a"),
                  QStringLiteral("--category"), QStringLiteral("b") },
              nullptr, &err)
        == 2);
}
