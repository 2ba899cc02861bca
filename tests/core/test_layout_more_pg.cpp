#include <catch2/catch.hpp>

#include "core/payloadformat.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "testutils.h"

#include <QTimeZone>

using namespace es;
using namespace es::test;

// Older client releases (profile variants) and the layouts added second (Akka/Pekko, Eventuate, EventSauce, prooph,
// Castore), each from fixtures in tests/fixtures/layouts/ written the way that client writes.

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

QDateTime utc(int y, int mo, int d, int h, int mi, int s, int ms = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), QTimeZone::utc());
}

const CheckpointRow* checkpoint(const CheckpointSet& set, const QString& name)
{
    for (const CheckpointRow& r : set.rows) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

} // namespace

TEST_CASE("Emmett 0.31 on PostgreSQL: emt_events before the rename, subscriptions by partition",
    "[layout][pg][emmett][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("emmett031"),
        { QStringLiteral("emmett_0_31.sql"), QStringLiteral("emmett_0_31_subscriptions.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("emmett"));
    CHECK(info.candidateLayouts == qsl({ "emmett" }));
    CHECK(info.layoutTitle == QLatin1String("Emmett 0.20 to 0.31 (PostgreSQL, emt_events)"));
    CHECK(info.notes.join(u'\n').contains(QLatin1String("Emmett 0.20 to 0.31")));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 shopping_cart-1:a-b@1 ProductItemAdded", "2 shopping_cart-1:a-b@2 Noted", "3 order-7@1 OrderPlaced",
            "4 shopping_cart-1:a-b@3 ProductItemRemoved" }));
    REQUIRE(all.size() == 4);
    CHECK(all[0].id == QLatin1String("e-1"));
    CHECK(all[0].correlationId == QLatin1String("c-1"));
    CHECK(all[1].causationId == QLatin1String("e-1"));
    CHECK(text(all[1].data).contains(QStringLiteral("Zoë 日本")));
    CHECK(qAbs(all[0].time.secsTo(QDateTime::currentDateTimeUtc())) < 3600);
    CHECK(summary(readStream(*store, QStringLiteral("shopping_cart-1:a-b")), false)
        == qsl({ "shopping_cart-1:a-b@1 ProductItemAdded", "shopping_cart-1:a-b@2 Noted",
            "shopping_cart-1:a-b@3 ProductItemRemoved" }));
    CHECK(summary(readCategory(*store, QStringLiteral("order"))) == qsl({ "3 order-7@1 OrderPlaced" }));
    CHECK(streamNames(*store) == qsl({ "order-7", "shopping_cart-1:a-b" }));
    CHECK(info.eventCount == 4);
    const CheckpointSet cps = store->checkpoints();
    REQUIRE(cps.rows.size() == 1);
    CHECK(cps.rows[0].name == QLatin1String("carts"));
    CHECK(cps.rows[0].partition == QLatin1String("emt:default"));
    CHECK(cps.rows[0].position == 2);
}

