#include <catch2/catch.hpp>

#include "diff/diffjob.h"
#include "diff/storediff.h"
#include "export/exporter.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <algorithm>

using namespace es;
using namespace es::test;

// Diffs of stores written the way their clients write (Emmett on SQLite and PostgreSQL, Message DB), the second a
// copy of the first (a file copy, a pg_dump restored) with planted changes: a payload edited, an event removed, one
// appended.

namespace {

// A change as "kind stream@version paths", for exact comparison.
QString brief(const DiffChange& c)
{
    return QStringLiteral("%1 %2@%3 %4")
        .arg(DiffChange::kindName(c.kind), c.stream)
        .arg(c.version)
        .arg(c.paths.join(QLatin1Char(',')));
}

struct Outcome {
    DiffSummary summary;
    std::vector<DiffChange> changes;
    QStringList briefs() const
    {
        QStringList out;
        for (const DiffChange& c : changes)
            out.append(brief(c));
        return out;
    }
    QStringList sortedBriefs() const
    {
        QStringList out = briefs();
        out.sort();
        return out;
    }
};

Outcome diff(EventStore& a, EventStore& b, DiffOptions options = {})
{
    Outcome out;
    out.summary = StoreDiff::run(a, b, options, [&](const DiffChange& c) { out.changes.push_back(c); });
    return out;
}

Outcome diff(const QString& a, const QString& b, DiffOptions options = {})
{
    auto sa = StoreRegistry::open(a);
    auto sb = StoreRegistry::open(b);
    return diff(*sa, *sb, std::move(options));
}

using Msg = EmmettWriter::Message;

Msg message(const char* type, const char* data, int second)
{
    Msg m;
    m.type = QString::fromLatin1(type);
    m.data = data;
    m.created = QStringLiteral("2024-05-01 10:00:%1").arg(second, 2, 10, QLatin1Char('0'));
    return m;
}

// Six events in three streams, as Emmett's appendToStream writes them.
void writeShop(const QString& path)
{
    EmmettWriter w(path);
    w.append(QStringLiteral("account-1"),
        { message("Opened", R"({"owner": "ann", "email": "ann@example.com"})", 1),
            message("Deposited", R"({"amount": 10})", 2) });
    w.append(QStringLiteral("order-1"), { message("Placed", R"({"total": 5, "items": [{"sku": "a"}]})", 3) });
    w.append(QStringLiteral("account-2"), { message("Opened", R"({"owner": "bob", "email": "bob@example.com"})", 4) });
    w.append(QStringLiteral("account-1"), { message("Deposited", R"({"amount": 20})", 5) });
    w.append(QStringLiteral("order-1"), { message("Shipped", R"({})", 6) });
}

// B: a copy of A, one payload edited, one event removed, one appended (by the client).
QString plantedCopy(const QTemporaryDir& dir, const QString& a)
{
    const QString b = dir.filePath(QStringLiteral("b.sqlite"));
    REQUIRE(QFile::copy(a, b));
    {
        Db db(b);
        db.exec(QStringLiteral("UPDATE emt_messages SET message_data = ? WHERE message_id = ?"),
            { QStringLiteral(R"({"amount": 25})"), QStringLiteral("account-1-msg-3") });
        db.exec(QStringLiteral("DELETE FROM emt_messages WHERE message_id = ?"), { QStringLiteral("account-2-msg-1") });
    }
    EmmettWriter(b).append(QStringLiteral("order-1"), { message("Cancelled", R"({"reason": "late"})", 7) });
    return b;
}

} // namespace

