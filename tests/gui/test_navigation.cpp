// Places in the GUI: Back/Forward across places and after an inspector link, Copy Link and opening links, a causation
// that names no event, saved views, and the single instance that takes a second launch's link.
#include <catch2/catch.hpp>

#include "eventinspector.h"
#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "nav/place.h"
#include "navigationcontroller.h"
#include "samplewriter.h"
#include "settings.h"
#include "singleinstance.h"
#include "testutils.h"
#include "timetravelwindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLocalSocket>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <future>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

struct Demo {
    QTemporaryDir dir;
    QString path;
    QString ini;
    Demo()
    {
        ini = dir.filePath(QStringLiteral("settings.ini"));
        Settings::useFile(ini);
        path = dir.filePath(QStringLiteral("demo.sqlite"));
        writeSampleStore(path, SampleOptions { 3000, 7, QStringLiteral("emmett") });
    }
    ~Demo() { Settings::useFile({}); }
};

bool settled(MainWindow& window)
{
    auto* model = window.eventView()->model();
    return !model->isLoading() && model->rowCount() > 0;
}

void openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor([&] { return settled(window); }, Timeout));
}

std::optional<Event> loadedEvent(EventTableModel* model, int row)
{
    std::optional<Event> e;
    waitFor([&] { return (e = model->eventAt(row)).has_value(); }, Timeout);
    return e;
}

// The inspector shows the event at this key of the current view.
bool shows(MainWindow& window, qint64 position)
{
    const auto& e = window.inspector()->event();
    return settled(window) && e && e->position == position;
}

} // namespace

TEST_CASE("Back and Forward go across places, also after an inspector link", "[gui][nav]")
{
    Demo demo;
    MainWindow window;
    window.show();
    NavigationController* nav = window.navigation();
    openAndWait(window, demo.path);
    auto* model = window.eventView()->model();
    CHECK_FALSE(nav->backAction()->isEnabled());

    // An event caused by another event of the store, and its stream.
    std::optional<Event> caused;
    for (int row = 0; row < model->rowCount() && !caused; ++row) {
        const auto e = loadedEvent(model, row);
        if (e && !e->causationId.isEmpty() && e->causationId != e->correlationId && e->version > 1)
            caused = e;
    }
    REQUIRE(caused);

    window.showStream(caused->stream);
    REQUIRE(waitFor(
        [&] { return settled(window) && window.eventView()->scope() == ViewScope::stream(caused->stream); }, Timeout));
    window.eventView()->goToKey(caused->version);
    REQUIRE(waitFor([&] { return shows(window, caused->position); }, Timeout));
    REQUIRE(waitFor([&] { return nav->backAction()->isEnabled(); }, Timeout));

    // The causation link leaves the stream for the global log at the causing event.
    window.goToCausation(*caused);
    REQUIRE(
        waitFor([&] { return window.inspector()->event() && window.inspector()->event()->id == caused->causationId; },
            Timeout));
    const qint64 cause = window.inspector()->event()->position;
    CHECK(window.eventView()->scope() == ViewScope::all());
    REQUIRE(waitFor([&] { return nav->history().current() && nav->history().current()->position == cause; }, Timeout));

    // Alt+Left: back in the stream, on the same event.
    QTest::keyClick(&window, Qt::Key_Left, Qt::AltModifier);
    REQUIRE(waitFor([&] { return shows(window, caused->position); }, Timeout));
    CHECK(window.eventView()->scope() == ViewScope::stream(caused->stream));
    CHECK(nav->forwardAction()->isEnabled());

    // Alt+Right: forward to the causing event in the global log.
    QTest::keyClick(&window, Qt::Key_Right, Qt::AltModifier);
    REQUIRE(waitFor([&] { return shows(window, cause); }, Timeout));
    CHECK(window.eventView()->scope() == ViewScope::all());
    CHECK_FALSE(nav->forwardAction()->isEnabled());

    // Back twice: the stream, then the global log as first opened.
    REQUIRE(nav->goBack());
    REQUIRE(waitFor([&] { return shows(window, caused->position); }, Timeout));
    REQUIRE(nav->goBack());
    REQUIRE(waitFor([&] { return settled(window) && window.eventView()->scope() == ViewScope::all(); }, Timeout));
    CHECK_FALSE(nav->backAction()->isEnabled());
}

