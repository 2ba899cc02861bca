#include <catch2/catch.hpp>

#include "models/eventtablemodel.h"
#include "store/storesession.h"
#include "test_models_support.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace es;
using es::test::emmett::Spec;

namespace {

using Tester = QAbstractItemModelTester;

struct Fixture {
    QTemporaryDir dir;
    QString path;
    Spec spec;
    std::unique_ptr<StoreSession> session;
    EventTableModel model;
    std::unique_ptr<Tester> tester;

    explicit Fixture(const Spec& s, int pageSize = 256)
        : spec(s)
    {
        REQUIRE(dir.isValid());
        path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("store.sqlite")), spec);
        tester = std::make_unique<Tester>(&model, Tester::FailureReportingMode::Fatal);
        model.setPageSize(pageSize);
        session = std::make_unique<StoreSession>(StoreOpener { path, {} });
    }
    ~Fixture()
    {
        model.setSession(nullptr);
        tester.reset();
    }

    void open(const EventFilter& filter = {})
    {
        model.setFilter(filter);
        model.setSession(session.get());
    }
    bool waitCount()
    {
        return es::test::waitFor([this] { return model.isRowCountKnown(); });
    }
    std::optional<Event> waitEvent(int row)
    {
        std::optional<Event> e;
        es::test::waitFor([&] { return (e = model.eventAt(row)).has_value(); });
        return e;
    }
    // Waits for keyLocated (or an error) after `start` ran.
    std::pair<qint64, int> locate(const std::function<void()>& start)
    {
        QSignalSpy located(&model, &EventTableModel::keyLocated);
        QSignalSpy failed(&model, &EventTableModel::errorOccurred);
        start();
        es::test::waitFor([&] { return located.count() > 0 || failed.count() > 0; });
        INFO((failed.isEmpty() ? QString() : failed.first().first().toString()).toStdString());
        REQUIRE(located.count() == 1);
        return { located.first().at(0).toLongLong(), located.first().at(1).toInt() };
    }
    void checkEvent(const Event& e, int i) const
    {
        INFO("event index " << i);
        CHECK(e.position == i + 1);
        CHECK(e.stream == spec.streamOf(i));
        CHECK(e.version == spec.versionOf(i));
        CHECK(e.type == spec.typeOf(i));
        CHECK(e.time == Spec::timeOf(i));
        CHECK(e.data.preview().contains(QStringLiteral("\"seq\":%1").arg(i)));
    }
};

} // namespace

