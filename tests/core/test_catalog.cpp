#include <catch2/catch.hpp>

#include "catalog/catalogcache.h"
#include "catalog/catalogscan.h"
#include "catalog/coverage.h"
#include "store/storeregistry.h"
#include "test_forwarding_store.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QFile>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

// The type catalog on stores written the way their clients write them, with drift planted at known positions:
// CustomerRegistered changes shape at position 9 (name -> firstName/lastName), data.zip turns from a number into a
// string at 11, LegacyPinged stops at 3, and customer-3 and customer-9 registered with one e-mail address.

namespace {

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* s : items)
        out.append(QString::fromUtf8(s));
    return out;
}

struct Planted {
    QString stream;
    QString type;
    QByteArray data;
};

std::vector<Planted> plantedEvents()
{
    std::vector<Planted> out;
    auto v1 = [](int i, const char* email) {
        return QStringLiteral(R"({"name":"Customer %1","email":"%2","zip":%3})")
            .arg(i)
            .arg(QLatin1String(email))
            .arg(1000 + i)
            .toUtf8();
    };
    auto v2 = [](int i, const char* email, bool zipText) {
        const QString zip = zipText ? QStringLiteral("\"%1\"").arg(2000 + i) : QString::number(2000 + i);
        return QStringLiteral(R"({"firstName":"F%1","lastName":"L%1","email":"%2","zip":%3})")
            .arg(i)
            .arg(QLatin1String(email), zip)
            .toUtf8();
    };
    const QString reg = QStringLiteral("CustomerRegistered");
    const QString ping = QStringLiteral("LegacyPinged");
    out.push_back({ QStringLiteral("customer-1"), reg, v1(1, "c1@x.io") }); // 1
    out.push_back({ QStringLiteral("ping-1"), ping, R"({"n":1})" }); // 2
    out.push_back({ QStringLiteral("ping-1"), ping, R"({"n":2})" }); // 3
    out.push_back({ QStringLiteral("customer-2"), reg, v1(2, "c2@x.io") }); // 4
    out.push_back({ QStringLiteral("customer-3"), reg, v1(3, "dup@x.io") }); // 5
    for (int i = 4; i <= 6; ++i) // 6-8
        out.push_back(
            { QStringLiteral("customer-%1").arg(i), reg, v1(i, QStringLiteral("c%1@x.io").arg(i).toLatin1()) });
    out.push_back({ QStringLiteral("customer-7"), reg, v2(7, "c7@x.io", false) }); // 9
    out.push_back({ QStringLiteral("customer-8"), reg, v2(8, "c8@x.io", false) }); // 10
    out.push_back({ QStringLiteral("customer-9"), reg, v2(9, "dup@x.io", true) }); // 11
    out.push_back({ QStringLiteral("customer-10"), reg, v2(10, "c10@x.io", true) }); // 12
    for (int i = 1; i <= 8; ++i) // 13-20
        out.push_back({ QStringLiteral("customer-%1").arg(i), QStringLiteral("AddressChanged"), R"({"city":"Oslo"})" });
    return out;
}

void writeEmmettSqlite(const QString& path, bool nonJson)
{
    EmmettWriter w(path);
    int second = 0;
    for (const Planted& p : plantedEvents()) {
        w.append(p.stream,
            { EmmettWriter::Message {
                p.type, p.data, {}, QStringLiteral("2024-05-01 10:00:%1").arg(second++, 2, 10, QLatin1Char('0')) } });
    }
    if (nonJson) {
        EmmettWriter::Message blob { QStringLiteral("Attachment"), QByteArray("\x89PNG\x00\x01", 6) };
        blob.rawBytes = true;
        w.append(QStringLiteral("blob-1"), { blob }); // 21
        w.append(QStringLiteral("note-1"), { { QStringLiteral("Note"), "<note>hi</note>" } }); // 22
        w.append(QStringLiteral("note-2"), { { QStringLiteral("Note"), "title: hi\nbody: there\n" } }); // 23
        w.append(QStringLiteral("note-3"), { { QStringLiteral("Note"), "just words" } }); // 24
    }
}

QString quoted(const QByteArray& text)
{
    QString q = QString::fromUtf8(text);
    q.replace(QLatin1String("'"), QLatin1String("''"));
    return u'\'' + q + u'\'';
}

// Emmett's appendToStream.ts on PostgreSQL: the stream row upserted, the message inserted with its transaction id.
QString emmettPgAppends()
{
    QString sql;
    QHash<QString, int> versions;
    int n = 0;
    for (const Planted& p : plantedEvents()) {
        const int version = ++versions[p.stream];
        ++n;
        const QString meta = QStringLiteral(R"({"streamName": "%1", "messageId": "m-%2", "streamPosition": %3})")
                                 .arg(p.stream)
                                 .arg(n)
                                 .arg(version);
        sql += QStringLiteral("BEGIN;\nINSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                              "stream_metadata) VALUES ('%1', %2, 'emt:default', '%3', '{}') ON CONFLICT (stream_id, "
                              "partition, is_archived) DO UPDATE SET stream_position = EXCLUDED.stream_position;\n"
                              "INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                              "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                              "transaction_id, created) VALUES ('%1', %2, 'emt:default', %4, %5, '0', '%6', 'E', "
                              "'m-%7', pg_current_xact_id(), timestamptz '2024-05-01 10:00:00+00' + interval '%7 "
                              "seconds');\nCOMMIT;\n")
                   .arg(p.stream)
                   .arg(version)
                   .arg(p.stream.section(u'-', 0, 0), quoted(p.data), quoted(meta.toUtf8()), p.type)
                   .arg(n);
    }
    return sql;
}