TEST_CASE("Emmett 0.20 on PostgreSQL: subscriptions by module and tenant", "[layout][pg][emmett][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("emmett020"),
        { QStringLiteral("emmett_0_31.sql"), QStringLiteral("emmett_0_20_subscriptions.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("emmett"));
    CHECK(readAll(*store).size() == 4);
    const CheckpointSet cps = store->checkpoints();
    REQUIRE(cps.rows.size() == 1);
    CHECK(cps.rows[0].name == QLatin1String("orders v2"));
    CHECK(cps.rows[0].partition == QLatin1String("shop/tenant-a"));
    CHECK(cps.rows[0].position == 3);
    CHECK(cps.rows[0].raw == QLatin1String("3"));
}

TEST_CASE("Akka Persistence JDBC 5.5: serializer manifests as types, non-JSON payloads as bytes, deleted rows hidden",
    "[layout][pg][akka]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("akka"), { QStringLiteral("akka.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("akka"));
    CHECK(info.candidateLayouts == qsl({ "akka" }));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 ShoppingCart|cart-1@1 com.example.ShoppingCart$ItemAdded",
            "2 ShoppingCart|cart-1@2 com.example.ShoppingCart$CheckedOut", "3 account-42@1 serializer 1",
            "4 account-42@2 com.example.proto.Deposited", "7 ShoppingCart|cart-1@3 com.example.ShoppingCart$Bulk" }));
    REQUIRE(all.size() == 5);
    CHECK(all[0].data.isJson());
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[0].time == utc(2024, 7, 1, 12, 0, 0, 250));
    const QString meta0 = text(all[0].metadata);
    CHECK(meta0.contains(QLatin1String("\"serializerId\": 31")));
    CHECK(meta0.contains(QLatin1String("\"tags\": [\"all\", \"carts-0\"]")));
    CHECK(meta0.contains(QLatin1String("\"manifest\": \"com.example.ShoppingCart$ItemAdded\"")));
    // Jackson CBOR (serializer 33): bytes, with their serializer id.
    CHECK(all[1].data.encoding == Payload::Encoding::Base64);
    CHECK(all[1].data.bytes == QByteArray::fromHex("a1626174187b"));
    CHECK(text(all[1].metadata).contains(QLatin1String("\"serializerId\": 33")));
    // Java serialization (serializer 1, no manifest).
    CHECK(all[2].data.encoding == Payload::Encoding::Base64);
    CHECK(binaryFormat(all[2].data) == QLatin1String("Java serialization"));
    CHECK(all[2].data.preview().startsWith(QLatin1String("[binary 12 bytes, Java serialization]")));
    // Protobuf: every byte below 0x80, yet bytes, not text.
    CHECK(all[3].data.encoding == Payload::Encoding::Base64);
    CHECK(all[3].data.bytes == QByteArray::fromHex("0a036162631064"));
    const QString meta3 = text(all[3].metadata);
    CHECK(meta3.contains(QLatin1String("\"adapterManifest\": \"v2\"")));
    CHECK(meta3.contains(QLatin1String("\"metaSerializerId\": 31")));
    CHECK_FALSE(meta3.contains(QLatin1String("\"tags\"")));
    // Jackson JSON over the compression threshold: gzip.
    CHECK(binaryFormat(all[4].data) == QLatin1String("gzip"));
    CHECK(readStream(*store, QStringLiteral("Gone|g-1")).empty());
    CHECK(summary(readStream(*store, QStringLiteral("ShoppingCart|cart-1")), false).size() == 3);
    CHECK(categoryOfStream(*store, QStringLiteral("ShoppingCart|cart-1")) == QLatin1String("ShoppingCart"));
    CHECK(categoryOfStream(*store, QStringLiteral("account-42")) == QLatin1String("account"));
    CHECK(summary(readCategory(*store, QStringLiteral("account")), false)
        == qsl({ "account-42@1 serializer 1", "account-42@2 com.example.proto.Deposited" }));
    CHECK(streamNames(*store) == qsl({ "ShoppingCart|cart-1", "account-42" }));
    const CheckpointSet cps = store->checkpoints();
    const CheckpointRow* carts = checkpoint(cps, QStringLiteral("carts-projection"));
    REQUIRE(carts);
    CHECK(carts->partition == QLatin1String("carts-0"));
    CHECK(carts->position == 2);
}

