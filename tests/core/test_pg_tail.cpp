#include <catch2/catch.hpp>

#include "live/tailer.h"
#include "store/storeregistry.h"
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

enum class Layout { MessageDb, Emmett, Marten, Eventuous, Commanded, Axon, MessageDbCategory };

struct LayoutCase {
    Layout layout;
    const char* title;
    const char* fixture;
    const char* strategy; // the tail strategy's name once it has read
    const char* category = nullptr; // tail this category instead of the log
};

// Message DB's category round: writers 0-3 append to the shared category (serialised by write_message's lock),
// 4-7 to categories of their own, out of order among themselves.
const char* const kSharedCategory = "tailshared";

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

struct Outcome {
    QSet<QString> committed;
    QSet<QString> rolledBack;
};

bool sharedCategoryWriter(Layout layout, int index)
{
    return layout == Layout::MessageDbCategory && index < 4;
}

// Commanded's insert_events.sql.eex for n events: the events, the stream row (created on its first append), the
// stream's stream_events, then $all (stream 0) bumped under its row lock and linked.
std::string commandedAppend(const QStringList& ids, const std::string& stream, long streamId, long version)
{
    const int n = int(ids.size());
    std::string values;
    for (int i = 0; i < n; ++i) {
        values += (i ? ", ('" : "('") + ids[i].toStdString()
            + "'::uuid, 'Elixir.Tail.Written', NULL::uuid, NULL::uuid, "
            + "convert_to('{}', 'UTF8'), convert_to('{}', 'UTF8'), now(), " + std::to_string(i + 1) + "::int, "
            + std::to_string(version + i + 1) + "::bigint)";
    }
    const std::string count = std::to_string(n);
    const std::string streamCte = streamId > 0 ? "UPDATE streams SET stream_version = stream_version + " + count
            + "::bigint WHERE stream_id = " + std::to_string(streamId) + "::bigint RETURNING stream_id"
                                               : "INSERT INTO streams (stream_uuid, stream_version) VALUES ('" + stream
            + "', " + count + "::bigint) RETURNING stream_id";
    return "WITH new_events (event_id, event_type, causation_id, correlation_id, data, metadata, created_at, index, "
           "stream_version) AS (VALUES "
        + values
        + "), events AS (INSERT INTO events (event_id, event_type, causation_id, correlation_id, data, metadata, "
          "created_at) SELECT event_id, event_type, causation_id, correlation_id, data, metadata, created_at FROM "
          "new_events), stream AS ("
        + streamCte
        + "), source_stream_events AS (INSERT INTO stream_events (event_id, stream_id, stream_version, "
          "original_stream_id, original_stream_version) SELECT new_events.event_id, stream.stream_id, "
          "new_events.stream_version, stream.stream_id, new_events.stream_version FROM new_events, stream), "
          "linked_stream AS (UPDATE streams SET stream_version = stream_version + "
        + count + "::bigint WHERE stream_id = 0 RETURNING stream_version - " + count
        + "::bigint AS initial_stream_version) INSERT INTO stream_events (event_id, stream_id, stream_version, "
          "original_stream_id, original_stream_version) SELECT new_events.event_id, 0, "
          "linked_stream.initial_stream_version + new_events.index, stream.stream_id, new_events.stream_version FROM "
          "new_events, linked_stream, stream";
}

