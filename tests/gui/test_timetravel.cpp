#include <catch2/catch.hpp>

#include "core/test_fold_support.h"
#include "eventview.h"
#include "fold/js/jsreducer.h"
#include "fold/timetravelengine.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/jsontreemodel.h"
#include "samplewriter.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"
#include "timelineindexmodel.h"
#include "timelinestrip.h"
#include "timetravelwindow.h"
#include "windowedtableview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QElapsedTimer>
#include <QFile>
#include <QGraphicsLineItem>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QValueAxis>
#include <QtCharts/QChartView>

#include <sqlite3.h>

#include <cmath>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

struct Step {
    qint64 version;
    QString type;
    qint64 balance; // after the event, computed here from the stored payloads
};

// A demo store and its busiest account, read back with plain SQLite to know the balances independently.
struct DemoAccount {
    QTemporaryDir dir;
    QString path;
    QString stream;
    std::vector<Step> steps;
    DemoAccount()
    {
        path = dir.filePath(QStringLiteral("demo.sqlite"));
        writeSampleStore(path, SampleOptions { 20000, 7, QStringLiteral("emmett") });
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        sqlite3_stmt* q = nullptr;
        REQUIRE(sqlite3_prepare_v2(db,
                    "SELECT stream_id FROM emt_messages WHERE stream_id LIKE 'account-%' GROUP BY stream_id "
                    "ORDER BY count(*) DESC, stream_id LIMIT 1",
                    -1, &q, nullptr)
            == SQLITE_OK);
        REQUIRE(sqlite3_step(q) == SQLITE_ROW);
        stream = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
        REQUIRE(sqlite3_prepare_v2(db,
                    "SELECT stream_position, message_type, message_data FROM emt_messages WHERE stream_id = ?1 "
                    "ORDER BY stream_position",
                    -1, &q, nullptr)
            == SQLITE_OK);
        const QByteArray name = stream.toUtf8();
        sqlite3_bind_text(q, 1, name.constData(), int(name.size()), SQLITE_TRANSIENT);
        qint64 balance = 0;
        while (sqlite3_step(q) == SQLITE_ROW) {
            const QString type = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(q, 1)));
            const QJsonObject data
                = QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(q, 2))))
                      .object();
            const qint64 amount = data.value(QStringLiteral("amount")).toInteger();
            if (type == QLatin1String("FundsDeposited"))
                balance += amount;
            else if (type == QLatin1String("FundsWithdrawn"))
                balance -= amount;
            steps.push_back({ sqlite3_column_int64(q, 0), type, balance });
        }
        sqlite3_finalize(q);
        sqlite3_close(db);
        REQUIRE(steps.size() > 20);
    }
};

DemoAccount& demo()
{
    static DemoAccount d;
    return d;
}

qint64 shownBalance(const TimeTravelWindow& w)
{
    const QModelIndex key = w.stateModel()->indexOfKey(QStringLiteral("balance"));
    REQUIRE(key.isValid());
    return w.stateModel()->index(key.row(), JsonTreeModel::ValueColumn).data().toLongLong();
}

QStringList diffPaths(const QTreeWidget* list)
{
    QStringList paths;
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        paths.append(list->topLevelItem(i)->text(1));
    return paths;
}

bool showsVersion(const TimeTravelWindow& w, qint64 version)
{
    return w.shownVersion() == version && w.cursorVersion() == version;
}

void writeFile(const QString& path, const QByteArray& text)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

} // namespace

