#include <catch2/catch.hpp>

#include "live/lag.h"
#include "store/storeregistry.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

using Message = EmmettWriter::Message;

Message event(const char* type, const char* created)
{
    return Message { QString::fromLatin1(type), QByteArray("{}"), {}, QString::fromLatin1(created) };
}

// Visible events 1,2,3,5,6,7,8 (4 is a command, hidden): positions have a gap. Head 8 at 10:00:20.
void writeOrders(EmmettWriter& w)
{
    w.append(QStringLiteral("order-1"),
        { event("Placed", "2024-01-01 10:00:00"), event("Paid", "2024-01-01 10:00:01"),
            event("Shipped", "2024-01-01 10:00:02") });
    Message command = event("Cancel", "2024-01-01 10:00:03");
    command.command = true;
    w.append(QStringLiteral("order-1"), { command });
    w.append(
        QStringLiteral("order-2"), { event("Placed", "2024-01-01 10:00:05"), event("Paid", "2024-01-01 10:00:06") });
    w.append(QStringLiteral("invoice-1"),
        { event("Issued", "2024-01-01 10:00:10"), event("Settled", "2024-01-01 10:00:20") });
}

// As emmett-sqlite storeProcessorCheckpoint.ts writes it: the position padded to 19 digits.
void storeProcessor(
    Db& db, const QString& id, const QString& checkpoint, const QString& partition = {}, int version = 1)
{
    db.exec(QStringLiteral("INSERT INTO emt_processors (processor_id, version, last_processed_checkpoint, partition, "
                           "processor_instance_id) VALUES (?, ?, ?, ?, ?)"),
        { id, version, checkpoint, partition.isEmpty() ? QStringLiteral("emt:default") : partition,
            QStringLiteral("instance-1") });
}

QString padded(qint64 position)
{
    return QStringLiteral("%1").arg(position, 19, 10, QLatin1Char('0'));
}

const LagReading& reading(const LagPoll& poll, const QString& name, const QString& partition = {})
{
    for (const LagReading& r : poll.readings) {
        if (r.checkpoint.name == name && (partition.isEmpty() || r.checkpoint.partition == partition))
            return r;
    }
    FAIL("no checkpoint " << name.toStdString() << " " << partition.toStdString());
    static LagReading none;
    return none;
}

const LagRow& row(const std::vector<LagRow>& rows, const QString& name, const QString& partition = {})
{
    for (const LagRow& r : rows) {
        if (r.name == name && (partition.isEmpty() || r.partition == partition))
            return r;
    }
    FAIL("no row " << name.toStdString());
    static LagRow none;
    return none;
}

} // namespace

TEST_CASE("lag: Emmett emt_processors in both checkpoint formats, counted across gaps", "[lag][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett.sqlite"));
    {
        EmmettWriter w(path);
        writeOrders(w);
        Db& db = w.db();
        storeProcessor(db, QStringLiteral("projA"), padded(3));
        storeProcessor(db, QStringLiteral("projB"), QStringLiteral("00000000000000000042:") + padded(6));
        storeProcessor(db, QStringLiteral("projC"), padded(8));
        storeProcessor(db, QStringLiteral("tenanted"), padded(2), QStringLiteral("tenant-a"));
        storeProcessor(db, QStringLiteral("tenanted"), padded(7), QStringLiteral("tenant-b"));
        storeProcessor(db, QStringLiteral("broken"), QStringLiteral("not-a-number"));
        storeProcessor(db, QStringLiteral("future"), padded(99));
        storeProcessor(db, QStringLiteral("projA"), padded(1), {}, 2);
    }
    auto store = StoreRegistry::open(path);
    const LagPoll poll = pollLag(*store);
    CHECK(poll.note.isEmpty());
    REQUIRE(poll.readings.size() == 8);
    CHECK(poll.queries == 2); // all checkpoints in one query, one scope

    const LagReading& a = reading(poll, QStringLiteral("projA"));
    CHECK(a.checkpoint.raw == padded(3));
    CHECK(a.checkpoint.position == 3);
    CHECK(a.head == 8);
    CHECK(a.lagEvents == 4); // 5, 6, 7, 8 — not 8 - 3
    REQUIRE(a.lagSeconds);
    CHECK(*a.lagSeconds == Approx(18.0));

    const LagReading& b = reading(poll, QStringLiteral("projB"));
    CHECK(b.checkpoint.position == 6);
    CHECK(b.lagEvents == 2);
    CHECK(*b.lagSeconds == Approx(14.0));

    const LagReading& c = reading(poll, QStringLiteral("projC"));
    CHECK(c.lagEvents == 0);
    CHECK(*c.lagSeconds == Approx(0.0));

    CHECK(reading(poll, QStringLiteral("tenanted"), QStringLiteral("tenant-a")).lagEvents == 5);
    CHECK(reading(poll, QStringLiteral("tenanted"), QStringLiteral("tenant-b")).lagEvents == 1);
    CHECK(reading(poll, QStringLiteral("projA v2")).lagEvents == 6);

    const LagReading& broken = reading(poll, QStringLiteral("broken"));
    CHECK(broken.checkpoint.raw == QLatin1String("not-a-number"));
    CHECK(broken.checkpoint.error.contains(QLatin1String("not-a-number")));

    LagTracker tracker;
    const std::vector<LagRow> rows = tracker.add(poll);
    CHECK(row(rows, QStringLiteral("projA")).status == LagStatus::Behind);
    CHECK(row(rows, QStringLiteral("projC")).status == LagStatus::CaughtUp);
    CHECK(row(rows, QStringLiteral("broken")).status == LagStatus::Unparseable);
    CHECK(row(rows, QStringLiteral("future")).status == LagStatus::Ahead);
    CHECK(row(rows, QStringLiteral("future")).detail.contains(QLatin1String("99")));
    CHECK(row(rows, QStringLiteral("tenanted"), QStringLiteral("tenant-a")).lagEvents == 5);
    CHECK(lagStatusName(LagStatus::Ahead) == QLatin1String("ahead-of-head"));
}

