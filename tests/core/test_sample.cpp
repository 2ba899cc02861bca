#include <catch2/catch.hpp>

#include "sampledomain.h"
#include "samplewriter.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"
#include "testutils.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <set>

using namespace es;

namespace {

QByteArray digest(quint64 seed, qint64 events)
{
    SampleDomain domain(seed, events);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    SampleEvent e;
    while (domain.next(e)) {
        for (const QByteArray* part :
            { &e.stream, &e.type, &e.data, &e.messageId, &e.correlationId, &e.causationId, &e.userId, &e.tenant }) {
            hash.addData(*part);
            hash.addData(QByteArrayView("\x1f", 1));
        }
        for (qint64 n : { e.version, e.appendBase, qint64(e.appendIndex), e.timeMs })
            hash.addData(QByteArray::number(n).append(' '));
    }
    return hash.result().toHex();
}

// Minimal read access to the written file, independent of the connector under test elsewhere.
class Db {
public:
    explicit Db(const QString& path)
    {
        REQUIRE(
            sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    }
    ~Db() { sqlite3_close(m_db); }
    std::vector<std::vector<QByteArray>> rows(const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr) == SQLITE_OK);
        std::vector<std::vector<QByteArray>> out;
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::vector<QByteArray> row;
            for (int i = 0; i < sqlite3_column_count(s); ++i)
                row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, i)), sqlite3_column_bytes(s, i));
            out.push_back(std::move(row));
        }
        sqlite3_finalize(s);
        return out;
    }
    qint64 integer(const char* sql) { return rows(sql).at(0).at(0).toLongLong(); }

private:
    sqlite3* m_db = nullptr;
};

} // namespace

TEST_CASE("sample domain: the same seed gives the same events, another seed others", "[sample]")
{
    const QByteArray a = digest(42, 30000);
    CHECK(a == digest(42, 30000));
    CHECK(a != digest(43, 30000));

    // A prefix of a longer run is not the same run: the span of time scales with the total.
    SampleDomain first(7, 1000);
    SampleDomain second(7, 1000);
    SampleEvent x, y;
    int n = 0;
    while (first.next(x)) {
        REQUIRE(second.next(y));
        CHECK(x.messageId == y.messageId);
        CHECK(x.data == y.data);
        CHECK(x.timeMs == y.timeMs);
        ++n;
    }
    CHECK(n == 1000);
    CHECK_FALSE(second.next(y));
}

TEST_CASE("sample domain: state stays bounded however many events are made", "[sample]")
{
    const qint64 total = 1500000;
    SampleDomain domain(42, total);
    CHECK(domain.maxAccounts() <= 100000);
    CHECK(domain.maxOpenProcesses() <= 5000);
    SampleEvent e;
    std::size_t peakQueue = 0;
    std::size_t peakOpen = 0;
    while (domain.next(e)) {
        peakQueue = std::max(peakQueue, domain.queuedCount());
        peakOpen = std::max(peakOpen, domain.openProcessCount());
        REQUIRE(domain.accountCount() <= domain.maxAccounts());
    }
    CHECK(domain.produced() == total);
    CHECK(peakQueue < 4); // one append at a time, never a backlog
    CHECK(peakOpen <= domain.maxOpenProcesses());
    CHECK(peakOpen > 50); // many processes interleave
}