TEST_CASE("timeline strip maths: slots, hit testing and pixel columns", "[timetravel]")
{
    TimelineStripGeometry g { 10, 112, 6 };
    CHECK(g.tickWidth() == Approx(10.0));
    CHECK(g.xOf(0) == Approx(6.0));
    CHECK(g.xOf(3) == Approx(36.0));
    CHECK(g.centreOf(3) == Approx(41.0));
    CHECK(g.indexAt(36.0) == 3);
    CHECK(g.indexAt(45.9) == 3);
    CHECK(g.indexAt(46.0) == 4);
    CHECK(g.indexAt(-50) == 0);
    CHECK(g.indexAt(5000) == 9);
    for (qint64 i = 0; i < g.count; ++i)
        CHECK(g.indexAt(g.centreOf(i)) == i);

    // More events than pixels: every event falls in exactly one run of columns, runs cover the stream in order.
    TimelineStripGeometry dense { 1000, 112, 6 };
    CHECK(dense.tickWidth() == Approx(0.1));
    CHECK(dense.eventsInColumn(6) == std::make_pair<qint64, qint64>(0, 9));
    CHECK(dense.eventsInColumn(105) == std::make_pair<qint64, qint64>(990, 999));
    qint64 next = 0;
    for (int px = 6; px < 106; ++px) {
        const auto [first, last] = dense.eventsInColumn(px);
        CHECK(first == next);
        next = last + 1;
    }
    CHECK(next == 1000);
    CHECK(dense.eventsInColumn(2).first > dense.eventsInColumn(2).second);

    TimelineStripGeometry empty { 0, 300, 6 };
    CHECK(empty.indexAt(100) == -1);
    CHECK(TimelineStripGeometry::typeColor(3) == TimelineStripGeometry::typeColor(3));
    CHECK(TimelineStripGeometry::typeColor(0) != TimelineStripGeometry::typeColor(1));
}

TEST_CASE("time travel: open a demo stream, step, jump and see the balance", "[timetravel]")
{
    DemoAccount& d = demo();
    StoreSession session(StoreOpener { d.path, {} });
    auto* w = new TimeTravelWindow(&session, d.stream);
    QAbstractItemModelTester tester(w->eventModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy loaded(w->engine(), &TimeTravelEngine::loaded);
    w->show();
    // The accounts sample, compiled in, is picked for an account stream.
    CHECK(w->currentReducerKey() == QLatin1String(":/reducers/accounts.js"));
    const std::vector<Step>& steps = d.steps;
    REQUIRE(waitFor([&] { return w->isReady() && showsVersion(*w, steps.back().version); }, Timeout));
    CHECK(w->eventModel()->rowCount() == int(steps.size()));
    CHECK(w->timelineIndex()->count() == qint64(steps.size()));
    // The index the engine delivered is the one the strip and the event list read: shared, not copied.
    REQUIRE(loaded.count() == 1);
    CHECK(loaded.first().at(0).value<TimelineIndexPtr>() == w->timelineIndex());
    CHECK(w->strip()->timelineIndex() == w->timelineIndex());
    CHECK(w->eventModel()->timelineIndex() == w->timelineIndex());
    CHECK(shownBalance(*w) == steps.back().balance);

    // Step back: the state and the changes of the event before the last.
    w->stepBack();
    const Step& before = steps[steps.size() - 2];
    REQUIRE(waitFor([&] { return showsVersion(*w, before.version); }, Timeout));
    CHECK(shownBalance(*w) == before.balance);
    CHECK(w->eventRows()->currentRow() == int(steps.size()) - 2);
    CHECK(w->strip()->cursor() == qint64(steps.size()) - 2);

    // Jump to a deposit in the middle: the diff pane lists balance with the old and new values, the tree marks it.
    std::size_t k = steps.size() / 2;
    while (steps[k].type != QLatin1String("FundsDeposited"))
        ++k;
    w->goToVersion(steps[k].version);
    REQUIRE(waitFor([&] { return showsVersion(*w, steps[k].version); }, Timeout));
    CHECK(shownBalance(*w) == steps[k].balance);
    const QStringList paths = diffPaths(w->diffList());
    REQUIRE(paths.contains(QStringLiteral("balance")));
    const QTreeWidgetItem* change = w->diffList()->topLevelItem(int(paths.indexOf(QStringLiteral("balance"))));
    CHECK(change->text(0) == QLatin1String("changed"));
    CHECK(change->text(2).toLongLong() == steps[k - 1].balance);
    CHECK(change->text(3).toLongLong() == steps[k].balance);
    const QModelIndex balanceKey = w->stateModel()->indexOfKey(QStringLiteral("balance"));
    CHECK(w->isChanged(balanceKey));
    CHECK_FALSE(w->isChanged(w->stateModel()->indexOfKey(QStringLiteral("accountId"))));

    // Step forward with the keyboard action (Ctrl+]), then the start (the reducer's initial state).
    QAction* forward = w->findChild<QAction*>(QStringLiteral("stepForward"));
    REQUIRE(forward);
    CHECK(forward->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_BracketRight));
    forward->trigger();
    REQUIRE(waitFor([&] { return showsVersion(*w, steps[k + 1].version); }, Timeout));
    CHECK(shownBalance(*w) == steps[k + 1].balance);
    w->goToStart();
    REQUIRE(waitFor([&] { return w->shownVersion() == steps.front().version - 1; }, Timeout));
    CHECK(shownBalance(*w) == 0);
    CHECK(w->stateModel()
              ->index(w->stateModel()->indexOfKey(QStringLiteral("status")).row(), JsonTreeModel::ValueColumn)
              .data()
              .toString()
        == QLatin1String("new"));

    // Go to by text: a version, then a time.
    CHECK(w->goTo(QString::number(steps[5].version)));
    REQUIRE(waitFor([&] { return showsVersion(*w, steps[5].version); }, Timeout));
    const QDateTime time = w->timelineIndex()->timeAt(7);
    CHECK(w->goTo(time.toString(Qt::ISODate)));
    REQUIRE(
        waitFor([&] { return w->shownVersion() == w->timelineIndex()->versionAt(w->timelineIndex()->indexAsOf(time)); },
            Timeout));
    CHECK(w->cursorIndex() >= 7);
    CHECK_FALSE(w->goTo(QStringLiteral("not a time")));

    // Where did the balance come from? The last event at or before the cursor that changed it.
    w->goToVersion(steps[k].version);
    REQUIRE(waitFor([&] { return showsVersion(*w, steps[k].version); }, Timeout));
    QSignalSpy origin(w, &TimeTravelWindow::originFound);
    w->jumpToOrigin(w->stateModel()->index(
        w->stateModel()->indexOfKey(QStringLiteral("accountId")).row(), JsonTreeModel::ValueColumn));
    REQUIRE(origin.wait(Timeout));
    CHECK(origin.takeFirst().at(0).toLongLong() == steps.front().version); // AccountOpened set it
    REQUIRE(waitFor([&] { return showsVersion(*w, steps.front().version); }, Timeout));
    delete w;
}

