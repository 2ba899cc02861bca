// Connections that cannot wedge and reads that cannot write: connection defaults, a silent server, cancel off the
// caller's thread, read-only transactions against hostile mapping files.
#include <catch2/catch.hpp>

#include "faultserver.h"
#include "pg/pgaddress.h"
#include "pg/pgstore.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <pqxx/pqxx>

using namespace es;
using namespace es::test;

namespace {

StoreError::Kind errorOf(const std::function<void()>& f, QString* message = nullptr)
{
    try {
        f();
    } catch (const StoreError& e) {
        if (message)
            *message = e.message();
        return e.kind();
    }
    FAIL("no StoreError thrown");
    return StoreError::Kind::Generic;
}

quint16 serverPort()
{
    const QString port = PgAddress::parse(postgresAddress()).value(QStringLiteral("port"));
    return port.isEmpty() ? quint16(5432) : port.toUShort();
}

// The test server by TCP on 127.0.0.1 through `relay`, in database `name`.
QString viaRelay(const TcpFaultServer& relay, const QString& name)
{
    const QString user = PgAddress::parse(postgresAddress()).value(QStringLiteral("user"));
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=%2%3")
        .arg(relay.port())
        .arg(name, user.isEmpty() ? QString() : QStringLiteral(" user=") + user);
}

// Tables of 60 events in three streams (acc-0, acc-1, acc-2), ev and another (ev2), an audit table, and es_write(),
// a volatile function that writes to it: what a hostile mapping file calls.
void createEvents(const PgTestDatabase& db)
{
    db.sql(QStringLiteral(
        "CREATE TABLE ev (pos bigint PRIMARY KEY, stream text NOT NULL, ver bigint NOT NULL, type text, data jsonb);"
        "INSERT INTO ev SELECT g, 'acc-' || (g % 3), g / 3, 'Opened', '{\"a\": 1}' FROM generate_series(1, 60) g;"
        "CREATE TABLE ev2 AS SELECT * FROM ev;"
        "CREATE TABLE audit (n int);"
        "CREATE FUNCTION es_write() RETURNS text LANGUAGE plpgsql VOLATILE AS "
        "$$ BEGIN INSERT INTO audit VALUES (1); RETURN 'written'; END $$;"));
}

// A mapping file over `table` whose type is `typeExpression`.
QString writeMapping(
    const QTemporaryDir& dir, const QString& typeExpression, const QString& table = QStringLiteral("ev"))
{
    static int counter = 0;
    const QString path = tempPath(dir, QStringLiteral("mapping%1.json").arg(++counter));
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly));
    QJsonObject events { { QStringLiteral("table"), QStringLiteral("{e}") },
        { QStringLiteral("position"), QStringLiteral("pos") }, { QStringLiteral("stream"), QStringLiteral("stream") },
        { QStringLiteral("version"), QStringLiteral("ver") }, { QStringLiteral("type"), typeExpression },
        { QStringLiteral("data"), QStringLiteral("data") } };
    const QJsonObject detect { { QStringLiteral("as"), QStringLiteral("e") },
        { QStringLiteral("names"), QJsonArray { table } },
        { QStringLiteral("columns"), QJsonArray { QStringLiteral("pos") } } };
    const QJsonObject mapping { { QStringLiteral("name"), QStringLiteral("hostile") },
        { QStringLiteral("engines"), QJsonArray { QStringLiteral("postgresql") } },
        { QStringLiteral("detect"), QJsonObject { { QStringLiteral("tables"), QJsonArray { detect } } } },
        { QStringLiteral("events"), events } };
    f.write(QJsonDocument(mapping).toJson());
    return path;
}

class CountingReceiver : public RawEventReceiver {
public:
    bool row(const RawEvent&) override
    {
        ++rows;
        return true;
    }
    qint64 rows = 0;
};

EventQuery streamQuery(const QString& stream)
{
    EventQuery q;
    q.filter.stream = stream;
    return q;
}

// What an export asks for: every event of the scope, which PostgreSQL streams with COPY.
EventQuery rawQuery(const QString& stream = {})
{
    EventQuery q;
    q.filter.stream = stream;
    q.limit = 0;
    return q;
}

} // namespace

