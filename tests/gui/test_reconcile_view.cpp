#include <catch2/catch.hpp>

#include "core/test_reconcile_support.h"
#include "mainwindow.h"
#include "reconcile/reconcilemodel.h"
#include "reconcileview.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"
#include "timetravelwindow.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

} // namespace

TEST_CASE("reconcile view: suggested mapping, rows as they arrive, filter, side by side, time travel, export",
    "[gui][reconcile]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    EmmettAccounts fixture;
    StoreSession session(StoreOpener { fixture.path, {} });
    ReconcileView view;
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester proxyTester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy tables(&view, &ReconcileView::tablesLoaded);
    view.setSession(&session);
    REQUIRE(tables.wait(Timeout));
    view.setReducer(QStringLiteral(":/reducers/accounts.js"));
    view.setScope(QStringLiteral("account"));
    view.setTable(QStringLiteral("account_summaries"), QStringLiteral("id"));
    view.setCheckpoint(QStringLiteral("account-summaries"));

    QSignalSpy suggested(&view, &ReconcileView::suggested);
    view.suggest();
    REQUIRE(suggested.wait(Timeout));
    std::vector<ColumnMapping> mapping = view.mappings();
    auto pathOf = [&](const QString& column) {
        for (const ColumnMapping& m : mapping) {
            if (m.column == column)
                return m.path;
        }
        return QString();
    };
    CHECK(pathOf(QStringLiteral("owner")) == QStringLiteral("owner"));
    CHECK(pathOf(QStringLiteral("opened_at")) == QStringLiteral("openedAt"));
    CHECK(pathOf(QStringLiteral("balance")) == QStringLiteral("balance"));
    CHECK(pathOf(QStringLiteral("closed_at")).isEmpty()); // no such path in the state: left for the user
    mapping.push_back({ QStringLiteral("closed_at"), QStringLiteral("closedAt") });
    view.setMappings(mapping);

    QSignalSpy finished(&view, &ReconcileView::finished);
    view.run();
    REQUIRE(finished.wait(Timeout));
    const auto summary = finished.first().first().value<ReconcileSummary>();
    CHECK(summary.problems() == 6);
    REQUIRE(view.model()->rowCount() == 7);

    view.setStatusFilter(QStringLiteral("differs"));
    REQUIRE(view.proxy()->rowCount() == 2);
    view.table()->sortByColumn(ReconcileModel::KeyColumn, Qt::AscendingOrder);
    view.selectRow(0);
    CHECK(view.proxy()->index(0, ReconcileModel::KeyColumn).data().toString() == QStringLiteral("account-2"));
    CHECK(view.proxy()->index(0, ReconcileModel::MatchColumn).data().toString()
        == QStringLiteral("matches version 3 of 5"));
    REQUIRE(view.details()->rowCount() == 2);
    CHECK(view.details()->item(0, 0)->text() == QStringLiteral("balance"));
    CHECK(view.details()->item(0, 1)->text() == QStringLiteral("150"));
    CHECK(view.details()->item(0, 2)->text() == QStringLiteral("180"));

    QSignalSpy travel(&view, &ReconcileView::timeTravelRequested);
    Q_EMIT view.table()->activated(view.proxy()->index(0, 0));
    REQUIRE(travel.size() == 1);
    CHECK(travel.first().at(0).toString() == QStringLiteral("account-2"));
    CHECK(travel.first().at(1).toLongLong() == 3);

    view.setStatusFilter(QStringLiteral("stale"));
    CHECK(view.proxy()->rowCount() == 2);
    view.setStatusFilter(QString());
    CHECK(view.proxy()->rowCount() == 7);

    const QString jsonl = dir.filePath(QStringLiteral("report.jsonl"));
    const QString csv = dir.filePath(QStringLiteral("report.csv"));
    REQUIRE(view.exportTo(jsonl));
    REQUIRE(view.exportTo(csv));
    QFile lines(jsonl);
    REQUIRE(lines.open(QIODevice::ReadOnly));
    const QList<QByteArray> jsonLines = lines.readAll().trimmed().split('\n');
    CHECK(jsonLines.size() == 7);
    for (const QByteArray& line : jsonLines)
        CHECK(QJsonDocument::fromJson(line).isObject());
    QFile table(csv);
    REQUIRE(table.open(QIODevice::ReadOnly));
    const QByteArray text = table.readAll();
    CHECK(
        text.startsWith("key,stream,status,matchesVersion,matchesPosition,lastVersion,column,table,replayed,note\r\n"));
    CHECK(text.contains("account-2,account-2,differs,3,8,5,balance,150,180,\r\n"));
}