TEST_CASE("lag: Emmett 0.41 emt_subscriptions and a missing checkpoint table", "[lag][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett041.sqlite"));
    {
        EmmettWriter w(path);
        writeOrders(w);
        Db& db = w.db();
        db.exec(QStringLiteral("DROP TABLE emt_processors"));
        // migrations/0_41_0/0_41_0.snapshot.ts
        db.exec(QStringLiteral(R"(CREATE TABLE IF NOT EXISTS emt_subscriptions(
    subscription_id                 TEXT                   NOT NULL,
    version                         INTEGER                NOT NULL DEFAULT 1,
    partition                       TEXT                   NOT NULL DEFAULT 'global',
    last_processed_position         BIGINT                NOT NULL,
    PRIMARY KEY (subscription_id, partition, version)))"));
        db.exec(QStringLiteral("INSERT INTO emt_subscriptions (subscription_id, version, partition, "
                               "last_processed_position) VALUES (?, 1, 'global', ?)"),
            { QStringLiteral("legacy"), 5 });
    }
    {
        auto store = StoreRegistry::open(path);
        const LagPoll poll = pollLag(*store);
        REQUIRE(poll.readings.size() == 1);
        CHECK(poll.readings[0].checkpoint.name == QLatin1String("legacy"));
        CHECK(poll.readings[0].checkpoint.partition == QLatin1String("global"));
        CHECK(poll.readings[0].lagEvents == 3);
        CHECK(*poll.readings[0].lagSeconds == Approx(15.0));
    }
    {
        Db db(path);
        db.exec(QStringLiteral("DROP TABLE emt_subscriptions"));
    }
    auto store = StoreRegistry::open(path);
    const LagPoll poll = pollLag(*store);
    CHECK(poll.readings.empty());
    CHECK(poll.note.contains(QLatin1String("no checkpoint table")));
    CHECK(poll.note.contains(QLatin1String("emt_processors")));
    CHECK(poll.note.contains(QLatin1String("emt_subscriptions")));
}