TEST_CASE("time travel: a breakpoint stops at the first version where it holds", "[timetravel]")
{
    DemoAccount& d = demo();
    StoreSession session(StoreOpener { d.path, {} });
    TimeTravelWindow w(&session, d.stream);
    const std::vector<Step>& steps = d.steps;
    REQUIRE(waitFor([&] { return w.isReady() && showsVersion(w, steps.back().version); }, Timeout));

    // Above the balance reached at a third of the stream: the first version that exceeds it, found by hand.
    qint64 threshold = 0;
    for (std::size_t i = 0; i < steps.size() / 3; ++i)
        threshold = std::max(threshold, steps[i].balance);
    qint64 expected = -1;
    for (const Step& s : steps) {
        if (s.balance > threshold) {
            expected = s.version;
            break;
        }
    }
    w.goToStart();
    REQUIRE(waitFor([&] { return w.shownVersion() == steps.front().version - 1; }, Timeout));
    w.addBreakpoint(QStringLiteral("state.balance > %1").arg(threshold));
    QSignalSpy stopped(&w, &TimeTravelWindow::breakpointStopped);
    w.runToNextBreakpoint();
    if (expected < 0) {
        REQUIRE(waitFor([&] { return w.breakpointStatus().startsWith(QLatin1String("No breakpoint")); }, Timeout));
    } else {
        REQUIRE(stopped.wait(Timeout));
        CHECK(stopped.takeFirst().at(0).toLongLong() == expected);
        REQUIRE(waitFor([&] { return showsVersion(w, expected); }, Timeout));
        CHECK(shownBalance(w) > threshold);
    }

    // A second breakpoint that holds at every event: run to next moves exactly one event on.
    w.addBreakpoint(QStringLiteral("(s, e) => e.type.length > 0"));
    const qint64 from = w.cursorIndex();
    w.runToNextBreakpoint();
    REQUIRE(stopped.wait(Timeout));
    CHECK(stopped.takeFirst().at(0).toLongLong() == steps[std::size_t(from + 1)].version);

    // A broken predicate is reported, the cursor stays.
    w.addBreakpoint(QStringLiteral("state.balance <"));
    const qint64 cursor = w.cursorVersion();
    w.runToNextBreakpoint();
    REQUIRE(waitFor([&] { return w.breakpointStatus().contains(QLatin1String("state.balance <:")); }, Timeout));
    CHECK(w.cursorVersion() == cursor);
}