TEST_CASE("PostgreSQL connections get timeouts and keepalives unless the address sets them", "[pgaddress][faults]")
{
    qunsetenv("PGCONNECT_TIMEOUT");
    const PgAddress plain = PgAddress::parse(QStringLiteral("host=db.example.com dbname=events password=pw"));
    CHECK(plain.connectionString()
        == QLatin1String("host=db.example.com dbname=events password=pw connect_timeout=10 keepalives=1 "
                         "keepalives_idle=10 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=25000"));
    CHECK(plain.connectTimeoutSeconds() == 10);
    // What is shown is what was given: no defaults, no password.
    CHECK(plain.redacted() == QLatin1String("host=db.example.com dbname=events"));
    // libpq reads the string back to the same options.
    CHECK(
        PgAddress::parse(plain.connectionString()).value(QStringLiteral("tcp_user_timeout")) == QLatin1String("25000"));

    const PgAddress own = PgAddress::parse(QStringLiteral(
        "postgresql://db.example.com/events?connect_timeout=3&keepalives=0&tcp_user_timeout=0&keepalives_count=9"));
    const QString s = own.connectionString();
    CHECK(s.contains(QLatin1String("connect_timeout=3")));
    CHECK(!s.contains(QLatin1String("connect_timeout=10")));
    CHECK(s.contains(QLatin1String("keepalives=0")));
    CHECK(s.contains(QLatin1String("tcp_user_timeout=0")));
    CHECK(!s.contains(QLatin1String("tcp_user_timeout=25000")));
    CHECK(s.contains(QLatin1String("keepalives_count=9")));
    CHECK(s.contains(QLatin1String("keepalives_idle=10")));
    CHECK(own.connectTimeoutSeconds() == 3);
    CHECK(PgAddress::parse(QStringLiteral("host=h connect_timeout=1")).connectTimeoutSeconds() == 2); // libpq's floor
    CHECK(PgAddress::parse(QStringLiteral("host=h connect_timeout=0")).connectTimeoutSeconds() == 0);

    // The environment's connect timeout is libpq's to apply.
    qputenv("PGCONNECT_TIMEOUT", "7");
    CHECK(!plain.connectionString().contains(QLatin1String("connect_timeout")));
    CHECK(plain.connectTimeoutSeconds() == 7);
    qunsetenv("PGCONNECT_TIMEOUT");
}

TEST_CASE("A server that accepts and never answers fails the open as Timeout", "[pg][faults]")
{
    TcpFaultServer silent;
    const QString address = QStringLiteral("host=127.0.0.1 port=%1 dbname=events user=alice password=Sekr3t-pw "
                                           "sslpassword=K3y-pass connect_timeout=2")
                                .arg(silent.port());
    QElapsedTimer clock;
    clock.start();
    QString message;
    CHECK(errorOf([&] { StoreRegistry::open(address); }, &message) == StoreError::Kind::Timeout);
    const qint64 ms = clock.elapsed();
    INFO(message.toStdString() << " after " << ms << " ms");
    CHECK(ms >= 1500);
    CHECK(ms < 8000);
    CHECK(silent.accepted() >= 1);
    CHECK(message.contains(QLatin1String("did not answer within 2 s")));
    CHECK(message.contains(QStringLiteral("port=%1").arg(silent.port())));
    CHECK(!message.contains(QLatin1String("Sekr3t")));
    CHECK(!message.contains(QLatin1String("K3y-pass")));

    // The same through the one job mechanism: a Failure of kind Timeout.
    StoreSession session(StoreOpener { address, {} });
    std::optional<Failure> failure;
    session.run<StoreInfo>(
        StoreSession::Lane::Interactive, &session, [](EventStore& store) { return store.info(false); },
        [](StoreInfo) {}, [&](const Failure& f) { failure = f; });
    REQUIRE(waitFor([&] { return failure.has_value(); }, 15000));
    CHECK(failure->kind == Failure::Kind::Timeout);
}

