#include <catch2/catch.hpp>

#include "core/payloadformat.h"
#include "layouts/profile.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

// Emmett 0.23 to 0.31 on SQLite (event-driven-io/emmett tag 0.31.0 src/packages/emmett-sqlite/src/eventStore/schema/
// tables.ts and appendToStream.ts): the stream row inserted (or its position moved), then the events in one INSERT
// with stream_position = expected + metadata.streamPosition (from 1), is_archived false; no message_kind.
class EmmettSqlite031 {
public:
    explicit EmmettSqlite031(const QString& path)
        : m_db(path)
    {
        m_db.exec(QStringLiteral(R"(CREATE TABLE IF NOT EXISTS emt_streams(
      stream_id         TEXT                      NOT NULL,
      stream_position   BIGINT                    NOT NULL DEFAULT 0,
      partition         TEXT                      NOT NULL DEFAULT 'global__global',
      stream_type       TEXT                      NOT NULL,
      stream_metadata   JSONB                     NOT NULL,
      is_archived       BOOLEAN                   NOT NULL DEFAULT FALSE,
      PRIMARY KEY (stream_id, stream_position, partition, is_archived),
      UNIQUE (stream_id, partition, is_archived)
  ))"));
        m_db.exec(QStringLiteral(R"(CREATE TABLE IF NOT EXISTS emt_events(
      stream_id              TEXT                      NOT NULL,
      stream_position        BIGINT                    NOT NULL,
      partition              TEXT                      NOT NULL DEFAULT 'global',
      event_data             JSONB                     NOT NULL,
      event_metadata         JSONB                     NOT NULL,
      event_schema_version   TEXT                      NOT NULL,
      event_type             TEXT                      NOT NULL,
      event_id               TEXT                      NOT NULL,
      is_archived            BOOLEAN                   NOT NULL DEFAULT FALSE,
      global_position        INTEGER                   PRIMARY KEY,
      created                DATETIME                  DEFAULT CURRENT_TIMESTAMP,
      UNIQUE (stream_id, stream_position, partition, is_archived)
  ))"));
    }
    void append(const QString& stream, const QString& type, const QString& data, const QString& id)
    {
        m_db.exec(QStringLiteral("BEGIN"));
        const qint64 expected = m_versions.value(stream, 0);
        if (expected == 0)
            m_db.exec(QStringLiteral("INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                                     "stream_metadata, is_archived) VALUES (?, ?, ?, ?, '[]', false)"),
                { stream, 1, QStringLiteral("partition"), QStringLiteral("type") });
        else
            m_db.exec(QStringLiteral("UPDATE emt_streams SET stream_position = stream_position + ? WHERE stream_id = ? "
                                     "AND partition = ? AND is_archived = false"),
                { 1, stream, QStringLiteral("partition") });
        const QString metadata
            = QStringLiteral(R"({"streamName":"%1","eventId":"%2","streamPosition":"1"})").arg(stream, id);
        m_db.exec(QStringLiteral("INSERT INTO emt_events (stream_id, stream_position, partition, event_data, "
                                 "event_metadata, event_schema_version, event_type, event_id, is_archived) VALUES "
                                 "(?,?,?,?,?,?,?,?,?)"),
            { stream, expected + 1, QStringLiteral("emt:default"), data, metadata, expected, type, id, 0 });
        m_db.exec(QStringLiteral("COMMIT"));
        m_versions[stream] = expected + 1;
    }

private:
    Db m_db;
    QHash<QString, qint64> m_versions;
};

} // namespace

