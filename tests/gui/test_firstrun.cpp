#include <catch2/catch.hpp>

#include "demostore.h"
#include "eventview.h"
#include "filterbar.h"
#include "followcontroller.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "samplewriter.h"
#include "settings.h"
#include "startpage.h"
#include "testutils.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

struct SmallStore {
    QTemporaryDir dir;
    QString path;
    SmallStore()
    {
        Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
        path = dir.filePath(QStringLiteral("store.sqlite"));
        writeSampleStore(path, SampleOptions { 5000, 11, QStringLiteral("emmett") });
    }
};

void openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor(
        [&] { return !window.eventView()->model()->isLoading() && window.eventView()->model()->rowCount() > 0; },
        Timeout));
}

QList<QDockWidget*> visibleDocks(const MainWindow& window)
{
    QList<QDockWidget*> docks;
    for (QDockWidget* dock : window.findChildren<QDockWidget*>())
        if (dock->isVisible())
            docks.append(dock);
    return docks;
}

} // namespace

TEST_CASE("with no store the window shows the start page, no empty docks and no store actions")
{
    SmallStore store;
    Settings::instance()->addRecentStore(store.path);
    MainWindow window;
    window.show();
    REQUIRE(QTest::qWaitForWindowExposed(&window));

    StartPage* start = window.startPage();
    REQUIRE(start);
    CHECK(start->isVisible());
    CHECK_FALSE(window.eventView()->isVisible());
    CHECK(visibleDocks(window).isEmpty());
    // Nothing that needs a store can be triggered: Follow above all.
    CHECK_FALSE(window.followController()->action()->isEnabled());
    for (QAction* a : window.findChildren<QAction*>()) {
        const QString text = a->text();
        INFO(text.toStdString());
        if (text.contains(QLatin1String("Export")) || text.contains(QLatin1String("Time Travel"))
            || text.contains(QLatin1String("Refresh")))
            CHECK_FALSE(a->isEnabled());
    }

    // The recent store is listed by its file name and opens on activation.
    QListWidget* recent = start->recentList();
    REQUIRE(recent->count() == 1);
    CHECK(recent->item(0)->text().startsWith(QLatin1String("store.sqlite")));
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    recent->setCurrentRow(0);
    Q_EMIT recent->itemActivated(recent->item(0));
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    CHECK(window.eventView()->isVisible());
    CHECK_FALSE(start->isVisible());
    CHECK(visibleDocks(window).size() >= 2); // streams and inspector are back
    CHECK(window.followController()->action()->isEnabled());

    // Closing the store returns to the start page and stops Follow.
    window.followController()->action()->trigger();
    REQUIRE(window.followController()->isFollowing());
    window.closeStore();
    CHECK(start->isVisible());
    CHECK_FALSE(window.followController()->isFollowing());
    CHECK_FALSE(window.followController()->action()->isEnabled());
    CHECK(visibleDocks(window).isEmpty());
}

TEST_CASE("Open the demo store writes the demo store once, to the data folder, and opens it")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    QStandardPaths::setTestModeEnabled(true);
    const QString path = DemoStoreWriter::path();
    QFile::remove(path);
    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    auto* button = window.startPage()->findChild<QPushButton*>(QStringLiteral("startDemo"));
    REQUIRE(button);
    button->click();
    REQUIRE(waitFor([&] { return opened.count() == 1; }, 120000));
    CHECK(QFile::exists(path));
    CHECK(window.session()->address() == path);
    REQUIRE(waitFor(
        [&] { return window.storeInfo().eventCount >= 0 && !window.storeInfo().eventCountEstimated; }, Timeout));
    CHECK(window.storeInfo().eventCount == DemoStoreWriter::kEvents);

    // A second time it opens the existing file rather than writing it again.
    const QDateTime written = QFileInfo(path).lastModified();
    window.closeStore();
    button->click();
    REQUIRE(waitFor([&] { return opened.count() == 2; }, Timeout));
    CHECK(QFileInfo(path).lastModified() == written);
    window.closeStore();
    QFile::remove(path);
    QStandardPaths::setTestModeEnabled(false);
}

