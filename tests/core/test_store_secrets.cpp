// Secrets in addresses are never echoed (the registry's redaction, engine messages), and a SQLite mapping file
// cannot undo the read-only connection.
#include <catch2/catch.hpp>

#include "store/storeregistry.h"
#include "testutils.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

// Address forms EventScope does not read (or reads only in part), each holding a secret.
struct SecretForm {
    QString address;
    QString secret;
};

std::vector<SecretForm> secretForms()
{
    return {
        { QStringLiteral("jdbc:postgresql://db.example.com/events?user=u&password=JdbcS3cret"),
            QStringLiteral("JdbcS3cret") },
        { QStringLiteral("postgresql+psycopg2://alice:AlchemyS3cret@db.example.com/events"),
            QStringLiteral("AlchemyS3cret") },
        { QStringLiteral("mysql://root:My%40S3cret@db.example.com:3306/events"), QStringLiteral("S3cret") },
        { QStringLiteral("jdbc:sqlserver://db.example.com;user=u;password=MsS3cret;encrypt=true"),
            QStringLiteral("MsS3cret") },
        { QStringLiteral("postgresql://127.0.0.1:1/events?sslpassword=SslS3cret&sslmode=disable"),
            QStringLiteral("SslS3cret") },
        { QStringLiteral("host=127.0.0.1 port=1 dbname=events sslpassword='Ssl S3cret' sslmode=disable"),
            QStringLiteral("S3cret") },
        { QStringLiteral("postgresql://bob:UriS3cret@127.0.0.1:1/events?application_nam=typo"),
            QStringLiteral("UriS3cret") },
        { QStringLiteral("host=127.0.0.1 password=KwS3cret bogus_option=1"), QStringLiteral("KwS3cret") },
        { QStringLiteral("sqlite:///no/such/dir/events.db?password=FileS3cret"), QStringLiteral("FileS3cret") },
        { QStringLiteral("redis://:RedisS3cret@cache.example.com:6379/0"), QStringLiteral("RedisS3cret") },
        { QStringLiteral("https://api.example.com/events?api_key=ApiS3cret&token=TokS3cret"),
            QStringLiteral("S3cret") },
    };
}

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

TEST_CASE("Secrets in address forms no engine reads are never echoed", "[redact][registry]")
{
    for (const SecretForm& form : secretForms()) {
        INFO(form.address.toStdString());
        const QString shown = StoreRegistry::redactAddress(form.address);
        INFO("shown as " << shown.toStdString());
        CHECK(!shown.contains(form.secret));
        CHECK(!shown.isEmpty());
        QString message;
        try {
            StoreRegistry::open(form.address);
            FAIL("opened");
        } catch (const StoreError& e) {
            message = e.message();
        }
        INFO("failed with " << message.toStdString());
        CHECK(!message.contains(form.secret));
    }
    // What is kept: enough to recognise the address.
    CHECK(
        StoreRegistry::redactAddress(QStringLiteral("postgresql+psycopg2://alice:AlchemyS3cret@db.example.com/events"))
        == QLatin1String("postgresql+psycopg2://alice:****@db.example.com/events"));
    CHECK(StoreRegistry::redactAddress(QStringLiteral("jdbc:postgresql://db.example.com/events?user=u&password=x1"))
        == QLatin1String("jdbc:postgresql://db.example.com/events?user=u&password=****"));
    CHECK(StoreRegistry::redactSecrets(QStringLiteral("Server=h;Uid=u;Pwd='a;b';Database=d"))
        == QLatin1String("Server=h;Uid=u;Pwd=****;Database=d"));
    // Ordinary addresses are left alone.
    CHECK(StoreRegistry::redactAddress(QStringLiteral("/data/stores/events.sqlite"))
        == QLatin1String("/data/stores/events.sqlite"));
    CHECK(StoreRegistry::redactAddress(QStringLiteral("host=db port=5433 dbname=events user=alice sslmode=require"))
        == QLatin1String("host=db port=5433 dbname=events user=alice sslmode=require"));
    // A JDBC or SQLAlchemy URL is no SQLite file name.
    CHECK(StoreRegistry::engineFor(QStringLiteral("jdbc:postgresql://h/db?password=x")).isEmpty());
}

