#include <catch2/catch.hpp>

#include "layouts/profile.h"
#include "live/tailer.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <random>
#include <set>
#include <thread>

using namespace es;
using namespace es::test;

namespace {

// Appends as emmett-sqlite appendToStream.ts does (stream row bumped, messages inserted, one transaction), some
// transactions rolled back, some with commands between the events.
void writer(const QString& path, int id, int transactions, std::atomic<int>& committed)
{
    Db db(path);
    std::mt19937 rng(1234u + unsigned(id));
    for (int t = 0; t < transactions; ++t) {
        const QString stream = QStringLiteral("w%1-%2").arg(id).arg(t % 7);
        const int size = 1 + int(rng() % 12);
        const bool rollback = rng() % 10 == 0;
        db.exec(QStringLiteral("BEGIN IMMEDIATE"));
        db.exec(QStringLiteral("INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                               "stream_metadata, is_archived) VALUES (?, 0, 'emt:default', 'w', '[]', 0) "
                               "ON CONFLICT DO NOTHING"),
            { stream });
        const qint64 current
            = db.scalar(QStringLiteral("SELECT stream_position FROM emt_streams WHERE stream_id = '%1'").arg(stream));
        for (int i = 1; i <= size; ++i) {
            const bool command = rng() % 8 == 0;
            db.exec(QStringLiteral("INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, "
                                   "message_data, message_metadata, message_schema_version, message_type, "
                                   "message_id, is_archived) VALUES (?, ?, 'emt:default', ?, ?, '{}', '1', 'T', ?, 0)"),
                { stream, current + i, command ? QStringLiteral("C") : QStringLiteral("E"),
                    QStringLiteral("{\"w\":%1,\"t\":%2,\"i\":%3}").arg(id).arg(t).arg(i),
                    QStringLiteral("%1/%2/%3").arg(id).arg(t).arg(i) });
        }
        db.exec(QStringLiteral("UPDATE emt_streams SET stream_position = ? WHERE stream_id = ?"),
            { current + size, stream });
        if (rollback) {
            db.exec(QStringLiteral("ROLLBACK"));
        } else {
            db.exec(QStringLiteral("COMMIT"));
            ++committed;
        }
        if (rng() % 3 == 0)
            QThread::usleep(200 + rng() % 800);
    }
}

