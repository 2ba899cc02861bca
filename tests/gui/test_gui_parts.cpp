#include <catch2/catch.hpp>

#include "chartaxes.h"
#include "core/event.h"
#include "eventinspector.h"
#include "eventview.h"
#include "filterbar.h"
#include "gotodialog.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/jsontreemodel.h"
#include "openstoredialog.h"
#include "payloadview.h"
#include "samplewriter.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "testutils.h"

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <cmath>

using namespace es;

TEST_CASE("payloads that are not JSON show as text or base64 with a note")
{
    PayloadView view(QStringLiteral("data"));

    view.setPayload(Payload::json(R"({"a": {"b": [1, 2]}})"));
    CHECK(view.note().isEmpty());
    CHECK(view.showsTree());
    CHECK(view.treeModel()->rowCount() == 1);

    view.setPayload(Payload::text("plain words, not JSON"));
    CHECK(view.note().contains(QStringLiteral("text")));
    CHECK_FALSE(view.showsTree());
    CHECK(view.textView()->toPlainText() == QLatin1String("plain words, not JSON"));

    const QByteArray binary("\x83\x00\xff\xfe", 4);
    view.setPayload(Payload::binary(binary));
    CHECK(view.note().contains(QStringLiteral("base64")));
    CHECK(view.textView()->toPlainText().contains(QString::fromLatin1(binary.toBase64())));

    view.setPayload(Payload {});
    CHECK(view.note().contains(QStringLiteral("NULL")));

    // Back to JSON: the tree comes back.
    view.setPayload(Payload::json(R"({"x": 1})"));
    CHECK(view.showsTree());
    CHECK(view.note().isEmpty());
}

TEST_CASE("the inspector marks a NULL type and shows links only when ids exist")
{
    EventInspector inspector;
    Event e;
    e.position = 7;
    e.stream = QStringLiteral("order-1");
    e.version = 1;
    e.data = Payload::json(R"({"total": 5})");
    inspector.setEvent(e);
    auto* type = inspector.findChild<QLabel*>(QStringLiteral("inspectorType"));
    REQUIRE(type);
    CHECK(type->text().contains(QStringLiteral("NULL")));
    CHECK(inspector.dataView()->treeModel()->indexOfKey(QStringLiteral("total")).isValid());
    CHECK(inspector.metadataView()->note().contains(QStringLiteral("NULL")));

    e.type = QStringLiteral("OrderPlaced");
    inspector.setEvent(e);
    CHECK(type->text() == QLatin1String("OrderPlaced"));
    inspector.setEvent(std::nullopt);
    CHECK(inspector.dataView()->treeModel()->rowCount() == 0);
}

TEST_CASE("the filter bar turns its fields into a filter and rejects bad input inline")
{
    FilterBar bar;
    EventFilter f;
    QString error;

    bar.setTypes(QStringLiteral("OrderPlaced, ItemAdded"));
    bar.setTimeRange(QStringLiteral("2024-03-04"), QStringLiteral("2024-03-05 12:00"));
    bar.setQuery(QStringLiteral("data.total > 100 and metadata.userId = 'u-7'"));
    REQUIRE(bar.buildFilter(&f, &error));
    CHECK(f.types == QStringList { QStringLiteral("OrderPlaced"), QStringLiteral("ItemAdded") });
    CHECK(f.fromTime == QDateTime(QDate(2024, 3, 4), QTime(0, 0), Qt::UTC));
    CHECK(f.toTime == QDateTime(QDate(2024, 3, 5), QTime(12, 0), Qt::UTC));
    REQUIRE(f.conditions.size() == 2);
    CHECK(f.text.isEmpty());

    bar.setQuery(QStringLiteral("refund"));
    REQUIRE(bar.buildFilter(&f, &error));
    CHECK(f.text == QLatin1String("refund"));
    CHECK(f.conditions.empty());

    bool applied = false;
    QObject::connect(&bar, &FilterBar::applied, [&] { applied = true; });
    bar.setQuery(QStringLiteral("data.total >"));
    bar.apply();
    CHECK_FALSE(applied);
    CHECK_FALSE(bar.errorText().isEmpty());

    bar.setQuery({});
    bar.setTimeRange(QStringLiteral("yesterday"), {});
    bar.apply();
    CHECK_FALSE(applied);
    CHECK(bar.errorText().contains(QStringLiteral("yesterday")));

    bar.setTimeRange({}, {});
    bar.apply();
    CHECK(applied);
    CHECK(bar.errorText().isEmpty());
}

