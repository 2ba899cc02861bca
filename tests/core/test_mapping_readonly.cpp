// A mapping's expressions are SQL and still never write: a composite-key mapping whose expressions try to is refused
// on both engines, and the store is left as it was (issue 19).
#include <catch2/catch.hpp>

#include "store/storeregistry.h"
#include "test_composite_support.h"
#include "testutils.h"

#include <sqlite3.h>

using namespace es;
using namespace es::test;

namespace {

const QString compositeStreamKey = QStringLiteral(R"("stream": "aggregate_name || '-' || aggregate_id")");

// The composite mapping with another stream expression (JSON-escaped) and optionally another table.
QString mappingWith(const QTemporaryDir& dir, const QString& name, const QString& stream, const QString& table = {})
{
    QString json = compositeMappingJson();
    json.replace(compositeStreamKey, QStringLiteral("\"stream\": \"%1\"").arg(stream));
    if (!table.isEmpty())
        json.replace(QStringLiteral(R"("table": "{e}")"), QStringLiteral("\"table\": \"%1\"").arg(table));
    const QString path = tempPath(dir, name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(json.toUtf8());
    return path;
}

QString openError(const QString& address, const QString& mapping, StoreError::Kind* kind = nullptr)
{
    OpenOptions options;
    options.mappingFile = mapping;
    try {
        auto store = StoreRegistry::open(address, options);
        StreamQuery q;
        q.prefix = QStringLiteral("Order-");
        store->streams(q);
        store->events({});
    } catch (const StoreError& e) {
        if (kind)
            *kind = e.kind();
        return e.message();
    }
    return {};
}

qint64 sqliteScalar(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    const qint64 v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

} // namespace

TEST_CASE("a composite-key mapping that tries to write is refused on SQLite", "[mapping][readonly][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("aggregates.sqlite"));
    for (const QString& statement : compositeStoreSql(false))
        execSqlite(path, statement);

    // The honest mapping reads.
    CHECK(openError(path, writeCompositeMapping(dir)).isEmpty());

    // A second statement after ';' in the table.
    QString message = openError(path,
        mappingWith(dir, QStringLiteral("delete.json"), QStringLiteral("aggregate_name || '-' || aggregate_id"),
            QStringLiteral("{e}; DELETE FROM events")));
    CHECK(message.contains(QLatin1String("second statement")));
    // Loading code from an expression: SQLite's load_extension() is off on the store's connection.
    message = openError(path,
        mappingWith(dir, QStringLiteral("extension.json"),
            QStringLiteral("aggregate_name || '-' || aggregate_id || load_extension('/tmp/es-nothing')")));
    CHECK(!message.isEmpty());
    CHECK(sqliteScalar(path, "SELECT count(*) FROM events") == 7);
    CHECK(sqliteScalar(path, "PRAGMA user_version") == 0);
}

TEST_CASE("a composite-key mapping that tries to write is refused on PostgreSQL", "[mapping][readonly][pg]")
{
    ES_REQUIRE_PG("the read-only PostgreSQL mapping");
    PgTestDatabase db(QStringLiteral("readonly"));
    REQUIRE(db.ok());
    for (const QString& statement : compositeStoreSql(true))
        db.sql(statement);
    db.sql(QStringLiteral("CREATE SEQUENCE probe_seq"));
    QTemporaryDir dir;
    CHECK(openError(db.address(), writeCompositeMapping(dir)).isEmpty());

    // nextval in the stream expression: every statement runs read-only, so the sequence never moves.
    QString message = openError(db.address(),
        mappingWith(dir, QStringLiteral("nextval.json"),
            QStringLiteral("aggregate_name || '-' || aggregate_id || CASE WHEN nextval('probe_seq') > 0 THEN '' END")));
    CHECK(message.contains(QLatin1String("read-only")));
    // Switching the session's default off from an expression closes the session instead.
    message = openError(db.address(),
        mappingWith(dir, QStringLiteral("setconfig.json"),
            QStringLiteral("aggregate_name || '-' || aggregate_id || "
                           "set_config('default_transaction_read_only', 'off', false)")));
    CHECK(!message.isEmpty());
    QByteArray out;
    REQUIRE(psql(db.address(),
                { QStringLiteral("-tAc"),
                    QStringLiteral("SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM pg_sequences "
                                   "WHERE sequencename = 'probe_seq' AND last_value IS NULL)") },
                &out)
        == 0);
    CHECK(out.trimmed() == "7 1");
}
