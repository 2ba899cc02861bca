#include <catch2/catch.hpp>

#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QTemporaryDir>
#include <QTimeZone>
#include <QUuid>

using namespace es;
using namespace es::test;

namespace {

// JSONTranscoder output (compact separators, ensure_ascii=False) for an event state whose timestamp is
// transcoded by DatetimeAsISO: {"_type_": "datetime_iso", "_data_": datetime.isoformat()}.
QByteArray state(const char* isoTimestamp, const QByteArray& fields)
{
    return QByteArray(R"({"timestamp":{"_type_":"datetime_iso","_data_":")") + isoTimestamp + "\"}"
        + (fields.isEmpty() ? "" : ",") + fields + '}';
}

struct Ids {
    QString alice = QUuid::fromString(QLatin1String("{5f2c1a9e-0b1d-4c6e-9a53-3f0d2b7c8e11}")).toString(QUuid::Id128);
    QString bob = QUuid::fromString(QLatin1String("{0a4b7c2d-9e8f-4a1b-8c3d-2e1f0a9b8c7d}")).toString(QUuid::Id128);
    QString carol = QUuid::fromString(QLatin1String("{77e1d2c3-b4a5-4968-8776-655443322110}")).toString(QUuid::Id128);
};

// eventsourcing/sqlite.py (9.x): SQLiteProcessRecorder tables and INSERT INTO stored_events VALUES (?,?,?,?),
// each application transaction run with an explicit BEGIN ... COMMIT.
void writeBank(const QString& path, const Ids& ids)
{
    Db db(path);
    db.exec(QStringLiteral("pragma journal_mode=wal;"));
    db.exec(QStringLiteral("BEGIN"));
    db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
                           "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"));
    db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS tracking (application_name text, notification_id int, "
                           "PRIMARY KEY (application_name, notification_id)) WITHOUT ROWID"));
    db.exec(QStringLiteral("COMMIT"));
    const QString insert = QStringLiteral("INSERT INTO stored_events VALUES (?,?,?,?)");
    auto tx = [&](const std::vector<QVariantList>& rows) {
        db.exec(QStringLiteral("BEGIN"));
        for (const QVariantList& r : rows)
            db.exec(insert, r);
        db.exec(QStringLiteral("COMMIT"));
    };
    const QString opened = QStringLiteral("bank.domain:Account.Opened");
    const QString credited = QStringLiteral("bank.domain:Account.Credited");
    tx({ { ids.alice, 1, opened,
        state("2024-05-01T12:00:00.250000+00:00", R"("full_name":"Alice","email_address":"alice@example.com")") } });
    tx({ { ids.bob, 1, opened, state("2024-05-01T12:30:00+00:00", R"("full_name":"Bob")") },
        { ids.alice, 2, credited, state("2024-05-02T08:15:30.000001+00:00", R"("amount_in_cents":15000)") } });
    tx({ { ids.carol, 1, QStringLiteral("bank.domain:Customer.Registered"),
        state("2024-05-03T09:00:00+00:00", R"("name":"Carol ü")") } });
    // With a compressing transcoder the state is zlib bytes (zlib.compress): no JSON, no timestamp.
    const QByteArray compressed = qCompress(state("2024-05-04T10:00:00+00:00", R"("amount_in_cents":500)")).mid(4);
    tx({ { ids.bob, 2, credited, compressed } });
    db.exec(QStringLiteral("BEGIN"));
    db.exec(QStringLiteral("INSERT INTO tracking VALUES (?,?)"), { QStringLiteral("Reporting"), 3 });
    db.exec(QStringLiteral("COMMIT"));
}

QDateTime utc(const char* iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toUTC();
}

} // namespace