TEST_CASE("go to accepts a position or a time")
{
    CHECK(GoToDialog::parse(QStringLiteral("150000"))->key == 150000);
    CHECK(GoToDialog::parse(QStringLiteral(" 1,234 "))->key == 1234);
    const auto t = GoToDialog::parse(QStringLiteral("2024-05-01 08:30"));
    REQUIRE(t);
    CHECK_FALSE(t->key);
    CHECK(t->time == QDateTime(QDate(2024, 5, 1), QTime(8, 30), Qt::UTC));
    CHECK_FALSE(GoToDialog::parse(QStringLiteral("soon")));
    CHECK_FALSE(GoToDialog::parse(QString()));
}

TEST_CASE("settings: recent stores are capped and window layout persists in the given file")
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("s.ini"));
    Settings::useFile(ini);
    Settings* settings = Settings::instance();
    for (int i = 0; i < 12; ++i)
        settings->addRecentStore(QStringLiteral("/stores/%1.sqlite").arg(i));
    settings->addRecentStore(QStringLiteral("/stores/5.sqlite"));
    const QStringList recent = settings->recentStores();
    REQUIRE(recent.size() == Settings::MaxRecentStores);
    CHECK(recent.first() == QLatin1String("/stores/5.sqlite"));
    CHECK(recent.count(QStringLiteral("/stores/5.sqlite")) == 1);
    CHECK_FALSE(recent.contains(QStringLiteral("/stores/0.sqlite")));

    // The docks step aside while no store is open (the start page), so their layout is set with a store open.
    const QString store = dir.filePath(QStringLiteral("store.sqlite"));
    writeSampleStore(store, SampleOptions { 200, 3, QStringLiteral("emmett") });
    const auto openStore = [&store](MainWindow& window) {
        QSignalSpy opened(&window, &MainWindow::storeOpened);
        window.openStore(store);
        REQUIRE(es::test::waitFor([&] { return opened.count() == 1; }, 30000));
    };
    QSize saved;
    {
        MainWindow window;
        window.show();
        openStore(window);
        window.findChild<QDockWidget*>(QStringLiteral("inspectorDock"))->hide();
        window.resize(760, 500); // within the 800x800 offscreen screen: windows never outgrow their screen
        saved = window.size();
        window.close();
    }
    CHECK(QSettings(ini, QSettings::IniFormat).contains(QStringLiteral("window/state")));
    MainWindow restored;
    restored.show();
    CHECK(saved == QSize(760, 500));
    CHECK(restored.size() == saved);
    openStore(restored);
    CHECK(restored.findChild<QDockWidget*>(QStringLiteral("inspectorDock"))->isHidden());
    CHECK(restored.findChild<QDockWidget*>(QStringLiteral("streamsDock"))->isVisible());
}

TEST_CASE("the open dialog offers the shipped layouts and returns the address and options")
{
    OpenStoreDialog dialog(QDir::tempPath());
    auto* profile = dialog.findChild<QComboBox*>();
    REQUIRE(profile);
    CHECK(profile->findText(QStringLiteral("emmett")) > 0);
    CHECK(profile->findText(QStringLiteral("eventsourcing")) > 0);
    CHECK(dialog.options().profile.isEmpty());
    profile->setCurrentIndex(profile->findText(QStringLiteral("emmett")));
    dialog.setAddress(QStringLiteral("sqlite:///nowhere/store.sqlite"));
    CHECK(dialog.address() == QLatin1String("sqlite:///nowhere/store.sqlite"));
    CHECK(dialog.options().profile == QLatin1String("emmett"));
}