TEST_CASE("lag: Python eventsourcing tracking table", "[lag][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("es.sqlite"));
    {
        // eventsourcing/sqlite.py 9.x: stored_events (rowid = notification id) and tracking, one row per notification.
        Db db(path);
        db.exec(QStringLiteral("pragma journal_mode=wal;"));
        db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version "
                               "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"));
        db.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS tracking (application_name text, notification_id int, "
                               "PRIMARY KEY (application_name, notification_id)) WITHOUT ROWID"));
        for (int i = 1; i <= 5; ++i) {
            const QByteArray state = QByteArray(R"({"timestamp":{"_type_":"datetime_iso","_data_":"2024-05-01T12:00:)")
                + QByteArray::number(10 * i) + R"(+00:00"},"n":)" + QByteArray::number(i) + '}';
            db.exec(QStringLiteral("INSERT INTO stored_events VALUES (?,?,?,?)"),
                { QStringLiteral("a1"), i, QStringLiteral("bank.domain:Account.Credited"), state });
        }
        for (int n = 1; n <= 3; ++n)
            db.exec(QStringLiteral("INSERT INTO tracking VALUES (?,?)"), { QStringLiteral("Reporting"), n });
        db.exec(QStringLiteral("INSERT INTO tracking VALUES (?,?)"), { QStringLiteral("Audit"), 5 });
    }
    auto store = StoreRegistry::open(path);
    const LagPoll poll = pollLag(*store);
    REQUIRE(poll.readings.size() == 2);
    const LagReading& reporting = reading(poll, QStringLiteral("Reporting"));
    CHECK(reporting.checkpoint.position == 3);
    CHECK(reporting.checkpoint.raw == QLatin1String("3"));
    CHECK(reporting.head == 5);
    CHECK(reporting.lagEvents == 2);
    REQUIRE(reporting.lagSeconds);
    CHECK(*reporting.lagSeconds == Approx(20.0));
    CHECK(reading(poll, QStringLiteral("Audit")).lagEvents == 0);
}

TEST_CASE("lag: a consumer without a checkpoint row yet is fully behind (user mapping)", "[lag][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett.sqlite"));
    {
        EmmettWriter w(path);
        writeOrders(w);
        storeProcessor(w.db(), QStringLiteral("billing"), padded(6));
    }
    QFile builtIn(QStringLiteral(":/profiles/emmett.json"));
    REQUIRE(builtIn.open(QIODevice::ReadOnly));
    QJsonObject profile = QJsonDocument::fromJson(builtIn.readAll()).object();
    profile.insert(QStringLiteral("name"), QStringLiteral("emmett-expected"));
    // The consumers the user expects, joined to what the store has recorded.
    profile.insert(QStringLiteral("checkpoints"),
        QJsonArray { QJsonObject {
            { QStringLiteral("table"),
                QStringLiteral("(SELECT 'billing' AS expected UNION ALL SELECT 'shipping') AS e LEFT JOIN "
                               "{processors} AS p ON p.processor_id = e.expected") },
            { QStringLiteral("name"), QStringLiteral("e.expected") },
            { QStringLiteral("raw"), QStringLiteral("p.last_processed_checkpoint") },
            { QStringLiteral("position"), QStringLiteral("CAST(p.last_processed_checkpoint AS INTEGER)") },
            { QStringLiteral("category"), QStringLiteral("'order'") } } });
    const QString mapping = tempPath(dir, QStringLiteral("mapping.json"));
    {
        QFile f(mapping);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(profile).toJson());
    }
    OpenOptions options;
    options.mappingFile = mapping;
    auto store = StoreRegistry::open(path, options);
    const LagPoll poll = pollLag(*store);
    REQUIRE(poll.readings.size() == 2);
    const LagReading& billing = reading(poll, QStringLiteral("billing"));
    CHECK(billing.checkpoint.scope.category == QLatin1String("order"));
    CHECK(billing.head == 6); // the order category: 1, 2, 3, 5, 6
    CHECK(billing.lagEvents == 0);
    const LagReading& shipping = reading(poll, QStringLiteral("shipping"));
    CHECK_FALSE(shipping.checkpoint.hasValue);
    CHECK(shipping.lagEvents == 5);
    LagTracker tracker;
    const LagRow r = row(tracker.add(poll), QStringLiteral("shipping"));
    CHECK(r.status == LagStatus::Behind);
    CHECK(r.scope == QLatin1String("category:order"));
    CHECK(r.detail.contains(QLatin1String("nothing processed")));
}

