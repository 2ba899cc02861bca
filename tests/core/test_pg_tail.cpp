#include <catch2/catch.hpp>

#include "live/tailer.h"
#include "pg/pgtail.h"
#include "store/storeregistry.h"
#include "test_pg_writers.h"
#include "testutils.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSet>
#include <QThread>

#include <pqxx/pqxx>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

using namespace es;
using namespace es::test;

// The live tail on PostgreSQL while 8 writers commit out of order: random transaction sizes, random pauses before
// COMMIT, about one transaction in ten rolled back. Every committed event must be seen exactly once, none rolled back.

namespace {

using Layout = PgLayout;

struct LayoutCase {
    Layout layout;
    const char* title;
    const char* fixture;
    const char* strategy; // the tail strategy's name once it has read
    const char* category = nullptr; // tail this category instead of the log
};

const LayoutCase kLayouts[] = {
    { Layout::MessageDb, "Message DB", "messagedb.sql", "settled head" },
    { Layout::MessageDbCategory, "Message DB category", "messagedb.sql",
        "commit order within the category (write_message's lock per category)", kSharedCategory },
    { Layout::Emmett, "Emmett", "emmett.sql", "transaction order (transaction_id below the snapshot's xmin)" },
    { Layout::Marten, "Marten", "marten_string.sql", "settled head" },
    { Layout::Eventuous, "Eventuous", "eventuous.sql", "settled head" },
    { Layout::Commanded, "Commanded", "commanded.sql", "commit order ($all)" },
    { Layout::Axon, "Axon JDBC", "axon_jdbc.sql", "settled head" },
};

using Outcome = PgWriteOutcome;

void writer(
    const std::string& address, Layout layout, int index, int events, unsigned seed, Outcome& out, std::mutex& m)
{
    pgLayoutWriter(address, layout, index, events, seed, out, m);
}

void runRound(const QString& address, const LayoutCase& c, int totalEvents, unsigned seed)
{
    const Layout layout = c.layout;
    auto store = StoreRegistry::open(address);
    EventFilter scope;
    if (c.category)
        scope.category = QString::fromLatin1(c.category);
    Tailer tailer(scope, 0, createTailStrategy(QStringLiteral("postgresql"), *store));
    const qint64 fixtureEvents = store->scopeStats(scope).count; // the layout fixture's own events
    Outcome outcome;
    std::mutex mutex;
    std::atomic<int> running { 8 };
    QStringList writerErrors;
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            try {
                writer(address.toStdString(), layout, i, totalEvents / 8, seed + unsigned(i), outcome, mutex);
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(mutex);
                writerErrors.append(QString::fromUtf8(e.what()));
            }
            --running;
        });
    }
    QHash<QString, int> seen;
    qint64 lastPosition = -1;
    bool ordered = true;
    qint64 maxVisibleAhead = 0;
    auto drain = [&] {
        for (const Event& e : tailer.poll(*store)) {
            // In a transaction order positions come out of order by design; "once" is checked below.
            ordered = ordered && (!tailer.strategy().keyOrdered() || e.position > lastPosition);
            lastPosition = e.position;
            ++seen[e.id];
        }
        maxVisibleAhead = std::max(maxVisibleAhead, tailer.heads().visible - tailer.heads().settled);
    };
    while (running > 0) {
        drain();
        QThread::msleep(5);
    }
    for (std::thread& t : threads)
        t.join();
    CHECK(tailer.strategy().name() == QLatin1String(c.strategy));
    if (c.category) {
        // Only the shared category's writers count; the others' events are outside the scope.
        QSet<QString> inScope, rolledBackInScope;
        for (const QString& id : std::as_const(outcome.committed))
            if (sharedCategoryWriter(layout, int(id.mid(24).toULongLong(nullptr, 16) / 100000000ULL)))
                inScope.insert(id);
        for (const QString& id : std::as_const(outcome.rolledBack))
            if (sharedCategoryWriter(layout, int(id.mid(24).toULongLong(nullptr, 16) / 100000000ULL)))
                rolledBackInScope.insert(id);
        REQUIRE(inScope.size() == totalEvents / 8 * 4);
        outcome.committed = inScope;
        outcome.rolledBack = rolledBackInScope;
    }
    QElapsedTimer timer;
    timer.start();
    // Once the writers are gone the settled head reaches the visible head within a poll or two.
    while (seen.size() < outcome.committed.size() + fixtureEvents && timer.elapsed() < 10000) {
        drain();
        QThread::msleep(5);
    }
    drain();
    INFO(writerErrors.join(QStringLiteral("; ")).toStdString());
    REQUIRE(writerErrors.isEmpty());
    CHECK(ordered);
    CHECK(outcome.committed.size() == totalEvents / 8 * (c.category ? 4 : 8));
    int duplicates = 0, rolledBackSeen = 0, missing = 0;
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        duplicates += it.value() > 1 ? 1 : 0;
        rolledBackSeen += outcome.rolledBack.contains(it.key()) ? 1 : 0;
    }
    for (const QString& id : outcome.committed)
        missing += seen.contains(id) ? 0 : 1;
    INFO("rolled back transactions' events: " << outcome.rolledBack.size()
                                              << ", max visible-settled gap: " << maxVisibleAhead);
    CHECK(duplicates == 0);
    CHECK(rolledBackSeen == 0);
    CHECK(missing == 0);
    CHECK(seen.size() == outcome.committed.size() + fixtureEvents);
    CHECK_FALSE(outcome.rolledBack.isEmpty());
    CHECK(tailer.heads().settled == tailer.heads().visible);
}

} // namespace

