#include <catch2/catch.hpp>

#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "testutils.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTimeZone>

using namespace es;
using namespace es::test;

// Each test creates its own database in the server named by ES_TEST_PG, loads the layout's tables and events from
// tests/fixtures/layouts/<layout>.sql with psql (DDL from the store's sources, writes as its client issues them),
// opens it through the registry and checks what the connector returns.

namespace {

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* s : items)
        out.append(QString::fromUtf8(s));
    return out;
}

QString text(const Payload& p)
{
    return QString::fromUtf8(p.bytes);
}

} // namespace

TEST_CASE("Message DB: written by write_message, categories from the stream name", "[layout][pg][messagedb]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("messagedb"), { QStringLiteral("messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.engine == QLatin1String("postgresql"));
    CHECK(info.layout == QLatin1String("messagedb"));
    CHECK(info.headPosition == 7);
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 account-123@0 Opened", "2 account:command+x-123-456@0 Open", "3 account-123@1 Deposited",
            "4 account:position-accountComponent@0 Recorded", "5 withdrawal-7:8-9@0 Withdrawn",
            "6 account-123@2 Withdrawn", "7 account-a+b@0 Opened" }));
    REQUIRE(all.size() == 7);
    CHECK(all[0].id == QLatin1String("7a6a3c1e-0000-4000-8000-000000000001"));
    CHECK(all[0].data.isJson());
    CHECK(text(all[0].data).contains(QStringLiteral("日本")));
    CHECK(all[0].correlationId == QLatin1String("order-1"));
    CHECK(all[0].causationId == QLatin1String("77"));
    CHECK(all[1].metadata.isNull());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    CHECK(all[0].time.isValid());
    CHECK(qAbs(all[0].time.secsTo(now)) < 3600); // timestamp without time zone, written in UTC
    CHECK(summary(readStream(*store, QStringLiteral("account-123")), false)
        == qsl({ "account-123@0 Opened", "account-123@1 Deposited", "account-123@2 Withdrawn" }));
    CHECK(summary(readCategory(*store, QStringLiteral("account")))
        == qsl({ "1 account-123@0 Opened", "3 account-123@1 Deposited", "6 account-123@2 Withdrawn",
            "7 account-a+b@0 Opened" }));
    CHECK(summary(readCategory(*store, QStringLiteral("account:command+x")))
        == qsl({ "2 account:command+x-123-456@0 Open" }));
    CHECK(categoryOfStream(*store, QStringLiteral("account:position-accountComponent"))
        == QLatin1String("account:position"));
    CHECK(categoryOfStream(*store, QStringLiteral("withdrawal-7:8-9")) == QLatin1String("withdrawal"));
    CHECK(streamNames(*store, QStringLiteral("account"))
        == qsl({ "account-123", "account-a+b", "account:command+x-123-456", "account:position-accountComponent" }));
}

TEST_CASE("User-typed filters cannot inject SQL into a PostgreSQL store", "[layout][pg][messagedb]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("inject"), { QStringLiteral("messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    const QString evil = QStringLiteral("x'); DELETE FROM message_store.messages; --");
    EventFilter f;
    f.stream = evil;
    CHECK(readAll(*store, f).empty());
    f = {};
    f.category = evil;
    CHECK(readAll(*store, f).empty());
    f = {};
    f.types = { evil };
    CHECK(readAll(*store, f).empty());
    f = {};
    f.text = evil;
    CHECK(readAll(*store, f).empty());
    StreamQuery sq;
    sq.prefix = evil;
    CHECK(store->streams(sq).empty());
    sq = {};
    sq.contains = evil;
    CHECK(store->streams(sq).empty());
    CHECK_FALSE(store->stream(evil));
    CHECK(readAll(*store).size() == 7);
}

