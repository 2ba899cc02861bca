#include <catch2/catch.hpp>

#include "pg/pgaddress.h"
#include "pg/pgstore.h"
#include "samplewriter.h"
#include "store/storeregistry.h"
#include "testutils.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimeZone>

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

using namespace es;
using namespace es::test;

namespace {

// A database of its own on the test server, dropped at the end of the test.
class PgDatabase {
public:
    explicit PgDatabase(const QString& server)
        : m_server(server)
    {
        static int counter = 0;
        m_name = QStringLiteral("es_pgengine_%1_%2").arg(::getpid()).arg(++counter);
        admin([&](pqxx::nontransaction& tx) {
            tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(m_name.toStdString()));
            tx.exec0("CREATE DATABASE " + tx.quote_name(m_name.toStdString()));
        });
    }
    ~PgDatabase()
    {
        try {
            admin([&](pqxx::nontransaction& tx) {
                tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(m_name.toStdString()) + " WITH (FORCE)");
            });
        } catch (const std::exception&) { }
    }
    PgDatabase(const PgDatabase&) = delete;
    PgDatabase& operator=(const PgDatabase&) = delete;

    QString address() const { return m_server + QStringLiteral(" dbname=") + m_name; }
    QString name() const { return m_name; }

    void exec(const std::string& sql) const
    {
        pqxx::connection c(address().toStdString());
        pqxx::work tx(c);
        tx.exec(sql);
        tx.commit();
    }
    long long scalar(const std::string& sql) const
    {
        pqxx::connection c(address().toStdString());
        pqxx::nontransaction tx(c);
        return tx.exec1(sql)[0].as<long long>();
    }

private:
    template <typename F> void admin(F&& f) const
    {
        pqxx::connection c(QString(m_server + QStringLiteral(" dbname=postgres")).toStdString());
        pqxx::nontransaction tx(c);
        f(tx);
    }

    QString m_server;
    QString m_name;
};

// The test server without its dbname, so each test can name its own database.
QString serverOrSkip()
{
    QString address = postgresAddress();
    if (address.isEmpty()) {
        WARN("ES_TEST_PG is not set: PostgreSQL engine tests skipped (scripts/test sets it)");
        return {};
    }
    address.replace(QRegularExpression(QStringLiteral("dbname=\\S+")), QString());
    return address.simplified();
}

QString writeSample(const PgDatabase& db, qint64 events)
{
    SampleOptions options;
    options.events = events;
    options.layout = QStringLiteral("messagedb");
    writeSampleStore(db.address(), options);
    return db.address();
}

StoreError::Kind errorOf(const std::function<void()>& f, QString* message = nullptr)
{
    try {
        f();
    } catch (const StoreError& e) {
        if (message)
            *message = e.message();
        return e.kind();
    }
    return StoreError::Kind::Generic;
}

} // namespace