TEST_CASE("Akka Persistence JDBC before 5.4 and before 5.0: tags by ordering, the legacy journal",
    "[layout][pg][akka][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    {
        PgTestDatabase db(QStringLiteral("akka53"), { QStringLiteral("akka_5_3.sql") });
        auto store = StoreRegistry::open(db.address());
        const StoreInfo info = store->info();
        CHECK(info.layout == QLatin1String("akka"));
        CHECK(info.notes.join(u'\n').contains(QLatin1String("5.0 to 5.3")));
        const EventList all = readAll(*store);
        CHECK(summary(all)
            == qsl({ "1 Counter|c-1@1 com.example.Counter$Incremented",
                "2 Counter|c-1@2 com.example.Counter$Incremented" }));
        REQUIRE(all.size() == 2);
        CHECK(text(all[1].metadata).contains(QLatin1String("\"tags\": [\"big\", \"counters\"]")));
    }
    {
        PgTestDatabase db(QStringLiteral("akkalegacy"), { QStringLiteral("akka_legacy.sql") });
        auto store = StoreRegistry::open(db.address());
        const StoreInfo info = store->info();
        CHECK(info.layout == QLatin1String("akka"));
        CHECK(info.notes.join(u'\n').contains(QLatin1String("before 5.0")));
        const EventList all = readAll(*store);
        CHECK(summary(all) == qsl({ "1 order-1@1 akka.persistence.PersistentRepr" }));
        REQUIRE(all.size() == 1);
        CHECK(all[0].data.encoding == Payload::Encoding::Base64);
        CHECK(all[0].data.bytes == QByteArray::fromHex("0a0a080112060a0468656c6c6f1001"));
        CHECK_FALSE(all[0].time.isValid());
        CHECK(text(all[0].metadata).contains(QLatin1String("\"tags\": [\"orders\", \"eu\"]")));
    }
}

TEST_CASE("Eventuate Local: entity type and id as the stream, positions from application ids, causation",
    "[layout][pg][eventuate]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("eventuate"), { QStringLiteral("eventuate.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("eventuate"));
    CHECK(info.candidateLayouts == qsl({ "eventuate" }));
    const qint64 ms = 0x18f2a3b4c5dLL;
    const qint64 p1 = ms * 65536 + 1;
    const qint64 p2 = ms * 65536 + 2;
    const qint64 p3 = (ms + 1) * 65536;
    const qint64 p4 = 0x18f2a3b4d00LL * 65536;
    const QString order = QStringLiteral("net.chrisrichardson.ftgo.Order/0000018f2a3b4c5d-0242ac1200020000");
    const QString customer = QStringLiteral("net.chrisrichardson.ftgo.Customer/cust-1");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("%1 %2@%1 net.chrisrichardson.ftgo.OrderCreated").arg(p1).arg(order),
            QStringLiteral("%1 %2@%1 net.chrisrichardson.ftgo.OrderApproved").arg(p2).arg(order),
            QStringLiteral("%1 %2@%1 net.chrisrichardson.ftgo.CustomerCreditReserved").arg(p3).arg(customer),
            QStringLiteral("%1 %2@%1 net.chrisrichardson.ftgo.OrderCancelled").arg(p4).arg(order) });
    REQUIRE(all.size() == 4);
    CHECK(all[0].time == QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()));
    CHECK(all[0].id == QLatin1String("0000018f2a3b4c5d-0242ac1200020001"));
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[2].causationId == QLatin1String("0000018f2a3b4c5d-0242ac1200020001"));
    CHECK(text(all[2].metadata).contains(QLatin1String("\"correlation_id\": \"c-9\"")));
    CHECK(text(all[0].metadata).contains(QLatin1String("\"published\": 1")));
    CHECK(text(all[3].metadata).contains(QLatin1String("\"published\": 0")));
    CHECK(summary(readStream(*store, order), false).size() == 3);
    CHECK(summary(readStream(*store, customer), false).size() == 1);
    CHECK(categoryOfStream(*store, order) == QLatin1String("net.chrisrichardson.ftgo.Order"));
    CHECK(summary(readCategory(*store, QStringLiteral("net.chrisrichardson.ftgo.Customer")), false).size() == 1);
    CHECK(store->checkpoints().rows.empty());
}

TEST_CASE(
    "Eventuate in database-id mode: events.id as the position, ids left empty", "[layout][pg][eventuate][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("eventuatedbid"), { QStringLiteral("eventuate_dbid.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("eventuate"));
    CHECK(info.notes.join(u'\n').contains(QLatin1String("database-id mode")));
    const EventList all = readAll(*store);
    REQUIRE(all.size() == 5);
    CHECK(all[0].position == 1714400490001);
    CHECK(all[0].id == QLatin1String("0000018f2a3b4c5d-0242ac1200020001"));
    CHECK(all[0].time.isValid());
    CHECK(all[4].position == 1714400490005);
    CHECK(all[4].type == QLatin1String("net.chrisrichardson.ftgo.CustomerCreditReleased"));
    CHECK(all[4].stream == QLatin1String("net.chrisrichardson.ftgo.Customer/cust-1"));
    CHECK(all[4].id.isEmpty());
    CHECK_FALSE(all[4].time.isValid());
    CHECK(summary(readStream(*store, QStringLiteral("net.chrisrichardson.ftgo.Customer/cust-1")), false).size() == 2);
}