TEST_CASE("Event table: a dense global log maps rows to positions and jumps far in one seek", "[models][table]")
{
    Spec spec;
    spec.events = 50000;
    spec.streams = 500;
    spec.emptyTypeEvery = 1000;
    Fixture f(spec);
    QSignalSpy counted(&f.model, &EventTableModel::rowCountKnown);
    f.open();

    // The first page shows before (or without waiting for) the count.
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount() > 0; }));
    REQUIRE(f.waitCount());
    CHECK(counted.count() == 1);
    CHECK(counted.first().first().toLongLong() == 50000);
    CHECK(f.model.rowCount() == 50000);

    auto first = f.waitEvent(0);
    REQUIRE(first);
    f.checkEvent(*first, 0);
    CHECK(f.model.data(f.model.index(0, EventTableModel::PositionColumn)).toString() == QStringLiteral("1"));
    CHECK(f.model.data(f.model.index(0, EventTableModel::StreamColumn)).toString() == spec.streamOf(0));
    CHECK(f.model.data(f.model.index(0, EventTableModel::TypeColumn)).toString() == QStringLiteral("OrderPlaced"));

    // Event 5 has an empty type: the cell shows a marker rather than nothing.
    auto untyped = f.waitEvent(5);
    REQUIRE(untyped);
    CHECK(untyped->type.isEmpty());
    CHECK(f.model.data(f.model.index(5, EventTableModel::TypeColumn)).toString() == QStringLiteral("(no type)"));

    // A far row: not loaded, a placeholder and a key known without reading, then the right event.
    const int far = 43210;
    const QModelIndex farIndex = f.model.index(far, EventTableModel::PositionColumn);
    CHECK_FALSE(f.model.data(farIndex, EventTableModel::LoadedRole).toBool());
    CHECK(f.model.data(farIndex).toString() == QStringLiteral("…"));
    CHECK(f.model.data(farIndex, EventTableModel::KeyRole).toLongLong() == far + 1);
    auto e = f.waitEvent(far);
    REQUIRE(e);
    f.checkEvent(*e, far);
    CHECK(f.model.data(farIndex, EventTableModel::LoadedRole).toBool());
    CHECK(f.model.data(farIndex, EventTableModel::EventRole).value<Event>().position == far + 1);
    CHECK(f.model.data(f.model.index(far, EventTableModel::TimeColumn), Qt::ToolTipRole).toString()
        == Event::timeToIso(Spec::timeOf(far)));
    CHECK(f.model.data(f.model.index(far, EventTableModel::TimeColumn)).toString()
        == Spec::timeOf(far).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));

    // Rows either side of a page boundary.
    for (int row : { 255, 256, 49999 }) {
        auto ev = f.waitEvent(row);
        REQUIRE(ev);
        f.checkEvent(*ev, row);
    }

    auto [key, row] = f.locate([&] { f.model.locateKey(40000); });
    CHECK(key == 40000);
    CHECK(row == 39999);

    // Event i has time base + i minutes: the first event at or after base + 1000 min + 30 s is i = 1001.
    std::tie(key, row) = f.locate([&] { f.model.locateTime(Spec::timeOf(1000).addSecs(30)); });
    CHECK(key == 1002);
    CHECK(row == 1001);

    // Descending: row 0 is the newest event; the cache is addressed by key order and survives the flip.
    f.model.sort(EventTableModel::PositionColumn, Qt::DescendingOrder);
    CHECK(f.model.rowCount() == 50000);
    CHECK(f.model.data(f.model.index(0, 0), EventTableModel::KeyRole).toLongLong() == 50000);
    auto newest = f.waitEvent(0);
    REQUIRE(newest);
    f.checkEvent(*newest, 49999);
    auto mid = f.waitEvent(50000 - 1 - far);
    REQUIRE(mid);
    f.checkEvent(*mid, far);
    std::tie(key, row) = f.locate([&] { f.model.locateKey(10); });
    CHECK(key == 10);
    CHECK(row == 50000 - 10);
}

TEST_CASE("Event table: the page cache stays bounded while the whole table is walked", "[models][table]")
{
    Spec spec;
    spec.events = 20000;
    spec.streams = 50;
    Fixture f(spec, 200);
    f.model.setCacheLimit(6);
    f.open();
    REQUIRE(f.waitCount());
    REQUIRE(f.model.rowCount() == 20000);
    int maxCached = 0;
    for (int row = 0; row < 20000; row += 200) {
        const int probe = row + (row / 200) % 200;
        auto e = f.waitEvent(probe);
        REQUIRE(e);
        CHECK(e->position == probe + 1);
        maxCached = std::max(maxCached, f.model.cachedPageCount());
        REQUIRE(f.model.cachedPageCount() <= 6);
    }
    CHECK(maxCached == 6);
    // An evicted page comes back with the same rows. (Not page 0: the tester reads row 0 after every change.)
    CHECK_FALSE(f.model.data(f.model.index(5005, 0), EventTableModel::LoadedRole).toBool());
    auto again = f.waitEvent(5005);
    REQUIRE(again);
    f.checkEvent(*again, 5005);
    CHECK(f.model.cachedPageCount() <= 6);
}