TEST_CASE("PostgreSQL engine reads a Message DB store in order", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 3000);
    const long long total = db.scalar("SELECT count(*) FROM message_store.messages");

    REQUIRE(StoreRegistry::engineFor(address) == QLatin1String("postgresql"));
    REQUIRE(StoreRegistry::engineFor(QStringLiteral("postgresql://localhost/x")) == QLatin1String("postgresql"));
    REQUIRE(StoreRegistry::engineFor(QStringLiteral("/tmp/some.db")) == QLatin1String("sqlite"));

    auto store = StoreRegistry::open(address);
    const StoreInfo info = store->info();
    CHECK(info.engine == QLatin1String("postgresql"));
    CHECK(info.layout == QLatin1String("messagedb"));
    CHECK(info.eventCount == total);
    CHECK(info.firstPosition == 1);
    CHECK(info.headPosition == total);
    CHECK(info.firstTime.isValid());

    // Global order, keyset paging: every event exactly once.
    EventQuery q;
    q.limit = 700;
    qint64 seen = 0;
    qint64 last = 0;
    while (true) {
        const EventPage page = store->events(q);
        for (const Event& e : page.events) {
            REQUIRE(e.position == last + 1);
            last = e.position;
            ++seen;
        }
        if (page.atEnd)
            break;
        q.from = page.next;
    }
    CHECK(seen == total);

    // One stream: versions from 0, dense, as Message DB numbers them.
    EventQuery one;
    one.filter.stream = QStringLiteral("account-1001");
    const EventPage stream = store->events(one);
    REQUIRE(!stream.events.empty());
    for (size_t i = 0; i < stream.events.size(); ++i) {
        CHECK(stream.events[i].version == qint64(i));
        CHECK(stream.events[i].stream == QLatin1String("account-1001"));
        CHECK(stream.events[i].data.isJson());
        CHECK(stream.events[i].metadata.isJson());
    }
    CHECK(stream.events.front().type == QLatin1String("AccountOpened"));
    CHECK(stream.events.front().correlationId == QLatin1String("account-1001"));
    const auto streamInfo = store->stream(QStringLiteral("account-1001"));
    REQUIRE(streamInfo);
    CHECK(streamInfo->events == qint64(stream.events.size()));
    CHECK(streamInfo->category == QLatin1String("account"));
    CHECK(!store->stream(QStringLiteral("no-such-stream")));

    // Categories and stream lists agree with the table.
    qint64 categoryEvents = 0;
    for (const CategoryInfo& c : store->categories())
        categoryEvents += c.events;
    CHECK(categoryEvents == total);
    StreamQuery sq;
    sq.prefix = QStringLiteral("order-");
    sq.limit = 50;
    const StreamList orders = store->streams(sq);
    REQUIRE(!orders.empty());
    for (size_t i = 0; i < orders.size(); ++i) {
        CHECK(orders[i].name.startsWith(QLatin1String("order-")));
        if (i > 0)
            CHECK(orders[i - 1].name < orders[i].name);
    }
    CHECK(qint64(orders.size())
        == std::min<long long>(50,
            db.scalar(
                "SELECT count(DISTINCT stream_name) FROM message_store.messages WHERE stream_name LIKE 'order-%'")));

    // Filters against the same SQL run directly.
    EventQuery cat;
    cat.filter.category = QStringLiteral("order");
    cat.limit = 0;
    CHECK(qint64(store->events(cat).events.size())
        == db.scalar("SELECT count(*) FROM message_store.messages WHERE split_part(stream_name, '-', 1) = 'order'"));
    EventQuery amount;
    amount.limit = 0;
    QString error;
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.amount > 20000"), &amount.filter.conditions, &error));
    const EventPage big = store->events(amount);
    CHECK(qint64(big.events.size())
        == db.scalar("SELECT count(*) FROM message_store.messages WHERE jsonb_typeof(data->'amount') = 'number' "
                     "AND (data->>'amount')::numeric > 20000"));
    EventQuery text;
    text.limit = 0;
    text.filter.text = QStringLiteral("opening-deposit");
    text.filter.types = { QStringLiteral("FundsDeposited") };
    CHECK(qint64(store->events(text).events.size())
        == db.scalar("SELECT count(*) FROM message_store.messages WHERE type = 'FundsDeposited' AND "
                     "(strpos(data::text, 'opening-deposit') > 0 OR strpos(metadata::text, 'opening-deposit') > 0)"));
    EventQuery timed;
    timed.limit = 0;
    timed.filter.fromTime = QDateTime(QDate(2024, 3, 10), QTime(0, 0), QTimeZone::utc());
    timed.filter.toTime = QDateTime(QDate(2024, 3, 12), QTime(0, 0), QTimeZone::utc());
    CHECK(qint64(store->events(timed).events.size())
        == db.scalar("SELECT count(*) FROM message_store.messages WHERE time >= '2024-03-10' AND time < '2024-03-12'"));

    // Scan window: a filtered read examines a bounded span of keys and says where to go on.
    EventQuery windowed;
    windowed.filter.types = { QStringLiteral("NoSuchType") };
    windowed.scanWindow = 1000;
    const EventPage w = store->events(windowed);
    CHECK(w.events.empty());
    CHECK(w.windowExhausted);
    CHECK(w.next == 1001);

    const ScopeStats stats = store->scopeStats(cat.filter);
    CHECK(stats.count == qint64(store->events(cat).events.size()));
    const std::vector<qint64> anchors = store->keyAnchors({}, 100);
    CHECK(qint64(anchors.size()) == (total + 99) / 100);
    CHECK(anchors.front() == 1);
}