TEST_CASE("lag: rates, ETA, falling behind, and a stalled processor", "[lag][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("emmett.sqlite"));
    EmmettWriter w(path, true);
    writeOrders(w);
    storeProcessor(w.db(), QStringLiteral("mover"), padded(1));
    storeProcessor(w.db(), QStringLiteral("stuck"), padded(2));
    auto store = StoreRegistry::open(path);

    LagThresholds thresholds;
    thresholds.stallSeconds = 30;
    thresholds.rateWindowSeconds = 20;
    LagTracker tracker(thresholds);
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2024-06-01T00:00:00Z"), Qt::ISODate);
    LagPoll last;
    auto pollAt = [&](int seconds) {
        last = pollLag(*store);
        last.at = t0.addSecs(seconds);
        return tracker.add(last);
    };

    std::vector<LagRow> rows = pollAt(0);
    CHECK(row(rows, QStringLiteral("mover")).lagEvents == 6);
    CHECK(row(rows, QStringLiteral("stuck")).status == LagStatus::Behind);

    // mover: 6 -> 2 behind in 10 s while nothing is appended: 0.4 events/s, 5 s to go.
    w.db().exec(QStringLiteral("UPDATE emt_processors SET last_processed_checkpoint = ? WHERE processor_id = 'mover'"),
        { padded(6) });
    rows = pollAt(10);
    const LagPoll atTen = last;
    const LagRow& mover = row(rows, QStringLiteral("mover"));
    CHECK(mover.lagEvents == 2);
    CHECK(mover.status == LagStatus::CatchingUp);
    REQUIRE(mover.ratePerSecond);
    CHECK(*mover.ratePerSecond == Approx(0.4));
    REQUIRE(mover.etaSeconds);
    CHECK(*mover.etaSeconds == Approx(5.0));
    CHECK(row(rows, QStringLiteral("stuck")).status == LagStatus::FallingBehind);

    // Events arrive faster than mover processes them: falling behind; stuck has not moved for 40 s.
    w.append(QStringLiteral("order-3"),
        { event("Placed", "2024-01-01 10:00:30"), event("Paid", "2024-01-01 10:00:31"),
            event("Shipped", "2024-01-01 10:00:32") });
    w.db().exec(QStringLiteral("UPDATE emt_processors SET last_processed_checkpoint = ? WHERE processor_id = 'mover'"),
        { padded(7) });
    rows = pollAt(40);
    CHECK(row(rows, QStringLiteral("mover")).lagEvents == 4);
    CHECK(row(rows, QStringLiteral("mover")).status == LagStatus::FallingBehind);
    const LagRow& stuck = row(rows, QStringLiteral("stuck"));
    CHECK(stuck.status == LagStatus::Stalled);
    CHECK(stuck.stalledFor == Approx(40.0));
    CHECK(stuck.lagEvents == 8);

    // Catching up to the head.
    w.db().exec(QStringLiteral("UPDATE emt_processors SET last_processed_checkpoint = ?"),
        { padded(w.db().scalar(QStringLiteral("SELECT max(global_position) FROM emt_messages"))) });
    rows = pollAt(50);
    CHECK(row(rows, QStringLiteral("mover")).status == LagStatus::CaughtUp);
    CHECK(row(rows, QStringLiteral("stuck")).status == LagStatus::CaughtUp);
    CHECK(tracker.history(row(rows, QStringLiteral("stuck")).key).size() == 4);

    // A caught-up threshold lets a small lag count as caught up.
    thresholds.caughtUpEvents = 10;
    LagTracker lenient(thresholds);
    rows = lenient.add(atTen);
    CHECK(row(rows, QStringLiteral("mover")).status == LagStatus::CaughtUp);
    CHECK(row(rows, QStringLiteral("stuck")).status == LagStatus::CaughtUp);
    thresholds.caughtUpEvents = 0;
    CHECK(row(LagTracker(thresholds).add(atTen), QStringLiteral("stuck")).status == LagStatus::Behind);
}

TEST_CASE("lag: the history kept per consumer is bounded", "[lag]")
{
    LagTracker tracker({}, 5);
    LagPoll poll;
    LagReading r;
    r.checkpoint.name = QStringLiteral("p");
    r.checkpoint.hasValue = true;
    r.checkpoint.position = 1;
    r.head = 10;
    r.total = 10;
    r.lagEvents = 9;
    poll.readings.push_back(r);
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2024-06-01T00:00:00Z"), Qt::ISODate);
    for (int i = 0; i < 20; ++i) {
        poll.at = t0.addSecs(i);
        poll.readings[0].checkpoint.position = 1 + i;
        poll.readings[0].lagEvents = 9 - std::min(i, 9);
        tracker.add(poll);
    }
    const auto& history = tracker.history(QStringLiteral("p"));
    REQUIRE(history.size() == 5);
    CHECK(history.front().at == t0.addSecs(15));
    CHECK(history.back().position == 20);
}