TEST_CASE(
    "eventsourcing store: notifications in rowid order with versions, topics and times", "[sqlite][eventsourcing]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("bank.db"));
    const Ids ids;
    writeBank(path, ids);

    auto store = StoreRegistry::open(QStringLiteral("sqlite://") + path);
    const StoreInfo info = store->info();
    CHECK(info.layout == QLatin1String("eventsourcing"));
    CHECK(info.eventCount == 5);
    CHECK(info.streamCount == 3);
    CHECK(info.headPosition == 5);
    CHECK(info.firstTime == utc("2024-05-01T12:00:00.250Z"));
    CHECK_FALSE(info.lastTime.isValid()); // the last state is compressed
    CHECK(info.notes.join(u'\n').contains(QLatin1String("base64")));

    const EventPage page = store->events({});
    REQUIRE(page.events.size() == 5);
    const Event& first = page.events[0];
    CHECK(first.position == 1);
    CHECK(first.stream == ids.alice);
    CHECK(first.version == 1);
    CHECK(first.type == QLatin1String("bank.domain:Account.Opened"));
    CHECK(first.time == utc("2024-05-01T12:00:00.250Z"));
    CHECK(first.data.isJson());
    CHECK(first.metadata.isNull());
    CHECK(first.correlationId.isEmpty());
    CHECK(page.events[2].stream == ids.alice);
    CHECK(page.events[2].version == 2);
    CHECK(page.events[2].time == utc("2024-05-02T08:15:30.000Z"));
    CHECK(page.events[3].data.isJson());
    CHECK(page.events[3].data.displayText().contains(QStringLiteral("Carol ü")));
    const Event& compressed = page.events[4];
    CHECK(compressed.data.encoding == Payload::Encoding::Base64);
    CHECK_FALSE(compressed.time.isValid());
    CHECK(compressed.version == 2);

    const CategoryList cats = store->categories();
    REQUIRE(cats.size() == 2);
    CHECK(cats[0].name == QLatin1String("bank.domain:Account"));
    CHECK(cats[0].streams == 2);
    CHECK(cats[0].events == 4);
    CHECK(cats[1].name == QLatin1String("bank.domain:Customer"));

    EventQuery category;
    category.filter.category = QStringLiteral("bank.domain:Account");
    CHECK(store->events(category).events.size() == 4);

    const StreamList streams = store->streams({});
    REQUIRE(streams.size() == 3);
    for (const StreamInfo& s : streams) {
        if (s.name == ids.alice) {
            CHECK(s.events == 2);
            CHECK(s.version == 2);
            CHECK(s.category == QLatin1String("bank.domain:Account"));
        }
    }
    StreamQuery byCategory;
    byCategory.category = QStringLiteral("bank.domain:Customer");
    REQUIRE(store->streams(byCategory).size() == 1);
    CHECK(store->streams(byCategory)[0].name == ids.carol);

    EventQuery stream;
    stream.filter.stream = ids.bob;
    const EventPage bob = store->events(stream);
    REQUIRE(bob.events.size() == 2);
    CHECK(bob.events[0].version == 1);
    CHECK(bob.events[1].version == 2);

    EventQuery time;
    time.filter.fromTime = utc("2024-05-01T12:10:00Z");
    time.filter.toTime = utc("2024-05-03T00:00:00Z");
    CHECK(store->events(time).events.size() == 2);

    EventQuery amount;
    QString error;
    REQUIRE(EventFilter::parseConditions(
        QStringLiteral("data.amount_in_cents >= 15000"), &amount.filter.conditions, &error));
    const EventPage rich = store->events(amount);
    REQUIRE(rich.events.size() == 1);
    CHECK(rich.events[0].position == 3);

    EventQuery text;
    text.filter.text = QStringLiteral("alice@example.com");
    CHECK(store->events(text).events.size() == 1);
}

TEST_CASE("eventsourcing store: per-application tables with a notification_id column", "[sqlite][eventsourcing]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("app.db"));
    {
        Db db(path);
        db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS bankaccounts_events (notification_id INTEGER PRIMARY KEY, "
                               "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
                               "UNIQUE (originator_id, originator_version))"));
        db.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS bankaccounts_tracking (application_name TEXT, "
                           "notification_id INTEGER, PRIMARY KEY (application_name, notification_id)) WITHOUT ROWID"));
        db.exec(QStringLiteral("BEGIN"));
        for (int i = 1; i <= 5; ++i)
            db.exec(QStringLiteral("INSERT INTO bankaccounts_events (originator_id, originator_version, topic, state) "
                                   "VALUES (?,?,?,?)"),
                { QStringLiteral("a1b2"), i, QStringLiteral("bank:Account.Credited"),
                    state("2024-06-01T00:00:00+00:00", "\"n\":" + QByteArray::number(i)) });
        db.exec(QStringLiteral("COMMIT"));
    }
    auto store = StoreRegistry::open(path);
    CHECK(store->info().layout == QLatin1String("eventsourcing"));
    EventQuery q;
    q.backward = true;
    q.limit = 2;
    const EventPage page = store->events(q);
    REQUIRE(page.events.size() == 2);
    CHECK(page.events[0].position == 5);
    CHECK(page.events[0].version == 5);
    CHECK(page.next == 3);
}