// The 40,000 events per round, for every layout with a sequence position that can be written
// concurrently, each through the order its profile gives (settled head; Message DB within a category; Emmett's
// transaction order; Commanded's $all), one round each to keep the suite's time down (about 2 minutes on 2 cores);
// ES_TAIL_EVENTS and ES_TAIL_ROUNDS override the size and the number of rounds for a soak run.
TEST_CASE("PG tail: concurrent out-of-order writers, every committed event once", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    const int events
        = qEnvironmentVariableIsSet("ES_TAIL_EVENTS") ? qEnvironmentVariableIntValue("ES_TAIL_EVENTS") : 40000;
    const int rounds = qEnvironmentVariableIsSet("ES_TAIL_ROUNDS") ? qEnvironmentVariableIntValue("ES_TAIL_ROUNDS") : 1;
    for (const LayoutCase& c : kLayouts) {
        for (int round = 0; round < rounds; ++round) {
            INFO(c.title << " round " << round);
            PgTestDatabase db(QStringLiteral("pgtail_%1").arg(int(c.layout)), { QString::fromLatin1(c.fixture) });
            QElapsedTimer timer;
            timer.start();
            runRound(db.address(), c, events, 1000 * unsigned(round) + 100 * unsigned(c.layout) + 1);
            WARN(c.title << " round " << round << ": " << events << " events in " << timer.elapsed() << " ms");
        }
    }
}

namespace {

QStringList idsOf(const EventList& events)
{
    QStringList out;
    for (const Event& e : events)
        out.append(e.id);
    return out;
}

} // namespace

// Emmett's order: a transaction still open holds back every transaction that began after it, whatever their
// positions; when it ends its rows come first, then the later ones, each once.
TEST_CASE("PG tail: Emmett in transaction order below the snapshot's xmin", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_emmett_held"), { QStringLiteral("emmett.sql") });
    const std::string address = db.address().toStdString();
    auto append = [](pqxx::transaction_base& tx, const char* stream, const char* id) {
        tx.exec_params("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                       "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                       "transaction_id) VALUES ($1, 1, 'emt:default', '{}', '{}', '0', 'Written', 'E', $2, "
                       "pg_current_xact_id())",
            std::string(stream), std::string(id));
    };
    auto store = StoreRegistry::open(db.address());
    Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.strategy().name() == QLatin1String("transaction order (transaction_id below the snapshot's xmin)"));
    CHECK_FALSE(tailer.strategy().keyOrdered());

    pqxx::connection heldConn(address), laterConn(address);
    pqxx::work held(heldConn);
    append(held, "held-1", "held");
    {
        pqxx::work later(laterConn);
        append(later, "later-1", "later");
        later.commit();
    }
    const qint64 later = store->scopeStats(EventFilter {}).lastKey;
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.heads().visible == later);
    CHECK(tailer.heads().settled < later);

    // Any transaction of the server holds the xmin, so another session's may delay this a little.
    QStringList seen;
    auto collect = [&](int count) {
        return waitFor([&] {
            seen += idsOf(tailer.poll(*store));
            return seen.size() >= count;
        });
    };
    held.commit();
    REQUIRE(collect(2));
    CHECK(seen == QStringList { QStringLiteral("held"), QStringLiteral("later") });
    CHECK(tailer.heads().settled == later);
    CHECK(tailer.heads().visible == later);
    CHECK(tailer.poll(*store).empty());

    // Rows of one transaction come in position order, and a rolled-back transaction is never shown.
    {
        pqxx::work tx(laterConn);
        append(tx, "undone-1", "undone");
        tx.abort();
    }
    {
        pqxx::work tx(laterConn);
        append(tx, "pair-1", "first");
        append(tx, "pair-2", "second");
        tx.commit();
    }
    seen.clear();
    REQUIRE(collect(2));
    CHECK(seen == QStringList { QStringLiteral("first"), QStringLiteral("second") });
}

