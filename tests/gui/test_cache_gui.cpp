#include <catch2/catch.hpp>

#include "cache/summarycache.h"
#include "cachecontroller.h"
#include "mainwindow.h"
#include "models/streamtreemodel.h"
#include "samplewriter.h"
#include "settings.h"
#include "streambrowser.h"
#include "testutils.h"

#include <QAction>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWidget>

using namespace es;
using es::test::waitFor;

namespace {

// The cache of one test: its own file, named by ES_SUMMARY_CACHE for the code that opens the default.
struct CacheFile {
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("summaries.sqlite"));
    QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    CacheFile() { qputenv("ES_SUMMARY_CACHE", path.toUtf8()); }
    ~CacheFile() { qputenv("ES_SUMMARY_CACHE", before); }
};

} // namespace

TEST_CASE("Tools > Clear Cache shows the cache's size and clears it off the GUI thread", "[cache]")
{
    CacheFile cache;
    {
        SummaryCache c(cache.path);
        c.reset(QStringLiteral("sqlite|/s"), { QStringLiteral("fp"), 10, QStringLiteral("id") });
        REQUIRE(c.put(
            QStringLiteral("sqlite|/s"), QStringLiteral("fp"), QStringLiteral("k"), { 10, QByteArray(100000, 'x') }));
    }
    QWidget window;
    CacheController controller(&window);
    QAction* action = controller.clearAction();
    action->hover();
    CHECK(CacheController::cacheBytes() > 0);
    CHECK(action->text().startsWith(QStringLiteral("Clear &Cache (")));
    QSignalSpy cleared(&controller, &CacheController::cleared);
    controller.clearNow();
    CHECK_FALSE(action->isEnabled());
    REQUIRE(cleared.wait(10000));
    CHECK(cleared.front().at(0).toString().startsWith(QStringLiteral("Summary cache cleared")));
    CHECK(action->isEnabled());
    CHECK(SummaryCache(cache.path).stats().entries == 0);
}

TEST_CASE("main window: a store counted before shows its estimate, then the exact count from the cache; the stream "
          "browser's category counts say they are estimated, then come exact from the cache",
    "[cache]")
{
    CacheFile cache;
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("large.sqlite"));
    writeSampleStore(path, SampleOptions { 100000, 3, QStringLiteral("emmett") });
    for (int open = 0; open < 2; ++open) {
        INFO("open " << open);
        MainWindow window;
        QSignalSpy estimated(&window, &MainWindow::storeEstimated);
        QSignalSpy counted(&window, &MainWindow::storeCounted);
        auto* browser = window.findChild<StreamBrowser*>();
        REQUIRE(browser);
        auto* status = browser->findChild<QLabel*>(QStringLiteral("streamStatus"));
        REQUIRE(status);
        std::vector<bool> categoryCounts; // estimated or not, each time the category counts changed
        QStringList statusTexts;
        QObject::connect(browser->model(), &StreamTreeModel::countsChanged, browser, [&](bool e) {
            categoryCounts.push_back(e);
            statusTexts << (status->isVisibleTo(browser) ? status->text() : QString());
        });
        window.openStore(path);
        REQUIRE(waitFor([&] { return counted.count() == 1; }, 60000));
        REQUIRE(estimated.count() == 1);
        CHECK(estimated.front().at(0).value<StoreInfo>().eventCountEstimated);
        CHECK(counted.front().at(0).value<StoreInfo>().eventCount == 100000);
        CHECK_FALSE(window.statusText().contains(QStringLiteral("estimated")));
        REQUIRE(waitFor(
            [&] { return !categoryCounts.empty() && !categoryCounts.back() && !browser->model()->isCounting(); },
            60000));
        if (open == 0) {
            REQUIRE(categoryCounts == std::vector<bool> { true, false });
            CHECK(statusTexts.front().contains(QStringLiteral("estimated")));
        } else {
            CHECK(categoryCounts == std::vector<bool> { false });
        }
        CHECK_FALSE((status->isVisibleTo(browser) && status->text().contains(QStringLiteral("estimated"))));
        CHECK(browser->model()->rowCount() > 0);
    }
    CHECK(SummaryCache(cache.path).stats().entries >= 1);
}