TEST_CASE("Marten: Guid streams, aggregate types as categories, tombstones and archived events hidden",
    "[layout][pg][marten]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("marten_guid"), { QStringLiteral("marten_guid.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("marten"));
    const QString quest = QStringLiteral("6f1c0a00-0000-4000-8000-0000000000a1");
    const QString trip = QStringLiteral("6f1c0a00-0000-4000-8000-0000000000b2");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("1 %1@1 quest_started").arg(quest),
            QStringLiteral("2 %1@2 members_joined").arg(quest), QStringLiteral("4 %1@1 trip_started").arg(trip),
            QStringLiteral("5 %1@3 arrived_at_location").arg(quest) });
    REQUIRE(all.size() == 4);
    CHECK(all[0].correlationId == QLatin1String("corr-9"));
    CHECK(all[0].causationId == QLatin1String("cause-9"));
    CHECK(all[0].time == QDateTime(QDate(2024, 4, 1), QTime(10, 0, 0, 123), QTimeZone::utc()));
    CHECK(all[0].id == QLatin1String("e0000000-0000-4000-8000-000000000001"));
    CHECK(text(all[2].data).contains(QStringLiteral("Mordor ü")));
    CHECK(summary(readStream(*store, quest), false).size() == 3);
    CHECK(readStream(*store, QStringLiteral("not-a-guid")).empty());
    CHECK(summary(readCategory(*store, QStringLiteral("trip")))
        == QStringList { QStringLiteral("4 %1@1 trip_started").arg(trip) });
    CHECK(categoryOfStream(*store, quest) == QLatin1String("quest_party"));
}

TEST_CASE("Marten: string stream keys with conjoined tenants", "[layout][pg][marten]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("marten_string"), { QStringLiteral("marten_string.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(summary(readAll(*store))
        == qsl({ "1 order-1-2:x@1 order_placed", "2 order-1-2:x@2 order_changed", "3 invoice-77@1 invoice_sent" }));
    CHECK(categoryOfStream(*store, QStringLiteral("order-1-2:x")) == QLatin1String("order"));
    CHECK(categoryOfStream(*store, QStringLiteral("invoice-77")) == QLatin1String("invoice"));
    const EventList invoice = readStream(*store, QStringLiteral("invoice-77"));
    REQUIRE(invoice.size() == 1);
    CHECK(text(invoice[0].metadata).contains(QLatin1String("tenant-b")));
}

TEST_CASE("Eventuous on PostgreSQL: schema eventuous, joined streams, tombstones hidden", "[layout][pg][eventuous]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("eventuous"), { QStringLiteral("eventuous.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("eventuous"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 Booking-1-2:x@0 V1.RoomBooked", "2 Booking-1-2:x@1 V1.PaymentRegistered",
            "4 Payment-9@0 V1.PaymentRecorded", "5 Booking-1-2:x@2 V1.BookingCancelled" }));
    REQUIRE(all.size() == 4);
    CHECK(all[0].correlationId == QLatin1String("corr-1"));
    CHECK(all[0].causationId == QLatin1String("cause-1"));
    CHECK(all[0].time == QDateTime(QDate(2024, 2, 1), QTime(9, 0, 0, 123), QTimeZone::utc()));
    CHECK(all[1].metadata.isNull());
    CHECK(summary(readStream(*store, QStringLiteral("Booking-1-2:x")), false).size() == 3);
    CHECK(readStream(*store, QStringLiteral("__tombstones__")).empty());
    CHECK(streamNames(*store) == qsl({ "Booking-1-2:x", "Booking-empty", "Payment-9" }));
    CHECK(categoryOfStream(*store, QStringLiteral("Payment-9")) == QLatin1String("Payment"));
}

TEST_CASE("Emmett on PostgreSQL: partitions, commands and archived rows hidden", "[layout][pg][emmett]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("emmett"), { QStringLiteral("emmett.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("emmett"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 shopping_cart-1:a-b@1 ProductItemAdded", "2 shopping_cart-1:a-b@2 Noted",
            "4 order-7@2 OrderPlaced" }));
    REQUIRE(all.size() == 3);
    CHECK(all[0].correlationId == QLatin1String("c-1"));
    CHECK(all[1].causationId == QLatin1String("m1"));
    CHECK(all[0].time == QDateTime(QDate(2024, 6, 1), QTime(10, 0, 0), QTimeZone::utc()));
    CHECK(text(all[1].data).contains(QStringLiteral("Zoë 日本")));
    CHECK(readStream(*store, QStringLiteral("order-8")).empty());
    CHECK(categoryOfStream(*store, QStringLiteral("shopping_cart-1:a-b")) == QLatin1String("shopping_cart"));
}

