#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"

#include "eventinspector.h"
#include "eventview.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "models/jsontreemodel.h"
#include "payloadview.h"
#include "settings.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

#include <memory>

using namespace es;
using es::test::waitFor;
using Msg = es::test::EmmettWriter::Message;

namespace {

constexpr int Timeout = 180000;

// {"orderId": …, "lines": [ {…}, … ]}: about `bytes` bytes, `*lines` objects in the array.
QByteArray bigJson(qsizetype bytes, int* lines = nullptr)
{
    QByteArray b;
    b.reserve(bytes + 256);
    b.append(R"({"orderId":"o-1","lines":[)");
    int i = 0;
    for (; b.size() < bytes; ++i) {
        if (i)
            b.append(',');
        b.append(R"({"sku":"SKU-)")
            .append(QByteArray::number(i))
            .append(R"(","qty":)")
            .append(QByteArray::number(i % 7));
        b.append(R"(,"price":12.5,"tags":["a","b"],"note":"caf\u00e9 line"})");
    }
    b.append("]}");
    if (lines)
        *lines = i;
    return b;
}

// The longest the GUI thread went without turning its event loop, while it lives.
class GapMeter {
public:
    GapMeter()
    {
        m_clock.start();
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_maxGap = std::max(m_maxGap, now - m_last);
            m_last = now;
        });
        m_timer.start();
    }
    qint64 maxGap() const { return m_maxGap; }

private:
    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_last = 0;
    qint64 m_maxGap = 0;
};

// Budget for one turn of the event loop: far below what the old inspector took (seconds for 60 MB), with room for a
// loaded test machine.
constexpr qint64 MaxGapMs = 750;

} // namespace

TEST_CASE("a 60 MB payload: the window keeps answering while it loads, then the tree shows", "[gui][bigpayload]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("big.sqlite"));
    int lines = 0;
    const QByteArray big = bigJson(60 << 20, &lines);
    {
        test::EmmettWriter w(path);
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("OrderOpened"), R"({"n":1})" } });
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("LinesImported"), big } });
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("OrderClosed"), R"({"n":3})" } });
    }

    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    EventTableModel* table = window.eventView()->model();
    REQUIRE(waitFor([&] { return !table->isLoading() && table->rowCount() == 3; }, Timeout));
    REQUIRE(waitFor([&] { return table->eventAt(1).has_value(); }, Timeout));
    REQUIRE(table->eventAt(1)->data.bytes.size() == big.size());

    PayloadView* data = window.inspector()->dataView();
    const JsonTreeModel* tree = data->treeModel();
    QElapsedTimer clock;
    clock.start();
    GapMeter gaps;
    window.eventView()->selectRow(1);
    // The first picture: the head of the text, and a busy bar while the JSON is checked on the session's lane.
    QApplication::processEvents();
    const qint64 firstPicture = clock.elapsed();
    CHECK(data->isLoading());
    CHECK(data->isTextTruncated());
    CHECK(data->textView()->toPlainText().startsWith(QLatin1String("{\n    \"orderId\": \"o-1\",\n    \"lines\": [")));
    CHECK(data->textView()->toPlainText().size() <= PayloadView::TextHeadBytes);

    REQUIRE(waitFor([&] { return !data->isLoading() && tree->rowCount() > 0; }, Timeout));
    const qint64 treeShown = clock.elapsed();
    WARN("60 MB payload: first picture after " << firstPicture << " ms, tree after " << treeShown
                                               << " ms, longest event-loop gap " << gaps.maxGap() << " ms");
    CHECK(gaps.maxGap() < MaxGapMs);
    CHECK(data->showsTree());
    CHECK(data->note().isEmpty());
    REQUIRE(tree->rowCount() == 2);
    const QModelIndex list = tree->indexOfKey(QStringLiteral("lines"));
    REQUIRE(list.isValid());
    CHECK(list.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString()
        == QStringLiteral("[%1 item(s)]").arg(lines));
    // Only a chunk of the array's rows exists; scrolling fetches more.
    CHECK(tree->rowCount(list) == JsonTreeModel::ChunkRows);
    CHECK(tree->canFetchMore(list));
    const QModelIndex sku = tree->indexOfKey(QStringLiteral("sku"), tree->index(999, 0, list));
    CHECK(sku.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() == QLatin1String("SKU-999"));
    CHECK(tree->path(sku) == QLatin1String("data.lines[999].sku"));

    // Another event while a big one is read: the old job's result is dropped, the small one shows at once.
    window.eventView()->selectRow(0);
    REQUIRE(waitFor([&] { return !data->isLoading() && tree->rowCount() == 1; }, Timeout));
    window.eventView()->selectRow(1);
    QApplication::processEvents();
    CHECK(data->isLoading());
    window.eventView()->selectRow(2);
    CHECK_FALSE(data->isLoading());
    CHECK(tree->indexOfKey(QStringLiteral("n")).isValid());
    QTest::qWait(500);
    CHECK(tree->rowCount() == 1);
    CHECK(tree->indexOfKey(QStringLiteral("n")).isValid());
    CHECK_FALSE(data->isTextTruncated());
}