TEST_CASE("time travel: compare, chart and a reducer reloaded on save", "[timetravel]")
{
    DemoAccount& d = demo();
    StoreSession session(StoreOpener { d.path, {} });
    TimeTravelWindow w(&session, d.stream, d.steps[3].version);
    const std::vector<Step>& steps = d.steps;
    // Opened "from an event": the cursor starts there.
    REQUIRE(waitFor([&] { return w.isReady() && showsVersion(w, steps[3].version); }, Timeout));
    CHECK(shownBalance(w) == steps[3].balance);

    QSignalSpy compared(&w, &TimeTravelWindow::compareShown);
    w.compare(steps[1].version, steps[10].version);
    REQUIRE(compared.wait(Timeout));
    const QStringList paths = diffPaths(w.compareList());
    CHECK(paths.contains(QStringLiteral("balance")) == (steps[1].balance != steps[10].balance));
    CHECK(paths.contains(QStringLiteral("transactions")));

    QSignalSpy charted(&w, &TimeTravelWindow::chartShown);
    w.chart(QStringLiteral("balance"));
    REQUIRE(charted.wait(Timeout));
    const auto series = w.chartView()->chart()->series();
    REQUIRE(series.size() == 1);
    const auto* line = static_cast<const QLineSeries*>(series.front());
    REQUIRE(line->count() == int(steps.size()));
    for (int i = 0; i < line->count(); ++i) {
        CHECK(line->at(i).x() == Approx(double(steps[std::size_t(i)].version)));
        CHECK(line->at(i).y() == Approx(double(steps[std::size_t(i)].balance)));
    }

    // Round, whole ticks on both axes, and a cursor at the version shown.
    for (QAbstractAxis* axis : w.chartView()->chart()->axes()) {
        const auto* value = qobject_cast<const QValueAxis*>(axis);
        REQUIRE(value);
        CHECK(value->tickType() == QValueAxis::TicksDynamic);
        CHECK(value->tickInterval() >= 1);
        CHECK(value->tickInterval() == std::round(value->tickInterval()));
        CHECK(std::fmod(value->min(), value->tickInterval()) == 0);
    }
    const auto cursorLines = [&w] {
        QList<QGraphicsLineItem*> lines;
        for (QGraphicsItem* item : w.chartView()->scene()->items())
            if (auto* l = dynamic_cast<QGraphicsLineItem*>(item); l && l->isVisible() && l->zValue() == 10)
                lines.append(l);
        return lines;
    };
    w.resize(1200, 800);
    w.show();
    REQUIRE(QTest::qWaitForWindowExposed(&w));
    w.chartView()->window()->activateWindow();
    QCoreApplication::processEvents();
    REQUIRE(waitFor([&] { return cursorLines().size() == 1 && cursorLines().front()->line().x1() > 0; }, Timeout));
    const QPointF shownAt = w.chartView()->chart()->mapToPosition(
        QPointF(double(steps[3].version), double(steps[3].balance)), w.chartView()->chart()->series().front());
    CHECK(cursorLines().front()->line().x1() == Approx(shownAt.x()).margin(1));
    // A click on the plot goes to the version under it.
    const QPointF target = w.chartView()->chart()->mapToPosition(
        QPointF(double(steps[8].version), double(steps[8].balance)), w.chartView()->chart()->series().front());
    const QPoint click = w.chartView()->mapFromScene(w.chartView()->chart()->mapToScene(target));
    QTest::mouseClick(w.chartView()->viewport(), Qt::LeftButton, {}, click);
    REQUIRE(waitFor([&] { return showsVersion(w, steps[8].version); }, Timeout));
    CHECK(shownBalance(w) == steps[8].balance);
    CHECK(cursorLines().front()->line().x1() == Approx(target.x()).margin(1));
    w.goToVersion(steps[3].version);
    REQUIRE(waitFor([&] { return showsVersion(w, steps[3].version); }, Timeout));

    // Against wall-clock time: the same values at the events' times.
    w.chart(QStringLiteral("balance"), true);
    REQUIRE(charted.wait(Timeout));
    const auto* byTime = static_cast<const QLineSeries*>(w.chartView()->chart()->series().front());
    REQUIRE(byTime->count() == int(steps.size()));
    CHECK(byTime->at(0).x() == Approx(double(w.timelineIndex()->timeAt(0).toMSecsSinceEpoch())));
    CHECK(byTime->at(byTime->count() - 1).y() == Approx(double(steps.back().balance)));

    // A user reducer: loaded, then edited on disk and reloaded without asking; a broken save shows inline.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("count.js"));
    writeFile(file, "({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += 1; } })");
    QSignalSpy loaded(&w, &TimeTravelWindow::timelineLoaded);
    w.selectReducer(file);
    REQUIRE(loaded.wait(Timeout));
    REQUIRE(waitFor([&] { return w.isReady() && w.shownState().stateJson == "{\"n\":4}"; }, Timeout));
    writeFile(file, "({ $init: () => ({ n: 100 }), $any: (s, e) => { s.n += 2; } })");
    REQUIRE(loaded.wait(Timeout));
    REQUIRE(waitFor([&] { return w.isReady() && w.shownState().stateJson == "{\"n\":108}"; }, Timeout));
    writeFile(file, "({ $init: () => ({ n: 0 }), $any: (s, e) => { s.n += ");
    REQUIRE(waitFor(
        [&] { return !w.banner()->isHidden() && w.banner()->text().contains(QLatin1String("syntax")); }, Timeout));
    CHECK(w.shownState().stateJson == "{\"n\":108}"); // the last good fold stays

    // A reducer that throws part way: reported with the event, states stay as of the event before.
    writeFile(file,
        "({ $init: () => ({ n: 0 }), $any: (s, e) => { if (e.version === " + QByteArray::number(steps[6].version)
            + ") throw new Error('boom'); s.n += 1; } })");
    REQUIRE(loaded.wait(Timeout));
    REQUIRE(waitFor([&] { return w.banner()->text().contains(QLatin1String("boom")); }, Timeout));
    CHECK(w.timelineIndex()->errorIndex == 6);
    w.goToEnd();
    REQUIRE(waitFor([&] { return showsVersion(w, steps.back().version); }, Timeout));
    CHECK(w.shownState().stateJson == "{\"n\":6}");
}