TEST_CASE("Emmett 0.31 on SQLite: emt_events before the rename", "[layout][sqlite][emmett][versions]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett031.sqlite"));
    {
        EmmettSqlite031 w(path);
        w.append(QStringLiteral("cart-1"), QStringLiteral("ItemAdded"), QStringLiteral(R"({"sku":"Zoë"})"),
            QStringLiteral("e-1"));
        w.append(QStringLiteral("order-2"), QStringLiteral("OrderPlaced"), QStringLiteral("{}"), QStringLiteral("e-2"));
        w.append(QStringLiteral("cart-1"), QStringLiteral("ItemRemoved"), QStringLiteral("{}"), QStringLiteral("e-3"));
    }
    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("emmett"));
    CHECK(info.candidateLayouts == QStringList { QStringLiteral("emmett") });
    CHECK(info.layoutTitle == QLatin1String("Emmett 0.20 to 0.31 (SQLite, emt_events)"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == QStringList { QStringLiteral("1 cart-1@1 ItemAdded"), QStringLiteral("2 order-2@1 OrderPlaced"),
            QStringLiteral("3 cart-1@2 ItemRemoved") });
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == QLatin1String("e-1"));
    CHECK(all[0].data.isJson());
    CHECK(all[0].time.isValid());
    CHECK(summary(readStream(*store, QStringLiteral("cart-1")), false).size() == 2);
    CHECK(streamNames(*store) == QStringList { QStringLiteral("cart-1"), QStringLiteral("order-2") });
    CHECK(categoryOfStream(*store, QStringLiteral("order-2")) == QLatin1String("order"));
    CHECK(info.eventCount == 3);
}

TEST_CASE("Profile variants: merged over the base for each engine, validated, named", "[layout][profile][versions]")
{
    const QJsonObject object = QJsonDocument::fromJson(R"J({"name": "v", "title": "V",
        "detect": {"tables": [{"as": "m", "names": ["new_messages"], "columns": ["a"]}]},
        "events": {"table": "{m}", "position": "p", "stream": "s", "version": "v", "type": "t", "data": "d"},
        "postgresql": {"events": {"data": "d::text"}},
        "variants": [
          {"variant": "V 1.x", "title": "V 1.x",
           "detect": {"tables": [{"as": "m", "names": ["old_messages"], "columns": ["b"]}]},
           "events": {"type": "old_t"},
           "sqlite": {"events": {"type": "lite_t"}}},
          {"variant": "V 0.x", "engines": ["postgresql"], "events": {"stream": "old_s"}}
        ]})J")
                                   .object();
    const Profile lite = Profile::fromJson(object, QStringLiteral("sqlite"), QStringLiteral("v.json"));
    REQUIRE(lite.variants.size() == 1);
    CHECK(lite.variant.isEmpty());
    CHECK(lite.variants[0].name == QLatin1String("v"));
    CHECK(lite.variants[0].variant == QLatin1String("V 1.x"));
    CHECK(lite.variants[0].tables.front().names == QStringList { QStringLiteral("old_messages") });
    CHECK(lite.variants[0].events.type == QLatin1String("lite_t"));
    CHECK(lite.variants[0].events.data == QLatin1String("d"));
    const Profile pg = Profile::fromJson(object, QStringLiteral("postgresql"), QStringLiteral("v.json"));
    REQUIRE(pg.variants.size() == 2);
    CHECK(pg.variants[0].events.type == QLatin1String("old_t"));
    CHECK(pg.variants[0].events.data == QLatin1String("d::text")); // the base's engine override carries over
    CHECK(pg.variants[1].events.stream == QLatin1String("old_s"));
    CHECK(pg.variants[1].tables.front().names == QStringList { QStringLiteral("new_messages") });
    CHECK(pg.resolved({ { QStringLiteral("m"), QStringLiteral("new_messages") } }).variants.empty());

    const auto fails = [](const QByteArray& json) {
        try {
            Profile::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("sqlite"), QStringLiteral("x"));
        } catch (const StoreError& e) {
            return e.message();
        }
        return QString();
    };
    const QByteArray base = R"J({"name": "v", "detect": {"tables": [{"as": "m", "names": ["x"]}]},
        "events": {"table": "{m}", "position": "p", "stream": "s", "version": "v", "type": "t", "data": "d"}, )J";
    CHECK(fails(base + QByteArray(R"J("variants": [{"events": {"type": "u"}}]})J"))
              .contains(QLatin1String("variants[0].variant")));
    CHECK(fails(base + QByteArray(R"J("variants": [{"variant": "a", "name": "other"}]})J"))
              .contains(QLatin1String("cannot be set in a variant")));
    CHECK(fails(base + QByteArray(R"J("variants": [{"variant": "a", "events": {"type": "{nope}"}}]})J"))
              .contains(QLatin1String("{nope}")));
    CHECK(fails(base + QByteArray(R"J("variant": "a"})J")).contains(QLatin1String("only inside")));
}

