#include <catch2/catch.hpp>

#include "live/lag.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "testutils.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstdlib>

using namespace es;
using namespace es::test;

// Lag on PostgreSQL: each layout's fixture (tests/fixtures/layouts, written as its client writes), checkpoints moved
// to known positions with SQL, and pollLag's figures compared with the events the store returns.

namespace {

const LagReading* reading(const LagPoll& poll, const QString& name, const QString& partition = {})
{
    for (const LagReading& r : poll.readings) {
        if (r.checkpoint.name == name && (partition.isNull() || r.checkpoint.partition == partition))
            return &r;
    }
    return nullptr;
}

// Events of the scope after `position`, counted from what the store reads (not from scopeProgress).
qint64 eventsAfter(EventStore& store, qint64 position, const EventFilter& scope = {})
{
    qint64 n = 0;
    for (const Event& e : readAll(store, scope))
        n += (scope.isStream() ? e.version : e.position) > position ? 1 : 0;
    return n;
}

// A SQL string literal (standard_conforming_strings is on: backslashes stay as they are).
QString psqlLiteral(QString text)
{
    return u'\'' + text.replace(u'\'', QLatin1String("''")) + u'\'';
}

qint64 headOf(EventStore& store, const EventFilter& scope = {})
{
    const EventList all = readAll(store, scope);
    return all.empty() ? -1 : all.back().position;
}

} // namespace

TEST_CASE("PG lag: Eventuous checkpoints, not started, ahead of the head", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("eventuous"), { QStringLiteral("eventuous.sql") });
    db.sql(QStringLiteral("INSERT INTO eventuous.checkpoints VALUES ('NotStarted', NULL), ('Ahead', 1000000)"));
    auto store = StoreRegistry::open(db.address());
    const qint64 head = headOf(*store);
    REQUIRE(head > 2);
    db.sql(
        QStringLiteral("UPDATE eventuous.checkpoints SET position = %1 WHERE id = 'BookingsProjection'").arg(head - 2));
    const LagPoll poll = pollLag(*store);
    CHECK(poll.note.isEmpty());
    const LagReading* r = reading(poll, QStringLiteral("BookingsProjection"));
    REQUIRE(r);
    CHECK(r->checkpoint.position == head - 2);
    CHECK(r->head == head);
    CHECK(r->lagEvents == eventsAfter(*store, head - 2));
    CHECK(r->total == qint64(readAll(*store).size()));
    const LagReading* idle = reading(poll, QStringLiteral("NotStarted"));
    REQUIRE(idle);
    CHECK_FALSE(idle->checkpoint.hasValue);
    CHECK(idle->lagEvents == r->total);
    const LagReading* ahead = reading(poll, QStringLiteral("Ahead"));
    REQUIRE(ahead);
    CHECK(ahead->checkpoint.position == 1000000);
    CHECK(ahead->lagEvents == 0);
}

TEST_CASE("PG lag: Marten leaves out the daemon's rows", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("marten"), { QStringLiteral("marten_guid.sql") });
    auto store = StoreRegistry::open(db.address());
    db.sql(QStringLiteral("UPDATE mt_event_progression SET last_seq_id = 1 WHERE name = 'TripProjection:All'"));
    const LagPoll poll = pollLag(*store);
    CHECK_FALSE(reading(poll, QStringLiteral("HighWaterMark")));
    const LagReading* r = reading(poll, QStringLiteral("TripProjection:All"));
    REQUIRE(r);
    CHECK(r->checkpoint.position == 1);
    CHECK(r->lagEvents == eventsAfter(*store, 1));
    CHECK(r->lagEvents > 0);
}

