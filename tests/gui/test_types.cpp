#include <catch2/catch.hpp>

#include "catalog/typecatalogmodel.h"
#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"
#include "typespanels.h"
#include "typesview.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

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

// One e-mail address in two streams, for the values panel.
void writeEmails(const QString& path)
{
    using M = EmmettWriter::Message;
    EmmettWriter w(path);
    w.append(QStringLiteral("customer-1"),
        { M { QStringLiteral("Registered"), R"({"name":"A","email":"same@x.io"})", {},
            QStringLiteral("2024-05-01 10:00:00") } });
    w.append(QStringLiteral("customer-2"),
        { M { QStringLiteral("Registered"), R"({"name":"B","email":"b@x.io"})", {},
            QStringLiteral("2024-05-01 11:00:00") } });
    w.append(QStringLiteral("customer-3"),
        { M { QStringLiteral("Registered"), R"({"firstName":"C","email":"same@x.io"})", {},
            QStringLiteral("2024-05-01 12:00:00") } });
    w.append(QStringLiteral("ping-1"),
        { M { QStringLiteral("Pinged"), R"({"n":1})", {}, QStringLiteral("2024-05-01 13:00:00") } });
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
    // A field that appeared opens exactly the events without it (the filter's missing condition), from the first.
    CHECK(open.at(0).at(1).toString() == QLatin1String("data.firstName missing"));
    CHECK(open.at(0).at(2).toLongLong() == 1);
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

TEST_CASE("types view: sparklines, shapes on a time axis, values with duplicates, reducer coverage", "[gui][catalog]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = tempPath(dir, QStringLiteral("emails.sqlite"));
    writeEmails(path);
    StoreSession session(StoreOpener { path, {} });
    TypesView view;
    view.resize(1000, 700);
    view.setSession(&session);
    view.show();
    REQUIRE(waitFor([&] { return view.model()->catalog() && view.model()->catalog()->fieldsExact; }, Timeout));
    const QAbstractItemModel& model = *view.tree()->model();
    const QModelIndex reg = childNamed(model, {}, QStringLiteral("Registered"));
    REQUIRE(reg.isValid());

    // The rate over time: every bucket of the span, the type's events in them.
    const QVariantList rate
        = reg.siblingAtColumn(TypeCatalogModel::RateColumn).data(TypeCatalogModel::RateRole).toList();
    REQUIRE(rate.size() >= 2);
    qint64 sum = 0;
    for (const QVariant& v : rate)
        sum += v.toLongLong();
    CHECK(sum == 3);

    // Selecting the type draws its shapes; a click on the second bar opens its first event.
    view.tree()->setCurrentIndex(reg);
    QSignalSpy open(&view, &TypesView::openRequested);
    const QRect bar = view.shapes()->barRect(1);
    REQUIRE(bar.isValid());
    QTest::mouseClick(view.shapes(), Qt::LeftButton, {}, bar.center());
    REQUIRE(open.count() == 1);
    CHECK(open.at(0).at(0).toString() == QLatin1String("Registered"));
    CHECK(open.at(0).at(2).toLongLong() == 3);

    // Values of data.email: selecting the field fills the path; duplicates across streams keep one value.
    const QModelIndex fields = childNamed(model, reg, QStringLiteral("Fields (6)"));
    REQUIRE(fields.isValid());
    const QModelIndex email = childNamed(model, fields, QStringLiteral("data.email"));
    REQUIRE(email.isValid());
    view.tree()->setCurrentIndex(email);
    view.values()->setDuplicatesOnly(true);
    REQUIRE(waitFor([&] { return view.values()->tree()->topLevelItemCount() == 1; }, Timeout));
    QTreeWidgetItem* dup = view.values()->tree()->topLevelItem(0);
    CHECK(dup->text(0) == QLatin1String("\"same@x.io\""));
    CHECK(dup->text(1) == QLatin1String("2"));
    CHECK(dup->text(2) == QLatin1String("customer-1, customer-3"));
    Q_EMIT view.values()->tree()->itemActivated(dup, 0);
    REQUIRE(open.count() == 2);
    CHECK(open.at(1).at(1).toString() == QLatin1String("data.email = \"same@x.io\""));

    // Coverage of a JavaScript reducer: Registered read for data.name, which the third event lacks; Pinged ignored.
    const QString reducer = dir.filePath(QStringLiteral("customers.js"));
    QFile f(reducer);
    REQUIRE(f.open(QIODevice::WriteOnly));
    f.write("fromAll().when({ $init: () => ({ n: [] }), Registered: (s, e) => { s.n.push(e.data.name); } });\n");
    f.close();
    view.panels()->setCurrentWidget(view.coverage());
    view.coverage()->setReducer(reducer);
    REQUIRE(waitFor([&] { return view.coverage()->tree()->topLevelItemCount() == 2; }, Timeout));
    QTreeWidgetItem* pinged = view.coverage()->tree()->topLevelItem(0);
    QTreeWidgetItem* registered = view.coverage()->tree()->topLevelItem(1);
    CHECK(pinged->text(1) == QLatin1String("ignored"));
    CHECK(registered->text(1) == QLatin1String("Registered"));
    CHECK(registered->text(2) == QLatin1String("data.name"));
    REQUIRE(registered->childCount() == 1);
    CHECK(registered->child(0)->text(3)
        == QLatin1String("the reducer reads data.name; 1 Registered event since position 3 has no data.name"));
    Q_EMIT view.coverage()->tree()->itemActivated(registered->child(0), 0);
    REQUIRE(open.count() == 3);
    CHECK(open.at(2).at(2).toLongLong() == 3);
    CHECK(view.coverage()->statusText().contains(QLatin1String("handles 1 of 2 types")));

    // Merge handles every type.
    view.coverage()->setReducer(QStringLiteral("merge"));
    REQUIRE(waitFor(
        [&] {
            return view.coverage()->tree()->topLevelItemCount() == 2
                && view.coverage()->statusText().contains(QLatin1String("handles 2 of 2"));
        },
        Timeout));
    view.setSession(nullptr);
}