TEST_CASE("PostgreSQL sessions are read-only, named and keep passwords out", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 200);
    db.exec("CREATE SEQUENCE public.probe_seq");

    // A write smuggled into a (trusted) mapping expression still cannot run: the session is read-only.
    QTemporaryDir dir;
    const QString mapping = tempPath(dir, QStringLiteral("writes.json"));
    {
        QFile f(mapping);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(R"({"name": "writer", "engines": ["postgresql"], "schema": "message_store",
            "detect": {"tables": [{"as": "m", "names": ["messages"], "columns": ["global_position"]}]},
            "events": {"table": "{m}", "position": "global_position", "stream": "stream_name", "version": "position",
                       "type": "type", "data": "data", "where": "nextval('public.probe_seq') > 0"}})");
    }
    OpenOptions writes;
    writes.mappingFile = mapping;
    QString message;
    const auto kind = errorOf(
        [&] {
            auto store = StoreRegistry::open(address, writes);
            store->events({});
        },
        &message);
    CHECK(kind != StoreError::Kind::Cancelled);
    CHECK(message.contains(QLatin1String("read-only")));
    CHECK(db.scalar("SELECT count(*) FROM pg_sequences WHERE sequencename = 'probe_seq' AND last_value IS NULL") == 1);

    auto store = PgStore::open(address);
    {
        pqxx::connection c(address.toStdString());
        pqxx::nontransaction tx(c);
        const pqxx::row row = tx.exec_params1(
            "SELECT application_name, (SELECT setting FROM pg_settings WHERE name = 'default_transaction_read_only') "
            "FROM pg_stat_activity WHERE pid = $1",
            store->backendPid());
        CHECK(row[0].as<std::string>() == "eventscope");
    }

    // Passwords: never in StoreInfo::address, never in an error message.
    const QString withPassword = address + QStringLiteral(" password=Sekr3t-pw");
    auto keyword = StoreRegistry::open(withPassword);
    CHECK(!keyword->info().address.contains(QLatin1String("Sekr3t")));
    CHECK(keyword->info().address.contains(db.name()));
    QString failure;
    errorOf([&] { StoreRegistry::open(server + QStringLiteral(" dbname=no_such_db_x password=Sekr3t-pw")); }, &failure);
    CHECK(failure.contains(QLatin1String("no_such_db_x")));
    CHECK(!failure.contains(QLatin1String("Sekr3t")));
    const QString uri
        = QStringLiteral("postgresql://alice:Sekr3t-pw@127.0.0.1:1/db?sslmode=disable&password=Sekr3t-pw");
    QString unreachable;
    CHECK(errorOf([&] { StoreRegistry::open(uri); }, &unreachable) == StoreError::Kind::BadAddress);
    CHECK(!unreachable.contains(QLatin1String("Sekr3t")));
    CHECK(unreachable.contains(QLatin1String("host=127.0.0.1 port=1 dbname=db user=alice sslmode=disable")));
}