TEST_CASE("sample domain: a coherent domain", "[sample]")
{
    const qint64 total = 200000;
    SampleDomain domain(42, total);
    SampleEvent e;
    std::map<QByteArray, qint64> versions;
    std::map<QByteArray, qint64> balances;
    std::set<QByteArray> types;
    qint64 lastTime = 0;
    int night = 0;
    int noon = 0;
    int crossAggregate = 0;
    QHash<QByteArray, QByteArray> streamOfMessage;
    while (domain.next(e)) {
        INFO(e.stream.constData() << " " << e.type.constData() << " " << e.data.constData());
        REQUIRE(e.version == ++versions[e.stream]);
        REQUIRE(e.version == e.appendBase + e.appendIndex);
        REQUIRE(e.timeMs >= lastTime);
        lastTime = e.timeMs;
        REQUIRE(e.messageId.size() == 36);
        REQUIRE(e.correlationId.size() == 36);
        REQUIRE(e.causationId.size() == 36);
        REQUIRE(!e.userId.isEmpty());
        REQUIRE(!e.tenant.isEmpty());
        types.insert(e.type);

        const QJsonObject data = QJsonDocument::fromJson(e.data).object();
        REQUIRE(!data.isEmpty());
        if (e.stream.startsWith("account-")) {
            qint64& balance = balances[e.stream];
            const qint64 amount = data.value(QStringLiteral("amount")).toInteger();
            if (e.type == "FundsDeposited")
                balance += amount;
            else if (e.type == "FundsWithdrawn")
                balance -= amount;
            if (data.contains(QStringLiteral("balance")))
                REQUIRE(data.value(QStringLiteral("balance")).toInteger() == balance);
            REQUIRE(balance >= 0);
        }
        // A causation in another stream: an order's payment withdraws from an account, shipments follow orders.
        const auto cause = streamOfMessage.constFind(e.causationId);
        auto category = [](const QByteArray& stream) { return stream.left(stream.indexOf('-')); };
        if (cause != streamOfMessage.cend() && category(cause.value()) != category(e.stream))
            ++crossAggregate;
        if (streamOfMessage.size() < 400000)
            streamOfMessage.insert(e.messageId, e.stream);

        const int hour = static_cast<int>((e.timeMs / 3600000) % 24);
        night += hour >= 2 && hour < 4;
        noon += hour >= 11 && hour < 13;
    }
    for (const char* type : { "AccountOpened", "FundsDeposited", "FundsWithdrawn", "AccountClosed", "OrderPlaced",
             "ItemAdded", "OrderConfirmed", "PaymentCaptured", "OrderShipped", "OrderCancelled", "ShipmentCreated",
             "ShipmentDispatched", "ShipmentDelivered" })
        CHECK(types.count(type) == 1);
    CHECK(crossAggregate > 1000);
    CHECK(noon > 8 * night); // a daily rhythm: busy days, quiet nights
    const qint64 days = (lastTime - SampleDomain::startTimeMs) / (24 * 3600 * 1000);
    CHECK(days >= 28);
    CHECK(days <= 70);
    // Stream names with extra dashes and colons.
    CHECK(std::any_of(
        versions.begin(), versions.end(), [](const auto& v) { return v.first.startsWith("account-biz-"); }));
    CHECK(std::any_of(versions.begin(), versions.end(), [](const auto& v) { return v.first.contains(':'); }));
}