TEST_CASE("Axon JPA: oid large objects with XStream XML shown as text", "[layout][pg][axon]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("axon_jpa"), { QStringLiteral("axon_jpa.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("axon"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 gc-1@0 com.example.GiftCardIssuedEvent", "2 gc-1@1 com.example.GiftCardRedeemedEvent",
            "3 ev-3@0 com.example.SystemStarted" }));
    REQUIRE(all.size() == 3);
    CHECK(all[0].data.encoding != Payload::Encoding::Base64);
    CHECK(text(all[0].data).startsWith(QLatin1String("<com.example.GiftCardIssuedEvent><id>gc-1</id>")));
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(text(all[0].metadata).contains(QLatin1String("<string>trace-1</string>")));
    CHECK(all[1].metadata.isNull());
    CHECK(all[1].time == QDateTime(QDate(2024, 7, 1), QTime(12, 5, 0), QTimeZone::utc()));
    CHECK(all[0].time == QDateTime(QDate(2024, 7, 1), QTime(12, 0, 0, 250), QTimeZone::utc()));
    CHECK(categoryOfStream(*store, QStringLiteral("gc-1")) == QLatin1String("GiftCard"));
    CHECK(summary(readCategory(*store, QStringLiteral("GiftCard"))).size() == 2);
}

TEST_CASE("Axon plain JDBC: lower-cased CamelCase names, JSON in bytea", "[layout][pg][axon]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("axon_jdbc"), { QStringLiteral("axon_jdbc.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("axon-jdbc"));
    const EventList all = readAll(*store);
    CHECK(summary(all) == qsl({ "1 order-1@0 com.example.OrderPlaced", "2 order-1@1 com.example.OrderShipped" }));
    REQUIRE(all.size() == 2);
    CHECK(text(all[0].data) == QStringLiteral(R"({"orderId":"order-1","item":"日本茶"})"));
    CHECK(all[0].data.encoding != Payload::Encoding::Base64);
    CHECK(all[1].time == QDateTime(QDate(2024, 7, 3), QTime(9, 0, 0, 500), QTimeZone::utc()));
    CHECK(categoryOfStream(*store, QStringLiteral("order-1")) == QLatin1String("Order"));
}

TEST_CASE("Rails Event Store on PostgreSQL: YAML in bytea, :any streams, links", "[layout][pg][railseventstore]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("res"), { QStringLiteral("railseventstore.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("railseventstore"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 Ordering::Order$42@0 Ordering::OrderPlaced", "2 Ordering::Order$42@1 Ordering::OrderConfirmed",
            "3 @-1 Audit::Ping", "4 Notifications$u-7@3 Notified", "5 Notifications$u-7@4 Notified" }));
    REQUIRE(all.size() == 5);
    CHECK(all[0].data.bytes == QByteArray("---\n:order_id: 42\n:customer: Zo\xc3\xab\n"));
    CHECK(all[0].data.encoding == Payload::Encoding::Text);
    CHECK(all[0].time == QDateTime(QDate(2024, 3, 1), QTime(10, 0, 0), QTimeZone::utc()));
    CHECK(summary(readStream(*store, QStringLiteral("Ordering::Order$42")), false)
        == qsl({ "Ordering::Order$42@0 Ordering::OrderPlaced", "Ordering::Order$42@1 Ordering::OrderConfirmed" }));
    CHECK(categoryOfStream(*store, QStringLiteral("Notifications$u-7")) == QLatin1String("Notifications"));
}

TEST_CASE("Commanded: $all positions, Erlang terms as bytes, soft-deleted streams hidden", "[layout][pg][commanded]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("commanded"), { QStringLiteral("commanded.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("commanded"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 account-1-2:x@1 Elixir.Bank.AccountOpened", "2 account-1-2:x@2 Elixir.Bank.MoneyDeposited",
            "3 transfer-9@1 Elixir.Bank.TransferRequested", "4 account-1-2:x@3 Elixir.Bank.MoneyWithdrawn" }));
    REQUIRE(all.size() == 4);
    CHECK(all[1].data.encoding == Payload::Encoding::Base64);
    CHECK(all[1].data.bytes == QByteArray::fromHex("836d00000003616263"));
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[2].metadata.isNull());
    CHECK(summary(readStream(*store, QStringLiteral("account-1-2:x")), false).size() == 3);
    CHECK(readStream(*store, QStringLiteral("account-gone")).empty());
    CHECK(streamNames(*store) == qsl({ "account-1-2:x", "transfer-9" }));
    CHECK(categoryOfStream(*store, QStringLiteral("transfer-9")) == QLatin1String("transfer"));
}

