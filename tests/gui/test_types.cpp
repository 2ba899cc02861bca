#include <catch2/catch.hpp>

#include "catalog/typecatalogmodel.h"
#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"
#include "typesview.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QLineEdit>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

// Registered changes shape at 4 (name -> firstName); data.zip a number until 4, a string at 5.
void writeStore(const QString& path)
{
    using M = EmmettWriter::Message;
    EmmettWriter w(path);
    w.append(QStringLiteral("customer-1"), { M { QStringLiteral("Registered"), R"({"name":"A","zip":1})" } });
    w.append(QStringLiteral("ping-1"), { M { QStringLiteral("Pinged"), R"({"n":1})" } });
    w.append(QStringLiteral("customer-2"), { M { QStringLiteral("Registered"), R"({"name":"B","zip":2})" } });
    w.append(QStringLiteral("customer-3"), { M { QStringLiteral("Registered"), R"({"firstName":"C","zip":3})" } });
    w.append(QStringLiteral("customer-4"), { M { QStringLiteral("Registered"), R"({"firstName":"D","zip":"4"})" } });
}

QModelIndex childNamed(const QAbstractItemModel& model, const QModelIndex& parent, const QString& name)
{
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        if (i.data().toString() == name)
            return i;
    }
    return {};
}

} // namespace

TEST_CASE("types view: the catalog as a tree, labelled exact, a drift flag opens its events", "[gui][catalog]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = tempPath(dir, QStringLiteral("types.sqlite"));
    writeStore(path);
    StoreSession session(StoreOpener { path, {} });
    TypesView view;
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    view.setSession(&session);
    view.show(); // reads when shown
    REQUIRE(waitFor([&] { return view.model()->catalog() && view.model()->catalog()->countsExact; }, Timeout));
    REQUIRE(waitFor([&] { return !session.isBusy(); }, Timeout));

    const QAbstractItemModel& model = *view.tree()->model();
    REQUIRE(model.rowCount() == 2);
    const QModelIndex reg = childNamed(model, {}, QStringLiteral("Registered"));
    REQUIRE(reg.isValid());
    CHECK(reg.siblingAtColumn(TypeCatalogModel::CountColumn).data().toString() == QLatin1String("4"));
    CHECK(reg.siblingAtColumn(TypeCatalogModel::DetailColumn)
              .data()
              .toString()
              .startsWith(QLatin1String("counts exact; fields exact; 4 drift flag")));
    CHECK(view.statusText().contains(QLatin1String("all exact")));
    const QModelIndex fields = childNamed(model, reg, QStringLiteral("Fields (6)"));
    REQUIRE(fields.isValid());
    const QModelIndex zip = childNamed(model, fields, QStringLiteral("data.zip"));
    REQUIRE(zip.isValid());
    CHECK(zip.siblingAtColumn(TypeCatalogModel::DetailColumn)
              .data()
              .toString()
              .startsWith(QLatin1String("number 3 (1-4), string 1 (5-5); 1 to 3; length 1-1")));
    const QModelIndex shapes = childNamed(model, reg, QStringLiteral("Shapes (2)"));
    REQUIRE(shapes.isValid());
    CHECK(model.index(1, 0, shapes).data().toString() == QLatin1String("{firstName, zip}"));
    const QModelIndex drift = childNamed(model, reg, QStringLiteral("Drift (4)"));
    REQUIRE(drift.isValid());
    CHECK(model.index(0, 0, drift).data().toString() == QLatin1String("fieldVanished")); // by position
    const QModelIndex appeared = childNamed(model, drift, QStringLiteral("fieldAppeared"));
    REQUIRE(appeared.isValid());

    QSignalSpy open(&view, &TypesView::openRequested);
    Q_EMIT view.tree()->activated(appeared);
    REQUIRE(open.count() == 1);
    CHECK(open.at(0).at(0).toString() == QLatin1String("Registered"));
    CHECK(open.at(0).at(1).toString() == QLatin1String("data.firstName exists"));
    CHECK(open.at(0).at(2).toLongLong() == 4);
    Q_EMIT view.tree()->activated(model.index(0, 0, shapes));
    REQUIRE(open.count() == 2);
    CHECK(open.at(1).at(1).toString().isEmpty());
    CHECK(open.at(1).at(2).toLongLong() == 1);

    view.setSession(nullptr);
    CHECK(model.rowCount() == 0);
}

TEST_CASE("main window: the Types dock in the View menu filters the log at a flag", "[gui][catalog]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = tempPath(dir, QStringLiteral("types.sqlite"));
    writeStore(path);
    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    TypesView* types = window.typesView();
    REQUIRE(types);
    auto* dock = qobject_cast<QDockWidget*>(types->parentWidget());
    REQUIRE(dock);
    bool inViewMenu = false;
    for (QAction* menu : window.menuBar()->actions()) {
        if (menu->menu() && menu->menu()->actions().contains(dock->toggleViewAction()))
            inViewMenu = true;
    }
    CHECK(inViewMenu);
    dock->toggleViewAction()->trigger();
    REQUIRE(waitFor([&] { return types->model()->catalog() && types->model()->catalog()->countsExact; }, Timeout));

    Q_EMIT types->openRequested(QStringLiteral("Registered"), QStringLiteral("data.firstName exists"), 4);
    CHECK(window.eventView()->filterBar()->typesEdit()->text() == QLatin1String("Registered"));
    CHECK(window.eventView()->filterBar()->query() == QLatin1String("data.firstName exists"));
    REQUIRE(waitFor(
        [&] {
            const auto e = window.eventView()->currentEvent();
            return e && e->position == 4;
        },
        Timeout));
    window.closeStore();
    CHECK(types->model()->rowCount() == 0);
}