// One writer: transactions of 1..12 events, a pause of 0..15 ms before COMMIT, ~10% rolled back. Where the layout
// serialises the writers (Commanded's $all, Message DB within a category) the pause is 0..2 ms, since every
// writer waits for it; the rest of the pause comes before the first write, the transaction already open.
void writer(
    const std::string& address, Layout layout, int index, int events, unsigned seed, Outcome& out, std::mutex& m)
{
    pqxx::connection conn(address);
    if (layout == Layout::MessageDb || layout == Layout::MessageDbCategory) {
        pqxx::nontransaction setup(conn);
        setup.exec0("SET search_path TO message_store, public"); // as Message DB's clients connect
    }
    const bool serialised = layout == Layout::Commanded || sharedCategoryWriter(layout, index);
    if (serialised) {
        // Writers that queue on one lock would each wait for the others' WAL flush: keep the round short. The
        // order in which transactions commit and become visible is the same.
        pqxx::nontransaction setup(conn);
        setup.exec0("SET synchronous_commit TO off");
    }
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> size(1, 12), pause(0, 15), shortPause(0, 2), roll(0, 9);
    const std::string stream = sharedCategoryWriter(layout, index)
        ? std::string(kSharedCategory) + "-" + std::to_string(index)
        : "tail" + std::to_string(index) + "-1";
    int written = 0;
    long version = 0; // stream version of the last committed event (Emmett, Marten, Eventuous, Commanded)
    long commandedStream = 0; // Commanded's stream_id once the stream's creation committed
    long serial = 0;
    while (written < events) {
        const int n = std::min(size(rng), events - written);
        const bool rollback = roll(rng) == 0;
        QStringList ids;
        pqxx::work tx(conn);
        if (serialised)
            std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
        long v = version;
        for (int i = 0; i < n; ++i) {
            // Message DB, Marten, Eventuous and Commanded take uuids; Emmett and Axon any text.
            const QString uuid
                = QStringLiteral("00000000-0000-4000-8000-%1")
                      .arg(qulonglong(index) * 100000000ULL + qulonglong(serial++), 12, 16, QLatin1Char('0'));
            const std::string id = uuid.toStdString();
            ids.append(uuid);
            if (layout == Layout::MessageDb || layout == Layout::MessageDbCategory) {
                // A category per writer in the log round: write_message locks per category, which would serialise
                // the writers.
                tx.exec_params("SELECT message_store.write_message($1, $2, 'Written', '{}'::jsonb)", id, stream);
            } else if (layout == Layout::Marten) {
                // Marten's append: the stream row's version, then the events with seq_id from mt_events_sequence.
                if (i == 0)
                    tx.exec_params("INSERT INTO mt_streams (tenant_id, id, type, version) VALUES ('*DEFAULT*', $1, "
                                   "'tail', $2) ON CONFLICT (tenant_id, id) DO UPDATE SET version = excluded.version",
                        stream, v + n);
                tx.exec_params("INSERT INTO mt_events (data, type, mt_dotnet_type, seq_id, id, stream_id, version, "
                               "timestamp, tenant_id) VALUES ('{}', 'written', 'Written', "
                               "nextval('mt_events_sequence'), $1::uuid, $2, $3, now(), '*DEFAULT*')",
                    id, stream, ++v);
            } else if (layout == Layout::Eventuous) {
                // append_events: the stream row (created when missing), the messages at version + 1 + i, then the
                // stream's version; global_position is an identity column.
                if (i == 0)
                    tx.exec_params(
                        "INSERT INTO eventuous.streams (stream_name) VALUES ($1) ON CONFLICT (stream_name) DO NOTHING",
                        stream);
                tx.exec_params("INSERT INTO eventuous.messages (message_id, message_type, stream_id, stream_position, "
                               "json_data, json_metadata, created) SELECT $1::uuid, 'Written', stream_id, $3, '{}', "
                               "'{}', now() AT TIME ZONE 'utc' FROM eventuous.streams WHERE stream_name = $2",
                    id, stream, v++);
                if (i == n - 1)
                    tx.exec_params("UPDATE eventuous.streams SET version = $2 WHERE stream_name = $1", stream, v - 1);
            } else if (layout == Layout::Axon) {
                // Axon's JdbcEventStorageEngine appends a unit of work's events in one transaction, globalIndex from
                // the BIGSERIAL; Jackson JSON payloads in BYTEA, Instant.toString() timestamps.
                tx.exec_params("INSERT INTO DomainEventEntry (aggregateIdentifier, sequenceNumber, type, "
                               "eventIdentifier, metaData, payload, payloadRevision, payloadType, timeStamp) VALUES "
                               "($1, $2, 'Tail', $3, convert_to('{}', 'UTF8'), convert_to('{}', 'UTF8'), NULL, "
                               "'com.example.Written', to_char(now() AT TIME ZONE 'utc', "
                               "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                    stream, v++, id);
            } else if (layout == Layout::Emmett) {
                tx.exec_params("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                               "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                               "transaction_id) VALUES ($1, $2, 'emt:default', '{}', '{}', '0', 'Written', 'E', $3, "
                               "pg_current_xact_id())",
                    stream, ++v, id);
            }
        }
        if (layout == Layout::Commanded) {
            // One statement per append, as Commanded runs it.
            tx.exec0(commandedAppend(ids, stream, commandedStream, v));
            v += n;
            if (commandedStream == 0)
                commandedStream
                    = tx.exec1("SELECT stream_id FROM streams WHERE stream_uuid = " + tx.quote(stream))[0].as<long>();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(serialised ? shortPause(rng) : pause(rng)));
        if (rollback) {
            tx.abort();
            if (version == 0)
                commandedStream = 0; // the stream's creation rolled back with it
        } else {
            tx.commit();
            written += n;
            version = v;
        }
        std::lock_guard<std::mutex> lock(m);
        for (const QString& id : ids)
            (rollback ? out.rolledBack : out.committed).insert(id);
    }
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
