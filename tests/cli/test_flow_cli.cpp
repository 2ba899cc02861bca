#include <catch2/catch.hpp>

#include "core/test_flow_support.h"
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

QStringList sortedKeys(const QJsonObject& o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

std::vector<QJsonObject> jsonLines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        INFO(line.toStdString());
        REQUIRE(error.error == QJsonParseError::NoError);
        objects.push_back(doc.object());
    }
    return objects;
}

} // namespace

TEST_CASE("cli flow: one JSON object with the events, edges and unresolved causes", "[cli][flow]")
{
    QTemporaryDir dir;
    const QString store = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    QByteArray out;
    QByteArray err;
    REQUIRE(
        runProcess(cli, { QStringLiteral("flow"), store, QStringLiteral("--event"), QStringLiteral("2") }, &out, &err)
        == 0);
    // SQLite has no index on the metadata keys: the window read is said on stderr.
    CHECK(err.contains("read positions 1 to 15"));
    const std::vector<QJsonObject> lines = jsonLines(out);
    REQUIRE(lines.size() == 1);
    const QJsonObject flow = lines[0];
    for (const char* key : { "correlationId", "events", "edges", "unresolved" })
        CHECK(flow.contains(QLatin1String(key)));
    CHECK(flow.value(QLatin1String("correlationId")).toString() == QLatin1String("corr-1"));
    const QJsonArray events = flow.value(QLatin1String("events")).toArray();
    REQUIRE(events.size() == 5);
    // Event objects as `events --json` prints them.
    QByteArray eventsOut;
    REQUIRE(runProcess(cli,
                { QStringLiteral("events"), store, QStringLiteral("--json"), QStringLiteral("--from"),
                    QStringLiteral("2"), QStringLiteral("--limit"), QStringLiteral("1") },
                &eventsOut)
        == 0);
    CHECK(events[1].toObject() == jsonLines(eventsOut).at(0));
    QStringList edges;
    for (const QJsonValue e : flow.value(QLatin1String("edges")).toArray()) {
        CHECK(sortedKeys(e.toObject()) == QStringList { QStringLiteral("from"), QStringLiteral("to") });
        edges.append(e[QLatin1String("from")].toString() + QStringLiteral(" -> ") + e[QLatin1String("to")].toString());
    }
    edges.sort();
    CHECK(edges
        == QStringList { QStringLiteral("account-A-msg-1 -> account-B-msg-1"),
            QStringLiteral("account-B-msg-1 -> transfer-1-msg-2"),
            QStringLiteral("transfer-1-msg-1 -> account-A-msg-1"),
            QStringLiteral("transfer-1-msg-2 -> audit-1-msg-1") });
    const QJsonArray unresolved = flow.value(QLatin1String("unresolved")).toArray();
    REQUIRE(unresolved.size() == 1);
    CHECK(unresolved[0][QLatin1String("id")].toString() == QLatin1String("cmd-1"));
    CHECK(unresolved[0][QLatin1String("referencedBy")].toArray() == QJsonArray { QStringLiteral("transfer-1-msg-1") });

    // By correlation id: no index, so the window grows back from the newest event; here it reaches the start.
    REQUIRE(runProcess(cli,
                { QStringLiteral("flow"), store, QStringLiteral("--correlation"), QStringLiteral("corr-1"),
                    QStringLiteral("--format"), QStringLiteral("mermaid") },
                &out, &err)
        == 0);
    CHECK(err.contains("read positions 1 to 15"));
    CHECK(err.contains("that is the whole log"));
    CHECK(out.startsWith("flowchart LR\n"));
    CHECK(out.contains("not in this store<br/>cmd-1"));
    // --window -1 reads the whole log and says so before; --budget 0 reads exactly --window.
    REQUIRE(runProcess(cli,
                { QStringLiteral("flow"), store, QStringLiteral("--correlation"), QStringLiteral("corr-1"),
                    QStringLiteral("--window"), QStringLiteral("-1") },
                &out, &err)
        == 0);
    CHECK(err.contains("reading the whole log"));
    REQUIRE(runProcess(cli,
                { QStringLiteral("flow"), store, QStringLiteral("--event"), QStringLiteral("8"),
                    QStringLiteral("--window"), QStringLiteral("2"), QStringLiteral("--budget"), QStringLiteral("0") },
                &out, &err)
        == 0);
    CHECK(err.contains("read positions 6 to 10"));
    CHECK(err.contains("the window asked for"));
    CHECK(jsonLines(out).at(0).value(QLatin1String("scan")).toObject().value(QLatin1String("stoppedBy")).toString()
        == QLatin1String("window"));
    REQUIRE(runProcess(cli,
                { QStringLiteral("flow"), store, QStringLiteral("--event"), QStringLiteral("2"),
                    QStringLiteral("--format"), QStringLiteral("dot") },
                &out, &err)
        == 0);
    CHECK(out.startsWith("digraph flow {"));

    CHECK(runProcess(cli, { QStringLiteral("flow"), store }, &out, &err) == 2);
    CHECK(runProcess(cli,
              { QStringLiteral("flow"), store, QStringLiteral("--event"), QStringLiteral("2"),
                  QStringLiteral("--format"), QStringLiteral("png") },
              &out, &err)
        == 2);
    CHECK(
        runProcess(cli, { QStringLiteral("flow"), store, QStringLiteral("--event"), QStringLiteral("99") }, &out, &err)
        == 1);
}

TEST_CASE("cli flows: one JSON line per variant, then one per incomplete flow", "[cli][flow]")
{
    QTemporaryDir dir;
    const QString store = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli,
                { QStringLiteral("flows"), store, QStringLiteral("--start-type"), QStringLiteral("TransferRequested"),
                    QStringLiteral("--incomplete-after"), QStringLiteral("5m"), QStringLiteral("--json") },
                &out, &err)
        == 0);
    const std::vector<QJsonObject> lines = jsonLines(out);
    REQUIRE(lines.size() == 4);
    const QStringList variantKeys { QStringLiteral("count"), QStringLiteral("p50Seconds"), QStringLiteral("p95Seconds"),
        QStringLiteral("p99Seconds"), QStringLiteral("types") };
    for (int i = 0; i < 3; ++i)
        CHECK(sortedKeys(lines[size_t(i)]) == variantKeys);
    CHECK(lines[0][QLatin1String("types")].toArray()
        == QJsonArray { QStringLiteral("TransferRequested"), QStringLiteral("MoneyWithdrawn"),
            QStringLiteral("MoneyDeposited"), QStringLiteral("TransferCompleted") });
    CHECK(lines[0][QLatin1String("count")].toInt() == 2);
    CHECK(lines[0][QLatin1String("p50Seconds")].toDouble() == 6.0);
    CHECK(lines[0][QLatin1String("p99Seconds")].toDouble() == 10.0);
    CHECK(lines[3][QLatin1String("incomplete")].toBool());
    CHECK(lines[3][QLatin1String("correlationId")].toString() == QLatin1String("corr-2"));
    CHECK(lines[3][QLatin1String("firstTime")].toString() == QLatin1String("2024-06-01T10:10:00.000Z"));

    CHECK(runProcess(cli, { QStringLiteral("flows"), store, QStringLiteral("--json") }, &out, &err) == 2);
    CHECK(runProcess(cli,
              { QStringLiteral("flows"), store, QStringLiteral("--start-type"), QStringLiteral("X"),
                  QStringLiteral("--incomplete-after"), QStringLiteral("soon") },
              &out, &err)
        == 2);
}