TEST_CASE("A causation that names no event says so in place, without a banner", "[gui][nav]")
{
    Demo demo;
    MainWindow window;
    window.show();
    openAndWait(window, demo.path);
    auto* model = window.eventView()->model();
    // A process's first event is caused by an outside command: its causation id is that command's, no event's.
    std::optional<Event> first;
    int row = 0;
    for (; row < model->rowCount() && !first; ++row) {
        const auto e = loadedEvent(model, row);
        if (e && !e->causationId.isEmpty() && e->causationId == e->correlationId)
            first = e;
    }
    REQUIRE(first);
    window.eventView()->selectRow(row - 1);
    REQUIRE(waitFor([&] { return shows(window, first->position); }, Timeout));
    window.goToCausation(*first);
    REQUIRE(waitFor(
        [&] { return window.inspector()->causationText().contains(QLatin1String("not an event in this store")); },
        Timeout));
    CHECK_FALSE(window.banner()->isVisible());
    CHECK(window.inspector()->event()->position == first->position);
    CHECK(window.eventView()->scope() == ViewScope::all());
}

TEST_CASE("Copy Link names the event, the view and the time-travel state, and opening it goes there", "[gui][nav]")
{
    Demo demo;
    MainWindow window;
    window.show();
    NavigationController* nav = window.navigation();
    openAndWait(window, demo.path);
    auto* model = window.eventView()->model();
    window.eventView()->selectRow(25);
    const auto event = loadedEvent(model, 25);
    REQUIRE(event);
    REQUIRE(waitFor([&] { return shows(window, event->position); }, Timeout));

    nav->copyLinkAction()->trigger();
    const QString link = QApplication::clipboard()->text();
    const auto place = PlaceLink::parse(link);
    REQUIRE(place);
    CHECK(place->position == event->position);
    CHECK(place->store == demo.path);

    // A filtered category view: the link to the view carries scope and filter.
    window.eventView()->filterBar()->setTypes(event->type);
    window.eventView()->setScope(ViewScope::category(event->stream.section(u'-', 0, 0)));
    REQUIRE(waitFor([&] { return settled(window); }, Timeout));
    const auto view = PlaceLink::parse(nav->linkForView());
    REQUIRE(view);
    CHECK(view->scope == Place::Scope::Category);
    CHECK(view->filter.types == QStringList { event->type });

    // Opening the first link goes back to the event in the global log, unfiltered.
    REQUIRE(nav->openLink(link));
    REQUIRE(waitFor([&] { return shows(window, event->position); }, Timeout));
    CHECK(window.eventView()->scope() == ViewScope::all());
    CHECK_FALSE(window.eventView()->filterBar()->isActive());

    // A bad link is said in the banner.
    CHECK_FALSE(nav->openLink(QStringLiteral("eventscope://open?v=1&store=%2Fx&position=-4")));
    CHECK(window.banner()->text().contains(QLatin1String("whole number")));

    // Time travel: its window copies stream, version and reducer; the link opens time travel there again.
    TimeTravelWindow* travel = window.openTimeTravel(event->stream, event->version);
    REQUIRE(travel);
    REQUIRE(waitFor([&] { return travel->isReady(); }, Timeout));
    travel->selectReducer(QStringLiteral("merge-by-type"));
    REQUIRE(waitFor([&] { return travel->isReady() && travel->cursorVersion() == event->version; }, Timeout));
    auto* copy = travel->findChild<QAction*>(QStringLiteral("copyTimeTravelLink"));
    REQUIRE(copy);
    copy->trigger();
    const auto state = PlaceLink::parse(QApplication::clipboard()->text());
    REQUIRE(state);
    CHECK(state->view == Place::View::TimeTravel);
    CHECK(state->scopeName == event->stream);
    CHECK(state->version == event->version);
    CHECK(state->reducer == QLatin1String("merge-by-type"));
    travel->close();
    QSignalSpy shown(nav, &NavigationController::placeShown);
    REQUIRE(nav->openLink(QApplication::clipboard()->text()));
    REQUIRE(shown.count() == 1);
    TimeTravelWindow* again = nullptr;
    for (auto* w : window.findChildren<TimeTravelWindow*>()) {
        if (w != travel && w->isVisible())
            again = w;
    }
    REQUIRE(again);
    REQUIRE(waitFor([&] { return again->isReady(); }, Timeout));
    CHECK(again->stream() == event->stream);
    CHECK(again->currentReducerKey() == QLatin1String("merge-by-type"));
    CHECK(waitFor([&] { return again->cursorVersion() == event->version; }, Timeout));
}

