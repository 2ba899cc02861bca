#include <catch2/catch.hpp>

#include "core/test_flow_support.h"
#include "eventview.h"
#include "flowcontroller.h"
#include "flowscene.h"
#include "flowsview.h"
#include "flowwindow.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

int nodeItems(QGraphicsScene* scene)
{
    int n = 0;
    for (QGraphicsItem* item : scene->items()) {
        if (item->data(FlowNodeKey).isValid())
            ++n;
    }
    return n;
}

} // namespace

TEST_CASE("flow window: graph and swimlanes of one flow, exported as SVG, PNG, Mermaid and DOT", "[gui][flow]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    StoreSession session(StoreOpener { path, {} });
    FlowWindow window;
    window.setSession(&session);
    QSignalSpy finished(&window, &FlowWindow::finished);
    FlowRequest request;
    request.position = 2;
    window.open(request);
    REQUIRE(finished.wait(Timeout));
    REQUIRE(window.flow().has_value());
    CHECK(window.flow()->eventCount() == 5);
    CHECK(nodeItems(window.graphScene()) == 6); // five events and the command id as a placeholder
    CHECK(nodeItems(window.laneScene()) == 6);
    INFO("status: " << window.statusText().toStdString());
    CHECK(window.statusText().contains(QLatin1String("5 event(s)")));
    CHECK(window.statusText().contains(QStringLiteral("slowest step: MoneyDeposited → TransferCompleted, 3.0 s")));
    // A store this small has no index on its correlation keys: the lookups read the whole log, and say so.
    CHECK(window.statusText().contains(QStringLiteral("unindexed lookups read positions 1–15")));
    CHECK(window.statusText().contains(QLatin1String(": the whole log")));
    CHECK(window.windowTitle() == QLatin1String("Flow corr-1"));

    for (const char* name : { "flow.svg", "flow.png", "flow.mmd", "flow.dot" }) {
        const QString file = dir.filePath(QString::fromUtf8(name));
        REQUIRE(window.exportTo(file));
        QFile f(file);
        REQUIRE(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        INFO(name);
        CHECK(bytes.size() > 100);
        if (file.endsWith(QLatin1String(".svg")))
            CHECK(bytes.contains("<svg"));
        if (file.endsWith(QLatin1String(".png")))
            CHECK(bytes.startsWith("\x89PNG"));
        if (file.endsWith(QLatin1String(".mmd")))
            CHECK(bytes.startsWith("flowchart LR"));
    }

    // By correlation id; a second request replaces the first.
    request = {};
    request.correlationId = QStringLiteral("corr-4");
    window.open(request);
    REQUIRE(finished.wait(Timeout));
    CHECK(window.flow()->eventCount() == 3);
    CHECK(window.statusText().contains(QLatin1String("whole log")));
}

TEST_CASE("flows view: variants and incomplete flows, activating one opens it", "[gui][flow]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    MainWindow main;
    main.openStore(path);
    FlowController* flows = main.flows();
    REQUIRE(flows);
    QSignalSpy done(flows->flowsView(), &FlowsView::finished);
    REQUIRE(waitFor([&] { return main.session() != nullptr; }, Timeout));
    flows->flowsView()->setStartType(QStringLiteral("TransferRequested"));
    // As the CLI test: incomplete once started 5 minutes before the newest event of the store.
    flows->flowsView()->findChild<QLineEdit*>(QStringLiteral("incompleteAfter"))->setText(QStringLiteral("5m"));
    flows->flowsView()->run();
    REQUIRE(done.wait(Timeout));
    QTreeWidget* variants = flows->flowsView()->variants();
    REQUIRE(variants->topLevelItemCount() == 3);
    CHECK(variants->topLevelItem(0)->text(0) == QLatin1String("2"));
    CHECK(variants->topLevelItem(0)->text(4)
        == QStringLiteral("TransferRequested → MoneyWithdrawn → MoneyDeposited → TransferCompleted"));
    CHECK(flows->flowsView()->incomplete()->topLevelItemCount() == 1); // as the CLI test finds with 5m
    // Activating the stuck transfer opens its flow.
    Q_EMIT flows->flowsView()->incomplete()->itemActivated(flows->flowsView()->incomplete()->topLevelItem(0), 0);
    REQUIRE(flows->window());
    QSignalSpy opened(flows->window(), &FlowWindow::finished);
    REQUIRE(opened.wait(Timeout));
    CHECK(flows->window()->flow()->correlationId == QLatin1String("corr-2"));

    // The event table's context menu offers the flow of its event.
    EventView* view = main.findChild<EventView*>();
    REQUIRE(view);
    REQUIRE(waitFor([&] { return view->model()->rowCount() == 15; }, Timeout));
    std::unique_ptr<QMenu> menu;
    REQUIRE(waitFor(
        [&] {
            menu.reset(view->createContextMenu(0, nullptr));
            return menu != nullptr;
        },
        Timeout));
    QAction* show = menu->findChild<QAction*>(QStringLiteral("showFlow"));
    REQUIRE(show);
    show->trigger();
    REQUIRE(opened.wait(Timeout));
    CHECK(flows->window()->flow()->correlationId == QLatin1String("corr-1"));
}