TEST_CASE("EventSauce: headers give type, time and category; string and binary UUIDs; the legacy schema",
    "[layout][pg][eventsauce]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    const QString account = QStringLiteral("9a7c0000-0000-4000-8000-0000000000a1");
    const QString cart = QStringLiteral("9a7c0000-0000-4000-8000-0000000000b2");
    {
        PgTestDatabase db(QStringLiteral("eventsauce"), { QStringLiteral("eventsauce.sql") });
        auto store = StoreRegistry::open(db.address());
        const StoreInfo info = store->info();
        CHECK(info.layout == QLatin1String("eventsauce"));
        CHECK(info.candidateLayouts == qsl({ "eventsauce" }));
        const EventList all = readAll(*store);
        CHECK(summary(all)
            == QStringList { QStringLiteral("1 %1@1 acme.bank.account_opened").arg(account),
                QStringLiteral("2 %1@2 acme.bank.money_deposited").arg(account),
                QStringLiteral("3 %1@1 acme.shop.cart_created").arg(cart),
                QStringLiteral("4 %1@3 acme.bank.money_withdrawn").arg(account) });
        REQUIRE(all.size() == 4);
        CHECK(all[0].time == utc(2024, 5, 1, 10, 0, 0, 123));
        CHECK(all[1].time == utc(2024, 5, 1, 8, 0, 1));
        CHECK(all[0].id == QLatin1String("1b0e6a1c-0000-4000-8000-000000000001"));
        CHECK(all[0].data.isJson());
        CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
        CHECK_FALSE(text(all[0].data).contains(QLatin1String("__event_type")));
        CHECK(text(all[0].metadata).contains(QLatin1String("__aggregate_root_type")));
        CHECK(all[0].correlationId == QLatin1String("corr-1"));
        CHECK(all[3].causationId == QLatin1String("1b0e6a1c-0000-4000-8000-000000000002"));
        CHECK(summary(readStream(*store, account), false).size() == 3);
        CHECK(categoryOfStream(*store, account) == QLatin1String("acme.bank.account"));
        CHECK(summary(readCategory(*store, QStringLiteral("acme.shop.cart")), false)
            == QStringList { QStringLiteral("%1@1 acme.shop.cart_created").arg(cart) });
    }
    {
        PgTestDatabase db(QStringLiteral("eventsaucebin"), { QStringLiteral("eventsauce_binary.sql") });
        auto store = StoreRegistry::open(db.address());
        CHECK(store->info().layout == QLatin1String("eventsauce"));
        const QString list = QStringLiteral("9a7c0000-0000-4000-8000-0000000000c3");
        const EventList all = readAll(*store);
        CHECK(summary(all)
            == QStringList { QStringLiteral("1 %1@1 acme.todo.item_added").arg(list),
                QStringLiteral("2 %1@2 acme.todo.item_done").arg(list) });
        REQUIRE(all.size() == 2);
        CHECK(all[0].id == QLatin1String("1b0e6a1c-0000-4000-8000-000000000011"));
        CHECK(text(all[0].data).contains(QStringLiteral("日本")));
        CHECK(summary(readStream(*store, list), false).size() == 2);
    }
    {
        PgTestDatabase db(QStringLiteral("eventsaucelegacy"), { QStringLiteral("eventsauce_legacy.sql") });
        auto store = StoreRegistry::open(db.address());
        const StoreInfo info = store->info();
        CHECK(info.layout == QLatin1String("eventsauce"));
        CHECK(info.notes.join(u'\n').contains(QLatin1String("before 1.0")));
        const EventList all = readAll(*store);
        CHECK(summary(all) == qsl({ "1 9a7c0000-0000-4000-8000-0000000000d4@1 acme.bank.account_opened" }));
        REQUIRE(all.size() == 1);
        CHECK(all[0].time == utc(2024, 5, 5, 10, 0, 0, 250));
    }
}