// Message DB: every message through write_message().
QString messageDbWrites()
{
    QString sql = QStringLiteral("SET search_path = message_store, public;\n");
    for (const Planted& p : plantedEvents()) {
        sql += QStringLiteral("SELECT write_message(gen_random_uuid()::text, '%1', '%2', %3);\n")
                   .arg(p.stream, p.type, quoted(p.data));
    }
    return sql;
}

const TypeSummary& typeOf(const TypeCatalog& catalog, const char* name)
{
    const TypeSummary* t = catalog.find(QString::fromLatin1(name));
    INFO(name);
    REQUIRE(t);
    return *t;
}

const FieldStats& fieldOf(const TypeSummary& type, const char* path)
{
    const auto it = std::find_if(
        type.fields.begin(), type.fields.end(), [&](const FieldStats& f) { return f.path == QLatin1String(path); });
    INFO(path);
    REQUIRE(it != type.fields.end());
    return *it;
}

QStringList flags(const TypeSummary& type)
{
    QStringList out;
    for (const DriftFlag& d : type.drift)
        out.append(QStringLiteral("%1 %2%3 @%4")
                       .arg(driftKindName(d.kind), d.path, d.shape.isEmpty() ? QString() : d.shape.join(u','))
                       .arg(d.position));
    return out;
}

QString typesText(const FieldStats& f)
{
    QStringList out;
    for (const auto& [name, t] : f.types)
        out.append(QStringLiteral("%1 %2 %3-%4").arg(name).arg(t.count).arg(t.firstPosition).arg(t.lastPosition));
    return out.join(QStringLiteral(", "));
}

// What every store of the planted events answers, exactly.
void checkPlanted(const TypeCatalog& catalog, qint64 scopeLast)
{
    CHECK(catalog.countsExact);
    CHECK(catalog.fieldsExact);
    CHECK(catalog.firstPosition == 1);
    CHECK(catalog.lastPosition == scopeLast);

    const TypeSummary& reg = typeOf(catalog, "CustomerRegistered");
    CHECK(reg.count == 10);
    CHECK(reg.streams == 10);
    CHECK(reg.firstPosition == 1);
    CHECK(reg.lastPosition == 12);
    CHECK_FALSE(reg.sampled);
    REQUIRE(reg.shapes.size() == 2);
    CHECK(reg.shapes[0].fields == qsl({ "email", "name", "zip" }));
    CHECK(reg.shapes[0].count == 6);
    CHECK(reg.shapes[0].firstPosition == 1);
    CHECK(reg.shapes[0].lastPosition == 8);
    CHECK(reg.shapes[1].fields == qsl({ "email", "firstName", "lastName", "zip" }));
    CHECK(reg.shapes[1].count == 4);
    CHECK(reg.shapes[1].firstPosition == 9);
    CHECK(reg.shapes[1].lastPosition == 12);
    CHECK(typesText(fieldOf(reg, "data.zip")) == QLatin1String("number 8 1-10, string 2 11-12"));
    CHECK(fieldOf(reg, "data.zip").count == 10);
    CHECK(fieldOf(reg, "data.zip").minNumber == 1001.0);
    CHECK(fieldOf(reg, "data.zip").maxNumber == 2008.0);
    CHECK(fieldOf(reg, "data.zip").minLength == 4);
    CHECK(typesText(fieldOf(reg, "data.name")) == QLatin1String("string 6 1-8"));
    CHECK(typesText(fieldOf(reg, "data.firstName")) == QLatin1String("string 4 9-12"));
    CHECK(typesText(fieldOf(reg, "data.email")) == QLatin1String("string 10 1-12"));
    CHECK(flags(reg)
        == qsl({ "fieldVanished data.name @8", "fieldAppeared data.firstName @9", "fieldAppeared data.lastName @9",
            "lateShape email,firstName,lastName,zip @9", "pathTypeChanged data.zip @11" }));

    const TypeSummary& ping = typeOf(catalog, "LegacyPinged");
    CHECK(ping.count == 2);
    CHECK(ping.streams == 1);
    CHECK(flags(ping) == qsl({ "typeStopped  @3" }));
    const TypeSummary& moved = typeOf(catalog, "AddressChanged");
    CHECK(moved.count == 8);
    CHECK(moved.streams == 8);
    CHECK(moved.firstPosition == 13);
    CHECK(moved.lastPosition == 20);
    CHECK(flags(moved).isEmpty());
}

CatalogOptions exactOptions(const EventFilter& scope = {})
{
    CatalogOptions o;
    o.scope = scope;
    o.exact = true;
    o.chunkPositions = 7; // several chunks, merged
    o.sampleEvents = 4;
    o.sampleRanges = 2;
    return o;
}