// Message DB: a transaction open in one category holds the log's settled head, not another category's tail.
TEST_CASE("PG tail: Message DB reads a category straight to its head", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_mdb_category"), { QStringLiteral("messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    EventFilter laterCategory;
    laterCategory.category = QStringLiteral("later");
    Tailer category(laterCategory, 0, createTailStrategy(QStringLiteral("postgresql"), *store));
    Tailer log(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(category.strategy().name()
        == QLatin1String("commit order within a category (write_message's lock per category), settled head for the "
                         "log"));
    CHECK(log.poll(*store).empty());
    CHECK(category.poll(*store).empty());

    pqxx::connection heldConn(db.address().toStdString());
    pqxx::work held(heldConn);
    held.exec(messageDbWrite(QStringLiteral("held-1")).toStdString());
    db.sql(messageDbWrite(QStringLiteral("later-1")));
    const qint64 later = messageDbPosition(db, QStringLiteral("later-1"));

    const EventList inCategory = category.poll(*store);
    REQUIRE(inCategory.size() == 1);
    CHECK(inCategory[0].stream == QLatin1String("later-1"));
    CHECK(category.heads().settled == later);
    CHECK(category.strategy().name()
        == QLatin1String("commit order within the category (write_message's lock per category)"));
    CHECK(log.poll(*store).empty());
    CHECK(log.heads().visible == later);
    CHECK(log.heads().settled < later);
    CHECK(log.strategy().name() == QLatin1String("settled head"));

    held.commit();
    EventList inLog;
    REQUIRE(waitFor([&] {
        for (Event& e : log.poll(*store))
            inLog.push_back(std::move(e));
        return inLog.size() == 2;
    }));
    CHECK(inLog[0].stream == QLatin1String("held-1"));
    CHECK(inLog[1].stream == QLatin1String("later-1"));
    CHECK(log.heads().settled == later);
}

// Commanded: $all positions are handed out under the lock on $all's row, so an unrelated open transaction does
// not hold the tail back.
TEST_CASE("PG tail: Commanded reads the log in $all order", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_commanded"), { QStringLiteral("commanded.sql") });
    auto store = StoreRegistry::open(db.address());
    Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.strategy().name() == QLatin1String("commit order ($all)"));
    CHECK(tailer.poll(*store).empty());

    pqxx::connection heldConn(db.address().toStdString()), writerConn(db.address().toStdString());
    pqxx::work held(heldConn); // a snapshot being saved, say
    held.exec0("INSERT INTO snapshots (source_uuid, source_version, source_type, data) VALUES ('account-1-2:x', 3, "
               "'Elixir.Bank.Account', convert_to('{}', 'UTF8'))");
    {
        pqxx::work tx(writerConn);
        tx.exec0(commandedAppend({ QStringLiteral("e0000000-0000-4000-8000-000000000001"),
                                     QStringLiteral("e0000000-0000-4000-8000-000000000002") },
            "tail-1", 0, 0));
        tx.commit();
    }
    const EventList events = tailer.poll(*store);
    CHECK(idsOf(events)
        == QStringList { QStringLiteral("e0000000-0000-4000-8000-000000000001"),
            QStringLiteral("e0000000-0000-4000-8000-000000000002") });
    CHECK(tailer.heads().settled == tailer.heads().visible);
    CHECK(tailer.heads().visible == events.back().position);
    held.abort();
}

namespace {

// Sessions that hold transactions open but cannot commit an event: an idle transaction that wrote elsewhere, a reader
// of the events table (pg_dump, an export) and a lock as autovacuum takes it.
struct Bystanders {
    pqxx::connection idleConn, readerConn, vacuumConn;
    pqxx::work idle, reader, vacuum;