TEST_CASE("PostgreSQL addresses are read by libpq and shown without their secrets", "[pgaddress][redact]")
{
    SECTION("URIs: user info, ?password= and ?sslpassword= are dropped, the rest kept as a keyword string")
    {
        const QString uri = QStringLiteral(
            "postgresql://alice:S3cr3t-pw@db.example.com:5433/events?sslpassword=K3y-pass&sslmode=require");
        CHECK(PgAddress::redact(uri)
            == QLatin1String("host=db.example.com port=5433 dbname=events user=alice sslmode=require"));
        CHECK(StoreRegistry::redactAddress(uri) == PgAddress::redact(uri));
        CHECK(PgAddress::redact(QStringLiteral("postgres://db.example.com/events?password=QueryS3cret&sslmode=require"))
            == QLatin1String("host=db.example.com dbname=events sslmode=require"));
        const PgAddress encoded = PgAddress::parse(QStringLiteral("postgresql://bob:p%40ss%20w@h/some%20db"));
        CHECK(encoded.value(QStringLiteral("password")) == QLatin1String("p@ss w"));
        CHECK(encoded.database() == QLatin1String("some db"));
        CHECK(encoded.redacted() == QLatin1String("host=h dbname='some db' user=bob"));
        CHECK(encoded.toString() == QLatin1String("host=h dbname='some db' user=bob password='p@ss w'"));
    }
    SECTION("keyword strings: quoted values are read as libpq reads them and quoted again")
    {
        CHECK(PgAddress::redact(QStringLiteral("host=h password='a b\\'c' dbname=d"))
            == QLatin1String("host=h dbname=d"));
        const PgAddress a = PgAddress::parse(
            QStringLiteral("dbname = 'my db' sslpassword=K3y host=h user='o\\'brien' password='a b\\'c\\\\d'"));
        CHECK(a.value(QStringLiteral("password")) == QLatin1String("a b'c\\d"));
        CHECK(a.value(QStringLiteral("sslpassword")) == QLatin1String("K3y"));
        CHECK(a.redacted() == QLatin1String("host=h dbname='my db' user='o\\'brien'"));
        // What toString() writes, libpq reads back to the same values.
        const PgAddress again = PgAddress::parse(a.toString());
        CHECK(again.toString() == a.toString());
        CHECK(again.value(QStringLiteral("password")) == QLatin1String("a b'c\\d"));
        CHECK(again.value(QStringLiteral("user")) == QLatin1String("o'brien"));
    }
    SECTION("quoting and composing")
    {
        CHECK(PgAddress::quote(QString()) == QLatin1String("''"));
        CHECK(PgAddress::quote(QStringLiteral("plain")) == QLatin1String("plain"));
        CHECK(PgAddress::quote(QStringLiteral("a b")) == QLatin1String("'a b'"));
        CHECK(PgAddress::quote(QStringLiteral("o'b\\c")) == QLatin1String("'o\\'b\\\\c'"));
        const QString composed = PgAddress::compose({ { QStringLiteral("host"), QStringLiteral("h") },
            { QStringLiteral("port"), QString() }, { QStringLiteral("password"), QStringLiteral("p w") } });
        CHECK(composed == QLatin1String("host=h password='p w'"));
        CHECK(PgAddress::parse(composed).value(QStringLiteral("password")) == QLatin1String("p w"));
    }
    SECTION("another database, the rest kept")
    {
        CHECK(PgAddress::parse(QStringLiteral("postgresql://u:pw@h:5/db1?sslmode=disable"))
                  .withDatabase(QStringLiteral("postgres"))
                  .toString()
            == QLatin1String("host=h port=5 dbname=postgres user=u password=pw sslmode=disable"));
        CHECK(PgAddress::parse(QStringLiteral("user=u host=h port=5")).withDatabase(QStringLiteral("a b")).toString()
            == QLatin1String("host=h port=5 dbname='a b' user=u"));
    }
    SECTION("messages lose the address's secrets")
    {
        const QString text = QStringLiteral("host=h password=S3cr3t dbname=d");
        const PgAddress a = PgAddress::parse(text);
        CHECK(a.scrub(QStringLiteral("could not connect with \"%1\": password S3cr3t refused").arg(text))
            == QLatin1String("could not connect with \"host=h dbname=d\": password **** refused"));
    }
    SECTION("what is meant for PostgreSQL")
    {
        CHECK(PgAddress::looksLikeAddress(QStringLiteral("postgresql://h/db")));
        CHECK(PgAddress::looksLikeAddress(QStringLiteral("POSTGRES://h/db")));
        CHECK(PgAddress::looksLikeAddress(QStringLiteral("host=h")));
        CHECK(PgAddress::looksLikeAddress(QStringLiteral(" dbname = d")));
        CHECK_FALSE(PgAddress::looksLikeAddress(QStringLiteral("/tmp/store.sqlite")));
        CHECK_FALSE(PgAddress::looksLikeAddress(QStringLiteral("sqlite:///tmp/store.sqlite")));
        CHECK_FALSE(PgAddress::looksLikeAddress(QString()));
    }
}

TEST_CASE("The registry composes a PostgreSQL address from connection fields", "[pgaddress][registry]")
{
    ConnectionFields f;
    f.host = QStringLiteral("db.example.com");
    f.database = QStringLiteral("my db");
    f.user = QStringLiteral("o'brien");
    f.password = QStringLiteral("p w\\d");
    f.options = { { QStringLiteral("sslmode"), QStringLiteral("verify-full") },
        { QStringLiteral("sslrootcert"), QString() } };
    const QString address = StoreRegistry::composeAddress(QStringLiteral("postgresql"), f);
    CHECK(address
        == QLatin1String(
            "host=db.example.com dbname='my db' user='o\\'brien' password='p w\\\\d' sslmode=verify-full"));
    CHECK(StoreRegistry::engineFor(address) == QLatin1String("postgresql"));
    const PgAddress parsed = PgAddress::parse(address);
    CHECK(parsed.value(QStringLiteral("password")) == f.password);
    CHECK(parsed.value(QStringLiteral("user")) == f.user);
    CHECK(StoreRegistry::redactAddress(address)
        == QLatin1String("host=db.example.com dbname='my db' user='o\\'brien' sslmode=verify-full"));
    CHECK(StoreRegistry::composeAddress(QStringLiteral("postgresql"), {}).isEmpty());
    CHECK(StoreRegistry::composeAddress(QStringLiteral("sqlite"), f).isEmpty());
    CHECK(StoreRegistry::composeAddress(QStringLiteral("no-such-engine"), f).isEmpty());
}