void checkDuplicates(EventStore& store)
{
    ValuesQuery q;
    q.type = QStringLiteral("CustomerRegistered");
    q.path = QStringLiteral("data.email");
    q.duplicates = true;
    const std::vector<PathValue> dup = pathValues(store, q);
    REQUIRE(dup.size() == 1);
    CHECK(dup[0].value == QLatin1String("\"dup@x.io\""));
    CHECK(dup[0].count == 2);
    CHECK(dup[0].streams == qsl({ "customer-3", "customer-9" }));
    q.duplicates = false;
    q.path = QStringLiteral("data.zip");
    q.limit = 3;
    const std::vector<PathValue> zips = pathValues(store, q);
    REQUIRE(zips.size() == 3);
    CHECK(zips[0].count == 1);
    q.path = QStringLiteral("data.nothing");
    CHECK(pathValues(store, q).empty());
}

// Forwards a store's reads, keeping each catalog request.
class Recording : public ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    std::vector<CatalogRequest> requests;

    CatalogRows catalogRows(const CatalogRequest& request) override
    {
        requests.push_back(request);
        return m_store.catalogRows(request);
    }
};

// Exact counts came in `chunks` statements over adjoining ranges of positions, none counting distinct streams, and
// streams in `partitions` statements.
void checkChunked(const Recording& r, int chunks, int partitions)
{
    std::vector<PositionRange> counted;
    std::vector<int> parts;
    for (const CatalogRequest& q : r.requests) {
        if (q.part == CatalogPart::Types && !q.withStreams) {
            REQUIRE(q.ranges.size() == 1);
            counted.push_back(q.ranges[0]);
        }
        if (q.part == CatalogPart::TypeStreams) {
            CHECK(q.partitions == partitions);
            parts.push_back(q.partition);
        }
    }
    REQUIRE(counted.size() == size_t(chunks));
    for (size_t i = 1; i < counted.size(); ++i)
        CHECK(counted[i].from == counted[i - 1].to + 1);
    std::vector<int> expected;
    for (int k = 0; k < partitions; ++k)
        expected.push_back(k);
    CHECK(parts == expected);
}

// A reducer read from its source: CustomerRegistered reads data.name (absent from position 9 on), data.zip and, only
// to test it, data.nickname; AddressChanged destructures data.city; LegacyPinged has no handler.
const char* const readableReducer = R"(// customers
fromCategory('customer').when({
    $init: function () { return { names: [], cities: {} }; },
    CustomerRegistered: function (s, e) {
        s.names.push(e.data.name.toUpperCase());
        s.zip = e.data.zip;
        if (e.data.nickname) s.nick = true;
    },
    'AddressChanged': (s, { data: { city } }) => { s.cities[city] = true; },
});
)";

// The same handlers, but the event goes to a helper this reading does not follow: coverage replays a sample.
const char* const opaqueReducer = R"(
function register(s, e) { s.names.push(e.data.name.toUpperCase()); }
module.exports = {
    $init: () => ({ names: [] }),
    CustomerRegistered: (s, e) => { register(s, e); },
};
)";

void checkCoverage(EventStore& store, const TypeCatalog& catalog)
{
    QTemporaryDir dir;
    auto write = [&](const char* name, const char* source) {
        const QString path = dir.filePath(QString::fromLatin1(name));
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(source);
        return path;
    };
    auto find = [](const ReducerCoverage& c, const char* type) -> const TypeCoverage& {
        const auto it = std::find_if(
            c.types.begin(), c.types.end(), [&](const TypeCoverage& t) { return t.type == QLatin1String(type); });
        INFO(type);
        REQUIRE(it != c.types.end());
        return *it;
    };

    CoverageOptions o;
    o.reducerKey = QStringLiteral("merge");
    const ReducerCoverage merge = reducerCoverage(store, catalog, o);
    CHECK(merge.method == ReducerCoverage::Method::Merge);
    CHECK(std::all_of(merge.types.begin(), merge.types.end(), [](const TypeCoverage& t) { return t.handled; }));

    o.reducerKey = write("customers.js", readableReducer);
    const ReducerCoverage source = reducerCoverage(store, catalog, o);
    CHECK(source.method == ReducerCoverage::Method::Source);
    CHECK_FALSE(source.sampled);
    const TypeCoverage& reg = find(source, "CustomerRegistered");
    CHECK(reg.handled);
    CHECK(reg.reads == qsl({ "data.name", "data.zip", "data.nickname" }));
    REQUIRE(reg.missing.size() == 2);
    CHECK(reg.missing[0].path == QLatin1String("data.name"));
    CHECK(reg.missing[0].events == 4);
    CHECK(reg.missing[0].firstPosition == 9);
    CHECK(reg.missing[0].lastPosition == 12);
    CHECK_FALSE(reg.missing[0].guarded);
    CHECK(reg.missing[0].description
        == QLatin1String(
            "the reducer reads data.name; 4 CustomerRegistered events since position 9 have no data.name"));
    CHECK(reg.missing[1].path == QLatin1String("data.nickname"));
    CHECK(reg.missing[1].guarded);
    CHECK(reg.missing[1].events == 10);
    const TypeCoverage& moved = find(source, "AddressChanged");
    CHECK(moved.handled);
    CHECK(moved.reads == qsl({ "data.city" }));
    CHECK(moved.missing.empty());
    CHECK_FALSE(find(source, "LegacyPinged").handled);

    o.reducerKey = write("opaque.js", opaqueReducer);
    const ReducerCoverage replayed = reducerCoverage(store, catalog, o);
    CHECK(replayed.method == ReducerCoverage::Method::Replay);
    CHECK(replayed.why.contains(QLatin1String("passes its event on")));
    const TypeCoverage& r = find(replayed, "CustomerRegistered");
    CHECK(r.handled);
    CHECK(r.replayed == 10);
    CHECK(r.changed == 6); // the first six carry data.name
    CHECK(r.failed == 4); // the rest throw reading name.toUpperCase()
    CHECK_FALSE(r.error.isEmpty());
    CHECK_FALSE(find(replayed, "AddressChanged").handled);
    CHECK(find(replayed, "AddressChanged").replayed == 8);
}

} // namespace