    Bystanders(const std::string& address, const std::string& eventsTable)
        : idleConn(address + " application_name=idle-elsewhere")
        , readerConn(address + " application_name=reader")
        , vacuumConn(address + " application_name=vacuum-like")
        , idle(idleConn)
        , reader(readerConn)
        , vacuum(vacuumConn)
    {
        idle.exec0("INSERT INTO es_other (x) VALUES (1)");
        reader.exec("SELECT count(*) FROM " + eventsTable);
        vacuum.exec0("LOCK TABLE " + eventsTable + " IN SHARE UPDATE EXCLUSIVE MODE");
    }
};

} // namespace

// The settled head waits for transactions that can commit events and for nothing else, and names them.
TEST_CASE("PG tail: the settled head waits only for writers of the events table, and names them", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_holders"), { QStringLiteral("messagedb.sql") });
    db.sql(QStringLiteral("CREATE TABLE es_other (x int)"));
    const std::string address = db.address().toStdString();
    auto store = StoreRegistry::open(db.address());
    Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.poll(*store).empty());

    Bystanders bystanders(address, "message_store.messages");
    db.sql(messageDbWrite(QStringLiteral("free-1")));
    const qint64 free = messageDbPosition(db, QStringLiteral("free-1"));
    EventList seen;
    REQUIRE(waitFor([&] {
        for (Event& e : tailer.poll(*store))
            seen.push_back(std::move(e));
        return !seen.empty();
    }));
    CHECK(seen.back().stream == QLatin1String("free-1"));
    CHECK(tailer.heads().settled == free);
    CHECK(tailer.heads().holders.empty());

    // A writer with a position below a later commit holds the head, named by pid, application and age.
    pqxx::connection writerConn(address + " application_name=held-writer");
    pqxx::work writer(writerConn);
    writer.exec(messageDbWrite(QStringLiteral("held-1")).toStdString());
    const int writerPid = writerConn.backendpid();
    db.sql(messageDbWrite(QStringLiteral("later-1")));
    const qint64 later = messageDbPosition(db, QStringLiteral("later-1"));
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.poll(*store).empty());
    const TailHeads held = tailer.heads();
    CHECK(held.visible == later);
    CHECK(held.settled == free);
    REQUIRE(held.holders.size() == 1);
    CHECK(held.holders[0].pid == writerPid);
    CHECK(held.holders[0].application == QLatin1String("held-writer"));
    CHECK(held.holders[0].transactionSeconds >= 0);
    CHECK(describeHolders(held.holders)
              .startsWith(QStringLiteral("pid %1 (held-writer, in transaction for ").arg(writerPid)));

    writer.commit();
    seen.clear();
    REQUIRE(waitFor([&] {
        for (Event& e : tailer.poll(*store))
            seen.push_back(std::move(e));
        return seen.size() >= 2;
    }));
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].stream == QLatin1String("held-1"));
    CHECK(seen[1].stream == QLatin1String("later-1"));
    CHECK(tailer.heads().settled == later);
    CHECK(tailer.heads().holders.empty());
}

// Marten takes its positions from mt_events_sequence (the profile names it): a transaction that took one and has
// not inserted yet already holds the head.
TEST_CASE("PG tail: a transaction holding a position from the layout's sequence holds the settled head", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_sequence"), { QStringLiteral("marten_string.sql") });
    const std::string address = db.address().toStdString();
    auto store = StoreRegistry::open(db.address());
    Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.poll(*store).empty());
    auto append = [](pqxx::transaction_base& tx, long seq, const char* id, const char* stream) {
        tx.exec_params("INSERT INTO mt_events (data, type, mt_dotnet_type, seq_id, id, stream_id, version, timestamp, "
                       "tenant_id) VALUES ('{}', 'written', 'Written', $1, $2::uuid, $3, 1, now(), '*DEFAULT*')",
            seq, std::string(id), std::string(stream));
    };
    pqxx::connection heldConn(address + " application_name=rich-append"), laterConn(address);
    pqxx::work held(heldConn);
    const long heldSeq = held.exec1("SELECT nextval('mt_events_sequence')")[0].as<long>();
    {
        pqxx::work later(laterConn);
        append(later, later.exec1("SELECT nextval('mt_events_sequence')")[0].as<long>(),
            "f0000000-0000-4000-8000-0000000000b2", "later-1");
        later.commit();
    }
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.poll(*store).empty());
    REQUIRE(tailer.heads().holders.size() == 1);
    CHECK(tailer.heads().holders[0].application == QLatin1String("rich-append"));
    CHECK(tailer.heads().settled < heldSeq);
    append(held, heldSeq, "f0000000-0000-4000-8000-0000000000b1", "held-1");
    held.commit();
    EventList seen;
    REQUIRE(waitFor([&] {
        for (Event& e : tailer.poll(*store))
            seen.push_back(std::move(e));
        return seen.size() >= 2;
    }));
    CHECK(seen[0].stream == QLatin1String("held-1"));
    CHECK(seen[1].stream == QLatin1String("later-1"));
}

