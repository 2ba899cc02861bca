#include <catch2/catch.hpp>

#include "sql/emmettschema.h"
#include "testutils.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <sqlite3.h>

using namespace es;
using es::test::runProcess;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);
constexpr qint64 sampleEvents = 20000;

// One demo store for the whole run, written by the CLI itself.
const QString& sampleStore()
{
    static QTemporaryDir dir;
    static const QString path = [] {
        const QString p = dir.filePath(QStringLiteral("demo.sqlite"));
        QByteArray err;
        const int code = runProcess(cli,
            { QStringLiteral("sample"), p, QStringLiteral("--events"), QString::number(sampleEvents),
                QStringLiteral("--seed"), QStringLiteral("42") },
            nullptr, &err);
        if (code != 0)
            FAIL("sample failed: " << err.constData());
        return p;
    }();
    return path;
}

struct Result {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QStringList& args)
{
    Result r;
    r.code = runProcess(cli, args, &r.out, &r.err);
    return r;
}

std::vector<QJsonObject> jsonLines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        INFO(line.constData());
        REQUIRE(error.error == QJsonParseError::NoError);
        REQUIRE(doc.isObject());
        objects.push_back(doc.object());
    }
    return objects;
}

qint64 sqliteCount(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    const qint64 n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

bool isIsoUtc(const QJsonValue& v)
{
    static const QRegularExpression iso(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$"));
    return v.isString() && iso.match(v.toString()).hasMatch();
}

QDateTime timeOf(const QJsonObject& o)
{
    return QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
}

const QStringList eventKeys { QStringLiteral("position"), QStringLiteral("stream"), QStringLiteral("version"),
    QStringLiteral("type"), QStringLiteral("time"), QStringLiteral("id"), QStringLiteral("data"),
    QStringLiteral("metadata"), QStringLiteral("correlationId"), QStringLiteral("causationId") };

} // namespace

TEST_CASE("--help and --version", "[cli]")
{
    Result r = run({ QStringLiteral("--help") });
    CHECK(r.code == 0);
    CHECK(r.out.contains("Exit codes"));
    for (const char* command : { "info", "streams", "events", "sample" })
        CHECK(r.out.contains(command));

    r = run({ QStringLiteral("events"), QStringLiteral("--help") });
    CHECK(r.code == 0);
    for (const char* option : { "--stream", "--category", "--from", "--limit", "--type", "--json", "--filter", "--text",
             "--from-time", "--to-time", "--profile", "--mapping" })
        CHECK(r.out.contains(option));

    r = run({ QStringLiteral("--version") });
    CHECK(r.code == 0);
    CHECK(r.out.contains("0.1"));
}

TEST_CASE("info describes the store as JSON", "[cli]")
{
    const Result r = run({ QStringLiteral("info"), sampleStore() });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    for (const char* key : { "address", "engine", "layout", "layoutTitle", "candidateLayouts", "events", "streams",
             "firstPosition", "headPosition", "firstTime", "lastTime" })
        CHECK(o.contains(QLatin1String(key)));
    CHECK(o.value(QStringLiteral("engine")).toString() == QLatin1String("sqlite"));
    CHECK(o.value(QStringLiteral("layout")).toString() == QLatin1String("emmett"));
    CHECK(o.value(QStringLiteral("candidateLayouts")).toArray().contains(QStringLiteral("emmett")));
    CHECK(o.value(QStringLiteral("events")).toInteger() == sampleEvents);
    CHECK(o.value(QStringLiteral("streams")).toInteger()
        == sqliteCount(sampleStore(), "SELECT COUNT(*) FROM emt_streams"));
    CHECK(o.value(QStringLiteral("firstPosition")).toInteger() == 1);
    CHECK(o.value(QStringLiteral("headPosition")).toInteger() == sampleEvents);
    CHECK(isIsoUtc(o.value(QStringLiteral("firstTime"))));
    CHECK(isIsoUtc(o.value(QStringLiteral("lastTime"))));
}

TEST_CASE("streams as JSON Lines and as a table", "[cli]")
{
    Result r = run({ QStringLiteral("streams"), sampleStore(), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("5") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    auto lines = jsonLines(r.out);
    REQUIRE(lines.size() == 5);
    for (const QJsonObject& s : lines) {
        CHECK(s.keys()
            == QStringList { QStringLiteral("category"), QStringLiteral("events"), QStringLiteral("firstTime"),
                QStringLiteral("lastTime"), QStringLiteral("stream"), QStringLiteral("version") });
        CHECK(s.value(QStringLiteral("version")).toInteger() >= 1);
        CHECK(s.value(QStringLiteral("events")).toInteger() == s.value(QStringLiteral("version")).toInteger());
        CHECK(isIsoUtc(s.value(QStringLiteral("firstTime"))));
        CHECK(isIsoUtc(s.value(QStringLiteral("lastTime"))));
    }

    // Every stream with a prefix, across internal pages.
    r = run({ QStringLiteral("streams"), sampleStore(), QStringLiteral("--json"), QStringLiteral("--prefix"),
        QStringLiteral("account-"), QStringLiteral("--limit"), QStringLiteral("0") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(static_cast<qint64>(lines.size())
        == sqliteCount(sampleStore(), "SELECT COUNT(*) FROM emt_streams WHERE stream_id LIKE 'account-%'"));
    QString previous;
    for (const QJsonObject& s : lines) {
        const QString name = s.value(QStringLiteral("stream")).toString();
        CHECK(name.startsWith(QLatin1String("account-")));
        CHECK(s.value(QStringLiteral("category")).toString() == QLatin1String("account"));
        CHECK(name > previous);
        previous = name;
    }

    r = run({ QStringLiteral("streams"), sampleStore(), QStringLiteral("--prefix"), QStringLiteral("shipment-"),
        QStringLiteral("--limit"), QStringLiteral("3") });
    REQUIRE(r.code == 0);
    const QList<QByteArray> rows = r.out.trimmed().split('\n');
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].startsWith("STREAM"));
    const qsizetype versionColumn = rows[0].indexOf("VERSION");
    for (int i = 1; i < 4; ++i) {
        CHECK(rows[i].startsWith("shipment-"));
        CHECK(rows[i].size() > versionColumn);
    }
}

TEST_CASE("events as JSON Lines", "[cli]")
{
    Result r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("10") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    auto lines = jsonLines(r.out);
    REQUIRE(lines.size() == 10);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const QJsonObject& e = lines[i];
        for (const QString& key : eventKeys)
            CHECK(e.contains(key));
        CHECK(e.value(QStringLiteral("position")).toInteger() == static_cast<qint64>(i) + 1);
        CHECK(e.value(QStringLiteral("data")).isObject());
        CHECK(e.value(QStringLiteral("metadata")).isObject());
        CHECK(isIsoUtc(e.value(QStringLiteral("time"))));
        CHECK(e.value(QStringLiteral("correlationId")).toString()
            == e.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("correlationId")).toString());
        CHECK(e.value(QStringLiteral("id")).toString().size() == 36);
    }

    // --from is inclusive.
    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--json"), QStringLiteral("--from"),
        QStringLiteral("500"), QStringLiteral("--limit"), QStringLiteral("3") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].value(QStringLiteral("position")).toInteger() == 500);
    CHECK(lines[2].value(QStringLiteral("position")).toInteger() == 502);

    // The default limit, and 0 for everything (read in pages).
    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--json") });
    REQUIRE(r.code == 0);
    CHECK(r.out.count('\n') == 1000);
    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("0") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    REQUIRE(static_cast<qint64>(lines.size()) == sampleEvents);
    for (std::size_t i = 0; i < lines.size(); ++i)
        REQUIRE(lines[i].value(QStringLiteral("position")).toInteger() == static_cast<qint64>(i) + 1);
}