TEST_CASE("a big payload still being read when the store closes or the window goes", "[gui][bigpayload]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("big.sqlite"));
    const QByteArray big = bigJson(24 << 20);
    {
        test::EmmettWriter w(path);
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("OrderOpened"), R"({"n":1})" } });
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("LinesImported"), big } });
    }
    for (const bool closeFirst : { true, false }) {
        auto window = std::make_unique<MainWindow>();
        window->show();
        QSignalSpy opened(window.get(), &MainWindow::storeOpened);
        window->openStore(path);
        REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
        EventTableModel* table = window->eventView()->model();
        REQUIRE(waitFor([&] { return table->rowCount() == 2 && table->eventAt(1).has_value(); }, Timeout));
        PayloadView* data = window->inspector()->dataView();
        window->eventView()->selectRow(1);
        QApplication::processEvents();
        REQUIRE(data->isLoading());
        if (closeFirst) {
            // The inspector's lane closes under the running check; the view shows nothing more of it.
            window->closeStore();
            CHECK_FALSE(data->isLoading());
            QTest::qWait(200);
            CHECK(data->treeModel()->rowCount() == 0);
            window->openStore(path);
            REQUIRE(waitFor([&] { return opened.count() == 2; }, Timeout));
            REQUIRE(waitFor([&] { return table->rowCount() == 2 && table->eventAt(1).has_value(); }, Timeout));
            window->eventView()->selectRow(1);
            QApplication::processEvents();
            REQUIRE(waitFor([&] { return !data->isLoading() && data->treeModel()->rowCount() == 2; }, Timeout));
            // A tree the view has opened, then the window goes with it.
            data->treeView()->expandAll();
            QApplication::processEvents();
        }
        // The window goes while (or just after) its inspector reads on the session's lane.
        window.reset();
        QApplication::processEvents();
    }
}

TEST_CASE(
    "a big payload's text: 'Show all' adds it in slices; JSON that does not parse says where", "[gui][bigpayload]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("small.sqlite"));
    {
        test::EmmettWriter w(path);
        w.append(QStringLiteral("order-1"), { Msg { QStringLiteral("OrderOpened"), R"({"n":1})" } });
    }
    StoreSession session(StoreOpener { path, {} });
    PayloadView view(QStringLiteral("data"));
    const StoreSession::Lane lane = session.openLane(QStringLiteral("payloads"));
    view.setSession(&session, lane);
    view.resize(600, 500);
    view.show();

    const Payload payload = Payload::json(bigJson(6 << 20));
    view.setPayload(payload);
    REQUIRE(waitFor([&] { return !view.isLoading(); }, Timeout));
    REQUIRE(view.isTextTruncated());
    auto* showAll = view.findChild<QToolButton*>(QStringLiteral("dataShowAll"));
    REQUIRE(showAll);
    CHECK(showAll->isVisible());

    GapMeter gaps;
    showAll->click();
    CHECK(view.isLoading());
    REQUIRE(waitFor([&] { return !view.isLoading(); }, Timeout));
    WARN("'Show all' of " << payload.bytes.size() << " bytes: longest event-loop gap " << gaps.maxGap() << " ms");
    CHECK(gaps.maxGap() < MaxGapMs);
    CHECK_FALSE(view.isTextTruncated());
    CHECK(view.textView()->toPlainText() == payload.displayHead(-1));
    CHECK_FALSE(showAll->isVisible());

    // Marked as JSON by the store, but not JSON: read on the lane, then a note with the place it breaks.
    QByteArray broken = bigJson(2 << 20);
    broken.chop(2);
    broken.append("}}");
    view.setPayload(Payload::json(broken));
    REQUIRE(waitFor([&] { return !view.isLoading(); }, Timeout));
    CHECK(view.note().contains(QStringLiteral("does not parse")));
    CHECK(view.note().contains(QStringLiteral("at byte %1").arg(broken.size() - 2)));
    CHECK_FALSE(view.showsTree());
    CHECK(view.treeModel()->rowCount() == 0);
}