TEST_CASE("Type catalog of an Emmett SQLite store: shapes, types and drift exactly", "[catalog][sqlite][emmett]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("drift.sqlite"));
    writeEmmettSqlite(path, true);
    auto store = StoreRegistry::open(path);
    std::vector<TypeCatalog> stages;
    Recording recording(*store);
    CatalogOptions o = exactOptions();
    o.countChunks = 4;
    o.streamPartitions = 2;
    o.rareEvents = 0; // the plain sample of ranges (rare types: "[rare]")
    const TypeCatalog catalog = scanCatalog(recording, o, nullptr, [&](const TypeCatalog& c) { stages.push_back(c); });
    checkChunked(recording, 4, 2);
    checkCoverage(*store, catalog);
    checkPlanted(catalog, 24);
    // Estimated counts and a sample, exact counts, exact streams, exact fields.
    REQUIRE(stages.size() == 4);
    CHECK_FALSE(stages[0].countsExact);
    CHECK(stages[0].countsEstimated);
    CHECK_FALSE(stages[0].fieldsExact);
    CHECK(stages[0].sample == std::vector<PositionRange> { { 1, 2 }, { 23, 24 } });
    CHECK(stages[0].find(QStringLiteral("CustomerRegistered"))->countEstimated);
    CHECK(stages[1].countsExact);
    CHECK_FALSE(stages[1].countsEstimated);
    CHECK_FALSE(stages[1].streamsExact);
    CHECK_FALSE(stages[1].find(QStringLiteral("CustomerRegistered"))->streamsExact);
    CHECK_FALSE(stages[1].fieldsExact);
    CHECK(stages[1].find(QStringLiteral("CustomerRegistered"))->sampled);
    CHECK(stages[1].find(QStringLiteral("CustomerRegistered"))->sampledEvents == 1);
    CHECK(stages[2].streamsExact);
    CHECK(stages[2].find(QStringLiteral("CustomerRegistered"))->streams == 10);
    CHECK_FALSE(stages[2].fieldsExact);

    // Non-JSON payloads are counted by kind.
    const TypeSummary& blob = typeOf(catalog, "Attachment");
    REQUIRE(blob.payloads.size() == 1);
    CHECK(blob.payloads[0].kind == QLatin1String("binary"));
    CHECK(std::none_of(
        blob.fields.begin(), blob.fields.end(), [](const FieldStats& f) { return f.root == QLatin1String("data"); }));
    CHECK(blob.shapes.empty());
    CHECK(blob.payloads[0].encoding == QLatin1String("blob"));
    const TypeSummary& note = typeOf(catalog, "Note");
    QStringList kinds;
    for (const PayloadKindStats& k : note.payloads)
        kinds.append(QStringLiteral("%1 %2 %3 @%4").arg(k.kind, k.encoding).arg(k.count).arg(k.firstPosition));
    kinds.sort();
    CHECK(kinds == qsl({ "text text 1 @24", "xml text 1 @22", "yaml text 1 @23" }));
    CHECK(typeOf(catalog, "CustomerRegistered").payloads.at(0).kind == QLatin1String("object"));
    CHECK(typeOf(catalog, "CustomerRegistered").payloads.at(0).encoding == QLatin1String("text"));
    // Metadata paths as Emmett writes them.
    CHECK(typesText(fieldOf(typeOf(catalog, "CustomerRegistered"), "metadata.streamPosition"))
        == QLatin1String("number 10 1-12"));
    checkDuplicates(*store);

    // Top values and distinct counts come from the sample; here the sample is the whole store.
    const TypeCatalog whole = scanCatalog(*store, CatalogOptions {});
    CHECK(whole.valuesExact);
    const FieldStats& email = fieldOf(typeOf(whole, "CustomerRegistered"), "data.email");
    REQUIRE(email.topValues.size() == 5);
    CHECK(email.topValues.front().value == QLatin1String("\"dup@x.io\""));
    CHECK(email.topValues.front().count == 2);
    CHECK(email.topValues.at(1).value == QLatin1String("\"c10@x.io\""));
    CHECK(email.distinctEstimate == 9);
    CHECK(fieldOf(typeOf(whole, "AddressChanged"), "data.city").distinctEstimate == 1);

    // A category scope, and a small store read whole by the sample: exact at once.
    EventFilter ping;
    ping.category = QStringLiteral("ping");
    const TypeCatalog pings = scanCatalog(*store, CatalogOptions { ping });
    CHECK(pings.countsExact);
    CHECK(pings.fieldsExact);
    REQUIRE(pings.types.size() == 1);
    CHECK(pings.types[0].count == 2);
    CHECK(typesText(fieldOf(pings.types[0], "data.n")) == QLatin1String("number 2 2-3"));
    CHECK(flags(pings.types[0]).isEmpty()); // the scope ends with it
}