TEST_CASE("A SQLite mapping file cannot undo the read-only connection", "[sqlite][readonly]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    execSqlite(path,
        QStringLiteral("CREATE TABLE ev (pos INTEGER PRIMARY KEY, stream TEXT, ver INTEGER, type TEXT, data TEXT);"
                       "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 30) "
                       "INSERT INTO ev SELECT n, 'acc-' || (n % 3), n / 3, 'Opened', '{\"a\": 1}' FROM g;"));
    const QByteArray before = fileHash(path);
    const QString attached = tempPath(dir, QStringLiteral("attached.sqlite"));

    auto mapping = [&](const QString& type, const QString& where) {
        static int counter = 0;
        const QString file = tempPath(dir, QStringLiteral("mapping%1.json").arg(++counter));
        QJsonObject events { { QStringLiteral("table"), QStringLiteral("{e}") },
            { QStringLiteral("position"), QStringLiteral("pos") },
            { QStringLiteral("stream"), QStringLiteral("stream") },
            { QStringLiteral("version"), QStringLiteral("ver") }, { QStringLiteral("type"), type },
            { QStringLiteral("data"), QStringLiteral("data") } };
        if (!where.isEmpty())
            events.insert(QStringLiteral("where"), where);
        const QJsonObject table { { QStringLiteral("as"), QStringLiteral("e") },
            { QStringLiteral("names"), QJsonArray { QStringLiteral("ev") } },
            { QStringLiteral("columns"), QJsonArray { QStringLiteral("pos") } } };
        QFile f(file);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(
            QJsonObject { { QStringLiteral("name"), QStringLiteral("hostile") },
                { QStringLiteral("engines"), QJsonArray { QStringLiteral("sqlite") } },
                { QStringLiteral("detect"), QJsonObject { { QStringLiteral("tables"), QJsonArray { table } } } },
                { QStringLiteral("events"), events } })
                    .toJson());
        OpenOptions options;
        options.mappingFile = file;
        return options;
    };
    auto failure = [&](const OpenOptions& options) {
        try {
            auto store = StoreRegistry::open(path, options);
            store->events({});
            store->scopeStats({});
        } catch (const StoreError& e) {
            return e.message();
        }
        return QString();
    };

    // The mapping itself reads fine.
    CHECK(StoreRegistry::open(path, mapping(QStringLiteral("type"), {}))->events({}).events.size() == 30);

    const QString attach = failure(mapping(QStringLiteral("type"),
        QStringLiteral("1=1); ATTACH DATABASE '%1' AS x; CREATE TABLE x.t(a); SELECT (1").arg(attached)));
    INFO(attach.toStdString());
    CHECK(attach.contains(QLatin1String("second statement")));
    CHECK(!QFileInfo::exists(attached));

    const QString pragma
        = failure(mapping(QStringLiteral("type"), QStringLiteral("1=1); PRAGMA query_only = 0; SELECT (1")));
    CHECK(pragma.contains(QLatin1String("second statement")));
    const QString writableSchema
        = failure(mapping(QStringLiteral("(SELECT 1 FROM pragma_writable_schema(1))"), QString()));
    CHECK(!writableSchema.isEmpty());
    const QString extension = failure(mapping(QStringLiteral("load_extension('x')"), QString()));
    CHECK(extension.contains(QLatin1String("not authorized")));

    CHECK(fileHash(path) == before);
    CHECK(!QFileInfo::exists(path + QStringLiteral("-wal")));
    CHECK(!QFileInfo::exists(path + QStringLiteral("-journal")));
}
