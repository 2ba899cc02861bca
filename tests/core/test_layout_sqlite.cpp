#include <catch2/catch.hpp>

#include "layouts/profile.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTimeZone>

using namespace es;
using namespace es::test;

namespace {

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* s : items)
        out.append(QString::fromUtf8(s));
    return out;
}

// Eventuous.Sqlite Scripts/1_Schema.sql with __schema__ = "eventuous", and SqliteStore.AppendEvents: in one
// transaction the stream row is created (version -1) or checked, the messages inserted with stream_position =
// version + 1 + i, and the stream version set to the last position. Microsoft.Data.Sqlite writes DateTime as
// "yyyy-MM-dd HH:mm:ss.FFFFFFF".
class EventuousSqlite {
public:
    explicit EventuousSqlite(const QString& path)
        : m_db(path)
    {
        m_db.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        m_db.exec(QStringLiteral(R"(CREATE TABLE IF NOT EXISTS eventuous_streams (
    stream_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name TEXT    NOT NULL UNIQUE,
    version     INTEGER NOT NULL DEFAULT(-1)
))"));
        m_db.exec(QStringLiteral(R"(CREATE TABLE IF NOT EXISTS eventuous_messages (
    global_position INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT    NOT NULL,
    message_type    TEXT    NOT NULL,
    stream_id       INTEGER NOT NULL REFERENCES eventuous_streams(stream_id),
    stream_position INTEGER NOT NULL,
    json_data       TEXT    NOT NULL,
    json_metadata   TEXT,
    created         TEXT    NOT NULL,
    UNIQUE(stream_id, stream_position),
    UNIQUE(stream_id, message_id),
    CHECK(stream_position >= 0)
))"));
        m_db.exec(QStringLiteral(
            "CREATE INDEX IF NOT EXISTS idx_eventuous_messages_stream_id ON eventuous_messages(stream_id)"));
        m_db.exec(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS eventuous_checkpoints (id TEXT PRIMARY KEY, position INTEGER NULL)"));
    }
    struct Message {
        QString type;
        QString data;
        QVariant metadata; // JSON text or null
        QString created;
    };
    void createStream(const QString& stream)
    {
        m_db.exec(QStringLiteral("INSERT OR IGNORE INTO eventuous_streams (stream_name) VALUES (?)"), { stream });
    }
    void append(const QString& stream, const std::vector<Message>& messages)
    {
        m_db.exec(QStringLiteral("BEGIN IMMEDIATE"));
        createStream(stream);
        const qint64 id = lookup(QStringLiteral("stream_id"), stream);
        qint64 version = lookup(QStringLiteral("version"), stream);
        for (const Message& m : messages) {
            ++version;
            m_db.exec(
                QStringLiteral("INSERT INTO eventuous_messages (message_id, message_type, stream_id, "
                               "stream_position, json_data, json_metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                { QStringLiteral("%1-%2").arg(stream).arg(version), m.type, id, version, m.data, m.metadata,
                    m.created });
        }
        m_db.exec(QStringLiteral("UPDATE eventuous_streams SET version = ? WHERE stream_id = ?"), { version, id });
        m_db.exec(QStringLiteral("COMMIT"));
    }
    Db& db() { return m_db; }

private:
    qint64 lookup(const QString& column, const QString& stream)
    {
        QString escaped = stream;
        escaped.replace(QLatin1String("'"), QLatin1String("''"));
        return m_db.scalar(
            QStringLiteral("SELECT %1 FROM eventuous_streams WHERE stream_name = '%2'").arg(column, escaped));
    }
    Db m_db;
};

// ruby_event_store-active_record create_event_store_events_template.erb run by ActiveRecord on SQLite
// (id INTEGER PRIMARY KEY AUTOINCREMENT, binary -> BLOB, datetime(6) text), and EventRepository#append_to_stream:
// the event row, then one event_store_events_in_streams row unless the stream is the global one, with
// position = expected version + index + 1 or NULL for expected_version :any; link_to_stream adds a row only.
class RailsSqlite {
public:
    explicit RailsSqlite(const QString& path)
        : m_db(path)
    {
        m_db.exec(QStringLiteral(R"(CREATE TABLE "event_store_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
 "event_id" varchar(36) NOT NULL, "event_type" varchar NOT NULL, "metadata" blob, "data" blob NOT NULL,
 "created_at" datetime(6) NOT NULL, "valid_at" datetime(6)))"));
        m_db.exec(QStringLiteral(
            R"(CREATE UNIQUE INDEX "index_event_store_events_on_event_id" ON "event_store_events" ("event_id"))"));
        m_db.exec(QStringLiteral(
            R"(CREATE INDEX "index_event_store_events_on_created_at" ON "event_store_events" ("created_at"))"));
        m_db.exec(QStringLiteral(R"(CREATE TABLE "event_store_events_in_streams" ("id" integer PRIMARY KEY
 AUTOINCREMENT NOT NULL, "stream" varchar NOT NULL, "position" integer, "event_id" varchar(36) NOT NULL,
 "created_at" datetime(6) NOT NULL))"));
        m_db.exec(QStringLiteral(R"(CREATE UNIQUE INDEX "index_event_store_events_in_streams_on_stream_and_position"
 ON "event_store_events_in_streams" ("stream", "position"))"));
        m_db.exec(QStringLiteral(R"(CREATE UNIQUE INDEX "index_event_store_events_in_streams_on_stream_and_event_id"
 ON "event_store_events_in_streams" ("stream", "event_id"))"));
        m_db.exec(QStringLiteral(R"(CREATE INDEX "index_event_store_events_in_streams_on_event_id"
 ON "event_store_events_in_streams" ("event_id"))"));
    }
    struct Ev {
        QString id;
        QString type;
        QByteArray data;
        QVariant metadata;
    };
    // expected < -1 means :any (no positions); -1 a new stream; stream empty = the global stream.
    void append(const QString& stream, const std::vector<Ev>& events, qint64 expected = -1)
    {
        m_db.exec(QStringLiteral("BEGIN"));
        qint64 i = 0;
        for (const Ev& e : events) {
            const QString at = QStringLiteral("2024-03-0%1 10:00:00.%2")
                                   .arg(1 + m_count / 10)
                                   .arg(m_count % 10, 6, 10, QLatin1Char('0'));
            ++m_count;
            m_db.exec(QStringLiteral("INSERT INTO event_store_events (event_id, event_type, metadata, data, "
                                     "created_at, valid_at) VALUES (?, ?, ?, ?, ?, NULL)"),
                { e.id, e.type, e.metadata, e.data, at });
            if (!stream.isEmpty())
                m_db.exec(QStringLiteral("INSERT INTO event_store_events_in_streams (stream, position, event_id, "
                                         "created_at) VALUES (?, ?, ?, ?)"),
                    { stream, expected < -1 ? QVariant() : QVariant(expected + i + 1), e.id, at });
            ++i;
        }
        m_db.exec(QStringLiteral("COMMIT"));
    }
    void link(const QString& stream, const QString& eventId, qint64 position)
    {
        m_db.exec(QStringLiteral("INSERT INTO event_store_events_in_streams (stream, position, event_id, created_at) "
                                 "VALUES (?, ?, ?, '2024-03-09 00:00:00.000000')"),
            { stream, position, eventId });
    }

private:
    Db m_db;
    int m_count = 0;
};

// sqlite-es migrations/20221114171845_init.sql; SqliteEventRepository inserts each commit's events in one
// transaction with sequence = the aggregate's next sequence (from 1).
void writeCqrsSqlite(const QString& path)
{
    Db db(path);
    db.exec(QStringLiteral(R"(CREATE TABLE events
(
  aggregate_type text                          NOT NULL,
  aggregate_id   text                          NOT NULL,
  sequence       integer CHECK (sequence >= 0) NOT NULL,
  event_type     text                          NOT NULL,
  event_version  text                          NOT NULL,
  payload        text                          NOT NULL,
  metadata       text                          NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT)"));
    db.exec(QStringLiteral(R"(CREATE TABLE snapshots
(
  aggregate_type   text                                  NOT NULL,
  aggregate_id     text                                  NOT NULL,
  last_sequence    integer CHECK (last_sequence >= 0)    NOT NULL,
  current_snapshot integer CHECK (current_snapshot >= 0) NOT NULL,
  payload          text                                  NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
) STRICT)"));
    const QString insert = QStringLiteral("INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, "
                                          "event_version, payload, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)");
    auto commit = [&](const std::vector<QVariantList>& rows) {
        db.exec(QStringLiteral("BEGIN"));
        for (const QVariantList& r : rows)
            db.exec(insert, r);
        db.exec(QStringLiteral("COMMIT"));
    };
    const QString account = QStringLiteral("BankAccount");
    commit({ { account, QStringLiteral("acc-7"), 1, QStringLiteral("AccountOpened"), QStringLiteral("1.0"),
        QStringLiteral(R"({"AccountOpened":{"account_id":"acc-7"}})"), QStringLiteral("{}") } });
    commit({ { QStringLiteral("Customer"), QStringLiteral("c:1-x-2"), 1, QStringLiteral("NameAdded"),
                 QStringLiteral("1.0"), QStringLiteral(R"({"NameAdded":{"name":"Zoë 山田"}})"),
                 QStringLiteral(R"({"user":"ü"})") },
        { account, QStringLiteral("acc-7"), 2, QStringLiteral("CustomerDepositedMoney"), QStringLiteral("1.0"),
            QStringLiteral(R"({"CustomerDepositedMoney":{"amount":100.5,"balance":100.5}})"),
            QStringLiteral(R"({"time":"2024-01-01T00:00:00Z"})") } });
    commit({ { account, QStringLiteral("acc-7"), 3, QStringLiteral("CustomerWroteCheck"), QStringLiteral("2.0"),
        QStringLiteral(R"({"CustomerWroteCheck":{"check_number":"1170","amount":20}})"), QStringLiteral("{}") } });
}

} // namespace

TEST_CASE("Every built-in profile loads for each engine it names, with its sources", "[layout][profile]")
{
    const QStringList expected = qsl({ "messagedb", "emmett", "marten", "eventuous", "axon", "axon-jdbc",
        "railseventstore", "commanded", "eventsourcing", "cqrs-es" });
    const QStringList names = ProfileRegistry::names();
    for (const QString& name : expected) {
        INFO(name.toStdString());
        CHECK(names.contains(name));
    }
    for (const ProfileRegistry::Entry& entry : ProfileRegistry::entries()) {
        REQUIRE_FALSE(entry.engines.isEmpty());
        for (const QString& engine : entry.engines) {
            INFO(QString(entry.name + u'/' + engine).toStdString());
            const auto p = ProfileRegistry::find(entry.name, engine);
            REQUIRE(p);
            CHECK_FALSE(p->sources.isEmpty());
            // Each layout names the repository and files it was read from.
            CHECK(p->sources.front().startsWith(QLatin1String("https://github.com/")));
            CHECK_FALSE(p->tables.empty());
            if (engine == QLatin1String("postgresql")) {
                // Native timestamp comparison, never SQLite's julianday().
                if (!p->events.time.isEmpty())
                    CHECK((p->events.timeFilter == QLatin1String("timestamp")
                        || p->events.timeFilter == QLatin1String("text")));
                for (const QString* expr : { &p->events.time, &p->events.data, &p->category.expression })
                    CHECK_FALSE(expr->contains(QLatin1String("json_valid")));
            }
        }
    }
    const auto mdb = ProfileRegistry::find(QStringLiteral("messagedb"), QStringLiteral("postgresql"));
    REQUIRE(mdb);
    CHECK(mdb->schemas == qsl({ "message_store", "public" }));
    CHECK(mdb->events.firstVersion == 0);
    const auto eventuousLite = ProfileRegistry::find(QStringLiteral("eventuous"), QStringLiteral("sqlite"));
    REQUIRE(eventuousLite);
    CHECK(eventuousLite->tables.front().names.front() == QLatin1String("eventuous_messages"));
    CHECK(eventuousLite->events.timeFilter == QLatin1String("julianday"));
}

TEST_CASE("The registry lists every built-in layout with its title and engines", "[layout][profile][registry]")
{
    const QList<LayoutInfo> layouts = StoreRegistry::layouts();
    const std::vector<ProfileRegistry::Entry> entries = ProfileRegistry::entries();
    REQUIRE(size_t(layouts.size()) == entries.size());
    QStringList names;
    for (const LayoutInfo& l : layouts) {
        CHECK_FALSE(l.title.isEmpty());
        names.append(l.name);
    }
    CHECK(names.removeDuplicates() == 0);
    auto layout = [&](const char* name) {
        const auto it = std::find_if(
            layouts.begin(), layouts.end(), [&](const LayoutInfo& l) { return l.name == QLatin1String(name); });
        REQUIRE(it != layouts.end());
        return *it;
    };
    CHECK(layout("emmett").engines == qsl({ "sqlite", "postgresql" }));
    CHECK(layout("messagedb").engines == qsl({ "postgresql" }));
    CHECK(layout("messagedb").title
        == ProfileRegistry::find(QStringLiteral("messagedb"), QStringLiteral("postgresql"))->title);
}

TEST_CASE("A schema qualifies every table and fills {schema}", "[layout][profile]")
{
    const QJsonObject object = QJsonDocument::fromJson(R"J({"name": "s", "schema": "store",
        "detect": {"tables": [{"as": "m", "names": ["messages"]}]},
        "events": {"table": "{m} x", "position": "x.p", "stream": "x.s", "version": "x.v", "type": "x.t",
                   "data": "x.d"},
        "category": {"expression": "{schema}.category(x.s)"}})J")
                                   .object();
    const Profile p = Profile::fromJson(object, QStringLiteral("postgresql"), QStringLiteral("s.json"));
    CHECK(p.schemas == qsl({ "store" }));
    const Profile r
        = p.resolved({ { QStringLiteral("m"), QStringLiteral("my \"messages\"") } }, QStringLiteral("tenant a"));
    CHECK(r.events.table == QLatin1String(R"("tenant a"."my ""messages""" x)"));
    CHECK(r.category.expression == QLatin1String(R"("tenant a".category(x.s))"));
    const Profile plain = p.resolved({ { QStringLiteral("m"), QStringLiteral("messages") } });
    CHECK(plain.events.table == QLatin1String(R"("messages" x)"));
}

TEST_CASE("Eventuous on SQLite: joined streams, positions from 0, tombstones hidden", "[layout][sqlite][eventuous]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("eventuous.db"));
    {
        EventuousSqlite w(path);
        const QString meta = QStringLiteral(
            R"({"eventuous.correlation-id":"corr-1","eventuous.causation-id":"cause-1","trace-id":"t"})");
        w.append(QStringLiteral("Booking-1-2:x"),
            { { QStringLiteral("V1.RoomBooked"), QStringLiteral(R"({"roomId":"r-1","price":100})"), meta,
                  QStringLiteral("2024-02-01 09:00:00.1234567") },
                { QStringLiteral("V1.PaymentRegistered"), QStringLiteral(R"({"amount":100,"who":"Zoë"})"), {},
                    QStringLiteral("2024-02-01 09:05:00") } });
        w.createStream(QStringLiteral("Booking-empty"));
        // A gap tombstone, as the subscription writes it into the reserved stream.
        w.append(QStringLiteral("__tombstones__"),
            { { QStringLiteral("$tombstone"), QStringLiteral("{}"), {}, QStringLiteral("2024-02-01 09:06:00") } });
        w.append(QStringLiteral("Payment-9"),
            { { QStringLiteral("V1.PaymentRecorded"), QStringLiteral(R"({"note":"日本"})"), meta,
                QStringLiteral("2024-02-02 10:00:00") } });
        w.append(QStringLiteral("Booking-1-2:x"),
            { { QStringLiteral("V1.BookingCancelled"), QStringLiteral("{}"), QStringLiteral("{}"),
                QStringLiteral("2024-02-03 11:00:00") } });
        w.db().exec(QStringLiteral("INSERT INTO eventuous_checkpoints VALUES ('BookingsProjection', 4)"));
    }
    auto store = StoreRegistry::open(path);
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
    CHECK(all[2].data.isJson());
    CHECK(QString::fromUtf8(all[2].data.bytes).contains(QStringLiteral("日本")));
    CHECK(all[0].id == QLatin1String("Booking-1-2:x-0"));
    CHECK(summary(readStream(*store, QStringLiteral("Booking-1-2:x")), false)
        == qsl({ "Booking-1-2:x@0 V1.RoomBooked", "Booking-1-2:x@1 V1.PaymentRegistered",
            "Booking-1-2:x@2 V1.BookingCancelled" }));
    CHECK(summary(readCategory(*store, QStringLiteral("Booking")))
        == qsl({ "1 Booking-1-2:x@0 V1.RoomBooked", "2 Booking-1-2:x@1 V1.PaymentRegistered",
            "5 Booking-1-2:x@2 V1.BookingCancelled" }));
    CHECK(readStream(*store, QStringLiteral("__tombstones__")).empty());
    CHECK(streamNames(*store) == qsl({ "Booking-1-2:x", "Booking-empty", "Payment-9" }));
    CHECK(categoryOfStream(*store, QStringLiteral("Booking-1-2:x")) == QLatin1String("Booking"));
    CHECK(info.eventCount == 4);
    CHECK(info.streamCount == 3);
    CHECK(info.headPosition == 5);
    CHECK(readAll(*store, {}, true).front().position == 5);
}

TEST_CASE("Rails Event Store on SQLite: global order, first stream, YAML blobs, :any and links",
    "[layout][sqlite][railseventstore]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("res.db"));
    const QString e1 = QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c1001");
    const QString e2 = QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c1002");
    const QString e3 = QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c1003");
    const QString e4 = QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c1004");
    const QString e5 = QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c1005");
    const QByteArray yaml = "---\n:order_id: 42\n:customer: Zoë\n";
    const QByteArray yamlMeta = "---\n:timestamp: 2024-03-01 10:00:00.000000000 Z\n:valid_at: 2024-03-01 "
                                "10:00:00.000000000 Z\n:correlation_id: c-1\n";
    {
        RailsSqlite w(path);
        w.append(QStringLiteral("Ordering::Order$42"),
            { { e1, QStringLiteral("Ordering::OrderPlaced"), yaml, yamlMeta },
                { e2, QStringLiteral("Ordering::OrderConfirmed"), R"({"order_id":42})",
                    QByteArray(R"({"correlation_id":"c-1","causation_id":"0b3b6e0e"})") } });
        w.append({}, { { e3, QStringLiteral("Audit::Ping"), "--- {}\n", {} } }); // the global stream only
        w.append(QStringLiteral("Notifications$u-7"),
            { { e4, QStringLiteral("Notified"), R"({"text":"日本語"})", {} },
                { e5, QStringLiteral("Notified"), R"({"text":"again"})", {} } },
            -2); // expected_version :any
        w.link(QStringLiteral("Reports$daily"), e1, 0);
    }
    auto store = StoreRegistry::open(path);
    CHECK(store->info().layout == QLatin1String("railseventstore"));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 Ordering::Order$42@0 Ordering::OrderPlaced", "2 Ordering::Order$42@1 Ordering::OrderConfirmed",
            "3 @-1 Audit::Ping", "4 Notifications$u-7@3 Notified", "5 Notifications$u-7@4 Notified" }));
    REQUIRE(all.size() == 5);
    CHECK(all[0].data.encoding == Payload::Encoding::Text);
    CHECK(all[0].data.bytes == yaml);
    CHECK(all[1].data.isJson());
    CHECK(all[1].correlationId == QLatin1String("c-1"));
    CHECK(all[1].causationId == QLatin1String("0b3b6e0e"));
    CHECK(all[3].metadata.isNull());
    CHECK(all[0].id == e1);
    CHECK(all[4].time == QDateTime(QDate(2024, 3, 1), QTime(10, 0, 0, 0), QTimeZone::utc()));
    CHECK(summary(readStream(*store, QStringLiteral("Ordering::Order$42")), false)
        == qsl({ "Ordering::Order$42@0 Ordering::OrderPlaced", "Ordering::Order$42@1 Ordering::OrderConfirmed" }));
    CHECK(summary(readCategory(*store, QStringLiteral("Notifications")))
        == qsl({ "4 Notifications$u-7@3 Notified", "5 Notifications$u-7@4 Notified" }));
    CHECK(categoryOfStream(*store, QStringLiteral("Ordering::Order$42")) == QLatin1String("Ordering::Order"));
}

TEST_CASE("cqrs-es on SQLite: rowid order, aggregate type as category, no times", "[layout][sqlite][cqrs-es]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("cqrs.db"));
    writeCqrsSqlite(path);
    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("cqrs-es"));
    CHECK(info.notes.join(u'\n').contains(QLatin1String("no global position")));
    const EventList all = readAll(*store);
    CHECK(summary(all)
        == qsl({ "1 acc-7@1 AccountOpened", "2 c:1-x-2@1 NameAdded", "3 acc-7@2 CustomerDepositedMoney",
            "4 acc-7@3 CustomerWroteCheck" }));
    for (const Event& e : all)
        CHECK_FALSE(e.time.isValid());
    REQUIRE(all.size() == 4);
    CHECK(QString::fromUtf8(all[1].data.bytes).contains(QStringLiteral("Zoë 山田")));
    CHECK(summary(readCategory(*store, QStringLiteral("BankAccount")), false)
        == qsl({ "acc-7@1 AccountOpened", "acc-7@2 CustomerDepositedMoney", "acc-7@3 CustomerWroteCheck" }));
    CHECK(categoryOfStream(*store, QStringLiteral("c:1-x-2")) == QLatin1String("Customer"));
    CHECK(summary(readStream(*store, QStringLiteral("acc-7")), false).size() == 3);
}

TEST_CASE("One SQLite file with two layouts lists both and the profile option picks one", "[layout][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("both.db"));
    writeCqrsSqlite(path);
    {
        EventuousSqlite w(path);
        w.append(QStringLiteral("Room-1"),
            { { QStringLiteral("RoomAdded"), QStringLiteral("{}"), {}, QStringLiteral("2024-01-01 00:00:00") } });
    }
    auto store = StoreRegistry::open(path);
    const StoreInfo info = store->info();
    CHECK(info.candidateLayouts.contains(QStringLiteral("eventuous")));
    CHECK(info.candidateLayouts.contains(QStringLiteral("cqrs-es")));
    OpenOptions cqrs;
    cqrs.profile = QStringLiteral("cqrs-es");
    auto picked = StoreRegistry::open(path, cqrs);
    CHECK(picked->info().layout == QLatin1String("cqrs-es"));
    CHECK(readAll(*picked).size() == 4);
    OpenOptions ev;
    ev.profile = QStringLiteral("eventuous");
    auto other = StoreRegistry::open(path, ev);
    CHECK(summary(readAll(*other)) == qsl({ "1 Room-1@0 RoomAdded" }));
}