TEST_CASE("main window: correlation and causation links follow the layout's profile, here a causation by position",
    "[navigate]")
{
    // A store described by a user mapping whose causation references are global positions, as Message DB's are.
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QString store = dir.filePath(QStringLiteral("links.sqlite"));
    es::test::execSqlite(store,
        QStringLiteral("CREATE TABLE events(pos INTEGER PRIMARY KEY, stream TEXT, ver INTEGER, type TEXT, data TEXT, "
                       "meta TEXT);"
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
                       "INSERT INTO events SELECT i, 'order-' || (i % 3), i / 3, 'Step', '{}', "
                       "CASE WHEN i = 5 THEN json_object('corr', 'k-0', 'cause', 'not-a-position') "
                       "ELSE json_object('corr', 'k-' || (i / 10), 'cause', i - 3) END FROM n;"));
    const QString mapping = dir.filePath(QStringLiteral("links.json"));
    {
        QFile f(mapping);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(
            R"({"name": "links", "detect": {"tables": [{"as": "t", "names": ["events"], "columns": ["pos", "meta"]}]},
            "events": {"table": "{t}", "position": "pos", "stream": "stream", "version": "ver", "type": "type",
                       "data": "data", "metadata": "meta"},
            "correlation": {"correlation": ["corr"], "causation": ["cause"], "causationTarget": "position"}})");
    }
    OpenOptions options;
    options.mappingFile = mapping;
    auto reader = StoreRegistry::open(store, options);
    auto eventAt = [&](qint64 position) {
        EventQuery q;
        q.from = position;
        q.limit = 1;
        return reader->events(q).events.at(0);
    };

    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(store, options);
    REQUIRE(es::test::waitFor([&] { return opened.count() == 1; }, 30000));
    CHECK(window.storeInfo().links.causationTarget == EventLinks::CausationTarget::GlobalPosition);

    const Event caused = eventAt(20);
    REQUIRE(caused.causationId == QLatin1String("17"));
    window.goToCausation(caused);
    REQUIRE(es::test::waitFor(
        [&] { return window.inspector()->event() && window.inspector()->event()->position == 17; }, 30000));

    window.showCorrelated(caused);
    CHECK(window.eventView()->filterBar()->query() == QLatin1String("metadata.corr = 'k-2'"));
    EventTableModel* table = window.eventView()->model();
    REQUIRE(es::test::waitFor([&] { return table->isRowCountKnown() && !table->isLoading(); }, 30000));
    CHECK(table->rowCount() == 10); // positions 20 .. 29

    // A reference that is not a position names no event of the store: said in the inspector, with no banner.
    window.eventView()->filterBar()->clear();
    window.eventView()->applyFilter();
    window.eventView()->goToKey(5);
    REQUIRE(es::test::waitFor(
        [&] { return window.inspector()->event() && window.inspector()->event()->position == 5; }, 30000));
    window.goToCausation(*window.inspector()->event());
    CHECK(window.inspector()->causationText().contains(QLatin1String("not-a-position")));
    CHECK(window.inspector()->causationText().contains(QLatin1String("not an event in this store")));
    CHECK_FALSE(window.banner()->isVisible());
}

TEST_CASE("chart axes: round steps, whole numbers for counts, ranges that hold the data")
{
    const auto isRound = [](double step) {
        const double magnitude = std::pow(10.0, std::floor(std::log10(step)));
        const double f = step / magnitude;
        return f == Approx(1) || f == Approx(2) || f == Approx(5);
    };
    struct Case {
        double lo, hi;
        int ticks;
        bool integers;
    };
    // Lags of 0..543 events (the projections chart once ticked at 271.7), time-travel balances from -17827 to
    // 374362, a flat line, tiny fractions.
    for (const Case c : { Case { 0, 543.4, 5, true }, Case { -17827, 374362, 5, true }, Case { 3, 3, 4, true },
             Case { 0, 1, 5, true }, Case { 0.001, 0.0042, 4, false }, Case { -5, 5, 8, true } }) {
        INFO(c.lo << ".." << c.hi);
        const chartaxes::NiceScale s = chartaxes::niceScale(c.lo, c.hi, c.ticks, c.integers);
        CHECK(s.min <= c.lo);
        CHECK(s.max >= c.hi);
        CHECK(s.max > s.min);
        CHECK(isRound(s.step));
        CHECK((s.max - s.min) / s.step <= c.ticks + 2);
        CHECK(std::fmod(s.min, s.step) == Approx(0).margin(1e-9));
        if (c.integers)
            CHECK(s.step >= 1);
    }
    const chartaxes::NiceScale lag = chartaxes::niceScale(0, 543.4, 5, true);
    CHECK(lag.min == 0);
    CHECK(lag.max == 600);
    CHECK(lag.step == 200);
}