TEST_CASE("PostgreSQL addresses libpq cannot read are bad addresses that keep their secrets", "[pgaddress][redact]")
{
    const QString secret = QStringLiteral("S3cr3t");
    const QStringList bad = {
        QStringLiteral("host=h password=S3cr3t oops"), // a word without "="
        QStringLiteral("host=h password=S3cr3t S3cr3t"),
        QStringLiteral("host=h password='S3cr3t unterminated"),
        QStringLiteral("postgresql://u:S3cr3t%zz@h/db"), // a bad percent escape, quoted back by libpq
        QStringLiteral("postgresql://u:S3cr3t@[::1/db"), // libpq quotes the whole URI
        QStringLiteral("postgresql://u:S3cr3t@h/db?nosuchoption=1"),
        QStringLiteral("host=h dbnme=x password=S3cr3t"),
    };
    for (const QString& address : bad) {
        INFO(address.toStdString());
        QString message;
        CHECK(errorOf([&] { PgAddress::parse(address); }, &message) == StoreError::Kind::BadAddress);
        CHECK(message.startsWith(QLatin1String("Not a valid PostgreSQL address: ")));
        CHECK_FALSE(message.contains(secret));
        QString opened;
        CHECK(errorOf([&] { StoreRegistry::open(address); }, &opened) == StoreError::Kind::BadAddress);
        CHECK(opened == message);
        CHECK_FALSE(PgAddress::redact(address).contains(secret));
        CHECK_FALSE(StoreRegistry::redactAddress(address).contains(secret));
    }
    // Option names are not secrets: a misspelt one is named.
    QString message;
    errorOf([&] { PgAddress::parse(QStringLiteral("host=h dbnme=x password=S3cr3t")); }, &message);
    CHECK(message.contains(QLatin1String("dbnme")));
    errorOf([&] { PgAddress::parse(QStringLiteral("postgresql://u:S3cr3t@h/db?nosuchoption=1")); }, &message);
    CHECK(message.contains(QLatin1String("nosuchoption")));
}

TEST_CASE("PostgreSQL: user-typed filters cannot inject SQL", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 500);
    const long long total = db.scalar("SELECT count(*) FROM message_store.messages");
    auto store = StoreRegistry::open(address);

    const QStringList attacks = {
        QStringLiteral("x'); DROP TABLE message_store.messages; --"),
        QStringLiteral("' OR '1'='1"),
        QStringLiteral("account-1001' OR 1=1 --"),
        QStringLiteral("\"; DELETE FROM message_store.messages; --"),
        QStringLiteral("$1 $$ \\ %_"),
    };
    for (const QString& attack : attacks) {
        INFO(attack.toStdString());
        EventQuery q;
        q.limit = 0;
        q.filter.stream = attack;
        CHECK(store->events(q).events.empty());
        CHECK(!store->stream(attack));
        q.filter = {};
        q.filter.category = attack;
        CHECK(store->events(q).events.empty());
        q.filter = {};
        q.filter.types = { attack, QStringLiteral("AccountOpened") };
        CHECK(qint64(store->events(q).events.size())
            == db.scalar("SELECT count(*) FROM message_store.messages WHERE type = 'AccountOpened'"));
        q.filter = {};
        q.filter.text = attack;
        CHECK(store->events(q).events.empty());
        q.filter = {};
        JsonCondition c;
        c.path = JsonPath::objectKeys({ attack }).index(0);
        c.op = JsonCondition::Op::Exists;
        q.filter.conditions = { c };
        CHECK(store->events(q).events.empty());
        c.path = JsonPath::objectKeys({ QStringLiteral("accountId") });
        c.op = JsonCondition::Op::Eq;
        c.value = attack;
        q.filter.conditions = { c };
        CHECK(store->events(q).events.empty());
        c.op = JsonCondition::Op::Lt;
        q.filter.conditions = { c };
        store->events(q);
        c.op = JsonCondition::Op::Contains;
        c.field = JsonCondition::Field::Metadata;
        q.filter.conditions = { c };
        CHECK(store->events(q).events.empty());
        StreamQuery sq;
        sq.prefix = attack;
        CHECK(store->streams(sq).empty());
        sq = {};
        sq.contains = attack;
        CHECK(store->streams(sq).empty());
        sq = {};
        sq.category = attack;
        CHECK(store->streams(sq).empty());
        sq = {};
        sq.after = attack;
        store->streams(sq);
        store->scopeStats(q.filter);
    }
    CHECK(db.scalar("SELECT count(*) FROM message_store.messages") == total);
}

