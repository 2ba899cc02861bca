#include <catch2/catch.hpp>

#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTimeZone>

#include <atomic>
#include <chrono>
#include <thread>

using namespace es;
using namespace es::test;
using Msg = EmmettWriter::Message;

namespace {

// Eight visible events (positions 1-6, 8, 9) and one command (position 7) across five streams.
void writeShop(const QString& path)
{
    EmmettWriter w(path);
    w.append(QStringLiteral("account-1"),
        { Msg { QStringLiteral("AccountOpened"), R"({"owner":"alice","amount":0})", {},
            QStringLiteral("2024-03-01 10:00:00") } },
        QStringLiteral("c-1"));
    w.append(QStringLiteral("order-a1-b2"),
        { Msg { QStringLiteral("OrderPlaced"),
            R"({"items":[{"sku":"X-1","qty":2},{"sku":"Y-9","qty":1}],"amount":250,"customer":{"address":{"city":"Oslo"}}})",
            {}, QStringLiteral("2024-03-01 11:00:00") } },
        QStringLiteral("c-2"));
    w.append(QStringLiteral("account-1"),
        { Msg { QStringLiteral("Deposited"), R"({"amount":150})",
            { { QStringLiteral("userId"), QStringLiteral("u-7") } }, QStringLiteral("2024-03-02 09:00:00") } },
        QStringLiteral("c-1"), QStringLiteral("account-1-msg-1"));
    w.append(QStringLiteral("account-2"),
        { Msg { QStringLiteral("AccountOpened"), R"({"owner":"bob"})", {}, QStringLiteral("2024-03-02 12:00:00") } });
    w.append(QStringLiteral("order:command+x-99"),
        { Msg { QStringLiteral("OrderRequested"), R"({"amount":101})", {}, QStringLiteral("2024-03-03 08:00:00") } });
    Msg audit { QStringLiteral("DoAudit"), R"({})", {}, QStringLiteral("2024-03-04 10:00:01") };
    audit.command = true;
    w.append(QStringLiteral("account-1"),
        { Msg { QStringLiteral("Withdrawn"), R"({"amount":50})", {}, QStringLiteral("2024-03-04 10:00:00") }, audit });
    w.append(QStringLiteral("shipment"), { Msg { QStringLiteral("ShipmentCreated"), R"({"to":"Oslo"})" } });
    w.append(QStringLiteral("account-2"),
        { Msg { QStringLiteral("Deposited"), R"({"amount":99.5})",
            { { QStringLiteral("userId"), QStringLiteral("u-8") } }, QStringLiteral("2024-03-05 10:00:00") } });
}

std::vector<qint64> positions(const EventPage& page)
{
    std::vector<qint64> out;
    for (const Event& e : page.events)
        out.push_back(e.position);
    return out;
}

std::vector<qint64> find(EventStore& store, const QString& conditions)
{
    EventQuery q;
    QString error;
    REQUIRE(EventFilter::parseConditions(conditions, &q.filter.conditions, &error));
    return positions(store.events(q));
}

QDateTime utc(const char* iso)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate);
    t.setTimeZone(QTimeZone::utc());
    return t;
}

} // namespace

TEST_CASE("Emmett store: events come back exactly as the client wrote them", "[sqlite][emmett]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);

    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info();
    CHECK(info.engine == QLatin1String("sqlite"));
    CHECK(info.layout == QLatin1String("emmett"));
    CHECK(info.candidateLayouts == QStringList { QStringLiteral("emmett") });
    CHECK(info.firstPosition == 1);
    CHECK(info.headPosition == 9);
    CHECK(info.streamCount == 5);
    CHECK(info.eventCount == 9); // from emt_streams: counts the command too (documented in the notes)
    CHECK(info.firstTime == utc("2024-03-01T10:00:00"));
    CHECK(info.lastTime.isValid()); // position 9 is the last event

    const EventPage page = store->events({});
    REQUIRE(positions(page) == std::vector<qint64> { 1, 2, 3, 4, 5, 6, 8, 9 });
    CHECK(page.atEnd);
    const Event& deposited = page.events[2];
    CHECK(deposited.stream == QLatin1String("account-1"));
    CHECK(deposited.version == 2);
    CHECK(deposited.type == QLatin1String("Deposited"));
    CHECK(deposited.time == utc("2024-03-02T09:00:00"));
    CHECK(deposited.id == QLatin1String("account-1-msg-2"));
    CHECK(deposited.data.isJson());
    CHECK(deposited.data.bytes == QByteArray(R"({"amount":150})"));
    CHECK(deposited.metadata.isJson());
    CHECK(QJsonDocument::fromJson(deposited.metadata.bytes).object().value(QLatin1String("userId")).toString()
        == QLatin1String("u-7"));
    CHECK(deposited.correlationId == QLatin1String("c-1"));
    CHECK(deposited.causationId == QLatin1String("account-1-msg-1"));
    CHECK(page.events[3].correlationId.isEmpty());
    // The command in account-1 (position 7) is hidden; the withdrawal keeps its version.
    CHECK(page.events[5].type == QLatin1String("Withdrawn"));
    CHECK(page.events[5].version == 3);
    // created left to its default (CURRENT_TIMESTAMP) is UTC now.
    const Event& shipment = page.events[6];
    CHECK(shipment.stream == QLatin1String("shipment"));
    REQUIRE(shipment.time.isValid());
    CHECK(qAbs(shipment.time.secsTo(QDateTime::currentDateTimeUtc())) < 120);
}