TEST_CASE("Diff of two Emmett SQLite stores finds the edited, removed and appended event", "[diff]")
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.sqlite"));
    writeShop(a);
    const QString b = plantedCopy(dir, a);

    SECTION("by id")
    {
        const Outcome o = diff(a, b);
        CHECK(o.summary.matchedById);
        CHECK(o.briefs()
            == QStringList { QStringLiteral("changed account-1@3 data.amount"), QStringLiteral("added order-1@3 "),
                QStringLiteral("removed account-2@1 ") });
        CHECK(o.summary.eventsA == 6);
        CHECK(o.summary.eventsB == 6);
        CHECK(o.summary.unchanged == 4);
        CHECK(o.summary.counts.changed == 1);
        CHECK(o.summary.counts.removed == 1);
        CHECK(o.summary.counts.added == 1);
        CHECK(o.summary.perStream.size() == 3);
        CHECK(o.summary.perStream.at(QStringLiteral("order-1")).added == 1);

        // a and b are the events as `events --json` prints them.
        auto sa = StoreRegistry::open(a);
        auto sb = StoreRegistry::open(b);
        const EventList eventsA = readAll(*sa);
        const EventList eventsB = readAll(*sb);
        const DiffChange& changed = o.changes[0];
        CHECK(changed.id == QLatin1String("account-1-msg-3"));
        CHECK(changed.a == eventsA[4].toJsonLine());
        CHECK(changed.b == eventsB[3].toJsonLine());
        const DiffChange& added = o.changes[1];
        CHECK(added.a.isEmpty());
        CHECK(added.b == eventsB[5].toJsonLine());
        const QJsonObject line = QJsonDocument::fromJson(o.changes[2].toJsonLine()).object();
        CHECK(line.value(QStringLiteral("change")).toString() == QLatin1String("removed"));
        CHECK(line.value(QStringLiteral("stream")).toString() == QLatin1String("account-2"));
        CHECK(line.value(QStringLiteral("version")).toInt() == 1);
        CHECK(line.value(QStringLiteral("id")).toString() == QLatin1String("account-2-msg-1"));
        CHECK(line.value(QStringLiteral("b")).isNull());
        CHECK(line.value(QStringLiteral("a")).toObject() == eventsA[3].toJson());
    }
    SECTION("by stream and version")
    {
        DiffOptions options;
        options.match = DiffMatch::StreamVersion;
        const Outcome o = diff(a, b, options);
        CHECK_FALSE(o.summary.matchedById);
        CHECK(o.sortedBriefs()
            == QStringList { QStringLiteral("added order-1@3 "), QStringLiteral("changed account-1@3 data.amount"),
                QStringLiteral("removed account-2@1 ") });
    }
    SECTION("one stream, one category")
    {
        DiffOptions options;
        options.filter.stream = QStringLiteral("account-1");
        CHECK(diff(a, b, options).briefs() == QStringList { QStringLiteral("changed account-1@3 data.amount") });
        options.filter = {};
        options.filter.category = QStringLiteral("order");
        CHECK(diff(a, b, options).briefs() == QStringList { QStringLiteral("added order-1@3 ") });
    }
    SECTION("a store against itself, and the other way round")
    {
        const Outcome same = diff(a, a);
        CHECK(same.changes.empty());
        CHECK(same.summary.unchanged == 6);
        CHECK(diff(b, a).sortedBriefs()
            == QStringList { QStringLiteral("added account-2@1 "), QStringLiteral("changed account-1@3 data.amount"),
                QStringLiteral("removed order-1@3 ") });
    }
}

TEST_CASE("Diff pairs events by id across different positions, within the window", "[diff]")
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.sqlite"));
    writeShop(a);
    // The same events appended in another order by the client: every position differs, ids and versions do not.
    const QString b = dir.filePath(QStringLiteral("b.sqlite"));
    {
        EmmettWriter w(b);
        w.append(QStringLiteral("account-2"),
            { message("Opened", R"({"email": "bob@example.com", "owner": "bob"})", 4) }); // keys reordered
        w.append(QStringLiteral("account-1"),
            { message("Opened", R"({"owner": "ann", "email": "ann@example.com"})", 1),
                message("Deposited", R"({"amount": 10})", 2) });
        w.append(QStringLiteral("order-1"), { message("Placed", R"({"total": 5, "items": [{"sku": "b"}]})", 3) });
        w.append(QStringLiteral("order-1"), { message("Shipped", R"({})", 6) });
        w.append(QStringLiteral("account-1"), { message("Deposited", R"({"amount": 20})", 5) });
    }
    const Outcome o = diff(a, b);
    CHECK(o.briefs() == QStringList { QStringLiteral("changed order-1@1 data.items[0].sku") });
    CHECK(o.summary.unchanged == 5);
    CHECK(o.summary.maxPending >= 2);

    // A window of one event pairs only neighbours: the moved events come out removed and added.
    DiffOptions narrow;
    narrow.window = 1;
    const Outcome n = diff(a, b, narrow);
    CHECK(n.summary.counts.removed == n.summary.counts.added);
    CHECK(n.summary.counts.removed > 0);
    CHECK(n.summary.eventsA == 6);
}