TEST_CASE("Python eventsourcing on PostgreSQL: notification ids, opaque state as bytes", "[layout][pg][eventsourcing]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("eventsourcing"), { QStringLiteral("eventsourcing.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("eventsourcing"));
    const QString alice = QStringLiteral("5f2c1a9e-0b1d-4c6e-9a53-3f0d2b7c8e11");
    const QString bob = QStringLiteral("0a4b7c2d-9e8f-4a1b-8c3d-2e1f0a9b8c7d");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("1 %1@1 bank.domain:Account.Opened").arg(alice),
            QStringLiteral("2 %1@2 bank.domain:Account.Credited").arg(alice),
            QStringLiteral("3 %1@1 bank.domain:Customer.Registered").arg(bob) });
    REQUIRE(all.size() == 3);
    CHECK(text(all[0].data).contains(QStringLiteral("Alice Zoë")));
    CHECK(all[2].data.encoding == Payload::Encoding::Base64);
    CHECK(categoryOfStream(*store, alice) == QLatin1String("bank.domain:Account"));
}

TEST_CASE("cqrs-es on PostgreSQL: no global position, says so, orders by what there is", "[layout][pg][cqrs-es]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("cqrs"), { QStringLiteral("cqrs-es.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("cqrs-es"));
    CHECK(info.notes.join(u'\n').contains(QLatin1String("no global position")));
    CHECK(summary(readAll(*store), false)
        == qsl({ "acc-7@1 AccountOpened", "c:1-x-2@1 NameAdded", "acc-7@2 CustomerDepositedMoney",
            "acc-7@3 CustomerWroteCheck" }));
    CHECK(summary(readStream(*store, QStringLiteral("acc-7")), false)
        == qsl({ "acc-7@1 AccountOpened", "acc-7@2 CustomerDepositedMoney", "acc-7@3 CustomerWroteCheck" }));
    CHECK(categoryOfStream(*store, QStringLiteral("c:1-x-2")) == QLatin1String("Customer"));
}

TEST_CASE("One PostgreSQL database with two layouts lists both; profile, schema and mapping pick", "[layout][pg]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("both"), { QStringLiteral("eventuous.sql"), QStringLiteral("cqrs-es.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.candidateLayouts.contains(QStringLiteral("eventuous")));
    CHECK(info.candidateLayouts.contains(QStringLiteral("cqrs-es")));
    OpenOptions cqrs;
    cqrs.profile = QStringLiteral("cqrs-es");
    CHECK(readAll(*StoreRegistry::open(db.address(), cqrs)).size() == 4);
    OpenOptions schema;
    schema.schema = QStringLiteral("eventuous");
    auto inSchema = StoreRegistry::open(db.address(), schema);
    CHECK(inSchema->info().layout == QLatin1String("eventuous"));
    CHECK(readAll(*inSchema).size() == 4);

    // A user mapping file in the same format as for SQLite.
    QTemporaryDir dir;
    const QString mapping = tempPath(dir, QStringLiteral("mapping.json"));
    QFile f(mapping);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(R"J({"name": "mine", "detect": {"tables": [{"as": "e", "names": ["events"], "columns": ["aggregate_id"]}]},
        "events": {"table": "{e}", "position": "sequence * 1000 + length(aggregate_id)", "stream": "aggregate_id",
                   "version": "sequence", "type": "event_type", "data": "payload", "metadata": "metadata"}})J");
    f.close();
    OpenOptions mine;
    mine.mappingFile = mapping;
    auto mapped = StoreRegistry::open(db.address(), mine);
    CHECK(mapped->info().layout == QLatin1String("mine"));
    CHECK(summary(readStream(*mapped, QStringLiteral("acc-7")), false)
        == qsl({ "acc-7@1 AccountOpened", "acc-7@2 CustomerDepositedMoney", "acc-7@3 CustomerWroteCheck" }));
}
