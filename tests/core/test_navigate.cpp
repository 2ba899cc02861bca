#include <catch2/catch.hpp>

#include "nav/eventnavigator.h"
#include "store/storeregistry.h"
#include "test_models_support.h"

#include <QTemporaryDir>

using namespace es;
using es::test::emmett::Spec;
using Correlation = EventNavigator::Correlation;
using Causation = EventNavigator::Causation;

namespace {

Event withMetadata(const char* json)
{
    Event e;
    e.position = 40;
    e.metadata = Payload::json(QByteArray(json));
    return e;
}

EventLinks links(QStringList correlation, QStringList causation, QStringList ids = {},
    EventLinks::CausationTarget target = EventLinks::CausationTarget::EventId)
{
    EventLinks l;
    l.correlationKeys = std::move(correlation);
    l.causationKeys = std::move(causation);
    l.idKeys = std::move(ids);
    l.causationTarget = target;
    return l;
}

} // namespace

TEST_CASE("Navigator: the condition for events with the same correlation id", "[navigate]")
{
    const EventNavigator emmett(links({ u"correlationId"_qs }, { u"causationId"_qs }, { u"messageId"_qs }));
    Event e = withMetadata(R"({"correlationId": "c-1", "causationId": "m-0", "messageId": "m-1"})");
    CHECK(emmett.correlation(e).kind == Correlation::Kind::None);
    e.correlationId = QStringLiteral("c-1");
    Correlation found = emmett.correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    CHECK(found.condition.field == JsonCondition::Field::Metadata);
    CHECK(found.condition.path.toKeys() == QStringList { u"correlationId"_qs });
    CHECK(found.condition.op == JsonCondition::Op::Eq);
    CHECK(found.condition.toString() == QLatin1String("metadata.correlationId = 'c-1'"));

    // The profile's keys are tried in order; dotted keys are quoted; numbers compare as numbers.
    const EventNavigator eventuous(links({ u"missing"_qs, u"eventuous.correlation-id"_qs }, {}));
    e = withMetadata(R"({"eventuous.correlation-id": "it's \"x\""})");
    e.correlationId = QStringLiteral("it's \"x\"");
    found = eventuous.correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    const auto back = JsonCondition::parse(found.condition.toString());
    REQUIRE(back);
    CHECK(back->path.toKeys() == QStringList { u"eventuous.correlation-id"_qs });
    CHECK(back->value == e.correlationId);
    e = withMetadata(R"({"corr": 42})");
    e.correlationId = QStringLiteral("42");
    found = EventNavigator(links({ u"corr"_qs }, {})).correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    CHECK(found.condition.value == QVariant(qint64(42)));

    // A profile without keys: the id is searched for, preferring keys named like it.
    e = withMetadata(R"({"a": "k-9", "myCorrelation": "k-9"})");
    e.correlationId = QStringLiteral("k-9");
    found = EventNavigator().correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    CHECK(found.condition.path.toKeys() == QStringList { u"myCorrelation"_qs });
    e = withMetadata(R"({"headers": {"x-correlation-id": "k-9"}, "z": "k-9"})");
    e.correlationId = QStringLiteral("k-9");
    found = EventNavigator().correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    CHECK(found.condition.path.toKeys() == QStringList { u"headers"_qs, u"x-correlation-id"_qs });

    e.metadata = Payload::json("{}");
    CHECK(EventNavigator().correlation(e).kind == Correlation::Kind::Unreachable);
}

TEST_CASE("Navigator: a causation reference is a position or an id, as the profile says", "[navigate]")
{
    const EventNavigator messageDb(links({ u"correlationStreamName"_qs }, { u"causationMessageGlobalPosition"_qs }, {},
        EventLinks::CausationTarget::GlobalPosition));
    Event e = withMetadata(R"({"causationMessageGlobalPosition": 77})");
    CHECK(messageDb.causation(e).kind == Causation::Kind::None);
    e.causationId = QStringLiteral("77");
    Causation cause = messageDb.causation(e);
    CHECK(cause.kind == Causation::Kind::Position);
    CHECK(cause.position == 77);
    e.causationId = QStringLiteral("order-7");
    CHECK(messageDb.causation(e).kind == Causation::Kind::NotAPosition);

    // By id: where the event repeats its own id, the causing event repeats its id.
    const EventNavigator emmett(links({ u"correlationId"_qs }, { u"causationId"_qs }, { u"messageId"_qs }));
    e = withMetadata(R"({"messageId": "m-1", "causationId": "m-0"})");
    e.id = QStringLiteral("m-1");
    e.causationId = QStringLiteral("m-0");
    cause = emmett.causation(e);
    REQUIRE(cause.kind == Causation::Kind::Lookup);
    REQUIRE(cause.query.filter.conditions.size() == 1);
    CHECK(cause.query.filter.conditions[0].toString() == QLatin1String("metadata.messageId = 'm-0'"));
    CHECK(cause.query.from == 40);
    CHECK(cause.query.backward);
    CHECK(cause.query.limit == 1);
    // A layout whose ids are position-free reads from the end.
    e.position = -1;
    CHECK(emmett.causation(e).query.from == -1);

    // No id key in the profile: a key holding the event's own id is searched for, preferring "id"-like names.
    e = withMetadata(R"({"a": "e-7", "eventId": "e-7"})");
    e.id = QStringLiteral("e-7");
    e.causationId = QStringLiteral("e-6");
    cause = EventNavigator().causation(e);
    REQUIRE(cause.kind == Causation::Kind::Lookup);
    CHECK(cause.query.filter.conditions[0].path.toKeys() == QStringList { u"eventId"_qs });
    CHECK(cause.query.filter.conditions[0].value == QVariant(QStringLiteral("e-6")));

    e = withMetadata(R"({"other": "x"})");
    e.id = QStringLiteral("e-7");
    e.causationId = QStringLiteral("e-6");
    CHECK(EventNavigator().causation(e).kind == Causation::Kind::Unreachable);
    e.id.clear();
    CHECK(EventNavigator().causation(e).kind == Causation::Kind::Unreachable);
}

TEST_CASE(
    "Navigator: on an Emmett store the links come from the profile and lead to the right events", "[navigate][sqlite]")
{
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    Spec spec;
    spec.events = 300;
    const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("n.sqlite")), spec);
    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info(false);
    CHECK(info.links.correlationKeys == QStringList { u"correlationId"_qs });
    CHECK(info.links.idKeys == QStringList { u"messageId"_qs });
    const EventNavigator navigator(info.links);

    EventQuery at;
    at.from = 51; // event 50: correlation c-7 (events 49..55), caused by event 49 at position 50
    at.limit = 1;
    const Event e = store->events(at).events.at(0);
    REQUIRE(e.position == 51);

    const Correlation found = navigator.correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    EventQuery same;
    same.filter.conditions.push_back(found.condition);
    same.limit = 100;
    std::vector<qint64> positions;
    for (const Event& x : store->events(same).events) {
        CHECK(x.correlationId == e.correlationId);
        positions.push_back(x.position);
    }
    CHECK(positions == std::vector<qint64> { 50, 51, 52, 53, 54, 55, 56 });

    const Causation cause = navigator.causation(e);
    REQUIRE(cause.kind == Causation::Kind::Lookup);
    CHECK(EventNavigator::locate(*store, cause) == 50);

    // The first event's cause is not in the store.
    at.from = 1;
    const Event first = store->events(at).events.at(0);
    CHECK(EventNavigator::locate(*store, navigator.causation(first)) == -1);
}

TEST_CASE("Navigator: on Message DB a causation is a global position", "[navigate][pg]")
{
    ES_REQUIRE_PG("Message DB navigation test")
    es::test::PgTestDatabase db(QStringLiteral("navigate"), { QStringLiteral("messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    const StoreInfo info = store->info(false);
    CHECK(info.links.causationTarget == EventLinks::CausationTarget::GlobalPosition);
    EventQuery q;
    q.limit = 1;
    const Event e = store->events(q).events.at(0);
    REQUIRE(e.causationId == QLatin1String("77"));
    const Causation cause = EventNavigator(info.links).causation(e);
    CHECK(cause.kind == Causation::Kind::Position);
    CHECK(EventNavigator::locate(*store, cause) == 77);
    const Correlation found = EventNavigator(info.links).correlation(e);
    REQUIRE(found.kind == Correlation::Kind::Filter);
    CHECK(found.condition.toString() == QLatin1String("metadata.correlationStreamName = 'order-1'"));
    EventQuery same;
    same.filter.conditions.push_back(found.condition);
    const EventList all = store->events(same).events;
    REQUIRE(all.size() == 1);
    CHECK(all[0].position == e.position);
}