TEST_CASE("Emmett store: streams, categories and one stream", "[sqlite][emmett]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);
    auto store = StoreRegistry::open(path);

    const CategoryList cats = store->categories();
    REQUIRE(cats.size() == 4);
    CHECK(cats[0].name == QLatin1String("account"));
    CHECK(cats[0].streams == 2);
    CHECK(cats[1].name == QLatin1String("order"));
    CHECK(cats[2].name == QLatin1String("order:command+x"));
    CHECK(cats[3].name == QLatin1String("shipment"));

    StreamQuery all;
    StreamList streams = store->streams(all);
    REQUIRE(streams.size() == 5);
    QStringList names;
    for (const StreamInfo& s : streams)
        names.append(s.name);
    CHECK(names
        == QStringList { QStringLiteral("account-1"), QStringLiteral("account-2"), QStringLiteral("order-a1-b2"),
            QStringLiteral("order:command+x-99"), QStringLiteral("shipment") });
    CHECK(streams[2].category == QLatin1String("order"));
    CHECK(streams[3].category == QLatin1String("order:command+x"));
    CHECK(streams[4].category == QLatin1String("shipment"));

    // Keyset paging over names.
    StreamQuery firstTwo;
    firstTwo.limit = 2;
    streams = store->streams(firstTwo);
    REQUIRE(streams.size() == 2);
    StreamQuery rest;
    rest.after = streams.back().name;
    rest.limit = 2;
    streams = store->streams(rest);
    REQUIRE(streams.size() == 2);
    CHECK(streams[0].name == QLatin1String("order-a1-b2"));

    StreamQuery prefix;
    prefix.prefix = QStringLiteral("order");
    CHECK(store->streams(prefix).size() == 2);
    StreamQuery contains;
    contains.contains = QStringLiteral("+x");
    REQUIRE(store->streams(contains).size() == 1);
    StreamQuery category;
    category.category = QStringLiteral("order");
    streams = store->streams(category);
    REQUIRE(streams.size() == 1);
    CHECK(streams[0].name == QLatin1String("order-a1-b2"));

    StreamQuery stats;
    stats.prefix = QStringLiteral("account-1");
    stats.withStats = true;
    streams = store->streams(stats);
    REQUIRE(streams.size() == 1);
    CHECK(streams[0].events == 3); // exact with stats: the command is not an event
    CHECK(streams[0].version == 3);
    CHECK(streams[0].firstTime == utc("2024-03-01T10:00:00"));
    CHECK(streams[0].lastTime == utc("2024-03-04T10:00:00"));

    const auto one = store->stream(QStringLiteral("order:command+x-99"));
    REQUIRE(one);
    CHECK(one->category == QLatin1String("order:command+x"));
    CHECK(one->events == 1);
    CHECK_FALSE(store->stream(QStringLiteral("nope-1")));
}