TEST_CASE("events of one stream, category and type", "[cli]")
{
    Result r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--stream"),
        QStringLiteral("account-1001"), QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    auto lines = jsonLines(r.out);
    const qint64 version
        = sqliteCount(sampleStore(), "SELECT stream_position FROM emt_streams WHERE stream_id = 'account-1001'");
    REQUIRE(static_cast<qint64>(lines.size()) == version);
    qint64 balance = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const QJsonObject& e = lines[i];
        CHECK(e.value(QStringLiteral("stream")).toString() == QLatin1String("account-1001"));
        CHECK(e.value(QStringLiteral("version")).toInteger() == static_cast<qint64>(i) + 1);
        const QJsonObject data = e.value(QStringLiteral("data")).toObject();
        const QString type = e.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("FundsDeposited"))
            balance += data.value(QStringLiteral("amount")).toInteger();
        else if (type == QLatin1String("FundsWithdrawn"))
            balance -= data.value(QStringLiteral("amount")).toInteger();
        if (data.contains(QStringLiteral("balance")))
            CHECK(data.value(QStringLiteral("balance")).toInteger() == balance);
    }

    // --from on a stream counts versions.
    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--stream"), QStringLiteral("account-1001"),
        QStringLiteral("--from"), QStringLiteral("3"), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("2") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].value(QStringLiteral("version")).toInteger() == 3);

    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--category"), QStringLiteral("shipment"),
        QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("200") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(lines.size() == 200);
    for (const QJsonObject& e : lines)
        CHECK(e.value(QStringLiteral("stream")).toString().startsWith(QLatin1String("shipment-")));

    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--type"),
        QStringLiteral("OrderPlaced,AccountClosed"), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("0") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(static_cast<qint64>(lines.size())
        == sqliteCount(
            sampleStore(), "SELECT COUNT(*) FROM emt_messages WHERE message_type IN ('OrderPlaced', 'AccountClosed')"));
    qint64 previous = 0;
    for (const QJsonObject& e : lines) {
        const QString type = e.value(QStringLiteral("type")).toString();
        CHECK((type == QLatin1String("OrderPlaced") || type == QLatin1String("AccountClosed")));
        CHECK(e.value(QStringLiteral("position")).toInteger() > previous);
        previous = e.value(QStringLiteral("position")).toInteger();
    }
}

