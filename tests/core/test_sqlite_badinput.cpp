#include <catch2/catch.hpp>

#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTimeZone>

#include <atomic>
#include <chrono>
#include <thread>

using namespace es;
using namespace es::test;
using Msg = EmmettWriter::Message;

namespace {

StoreError::Kind openError(const QString& address, const OpenOptions& options = {}, QString* message = nullptr)
{
    try {
        StoreRegistry::open(address, options);
    } catch (const StoreError& e) {
        if (message)
            *message = e.message();
        return e.kind();
    }
    FAIL("opening " << address.toStdString() << " did not fail");
    return StoreError::Kind::Generic;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A single-table layout no built-in profile knows.
void writeAppLog(const QString& path)
{
    Db db(path);
    db.exec(QStringLiteral("CREATE TABLE app_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, aggregate TEXT NOT NULL, "
                           "rev INTEGER NOT NULL, kind TEXT, at INTEGER, body, headers TEXT)"));
    db.exec(QStringLiteral("CREATE UNIQUE INDEX app_log_stream ON app_log (aggregate, rev)"));
    const QString insert
        = QStringLiteral("INSERT INTO app_log (aggregate, rev, kind, at, body, headers) VALUES (?,?,?,?,?,?)");
    db.exec(QStringLiteral("BEGIN"));
    db.exec(insert,
        { QStringLiteral("cart:17"), 1, QStringLiteral("CartCreated"), qint64(1714564800000),
            QStringLiteral(R"({"items":[]})"), QStringLiteral(R"({"corr":"k-1","cause":"cmd-9"})") });
    db.exec(insert,
        { QStringLiteral("cart:17"), 2, QVariant(), qint64(1714564801000), QStringLiteral(R"({"note":"no type"})"),
            QVariant() });
    db.exec(insert,
        { QStringLiteral("cart:17"), 3, QStringLiteral("ItemAdded"), qint64(1714564802000),
            QStringLiteral(R"({"sku": "A-1",)"), QStringLiteral(R"({"corr":"k-1"})") });
    db.exec(insert,
        { QStringLiteral("cart:18"), 1, QStringLiteral("CartCreated"), qint64(1714564803000),
            QByteArray("\xff\xfe\x00binary\x80", 10), QStringLiteral("not json at all") });
    QByteArray big = "{\"blob\":\"";
    big.append(QByteArray(5 * 1024 * 1024, 'x'));
    big.append("\"}");
    db.exec(insert,
        { QStringLiteral("cart:18"), 2, QStringLiteral("Huge"), qint64(1714564804000), QString::fromLatin1(big),
            QVariant() });
    db.exec(insert,
        { QStringLiteral("wish:1"), 1, QStringLiteral("Wished"), qint64(1714564805000),
            QStringLiteral(R"({"amount":7})"), QVariant() });
    db.exec(QStringLiteral("COMMIT"));
}

const char* appLogMapping = R"({
  "name": "applog",
  "title": "Our app log",
  "source": "our own schema",
  "detect": { "tables": [ { "as": "log", "names": ["app_log"], "columns": ["seq", "aggregate", "rev", "kind", "at", "body", "headers"] } ] },
  "events": {
    "table": "{log}", "position": "seq", "stream": "aggregate", "version": "rev", "firstVersion": 1, "type": "kind",
    "time": "at", "timeFilter": "epoch_ms", "data": "body", "metadata": "headers"
  },
  "category": { "separator": ":" },
  "correlation": { "correlation": ["corr"], "causation": ["cause"] }
})";

} // namespace

TEST_CASE("SQLite addresses", "[sqlite][address]")
{
    CHECK(SqliteStore::acceptsAddress(QStringLiteral("/tmp/x.db")));
    CHECK(SqliteStore::acceptsAddress(QStringLiteral("x.db")));
    CHECK(SqliteStore::acceptsAddress(QStringLiteral("sqlite:///tmp/x.db")));
    CHECK(SqliteStore::acceptsAddress(QStringLiteral("sqlite:x.db")));
    CHECK_FALSE(SqliteStore::acceptsAddress(QStringLiteral("postgresql://u@h/db")));
    CHECK_FALSE(SqliteStore::acceptsAddress(QString()));
    CHECK(SqliteStore::pathFromAddress(QStringLiteral("sqlite:///tmp/x.db")) == QLatin1String("/tmp/x.db"));
    CHECK(SqliteStore::pathFromAddress(QStringLiteral("sqlite:rel/x.db")) == QLatin1String("rel/x.db"));
    CHECK(SqliteStore::pathFromAddress(QStringLiteral("/a/b.sqlite")) == QLatin1String("/a/b.sqlite"));

    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("s.sqlite"));
    EmmettWriter(path).append(QStringLiteral("a-1"), { Msg { QStringLiteral("A"), "{}" } });
    CHECK(StoreRegistry::open(QStringLiteral("sqlite://") + path)->info().headPosition == 1);
    const QString cwd = QDir::currentPath();
    QDir::setCurrent(dir.path());
    CHECK(StoreRegistry::open(QStringLiteral("sqlite:s.sqlite"))->info().headPosition == 1);
    QDir::setCurrent(cwd);
}