TEST_CASE("Type catalog: a sample first, exact counts always, fields exact on request", "[catalog][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("sampled.sqlite"));
    writeEmmettSqlite(path, false);
    auto store = StoreRegistry::open(path);
    CatalogOptions o;
    o.sampleEvents = 6;
    o.sampleRanges = 2;
    o.rareEvents = 0; // the plain sample of ranges (rare types: "[rare]")
    const TypeCatalog catalog = scanCatalog(*store, o);
    CHECK(catalog.countsExact);
    CHECK_FALSE(catalog.fieldsExact);
    CHECK(catalog.sample == std::vector<PositionRange> { { 1, 3 }, { 18, 20 } });
    const TypeSummary& reg = typeOf(catalog, "CustomerRegistered");
    CHECK(reg.count == 10); // exact
    CHECK(reg.sampled);
    CHECK(reg.sampledEvents == 1);
    REQUIRE(reg.shapes.size() == 1);
    CHECK(reg.shapes[0].count == 1);
    CHECK(typeOf(catalog, "AddressChanged").sampledEvents == 3);

    CHECK(sampleRanges(1, 100, 10, 4) == std::vector<PositionRange> { { 1, 10 }, { 31, 40 }, { 61, 70 }, { 91, 100 } });
    CHECK(sampleRanges(1, 100, 30, 4) == std::vector<PositionRange> { { 1, 100 } });
    CHECK(sampleRanges(5, 5, 10, 4) == std::vector<PositionRange> { { 5, 5 } });
}

TEST_CASE("Type catalog of Emmett on PostgreSQL", "[catalog][pg][emmett]")
{
    ES_REQUIRE_PG("PostgreSQL catalog test")
    PgTestDatabase db(QStringLiteral("catalog_emmett"), { QStringLiteral("emmett.sql") });
    // The fixture's own events go; the planted ones are appended as Emmett appends.
    db.sql(QStringLiteral("DELETE FROM emt_messages; DELETE FROM emt_streams; ALTER SEQUENCE "
                          "emt_global_message_position RESTART WITH 1"));
    db.sql(emmettPgAppends());
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->info().layout == QLatin1String("emmett"));
    const TypeCatalog catalog = scanCatalog(*store, exactOptions());
    checkPlanted(catalog, 20);
    CHECK(typeOf(catalog, "CustomerRegistered").firstTime.isValid());
    CHECK(typesText(fieldOf(typeOf(catalog, "CustomerRegistered"), "metadata.streamPosition"))
        == QLatin1String("number 10 1-12"));
    checkDuplicates(*store);
}

TEST_CASE("Type catalog of Message DB", "[catalog][pg][messagedb]")
{
    ES_REQUIRE_PG("PostgreSQL catalog test")
    PgTestDatabase db(QStringLiteral("catalog_messagedb"), { QStringLiteral("messagedb.sql") });
    db.sql(QStringLiteral("DELETE FROM message_store.messages; ALTER SEQUENCE "
                          "message_store.messages_global_position_seq RESTART WITH 1"));
    db.sql(messageDbWrites());
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->info().layout == QLatin1String("messagedb"));
    Recording recording(*store);
    CatalogOptions o = exactOptions();
    o.countChunks = 3;
    o.streamPartitions = 3;
    const TypeCatalog catalog = scanCatalog(recording, o);
    checkPlanted(catalog, 20);
    checkChunked(recording, 3, 3);
    CHECK(typeOf(catalog, "CustomerRegistered").payloads.at(0).encoding == QLatin1String("jsonb"));
    checkDuplicates(*store);
    checkCoverage(*store, catalog);
    EventFilter one;
    one.stream = QStringLiteral("customer-9");
    const TypeCatalog stream = scanCatalog(*store, CatalogOptions { one });
    REQUIRE(stream.types.size() == 1);
    CHECK(typesText(fieldOf(stream.types[0], "data.zip")) == QLatin1String("string 1 11-11"));
}