TEST_CASE("prooph: one table per stream read as one union, aggregates as streams, projections", "[layout][pg][prooph]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("prooph"), { QStringLiteral("prooph.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("prooph"));
    CHECK(info.candidateLayouts == qsl({ "prooph" }));
    const qint64 s = qint64(1) << 32;
    const QString user = QStringLiteral("6e8a3c00-0000-4000-8000-000000000001");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("%1 order-1@1 App\\Model\\OrderPlaced").arg(s + 1),
            QStringLiteral("%1 order-1@2 App\\Model\\OrderPaid").arg(s + 2),
            QStringLiteral("%1 inv-9@1 App\\Model\\InvoiceSent").arg(s + 3),
            QStringLiteral("%1 order-1@3 App\\Model\\OrderShipped").arg(s + 4),
            QStringLiteral("%1 %2@1 App\\Model\\UserRegistered").arg(2 * s + 1).arg(user),
            QStringLiteral("%1 %2@2 App\\Model\\UserRenamed").arg(2 * s + 2).arg(user),
            QStringLiteral("%1 audit-log@1 audit-entry").arg(3 * s + 1) });
    REQUIRE(all.size() == 7);
    CHECK(all[0].time == utc(2024, 8, 1, 10, 0, 0));
    CHECK(all[0].id == QLatin1String("a0000000-0000-4000-8000-000000000001"));
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[1].causationId == QLatin1String("a0000000-0000-4000-8000-000000000001"));
    CHECK(text(all[4].data).contains(QStringLiteral("日本")));
    CHECK(summary(readStream(*store, QStringLiteral("order-1")), false)
        == qsl({ "order-1@1 App\\Model\\OrderPlaced", "order-1@2 App\\Model\\OrderPaid",
            "order-1@3 App\\Model\\OrderShipped" }));
    CHECK(categoryOfStream(*store, QStringLiteral("order-1")) == QLatin1String("App\\Model\\Order"));
    CHECK(categoryOfStream(*store, user) == QLatin1String("App\\Model\\User"));
    CHECK(categoryOfStream(*store, QStringLiteral("audit-log")) == QLatin1String("audit"));
    CHECK(summary(readCategory(*store, QStringLiteral("App\\Model\\Invoice")), false)
        == qsl({ "inv-9@1 App\\Model\\InvoiceSent" }));
    CHECK(readStream(*store, QStringLiteral("empty_stream")).empty());
    const CheckpointSet cps = store->checkpoints();
    INFO(cps.note.toStdString());
    const CheckpointRow* summaryCp = checkpoint(cps, QStringLiteral("order_summary"));
    REQUIRE(summaryCp);
    CHECK(summaryCp->partition == QLatin1String("event_stream"));
    CHECK(summaryCp->raw == QLatin1String("3"));
    CHECK(summaryCp->position == s + 3);
}

TEST_CASE(
    "Castore: aggregate name and id as a composite stream, forced pushes rewrite in place", "[layout][pg][castore]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("castore"), { QStringLiteral("castore.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("castore"));
    CHECK(info.candidateLayouts == qsl({ "castore" }));
    const QString pikachu = QStringLiteral("POKEMONS:c0000000-0000-4000-8000-000000000001");
    const QString ash = QStringLiteral("TRAINERS:c0000000-0000-4000-8000-000000000001");
    const QString eevee = QStringLiteral("POKEMONS:c0000000-0000-4000-8000-000000000002");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("1 %1@1 APPEARED").arg(pikachu),
            QStringLiteral("2 %1@1 TRAINER_CREATED").arg(ash), QStringLiteral("3 %1@2 CAUGHT_BY_TRAINER").arg(pikachu),
            QStringLiteral("4 %1@2 POKEMON_CAUGHT").arg(ash), QStringLiteral("5 %1@1 APPEARED").arg(eevee) });
    REQUIRE(all.size() == 5);
    CHECK(all[0].time == utc(2024, 9, 1, 10, 0, 0));
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[3].data.isNull());
    CHECK(text(all[4].data).contains(QLatin1String("Eevee")));
    CHECK(all[4].time == utc(2024, 9, 2, 8, 0, 0));
    CHECK(summary(readStream(*store, pikachu), false)
        == QStringList {
            QStringLiteral("%1@1 APPEARED").arg(pikachu), QStringLiteral("%1@2 CAUGHT_BY_TRAINER").arg(pikachu) });
    CHECK(categoryOfStream(*store, ash) == QLatin1String("TRAINERS"));
    CHECK(summary(readCategory(*store, QStringLiteral("TRAINERS")), false).size() == 2);
    CHECK(summary(readCategory(*store, QStringLiteral("POKEMONS")), false).size() == 3);
}

