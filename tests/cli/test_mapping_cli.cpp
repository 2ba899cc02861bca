// Every command on a store read through a mapping whose stream is a composite expression (aggregate name || '-' ||
// aggregate id) and whose category is another column, on SQLite and PostgreSQL (issue 19).
#include <catch2/catch.hpp>

#include "core/test_composite_support.h"
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <functional>

using namespace es;
using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

struct Result {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

std::vector<QJsonObject> jsonLines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        INFO(line.constData());
        REQUIRE(doc.isObject());
        objects.push_back(doc.object());
    }
    return objects;
}

QStringList values(const std::vector<QJsonObject>& objects, const char* key)
{
    QStringList out;
    for (const QJsonObject& o : objects) {
        const QJsonValue v = o.value(QLatin1String(key));
        out.append(v.isDouble() ? QString::number(v.toInteger()) : v.toString());
    }
    return out;
}

const QString order1 = QStringLiteral("Order-3f1c2a50-0000-4000-8000-000000000001");
const QString order2 = QStringLiteral("Order-3f1c2a50-0000-4000-8000-000000000002");
const QString invoice = QStringLiteral("Invoice-3f1c2a50-0000-4000-8000-000000000003");
const QString line9 = QStringLiteral("order-line-3f1c2a50-0000-4000-8000-000000000009");

