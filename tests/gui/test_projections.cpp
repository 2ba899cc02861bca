#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "followcontroller.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "projectionsmodel.h"
#include "projectionsview.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QChart>
#include <QDoubleSpinBox>
#include <QLineSeries>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace es;
using namespace es::test;

namespace {

QString padded(qint64 position)
{
    return QStringLiteral("%1").arg(position, 19, 10, QLatin1Char('0'));
}

void storeProcessor(Db& db, const QString& id, const QString& checkpoint)
{
    db.exec(QStringLiteral("INSERT INTO emt_processors (processor_id, version, last_processed_checkpoint, partition, "
                           "processor_instance_id) VALUES (?, 1, ?, 'emt:default', 'i-1')"),
        { id, checkpoint });
}

EmmettWriter::Message event(const char* type)
{
    return { QString::fromLatin1(type), QByteArray("{}") };
}

} // namespace

TEST_CASE("projections view: polls checkpoints, colours statuses, charts lag, opens the first unprocessed event",
    "[gui][lag]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    EmmettWriter w(path, true);
    for (int i = 0; i < 5; ++i)
        w.append(QStringLiteral("order-%1").arg(i), { event("Placed"), event("Paid") });
    storeProcessor(w.db(), QStringLiteral("reports"), padded(4));
    storeProcessor(w.db(), QStringLiteral("mail"), padded(10));
    storeProcessor(w.db(), QStringLiteral("odd"), QStringLiteral("x1"));
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini"))); // the dock keeps its interval there

    ProjectionsView view;
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    CHECK(view.pollInterval() == Approx(2.0));
    view.setPollInterval(0.2);
    StoreSession session(StoreOpener { path, {} });
    view.setSession(&session);
    REQUIRE(waitFor([&] { return view.pollsDone() >= 2; }));

    ProjectionsModel* model = view.model();
    REQUIRE(model->rowCount() == 3);
    int reports = -1;
    int odd = -1;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QString name = model->index(r, ProjectionsModel::NameColumn).data().toString();
        if (name == QLatin1String("reports"))
            reports = r;
        if (name == QLatin1String("odd"))
            odd = r;
    }
    REQUIRE(reports >= 0);
    REQUIRE(odd >= 0);
    CHECK(model->index(reports, ProjectionsModel::LagEventsColumn).data().toString() == QLatin1String("6"));
    CHECK(model->index(odd, ProjectionsModel::StatusColumn).data(ProjectionsModel::StatusRole).toString()
        == QLatin1String("unparseable"));
    CHECK(model->index(odd, ProjectionsModel::StatusColumn).data(Qt::BackgroundRole).value<QColor>()
        == ProjectionsModel::statusColor(LagStatus::Unparseable));
    // Two series (the unparseable one has no lag to draw), each with a point per poll.
    REQUIRE(view.chart()->series().size() == 2);
    CHECK(qobject_cast<QLineSeries*>(view.chart()->series().front())->count() >= 2);

    // Raising the caught-up threshold turns the 6-event lag into caught up on the next poll.
    LagThresholds t = view.thresholds();
    t.caughtUpEvents = 100;
    view.setThresholds(t);
    const int polls = view.pollsDone();
    REQUIRE(waitFor([&] { return view.pollsDone() > polls; }));
    bool allCaughtUp = true;
    for (const LagRow& r : model->rows())
        allCaughtUp = allCaughtUp && (r.status == LagStatus::CaughtUp || r.name == QLatin1String("odd"));
    CHECK(allCaughtUp);

    QSignalSpy open(&view, &ProjectionsView::openRequested);
    for (int r = 0; r < view.table()->model()->rowCount(); ++r) {
        const QModelIndex index = view.table()->model()->index(r, 0);
        if (index.data().toString() == QLatin1String("reports")) {
            Q_EMIT view.table()->activated(index);
            REQUIRE(open.size() == 1);
            CHECK(open.front().at(1).toLongLong() == 5);
        }
    }
    view.setSession(nullptr);
    CHECK(model->rowCount() == 0);
}