TEST_CASE("PostgreSQL: a long read is cancelled from another thread", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 100);
    // A big table in the test's own database, the same layout: a filter matching nothing scans all of it.
    // Without the layout's secondary indexes the load takes seconds, not minutes; the scan reads the same table.
    db.exec("DROP INDEX message_store.messages_stream, message_store.messages_category, message_store.messages_id");
    db.exec("INSERT INTO message_store.messages (position, stream_name, type, data, metadata) "
            "SELECT g, 'bulk-' || (g % 1000), 'Bulk', jsonb_build_object('n', g, 'pad', repeat('x', 300)), '{}' "
            "FROM generate_series(1, 1000000) g");
    auto store = StoreRegistry::open(address);
    EventQuery q;
    q.filter.text = QStringLiteral("no such text anywhere");
    std::atomic<bool> done { false };
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        while (!done) {
            store->interrupt();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    QElapsedTimer timer;
    timer.start();
    QString message;
    const auto kind = errorOf([&] { store->events(q); }, &message);
    done = true;
    canceller.join();
    const qint64 cancelledAfter = timer.elapsed();
    CHECK(kind == StoreError::Kind::Cancelled);
    CHECK(message.contains(QLatin1String("cancelled")));
    // The uncancelled scan takes longer than the cancelled one did (it is real work that was stopped).
    done = false;
    QElapsedTimer full;
    full.start();
    CHECK(store->events(q).events.empty());
    CHECK(full.elapsed() > cancelledAfter);
    // The same store reads on afterwards.
    EventQuery first;
    first.limit = 5;
    CHECK(store->events(first).events.size() == 5);
}

TEST_CASE("PostgreSQL: counts and anchors are kept until the head moves", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 300);
    auto store = PgStore::open(address);
    EventFilter all;
    EventFilter stream;
    stream.stream = QStringLiteral("account-cache-1");
    const ScopeStats before = store->scopeStats(all);
    CHECK(before.count == db.scalar("SELECT count(*) FROM message_store.messages"));
    const std::vector<qint64> anchors = store->keyAnchors(all, 50);
    CHECK(store->scopeStats(all).count == before.count);
    CHECK(store->keyAnchors(all, 50) == anchors);
    CHECK(store->scopeStats(stream).count == 0);

    // A writer appends (as write_message does): every scope sees it on the next call.
    for (int i = 0; i < 2; ++i)
        db.exec("INSERT INTO message_store.messages (id, stream_name, type, position, data, metadata) "
                "VALUES (gen_random_uuid(), 'account-cache-1', 'Opened', "
            + std::to_string(i) + ", '{}', NULL)");
    const ScopeStats after = store->scopeStats(all);
    CHECK(after.count == before.count + 2);
    CHECK(after.lastKey == db.scalar("SELECT max(global_position) FROM message_store.messages"));
    const ScopeStats one = store->scopeStats(stream);
    CHECK(one.count == 2);
    CHECK(one.firstKey == 0);
    CHECK(one.lastKey == 1);
    const std::vector<qint64> grown = store->keyAnchors(all, 50);
    REQUIRE(!grown.empty());
    CHECK(grown.size() == size_t((after.count + 49) / 50));
}

