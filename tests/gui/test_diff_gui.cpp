#include <catch2/catch.hpp>

#include "casecontroller.h"
#include "core/test_sqlite_support.h"
#include "diff/diffmodels.h"
#include "diffwindow.h"
#include "eventview.h"
#include "mainwindow.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QDockWidget>
#include <QFile>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

void writeStore(const QString& path)
{
    using M = EmmettWriter::Message;
    EmmettWriter w(path);
    w.append(QStringLiteral("account-1"), { M { QStringLiteral("Opened"), R"({"owner":"ann"})" } });
    w.append(QStringLiteral("account-2"), { M { QStringLiteral("Opened"), R"({"owner":"bob"})" } });
    w.append(QStringLiteral("account-1"), { M { QStringLiteral("Deposited"), R"({"amount":10})" } });
    w.append(QStringLiteral("account-3"), { M { QStringLiteral("Opened"), R"({"owner":"cy"})" } });
}

} // namespace

TEST_CASE("diff window: counts per stream, the changes, and both sides of one", "[gui][diff]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString a = tempPath(dir, QStringLiteral("a.sqlite"));
    writeStore(a);
    const QString b = tempPath(dir, QStringLiteral("b.sqlite"));
    REQUIRE(QFile::copy(a, b));
    {
        Db db(b);
        db.exec(QStringLiteral("UPDATE emt_messages SET message_data = '{\"amount\":12}' WHERE message_id = ?"),
            { QStringLiteral("account-1-msg-2") });
        db.exec(QStringLiteral("DELETE FROM emt_messages WHERE message_id = ?"), { QStringLiteral("account-3-msg-1") });
    }
    StoreSession session(StoreOpener { a, {} });
    DiffWindow window(&session);
    QAbstractItemModelTester changesTester(
        const_cast<DiffChangesModel*>(window.changes()), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester streamsTester(
        const_cast<DiffStreamsModel*>(window.streams()), QAbstractItemModelTester::FailureReportingMode::Fatal);
    window.show();
    QSignalSpy ended(&window, &DiffWindow::diffEnded);
    window.setOther(b);
    window.start();
    CHECK(window.isRunning());
    REQUIRE(ended.wait(Timeout));
    CHECK(ended.at(0).at(0).toBool());
    REQUIRE(window.changes()->rowCount() == 2);
    REQUIRE(window.streams()->rowCount() == 2);
    const DiffChange* first = window.changes()->change(0);
    REQUIRE(first);
    CHECK(first->kind == DiffChange::Kind::Changed);
    CHECK(first->paths == QStringList { QStringLiteral("data.amount") });
    // The first change is shown side by side, the differing line marked on both sides.
    const QList<QPlainTextEdit*> sides = window.findChildren<QPlainTextEdit*>();
    REQUIRE(sides.size() == 2);
    for (QPlainTextEdit* side : sides) {
        CHECK(side->toPlainText().contains(QLatin1String("\"amount\"")));
        CHECK(side->extraSelections().size() == 1);
    }

    // ES_SCREENSHOT_DIR=docs makes docs/diff.png of this window (run under xvfb-run for real fonts).
    if (const QString shots = qEnvironmentVariable("ES_SCREENSHOT_DIR"); !shots.isEmpty()) {
        window.resize(1400, 820);
        QCoreApplication::processEvents();
        CHECK(window.grab().save(shots + QStringLiteral("/diff.png")));
    }

    // Choosing a stream keeps its changes.
    QTableView* streamTable = nullptr;
    for (QTableView* table : window.findChildren<QTableView*>()) {
        if (table->model() == window.streams())
            streamTable = table;
    }
    REQUIRE(streamTable);
    for (int r = 0; r < window.streams()->rowCount(); ++r) {
        if (window.streams()->stream(r) == QLatin1String("account-3"))
            streamTable->selectRow(r);
    }
    REQUIRE(window.changes()->rowCount() == 1);
    CHECK(window.changes()->change(0)->kind == DiffChange::Kind::Removed);

    // A scope of one stream with no differences.
    window.setScope(1, QStringLiteral("account-2"));
    window.start();
    REQUIRE(ended.wait(Timeout));
    CHECK(window.changes()->rowCount() == 0);
    CHECK(window.streams()->rowCount() == 0);

    // Two streams of this store (no second store named): paired by version, names and ids left aside.
    window.setOther({});
    window.setScope(3, QStringLiteral("account-1"), QStringLiteral("account-1"));
    window.start();
    REQUIRE(ended.wait(Timeout));
    CHECK(ended.last().at(0).toBool());
    CHECK(window.changes()->rowCount() == 0);
    window.setScope(3, QStringLiteral("account-1"), QStringLiteral("account-2"));
    window.start();
    REQUIRE(ended.wait(Timeout));
    REQUIRE(window.changes()->rowCount() > 0);
    for (int r = 0; r < window.changes()->rowCount(); ++r) {
        CHECK_FALSE(window.changes()->change(r)->paths.contains(QStringLiteral("id")));
        CHECK_FALSE(window.changes()->change(r)->paths.contains(QStringLiteral("stream")));
    }
}

TEST_CASE("main window: Save Case writes a case file; opening it lists its places and jumps to one", "[gui][casefile]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString store = tempPath(dir, QStringLiteral("store.sqlite"));
    writeStore(store);
    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(store);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    CaseController* cases = window.caseController();
    REQUIRE(cases);
    CHECK_FALSE(cases->dock()->isVisible());

    CaseOptions options;
    options.path = dir.filePath(QStringLiteral("case.sqlite"));
    options.contents.title = QStringLiteral("Deposits");
    options.contents.places.push_back(
        { QStringLiteral("event"), 3, QStringLiteral("account-1"), 2, {}, QStringLiteral("the deposit") });
    QSignalSpy saved(cases, &CaseController::caseSaved);
    cases->saveCase(options);
    REQUIRE(saved.wait(Timeout));
    CHECK(saved.at(0).at(0).value<ExportResult>().events == 4);

    QSignalSpy shown(cases, &CaseController::placesShown);
    window.openStore(options.path);
    REQUIRE(waitFor([&] { return opened.count() == 2; }, Timeout));
    REQUIRE(waitFor([&] { return shown.count() == 1; }, Timeout));
    CHECK(shown.at(0).at(0).toInt() == 1);
    CHECK(cases->dock()->isVisible());
    CHECK(cases->dock()->windowTitle() == QLatin1String("Case: Deposits"));
    auto* list = cases->dock()->findChild<QListWidget*>();
    REQUIRE(list);
    REQUIRE(list->count() == 1);
    CHECK(list->item(0)->text().contains(QLatin1String("the deposit")));
    Q_EMIT list->itemActivated(list->item(0));
    REQUIRE(waitFor(
        [&] {
            const auto e = window.eventView()->currentEvent();
            return e && e->position == 3;
        },
        Timeout));
}