TEST_CASE("An \"each\" table reads every matching table as one union with its name", "[layout][profile][versions]")
{
    const QJsonObject object = QJsonDocument::fromJson(R"J({"name": "u",
        "detect": {"tables": [{"as": "s", "names": ["streams"]},
                              {"as": "t", "names": ["_*"], "columns": ["no", "Body"], "each": true}]},
        "events": {"table": "{t} t JOIN {s} s ON s.name = t.es_table", "position": "t.no", "stream": "s.name",
                   "version": "t.no", "type": "'x'", "data": "t.body"}})J")
                                   .object();
    const Profile p = Profile::fromJson(object, QStringLiteral("postgresql"), QStringLiteral("u.json"));
    REQUIRE(p.tables.size() == 2);
    CHECK(p.tables[1].each);
    const Profile r = p.resolved(
        { { QStringLiteral("s"), QStringLiteral("streams") }, { QStringLiteral("t"), QStringLiteral("_a\n_b'c") } },
        QStringLiteral("app"));
    CHECK(r.events.table
        == QLatin1String(R"((SELECT '_a' AS es_table, t."no", t."body" FROM "app"."_a" t UNION ALL )"
                         R"(SELECT '_b''c' AS es_table, t."no", t."body" FROM "app"."_b'c" t) t )"
                         R"(JOIN "app"."streams" s ON s.name = t.es_table)"));
    CHECK(r.tail.tables
        == QStringList {
            QStringLiteral(R"("app"."_a")"), QStringLiteral(R"("app"."_b'c")"), QStringLiteral(R"("app"."streams")") });

    const QJsonObject noColumns = QJsonDocument::fromJson(R"J({"name": "u",
        "detect": {"tables": [{"as": "t", "names": ["_*"], "each": true}]},
        "events": {"table": "{t}", "position": "p", "stream": "s", "version": "v", "type": "t", "data": "d"}})J")
                                      .object();
    CHECK_THROWS_AS(Profile::fromJson(noColumns, QStringLiteral("sqlite"), QStringLiteral("u.json")), StoreError);
}

TEST_CASE("Binary payloads are named by their signature; control bytes make bytes, not text", "[payload][versions]")
{
    CHECK(binaryFormat(Payload::sniff(QByteArray::fromHex("aced000574000568656c6c6f")))
        == QLatin1String("Java serialization"));
    CHECK(binaryFormat(Payload::sniff(QByteArray::fromHex("1f8b0800000000000203"))) == QLatin1String("gzip"));
    CHECK(binaryFormat(Payload::sniff(QByteArray::fromHex("d9d9f7a16161"))) == QLatin1String("CBOR"));
    CHECK(
        binaryFormat(Payload::sniff(QByteArray::fromHex("836d00000003616263"))) == QLatin1String("Erlang term format"));
    CHECK(binaryFormat(Payload::sniff(QByteArray::fromHex("789c4b4c4a0600024d0127"))) == QLatin1String("zlib"));
    CHECK(binaryFormat(Payload::sniff(QByteArray::fromHex("a1626174187b"))).isEmpty());
    CHECK(binaryFormat(Payload::sniff(QByteArray("{\"a\":1}"))).isEmpty());
    // Protobuf: field tags and lengths are control bytes, though every byte is ASCII.
    const Payload proto = Payload::sniff(QByteArray::fromHex("0a036162631064"));
    CHECK(proto.encoding == Payload::Encoding::Base64);
    CHECK(proto.preview().startsWith(QLatin1String("[binary 7 bytes] ")));
    CHECK(Payload::sniff(QByteArray("a\tb\r\nc\f")).encoding == Payload::Encoding::Text);
    CHECK(Payload::sniff(QByteArray("{\n\t\"a\": 1\r\n}")).encoding == Payload::Encoding::Json);
    CHECK(Payload::sniff(QByteArray("nul\0byte", 8)).encoding == Payload::Encoding::Base64);
    CHECK(Payload::sniff(QByteArray::fromHex("aced0005"))
              .preview()
              .startsWith(QLatin1String("[binary 4 bytes, Java serialization] ")));
}