TEST_CASE("sample writer: the Emmett SQLite layout as emmett-sqlite writes it", "[sample]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.sqlite"));
    SampleOptions options;
    options.events = 20000;
    qint64 lastDone = 0;
    int calls = 0;
    writeSampleStore(path, options, [&](qint64 done, qint64 total) {
        CHECK(total == 20000);
        CHECK(done >= lastDone);
        lastDone = done;
        ++calls;
        return true;
    });
    CHECK(calls >= 2);
    CHECK(lastDone == 20000);
    REQUIRE(QFileInfo::exists(path));
    CHECK(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size() == 1); // no temporary left

    Db db(path);
    std::vector<QByteArray> tables;
    for (const auto& row : db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        tables.push_back(row[0]);
    CHECK(tables == std::vector<QByteArray> { "emt_messages", "emt_processors", "emt_projections", "emt_streams" });
    std::vector<QByteArray> columns;
    for (const auto& row : db.rows("SELECT name FROM pragma_table_info('emt_messages') ORDER BY cid"))
        columns.push_back(row[0]);
    CHECK(columns
        == std::vector<QByteArray> { "stream_id", "stream_position", "partition", "message_kind", "message_data",
            "message_metadata", "message_schema_version", "message_type", "message_id", "is_archived",
            "global_position", "created" });
    CHECK(db.rows("PRAGMA journal_mode").at(0).at(0) == "delete"); // not the bulk load's OFF

    CHECK(db.integer("SELECT COUNT(*) FROM emt_messages") == 20000);
    CHECK(db.integer("SELECT MIN(global_position) FROM emt_messages") == 1);
    CHECK(db.integer("SELECT MAX(global_position) FROM emt_messages") == 20000);
    CHECK(db.integer("SELECT COUNT(*) FROM emt_messages WHERE message_kind <> 'E' OR is_archived <> 0 "
                     "OR partition <> 'emt:default'")
        == 0);
    // Dense versions from 1, and emt_streams holding each stream's last position.
    CHECK(db.integer("SELECT COUNT(*) FROM (SELECT stream_id, MIN(stream_position) lo, MAX(stream_position) hi, "
                     "COUNT(*) n FROM emt_messages GROUP BY stream_id) WHERE lo <> 1 OR hi <> n")
        == 0);
    CHECK(db.integer("SELECT COUNT(*) FROM emt_streams")
        == db.integer("SELECT COUNT(DISTINCT stream_id) FROM emt_messages"));
    CHECK(db.integer("SELECT COUNT(*) FROM emt_streams s WHERE stream_position <> "
                     "(SELECT MAX(stream_position) FROM emt_messages m WHERE m.stream_id = s.stream_id)")
        == 0);
    CHECK(db.integer("SELECT COUNT(*) FROM emt_streams WHERE stream_metadata <> '[]' OR partition <> 'emt:default' "
                     "OR is_archived <> 0")
        == 0);
    CHECK(db.rows("SELECT DISTINCT stream_type FROM emt_streams ORDER BY 1")
        == std::vector<std::vector<QByteArray>> { { "account" }, { "order" }, { "shipment" } });
    // Metadata keys in Emmett's order; the message id twice, as appendToStream.ts writes it.
    const auto first = db.rows("SELECT message_metadata, message_id, created, stream_id, message_schema_version "
                               "FROM emt_messages WHERE global_position = 2");
    const QByteArray metadata = first.at(0).at(0);
    CHECK(metadata.startsWith(QByteArray("{\"streamName\":\"")
                                  .append(first.at(0).at(3))
                                  .append("\",\"messageId\":\"")
                                  .append(first.at(0).at(1))
                                  .append("\",\"streamPosition\":\"")));
    const QJsonObject meta = QJsonDocument::fromJson(metadata).object();
    for (const char* key :
        { "streamName", "messageId", "streamPosition", "correlationId", "causationId", "userId", "tenant" })
        CHECK(meta.contains(QLatin1String(key)));
    CHECK(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$"))
              .match(QString::fromLatin1(first.at(0).at(2)))
              .hasMatch());
    CHECK(db.integer("SELECT COUNT(*) FROM emt_messages WHERE json_valid(message_data) = 0 "
                     "OR json_valid(message_metadata) = 0 OR created IS NULL")
        == 0);
    CHECK(db.integer("SELECT COUNT(*) FROM emt_messages WHERE CAST(message_schema_version AS INTEGER) "
                     "+ CAST(json_extract(message_metadata, '$.streamPosition') AS INTEGER) <> stream_position")
        == 0);
    // Time never goes back along the global order.
    CHECK(db.integer("SELECT COUNT(*) FROM emt_messages a JOIN emt_messages b "
                     "ON b.global_position = a.global_position + 1 WHERE b.created < a.created")
        == 0);
    // Balances fold: each deposit or withdrawal moves the balance by its amount.
    CHECK(db.integer("WITH t AS (SELECT message_type, json_extract(message_data, '$.amount') a, "
                     "json_extract(message_data, '$.balance') b, LAG(json_extract(message_data, '$.balance'), 1, 0) "
                     "OVER (PARTITION BY stream_id ORDER BY stream_position) prev FROM emt_messages "
                     "WHERE stream_id LIKE 'account-%') SELECT COUNT(*) FROM t WHERE "
                     "(message_type = 'FundsDeposited' AND b <> prev + a) OR (message_type = 'FundsWithdrawn' AND b <> "
                     "prev - a)")
        == 0);

    const auto processors = db.rows("SELECT processor_id, last_processed_checkpoint, partition, version, status "
                                    "FROM emt_processors ORDER BY CAST(last_processed_checkpoint AS INTEGER) DESC");
    REQUIRE(processors.size() >= 3);
    for (const auto& p : processors) {
        CHECK(p[1].size() == 19);
        CHECK(p[2] == "emt:default");
        CHECK(p[3] == "1");
    }
    CHECK(processors.front()[1] == "0000000000000020000");
    CHECK(processors.back()[1].toLongLong() < 20000 / 2); // one stalled far behind
}

