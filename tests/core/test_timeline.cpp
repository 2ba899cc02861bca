#include <catch2/catch.hpp>

#include "test_fold_support.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "store/storeregistry.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimeZone>

#include <atomic>
#include <random>
#include <thread>

using namespace es;
using namespace es::test;

namespace {

const char* const balanceSource
    = "({ $init: () => ({ balance: 0, count: 0, last: null }),\n"
      "   FundsDeposited: (s, e) => { s.balance += e.data.amount; s.count++; s.last = e.data.note; },\n"
      "   FundsWithdrawn: (s, e) => { s.balance -= e.data.amount; s.count++; s.last = e.data.note; } })";

ReducerPtr balanceReducer()
{
    return std::make_shared<JsReducer>(QString::fromUtf8(balanceSource), QStringLiteral("balance.js"));
}

struct Fixture {
    QTemporaryDir dir;
    QString path;
    std::vector<qint64> amounts;
    std::unique_ptr<EventStore> store;
    explicit Fixture(int events, quint64 seed = 1)
    {
        std::mt19937_64 random(seed);
        for (int i = 0; i < events; ++i)
            amounts.push_back(qint64(random() % 200) - 90);
        path = dir.filePath(QStringLiteral("timeline.sqlite"));
        writeEmmettStream(path, "account-1", ledger(amounts));
        store = StoreRegistry::open(path);
    }
    // The state after the first n events, folded from the start in one go with a fresh fold.
    QByteArray foldFromStart(const ReducerPtr& reducer, qint64 n)
    {
        ReducerError error;
        auto fold = reducer->createFold(&error);
        REQUIRE(fold);
        if (n > 0) {
            EventQuery q;
            q.filter.stream = QStringLiteral("account-1");
            q.limit = int(n);
            const EventPage page = store->events(q);
            REQUIRE(qint64(page.events.size()) == n);
            REQUIRE(fold->apply(page.events).ok());
        }
        return fold->stateJson();
    }
};

} // namespace

TEST_CASE("timeline: snapshot jumps equal a fold from the start at random versions", "[timeline]")
{
    Fixture fixture(3000, 11);
    for (const ReducerPtr& reducer : { balanceReducer(), ReducerPtr(std::make_shared<MergeReducer>()) }) {
        INFO(reducer->name().toStdString());
        TimelineOptions options;
        options.minInterval = options.maxInterval = 97; // snapshots that do not line up with pages
        options.pageSize = 250;
        Timeline t(*fixture.store, QStringLiteral("account-1"), reducer, options);
        REQUIRE(t.build());
        REQUIRE(t.count() == 3000);
        CHECK(t.snapshotInterval() == 97);
        CHECK(t.snapshotCount() == 3000 / 97 + 1);

        std::mt19937 random(2024);
        std::uniform_int_distribution<qint64> pick(t.firstVersion() - 1, t.lastVersion());
        for (int i = 0; i < 40; ++i) {
            // Random jumps back and forth, and a step forward after each (the cursor continues from where it is).
            const qint64 version = pick(random);
            for (const qint64 v : { version, qMin(version + 1, t.lastVersion()) }) {
                INFO("version " << v);
                const auto state = t.stateJsonAt(v);
                REQUIRE(state);
                CHECK(*state == fixture.foldFromStart(reducer, v - t.firstVersion() + 1));
            }
        }
    }
}

TEST_CASE("timeline: the snapshot interval follows the measured cost", "[timeline]")
{
    Fixture fixture(6000, 3);
    Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer());
    REQUIRE(t.build());
    CHECK(t.foldMicrosPerEvent() > 0);
    const int k = t.snapshotInterval();
    CHECK(k >= 16);
    CHECK((k & (k - 1)) == 0);
    // About rebuildTargetMs of work between snapshots (within a factor of two, the interval being a power of two).
    CHECK(k * t.foldMicrosPerEvent() <= 2 * 3000.0 * 2);
    CHECK(t.snapshotCount() == std::size_t(6000 / k + 1));
}

TEST_CASE("timeline: state as of a wall-clock time", "[timeline]")
{
    Fixture fixture(50);
    Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer());
    REQUIRE(t.build());
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(fixtureStartMs, QTimeZone::utc());
    CHECK(t.versionAsOf(start.addSecs(-1)) == -1);
    CHECK(t.versionAsOf(start) == t.firstVersion());
    CHECK(t.versionAsOf(start.addSecs(10 * 60 + 30)) == t.firstVersion() + 10);
    CHECK(t.versionAsOf(start.addDays(1)) == t.lastVersion());
    CHECK(t.timeAt(3) == start.addSecs(180));
    qint64 expected = 0;
    for (int i = 0; i <= 10; ++i)
        expected += fixture.amounts[std::size_t(i)];
    CHECK(t.stateAt(t.versionAsOf(start.addSecs(10 * 60 + 30))).toObject().value(QStringLiteral("balance")).toInteger()
        == expected);
}