TEST_CASE("PG lag: Commanded, eventsourcing and Emmett checkpoints", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    {
        PgTestDatabase db(QStringLiteral("commanded"), { QStringLiteral("commanded.sql") });
        auto store = StoreRegistry::open(db.address());
        const LagPoll poll = pollLag(*store);
        const LagReading* r = reading(poll, QStringLiteral("AccountProjector"));
        REQUIRE(r);
        CHECK(r->checkpoint.position == 3);
        CHECK(r->lagEvents == eventsAfter(*store, 3));
    }
    {
        PgTestDatabase db(QStringLiteral("eventsourcing"), { QStringLiteral("eventsourcing.sql") });
        auto store = StoreRegistry::open(db.address());
        const LagPoll poll = pollLag(*store);
        const LagReading* r = reading(poll, QStringLiteral("Reporting"));
        REQUIRE(r);
        CHECK(r->checkpoint.position == 2);
        CHECK(r->lagEvents == eventsAfter(*store, 2));
    }
    {
        PgTestDatabase db(QStringLiteral("emmett"), { QStringLiteral("emmett.sql") });
        // Both formats Emmett has used, and one that is neither.
        db.sql(QStringLiteral("INSERT INTO emt_processors (last_processed_transaction_id, processor_id, "
                              "last_processed_checkpoint) VALUES (pg_current_xact_id(), 'txformat', "
                              "lpad('77', 20, '0') || ':' || lpad('1', 19, '0')), "
                              "(pg_current_xact_id(), 'broken', 'not-a-position')"));
        auto store = StoreRegistry::open(db.address());
        const LagPoll poll = pollLag(*store);
        const LagReading* carts = reading(poll, QStringLiteral("carts"));
        REQUIRE(carts);
        CHECK(carts->checkpoint.position == 2);
        CHECK(carts->lagEvents == eventsAfter(*store, 2));
        const LagReading* tx = reading(poll, QStringLiteral("txformat"));
        REQUIRE(tx);
        CHECK(tx->checkpoint.position == 1);
        CHECK(tx->lagEvents == eventsAfter(*store, 1));
        const LagReading* broken = reading(poll, QStringLiteral("broken"));
        REQUIRE(broken);
        CHECK(broken->checkpoint.position == -1);
        CHECK(broken->checkpoint.error.contains(QStringLiteral("not-a-position")));
    }
}

TEST_CASE("PG lag: Axon least advanced segment, unparseable token", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("axon"), { QStringLiteral("axon_jpa.sql") });
    db.sql(QStringLiteral(
        "INSERT INTO token_entry VALUES ('xml-proc', 0, NULL, 'now', lo_from_bytea(0, convert_to("
        "'<org.axonframework.eventhandling.GapAwareTrackingToken><index>2</index><gaps/></"
        "org.axonframework.eventhandling.GapAwareTrackingToken>', 'UTF8')), "
        "'org.axonframework.eventhandling.GapAwareTrackingToken'), "
        "('xml-proc', 1, NULL, 'now', lo_from_bytea(0, convert_to("
        "'<org.axonframework.eventhandling.ReplayToken><tokenAtReset "
        "class=\"org.axonframework.eventhandling.GapAwareTrackingToken\"><index>3</index></tokenAtReset>"
        "<currentToken class=\"org.axonframework.eventhandling.GapAwareTrackingToken\"><index>1</index></currentToken>"
        "</org.axonframework.eventhandling.ReplayToken>', 'UTF8')), "
        "'org.axonframework.eventhandling.ReplayToken'), "
        "('json-proc', 0, NULL, 'now', lo_from_bytea(0, convert_to('{\"index\": 1, \"gaps\": []}', 'UTF8')), "
        "'org.axonframework.eventhandling.GapAwareTrackingToken'), "
        "('garbled', 0, NULL, 'now', lo_from_bytea(0, convert_to('<broken/>', 'UTF8')), "
        "'org.axonframework.eventhandling.GapAwareTrackingToken')"));
    auto store = StoreRegistry::open(db.address());
    const LagPoll poll = pollLag(*store);
    const LagReading* seg0 = reading(poll, QStringLiteral("xml-proc"), QStringLiteral("0"));
    const LagReading* seg1 = reading(poll, QStringLiteral("xml-proc"), QStringLiteral("1"));
    REQUIRE(seg0);
    REQUIRE(seg1);
    CHECK(seg0->checkpoint.position == 2);
    CHECK(seg1->checkpoint.position == 1); // the replay token's current token, not the one at reset
    CHECK(seg1->lagEvents == eventsAfter(*store, 1));
    const LagReading* json = reading(poll, QStringLiteral("json-proc"));
    REQUIRE(json);
    CHECK(json->checkpoint.position == 1);
    const LagReading* garbled = reading(poll, QStringLiteral("garbled"));
    REQUIRE(garbled);
    CHECK(garbled->checkpoint.position == -1);
    CHECK_FALSE(garbled->checkpoint.error.isEmpty());
}