TEST_CASE("A file that is not SQLite, or no file, is a clear BadAddress", "[sqlite][badinput]")
{
    QTemporaryDir dir;
    const QString text = tempPath(dir, QStringLiteral("notes.txt"));
    writeFile(text, "These are my notes, not a database.\n");
    QString message;
    CHECK(openError(text, {}, &message) == StoreError::Kind::BadAddress);
    CHECK(message.contains(QLatin1String("not a SQLite database")));
    CHECK(message.contains(text));

    CHECK(openError(tempPath(dir, QStringLiteral("missing.db")), {}, &message) == StoreError::Kind::BadAddress);
    CHECK(message.contains(QLatin1String("No such file")));
    CHECK(openError(dir.path(), {}, &message) == StoreError::Kind::BadAddress);
}

TEST_CASE("An unknown layout says what was looked for", "[sqlite][badinput]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("app.db"));
    writeAppLog(path);
    QString message;
    CHECK(openError(path, {}, &message) == StoreError::Kind::UnknownLayout);
    CHECK(message.contains(QLatin1String("emt_messages")));
    CHECK(message.contains(QLatin1String("stored_events")));
    CHECK(message.contains(QLatin1String("app_log"))); // the tables present
    CHECK(message.contains(QLatin1String("--mapping")));

    const QString empty = tempPath(dir, QStringLiteral("empty.db"));
    Db { empty };
    CHECK(openError(empty, {}, &message) == StoreError::Kind::UnknownLayout);
}

TEST_CASE("A user mapping file reads a custom single table; bad rows show markers", "[sqlite][mapping][badinput]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("app.db"));
    writeAppLog(path);
    const QString mapping = tempPath(dir, QStringLiteral("applog.json"));
    writeFile(mapping, appLogMapping);

    OpenOptions options;
    options.mappingFile = mapping;
    auto store = StoreRegistry::open(path, options);
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("applog"));
    CHECK(info.layoutTitle == QLatin1String("Our app log"));
    CHECK(info.eventCount == 6);
    CHECK(info.streamCount == 3);

    const EventPage page = store->events({});
    REQUIRE(page.events.size() == 6);
    CHECK(page.events[0].correlationId == QLatin1String("k-1"));
    CHECK(page.events[0].causationId == QLatin1String("cmd-9"));
    CHECK(page.events[0].time == QDateTime::fromMSecsSinceEpoch(1714564800000, QTimeZone::utc()));
    // NULL type: empty, the row still reads.
    CHECK(page.events[1].type.isEmpty());
    CHECK(page.events[1].data.isJson());
    CHECK(page.events[1].metadata.isNull());
    // Malformed JSON: kept as text.
    CHECK(page.events[2].data.encoding == Payload::Encoding::Text);
    CHECK(page.events[2].data.bytes == QByteArray(R"({"sku": "A-1",)"));
    CHECK(page.events[2].correlationId == QLatin1String("k-1"));
    // Invalid UTF-8: bytes shown as base64; metadata that is not JSON is text.
    CHECK(page.events[3].data.encoding == Payload::Encoding::Base64);
    CHECK(page.events[3].data.bytes == QByteArray("\xff\xfe\x00binary\x80", 10));
    CHECK(page.events[3].metadata.encoding == Payload::Encoding::Text);
    // 5 MB event read whole.
    CHECK(page.events[4].data.isJson());
    CHECK(page.events[4].data.bytes.size() == 5 * 1024 * 1024 + 11);
    CHECK(page.events[5].stream == QLatin1String("wish:1"));

    // JSON conditions skip payloads that are not JSON instead of failing the query.
    EventQuery q;
    QString error;
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.amount = 7"), &q.filter.conditions, &error));
    const EventPage found = store->events(q);
    REQUIRE(found.events.size() == 1);
    CHECK(found.events[0].stream == QLatin1String("wish:1"));
    REQUIRE(EventFilter::parseConditions(QStringLiteral("metadata.corr = 'k-1'"), &q.filter.conditions, &error));
    CHECK(store->events(q).events.size() == 2);

    q = {};
    q.filter.category = QStringLiteral("cart");
    CHECK(store->events(q).events.size() == 5);
    q.filter.fromTime = QDateTime::fromMSecsSinceEpoch(1714564802000, QTimeZone::utc());
    CHECK(store->events(q).events.size() == 3);

    const CategoryList cats = store->categories();
    REQUIRE(cats.size() == 2);
    CHECK(cats[0].name == QLatin1String("cart"));
    CHECK(cats[0].streams == 2);
    CHECK(cats[0].events == 5);
}