// A tail without a start key begins at the safe point: a transaction that already holds a position below the visible
// head when the tail starts is shown when it commits, and what was visible then is not.
TEST_CASE("PG tail: a tail starts at the safe point, not at the visible head", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    SECTION("settled head (Message DB)")
    {
        PgTestDatabase db(QStringLiteral("pgtail_start_mdb"), { QStringLiteral("messagedb.sql") });
        pqxx::connection heldConn(db.address().toStdString());
        pqxx::work held(heldConn);
        held.exec(messageDbWrite(QStringLiteral("held-1")).toStdString());
        db.sql(messageDbWrite(QStringLiteral("before-1")));
        auto store = StoreRegistry::open(db.address());
        Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
        CHECK(tailer.poll(*store).empty()); // before-1 was visible when it started
        held.commit();
        db.sql(messageDbWrite(QStringLiteral("after-1")));
        QStringList streams;
        REQUIRE(waitFor([&] {
            for (const Event& e : tailer.poll(*store))
                streams.append(e.stream);
            return streams.size() >= 2;
        }));
        CHECK(streams == QStringList { QStringLiteral("held-1"), QStringLiteral("after-1") });

        // A view that shows the store up to the safe point gets everything above it from the tail.
        Tailer view(
            EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store), Tailer::Start::FromSafePoint);
        view.begin(*store);
        const EventList above = view.poll(*store);
        EventQuery query;
        query.to = view.startKey();
        query.limit = 100000;
        const qint64 below = view.startKey() < 0 ? 0 : qint64(store->events(query).events.size());
        CHECK(below + qint64(above.size()) == store->scopeStats({}).count);
        // A view's tail starts once the writers open then have ended: everything up to their head is final.
        pqxx::work again(heldConn);
        again.exec(messageDbWrite(QStringLiteral("held-2")).toStdString());
        db.sql(messageDbWrite(QStringLiteral("after-2")));
        Tailer waiting(
            EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store), Tailer::Start::FromSafePoint);
        CHECK_FALSE(waiting.begin(*store));
        CHECK(waiting.heads().holders.size() == 1);
        again.commit();
        REQUIRE(waitFor([&] { return waiting.begin(*store); }));
        query.to = waiting.startKey();
        CHECK(qint64(store->events(query).events.size()) == store->scopeStats({}).count);
    }
    SECTION("transaction order (Emmett)")
    {
        PgTestDatabase db(QStringLiteral("pgtail_start_emmett"), { QStringLiteral("emmett.sql") });
        auto append = [](pqxx::transaction_base& tx, const char* stream, const char* id) {
            tx.exec_params("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                           "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                           "transaction_id) VALUES ($1, 1, 'emt:default', '{}', '{}', '0', 'Written', 'E', $2, "
                           "pg_current_xact_id())",
                std::string(stream), std::string(id));
        };
        pqxx::connection heldConn(db.address().toStdString()), otherConn(db.address().toStdString());
        pqxx::work held(heldConn);
        append(held, "held-1", "held");
        {
            pqxx::work other(otherConn);
            append(other, "before-1", "before");
            other.commit();
        }
        auto store = StoreRegistry::open(db.address());
        Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
        CHECK(tailer.poll(*store).empty());
        held.commit();
        {
            pqxx::work other(otherConn);
            append(other, "after-1", "after");
            other.commit();
        }
        QStringList ids;
        REQUIRE(waitFor([&] {
            for (const Event& e : tailer.poll(*store))
                ids.append(e.id);
            return ids.size() >= 2;
        }));
        CHECK(ids == QStringList { QStringLiteral("held"), QStringLiteral("after") });
    }
}