TEST_CASE("events filtered by payload, text and time", "[cli]")
{
    Result r = run(
        { QStringLiteral("events"), sampleStore(), QStringLiteral("--filter"), QStringLiteral("data.amount > 100000"),
            QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    auto lines = jsonLines(r.out);
    CHECK(static_cast<qint64>(lines.size())
        == sqliteCount(
            sampleStore(), "SELECT COUNT(*) FROM emt_messages WHERE json_extract(message_data, '$.amount') > 100000"));
    CHECK(!lines.empty());
    for (const QJsonObject& e : lines)
        CHECK(e.value(QStringLiteral("data")).toObject().value(QStringLiteral("amount")).toInteger() > 100000);

    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--filter"),
        QStringLiteral("metadata.userId = 'u-7'"), QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("0") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(static_cast<qint64>(lines.size())
        == sqliteCount(sampleStore(),
            "SELECT COUNT(*) FROM emt_messages WHERE json_extract(message_metadata, '$.userId') = 'u-7'"));
    for (const QJsonObject& e : lines)
        CHECK(e.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("userId")).toString()
            == QLatin1String("u-7"));

    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--text"), QStringLiteral("Burr grinder"),
        QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("20") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(!lines.empty());
    for (const QJsonObject& e : lines)
        CHECK(QJsonDocument(e.value(QStringLiteral("data")).toObject()).toJson().contains("Burr grinder"));

    const QString from = QStringLiteral("2024-03-12T09:00:00Z");
    const QString to = QStringLiteral("2024-03-12T10:00:00Z");
    r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--from-time"), from, QStringLiteral("--to-time"),
        to, QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    REQUIRE(r.code == 0);
    lines = jsonLines(r.out);
    CHECK(static_cast<qint64>(lines.size())
        == sqliteCount(sampleStore(),
            "SELECT COUNT(*) FROM emt_messages WHERE created >= '2024-03-12 09:00:00' AND created < '2024-03-12 "
            "10:00:00'"));
    CHECK(!lines.empty());
    for (const QJsonObject& e : lines) {
        CHECK(timeOf(e) >= QDateTime::fromString(from, Qt::ISODate));
        CHECK(timeOf(e) < QDateTime::fromString(to, Qt::ISODate));
    }
}

TEST_CASE("events as a table", "[cli]")
{
    const Result r = run({ QStringLiteral("events"), sampleStore(), QStringLiteral("--limit"), QStringLiteral("5") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    const QList<QByteArray> rows = r.out.trimmed().split('\n');
    REQUIRE(rows.size() == 6);
    CHECK(rows[0].contains("POSITION"));
    CHECK(rows[0].contains("TYPE"));
    CHECK(rows[1].trimmed().startsWith("1 "));
    CHECK(rows[1].contains("account-1001"));
    CHECK(rows[1].contains("AccountOpened"));
    CHECK(rows[1].contains("2024-03-"));
}

TEST_CASE("a closed stdout ends the command quietly", "[cli]")
{
    QByteArray out;
    QByteArray err;
    const int code = runProcess(QStringLiteral("/bin/bash"),
        { QStringLiteral("-c"),
            QStringLiteral("set -o pipefail; \"%1\" events \"%2\" --json --limit 0 | head -n 2 >/dev/null")
                .arg(cli, sampleStore()) },
        &out, &err);
    CHECK(code == 0);
    CHECK(err.isEmpty());
}

TEST_CASE("sample refuses to overwrite and checks its arguments", "[cli]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("small.sqlite"));
    Result r = run({ QStringLiteral("sample"), path, QStringLiteral("--events"), QStringLiteral("500") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    CHECK(sqliteCount(path, "SELECT COUNT(*) FROM emt_messages") == 500);
    const QDateTime modified = QFileInfo(path).lastModified();

    r = run({ QStringLiteral("sample"), path, QStringLiteral("--events"), QStringLiteral("500") });
    CHECK(r.code == 3);
    CHECK(r.err.contains("exists"));
    CHECK(QFileInfo(path).lastModified() == modified);

    r = run({ QStringLiteral("sample"), dir.filePath(QStringLiteral("x.sqlite")), QStringLiteral("--layout"),
        QStringLiteral("marten") });
    CHECK(r.code == 4);
    CHECK(!r.err.isEmpty());
    r = run({ QStringLiteral("sample"), dir.filePath(QStringLiteral("x.sqlite")), QStringLiteral("--events"),
        QStringLiteral("many") });
    CHECK(r.code == 2);
    CHECK_FALSE(QFileInfo::exists(dir.filePath(QStringLiteral("x.sqlite"))));
}

TEST_CASE("bad arguments exit with 2", "[cli]")
{
    for (const QStringList& args : {
             QStringList {},
             QStringList { QStringLiteral("frobnicate"), sampleStore() },
             QStringList { QStringLiteral("events") },
             QStringList { QStringLiteral("events"), sampleStore(), QStringLiteral("--limit"), QStringLiteral("-1") },
             QStringList { QStringLiteral("events"), sampleStore(), QStringLiteral("--from"), QStringLiteral("x") },
             QStringList { QStringLiteral("events"), sampleStore(), QStringLiteral("--no-such-option") },
             QStringList {
                 QStringLiteral("events"), sampleStore(), QStringLiteral("--filter"), QStringLiteral("data.amount >") },
             QStringList {
                 QStringLiteral("events"), sampleStore(), QStringLiteral("--from-time"), QStringLiteral("yesterday") },
             QStringList { QStringLiteral("info"), sampleStore(), QStringLiteral("extra") },
             QStringList { QStringLiteral("info"), sampleStore(), QStringLiteral("--prefix"), QStringLiteral("x") },
         }) {
        const Result r = run(args);
        INFO(args.join(QLatin1Char(' ')).toStdString());
        CHECK(r.code == 2);
        CHECK(!r.err.isEmpty());
        CHECK(r.out.isEmpty());
    }
}

TEST_CASE("unusable stores give a message and a distinct exit code", "[cli]")
{
    QTemporaryDir dir;

    Result r = run({ QStringLiteral("info"), dir.filePath(QStringLiteral("missing.sqlite")) });
    CHECK(r.code == 3);
    CHECK(!r.err.isEmpty());
    CHECK_FALSE(QFileInfo::exists(dir.filePath(QStringLiteral("missing.sqlite")))); // read-only: nothing created

    const QString text = dir.filePath(QStringLiteral("notes.txt"));
    {
        QFile f(text);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("This is not a database, just some text that is long enough to have a header.\n");
    }
    r = run({ QStringLiteral("events"), text });
    CHECK(r.code == 3);
    CHECK(!r.err.isEmpty());

    r = run({ QStringLiteral("info"), sampleStore(), QStringLiteral("--profile"), QStringLiteral("no-such-layout") });
    CHECK(r.code == 4);
    CHECK(r.err.contains("no-such-layout"));

    // A store with tables of no known layout.
    const QString other = dir.filePath(QStringLiteral("other.sqlite"));
    es::test::execSqlite(other, QStringLiteral("CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT);"));
    r = run({ QStringLiteral("streams"), other });
    CHECK(r.code == 4);
    CHECK(!r.err.isEmpty());

    // An Emmett store without its messages table, read as Emmett.
    const QString broken = dir.filePath(QStringLiteral("broken.sqlite"));
    es::test::execSqlite(broken,
        QLatin1String(es::emmett::sqliteSchema[0]) // emt_streams
            + QStringLiteral("INSERT INTO emt_streams VALUES ('order-1', 1, 'emt:default', 'order', '[]', 0);"));
    r = run({ QStringLiteral("events"), broken, QStringLiteral("--profile"), QStringLiteral("emmett") });
    CHECK(r.code == 5);
    CHECK(r.err.contains("emt_messages"));
}