TEST_CASE("reconcile view: cancel stops a run", "[gui][reconcile]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    EmmettAccounts fixture;
    StoreSession session(StoreOpener { fixture.path, {} });
    ReconcileView view;
    view.setSession(&session);
    view.setReducer(QStringLiteral("merge"));
    view.setScope(QStringLiteral("account"));
    view.setTable(QStringLiteral("account_summaries"), QStringLiteral("id"));
    view.setMappings({ { QStringLiteral("owner"), QStringLiteral("owner") } });
    QSignalSpy finished(&view, &ReconcileView::finished);
    view.run();
    view.cancel();
    CHECK_FALSE(finished.wait(500));
    CHECK(view.statusText().startsWith(QLatin1String("Cancelled")));
}

TEST_CASE("main window: the Reconcile dock opens time travel at the matching version", "[gui][reconcile]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    EmmettAccounts fixture;
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(fixture.path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    ReconcileView* view = window.reconcileView();
    REQUIRE(view);
    auto* dock = qobject_cast<QDockWidget*>(view->parentWidget());
    REQUIRE(dock);
    bool inViewMenu = false;
    for (QAction* menu : window.menuBar()->actions()) {
        if (menu->menu() && menu->menu()->actions().contains(dock->toggleViewAction()))
            inViewMenu = true;
    }
    CHECK(inViewMenu);
    dock->toggleViewAction()->trigger();
    view->setReducer(QStringLiteral(":/reducers/accounts.js"));
    view->setScope(QStringLiteral("account"));
    view->setTable(QStringLiteral("account_summaries"), QStringLiteral("id"));
    view->setCheckpoint(QStringLiteral("account-summaries"));
    view->setMappings({ { QStringLiteral("owner"), QStringLiteral("owner") },
        { QStringLiteral("balance"), QStringLiteral("balance") },
        { QStringLiteral("transactions"), QStringLiteral("transactions") },
        { QStringLiteral("opened_at"), QStringLiteral("openedAt") } });
    QSignalSpy finished(view, &ReconcileView::finished);
    view->run();
    REQUIRE(finished.wait(Timeout));
    CHECK(dock->toggleViewAction()->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    // A second connection by default; the checkbox keeps to one.
    CHECK(view->request().connections == 2);
    view->setSecondConnection(false);
    CHECK(view->request().connections == 1);
    view->setSecondConnection(true);
    // The summary has a line of its own under the buttons: readable however narrow the form is.
    CHECK(view->statusText().startsWith(QLatin1String("6 streams (27 events)")));
    QLabel* status = nullptr;
    for (QLabel* label : view->findChildren<QLabel*>()) {
        if (label->text() == view->statusText())
            status = label;
    }
    REQUIRE(status);
    CHECK(status->isVisible());
    CHECK(status->width() >= status->fontMetrics().horizontalAdvance(QStringLiteral("6 streams (27 events)")));
    view->table()->sortByColumn(ReconcileModel::KeyColumn, Qt::AscendingOrder);
    view->setStatusFilter(QStringLiteral("differs"));
    view->selectRow(0);
    const QString shot = qEnvironmentVariable("ES_RECONCILE_SCREENSHOT");
    if (!shot.isEmpty()) {
        dock->resize(dock->width(), 560);
        waitFor([] { return false; }, 500);
        window.grab().save(shot);
    }
    Q_EMIT view->table()->activated(view->proxy()->index(0, 0));
    TimeTravelWindow* travel = nullptr;
    REQUIRE(waitFor(
        [&] {
            const auto windows = window.findChildren<TimeTravelWindow*>();
            travel = windows.isEmpty() ? nullptr : windows.first();
            return travel != nullptr;
        },
        Timeout));
    REQUIRE(waitFor([&] { return travel->isReady() && travel->shownVersion() == 3; }, Timeout));
    CHECK(travel->cursorVersion() == 3);
    travel->close();
}