TEST_CASE(
    "follow: the event table refreshes on a timer and stays pinned to the end unless scrolled away", "[gui][tail]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    EmmettWriter w(path, true);
    for (int i = 0; i < 100; ++i)
        w.append(QStringLiteral("order-%1").arg(i), { event("Placed") });

    StoreSession session(StoreOpener { path, {} });
    EventTableModel model;
    QTableView table;
    table.setModel(&model);
    table.resize(400, 200);
    table.show();
    model.setSession(&session);
    model.setFilter({});
    REQUIRE(waitFor([&] { return model.rowCount() == 100; }));

    FollowController follow(&table, &model);
    follow.setInterval(50);
    follow.action()->setChecked(true);
    CHECK(follow.isFollowing());
    QScrollBar* bar = table.verticalScrollBar();
    REQUIRE(waitFor([&] { return bar->maximum() > 0 && bar->value() == bar->maximum(); }));

    w.append(QStringLiteral("order-new"), { event("Placed"), event("Paid") });
    REQUIRE(waitFor([&] { return model.rowCount() == 102; }));
    REQUIRE(waitFor([&] { return bar->value() == bar->maximum(); }));
    CHECK(follow.isPinned());

    // The user scrolls away: new rows arrive but the view stays where the user put it.
    bar->setValue(0);
    CHECK_FALSE(follow.isPinned());
    w.append(QStringLiteral("order-new"), { event("Shipped") });
    REQUIRE(waitFor([&] { return model.rowCount() == 103; }));
    QTest::qWait(100);
    CHECK(bar->value() == 0);

    // Back at the end: pinned again.
    bar->setValue(bar->maximum());
    CHECK(follow.isPinned());
    follow.setFollowing(false);
    CHECK_FALSE(follow.action()->isChecked());
}

TEST_CASE("main window: the Projections dock polls the open store and opens the log at the first unprocessed event",
    "[gui][lag]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = tempPath(dir, QStringLiteral("store.sqlite"));
    {
        EmmettWriter w(path, true);
        for (int i = 0; i < 4; ++i)
            w.append(QStringLiteral("order-%1").arg(i), { event("Placed"), event("Paid"), event("Shipped") });
        storeProcessor(w.db(), QStringLiteral("reports"), padded(7));
    }
    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }));
    ProjectionsView* projections = window.projectionsView();
    REQUIRE(projections);
    REQUIRE(waitFor([&] { return projections->model()->rowCount() == 1; }));
    CHECK(projections->model()->rows().front().lagEvents == 5);
    REQUIRE(window.followController());
    CHECK_FALSE(window.followController()->isFollowing());

    EventFilter category;
    category.category = QStringLiteral("order");
    Q_EMIT projections->openRequested(category, 8);
    CHECK(window.eventView()->scope() == ViewScope::category(QStringLiteral("order")));
    REQUIRE(waitFor([&] {
        const auto e = window.eventView()->currentEvent();
        return e && e->position == 8;
    }));
    window.closeStore();
    CHECK(projections->model()->rowCount() == 0);
}

TEST_CASE("projections view: poll interval and thresholds persist in the settings, 2 s by default")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("projections.ini")));
    {
        ProjectionsView view;
        CHECK(view.pollInterval() == Approx(2.0));
        CHECK(view.thresholds().stallSeconds == Approx(LagThresholds {}.stallSeconds));
        auto* interval = view.findChild<QDoubleSpinBox*>(QStringLiteral("pollInterval"));
        auto* stall = view.findChild<QDoubleSpinBox*>(QStringLiteral("stallSeconds"));
        auto* caughtUp = view.findChild<QSpinBox*>(QStringLiteral("caughtUpEvents"));
        REQUIRE(interval);
        REQUIRE(stall);
        REQUIRE(caughtUp);
        interval->setValue(5.5);
        stall->setValue(12);
        caughtUp->setValue(3);
    }
    Settings::instance()->sync();
    Settings::useFile(dir.filePath(QStringLiteral("projections.ini")));
    ProjectionsView reopened;
    CHECK(reopened.pollInterval() == Approx(5.5));
    CHECK(reopened.thresholds().stallSeconds == Approx(12.0));
    CHECK(reopened.thresholds().caughtUpEvents == 3);
}