// The stream list groups by the stream expression and selects the category beside it: for layouts whose category
// is another column than the stream's the SQL builder aggregates the category per stream (SqlBuilder::perStream).
TEST_CASE("Stream lists of layouts whose category is another column", "[layout][pg][groupby]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    {
        PgTestDatabase db(QStringLiteral("castorelist"), { QStringLiteral("castore.sql") });
        auto store = StoreRegistry::open(db.address());
        CHECK(streamNames(*store, QStringLiteral("POKEMONS"))
            == qsl(
                { "POKEMONS:c0000000-0000-4000-8000-000000000001", "POKEMONS:c0000000-0000-4000-8000-000000000002" }));
    }
    {
        PgTestDatabase db(QStringLiteral("eventuatelist"), { QStringLiteral("eventuate.sql") });
        auto store = StoreRegistry::open(db.address());
        CHECK(streamNames(*store).size() == 2);
    }
    {
        PgTestDatabase db(QStringLiteral("eventsaucelist"), { QStringLiteral("eventsauce.sql") });
        auto store = StoreRegistry::open(db.address());
        CHECK(streamNames(*store).size() == 2);
    }
    {
        PgTestDatabase db(QStringLiteral("proophlist"), { QStringLiteral("prooph.sql") });
        auto store = StoreRegistry::open(db.address());
        CHECK(streamNames(*store) == qsl({ "6e8a3c00-0000-4000-8000-000000000001", "audit-log", "inv-9", "order-1" }));
    }
}

TEST_CASE("Every PostgreSQL fixture is detected as its own layout and no other", "[layout][pg][detect]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    const std::vector<std::pair<QStringList, QString>> fixtures = {
        { { QStringLiteral("axon_jdbc.sql") }, QStringLiteral("axon-jdbc") },
        { { QStringLiteral("axon_jpa.sql") }, QStringLiteral("axon") },
        { { QStringLiteral("commanded.sql") }, QStringLiteral("commanded") },
        { { QStringLiteral("cqrs-es.sql") }, QStringLiteral("cqrs-es") },
        { { QStringLiteral("emmett.sql") }, QStringLiteral("emmett") },
        { { QStringLiteral("emmett_0_31.sql") }, QStringLiteral("emmett") },
        { { QStringLiteral("eventsourcing.sql") }, QStringLiteral("eventsourcing") },
        { { QStringLiteral("eventuous.sql") }, QStringLiteral("eventuous") },
        { { QStringLiteral("marten_guid.sql") }, QStringLiteral("marten") },
        { { QStringLiteral("marten_string.sql") }, QStringLiteral("marten") },
        { { QStringLiteral("marten_v9.sql") }, QStringLiteral("marten") },
        { { QStringLiteral("messagedb.sql") }, QStringLiteral("messagedb") },
        { { QStringLiteral("railseventstore.sql") }, QStringLiteral("railseventstore") },
        { { QStringLiteral("railseventstore_jsonb.sql") }, QStringLiteral("railseventstore") },
        { { QStringLiteral("akka.sql") }, QStringLiteral("akka") },
        { { QStringLiteral("akka_5_3.sql") }, QStringLiteral("akka") },
        { { QStringLiteral("akka_legacy.sql") }, QStringLiteral("akka") },
        { { QStringLiteral("eventuate.sql") }, QStringLiteral("eventuate") },
        { { QStringLiteral("eventuate_dbid.sql") }, QStringLiteral("eventuate") },
        { { QStringLiteral("eventsauce.sql") }, QStringLiteral("eventsauce") },
        { { QStringLiteral("eventsauce_binary.sql") }, QStringLiteral("eventsauce") },
        { { QStringLiteral("eventsauce_legacy.sql") }, QStringLiteral("eventsauce") },
        { { QStringLiteral("prooph.sql") }, QStringLiteral("prooph") },
        { { QStringLiteral("castore.sql") }, QStringLiteral("castore") },
    };
    for (const auto& [files, layout] : fixtures) {
        INFO(files.join(u' ').toStdString());
        PgTestDatabase db(QStringLiteral("detect"), files);
        auto store = StoreRegistry::open(db.address());
        CHECK(store->info().candidateLayouts == QStringList { layout });
    }
}