TEST_CASE("Event table: gaps in positions (archived streams) map rows through anchors", "[models][table]")
{
    Spec spec;
    spec.events = 40000;
    spec.streams = 400;
    spec.archiveEvery = 10; // every tenth stream archived: 10% of positions are gaps
    Fixture f(spec);
    const std::vector<int> visible = spec.visible();
    REQUIRE(visible.size() == 36000);
    f.open();
    REQUIRE(f.waitCount());
    REQUIRE(f.model.rowCount() == int(visible.size()));

    for (int row : { 0, 1, 255, 256, 12345, 30000, 35999 }) {
        auto e = f.waitEvent(row);
        REQUIRE(e);
        f.checkEvent(*e, visible[std::size_t(row)]);
        CHECK(f.model.data(f.model.index(row, 0), EventTableModel::KeyRole).toLongLong()
            == visible[std::size_t(row)] + 1);
    }

    // Position 12 (event 11, stream 11: archived) is hidden: the next visible row is found.
    REQUIRE(spec.archived(11));
    auto [key, row] = f.locate([&] { f.model.locateKey(12); });
    CHECK(key == 13);
    CHECK(row == int(std::lower_bound(visible.begin(), visible.end(), 12) - visible.begin()));
    const int target = visible[30001];
    std::tie(key, row) = f.locate([&] { f.model.locateKey(target + 1); });
    CHECK(key == target + 1);
    CHECK(row == 30001);
    std::tie(key, row) = f.locate([&] { f.model.locateTime(Spec::timeOf(20001)); });
    REQUIRE(spec.archived(20001));
    CHECK(key == 20003);
    CHECK(row == int(std::lower_bound(visible.begin(), visible.end(), 20002) - visible.begin()));

    f.model.sort(EventTableModel::PositionColumn, Qt::DescendingOrder);
    auto newest = f.waitEvent(0);
    REQUIRE(newest);
    f.checkEvent(*newest, visible.back());
    auto e = f.waitEvent(36000 - 1 - 12345);
    REQUIRE(e);
    f.checkEvent(*e, visible[12345]);
}

TEST_CASE("Event table: category and stream scopes", "[models][table]")
{
    Spec spec;
    spec.events = 30000;
    spec.streams = 300;
    Fixture f(spec);

    SECTION("a category is sparse in the global log")
    {
        EventFilter filter;
        filter.category = QStringLiteral("shipment");
        f.open(filter);
        std::vector<int> expected;
        for (int i = 0; i < spec.events; ++i) {
            if ((i % spec.streams) % 4 == 2)
                expected.push_back(i);
        }
        REQUIRE(f.waitCount());
        REQUIRE(f.model.rowCount() == int(expected.size()));
        for (int row : { 0, 300, 4321, int(expected.size()) - 1 }) {
            auto e = f.waitEvent(row);
            REQUIRE(e);
            f.checkEvent(*e, expected[std::size_t(row)]);
        }
    }
    SECTION("one stream is keyed by version")
    {
        EventFilter filter;
        filter.stream = spec.streamOf(7);
        f.open(filter);
        REQUIRE(f.waitCount());
        REQUIRE(f.model.rowCount() == 100);
        for (int row : { 0, 57, 99 }) {
            auto e = f.waitEvent(row);
            REQUIRE(e);
            f.checkEvent(*e, 7 + row * spec.streams);
            CHECK(f.model.data(f.model.index(row, 0), EventTableModel::KeyRole).toLongLong() == row + 1);
        }
        auto [key, row] = f.locate([&] { f.model.locateKey(42); });
        CHECK(key == 42);
        CHECK(row == 41);
    }
}

TEST_CASE("Event table: filters grow with fetchMore, and a new filter drops stale results", "[models][table]")
{
    Spec spec;
    spec.events = 20000;
    spec.streams = 200;
    Fixture f(spec, 128);
    f.model.setScanWindow(3000);
    f.model.setCacheLimit(4);

    EventFilter paid;
    paid.types = QStringList { QStringLiteral("OrderPaid") }; // i % 4 == 1: position 4r + 2 at row r
    EventFilter added;
    added.types = QStringList { QStringLiteral("ItemAdded") }; // i % 4 == 2: position 4r + 3

    f.open(paid);
    // The first page shows without a count.
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount() > 0; }));
    CHECK(f.model.rowCount() <= 128);

    // A locate beyond what was found keeps reading until it gets there.
    auto [key, row] = f.locate([&] { f.model.locateKey(4 * 3000 + 2); });
    CHECK(key == 4 * 3000 + 2);
    CHECK(row == 3000);

    // Switch filters while reads are in flight: nothing of the old filter may land.
    f.model.setFilter(added);
    f.model.setFilter(paid);
    f.model.setFilter(added);
    REQUIRE(es::test::waitFor([&] {
        if (f.model.canFetchMore(QModelIndex()))
            f.model.fetchMore(QModelIndex());
        return f.model.isRowCountKnown();
    }));
    REQUIRE(f.model.rowCount() == 5000);
    CHECK(f.model.cachedPageCount() <= 5); // four plus the page being filled
    for (int row : { 0, 127, 128, 2500, 4999 }) {
        auto e = f.waitEvent(row);
        REQUIRE(e);
        f.checkEvent(*e, 4 * row + 2);
    }
    for (int row = 0; row < f.model.rowCount(); ++row) {
        if (auto e = f.model.eventAt(row))
            REQUIRE(e->type == QStringLiteral("ItemAdded"));
    }
    std::tie(key, row) = f.locate([&] { f.model.locateTime(Spec::timeOf(8000)); });
    CHECK(key == 8003);
    CHECK(row == 2000);

    // Newest first: rows are found backwards from the end of the log.
    f.model.sort(EventTableModel::PositionColumn, Qt::DescendingOrder);
    REQUIRE(es::test::waitFor([&] { return f.model.rowCount() > 0; }));
    auto newest = f.waitEvent(0);
    REQUIRE(newest);
    f.checkEvent(*newest, 4 * 4999 + 2);
    std::tie(key, row) = f.locate([&] { f.model.locateKey(4 * 1000 + 3); });
    CHECK(key == 4 * 1000 + 3);
    CHECK(row == 4999 - 1000);
    REQUIRE(es::test::waitFor([&] {
        if (f.model.canFetchMore(QModelIndex()))
            f.model.fetchMore(QModelIndex());
        return f.model.isRowCountKnown();
    }));
    CHECK(f.model.rowCount() == 5000);
    auto oldest = f.waitEvent(4999);
    REQUIRE(oldest);
    f.checkEvent(*oldest, 2);
}

