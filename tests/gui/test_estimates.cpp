#include <catch2/catch.hpp>

#include "activity/activity.h"
#include "activityview.h"
#include "mainwindow.h"
#include "samplewriter.h"
#include "settings.h"
#include "sqlite/sqlitestore.h"
#include "store/storesession.h"
#include "streamsummary.h"
#include "testutils.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 60000;

// 100,000 events: enough positions for the sampled estimate (65,536 and more).
struct LargeStore {
    QTemporaryDir dir;
    QString path;
    LargeStore()
    {
        Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
        path = dir.filePath(QStringLiteral("large.sqlite"));
        writeSampleStore(path, SampleOptions { 100000, 3, QStringLiteral("emmett") });
    }
};

} // namespace

TEST_CASE("activity view: the estimate first, labelled, then the exact count replaces it", "[activity][estimate]")
{
    LargeStore store;
    StoreSession session(StoreOpener { store.path, {} });
    ActivityView view;
    view.resize(1000, 400);
    view.show();
    struct Shown {
        bool estimated;
        qint64 total;
        QString text;
        QString status;
        bool counting;
    };
    std::vector<Shown> shown;
    QObject::connect(&view, &ActivityView::updated, [&] {
        shown.push_back({ view.result().estimated(), view.result().histogram.total, view.bucketText(),
            view.statusText(), view.isCounting() });
    });
    view.setSession(&session);
    REQUIRE(waitFor([&] { return !shown.empty() && !view.isCounting(); }, Timeout));

    INFO("deliveries: " << shown.size() << "; first: estimated " << shown.front().estimated);
    // Two answers (the labelled estimate, then the count), or one when the summary cache already held the count
    // (an earlier start of the view, superseded, may have counted and cached it): exact at once, from the cache.
    REQUIRE(shown.size() <= 2);
    const Shown& first = shown.front();
    if (shown.size() == 1) {
        CHECK(view.result().cached);
    } else {
        CHECK(first.estimated);
        CHECK(first.counting);
        CHECK(first.text.contains(QStringLiteral("≈")));
        CHECK(first.text.contains(QStringLiteral("(estimated)")));
        CHECK(first.status.startsWith(QStringLiteral("estimated")));
        CHECK(std::abs(double(first.total) - 100000.0) / 100000.0 < 0.02);
    }
    const Shown& last = shown.back();
    CHECK_FALSE(last.estimated);
    CHECK(last.total == 100000);
    CHECK_FALSE(last.text.contains(QStringLiteral("estimated")));
    CHECK(view.bucketText().contains(QLocale().toString(qint64(100000))));
    CHECK(view.statusText().isEmpty());
    // A bar's tooltip says which it is.
    CHECK_FALSE(view.toolTipFor(0, 0).contains(QStringLiteral("Estimated")));

    // A refresh of a shown chart goes straight to the count.
    shown.clear();
    view.refresh();
    REQUIRE(waitFor([&] { return !shown.empty() && !view.isCounting(); }, Timeout));
    QTest::qWait(100);
    REQUIRE(shown.size() == 1);
    CHECK_FALSE(shown.front().estimated);
}

TEST_CASE("main window: the event count is estimated first, then counted", "[estimate]")
{
    LargeStore store;
    MainWindow window;
    window.show();
    QSignalSpy estimated(&window, &MainWindow::storeEstimated);
    QSignalSpy counted(&window, &MainWindow::storeCounted);
    QStringList labels;
    QObject::connect(&window, &MainWindow::storeEstimated, [&] { labels.append(window.statusText()); });
    window.openStore(store.path);
    REQUIRE(waitFor([&] { return counted.count() == 1; }, Timeout));
    REQUIRE(estimated.count() == 1);
    const auto first = estimated.front().at(0).value<StoreInfo>();
    CHECK(first.eventCountEstimated);
    CHECK(std::abs(double(first.eventCount) - 100000.0) / 100000.0 < 0.02);
    REQUIRE(labels.size() == 1);
    CHECK(labels.front().contains(QStringLiteral("(estimated)")));
    CHECK_FALSE(window.storeInfo().eventCountEstimated);
    CHECK(window.storeInfo().eventCount == 100000);
    CHECK_FALSE(window.statusText().contains(QStringLiteral("estimated")));
}

TEST_CASE("scope summary: a new scope's count is estimated first, then counted", "[estimate]")
{
    LargeStore store;
    StoreSession session(StoreOpener { store.path, {} });
    StreamSummary summary;
    summary.show();
    QStringList shownEstimates;
    QObject::connect(&summary, &StreamSummary::estimated, [&] { shownEstimates.append(summary.countText()); });
    summary.setSession(&session);
    summary.setScope(ViewScope::category(QStringLiteral("order")));
    REQUIRE(waitFor([&] { return summary.hasSummary() && !summary.isCounting(); }, Timeout));
    REQUIRE(shownEstimates.size() >= 1);
    CHECK(shownEstimates.back().contains(QStringLiteral("(estimated)")));
    CHECK(shownEstimates.back().startsWith(QStringLiteral("≈ ")));
    auto direct = SqliteStore::open(store.path);
    EventFilter orders;
    orders.category = QStringLiteral("order");
    const qint64 exact = direct->scopeStats(orders).count;
    CHECK(summary.summary().count == exact);
    CHECK_FALSE(summary.countText().contains(QStringLiteral("estimated")));

    // Refreshing the scope shown keeps its figures: no estimate.
    const int before = int(shownEstimates.size());
    const int applied = summary.summariesApplied();
    summary.refresh();
    REQUIRE(waitFor([&] { return summary.summariesApplied() > applied && !summary.isCounting(); }, Timeout));
    CHECK(int(shownEstimates.size()) == before);
}