TEST_CASE("time travel: opened from the main window at the selected event", "[timetravel]")
{
    DemoAccount& d = demo();
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(d.path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    window.showStream(d.stream);
    EventTableModel* model = window.eventView()->model();
    REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() == int(d.steps.size()); }, Timeout));
    window.eventView()->selectRow(4);
    REQUIRE(waitFor([&] { return window.eventView()->currentEvent().has_value(); }, Timeout));
    const qint64 version = window.eventView()->currentEvent()->version;
    window.timeTravelFromSelection();
    auto* tt = window.findChild<TimeTravelWindow*>();
    REQUIRE(tt);
    CHECK(tt->stream() == d.stream);
    REQUIRE(waitFor([&] { return tt->isReady() && showsVersion(*tt, version); }, Timeout));
    const auto it = std::find_if(d.steps.begin(), d.steps.end(), [&](const Step& s) { return s.version == version; });
    REQUIRE(it != d.steps.end());
    CHECK(shownBalance(*tt) == it->balance);
    tt->close();
}

TEST_CASE("time travel: a long fold shows progress and can be cancelled; play moves the cursor", "[timetravel]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("long.sqlite"));
    std::vector<qint64> amounts;
    for (int i = 0; i < 60000; ++i)
        amounts.push_back((i * 7919) % 200 - 90);
    test::writeEmmettStream(path, "ledger-1", test::ledger(amounts));
    const QString slow = dir.filePath(QStringLiteral("slow.js"));
    // Each event costs a little JS work, so the fold takes long enough to be cancelled part way.
    writeFile(slow,
        "({ $init: () => ({ balance: 0 }), $any: (s, e) => { let x = 0; for (let i = 0; i < 20000; ++i) x += i; "
        "s.balance += (e.type === 'FundsDeposited' ? 1 : -1) * e.data.amount; } })");
    StoreSession session(StoreOpener { path, {} });
    TimeTravelWindow w(&session, QStringLiteral("ledger-1"));
    QSignalSpy progress(w.engine(), &TimeTravelEngine::progress);
    QSignalSpy failed(w.engine(), &TimeTravelEngine::loadFailed);
    w.selectReducer(slow);
    REQUIRE(waitFor(
        [&] {
            for (const auto& args : progress) {
                if (args.at(2).toLongLong() == 60000 && args.at(1).toLongLong() > 0)
                    return true;
            }
            return false;
        },
        Timeout));
    CHECK(w.engine()->isBusy());
    w.engine()->cancel();
    REQUIRE(waitFor([&] { return failed.count() >= 1; }, Timeout));
    CHECK(failed.last().at(0).value<Failure>().kind == Failure::Kind::Cancelled);
    REQUIRE(waitFor([&] { return !w.engine()->isBusy(); }, Timeout));
    CHECK(w.timelineIndex() == nullptr);

    // The merge reducer folds it quickly; play then steps the cursor on by itself.
    w.selectReducer(QStringLiteral("merge"));
    REQUIRE(waitFor([&] { return w.isReady() && w.shownVersion() == 60000; }, Timeout));
    w.goToVersion(10);
    REQUIRE(waitFor([&] { return w.shownVersion() == 10; }, Timeout));
    w.setPlaying(true);
    CHECK(w.isPlaying());
    REQUIRE(waitFor([&] { return w.cursorVersion() >= 12; }, Timeout));
    w.setPlaying(false);
    const qint64 stoppedAt = w.cursorVersion();
    QTest::qWait(300);
    CHECK(w.cursorVersion() == stoppedAt);
}