TEST_CASE("Profile override and mapping errors", "[sqlite][profile]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("shop.sqlite"));
    EmmettWriter(path).append(QStringLiteral("a-1"), { Msg { QStringLiteral("A"), "{}" } });

    OpenOptions forced;
    forced.profile = QStringLiteral("emmett");
    auto store = StoreRegistry::open(path, forced);
    CHECK(store->info().layout == QLatin1String("emmett"));

    QString message;
    forced.profile = QStringLiteral("eventsourcing");
    CHECK(openError(path, forced, &message) == StoreError::Kind::MissingTable);
    CHECK(message.contains(QLatin1String("stored_events")));
    forced.profile = QStringLiteral("nosuchlayout");
    CHECK(openError(path, forced, &message) == StoreError::Kind::UnknownLayout);
    CHECK(message.contains(QLatin1String("emmett")));

    // A mapping naming a column the table lacks fails at open, naming it.
    OpenOptions mapped;
    mapped.mappingFile = tempPath(dir, QStringLiteral("bad.json"));
    writeFile(mapped.mappingFile, R"({"name": "x", "detect": {"tables": [{"as": "m", "names": ["emt_messages"]}]},
        "events": {"table": "{m}", "position": "global_position", "stream": "stream_id", "version": "stream_position",
                   "type": "message_type", "data": "message_body"}})");
    CHECK(openError(path, mapped, &message) == StoreError::Kind::MissingTable);
    CHECK(message.contains(QLatin1String("message_body")));
    writeFile(mapped.mappingFile, "{ not json");
    CHECK(openError(path, mapped, &message) == StoreError::Kind::BadAddress);
    CHECK(message.contains(QLatin1String("bad.json")));

    // Both layouts present: both are candidates, the better match wins.
    {
        Db db(path);
        db.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
                           "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"));
    }
    const StoreInfo info = StoreRegistry::open(path)->info();
    CHECK(info.layout == QLatin1String("emmett"));
    CHECK(info.candidateLayouts.contains(QStringLiteral("eventsourcing")));
    CHECK(info.candidateLayouts.size() == 2);
}

TEST_CASE("interrupt() from another thread cancels a running read", "[sqlite][cancel]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("big.db"));
    {
        Db db(path);
        db.exec(QStringLiteral("CREATE TABLE app_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, aggregate TEXT NOT NULL, "
                               "rev INTEGER NOT NULL, kind TEXT, at INTEGER, body, headers TEXT)"));
        db.exec(QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
                               "INSERT INTO app_log (aggregate, rev, kind, at, body, headers) "
                               "SELECT 'cart:' || (i % 1000), i, 'Ticked', 1714564800000 + i, json_object('n', i, "
                               "'pad', hex(randomblob(40))), '{}' FROM n"));
    }
    const QString mapping = tempPath(dir, QStringLiteral("applog.json"));
    writeFile(mapping, appLogMapping);
    OpenOptions options;
    options.mappingFile = mapping;
    auto store = StoreRegistry::open(path, options);

    std::atomic<bool> done = false;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        while (!done) {
            store->interrupt();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    EventQuery slow;
    QString error;
    REQUIRE(EventFilter::parseConditions(QStringLiteral("data.pad ~ 'never-there'"), &slow.filter.conditions, &error));
    bool cancelled = false;
    for (int attempt = 0; attempt < 20 && !cancelled; ++attempt) {
        try {
            store->events(slow);
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::Cancelled);
            cancelled = e.kind() == StoreError::Kind::Cancelled;
        }
    }
    done = true;
    canceller.join();
    CHECK(cancelled);
    // The connection is still usable afterwards.
    EventQuery q;
    q.limit = 5;
    CHECK(store->events(q).events.size() == 5);
}
