#include <catch2/catch.hpp>

#include "models/eventtablemodel.h"
#include "store/storesession.h"
#include "test_models_support.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace es;
using es::test::emmett::Spec;

namespace {

using Tester = QAbstractItemModelTester;

Event liveEvent(qint64 position)
{
    Event e;
    e.position = position;
    e.id = QStringLiteral("live-%1").arg(position);
    e.stream = QStringLiteral("live-1");
    e.version = position;
    e.type = QStringLiteral("Live");
    return e;
}

std::vector<qint64> positions(EventTableModel& model)
{
    std::vector<qint64> out;
    REQUIRE(es::test::waitFor([&] {
        out.clear();
        for (int r = 0; r < model.rowCount(); ++r) {
            const std::optional<Event> e = model.eventAt(r);
            if (!e)
                return false;
            out.push_back(e->position);
        }
        return true;
    }));
    return out;
}

} // namespace

// Live rows: the store up to the cap, then the tail's events in the tail's order, in both sort orders, at page
// boundaries; any reset ends them.
TEST_CASE("Event table: live rows after the cap, at the end or at the top", "[models][table][follow]")
{
    QTemporaryDir dir;
    Spec spec;
    spec.events = 100;
    const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("store.sqlite")), spec);
    StoreSession session(StoreOpener { path, {} });
    EventTableModel model;
    Tester tester(&model, Tester::FailureReportingMode::Fatal);
    model.setPageSize(16);
    model.setSession(&session);
    REQUIRE(es::test::waitFor([&] { return model.isRowCountKnown(); }));
    CHECK(model.rowCount() == 100);

    const quint64 live = model.startLive(40); // positions 1..40 from the store
    CHECK(live != 0);
    CHECK(model.liveSession() == live);
    REQUIRE(es::test::waitFor([&] { return model.isRowCountKnown() && !model.isLoading(); }));
    CHECK(model.rowCount() == 40);
    // The tail's order need not be the key order (a transaction order).
    model.appendLive({ liveEvent(43), liveEvent(41) });
    model.appendLive({ liveEvent(42) });
    std::vector<qint64> expected;
    for (qint64 p = 1; p <= 40; ++p)
        expected.push_back(p);
    expected.insert(expected.end(), { 43, 41, 42 });
    CHECK(positions(model) == expected);
    CHECK(model.data(model.index(41, EventTableModel::PositionColumn)).toString() == QLatin1String("41"));

    // Locating finds a live row too.
    QSignalSpy located(&model, &EventTableModel::keyLocated);
    model.locateKey(42);
    REQUIRE(es::test::waitFor([&] { return !located.isEmpty(); }));
    CHECK(located.first().at(1).toInt() == 42);

    // Descending: the live rows on top, newest first; the cached pages stay.
    model.sort(EventTableModel::PositionColumn, Qt::DescendingOrder);
    CHECK(model.liveSession() == live);
    std::vector<qint64> descending(expected.rbegin(), expected.rend());
    CHECK(positions(model) == descending);
    model.appendLive({ liveEvent(44) });
    descending.insert(descending.begin(), 44);
    CHECK(positions(model) == descending);

    // Nothing below the cap: every row comes from the tail.
    model.startLive(-1);
    REQUIRE(es::test::waitFor([&] { return model.isRowCountKnown(); }));
    CHECK(model.rowCount() == 0);
    model.appendLive({ liveEvent(1), liveEvent(2) });
    CHECK(positions(model) == std::vector<qint64> { 2, 1 });

    // A filter resets the model and ends the live rows; so does refresh().
    EventFilter typed;
    typed.types = QStringList { spec.typeOf(0) };
    model.startLive(50);
    model.setFilter(typed);
    CHECK(model.liveSession() == 0);
    model.startLive(50);
    model.refresh();
    CHECK(model.liveSession() == 0);
    model.appendLive({ liveEvent(99) }); // not live: ignored
    REQUIRE(es::test::waitFor([&] { return !model.isLoading(); }));
    CHECK(model.liveRowCount() == 0);
    for (int r = 0; r < model.rowCount(); ++r)
        CHECK(model.data(model.index(r, EventTableModel::TypeColumn)).toString() == spec.typeOf(0));
    model.setSession(nullptr);
}