TEST_CASE("PG lag: Message DB position streams count within their category", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("messagedb"), { QStringLiteral("messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    const EventList accounts = readAll(*store, [] {
        EventFilter f;
        f.category = QStringLiteral("account");
        return f;
    }());
    REQUIRE(accounts.size() >= 2);
    const qint64 at = accounts.front().position;
    db.sql(QStringLiteral("SET search_path TO message_store, public; SELECT "
                          "message_store.write_message(gen_random_uuid()::text, 'account:position-reader', "
                          "'Recorded', '{\"position\": %1}'::jsonb)")
               .arg(at));
    auto reopened = StoreRegistry::open(db.address());
    const LagPoll poll = pollLag(*reopened);
    const LagReading* r = reading(poll, QStringLiteral("account:position-reader"));
    REQUIRE(r);
    CHECK(r->checkpoint.scope.category == QLatin1String("account"));
    CHECK(r->checkpoint.position == at);
    EventFilter category;
    category.category = QStringLiteral("account");
    CHECK(r->lagEvents == eventsAfter(*reopened, at, category));
}

TEST_CASE("PG lag: many Message DB categories in one store call, odd names included", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("messagedb_many"), { QStringLiteral("messagedb.sql") });
    // Category names that need quoting inside an array literal; one consumer per category, at a known position,
    // and one whose position stream has no Recorded message yet.
    const QStringList categories { QStringLiteral("quo\"te"), QStringLiteral("back\\slash"),
        QStringLiteral("com,ma{x}"), QStringLiteral("plain"), QStringLiteral("NULL") };
    for (const QString& c : categories) {
        db.sql(QStringLiteral("SET search_path TO message_store, public; SELECT write_message(gen_random_uuid()::text, "
                              "%1 || '-' || (i % 3), 'Done', jsonb_build_object('i', i)) "
                              "FROM generate_series(1, 40) i ORDER BY i")
                   .arg(psqlLiteral(c)));
    }
    auto store = StoreRegistry::open(db.address());
    std::vector<qint64> at;
    for (const QString& c : categories) {
        EventFilter f;
        f.category = c;
        const EventList events = readAll(*store, f);
        REQUIRE(events.size() == 40);
        at.push_back(events[size_t(at.size() * 7)].position);
        db.sql(QStringLiteral("SET search_path TO message_store, public; SELECT write_message("
                              "gen_random_uuid()::text, %1 || ':position-reader', 'Recorded', "
                              "jsonb_build_object('position', %2))")
                   .arg(psqlLiteral(c))
                   .arg(at.back()));
    }
    auto reopened = StoreRegistry::open(db.address());
    const LagPoll poll = pollLag(*reopened);
    CHECK(poll.queries == 2);
    for (qsizetype i = 0; i < categories.size(); ++i) {
        const LagReading* r = reading(poll, categories[i] + QStringLiteral(":position-reader"));
        REQUIRE(r);
        INFO(categories[i].toStdString());
        CHECK(r->error.isEmpty());
        CHECK(r->checkpoint.scope.category == categories[i]);
        CHECK(r->checkpoint.position == at[size_t(i)]);
        EventFilter f;
        f.category = categories[i];
        CHECK(r->lagEvents == eventsAfter(*reopened, at[size_t(i)], f));
        CHECK_FALSE(r->lagEstimated);
        CHECK(r->head == headOf(*reopened, f));
        CHECK(r->lagSeconds >= 0.0);
    }
}