TEST_CASE("Emmett store: paging forward and backward with keysets", "[sqlite][emmett]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);
    auto store = StoreRegistry::open(path);

    EventQuery q;
    q.limit = 3;
    EventPage page = store->events(q);
    CHECK(positions(page) == std::vector<qint64> { 1, 2, 3 });
    CHECK_FALSE(page.atEnd);
    REQUIRE(page.next == 4);
    q.from = page.next;
    page = store->events(q);
    CHECK(positions(page) == std::vector<qint64> { 4, 5, 6 });
    q.from = page.next;
    page = store->events(q);
    CHECK(positions(page) == std::vector<qint64> { 8, 9 });
    CHECK(page.atEnd);

    EventQuery back;
    back.backward = true;
    back.limit = 3;
    page = store->events(back);
    CHECK(positions(page) == std::vector<qint64> { 9, 8, 6 });
    REQUIRE(page.next == 5);
    back.from = page.next;
    page = store->events(back);
    CHECK(positions(page) == std::vector<qint64> { 5, 4, 3 });
    back.from = 2;
    back.to = 2;
    page = store->events(back);
    CHECK(positions(page) == std::vector<qint64> { 2 });
    CHECK(page.atEnd);

    EventQuery stream;
    stream.filter.stream = QStringLiteral("account-1");
    stream.from = 2;
    stream.to = 3;
    page = store->events(stream);
    REQUIRE(page.events.size() == 2);
    CHECK(page.events[0].version == 2);
    CHECK(page.events[1].version == 3);
    stream.backward = true;
    stream.from = -1;
    stream.to = -1;
    stream.limit = 1;
    page = store->events(stream);
    REQUIRE(page.events.size() == 1);
    CHECK(page.events[0].version == 3);
    CHECK(page.next == 2);

    EventQuery category;
    category.filter.category = QStringLiteral("account");
    CHECK(positions(store->events(category)) == std::vector<qint64> { 1, 3, 4, 6, 9 });
    category.filter.category = QStringLiteral("order");
    CHECK(positions(store->events(category)) == std::vector<qint64> { 2 });

    ScopeStats all = store->scopeStats({});
    CHECK(all.count == 8);
    CHECK(all.firstKey == 1);
    CHECK(all.lastKey == 9);
    CHECK_FALSE(all.dense());
    EventFilter acc1;
    acc1.stream = QStringLiteral("account-1");
    const ScopeStats s = store->scopeStats(acc1);
    CHECK(s.count == 3);
    CHECK(s.dense());
    CHECK(store->keyAnchors({}, 3) == std::vector<qint64> { 1, 4, 8 });
    CHECK(store->keyAnchors(acc1, 2) == std::vector<qint64> { 1, 3 });
}

TEST_CASE("Emmett store: filters run in SQL", "[sqlite][emmett][filter]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);
    auto store = StoreRegistry::open(path);

    EventQuery types;
    types.filter.types = { QStringLiteral("Deposited") };
    CHECK(positions(store->events(types)) == std::vector<qint64> { 3, 9 });
    types.filter.types = { QStringLiteral("Deposited"), QStringLiteral("OrderPlaced") };
    CHECK(positions(store->events(types)) == std::vector<qint64> { 2, 3, 9 });

    EventQuery time;
    time.filter.fromTime = utc("2024-03-02T00:00:00");
    time.filter.toTime = utc("2024-03-04T00:00:00");
    CHECK(positions(store->events(time)) == std::vector<qint64> { 3, 4, 5 });
    time.filter.toTime = utc("2024-03-02T09:00:00"); // exclusive
    CHECK(positions(store->events(time)).empty());

    EventQuery text;
    text.filter.text = QStringLiteral("alice");
    CHECK(positions(store->events(text)) == std::vector<qint64> { 1 });
    text.filter.text = QStringLiteral("u-8"); // in metadata
    CHECK(positions(store->events(text)) == std::vector<qint64> { 9 });

    CHECK(find(*store, QStringLiteral("data.amount > 100")) == std::vector<qint64> { 2, 3, 5 });
    CHECK(find(*store, QStringLiteral("data.amount <= 99.5")) == std::vector<qint64> { 1, 6, 9 });
    CHECK(find(*store, QStringLiteral("metadata.userId = 'u-7'")) == std::vector<qint64> { 3 });
    CHECK(find(*store, QStringLiteral("data.items[1].sku = 'Y-9'")) == std::vector<qint64> { 2 });
    CHECK(find(*store, QStringLiteral("data.items[0].qty >= 2")) == std::vector<qint64> { 2 });
    CHECK(find(*store, QStringLiteral("data.customer.address.city = 'Oslo'")) == std::vector<qint64> { 2 });
    CHECK(find(*store, QStringLiteral("data.amount exists")) == std::vector<qint64> { 1, 2, 3, 5, 6, 9 });
    CHECK(find(*store, QStringLiteral("data.owner != 'alice'")) == std::vector<qint64> { 2, 3, 4, 5, 6, 8, 9 });
    CHECK(find(*store, QStringLiteral("data.owner ~ 'li'")) == std::vector<qint64> { 1 });
    CHECK(find(*store, QStringLiteral("data.amount > 100 and metadata.correlationId = 'c-1'"))
        == std::vector<qint64> { 3 });
    // A text value never compares as a number.
    CHECK(find(*store, QStringLiteral("data.owner > 5")).empty());

    EventQuery combined;
    combined.filter.category = QStringLiteral("account");
    combined.filter.types = { QStringLiteral("Deposited") };
    QString error;
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.amount > 100"), &combined.filter.conditions, &error));
    CHECK(positions(store->events(combined)) == std::vector<qint64> { 3 });

    EventQuery inStream;
    inStream.filter.stream = QStringLiteral("account-2");
    inStream.filter.types = { QStringLiteral("Deposited") };
    const EventPage page = store->events(inStream);
    REQUIRE(page.events.size() == 1);
    CHECK(page.events[0].version == 2);
}