// Runs every reading command on `address` through the mapping and checks what each returns. `exec` runs SQL on the
// store the way a client would (for the read-model table reconcile compares with), before anything reads it.
void checkEveryCommand(const QString& address, const QString& mapping, const QTemporaryDir& dir,
    const std::function<void(const QString&)>& exec)
{
    // A projection's table beside the events: one row right, one with a wrong total.
    exec(QStringLiteral("CREATE TABLE order_view (stream text PRIMARY KEY, customer text, total integer);"));
    exec(QStringLiteral("INSERT INTO order_view VALUES ('%1', 'ann', 10), ('%2', 'bob', 99);").arg(order1, order2));

    auto run = [&](QStringList args) {
        args.insert(1, address);
        args << QStringLiteral("--mapping") << mapping;
        Result r;
        r.code = runProcess(cli, args, &r.out, &r.err);
        return r;
    };

    Result r = run({ QStringLiteral("info") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QJsonObject info = QJsonDocument::fromJson(r.out).object();
    CHECK(info.value(QStringLiteral("layout")).toString() == QLatin1String("ts-aggregates"));
    CHECK(info.value(QStringLiteral("events")).toInteger() == 7);
    CHECK(info.value(QStringLiteral("streams")).toInteger() == 4);
    CHECK(info.value(QStringLiteral("headPosition")).toInteger() == 7);
    CHECK(info.value(QStringLiteral("firstTime")).toString() == QLatin1String("2024-03-01T10:00:00.000Z"));

    // The stream list with its categories read from the aggregate_name column, also by prefix (the reported bug).
    r = run({ QStringLiteral("streams"), QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    auto lines = jsonLines(r.out);
    CHECK(values(lines, "stream") == QStringList { invoice, order1, order2, line9 });
    CHECK(values(lines, "category")
        == QStringList { QStringLiteral("Invoice"), QStringLiteral("Order"), QStringLiteral("Order"),
            QStringLiteral("order-line") });
    CHECK(values(lines, "version")
        == QStringList { QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("1"), QStringLiteral("2") });
    CHECK(values(lines, "events")
        == QStringList { QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("1"), QStringLiteral("2") });
    r = run(
        { QStringLiteral("streams"), QStringLiteral("--json"), QStringLiteral("--prefix"), QStringLiteral("Order-") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    CHECK(values(jsonLines(r.out), "stream") == QStringList { order1, order2 });
    r = run({ QStringLiteral("streams"), QStringLiteral("--json"), QStringLiteral("--category"),
        QStringLiteral("order-line") });
    REQUIRE(r.code == 0);
    CHECK(values(jsonLines(r.out), "stream") == QStringList { line9 });
    r = run(
        { QStringLiteral("streams"), QStringLiteral("--json"), QStringLiteral("--contains"), QStringLiteral("0002") });
    REQUIRE(r.code == 0);
    CHECK(values(jsonLines(r.out), "stream") == QStringList { order2 });
    r = run({ QStringLiteral("streams"), QStringLiteral("--prefix"), QStringLiteral("Order-") }); // the table
    REQUIRE(r.code == 0);
    CHECK(r.out.count('\n') == 3);

    // One stream, one category (not the part of the name before the first '-': "order-line" holds one).
    r = run({ QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--stream"), order1 });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(values(lines, "version") == QStringList { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3") });
    CHECK(values(lines, "position") == QStringList { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("6") });
    CHECK(values(lines, "id")
        == QStringList { QStringLiteral("3f1c2a50-0000-4000-8000-000000000001:0"),
            QStringLiteral("3f1c2a50-0000-4000-8000-000000000001:1"),
            QStringLiteral("3f1c2a50-0000-4000-8000-000000000001:2") });
    CHECK(values(lines, "correlationId") == QStringList(3, QStringLiteral("c-1")));
    CHECK(values(lines, "time")
        == QStringList { QStringLiteral("2024-03-01T10:00:00.000Z"), QStringLiteral("2024-03-01T10:00:05.000Z"),
            QStringLiteral("2024-03-02T09:00:00.000Z") });
    r = run({ QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--category"),
        QStringLiteral("order-line") });
    REQUIRE(r.code == 0);
    CHECK(values(jsonLines(r.out), "position") == QStringList { QStringLiteral("3"), QStringLiteral("7") });
    r = run({ QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--category"), QStringLiteral("Order"),
        QStringLiteral("--from-time"), QStringLiteral("2024-03-01T10:30:00Z") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    CHECK(values(jsonLines(r.out), "position") == QStringList { QStringLiteral("4"), QStringLiteral("6") });

    // Activity by category and by stream, exact and estimated.
    for (const QString& by : { QStringLiteral("category"), QStringLiteral("stream") }) {
        for (const bool estimate : { false, true }) {
            QStringList args { QStringLiteral("activity"), QStringLiteral("--json"), QStringLiteral("--bucket"),
                QStringLiteral("day"), QStringLiteral("--by"), by };
            if (estimate)
                args << QStringLiteral("--estimate");
            r = run(args);
            INFO(by.toStdString() << (estimate ? " estimated: " : ": ") << r.err.constData());
            REQUIRE(r.code == 0);
            lines = jsonLines(r.out);
            QMap<QString, qint64> counts;
            for (const QJsonObject& o : lines)
                counts[o.value(QStringLiteral("group")).toString()] += o.value(QStringLiteral("count")).toInteger();
            if (by == QLatin1String("category"))
                CHECK(counts
                    == QMap<QString, qint64> { { QStringLiteral("Invoice"), 1 }, { QStringLiteral("Order"), 4 },
                        { QStringLiteral("order-line"), 2 } });
            else
                CHECK(counts == QMap<QString, qint64> { { invoice, 1 }, { order1, 3 }, { order2, 1 }, { line9, 2 } });
        }
    }

    // The type catalog and the values of one path, with the streams they occur in.
    r = run(
        { QStringLiteral("types"), QStringLiteral("--json"), QStringLiteral("--category"), QStringLiteral("Order") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    QStringList types;
    for (const QJsonObject& o : jsonLines(r.out))
        types.append(o.value(QStringLiteral("type")).toString());
    types.sort();
    types.removeDuplicates();
    CHECK(types
        == QStringList { QStringLiteral("OrderPaid"), QStringLiteral("OrderPlaced"), QStringLiteral("OrderShipped") });
    r = run({ QStringLiteral("values"), QStringLiteral("--json"), QStringLiteral("--type"),
        QStringLiteral("OrderPlaced"), QStringLiteral("--path"), QStringLiteral("data.customer") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    REQUIRE(lines.size() == 2);
    QStringList streams;
    for (const QJsonObject& o : lines)
        for (const QJsonValue s : o.value(QStringLiteral("streams")).toArray())
            streams.append(s.toString());
    streams.sort();
    CHECK(streams == QStringList { order1, order2 });

    // Export, then a fold of one stream.
    const QString out = tempPath(dir, QStringLiteral("out-%1.jsonl").arg(address.size()));
    r = run({ QStringLiteral("export"), QStringLiteral("--out"), out, QStringLiteral("--category"),
        QStringLiteral("Order"), QStringLiteral("--force") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    QFile exported(out);
    REQUIRE(exported.open(QIODevice::ReadOnly));
    lines = jsonLines(exported.readAll());
    CHECK(values(lines, "stream") == QStringList { order1, order1, order2, order1 });
    r = run({ QStringLiteral("fold"), QStringLiteral("--stream"), order1 });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QJsonObject state = QJsonDocument::fromJson(r.out).object();
    CHECK(state.value(QStringLiteral("customer")).toString() == QLatin1String("ann"));
    CHECK(state.value(QStringLiteral("carrier")).toString() == QLatin1String("dhl"));
    r = run(
        { QStringLiteral("fold"), QStringLiteral("--stream"), order1, QStringLiteral("--at"), QStringLiteral("2") });
    REQUIRE(r.code == 0);
    CHECK(!QJsonDocument::fromJson(r.out).object().contains(QStringLiteral("carrier")));

    // Lag of the projection checkpoints (positions are the id key).
    r = run({ QStringLiteral("lag"), QStringLiteral("--json") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    REQUIRE(lines.size() == 2);
    for (const QJsonObject& o : lines) {
        const bool fresh = o.value(QStringLiteral("name")).toString() == QLatin1String("fresh");
        CHECK(o.value(QStringLiteral("lagEvents")).toInteger() == (fresh ? 7 : 2));
    }

    // A flow through the mapping's correlation keys: the id is an expression over two columns, and the causation
    // names it, so the edge resolves.
    r = run({ QStringLiteral("flow"), QStringLiteral("--correlation"), QStringLiteral("c-1") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QJsonObject flow = QJsonDocument::fromJson(r.out).object();
    QStringList flowStreams;
    for (const QJsonValue& e : flow.value(QStringLiteral("events")).toArray())
        flowStreams.append(e.toObject().value(QStringLiteral("stream")).toString());
    CHECK(flowStreams == QStringList { order1, order1, invoice, order1 });
    const QJsonArray edges = flow.value(QStringLiteral("edges")).toArray();
    REQUIRE(edges.size() == 1);
    CHECK(edges.at(0).toObject().value(QStringLiteral("from")).toString()
        == QLatin1String("3f1c2a50-0000-4000-8000-000000000001:0"));
    CHECK(edges.at(0).toObject().value(QStringLiteral("to")).toString()
        == QLatin1String("3f1c2a50-0000-4000-8000-000000000001:1"));
    CHECK(flow.value(QStringLiteral("unresolved")).toArray().isEmpty());

    // Reconciliation of the Order category (streams by the composite key) against the table: one row differs.
    r = run({ QStringLiteral("reconcile"), QStringLiteral("--reducer"), QStringLiteral("merge"),
        QStringLiteral("--table"), QStringLiteral("order_view"), QStringLiteral("--key"), QStringLiteral("stream"),
        QStringLiteral("--columns"), QStringLiteral("customer=customer,total=total"), QStringLiteral("--category"),
        QStringLiteral("Order"), QStringLiteral("--json") });
    INFO(r.err.constData());
    CHECK(r.code == 9);
    lines = jsonLines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].value(QStringLiteral("stream")).toString() == order2);
    CHECK(lines[0].value(QStringLiteral("status")).toString() == QLatin1String("differs"));
    const QJsonObject total
        = lines[0].value(QStringLiteral("columns")).toObject().value(QStringLiteral("total")).toObject();
    CHECK(total.value(QStringLiteral("table")).toInteger() == 99);
    CHECK(total.value(QStringLiteral("replayed")).toInteger() == 25);

    // The live tail of one category, from its first event.
    QProcess tail;
    tail.start(cli,
        { QStringLiteral("tail"), address, QStringLiteral("--mapping"), mapping, QStringLiteral("--from"),
            QStringLiteral("1"), QStringLiteral("--category"), QStringLiteral("order-line"), QStringLiteral("--poll"),
            QStringLiteral("20") });
    REQUIRE(tail.waitForStarted());
    QByteArray tailed;
    CHECK(waitFor(
        [&] {
            tailed += tail.readAllStandardOutput();
            return tailed.count('\n') >= 2;
        },
        20000));
    ::kill(pid_t(tail.processId()), SIGINT);
    REQUIRE(tail.waitForFinished(10000));
    tailed += tail.readAllStandardOutput();
    INFO(tail.readAllStandardError().constData());
    CHECK(values(jsonLines(tailed), "position") == QStringList { QStringLiteral("3"), QStringLiteral("7") });
}

} // namespace

TEST_CASE("cli: every command reads a composite stream key through a mapping (SQLite)", "[cli][mapping][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("aggregates.sqlite"));
    for (const QString& statement : compositeStoreSql(false))
        execSqlite(path, statement);
    checkEveryCommand(path, writeCompositeMapping(dir), dir, [&path](const QString& sql) { execSqlite(path, sql); });
}

TEST_CASE("cli: every command reads a composite stream key through a mapping (PostgreSQL)", "[cli][mapping][pg]")
{
    ES_REQUIRE_PG("the composite-key PostgreSQL commands");
    PgTestDatabase db(QStringLiteral("composite"));
    REQUIRE(db.ok());
    for (const QString& statement : compositeStoreSql(true))
        db.sql(statement);
    QTemporaryDir dir;
    checkEveryCommand(db.address(), writeCompositeMapping(dir), dir, [&db](const QString& sql) { db.sql(sql); });
}