TEST_CASE("PG lag: far behind is estimated and flagged, within the recent window it is counted", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("messagedb_far"), { QStringLiteral("messagedb.sql") });
    // 6,000 messages, two of three in the account category, through write_message as Eventide writes them; the
    // consumer records its position every 100 messages, so its stream holds many Recorded messages.
    db.sql(QStringLiteral(
        "SET search_path TO message_store, public; "
        "SELECT write_message(gen_random_uuid()::text, CASE WHEN i % 3 = 0 THEN 'order-' ELSE 'account-' END || "
        "(i % 40), 'Done', jsonb_build_object('i', i)) FROM generate_series(1, 6000) i ORDER BY i; "
        "SELECT write_message(gen_random_uuid()::text, 'account:position-far', 'Recorded', "
        "jsonb_build_object('position', p)) FROM generate_series(100, 1000, 100) p ORDER BY p; "
        "SELECT write_message(gen_random_uuid()::text, 'account:position-near', 'Recorded', "
        "jsonb_build_object('position', (SELECT max(global_position) - 30 FROM messages "
        "WHERE stream_name LIKE 'account-%')))"));
    auto store = StoreRegistry::open(db.address());
    EventFilter category;
    category.category = QStringLiteral("account");
    const LagPoll poll = pollLag(*store);
    const LagReading* far = reading(poll, QStringLiteral("account:position-far"));
    const LagReading* near = reading(poll, QStringLiteral("account:position-near"));
    REQUIRE(far);
    REQUIRE(near);
    CHECK(far->checkpoint.position == 1000);
    CHECK(poll.queries == 2); // the checkpoints, then one scope however many consumers read it

    const qint64 nearExact = eventsAfter(*store, near->checkpoint.position, category);
    CHECK(near->lagEvents == nearExact);
    CHECK_FALSE(near->lagEstimated);

    const qint64 farExact = eventsAfter(*store, 1000, category);
    REQUIRE(farExact > 2000);
    CHECK(far->lagEstimated);
    CHECK(std::abs(far->lagEvents - farExact) <= farExact / 50);

    LagTracker tracker;
    const std::vector<LagRow> rows = tracker.add(poll);
    const auto row = std::find_if(
        rows.begin(), rows.end(), [](const LagRow& r) { return r.name == QLatin1String("account:position-far"); });
    REQUIRE(row != rows.end());
    CHECK(row->lagEstimated);
}

TEST_CASE("PG lag: a missing checkpoint table and a layout without checkpoints say so", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    {
        PgTestDatabase db(QStringLiteral("nocp"), { QStringLiteral("eventuous.sql") });
        db.sql(QStringLiteral("DROP TABLE eventuous.checkpoints"));
        auto store = StoreRegistry::open(db.address());
        const LagPoll poll = pollLag(*store);
        CHECK(poll.readings.empty());
        CHECK(poll.note.contains(QStringLiteral("checkpoints")));
    }
    {
        PgTestDatabase db(QStringLiteral("res"), { QStringLiteral("railseventstore.sql") });
        auto store = StoreRegistry::open(db.address());
        const LagPoll poll = pollLag(*store);
        CHECK(poll.readings.empty());
        CHECK(poll.note.contains(QStringLiteral("keeps no checkpoints")));
    }
}

TEST_CASE("PG lag: a stalled subscription is flagged, a moving one is not", "[pg][pglag]")
{
    ES_REQUIRE_PG("PostgreSQL lag test")
    PgTestDatabase db(QStringLiteral("stall"), { QStringLiteral("eventuous.sql") });
    db.sql(QStringLiteral(
        "UPDATE eventuous.checkpoints SET position = 1; INSERT INTO eventuous.checkpoints VALUES ('Mover', 1)"));
    auto store = StoreRegistry::open(db.address());
    LagThresholds thresholds;
    thresholds.stallSeconds = 30;
    LagTracker tracker(thresholds);
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2024-06-01T00:00:00Z"), Qt::ISODate);
    auto pollAt = [&](int seconds) {
        LagPoll poll = pollLag(*store);
        poll.at = t0.addSecs(seconds);
        return tracker.add(poll);
    };
    auto status = [](const std::vector<LagRow>& rows, const QString& name) {
        for (const LagRow& r : rows) {
            if (r.name == name)
                return r.status;
        }
        FAIL("no row " << name.toStdString());
        return LagStatus::CaughtUp;
    };
    pollAt(0);
    db.sql(QStringLiteral("UPDATE eventuous.checkpoints SET position = 2 WHERE id = 'Mover'"));
    const std::vector<LagRow> rows = pollAt(40);
    CHECK(status(rows, QStringLiteral("BookingsProjection")) == LagStatus::Stalled);
    CHECK(status(rows, QStringLiteral("Mover")) != LagStatus::Stalled);
}
