#include <catch2/catch.hpp>

#include "layouts/profile.h"
#include "store/eventstore.h"

#include <QJsonDocument>

using namespace es;

namespace {

QJsonObject json(const char* text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

QString errorOf(const char* text, const QString& engine = QStringLiteral("sqlite"))
{
    try {
        Profile::fromJson(json(text), engine, QStringLiteral("test.json"));
    } catch (const StoreError& e) {
        return e.message();
    }
    return {};
}

const char* minimal = R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
    "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"}})";

} // namespace

TEST_CASE("Built-in profiles load and say where they came from", "[profile]")
{
    const QStringList names = ProfileRegistry::names();
    CHECK(names.contains(QStringLiteral("emmett")));
    CHECK(names.contains(QStringLiteral("eventsourcing")));
    for (const ProfileRegistry::Entry& entry : ProfileRegistry::entries()) {
        const QString& name = entry.name;
        INFO(name.toStdString());
        const auto p = ProfileRegistry::find(name, entry.engines.value(0, QStringLiteral("sqlite")));
        REQUIRE(p);
        CHECK_FALSE(p->title.isEmpty());
        CHECK_FALSE(p->sources.isEmpty());
        CHECK_FALSE(p->tables.empty());
    }
    const auto emmett = ProfileRegistry::find(QStringLiteral("emmett"), QStringLiteral("sqlite"));
    REQUIRE(emmett);
    CHECK(emmett->events.where.contains(QLatin1String("message_kind = 'E'")));
    CHECK(emmett->correlationKeys == QStringList { QStringLiteral("correlationId") });
    CHECK(emmett->checkpoints.size() == 2);
    CHECK(emmett->streams.versionIsCount);
    const auto es = ProfileRegistry::find(QStringLiteral("eventsourcing"), QStringLiteral("sqlite"));
    REQUIRE(es);
    CHECK(es->correlationKeys.isEmpty());
    CHECK(es->streams.table.isEmpty());
    CHECK_FALSE(ProfileRegistry::find(QStringLiteral("messagedb"), QStringLiteral("sqlite")));
}

TEST_CASE("Profile validation gives clear errors", "[profile]")
{
    CHECK(errorOf(minimal).isEmpty());
    CHECK(errorOf(R"({"name": "m"})").contains(QLatin1String("\"detect\" is required")));
    CHECK(errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["e"]}]}, "events": {"table": "{t}"}})")
              .contains(QLatin1String("events.position")));
    const QString typo = errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d", "tyme": "x"}})");
    CHECK(typo.contains(QLatin1String("events.tyme")));
    CHECK(typo.contains(QLatin1String("test.json")));
    CHECK(errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{nope}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"}})")
              .contains(QLatin1String("{nope}")));
    CHECK(errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d", "timeFilter": "sundial"}})")
              .contains(QLatin1String("timeFilter")));
}

TEST_CASE("Engine sub-objects merge over the base profile", "[profile]")
{
    const char* text = R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d", "where": "a = 1"},
        "postgresql": {"events": {"data": "d::text", "where": "a"}, "title": "On PG"}})";
    const Profile lite = Profile::fromJson(json(text), QStringLiteral("sqlite"));
    CHECK(lite.events.data == QLatin1String("d"));
    CHECK(lite.title == QLatin1String("m"));
    const Profile pg = Profile::fromJson(json(text), QStringLiteral("postgresql"));
    CHECK(pg.events.data == QLatin1String("d::text"));
    CHECK(pg.events.where == QLatin1String("a"));
    CHECK(pg.events.stream == QLatin1String("s"));
    CHECK(pg.title == QLatin1String("On PG"));

    const Profile resolved = lite.resolved({ { QStringLiteral("t"), QStringLiteral("my \"events\"") } });
    CHECK(resolved.events.table == QLatin1String("\"my \"\"events\"\"\""));
}

TEST_CASE("Profiles say what a causation reference names and where ids repeat", "[profile][navigate]")
{
    const Profile plain = Profile::fromJson(json(minimal), QStringLiteral("sqlite"));
    CHECK(plain.links().isEmpty());
    CHECK(plain.links().causationTarget == EventLinks::CausationTarget::EventId);

    const char* byPosition = R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"},
        "correlation": {"correlation": "corr", "causation": ["cause", "cause2"], "causationTarget": "position",
        "id": ["eventId"]}})";
    const EventLinks links = Profile::fromJson(json(byPosition), QStringLiteral("sqlite")).links();
    CHECK(links.correlationKeys == QStringList { QStringLiteral("corr") });
    CHECK(links.causationKeys == QStringList { QStringLiteral("cause"), QStringLiteral("cause2") });
    CHECK(links.causationTarget == EventLinks::CausationTarget::GlobalPosition);
    CHECK(links.idKeys == QStringList { QStringLiteral("eventId") });

    const QString bad = errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"},
        "correlation": {"causationTarget": "version"}})");
    CHECK(bad.contains(QLatin1String("correlation.causationTarget")));
    CHECK(bad.contains(QLatin1String("version")));
    CHECK(errorOf(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["events"]}]},
        "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"},
        "correlation": {"ids": ["x"]}})")
              .contains(QLatin1String("correlation.ids")));

    const auto messageDb = ProfileRegistry::find(QStringLiteral("messagedb"), QStringLiteral("postgresql"));
    REQUIRE(messageDb);
    CHECK(messageDb->links().causationTarget == EventLinks::CausationTarget::GlobalPosition);
    CHECK(messageDb->links().causationKeys == QStringList { QStringLiteral("causationMessageGlobalPosition") });
    const auto emmett = ProfileRegistry::find(QStringLiteral("emmett"), QStringLiteral("sqlite"));
    REQUIRE(emmett);
    CHECK(emmett->links().causationTarget == EventLinks::CausationTarget::EventId);
    CHECK(emmett->links().idKeys == QStringList { QStringLiteral("messageId") });
}
