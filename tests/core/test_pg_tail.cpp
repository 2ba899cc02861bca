#include <catch2/catch.hpp>

#include "storeregistry.h"
#include "tailer.h"
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

using namespace es;
using namespace es::test;

// The live tail on PostgreSQL while 8 writers commit out of order: random transaction sizes, random pauses before
// COMMIT, about one transaction in ten rolled back. Every committed event must be seen exactly once, none rolled back.

namespace {

enum class Layout { MessageDb, Emmett, Marten, Eventuous };

struct LayoutCase {
    Layout layout;
    const char* title;
    const char* fixture;
};

const LayoutCase kLayouts[] = {
    { Layout::MessageDb, "Message DB", "messagedb.sql" },
    { Layout::Emmett, "Emmett", "emmett.sql" },
    { Layout::Marten, "Marten", "marten_string.sql" },
    { Layout::Eventuous, "Eventuous", "eventuous.sql" },
};

struct Outcome {
    QSet<QString> committed;
    QSet<QString> rolledBack;
};

// One writer: transactions of 1..12 events, a pause of 0..15 ms before COMMIT, ~10% rolled back.
void writer(
    const std::string& address, Layout layout, int index, int events, unsigned seed, Outcome& out, std::mutex& m)
{
    pqxx::connection conn(address);
    if (layout == Layout::MessageDb) {
        pqxx::nontransaction setup(conn);
        setup.exec0("SET search_path TO message_store, public"); // as Message DB's clients connect
    }
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> size(1, 12), pause(0, 15), roll(0, 9);
    const std::string stream = "tail" + std::to_string(index) + "-1";
    int written = 0;
    long version = 0; // Emmett stream position of the next committed event
    long serial = 0;
    while (written < events) {
        const int n = std::min(size(rng), events - written);
        const bool rollback = roll(rng) == 0;
        QStringList ids;
        pqxx::work tx(conn);
        long v = version;
        for (int i = 0; i < n; ++i) {
            // Message DB takes uuids; Emmett any text.
            const QString uuid
                = QStringLiteral("00000000-0000-4000-8000-%1")
                      .arg(qulonglong(index) * 100000000ULL + qulonglong(serial++), 12, 16, QLatin1Char('0'));
            const std::string id = uuid.toStdString();
            ids.append(uuid);
            if (layout == Layout::MessageDb) {
                // A category per writer: write_message locks per category, which would serialise the writers.
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
            } else {
                tx.exec_params("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                               "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                               "transaction_id) VALUES ($1, $2, 'emt:default', '{}', '{}', '0', 'Written', 'E', $3, "
                               "pg_current_xact_id())",
                    stream, ++v, id);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
        if (rollback) {
            tx.abort();
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

void runRound(const QString& address, Layout layout, int totalEvents, unsigned seed)
{
    auto store = StoreRegistry::open(address);
    Tailer tailer(EventFilter {}, 0, createTailStrategy(QStringLiteral("postgresql"), *store));
    CHECK(tailer.strategy().name() == QLatin1String("settled head"));
    const qint64 fixtureEvents = store->scopeStats(EventFilter {}).count; // the layout fixture's own events
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
            ordered = ordered && e.position > lastPosition;
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
    QElapsedTimer timer;
    timer.start();
    // Once the writers are gone the settled head reaches the visible head within a poll or two.
    while (seen.size() < outcome.committed.size() && timer.elapsed() < 10000) {
        drain();
        QThread::msleep(5);
    }
    drain();
    INFO(writerErrors.join(QStringLiteral("; ")).toStdString());
    REQUIRE(writerErrors.isEmpty());
    CHECK(ordered);
    CHECK(outcome.committed.size() == totalEvents / 8 * 8);
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
// concurrently, one round each to keep the suite's time down; ES_TAIL_EVENTS and ES_TAIL_ROUNDS override the size
// and the number of rounds for a soak run.
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
            runRound(db.address(), c.layout, events, 1000 * unsigned(round) + 100 * unsigned(c.layout) + 1);
        }
    }
}