TEST_CASE("time travel: a reducer whose top level never ends does not block the window", "[timetravel]")
{
    DemoAccount& d = demo();
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    StoreSession session(StoreOpener { d.path, {} });
    TimeTravelWindow w(&session, d.stream);
    w.show();
    REQUIRE(waitFor([&] { return w.isReady(); }, Timeout));

    // The event loop keeps turning while the reducer loads on the engine's lane: the longest pause between two
    // ticks of a 10 ms timer stays far below the reducer's time budget (2 s).
    QElapsedTimer sinceTick;
    qint64 longestPauseMs = 0;
    QTimer ticker;
    ticker.setInterval(10);
    QObject::connect(&ticker, &QTimer::timeout, [&] { longestPauseMs = qMax(longestPauseMs, sinceTick.restart()); });
    const QString file = dir.filePath(QStringLiteral("hang.js"));
    writeFile(file, "var n = 0;\nfor (;;) { n++; }\n");
    ticker.start();
    sinceTick.start();
    QElapsedTimer timer;
    timer.start();
    w.selectReducer(file);
    CHECK(timer.elapsed() < 500);
    REQUIRE(waitFor([&] { return w.banner()->text().contains(QLatin1String("took longer than")); }, Timeout));
    ticker.stop();
    CHECK(longestPauseMs < 500);
    CHECK(timer.elapsed() >= JsReducer::defaultBudgetMs);
    CHECK(w.banner()->text().startsWith(QStringLiteral("Reducer hang.js: timed out: loading the script")));
    // The fold from before stays.
    CHECK(w.timelineIndex()->count() == qint64(d.steps.size()));
    CHECK_FALSE(w.engine()->isBusy());

    // The memory budget from the settings: a state that grows on every event stops the fold, said in the banner.
    Settings::instance()->setFoldMemoryBudgetBytes(2048);
    const QString growing = dir.filePath(QStringLiteral("grow.js"));
    writeFile(growing, "({ $init: () => ({ all: [] }), $any: (s, e) => { s.all.push(e.data); } })");
    QSignalSpy loaded(&w, &TimeTravelWindow::timelineLoaded);
    w.selectReducer(growing);
    REQUIRE(loaded.wait(Timeout));
    REQUIRE(w.timelineIndex()->reducerError);
    CHECK(w.timelineIndex()->reducerError->kind == ReducerError::Kind::Memory);
    CHECK(w.banner()->text().contains(QLatin1String("past the memory budget of 2.0 KB")));
    Settings::instance()->setFoldMemoryBudgetBytes(TimelineOptions {}.memoryBudgetBytes);
}