// Run by its own ctest entry on a 1024x700 offscreen screen (tests/gui/smallscreen.json), the smallest the GUI is
// made for; hidden from the default run, whose offscreen screen is 800x800.
TEST_CASE(
    "the main window fits the screen it opens on and leaves the event table most of its width", "[.][smallscreen]")
{
    SmallStore store;
    MainWindow window;
    window.show();
    REQUIRE(QTest::qWaitForWindowExposed(&window));
    openAndWait(window, store.path);
    QCoreApplication::processEvents();

    const QRect available = window.screen()->availableGeometry();
    INFO("screen " << available.width() << "x" << available.height() << ", window " << window.frameGeometry().width()
                   << "x" << window.frameGeometry().height());
    CHECK(window.frameGeometry().width() <= available.width());
    CHECK(window.frameGeometry().height() <= available.height());
    CHECK(available.contains(window.frameGeometry().topLeft()));
    // The docks give way: the event table keeps at least half of the window.
    REQUIRE(waitFor([&] { return window.eventView()->width() >= window.width() / 2; }));

    // A narrow view stacks the filter fields on two rows rather than cutting their text.
    FilterBar* bar = window.eventView()->filterBar();
    window.eventView()->resize(560, window.eventView()->height());
    bar->resize(540, bar->height());
    QCoreApplication::processEvents();
    CHECK(bar->isTwoRows());
    bar->resize(1600, bar->height());
    QCoreApplication::processEvents();
    CHECK_FALSE(bar->isTwoRows());
}

TEST_CASE("a text filter says how far its scan has gone and scans to the end on demand")
{
    SmallStore store;
    MainWindow window;
    window.show();
    openAndWait(window, store.path);
    EventView* view = window.eventView();
    EventTableModel* model = view->model();
    auto* count = view->findChild<QLabel*>(QStringLiteral("scopeCount"));
    auto* scanButton = view->findChild<QToolButton*>(QStringLiteral("scanToEnd"));
    REQUIRE(count);
    REQUIRE(scanButton);

    // Plain text matches payloads: found by scanning, never counted up front.
    model->setScanWindow(500);
    view->filterBar()->setQuery(QStringLiteral("accountId"));
    REQUIRE(view->applyFilter());
    REQUIRE(waitFor([&] { return model->scan().active && !model->scan().running && model->rowCount() > 0; }, Timeout));
    const EventTableModel::Scan partial = model->scan();
    if (!partial.complete) {
        CHECK(count->text().contains(QLatin1String("so far")));
        CHECK_FALSE(count->text().contains(QLatin1String("counting")));
        CHECK(scanButton->isVisible());
        // Ctrl+End scans to the end and goes to the last match.
        QTest::keyClick(view->table(), Qt::Key_End, Qt::ControlModifier);
    }
    REQUIRE(waitFor([&] { return model->scan().complete; }, Timeout));
    REQUIRE(waitFor([&] { return view->table()->currentIndex().row() == model->rowCount() - 1; }, Timeout));
    CHECK(count->text().endsWith(QLatin1String("event(s)")));
    CHECK_FALSE(scanButton->isVisible());
    // The count a scan ends with is the number of matching events.
    const qint64 found = model->rowCount();
    CHECK(found > 0);
    CHECK(found < 5000);

    // Text that matches nothing ends in a definite state too.
    view->filterBar()->setQuery(QStringLiteral("no-such-text-anywhere"));
    REQUIRE(view->applyFilter());
    REQUIRE(waitFor([&] { return model->scan().active && !model->scan().running; }, Timeout));
    if (!model->scan().complete)
        scanButton->click();
    REQUIRE(waitFor([&] { return model->scan().complete; }, Timeout));
    CHECK(count->text() == QLatin1String("0 event(s)"));
}

TEST_CASE("a condition that does not parse names what is wrong and marks the rows below as stale")
{
    SmallStore store;
    MainWindow window;
    window.show();
    openAndWait(window, store.path);
    EventView* view = window.eventView();
    auto* scope = view->findChild<QLabel*>(QStringLiteral("scopeLabel"));
    REQUIRE(scope);

    view->filterBar()->setQuery(QStringLiteral("data.amount > 100"));
    REQUIRE(view->applyFilter());
    view->filterBar()->setQuery(QStringLiteral("data.amount >> 100"));
    CHECK_FALSE(view->applyFilter());
    CHECK(view->filterBar()->errorText().contains(QLatin1String("\">>\"")));
    CHECK(view->filterBar()->errorText().contains(QLatin1String("not an operator")));
    CHECK(scope->text().contains(QLatin1String("not applied")));
    // Fixing the text and applying clears the mark.
    view->filterBar()->setQuery(QStringLiteral("data.amount >= 100"));
    REQUIRE(view->applyFilter());
    CHECK_FALSE(scope->text().contains(QLatin1String("not applied")));
    CHECK(scope->text().contains(QLatin1String("filtered")));
}