TEST_CASE("Diff of a PostgreSQL store and its SQLite export finds none", "[diff][pg]")
{
    ES_REQUIRE_PG("the cross-engine diff");
    PgTestDatabase db(QStringLiteral("diff_cross"), { QStringLiteral("messagedb.sql") });
    QTemporaryDir dir;
    auto pg = StoreRegistry::open(db.address());
    ExportOptions options;
    options.format = QStringLiteral("sqlite");
    options.path = dir.filePath(QStringLiteral("copy.sqlite"));
    Exporter::run(*pg, options);
    auto copy = StoreRegistry::open(options.path);
    const Outcome o = diff(*pg, *copy);
    CHECK(o.summary.matchedById);
    CHECK(o.briefs().isEmpty());
    CHECK(o.summary.unchanged == qint64(readAll(*pg).size()));
}

namespace {

// B: A dumped and restored (pg_dump | psql), as a backup would be.
void restoreInto(const PgTestDatabase& from, const PgTestDatabase& to, const QTemporaryDir& dir)
{
    const QString dump = dir.filePath(QStringLiteral("dump.sql"));
    QByteArray err;
    REQUIRE(runProcess(QStringLiteral("pg_dump"), { QStringLiteral("-d"), from.address(), QStringLiteral("-f"), dump },
                nullptr, &err)
        == 0);
    REQUIRE(psql(to.address(), { QStringLiteral("-f"), dump }, nullptr, &err) == 0);
}

} // namespace

TEST_CASE("Diff of Emmett PostgreSQL stores finds the planted changes", "[diff][pg]")
{
    ES_REQUIRE_PG("the Emmett PostgreSQL diff");
    QTemporaryDir dir;
    PgTestDatabase a(QStringLiteral("diff_emmett_a"), { QStringLiteral("emmett.sql") });
    PgTestDatabase b(QStringLiteral("diff_emmett_b"));
    restoreInto(a, b, dir);
    CHECK(diff(a.address(), b.address()).changes.empty());

    b.sql(QStringLiteral("UPDATE emt_messages SET message_data = jsonb_set(message_data, '{quantity}', '3') WHERE "
                         "message_id = 'm1'"));
    b.sql(QStringLiteral("DELETE FROM emt_messages WHERE message_id = 'm4'"));
    // appendToStream.ts: the stream row bumped, the message inserted with the transaction's id, in one transaction.
    b.sql(QStringLiteral(
        "BEGIN; UPDATE emt_streams SET stream_position = 3 WHERE stream_id = 'shopping_cart-1:a-b' AND partition = "
        "'emt:default' AND NOT is_archived; INSERT INTO emt_messages (stream_id, stream_position, partition, "
        "message_data, message_metadata, message_schema_version, message_type, message_kind, message_id, "
        "transaction_id) VALUES ('shopping_cart-1:a-b', 3, 'emt:default', '{\"productId\": \"p-2\"}', "
        "'{\"messageId\": \"m6\"}', '0', 'ProductItemAdded', 'E', 'm6', pg_current_xact_id()); COMMIT"));
    const Outcome o = diff(a.address(), b.address());
    CHECK(o.summary.matchedById);
    CHECK(o.sortedBriefs()
        == QStringList { QStringLiteral("added shopping_cart-1:a-b@3 "),
            QStringLiteral("changed shopping_cart-1:a-b@1 data.quantity"), QStringLiteral("removed order-7@2 ") });
    for (const DiffChange& c : o.changes) {
        if (c.kind == DiffChange::Kind::Changed) {
            CHECK(c.id == QLatin1String("m1"));
            CHECK(QJsonDocument::fromJson(c.b)
                      .object()[QStringLiteral("data")]
                      .toObject()[QStringLiteral("quantity")]
                      .toInt()
                == 3);
        }
    }
}