namespace {

// The positions of the events a filter selects (a small store: one page).
std::vector<qint64> positionsOf(EventStore& store, const EventFilter& filter)
{
    EventQuery q;
    q.filter = filter;
    q.limit = 1000;
    const EventPage page = store.events(q);
    std::vector<qint64> out;
    for (const Event& e : page.events)
        out.push_back(e.position);
    return out;
}

// `data.name missing` selects exactly the events the catalog and coverage count as lacking data.name.
void checkMissingFilter(EventStore& store)
{
    EventFilter f;
    f.types = QStringList { QStringLiteral("CustomerRegistered") };
    QString error;
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.name missing"), &f.conditions, &error));
    CHECK(positionsOf(store, f) == std::vector<qint64> { 9, 10, 11, 12 });
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.name exists"), &f.conditions, &error));
    CHECK(positionsOf(store, f) == std::vector<qint64> { 1, 4, 5, 6, 7, 8 });
    // Nested paths, and metadata: an absent parent, a payload without the path.
    REQUIRE(EventFilter::parseConditions(
        QStringLiteral("data.firstName missing and data.zip exists"), &f.conditions, &error));
    CHECK(positionsOf(store, f) == std::vector<qint64> { 1, 4, 5, 6, 7, 8 });
    f.types.clear();
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.city.name missing"), &f.conditions, &error));
    CHECK(positionsOf(store, f).size() == 20);
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.n MISSING"), &f.conditions, &error));
    CHECK(positionsOf(store, f).size() == 18);
    // The catalog's figure for the same path agrees.
    const TypeCatalog catalog = scanCatalog(store, exactOptions());
    const TypeSummary& reg = typeOf(catalog, "CustomerRegistered");
    CHECK(reg.count - fieldOf(reg, "data.name").count == 4);
}

} // namespace

TEST_CASE("Filter: a path that is missing, parsed and printed", "[filter][catalog]")
{
    QString error;
    const auto c = JsonCondition::parse(QStringLiteral("data.address.zip missing"), &error);
    REQUIRE(c);
    CHECK(c->op == JsonCondition::Op::Missing);
    CHECK(c->toString() == QLatin1String("data.address.zip missing"));
    CHECK(JsonCondition::parse(c->toString())->op == JsonCondition::Op::Missing);
    CHECK_FALSE(JsonCondition::parse(QStringLiteral("data.name missing 3"), &error));
    CHECK(error.contains(QLatin1String("after 'missing'")));
}

TEST_CASE("Filter: data.name missing on SQLite selects the events the catalog counts", "[filter][catalog][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("missing.sqlite"));
    writeEmmettSqlite(path, false);
    auto store = StoreRegistry::open(path);
    checkMissingFilter(*store);
}

TEST_CASE("Filter: data.name missing on PostgreSQL (Message DB) selects the events the catalog counts",
    "[filter][catalog][pg]")
{
    ES_REQUIRE_PG("PostgreSQL missing-path filter test")
    PgTestDatabase db(QStringLiteral("catalog_missing"), { QStringLiteral("messagedb.sql") });
    db.sql(QStringLiteral("DELETE FROM message_store.messages; ALTER SEQUENCE "
                          "message_store.messages_global_position_seq RESTART WITH 1"));
    db.sql(messageDbWrites());
    auto store = StoreRegistry::open(db.address());
    checkMissingFilter(*store);

    // The planner's statistics of the type column, once ANALYZE (autovacuum's job) has read the table: all 20 rows
    // sampled, so the frequencies are exact.
    CatalogRequest request;
    request.part = CatalogPart::TypeStatistics;
    CHECK(store->catalogRows(request).empty());
    db.sql(QStringLiteral("ANALYZE message_store.messages"));
    const CatalogRows rows = store->catalogRows(request);
    REQUIRE(rows.size() == 3);
    CatalogAccumulator acc;
    REQUIRE(acc.addStatistics(rows, 20));
    TypeCatalog scope;
    scope.countsEstimated = true;
    const TypeCatalog estimated = acc.result(scope);
    CHECK(typeOf(estimated, "CustomerRegistered").count == 10);
    CHECK(typeOf(estimated, "AddressChanged").count == 8);
    CHECK(typeOf(estimated, "LegacyPinged").count == 2);
    CHECK(typeOf(estimated, "LegacyPinged").countMargin == 0);
    // Statistics of a table much smaller than the log's positions are too old to use.
    CHECK_FALSE(CatalogAccumulator().addStatistics(rows, 40));
    // A scope narrower than the table has none.
    request.filter.category = QStringLiteral("customer");
    CHECK(store->catalogRows(request).empty());
}