TEST_CASE("Emmett store: a scan window bounds filtered reads and resumes by key", "[sqlite][emmett][filter]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);
    auto store = StoreRegistry::open(path);

    EventQuery q;
    q.filter.types = { QStringLiteral("Deposited") };
    q.scanWindow = 4;
    EventPage page = store->events(q);
    CHECK(positions(page) == std::vector<qint64> { 3 });
    CHECK(page.windowExhausted);
    CHECK_FALSE(page.atEnd);
    REQUIRE(page.next == 5);
    q.from = page.next;
    page = store->events(q);
    CHECK(page.events.empty());
    CHECK(page.windowExhausted);
    REQUIRE(page.next == 9);
    q.from = page.next;
    page = store->events(q);
    CHECK(positions(page) == std::vector<qint64> { 9 });
    CHECK(page.atEnd);
    CHECK_FALSE(page.windowExhausted);

    EventQuery back;
    back.filter.types = { QStringLiteral("AccountOpened") };
    back.backward = true;
    back.scanWindow = 5;
    page = store->events(back);
    CHECK(page.events.empty()); // keys 9..5 hold no AccountOpened
    CHECK(page.windowExhausted);
    REQUIRE(page.next == 4);
    back.from = page.next;
    page = store->events(back);
    CHECK(positions(page) == std::vector<qint64> { 4, 1 });
    CHECK(page.atEnd);

    // The limit is reached inside the window: continue after the last match.
    EventQuery limited;
    limited.filter.types = { QStringLiteral("AccountOpened"), QStringLiteral("Deposited") };
    limited.scanWindow = 100;
    limited.limit = 2;
    page = store->events(limited);
    CHECK(positions(page) == std::vector<qint64> { 1, 3 });
    CHECK_FALSE(page.windowExhausted);
    CHECK(page.next == 4);
}

TEST_CASE("Emmett store: user-typed values cannot change the SQL or the file", "[sqlite][emmett][security]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    writeShop(path);
    const QByteArray before = fileDigest(path);
    const QDateTime mtime = QFileInfo(path).lastModified();

    const QStringList attacks = { QStringLiteral("x' OR '1'='1"), QStringLiteral("\"); DROP TABLE emt_messages; --"),
        QStringLiteral("'; DELETE FROM emt_messages; --"), QStringLiteral("account-1' --"), QStringLiteral("%"),
        QStringLiteral("_"), QStringLiteral("1) OR (1=1") };
    {
        auto store = StoreRegistry::open(path);
        for (const QString& a : attacks) {
            INFO(a.toStdString());
            EventQuery q;
            q.filter.stream = a;
            CHECK(store->events(q).events.empty());
            q.filter = {};
            q.filter.category = a;
            CHECK(store->events(q).events.empty());
            q.filter = {};
            q.filter.types = { a };
            CHECK(store->events(q).events.empty());
            q.filter = {};
            q.filter.text = a;
            CHECK(store->events(q).events.empty());
            JsonCondition c;
            c.path = JsonPath::objectKeys({ a });
            c.op = JsonCondition::Op::Eq;
            c.value = a;
            q.filter = {};
            q.filter.conditions = { c };
            CHECK(store->events(q).events.empty());
            c.path = JsonPath::objectKeys({ QStringLiteral("owner") });
            q.filter.conditions = { c };
            CHECK(store->events(q).events.empty());
            StreamQuery s;
            s.prefix = a;
            CHECK(store->streams(s).empty());
            s = {};
            s.contains = a;
            CHECK(store->streams(s).empty());
            s = {};
            s.category = a;
            CHECK(store->streams(s).empty());
            CHECK_FALSE(store->stream(a));
            EventFilter f;
            f.stream = a;
            CHECK(store->scopeStats(f).count == 0);
        }
        CHECK(store->events({}).events.size() == 8);
    }
    CHECK(fileDigest(path) == before);
    CHECK(QFileInfo(path).lastModified() == mtime);
    CHECK_FALSE(QFileInfo::exists(path + QStringLiteral("-journal")));
}