TEST_CASE("Diff of Message DB stores finds the planted changes", "[diff][pg]")
{
    ES_REQUIRE_PG("the Message DB diff");
    QTemporaryDir dir;
    PgTestDatabase a(QStringLiteral("diff_mdb_a"), { QStringLiteral("messagedb.sql") });
    PgTestDatabase b(QStringLiteral("diff_mdb_b"));
    restoreInto(a, b, dir);
    b.sql(QStringLiteral("UPDATE message_store.messages SET data = '{\"amount\": 11}' WHERE id = "
                         "'7a6a3c1e-0000-4000-8000-000000000003'"));
    b.sql(QStringLiteral("DELETE FROM message_store.messages WHERE id = '7a6a3c1e-0000-4000-8000-000000000005'"));
    b.sql(QStringLiteral("SET search_path TO message_store, public; SELECT write_message("
                         "'7a6a3c1e-0000-4000-8000-000000000099', 'account-123', 'Deposited', '{\"amount\": 1}', "
                         "NULL)"));
    const Outcome o = diff(a.address(), b.address());
    CHECK(o.summary.matchedById);
    QStringList briefs = o.sortedBriefs();
    REQUIRE(briefs.size() == 3);
    CHECK(briefs[0].startsWith(QLatin1String("added account-123@")));
    CHECK(briefs[1] == QLatin1String("changed account-123@1 data.amount"));
    CHECK(briefs[2] == QLatin1String("removed withdrawal-7:8-9@0 "));

    DiffOptions one;
    one.filter.category = QStringLiteral("withdrawal");
    CHECK(
        diff(a.address(), b.address(), one).briefs() == QStringList { QStringLiteral("removed withdrawal-7:8-9@0 ") });
}

TEST_CASE("Diff of two streams of one store pairs by version and ignores names, ids and positions", "[diff]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("two.sqlite"));
    {
        EmmettWriter w(path);
        // Two aggregates that lived the same life but for the amount of the second deposit, and one more event.
        w.append(QStringLiteral("account-1"),
            { message("Opened", R"({"owner": "ann"})", 1), message("Deposited", R"({"amount": 10})", 2) });
        w.append(QStringLiteral("account-2"),
            { message("Opened", R"({"owner": "ann"})", 1), message("Deposited", R"({"amount": 10})", 2) });
        w.append(QStringLiteral("account-1"), { message("Deposited", R"({"amount": 20})", 3) });
        w.append(QStringLiteral("account-2"),
            { message("Deposited", R"({"amount": 25})", 3), message("Closed", R"({})", 4) });
    }
    DiffOptions options;
    options.filter.stream = QStringLiteral("account-1");
    options.filterB = EventFilter {};
    options.filterB->stream = QStringLiteral("account-2");
    // Even when asked to pair by id: two streams pair by version, as the ids are different events' by design.
    options.match = DiffMatch::Id;
    const Outcome o = diff(path, path, options);
    CHECK_FALSE(o.summary.matchedById);
    CHECK(o.summary.unchanged == 2);
    CHECK(o.briefs()
        == QStringList { QStringLiteral("changed account-1@3 data.amount"), QStringLiteral("added account-2@4 ") });
    CHECK(o.summary.eventsA == 3);
    CHECK(o.summary.eventsB == 4);

    // The same stream against itself: nothing differs.
    options.filterB->stream = QStringLiteral("account-1");
    CHECK(diff(path, path, options).changes.empty());
}

TEST_CASE("A diff job reports progress and its result, and a cancelled one ends as cancelled", "[diff][session]")
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.sqlite"));
    writeShop(a);
    const QString b = plantedCopy(dir, a);
    StoreSession session(StoreOpener { a, {} });
    {
        DiffJob job(&session, StoreOpener { b, {} }, {});
        QSignalSpy finished(&job, &DiffJob::finished);
        job.start();
        REQUIRE(finished.wait(20000));
        const DiffResult result = finished.at(0).at(0).value<DiffResult>();
        CHECK(result.summary.counts.total() == 3);
        CHECK(result.changes.size() == 3);
        CHECK_FALSE(result.truncated);
    }
    {
        DiffJob job(&session, StoreOpener { dir.filePath(QStringLiteral("missing.sqlite")), {} }, {});
        QSignalSpy failed(&job, &DiffJob::failed);
        job.start();
        REQUIRE(failed.wait(20000));
        const Failure f = failed.at(0).at(0).value<Failure>();
        CHECK(f.kind == Failure::Kind::BadAddress);
        CHECK(f.message.startsWith(QLatin1String("The second store")));
    }
    {
        std::atomic<bool> cancel { true };
        auto sa = StoreRegistry::open(a);
        auto sb = StoreRegistry::open(b);
        try {
            StoreDiff::run(*sa, *sb, {}, {}, {}, &cancel);
            FAIL("a cancelled diff returned");
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::Cancelled);
        }
    }
}