namespace {

// A mapping file for the sample's Message DB tables whose type is `typeSql`, in `dir`.
QString messageDbMapping(const QTemporaryDir& dir, const QString& name, const QString& typeSql)
{
    const QString path = tempPath(dir, name + QStringLiteral(".json"));
    // The expression as a JSON string: ["…"] without its brackets.
    const QByteArray type = QJsonDocument(QJsonArray { typeSql }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": ")" + name.toUtf8() + R"(", "engines": ["postgresql"], "schema": "message_store",
        "detect": {"tables": [{"as": "m", "names": ["messages"], "columns": ["global_position"]}]},
        "events": {"table": "{m}", "position": "global_position", "stream": "stream_name", "version": "position",
                   "type": )"
        + type + R"(, "data": "data"}})");
    return path;
}

} // namespace

TEST_CASE(
    "PostgreSQL: a cancel meant for an earlier statement is not a timeout and the read is run again", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 20);
    // PostgreSQL's cancel names a backend, not a statement: one sent just as a read ends stops the next read. This
    // layout's type stands in for it: the first time it is computed on a backend it cancels its own statement (and
    // takes a session lock, which the rollback keeps, to remember it did); later it reads as the type.
    QTemporaryDir dir;
    const QString mapping = messageDbMapping(dir, QStringLiteral("stray"),
        QStringLiteral("type || CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = "
                       "pg_backend_pid() AND objid = 4242) THEN '' ELSE pg_advisory_lock(4242)::text || "
                       "pg_cancel_backend(pg_backend_pid())::text || pg_sleep(2)::text END"));
    OpenOptions options;
    options.mappingFile = mapping;
    options.statementTimeoutMs = 5000;
    QElapsedTimer timer;
    timer.start();
    auto store = StoreRegistry::open(address, options);
    EventQuery all;
    all.limit = 20;
    const EventPage page = store->events(all);
    CHECK(page.events.size() == 20);
    CHECK(timer.elapsed() < 4000);
    // The cancel did happen: the lock taken with it is held.
    QByteArray out;
    REQUIRE(psql(address,
                { QStringLiteral("-At"), QStringLiteral("-c"),
                    QStringLiteral("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242") },
                &out)
        == 0);
    CHECK(out.trimmed() == "1");
}

TEST_CASE("PostgreSQL: the statement timeout is configurable and says how to raise it", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 200);
    // A layout whose type costs 10 ms an event read (a volatile column is computed after the limit): reading 200
    // events takes about 2 s, one event 20 ms.
    QTemporaryDir dir;
    const QString mapping
        = messageDbMapping(dir, QStringLiteral("slow"), QStringLiteral("type || pg_sleep(0.01)::text"));
    OpenOptions options;
    options.mappingFile = mapping;
    options.statementTimeoutMs = 300;
    auto store = StoreRegistry::open(address, options);
    EventQuery all;
    all.limit = 200;
    QElapsedTimer timer;
    timer.start();
    QString message;
    const auto kind = errorOf([&] { store->events(all); }, &message);
    CHECK(timer.elapsed() < 1500);
    // Not Cancelled: the GUI drops cancelled reads silently, and this one must be shown. Timeout: callers that can
    // read in smaller pieces (the catalog's ranges) do so.
    CHECK(kind == StoreError::Kind::Timeout);
    CHECK(message.contains(QLatin1String("took longer than 0.3 s")));
    CHECK(message.contains(QLatin1String("raise --statement-timeout")));
    // The session goes on: a read within the timeout succeeds on the same store.
    EventQuery one;
    one.limit = 1;
    CHECK(store->events(one).events.size() == 1);

    // The default (30 s) and a raised timeout let the slow read finish.
    options.statementTimeoutMs = 10000;
    CHECK(StoreRegistry::open(address, options)->events(all).events.size() == 200);

    // The CLI option reaches the session; bad values are refused.
    QByteArray out;
    QByteArray err;
    const QString cli = QStringLiteral(ES_CLI_PATH);
    CHECK(runProcess(cli,
              { QStringLiteral("events"), address, QStringLiteral("--mapping"), mapping,
                  QStringLiteral("--statement-timeout"), QStringLiteral("0.3"), QStringLiteral("--limit"),
                  QStringLiteral("200") },
              &out, &err)
        == 1);
    CHECK(err.contains("took longer than 0.3 s"));
    CHECK(err.contains("raise --statement-timeout"));
    CHECK(runProcess(cli,
              { QStringLiteral("events"), address, QStringLiteral("--mapping"), mapping,
                  QStringLiteral("--statement-timeout"), QStringLiteral("10"), QStringLiteral("--limit"),
                  QStringLiteral("200"), QStringLiteral("--json") },
              &out, &err)
        == 0);
    CHECK(out.count('\n') == 200);
    CHECK(runProcess(cli,
              { QStringLiteral("lag"), address, QStringLiteral("--statement-timeout"), QStringLiteral("soon") }, &out,
              &err)
        != 0);
    CHECK(err.contains("--statement-timeout takes a number of seconds"));
}