TEST_CASE("Type catalog through the summary cache: exact at once, extended as the head moves", "[catalog][cache]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("cached.sqlite"));
    const QString cachePath = dir.filePath(QStringLiteral("summaries.sqlite"));
    const QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    qputenv("ES_SUMMARY_CACHE", cachePath.toUtf8());
    writeEmmettSqlite(path, false);
    CatalogOptions o = exactOptions();
    {
        auto store = StoreRegistry::open(path);
        CatalogCacheUse use;
        const TypeCatalog first = scanCatalogCached(*store, o, nullptr, {}, {}, &use);
        CHECK(use.used);
        CHECK_FALSE(use.hit);
        checkPlanted(first, 20);
        std::vector<TypeCatalog> stages;
        const TypeCatalog second = scanCatalogCached(
            *store, o, nullptr, [&](const TypeCatalog& c) { stages.push_back(c); }, {}, &use);
        CHECK(use.hit);
        CHECK(use.cachedHead == 20);
        REQUIRE(stages.size() == 1);
        checkPlanted(second, 20);
        CHECK(typeOf(second, "CustomerRegistered").rate == typeOf(first, "CustomerRegistered").rate);
        // A sampled-fields request is answered by the exact entry too.
        o.exact = false;
        scanCatalogCached(*store, o, nullptr, {}, {}, &use);
        CHECK(use.hit);
        o.exact = true;
    }
    {
        // The client appends: a new type, a new stream and more of an old type in an old stream.
        EmmettWriter w(path);
        w.append(QStringLiteral("customer-1"),
            { { QStringLiteral("AddressChanged"), R"({"city":"Bergen","street":"Bryggen"})", {},
                QStringLiteral("2024-05-01 10:01:00") } }); // 21
        w.append(QStringLiteral("invoice-1"),
            { { QStringLiteral("InvoiceSent"), R"({"total":12.5})", {},
                QStringLiteral("2024-05-01 10:02:00") } }); // 22
    }
    auto store = StoreRegistry::open(path);
    CatalogCacheUse use;
    const TypeCatalog extended = scanCatalogCached(*store, o, nullptr, {}, {}, &use);
    CHECK(use.extended);
    CHECK(use.cachedHead == 20);
    CHECK(use.head == 22);
    CatalogOptions fresh = exactOptions();
    const TypeCatalog exact = scanCatalog(*store, fresh);
    REQUIRE(extended.types.size() == exact.types.size());
    CHECK(extended.countsExact);
    CHECK(extended.streamsExact);
    CHECK(extended.fieldsExact);
    CHECK(extended.lastPosition == 22);
    for (size_t i = 0; i < exact.types.size(); ++i) {
        const TypeSummary& a = extended.types[i];
        const TypeSummary& b = exact.types[i];
        INFO(b.type.toStdString());
        CHECK(a.type == b.type);
        CHECK(a.count == b.count);
        CHECK(a.streams == b.streams);
        CHECK(a.firstPosition == b.firstPosition);
        CHECK(a.lastPosition == b.lastPosition);
        CHECK(a.shapes.size() == b.shapes.size());
        REQUIRE(a.fields.size() == b.fields.size());
        for (size_t f = 0; f < b.fields.size(); ++f) {
            CHECK(a.fields[f].path == b.fields[f].path);
            CHECK(a.fields[f].count == b.fields[f].count);
            CHECK(typesText(a.fields[f]) == typesText(b.fields[f]));
        }
        CHECK(flags(a) == flags(b));
    }
    // AddressChanged now in 8 streams still (customer-1 had one), street appeared at 21.
    CHECK(typeOf(extended, "AddressChanged").streams == 8);
    CHECK(fieldOf(typeOf(extended, "AddressChanged"), "data.street").count == 1);
    // The extended entry answers the next open at once; --no-cache's path reads the store.
    scanCatalogCached(*store, o, nullptr, {}, {}, &use);
    CHECK(use.hit);
    CHECK(use.cachedHead == 22);
    // The cache's own value round-trips.
    const std::optional<TypeCatalog> back = catalogcache::decode(catalogcache::encode(extended));
    REQUIRE(back);
    CHECK(flags(typeOf(*back, "CustomerRegistered")) == flags(typeOf(extended, "CustomerRegistered")));
    qputenv("ES_SUMMARY_CACHE", before);
}

