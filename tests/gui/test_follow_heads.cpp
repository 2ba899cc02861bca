#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "followcontroller.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "settings.h"
#include "testutils.h"

#include <QLabel>
#include <QLocale>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

QString headLabel(const MainWindow& window)
{
    return window.statusText().section(QLatin1String(" | "), -1);
}

QString number(qint64 n)
{
    return QLocale().toString(n);
}

void openAndWait(MainWindow& window, const QString& address)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    QSignalSpy failed(&window, &MainWindow::storeFailed);
    window.openStore(address);
    REQUIRE(waitFor([&] { return opened.count() + failed.count() > 0; }, Timeout));
    if (failed.count())
        FAIL(failed.first().first().value<Failure>().message.toStdString());
    auto* model = window.eventView()->model();
    REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() > 0; }, Timeout));
}

} // namespace

TEST_CASE("follow: on SQLite the settled head is the visible head and the status bar shows one head", "[gui][tail]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("store.sqlite"));
    EmmettWriter w(path, true);
    for (int i = 0; i < 20; ++i)
        w.append(QStringLiteral("order-%1").arg(i), { { QStringLiteral("Placed"), QByteArray("{}") } });

    MainWindow window;
    openAndWait(window, path);
    FollowController* follow = window.followController();
    QSignalSpy changed(follow, &FollowController::headsChanged);
    follow->setInterval(50);
    follow->setFollowing(true);
    const qint64 last = w.append(QStringLiteral("order-new"),
        { { QStringLiteral("Placed"), QByteArray("{}") }, { QStringLiteral("Paid"), QByteArray("{}") } });
    REQUIRE(waitFor([&] { return follow->heads().visible == last; }, Timeout));
    CHECK(follow->heads().settled == last);
    CHECK_FALSE(changed.isEmpty());
    CHECK(headLabel(window).startsWith(QLatin1String("Head: ")));
    CHECK_FALSE(headLabel(window).contains(QLatin1String("settled")));

    follow->setFollowing(false);
    CHECK(follow->heads().visible == -1);
    CHECK(follow->heads().settled == -1);
}

TEST_CASE("follow: on PostgreSQL the status bar shows the settled head behind an open transaction", "[gui][tail][pg]")
{
    ES_REQUIRE_PG("follow heads on PostgreSQL");
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    PgTestDatabase db(QStringLiteral("followheads"), { QStringLiteral("messagedb.sql") });
    db.sql(messageDbWrite(QStringLiteral("seed-1")));
    const qint64 seeded = messageDbPosition(db, QStringLiteral("seed-1"));

    MainWindow window;
    openAndWait(window, db.address());
    EventTableModel* model = window.eventView()->model();
    FollowController* follow = window.followController();
    follow->setInterval(50);
    follow->setFollowing(true);
    REQUIRE(waitFor([&] { return follow->heads().settled == seeded; }, Timeout));
    CHECK(follow->heads().visible == seeded);

    // A writer in one category holds its transaction open while a writer in another commits a later position.
    QProcess held;
    held.start(QStringLiteral("psql"),
        { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
            QStringLiteral("-d"), db.address() });
    REQUIRE(held.waitForStarted());
    held.write(QStringLiteral("BEGIN; %1\n\\echo written\n").arg(messageDbWrite(QStringLiteral("held-1"))).toUtf8());
    QByteArray heldOut;
    REQUIRE(waitFor(
        [&] {
            heldOut += held.readAllStandardOutput();
            return heldOut.contains("written");
        },
        Timeout));
    db.sql(messageDbWrite(QStringLiteral("later-1")));
    const qint64 later = messageDbPosition(db, QStringLiteral("later-1"));
    CHECK(later > seeded + 1);

    REQUIRE(waitFor([&] { return follow->heads().visible == later; }, Timeout));
    CHECK(follow->heads().settled == seeded);
    // The status bar names the transaction that holds the settled head back: psql's, open since its write.
    const QString split = QStringLiteral("Head %1 · settled %2 · held by pid ").arg(number(later), number(seeded));
    REQUIRE(waitFor([&] { return headLabel(window).startsWith(split); }, Timeout));
    CHECK(headLabel(window).contains(QLatin1String("(psql, in transaction for ")));
    QString tip;
    for (const QLabel* l : window.statusBar()->findChildren<QLabel*>())
        tip = l->text().startsWith(split) ? l->toolTip() : tip;
    CHECK(tip.contains(QLatin1String("read in the store's safe order")));
    CHECK(tip.contains(QLatin1String("Held by: pid ")));

    held.write("COMMIT;\n");
    held.closeWriteChannel();
    REQUIRE(held.waitForFinished(Timeout));
    CHECK(held.exitCode() == 0);
    REQUIRE(waitFor([&] { return follow->heads().settled == later; }, Timeout));
    CHECK(follow->heads().visible == later);
    REQUIRE(waitFor([&] { return headLabel(window).startsWith(QLatin1String("Head: ")); }, Timeout));

    // The late commit shows in the table once.
    auto heldRows = [&] {
        int rows = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            std::optional<Event> e;
            waitFor([&] { return (e = model->eventAt(row)).has_value(); }, Timeout);
            rows += e && e->stream == QLatin1String("held-1") ? 1 : 0;
        }
        return rows;
    };
    REQUIRE(waitFor([&] { return !model->isLoading() && heldRows() == 1; }, Timeout));
    follow->setFollowing(false);
    CHECK(heldRows() == 1);
}
