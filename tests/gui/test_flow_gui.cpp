#include <catch2/catch.hpp>

#include "core/test_flow_support.h"
#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "flowcontroller.h"
#include "flowscene.h"
#include "flowsview.h"
#include "flowwindow.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "settings.h"
#include "store/storeregistry.h"
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

TEST_CASE("flow window: where the budget runs out first, the flow so far is shown and then completed", "[gui][flow]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = tempPath(dir, QStringLiteral("spread.sqlite"));
    {
        // The flow's two events 20,001 positions apart, other traffic between them.
        EmmettWriter w(path);
        w.append(QStringLiteral("transfer-1"), { { QStringLiteral("TransferRequested"), R"({"n":1})" } },
            QStringLiteral("corr-far"), QStringLiteral("cmd-1"));
        for (int batch = 0; batch < 20; ++batch) {
            std::vector<EmmettWriter::Message> filler(1000, { QStringLiteral("Ticked"), R"({"n":1})" });
            w.append(QStringLiteral("filler-%1").arg(batch), filler);
        }
        w.append(QStringLiteral("transfer-1"), { { QStringLiteral("TransferCompleted"), R"({"n":1})" } },
            QStringLiteral("corr-far"), QStringLiteral("cmd-2"));
    }
    StoreSession session(StoreOpener { path, {} });
    FlowWindow window;
    window.setSession(&session);
    QSignalSpy finished(&window, &FlowWindow::finished);
    int partialEvents = -1;
    QString partialStatus;
    QObject::connect(&window, &FlowWindow::partialShown, &window, [&] {
        partialEvents = window.flow()->eventCount();
        partialStatus = window.statusText();
    });
    FlowRequest request;
    request.position = 20002;
    request.budgetMs = 1; // the first chunk on each side (± 8192), then the first answer
    window.open(request);
    REQUIRE(finished.wait(Timeout));
    CHECK(partialEvents == 1);
    INFO("status then: " << partialStatus.toStdString());
    CHECK(partialStatus.contains(QLatin1String("reading further")));
    REQUIRE(window.flow().has_value());
    CHECK_FALSE(window.flow()->scan.partial);
    CHECK(window.flow()->eventCount() == 2);
    CHECK(window.flow()->scan.firstAnswerEvents == 1);
    CHECK_FALSE(window.statusText().contains(QLatin1String("reading further")));
}

TEST_CASE("inspector: Commanded's \"same correlation id\" link reads the column, through the flow", "[gui][flow][pg]")
{
    ES_REQUIRE_PG("Commanded correlation link test")
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    PgTestDatabase db(
        QStringLiteral("flowlinkcmd"), { QStringLiteral("commanded.sql"), QStringLiteral("flows_commanded.sql") });
    MainWindow main;
    QSignalSpy opened(&main, &MainWindow::storeOpened);
    main.openStore(db.address());
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    auto reader = StoreRegistry::open(db.address());
    EventQuery q;
    q.from = 7;
    q.limit = 1;
    const Event withdrawn = reader->events(q).events.at(0);
    REQUIRE(withdrawn.correlationId == QLatin1String("d1000000-0000-4000-8000-000000000001"));

    main.showCorrelated(withdrawn);
    FlowWindow* window = main.flows()->window();
    REQUIRE(window);
    REQUIRE(waitFor([&] { return !window->isRunning() && window->flow().has_value(); }, Timeout));
    CHECK(window->flow()->correlationId == withdrawn.correlationId);
    CHECK(window->flow()->eventCount() == 5); // the transfer's events, by the correlation_id column
    CHECK_FALSE(main.banner()->isVisible());
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