TEST_CASE("timeline: diff between versions and the changes of one event", "[timeline]")
{
    Fixture fixture(20);
    Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer());
    REQUIRE(t.build());
    const qint64 v = t.firstVersion() + 5;
    const JsonDiff changes = t.changesAt(v);
    qint64 before = 0;
    for (int i = 0; i < 5; ++i)
        before += fixture.amounts[std::size_t(i)];
    const qint64 after = before + fixture.amounts[5];
    bool sawBalance = false;
    for (const auto& c : changes) {
        if (c.pathText() == QStringLiteral("balance")) {
            sawBalance = true;
            CHECK(c.kind == JsonChange::Kind::Changed);
            CHECK(c.oldValue.toInteger() == before);
            CHECK(c.newValue.toInteger() == after);
        }
    }
    CHECK(sawBalance == (before != after));
    const JsonDiff first = t.changesAt(t.firstVersion());
    REQUIRE_FALSE(first.empty());

    // Both directions, far apart.
    const JsonDiff forward = t.diff(t.firstVersion(), t.lastVersion());
    const JsonDiff backward = t.diff(t.lastVersion(), t.firstVersion());
    REQUIRE(forward.size() == backward.size());
    for (std::size_t i = 0; i < forward.size(); ++i) {
        CHECK(forward[i].pathText() == backward[i].pathText());
        CHECK(forward[i].oldValue == backward[i].newValue);
    }
}

TEST_CASE("timeline: a breakpoint finds the first version where a predicate holds", "[timeline]")
{
    Fixture fixture(2000, 5);
    qint64 balance = 0;
    qint64 expected = -1;
    qint64 expectedAfter = -1;
    for (std::size_t i = 0; i < fixture.amounts.size(); ++i) {
        balance += fixture.amounts[i];
        if (balance > 500 && expected < 0)
            expected = qint64(i);
        if (balance > 500 && expected >= 0 && qint64(i) > expected + 100 && expectedAfter < 0)
            expectedAfter = qint64(i);
    }
    REQUIRE(expected >= 0);
    REQUIRE(expectedAfter >= 0);

    for (const ReducerPtr& reducer : { balanceReducer(), ReducerPtr(std::make_shared<MergeReducer>()) }) {
        INFO(reducer->name().toStdString());
        Timeline t(*fixture.store, QStringLiteral("account-1"), reducer);
        REQUIRE(t.build());
        if (dynamic_cast<const MergeReducer*>(reducer.get())) {
            // The merge state holds the last event's data: note.n is the signed amount.
            const auto hit = t.findFirst(
                QStringLiteral("(state, event) => state.note.n < -85 && event.type === 'FundsWithdrawn'"));
            qint64 first = -1;
            for (std::size_t i = 0; i < fixture.amounts.size() && first < 0; ++i) {
                if (fixture.amounts[i] < -85)
                    first = qint64(i);
            }
            REQUIRE(hit.found);
            CHECK(hit.version == t.firstVersion() + first);
            continue;
        }
        const auto hit = t.findFirst(QStringLiteral("state.balance > 500"));
        REQUIRE_FALSE(hit.error);
        REQUIRE(hit.found);
        CHECK(hit.version == t.firstVersion() + expected);
        const auto later = t.findFirst(QStringLiteral("s.balance > 500"), t.firstVersion() + expected + 101);
        REQUIRE(later.found);
        CHECK(later.version == t.firstVersion() + expectedAfter);
        CHECK_FALSE(t.findFirst(QStringLiteral("state.balance > 1e12")).found);
        // The cursor is usable after a search and the predicate is gone.
        CHECK(t.stateAt(t.lastVersion()).toObject().value(QStringLiteral("balance")).toInteger() == balance);

        const auto bad = t.findFirst(QStringLiteral("state.balance >"));
        REQUIRE(bad.error);
        CHECK(bad.error->kind == ReducerError::Kind::Syntax);
        const auto throwing = t.findFirst(QStringLiteral("state.nothing.deeper > 1"));
        REQUIRE(throwing.error);
        CHECK(throwing.error->version == t.firstVersion());
    }
}