TEST_CASE("Cancel against a server that stopped answering returns at once", "[pg][faults][cancel]")
{
    ES_REQUIRE_PG("cancel against a silent server");
    if (!TcpFaultServer::reachable(serverPort())) {
        WARN("the test server does not listen on 127.0.0.1: cancel against a silent server skipped");
        return;
    }
    PgTestDatabase db(QStringLiteral("cancel"));
    createEvents(db);
    QTemporaryDir dir;
    OpenOptions options;
    options.mappingFile = writeMapping(dir, QStringLiteral("type"));
    options.statementTimeoutMs = 0;

    TcpFaultServer relay(serverPort());
    StoreSession session(StoreOpener { viaRelay(relay, db.name()), options });
    bool opened = false;
    session.run<StoreInfo>(
        StoreSession::Lane::Interactive, &session, [](EventStore& store) { return store.info(false); },
        [&](StoreInfo) { opened = true; });
    REQUIRE(waitFor([&] { return opened; }));

    // The read waits for a lock in the server, then the server stops answering new connections (where the cancel
    // request goes): libpq's PQcancel would wait for ever.
    pqxx::connection locker(db.address().toStdString());
    pqxx::work lock(locker);
    lock.exec("LOCK TABLE ev IN ACCESS EXCLUSIVE MODE");
    bool cancelled = false;
    bool finished = false;
    const JobId job = session.run<EventPage>(
        StoreSession::Lane::Interactive, &session, [](EventStore& store) { return store.events({}); },
        [&](EventPage) { finished = true; }, [&](const Failure&) { finished = true; }, [&] { cancelled = true; });
    pqxx::connection watcher(db.address().toStdString());
    REQUIRE(waitFor([&] {
        pqxx::nontransaction tx(watcher);
        return tx.exec("SELECT 1 FROM pg_stat_activity WHERE application_name = 'eventscope' AND wait_event_type = "
                       "'Lock'")
                   .size()
            == 1;
    }));
    relay.setSilent(true);
    const int before = relay.accepted();

    QElapsedTimer clock;
    clock.start();
    session.cancel(job);
    const qint64 cancelMs = clock.elapsed();
    INFO("cancel returned after " << cancelMs << " ms");
    CHECK(cancelMs < 100);
    // The cancel request did go out, to the silent server, and waits there on a thread of its own.
    REQUIRE(waitFor([&] { return relay.accepted() > before; }));

    // Other connections are not held up: another store (on a table not locked) opens and reads meanwhile.
    clock.restart();
    OpenOptions otherTable = options;
    otherTable.mappingFile = writeMapping(dir, QStringLiteral("type"), QStringLiteral("ev2"));
    auto other = PgStore::open(db.address(), otherTable);
    CHECK(other->events(streamQuery(QStringLiteral("acc-1"))).events.empty() == false);
    CHECK(clock.elapsed() < 5000);
    CHECK(!cancelled);
    CHECK(!finished);

    // The statement was never cancelled; once the lock goes it ends, and the job as cancelled.
    lock.abort();
    REQUIRE(waitFor([&] { return cancelled || finished; }));
    CHECK(cancelled);
    CHECK(!finished);
}