std::vector<qint64> committedEventPositions(const QString& path, const QString& extraWhere = {})
{
    std::vector<qint64> out;
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    const QByteArray sql = (QStringLiteral("SELECT global_position FROM emt_messages WHERE message_kind = 'E' "
                                           "AND is_archived = 0")
        + extraWhere + QStringLiteral(" ORDER BY 1"))
                               .toUtf8();
    sqlite3_prepare_v2(db, sql.constData(), -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        out.push_back(sqlite3_column_int64(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    return out;
}

} // namespace

TEST_CASE("tail: concurrent writers in WAL mode, every committed event seen exactly once, in order", "[tail][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("tail.sqlite"));
    {
        EmmettWriter w(path, true);
        w.append(QStringLiteral("seed-1"), { { QStringLiteral("Seeded"), QByteArray("{}") } });
    }
    auto store = StoreRegistry::open(path);
    Tailer tailer({}, 1, createTailStrategy(QStringLiteral("sqlite"), *store));
    CHECK(tailer.strategy().name() == QLatin1String("commit order"));

    std::atomic<int> committed { 0 };
    std::vector<std::thread> writers;
    constexpr int Writers = 3;
    for (int i = 0; i < Writers; ++i)
        writers.emplace_back(writer, path, i, 150, std::ref(committed));

    std::vector<qint64> seen;
    std::atomic<int> running { Writers };
    auto drain = [&] {
        for (const Event& e : tailer.poll(*store, 97))
            seen.push_back(e.position);
    };
    std::thread joiner([&] {
        for (std::thread& t : writers)
            t.join();
        running = 0;
    });
    int polls = 0;
    while (running.load() > 0) {
        drain();
        ++polls;
        QThread::usleep(500);
    }
    joiner.join();
    for (int i = 0; i < 50; ++i) // whatever the last polls left, in small batches
        drain();

    const std::vector<qint64> expected = committedEventPositions(path);
    CHECK(committed.load() > 0);
    CHECK(polls > 5);
    CHECK(std::adjacent_find(seen.begin(), seen.end(), [](qint64 a, qint64 b) { return a >= b; }) == seen.end());
    CHECK(seen.size() == expected.size());
    CHECK(seen == expected);
    CHECK(tailer.lastKey() == expected.back());
    CHECK(tailer.heads().settled == expected.back());
}

TEST_CASE("tail: from the head, a category and one stream", "[tail][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("tail2.sqlite"));
    EmmettWriter w(path, true);
    w.append(QStringLiteral("order-1"), { { QStringLiteral("Placed"), QByteArray("{}") } });
    w.append(QStringLiteral("invoice-1"), { { QStringLiteral("Issued"), QByteArray("{}") } });
    auto store = StoreRegistry::open(path);

    Tailer fromHead({}, -1, nullptr);
    CHECK(fromHead.poll(*store).empty()); // nothing before the head is shown

    EventFilter orders;
    orders.category = QStringLiteral("order");
    Tailer category(orders, 0, nullptr);
    EventFilter one;
    one.stream = QStringLiteral("order-1");
    Tailer stream(one, -1, nullptr);
    CHECK(category.poll(*store).size() == 1);
    CHECK(stream.poll(*store).empty());

    w.append(QStringLiteral("order-1"), { { QStringLiteral("Paid"), QByteArray("{}") } });
    w.append(QStringLiteral("order-2"), { { QStringLiteral("Placed"), QByteArray("{}") } });
    w.append(QStringLiteral("invoice-1"), { { QStringLiteral("Settled"), QByteArray("{}") } });

    const EventList all = fromHead.poll(*store);
    REQUIRE(all.size() == 3);
    CHECK(all[0].type == QLatin1String("Paid"));
    CHECK(all[2].type == QLatin1String("Settled"));
    const EventList inCategory = category.poll(*store);
    REQUIRE(inCategory.size() == 2);
    CHECK(inCategory[1].stream == QLatin1String("order-2"));
    const EventList inStream = stream.poll(*store);
    REQUIRE(inStream.size() == 1);
    CHECK(inStream[0].version == 2);
    CHECK(stream.lastKey() == 2);
    CHECK(fromHead.poll(*store).empty());
}

TEST_CASE("tail: each PostgreSQL layout's safe order is profile data", "[tail][profile]")
{
    auto orderOf = [](const char* name) {
        const auto p = ProfileRegistry::find(QString::fromLatin1(name), QStringLiteral("postgresql"));
        REQUIRE(p);
        return p->tail;
    };
    const Profile::Tail emmett = orderOf("emmett");
    CHECK(emmett.order == QLatin1String("transaction"));
    CHECK(emmett.transaction == QLatin1String("transaction_id"));
    CHECK(orderOf("commanded").order == QLatin1String("commit"));
    CHECK(orderOf("commanded").label == QLatin1String("$all"));
    CHECK(orderOf("messagedb").order == QLatin1String("category"));
    for (const char* settled : { "marten", "eventuous", "axon-jdbc", "axon" })
        CHECK(orderOf(settled).order == QLatin1String("settled"));
    // The SQLite half of Emmett has no transaction ids: its writers are serialised anyway.
    const auto emmettLite = ProfileRegistry::find(QStringLiteral("emmett"), QStringLiteral("sqlite"));
    REQUIRE(emmettLite);
    CHECK(emmettLite->tail.transaction.isEmpty());

    auto errorOf = [](const char* tail) {
        const QByteArray text = QByteArray(R"({"name": "m", "detect": {"tables": [{"as": "t", "names": ["e"]}]},
            "events": {"table": "{t}", "position": "id", "stream": "s", "version": "v", "type": "ty", "data": "d"},
            "tail": )")
            + tail + "}";
        try {
            Profile::fromJson(QJsonDocument::fromJson(text).object(), QStringLiteral("postgresql"));
        } catch (const StoreError& e) {
            return e.message();
        }
        return QString();
    };
    CHECK(errorOf(R"({"order": "commit"})").isEmpty());
    CHECK(errorOf(R"({"order": "sometimes"})").contains(QLatin1String("tail.order")));
    CHECK(errorOf(R"({"order": "transaction"})").contains(QLatin1String("tail.transaction")));
    CHECK(errorOf(R"({"order": "settled", "transaction": "xid"})").contains(QLatin1String("tail.transaction")));
    CHECK(errorOf(R"({"order": "commit", "lag": 1})").contains(QLatin1String("tail.lag")));
    CHECK(errorOf(R"({"order": "transaction", "transaction": "{nope}"})").contains(QLatin1String("{nope}")));
}

TEST_CASE("tail: in commit order the heads are the start until an event comes", "[tail][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("heads.sqlite"));
    EmmettWriter w(path, true);
    w.append(QStringLiteral("order-1"), { { QStringLiteral("Placed"), QByteArray("{}") } });
    const qint64 last = w.append(QStringLiteral("order-2"), { { QStringLiteral("Placed"), QByteArray("{}") } });
    auto store = StoreRegistry::open(path);

    // A view that starts following with nothing new since it read the store shows the head it read, not "unknown".
    Tailer tail({}, -1, nullptr, Tailer::Start::FromSafePoint);
    REQUIRE(tail.begin(*store));
    CHECK(tail.heads().visible == last);
    CHECK(tail.heads().settled == last);
    CHECK(tail.poll(*store).empty());
    CHECK(tail.heads().visible == last);

    const qint64 next = w.append(QStringLiteral("order-1"), { { QStringLiteral("Paid"), QByteArray("{}") } });
    CHECK(tail.poll(*store).size() == 1);
    CHECK(tail.heads().visible == next);
    CHECK(tail.heads().settled == next);
}