TEST_CASE("Event table: refresh inserts appended rows instead of resetting", "[models][table]")
{
    Spec spec;
    spec.events = 20000;
    spec.streams = 100;
    Fixture f(spec);
    const bool descending = GENERATE(false, true);
    if (descending)
        f.model.sort(EventTableModel::PositionColumn, Qt::DescendingOrder);
    f.open();
    REQUIRE(f.waitCount());
    REQUIRE(f.model.rowCount() == 20000);
    auto before = f.waitEvent(0);
    REQUIRE(before);

    Spec more = spec;
    more.firstEvent = spec.events;
    more.events = 300;
    es::test::emmett::append(f.path, more);

    QSignalSpy resets(&f.model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&f.model, &QAbstractItemModel::rowsInserted);
    f.model.refresh();
    REQUIRE(es::test::waitFor([&] { return inserted.count() > 0; }));
    CHECK(resets.isEmpty());
    CHECK(f.model.rowCount() == 20300);
    CHECK(inserted.first().at(1).toInt() == (descending ? 0 : 20000));
    CHECK(inserted.first().at(2).toInt() == (descending ? 299 : 20299));
    auto newest = f.waitEvent(descending ? 0 : 20299);
    REQUIRE(newest);
    f.checkEvent(*newest, 20299);
    auto old = f.waitEvent(descending ? 300 : 0);
    REQUIRE(old);
    CHECK(old->position == before->position);
}

TEST_CASE("Event table: errors surface as failed/errorOccurred, never as a crash", "[models][table]")
{
    QTemporaryDir dir;
    const QString path = es::test::tempPath(dir, QStringLiteral("not-a-store.sqlite"));
    {
        QFile file(path);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("this is not an SQLite database, just text\n").repeated(100));
    }
    EventTableModel model;
    Tester tester(&model, Tester::FailureReportingMode::Fatal);
    QSignalSpy errors(&model, &EventTableModel::errorOccurred);
    QSignalSpy failures(&model, &EventTableModel::failed);
    StoreSession session(StoreOpener { path, {} });
    model.setSession(&session);
    REQUIRE(es::test::waitFor([&] { return !failures.isEmpty(); }));
    const Failure failure = failures.first().first().value<Failure>();
    CHECK_FALSE(failure.message.isEmpty());
    CHECK(failure.kind != Failure::Kind::Cancelled);
    CHECK(model.rowCount() == 0);
    CHECK(es::test::waitFor([&] { return !model.isLoading(); }));
    CHECK(failures.count() == 1); // said once, though every job failed
    CHECK(errors.isEmpty());

    // Locating in a store that cannot be read fails politely too.
    model.locateKey(5);
    CHECK(es::test::waitFor([&] { return errors.count() + failures.count() == 2; }));
    model.setSession(nullptr);
    CHECK(model.rowCount() == 0);
}