TEST_CASE("Emmett store: reading while a writer appends in WAL mode", "[sqlite][emmett][concurrency]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("live.sqlite"));
    {
        EmmettWriter w(path, true);
        w.append(QStringLiteral("live-1"), { Msg { QStringLiteral("Started"), R"({"n":0})" } });
    }
    auto store = StoreRegistry::open(path);
    std::atomic<bool> writerFailed = false;
    std::thread writer([&] {
        try {
            EmmettWriter w(path, true);
            for (int i = 1; i <= 300; ++i) {
                if (i % 10 == 0)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                w.append(QStringLiteral("live-%1").arg(i % 7),
                    { Msg { QStringLiteral("Ticked"), QByteArray("{\"n\":") + QByteArray::number(i) + '}' } });
            }
        } catch (const std::exception& e) {
            UNSCOPED_INFO(e.what());
            writerFailed = true;
        }
    });
    qint64 lastHead = 0;
    int reads = 0;
    bool sawGrowth = false;
    while (reads < 2000) {
        ++reads;
        const StoreInfo info = store->info();
        REQUIRE(info.headPosition >= lastHead);
        sawGrowth = sawGrowth || (lastHead > 0 && info.headPosition > lastHead);
        lastHead = info.headPosition;
        EventQuery q;
        q.backward = true;
        q.limit = 20;
        const EventPage page = store->events(q);
        REQUIRE(!page.events.empty());
        for (size_t i = 1; i < page.events.size(); ++i)
            REQUIRE(page.events[i].position < page.events[i - 1].position);
        if (lastHead == 301)
            break;
    }
    writer.join();
    CHECK_FALSE(writerFailed);
    CHECK(store->info().headPosition == 301);
    CHECK(store->scopeStats({}).count == 301);
    CHECK(sawGrowth);
}

namespace {

class EncodingReceiver : public RawEventReceiver {
public:
    bool row(const RawEvent& event) override
    {
        encodings.push_back(event.dataEncoding);
        return true;
    }
    std::vector<Payload::Encoding> encodings;
};

} // namespace

TEST_CASE(
    "SQLite: a payload too large for json_valid() is classified by the bytes, as a small one is", "[sqlite][payload]")
{
    // Above kLargePayloadBytes the statement leaves the JSON check undecided (SQLite's json_valid() holds a node per
    // token: 3.2 GB for 500 MB); the reader scans the bytes itself and must reach the same answer.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.sqlite"));
    QByteArray json = "{\"items\":[";
    while (json.size() <= kLargePayloadBytes)
        json += "{\"sku\":\"X-1\",\"qty\":2,\"price\":12.5,\"note\":\"a b c\"},";
    json.chop(1);
    json += "]}";
    QByteArray notJson = json;
    notJson.chop(1); // an unclosed object: text, not JSON
    {
        EmmettWriter w(path);
        w.append(QStringLiteral("order-1"),
            { Msg { QStringLiteral("Big"), json }, Msg { QStringLiteral("Broken"), notJson },
                Msg { QStringLiteral("Small"), R"({"a":1})" } });
    }
    auto store = StoreRegistry::open(path);
    const EventList events = readAll(*store);
    REQUIRE(events.size() == 3);
    CHECK(events[0].data.encoding == Payload::Encoding::Json);
    CHECK(events[0].data.bytes.size() == json.size());
    CHECK(events[1].data.encoding == Payload::Encoding::Text);
    CHECK(events[2].data.encoding == Payload::Encoding::Json);

    EncodingReceiver raw;
    EventQuery q;
    q.limit = 0;
    REQUIRE(store->readRaw(q, raw));
    CHECK(raw.encodings
        == std::vector<Payload::Encoding> {
            Payload::Encoding::Json, Payload::Encoding::Text, Payload::Encoding::Json });
}