TEST_CASE("sample writer: the store opens with the connector as the emmett layout", "[sample]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.sqlite"));
    SampleOptions options;
    options.events = 5000;
    options.seed = 3;
    writeSampleStore(path, options);

    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("emmett"));
    CHECK(info.eventCount == 5000);
    CHECK(info.headPosition == 5000);
    CHECK(info.firstPosition == 1);
    CHECK(info.firstTime.isValid());
    CHECK(info.lastTime > info.firstTime);
    Db db(path);
    CHECK(info.streamCount == db.integer("SELECT COUNT(*) FROM emt_streams"));

    const auto stream = store->stream(QStringLiteral("account-1001"));
    REQUIRE(stream.has_value());
    CHECK(stream->version == db.integer("SELECT stream_position FROM emt_streams WHERE stream_id = 'account-1001'"));
    EventQuery query;
    query.filter.stream = QStringLiteral("account-1001");
    query.limit = 100000;
    const EventPage page = store->events(query);
    REQUIRE(static_cast<qint64>(page.events.size()) == stream->version);
    qint64 balance = 0;
    for (std::size_t i = 0; i < page.events.size(); ++i) {
        const Event& e = page.events[i];
        CHECK(e.version == static_cast<qint64>(i) + 1);
        CHECK(!e.correlationId.isEmpty());
        const QJsonObject data = QJsonDocument::fromJson(e.data.bytes).object();
        if (e.type == QLatin1String("FundsDeposited"))
            balance += data.value(QStringLiteral("amount")).toInteger();
        else if (e.type == QLatin1String("FundsWithdrawn"))
            balance -= data.value(QStringLiteral("amount")).toInteger();
        if (data.contains(QStringLiteral("balance")))
            CHECK(data.value(QStringLiteral("balance")).toInteger() == balance);
    }
}

TEST_CASE("sample writer: the same seed writes the same file", "[sample]")
{
    QTemporaryDir dir;
    SampleOptions options;
    options.events = 3000;
    writeSampleStore(dir.filePath(QStringLiteral("a.sqlite")), options);
    writeSampleStore(dir.filePath(QStringLiteral("b.sqlite")), options);
    options.seed = 1;
    writeSampleStore(dir.filePath(QStringLiteral("c.sqlite")), options);
    auto bytes = [&](const char* name) {
        QFile f(dir.filePath(QLatin1String(name)));
        REQUIRE(f.open(QIODevice::ReadOnly));
        return f.readAll();
    };
    CHECK(bytes("a.sqlite") == bytes("b.sqlite"));
    CHECK(bytes("a.sqlite") != bytes("c.sqlite"));
}

TEST_CASE("sample writer: refuses existing files, unknown layouts; cancel leaves nothing", "[sample]")
{
    QTemporaryDir dir;
    const QString existing = dir.filePath(QStringLiteral("existing.sqlite"));
    {
        QFile f(existing);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    SampleOptions options;
    options.events = 1000;
    CHECK_THROWS_AS(writeSampleStore(existing, options), StoreError);
    QFile kept(existing);
    REQUIRE(kept.open(QIODevice::ReadOnly));
    CHECK(kept.readAll() == "keep me");

    const QString path = dir.filePath(QStringLiteral("new.sqlite"));
    options.layout = QStringLiteral("marten");
    try {
        writeSampleStore(path, options);
        FAIL("an unknown layout was accepted");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::UnknownLayout);
    }
    CHECK_FALSE(QFileInfo::exists(path));

    options.layout = QStringLiteral("emmett");
    options.events = 200000;
    int calls = 0;
    try {
        writeSampleStore(path, options, [&](qint64, qint64) { return ++calls < 3; });
        FAIL("cancelling did not stop the writer");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Cancelled);
    }
    CHECK(calls == 3);
    CHECK_FALSE(QFileInfo::exists(path));
    CHECK(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden) == QStringList { QStringLiteral("existing.sqlite") });
}