TEST_CASE("Saved views keep scope, filter, columns and sort, and come back in a new window", "[gui][nav]")
{
    Demo demo;
    QByteArray columns;
    {
        MainWindow window;
        window.show();
        openAndWait(window, demo.path);
        window.eventView()->filterBar()->setQuery(QStringLiteral("data.amount > 100"));
        window.eventView()->setScope(ViewScope::category(QStringLiteral("account")));
        REQUIRE(waitFor([&] { return settled(window); }, Timeout));
        QHeaderView* header = window.eventView()->table()->horizontalHeader();
        header->resizeSection(EventTableModel::TypeColumn, 333);
        header->setSortIndicator(EventTableModel::PositionColumn, Qt::DescendingOrder);
        columns = header->saveState();
        REQUIRE(window.navigation()->saveView(QStringLiteral("Big account moves")));
        Settings::instance()->sync();
    }
    MainWindow window;
    window.show();
    openAndWait(window, demo.path);
    const QList<SavedView> views = window.navigation()->savedPlaces().views(demo.path);
    REQUIRE(views.size() == 1);
    CHECK(views.first().name == QLatin1String("Big account moves"));
    CHECK(views.first().descending);
    CHECK(views.first().columns == columns);
    CHECK_FALSE(window.navigation()->savedPlaces().recent().isEmpty());

    window.navigation()->openSavedView(views.first());
    REQUIRE(waitFor(
        [&] {
            return settled(window) && window.eventView()->scope() == ViewScope::category(QStringLiteral("account"));
        },
        Timeout));
    CHECK(window.eventView()->filterBar()->query() == QLatin1String("data.amount > 100"));
    CHECK(window.eventView()->table()->horizontalHeader()->sectionSize(EventTableModel::TypeColumn) == 333);
    CHECK(window.eventView()->table()->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder);
    const auto first = loadedEvent(window.eventView()->model(), 0);
    const auto second = loadedEvent(window.eventView()->model(), 1);
    REQUIRE((first && second));
    CHECK(first->position > second->position);
}

TEST_CASE("Single instance: one listens, a second hands its link over", "[gui][nav][instance]")
{
    QTemporaryDir dir;
    const QString name = QStringLiteral("eventscope-test-%1").arg(QCoreApplication::applicationPid());
    SingleInstance first(name);
    REQUIRE(first.listen());
    SingleInstance second(name);
    CHECK_FALSE(second.listen());
    QSignalSpy received(&first, &SingleInstance::messageReceived);
    const QString link = QStringLiteral("eventscope://open?v=1&store=%2Ftmp%2Fa.sqlite&position=4");
    // The client blocks until answered, so it runs on a thread of its own while this one serves.
    auto sent = std::async(std::launch::async, [&] { return SingleInstance::send(name, link); });
    REQUIRE(waitFor([&] { return sent.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }, Timeout));
    CHECK(sent.get());
    REQUIRE(waitFor([&] { return received.count() == 1; }, Timeout));
    CHECK(received.first().first().toString() == link);
    // Nothing listening: send says so at once; an oversized or multi-line message is never sent.
    CHECK_FALSE(SingleInstance::send(name + QStringLiteral("-none"), link, 500));
    CHECK_FALSE(SingleInstance::send(name, link + QStringLiteral("\nsecond line")));
    CHECK_FALSE(SingleInstance::send(name, QString(SingleInstance::MaxMessageBytes + 1, u'a')));
}

TEST_CASE("Single instance: a second eventscope process hands its link to the running window", "[gui][nav][instance]")
{
    Demo demo;
    const QString ini = QDir(demo.dir.path()).absoluteFilePath(QStringLiteral("instance.ini"));
    {
        // The store was opened before: a link to it opens without asking.
        QSettings settings(ini, QSettings::IniFormat);
        settings.setValue(QStringLiteral("stores/recent"), QStringList { demo.path });
    }
    Settings::useFile(ini);
    const QString name = SingleInstance::defaultName();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    QProcess running;
    running.setProcessEnvironment(env);
    running.start(QStringLiteral(ES_GUI_PATH), { QStringLiteral("--settings"), ini });
    REQUIRE(running.waitForStarted());
    REQUIRE(waitFor(
        [&] {
            QLocalSocket probe;
            probe.connectToServer(name);
            return probe.waitForConnected(200);
        },
        Timeout));

    Place place;
    place.store = demo.path;
    place.scope = Place::Scope::Stream;
    place.scopeName = QStringLiteral("account-1001");
    place.version = 2;
    const QString link = PlaceLink::toLink(place);
    REQUIRE_FALSE(link.isEmpty());
    QProcess second;
    second.setProcessEnvironment(env);
    second.start(QStringLiteral(ES_GUI_PATH), { QStringLiteral("--settings"), ini, link });
    REQUIRE(second.waitForFinished(Timeout));
    CHECK(second.exitStatus() == QProcess::NormalExit);
    CHECK(second.exitCode() == 0);

    // The running window opened the store and the place: it is in its recent places.
    const bool opened = waitFor(
        [&] {
            QSettings settings(ini, QSettings::IniFormat);
            return settings.value(QStringLiteral("places/recent")).toStringList().contains(link);
        },
        Timeout);
    running.terminate();
    running.waitForFinished(5000);
    if (running.state() != QProcess::NotRunning) {
        running.kill();
        running.waitForFinished(5000);
    }
    INFO(running.readAllStandardError().constData());
    CHECK(opened);
}