TEST_CASE("Marten 9: binary bodies in bdata as bytes, tags, skipped events and per-tenant high water rows",
    "[layout][pg][marten][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("marten9"), { QStringLiteral("marten_v9.sql") });
    db.sql(QStringLiteral("INSERT INTO mt_event_progression (name, last_seq_id) VALUES ('HighWaterMark:tenant-a', 2)"));
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("marten"));
    CHECK(info.candidateLayouts == QStringList { QStringLiteral("marten") });
    CHECK(info.notes.join(u'\n').contains(QLatin1String("Marten 9")));
    const QString course = QStringLiteral("7f000000-0000-4000-8000-0000000000c1");
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList {
            QStringLiteral("1 %1@1 course_created").arg(course), QStringLiteral("2 %1@2 course_renamed").arg(course) });
    REQUIRE(all.size() == 2);
    CHECK(all[0].data.isJson());
    CHECK(text(all[0].data).contains(QStringLiteral("Zoë")));
    CHECK(all[1].data.encoding == Payload::Encoding::Base64);
    CHECK(all[1].data.bytes == QByteArray::fromHex("0a0362696e"));
    const QString meta0 = text(all[0].metadata);
    CHECK(meta0.contains(QLatin1String("\"user_name\": \"ann\"")));
    CHECK(meta0.contains(QLatin1String("\"student\": \"s-1\"")));
    CHECK_FALSE(meta0.contains(QLatin1String("bdata")));
    CHECK(text(all[1].metadata).contains(QLatin1String("\"is_skipped\": true")));
    CHECK(all[1].causationId == QLatin1String("e9000000-0000-4000-8000-000000000001"));
    CHECK(categoryOfStream(*store, course) == QLatin1String("course"));
    const CheckpointSet cps = store->checkpoints();
    REQUIRE(cps.rows.size() == 1);
    CHECK(cps.rows[0].name == QLatin1String("Courses:All"));
    CHECK(cps.rows[0].position == 1);
}

TEST_CASE(
    "Rails Event Store 2.19 / 3.0 with jsonb columns and the JSON client", "[layout][pg][railseventstore][versions]")
{
    ES_REQUIRE_PG("PostgreSQL layout test")
    PgTestDatabase db(QStringLiteral("resjsonb"), { QStringLiteral("railseventstore_jsonb.sql") });
    auto store = StoreRegistry::open(db.address());
    CHECK(store->info().layout == QLatin1String("railseventstore"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 Billing::Invoice$9@0 Billing::InvoiceIssued", "2 Billing::Invoice$9@1 Billing::InvoicePaid" }));
    REQUIRE(all.size() == 2);
    CHECK(all[0].data.isJson());
    CHECK(text(all[1].data).contains(QStringLiteral("Zoë")));
    CHECK(all[0].correlationId == QLatin1String("c-7"));
    CHECK(all[1].causationId == QLatin1String("5d0a1f00-0000-4000-8000-000000000001"));
    CHECK(text(all[0].metadata).contains(QLatin1String("\"types\"")));
    CHECK(all[1].time == utc(2024, 10, 1, 8, 0, 1));
    CHECK(categoryOfStream(*store, QStringLiteral("Billing::Invoice$9")) == QLatin1String("Billing::Invoice"));
}