TEST_CASE("A mapping file cannot make PostgreSQL reads write", "[pg][faults][readonly]")
{
    ES_REQUIRE_PG("read-only transactions");
    // Both ways of keeping statements read-only: the reported session default checked after every statement
    // (PostgreSQL 14 and later), and every statement in BEGIN READ ONLY (what older servers get).
    PgStore::Settings settings;
    settings.readOnlyTransactions = GENERATE(false, true);
    INFO("readOnlyTransactions " << settings.readOnlyTransactions);
    PgTestDatabase db(QStringLiteral("readonly"));
    createEvents(db);
    QTemporaryDir dir;
    const auto written = [&] {
        QByteArray out;
        REQUIRE(
            psql(db.address(), { QStringLiteral("-Atc"), QStringLiteral("SELECT count(*) FROM audit") }, &out) == 0);
        return out.trimmed().toInt();
    };
    const auto databaseSettings = [&] {
        QByteArray out;
        REQUIRE(psql(db.address(),
                    { QStringLiteral("-Atc"),
                        QStringLiteral("SELECT count(*) FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM "
                                       "pg_database WHERE datname = current_database())") },
                    &out)
            == 0);
        return out.trimmed().toInt();
    };

    SECTION("a volatile function that inserts")
    {
        OpenOptions options;
        options.mappingFile = writeMapping(dir, QStringLiteral("es_write()"));
        auto store = PgStore::open(db.address(), options, settings);
        QString message;
        CHECK(errorOf([&] { store->events({}); }, &message) == StoreError::Kind::Generic);
        INFO(message.toStdString());
        CHECK(message.contains(QLatin1String("tried to write")));
        CHECK(message.contains(QLatin1String("read-only transaction")));
        CountingReceiver receiver;
        CHECK(errorOf([&] { store->readRaw(rawQuery(), receiver); }, &message) == StoreError::Kind::Generic);
        CHECK(message.contains(QLatin1String("tried to write")));
        // The store stays usable.
        CHECK(errorOf([&] { store->events({}); }) == StoreError::Kind::Generic);
    }
    SECTION("set_config: the session default switched off by one statement does not let the next one write")
    {
        OpenOptions options;
        options.mappingFile = writeMapping(dir,
            QStringLiteral("CASE WHEN stream = 'acc-0' THEN set_config('default_transaction_read_only', 'off', false) "
                           "WHEN stream = 'acc-1' THEN es_write() ELSE type END"));
        auto store = PgStore::open(db.address(), options, settings);
        QString message;
        CountingReceiver receiver;
        // The first read switches the default off (and commits): the session's guard closes the connection at once;
        // in transactions begun READ ONLY the switch does not matter.
        if (settings.readOnlyTransactions) {
            CHECK(store->events(streamQuery(QStringLiteral("acc-0"))).events.size() == 20);
        } else {
            CHECK(errorOf([&] { store->events(streamQuery(QStringLiteral("acc-0"))); }, &message)
                == StoreError::Kind::Generic);
            CHECK(message.contains(QLatin1String("switched the read-only default")));
        }
        CHECK(errorOf([&] { store->events(streamQuery(QStringLiteral("acc-1"))); }, &message)
            == StoreError::Kind::Generic);
        CHECK(message.contains(QLatin1String("tried to write")));
        if (settings.readOnlyTransactions) {
            CHECK(store->readRaw(rawQuery(QStringLiteral("acc-0")), receiver));
            CHECK(receiver.rows == 20);
        } else {
            CHECK(errorOf([&] { store->readRaw(rawQuery(QStringLiteral("acc-0")), receiver); }, &message)
                == StoreError::Kind::Generic);
            CHECK(message.contains(QLatin1String("switched the read-only default")));
        }
        CHECK(errorOf([&] { store->readRaw(rawQuery(QStringLiteral("acc-1")), receiver); }, &message)
            == StoreError::Kind::Generic);
        CHECK(message.contains(QLatin1String("tried to write")));
        // The store reconnects and reads what does not write.
        CHECK(store->events(streamQuery(QStringLiteral("acc-2"))).events.size() == 20);
    }
    SECTION("set_config on the transaction itself")
    {
        OpenOptions options;
        options.mappingFile
            = writeMapping(dir, QStringLiteral("set_config('transaction_read_only', 'off', false) || es_write()"));
        auto store = PgStore::open(db.address(), options, settings);
        QString message;
        CHECK(errorOf([&] { store->events({}); }, &message) == StoreError::Kind::Generic);
        INFO(message.toStdString());
        CHECK(message.contains(QLatin1String("read-write mode must be set before any query")));
        CountingReceiver receiver;
        CHECK(errorOf([&] { store->readRaw(rawQuery(), receiver); }, &message) == StoreError::Kind::Generic);
        CHECK(message.contains(QLatin1String("read-write mode must be set before any query")));
    }
    SECTION("a second statement after ';', ending the read-only transaction and writing")
    {
        OpenOptions options;
        options.mappingFile = writeMapping(dir,
            QStringLiteral("'x') FROM ev; COMMIT; BEGIN READ WRITE; INSERT INTO audit VALUES (1); "
                           "ALTER DATABASE %1 SET search_path = x; COMMIT; BEGIN; SELECT ('x'")
                .arg(db.name()));
        QString message;
        CHECK(errorOf([&] { PgStore::open(db.address(), options, settings)->events({}); }, &message)
            == StoreError::Kind::Generic);
        INFO(message.toStdString());
        CHECK(message.contains(QLatin1String("one SQL expression")));
    }
    CHECK(written() == 0);
    CHECK(databaseSettings() == 0);
}