TEST_CASE("PostgreSQL: the same store reads again after a server restart", "[pg][pgengine][restart]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    if (postgresControl().isEmpty()) {
        WARN("ES_TEST_PG_CTL is not set: restart test skipped");
        return;
    }
    PgDatabase db(server);
    const QString address = writeSample(db, 300);
    auto store = StoreRegistry::open(address);
    EventQuery q;
    q.limit = 20;
    const EventPage before = store->events(q);
    REQUIRE(before.events.size() == 20);

    restartPostgres();

    // The first read may report the loss ("disconnected, retrying"); a later one reconnects by itself.
    std::optional<EventPage> after;
    int disconnects = 0;
    for (int attempt = 0; attempt < 5 && !after; ++attempt) {
        try {
            after = store->events(q);
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::Disconnected);
            CHECK(e.message().contains(QLatin1String("disconnected, retrying")));
            ++disconnects;
        }
    }
    REQUIRE(after);
    CHECK(disconnects <= 1);
    REQUIRE(after->events.size() == before.events.size());
    for (size_t i = 0; i < before.events.size(); ++i)
        CHECK(after->events[i].position == before.events[i].position);
    auto fresh = PgStore::open(address);
    CHECK(fresh->info().eventCount == store->info().eventCount);
}

TEST_CASE("PostgreSQL: a lost backend is reported once and a new one gets the same session settings",
    "[pg][pgengine][restart]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    const QString address = writeSample(db, 300);
    OpenOptions options;
    options.statementTimeoutMs = 12000;
    auto store = PgStore::open(address, options);
    EventQuery q;
    q.limit = 20;
    const EventPage before = store->events(q);
    REQUIRE(before.events.size() == 20);
    const int pid = store->backendPid();
    REQUIRE(pid > 0);
    CHECK(db.scalar("SELECT pg_terminate_backend(" + std::to_string(pid) + ")::int") == 1);

    std::optional<EventPage> after;
    int disconnects = 0;
    for (int attempt = 0; attempt < 5 && !after; ++attempt) {
        try {
            after = store->events(q);
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::Disconnected);
            CHECK(e.message().contains(QLatin1String("disconnected, retrying")));
            ++disconnects;
        }
    }
    REQUIRE(after);
    CHECK(disconnects == 1);
    REQUIRE(after->events.size() == before.events.size());
    CHECK(after->events.front().position == before.events.front().position);
    const int again = store->backendPid();
    CHECK(again != pid);
    // The new backend is named as the first was, and reads on it go on.
    pqxx::connection c(address.toStdString());
    pqxx::nontransaction tx(c);
    const pqxx::row app = tx.exec_params1("SELECT application_name FROM pg_stat_activity WHERE pid = $1", again);
    CHECK(app[0].as<std::string>() == "eventscope");
    CHECK(store->info(false).address == PgAddress::redact(address));
    EventQuery one;
    one.limit = 1;
    CHECK(store->events(one).events.front().time == before.events.front().time);
}

TEST_CASE("PostgreSQL: an unknown database says what was looked for", "[pg][pgengine]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    PgDatabase db(server);
    db.exec("CREATE TABLE public.orders (id serial PRIMARY KEY, note text)");
    QString message;
    CHECK(errorOf([&] { StoreRegistry::open(db.address()); }, &message) == StoreError::Kind::UnknownLayout);
    CHECK(message.contains(QLatin1String("messagedb")));
    CHECK(message.contains(QLatin1String("public.orders")));

    // The sample writer refuses a database that already holds the layout.
    PgDatabase sample(server);
    writeSample(sample, 10);
    CHECK(errorOf([&] { writeSample(sample, 10); }) == StoreError::Kind::BadAddress);
    CHECK(sample.scalar("SELECT count(*) FROM message_store.messages") == 10 + 4);
}
