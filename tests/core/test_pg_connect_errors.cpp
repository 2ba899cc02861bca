#include <catch2/catch.hpp>

#include "pg/pgconnect.h"
#include "store/storeregistry.h"
#include "testutils.h"

#include <optional>

using namespace es;

namespace {

// The StoreError opening `address` gives, or nullopt when it opened.
std::optional<StoreError> openError(const QString& address)
{
    try {
        StoreRegistry::open(address);
    } catch (const StoreError& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("Connection failures read in plain words, from libpq's SQLSTATE", "[pg][connecterrors]")
{
    ES_REQUIRE_PG("plain-word connection errors");
    const QString server = es::test::postgresAddress();

    SECTION("a database that does not exist")
    {
        const auto e = openError(server + QStringLiteral(" dbname=es_no_such_db_17 password=Hunter2-secret"));
        REQUIRE(e);
        CHECK(e->kind() == Failure::Kind::BadAddress);
        INFO(e->message().toStdString());
        CHECK(e->message().startsWith(
            QStringLiteral("The database \"es_no_such_db_17\" does not exist on the server at ")));
        CHECK(e->message().contains(QLatin1String("libpq said:")));
        CHECK_FALSE(e->message().contains(QLatin1String("Hunter2-secret")));
        CHECK_FALSE(e->message().contains(QLatin1String("3D000"))); // the code chose the words; it is not shown
    }
    SECTION("a role that does not exist")
    {
        const auto e = openError(server + QStringLiteral(" user=es_no_such_role_17"));
        REQUIRE(e);
        INFO(e->message().toStdString());
        CHECK(e->message().startsWith(QStringLiteral("The server at ")));
        CHECK(e->message().contains(QLatin1String("does not let user es_no_such_role_17 connect to database")));
    }
    SECTION("a port nothing listens on")
    {
        const auto e = openError(server + QStringLiteral(" port=1"));
        REQUIRE(e);
        INFO(e->message().toStdString());
        CHECK(e->message().startsWith(QStringLiteral("No PostgreSQL server answers at ")));
        CHECK(e->message().contains(QLatin1String("(port 1)")) + e->message().contains(QLatin1String(":1.")) == 1);
    }
    SECTION("a TCP port nothing listens on")
    {
        const auto e = openError(QStringLiteral("host=127.0.0.1 port=1 user=postgres dbname=postgres"));
        REQUIRE(e);
        INFO(e->message().toStdString());
        CHECK(e->message().startsWith(QStringLiteral("No PostgreSQL server answers at 127.0.0.1:1.")));
    }
    SECTION("the server's answer still opens a store where all is right")
    {
        const auto e = openError(server);
        // The test server's own database holds no event store: the connection worked, the layout did not match.
        REQUIRE(e);
        CHECK(e->kind() == Failure::Kind::UnknownLayout);
    }
}

TEST_CASE("A refusal the test server cannot give is worded by its SQLSTATE", "[pg][connecterrors]")
{
    // The shared server trusts local and loopback connections, so a wrong password and a server asking for one cannot
    // be provoked there: these cases check the words chosen for the codes libpq reports.
    PgConnectFailure f;
    f.host = QStringLiteral("db.example.com");
    f.port = QStringLiteral("5432");
    f.user = QStringLiteral("alice");
    f.database = QStringLiteral("orders");
    f.sqlstate = QStringLiteral("28P01");
    f.usedPassword = true;
    CHECK(f.plainMessage() == QStringLiteral("The server at db.example.com:5432 refused the password for user alice."));
    CHECK(f.isDefinitive());
    f.sqlstate.clear();
    f.usedPassword = false;
    f.needsPassword = true;
    CHECK(f.plainMessage().startsWith(
        QStringLiteral("The server at db.example.com:5432 asks for a password for user alice, and none was given")));
    f.needsPassword = false;
    f.sqlstate = QStringLiteral("53300");
    CHECK(f.plainMessage().contains(QLatin1String("no free connection slots")));
    CHECK_FALSE(f.isDefinitive());
    f.host = QStringLiteral("/run/postgresql");
    f.sqlstate = QStringLiteral("3D000");
    CHECK(f.plainMessage()
        == QStringLiteral("The database \"orders\" does not exist on the server at the local socket in /run/postgresql "
                          "(port 5432)."));

    CHECK(pgSqlStateOf(QStringLiteral("connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  3D000: "
                                      "database \"x\" does not exist\nLOCATION:  InitPostgres, postinit.c:885"))
        == QStringLiteral("3D000"));
    CHECK(pgSqlStateOf(QStringLiteral("could not connect to server: Connection refused")).isEmpty());
}