// Rails Event Store numbers a stream appended with expected_version :any by its link ids, from a sequence: they
// commit out of order, so a stream tail holds a settled head of its own.
TEST_CASE("PG tail: a Rails Event Store stream reads in the settled order of its link ids", "[pg][pgtail]")
{
    ES_REQUIRE_PG("PostgreSQL tail test")
    PgTestDatabase db(QStringLiteral("pgtail_res_stream"), { QStringLiteral("railseventstore.sql") });
    auto append = [](pqxx::transaction_base& tx, const char* id) {
        tx.exec_params("INSERT INTO event_store_events (event_id, event_type, metadata, data, created_at) VALUES "
                       "($1::uuid, 'Tail::Written', NULL, convert_to('{}', 'UTF8'), now())",
            std::string(id));
        tx.exec_params("INSERT INTO event_store_events_in_streams (stream, position, event_id, created_at) VALUES "
                       "('Any$1', NULL, $1::uuid, now())",
            std::string(id));
    };
    auto store = StoreRegistry::open(db.address());
    EventFilter scope;
    scope.stream = QStringLiteral("Any$1");
    Tailer tailer(scope, 0, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.poll(*store).empty());
    pqxx::connection heldConn(db.address().toStdString()), laterConn(db.address().toStdString());
    pqxx::work held(heldConn);
    append(held, "0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c2001");
    {
        pqxx::work later(laterConn);
        append(later, "0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c2002");
        later.commit();
    }
    CHECK(tailer.poll(*store).empty()); // the later link id is visible, the held one below it not yet
    CHECK(tailer.strategy().name() == QLatin1String("settled head"));
    CHECK(tailer.heads().settled < tailer.heads().visible);
    held.commit();
    QStringList ids;
    REQUIRE(waitFor([&] {
        for (const Event& e : tailer.poll(*store))
            ids.append(e.id);
        return ids.size() >= 2;
    }));
    CHECK(ids
        == QStringList { QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c2001"),
            QStringLiteral("0b3b6e0e-9a1c-4f64-8a0c-2b1f4d8c2002") });
}

// On a hot standby pg_locks does not show the primary's writers. Needs a primary and its standby:
// ES_TEST_PG_PRIMARY (an address with dbname) and ES_TEST_PG_STANDBY (the same server's standby, without dbname).
TEST_CASE(
    "PG tail: on a hot standby the tail says so and waits for the primary's transactions", "[pg][pgtail][standby]")
{
    const QString primary = qEnvironmentVariable("ES_TEST_PG_PRIMARY");
    const QString standby = qEnvironmentVariable("ES_TEST_PG_STANDBY");
    if (primary.isEmpty() || standby.isEmpty()) {
        WARN("ES_TEST_PG_PRIMARY / ES_TEST_PG_STANDBY are not set: standby tail test skipped");
        return;
    }
    PgTestDatabase db(QStringLiteral("pgtail_standby"), { QStringLiteral("messagedb.sql") }, primary);
    const QString standbyAddress = standby + QStringLiteral(" dbname=") + db.name();
    std::unique_ptr<EventStore> store;
    REQUIRE(waitFor(
        [&] {
            try {
                store = StoreRegistry::open(standbyAddress);
                return true;
            } catch (const StoreError&) {
                return false;
            }
        },
        20000));
    Tailer tailer(EventFilter {}, -1, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.heads().caveat.startsWith(QLatin1String("hot standby:")));

    pqxx::connection heldConn(db.address().toStdString());
    pqxx::work held(heldConn);
    held.exec(messageDbWrite(QStringLiteral("held-1")).toStdString());
    db.sql(messageDbWrite(QStringLiteral("later-1")));
    const qint64 later = messageDbPosition(db, QStringLiteral("later-1"));
    // Once replayed, the later event is visible on the standby, the held one not: nothing is shown.
    REQUIRE(waitFor([&] {
        CHECK(tailer.poll(*store).empty());
        return tailer.heads().visible == later;
    }));
    QThread::msleep(PgSettledHead::StandbyMarginMs + 500);
    CHECK(tailer.poll(*store).empty());
    CHECK(tailer.heads().settled < later);
    held.commit();
    QElapsedTimer timer;
    timer.start();
    QStringList streams;
    REQUIRE(waitFor(
        [&] {
            for (const Event& e : tailer.poll(*store))
                streams.append(e.stream);
            return streams.size() >= 2;
        },
        20000));
    CHECK(streams == QStringList { QStringLiteral("held-1"), QStringLiteral("later-1") });
    WARN("standby: both events shown " << timer.elapsed() << " ms after the held transaction committed");
}