namespace {

// 3,000 Ticked events in 30 streams, and at positions 1501-1503 (far from the sample's ranges) the only three
// Refunded events, each with data.reason.
void writeRareEmmettSqlite(const QString& path)
{
    EmmettWriter w(path);
    auto ticks = [&](int from) {
        for (int s = 0; s < 15; ++s) {
            std::vector<EmmettWriter::Message> batch;
            for (int i = 0; i < 100; ++i)
                batch.push_back({ QStringLiteral("Ticked"), QStringLiteral(R"({"n":%1})").arg(from + i).toUtf8() });
            w.append(QStringLiteral("tick-%1").arg(from / 1500 * 15 + s), batch);
        }
    };
    ticks(0);
    for (int i = 1; i <= 3; ++i) {
        w.append(QStringLiteral("order-%1").arg(i),
            { { QStringLiteral("Refunded"), QStringLiteral(R"({"reason":"damaged","amount":%1})").arg(i).toUtf8() } });
    }
    ticks(1500);
}

// Message DB: the same events through write_message().
QString rareMessageDbWrites()
{
    return QStringLiteral(
        "SET search_path = message_store, public;\n"
        "SELECT write_message(gen_random_uuid()::text, 'tick-' || ((i - 1) / 100), 'Ticked', jsonb_build_object('n', "
        "i)) FROM generate_series(1, 1500) AS i;\n"
        "SELECT write_message(gen_random_uuid()::text, 'order-' || i, 'Refunded', jsonb_build_object('reason', "
        "'damaged', 'amount', i)) FROM generate_series(1, 3) AS i;\n"
        "SELECT write_message(gen_random_uuid()::text, 'tick-' || (15 + (i - 1) / 100), 'Ticked', "
        "jsonb_build_object('n', i)) FROM generate_series(1501, 3000) AS i;\n");
}

CatalogOptions rareOptions()
{
    CatalogOptions o;
    o.sampleEvents = 100;
    o.sampleRanges = 4;
    o.exactCounts = true;
    return o;
}

// The rare type's three events are its sample from the first answer on: read by their type, through the type's
// index when the store has one (`indexed`), else by one read of the small scope.
void checkRareFirst(EventStore& store, bool indexed)
{
    Recording recording(store);
    std::vector<TypeCatalog> stages;
    scanCatalog(recording, rareOptions(), nullptr, [&](const TypeCatalog& c) { stages.push_back(c); });
    REQUIRE_FALSE(stages.empty());
    const TypeCatalog& first = stages.front();
    CHECK_FALSE(first.countsExact);
    for (const PositionRange& r : first.sample)
        CHECK((r.to < 1501 || r.from > 1503));
    const TypeSummary& refunded = typeOf(first, "Refunded");
    CHECK(refunded.sampledEvents == 3);
    CHECK(typesText(fieldOf(refunded, "data.reason")) == QLatin1String("string 3 1501-1503"));
    CHECK(fieldOf(refunded, "data.amount").maxNumber == 3.0);
    REQUIRE(refunded.shapes.size() == 1);
    CHECK(refunded.shapes[0].fields == qsl({ "amount", "reason" }));
    // The common type keeps its sample from the ranges alone.
    CHECK(typeOf(first, "Ticked").sampledEvents == first.sampleEvents - 3);
    const auto sample = std::find_if(recording.requests.begin(), recording.requests.end(),
        [](const CatalogRequest& q) { return q.part == CatalogPart::Sample; });
    REQUIRE(sample != recording.requests.end());
    CHECK(sample->sampleTypes == qsl({ "Refunded" }));
    CHECK(sample->byIndex == indexed);
    // The sample is one statement: no fields or shapes statements of their own.
    CHECK(std::none_of(recording.requests.begin(), recording.requests.end(),
        [](const CatalogRequest& q) { return q.part == CatalogPart::Fields || q.part == CatalogPart::Shapes; }));
}

// Without an index and in a scope too large to read in the first answer, the rare type is read once its exact count
// is known, in chunks of positions across its span.
void checkRareLater(EventStore& store)
{
    CatalogOptions o = rareOptions();
    o.rareScanPositions = 100;
    o.countChunks = 6;
    Recording recording(store);
    std::vector<TypeCatalog> stages;
    const TypeCatalog done = scanCatalog(recording, o, nullptr, [&](const TypeCatalog& c) { stages.push_back(c); });
    REQUIRE(stages.size() >= 3);
    CHECK(typeOf(stages.front(), "Refunded").sampledEvents == 0);
    const TypeSummary& refunded = typeOf(done, "Refunded");
    CHECK(refunded.count == 3);
    CHECK(refunded.sampledEvents == 3);
    CHECK(typesText(fieldOf(refunded, "data.reason")) == QLatin1String("string 3 1501-1503"));
    CHECK(typeOf(done, "Ticked").sampledEvents == stages.front().sampleEvents);
    std::vector<PositionRange> spans;
    for (const CatalogRequest& q : recording.requests) {
        if (q.part == CatalogPart::Sample && !q.rangeSample) {
            CHECK(q.sampleTypes == qsl({ "Refunded" }));
            REQUIRE(q.typeSpan);
            spans.push_back(*q.typeSpan);
        }
    }
    // The type's span, 1501-1503, in one chunk.
    CHECK(spans == std::vector<PositionRange> { { 1501, 1503 } });
}

} // namespace

TEST_CASE("Type catalog: a rare type has its sample from the first answer (SQLite)", "[catalog][sqlite][rare]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("rare.sqlite"));
    writeRareEmmettSqlite(path);
    {
        auto store = StoreRegistry::open(path);
        checkRareFirst(*store, false);
        checkRareLater(*store);
    }
    // An index on the type (as a store's operator may add one): each rare type read through it.
    Db(path).exec(QStringLiteral("CREATE INDEX emt_messages_type ON emt_messages (message_type, global_position)"));
    auto store = StoreRegistry::open(path);
    checkRareFirst(*store, true);
}

TEST_CASE("Type catalog: a rare type has its sample from the first answer (Message DB)", "[catalog][pg][rare]")
{
    ES_REQUIRE_PG("PostgreSQL catalog test")
    PgTestDatabase db(QStringLiteral("catalog_rare"), { QStringLiteral("messagedb.sql") });
    db.sql(QStringLiteral("DELETE FROM message_store.messages; ALTER SEQUENCE "
                          "message_store.messages_global_position_seq RESTART WITH 1"));
    db.sql(rareMessageDbWrites());
    {
        auto store = StoreRegistry::open(db.address());
        checkRareFirst(*store, false);
        checkRareLater(*store);
    }
    db.sql(QStringLiteral("CREATE INDEX messages_type ON message_store.messages (type, global_position); ANALYZE "
                          "message_store.messages"));
    auto store = StoreRegistry::open(db.address());
    checkRareFirst(*store, true);
}