TEST_CASE("timeline: what-if skips events or a type", "[timeline]")
{
    Fixture fixture(300, 9);
    qint64 deposits = 0;
    qint64 all = 0;
    for (const qint64 a : fixture.amounts) {
        all += a;
        if (a >= 0)
            deposits += a;
    }
    TimelineOptions noWithdrawals;
    noWithdrawals.skipTypes = QStringList { QStringLiteral("FundsWithdrawn") };
    Timeline a(*fixture.store, QStringLiteral("account-1"), balanceReducer(), noWithdrawals);
    REQUIRE(a.build());
    CHECK(a.count() == 300);
    CHECK(a.stateAt(a.lastVersion()).toObject().value(QStringLiteral("balance")).toInteger() == deposits);

    TimelineOptions skipSome;
    Timeline plain(*fixture.store, QStringLiteral("account-1"), balanceReducer());
    REQUIRE(plain.build());
    skipSome.skipVersions = { plain.firstVersion() + 3, plain.firstVersion() + 250 };
    Timeline b(*fixture.store, QStringLiteral("account-1"), balanceReducer(), skipSome);
    REQUIRE(b.build());
    CHECK(b.isSkipped(3));
    CHECK_FALSE(b.isSkipped(4));
    CHECK(b.stateAt(b.lastVersion()).toObject().value(QStringLiteral("balance")).toInteger()
        == all - fixture.amounts[3] - fixture.amounts[250]);
    // At a skipped version the state is the one before it.
    CHECK(b.stateJsonAt(b.firstVersion() + 3) == b.stateJsonAt(b.firstVersion() + 2));
    CHECK(plain.stateAt(plain.lastVersion()).toObject().value(QStringLiteral("balance")).toInteger() == all);
}

TEST_CASE("timeline: progress, cancel, and a walk with states", "[timeline]")
{
    Fixture fixture(1000, 4);
    TimelineOptions options;
    options.pageSize = 100;
    {
        Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer(), options);
        std::atomic_bool cancel { false };
        qint64 calls = 0;
        CHECK_FALSE(t.build(
            [&](qint64 done, qint64 total) {
                ++calls;
                CHECK(total == 1000);
                if (done >= 300)
                    cancel = true;
                return true;
            },
            &cancel));
        CHECK(calls == 3);
        CHECK_FALSE(t.isBuilt());
        CHECK_FALSE(t.build([](qint64 done, qint64) { return done < 500; }));
    }
    Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer(), options);
    REQUIRE(t.build());
    qint64 balance = 0;
    for (int i = 0; i < 100; ++i)
        balance += fixture.amounts[std::size_t(i)];
    qint64 visited = 0;
    Failure error;
    CHECK(t.walk(
        t.firstVersion() + 100, t.firstVersion() + 349,
        [&](const Event& e, const QByteArray& state) {
            balance += fixture.amounts[std::size_t(visited + 100)];
            CHECK(e.version == t.firstVersion() + 100 + visited);
            CHECK(parseJsonValue(state).toObject().value(QStringLiteral("balance")).toInteger() == balance);
            ++visited;
            return true;
        },
        nullptr, &error));
    CHECK(visited == 250);
}

TEST_CASE("timeline: builds and jumps on a worker thread", "[timeline]")
{
    Fixture fixture(500, 8);
    qint64 expected = 0;
    for (const qint64 a : fixture.amounts)
        expected += a;
    qint64 got = -1;
    QString failure;
    // The store connection and the JS engine both belong to the worker: opened and created there.
    std::thread worker([&] {
        auto store = StoreRegistry::open(fixture.path);
        Timeline t(*store, QStringLiteral("account-1"), balanceReducer());
        if (!t.build()) {
            failure = t.error();
            return;
        }
        got = t.stateAt(t.lastVersion()).toObject().value(QStringLiteral("balance")).toInteger();
    });
    worker.join();
    CHECK(failure.isEmpty());
    CHECK(got == expected);
}

TEST_CASE("timeline: its index is one shared object, left as it was by a rebuild", "[timeline]")
{
    Fixture fixture(300, 9);
    Timeline t(*fixture.store, QStringLiteral("account-1"), balanceReducer());
    REQUIRE(t.build());
    const TimelineIndexPtr index = t.index();
    CHECK(t.index() == index);
    CHECK(index.use_count() == 2); // the Timeline's and this one: handed out, not copied
    CHECK(index->count() == 300);
    CHECK(index->stream == QLatin1String("account-1"));
    CHECK(index->reducerName == QLatin1String("balance"));
    CHECK(index->snapshotInterval == t.snapshotInterval());
    CHECK(index.get() == t.index().get());
    for (const qint64 i : { qint64(0), qint64(150), qint64(299) }) {
        CHECK(index->versionAt(i) == t.versionAt(i));
        CHECK(index->timeAt(i) == t.timeAt(i));
        CHECK(index->typeAt(i) == t.typeAt(i));
    }
    CHECK(index->indexAsOf(t.timeAt(150)) == 150);
    CHECK(t.versionAsOf(t.timeAt(150)) == t.versionAt(150));

    // A rebuild starts a new index; the old one stays complete for whoever holds it.
    REQUIRE(t.build());
    CHECK(t.index() != index);
    CHECK(index.use_count() == 1);
    CHECK(index->count() == 300);
    CHECK(t.index()->count() == 300);
}
