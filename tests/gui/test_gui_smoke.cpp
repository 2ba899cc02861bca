#include <catch2/catch.hpp>

#include "eventinspector.h"
#include "eventview.h"
#include "filterbar.h"
#include "gotostreamdialog.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/jsontreemodel.h"
#include "models/streamtreemodel.h"
#include "payloadview.h"
#include "samplewriter.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "streambrowser.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

std::optional<Event> loadedEvent(EventTableModel* model, int row)
{
    std::optional<Event> e;
    waitFor([&] { return (e = model->eventAt(row)).has_value(); }, Timeout);
    return e;
}

bool tableSettled(EventTableModel* model)
{
    return !model->isLoading() && model->rowCount() > 0;
}

QStringList sortedKeys(const QJsonObject& o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

QStringList treeKeys(const JsonTreeModel* model)
{
    QStringList keys;
    for (int r = 0; r < model->rowCount(); ++r)
        keys.append(model->index(r, JsonTreeModel::KeyColumn).data().toString());
    keys.sort();
    return keys;
}

struct DemoStore {
    QTemporaryDir dir;
    QString path;
    DemoStore()
    {
        Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
        path = dir.filePath(QStringLiteral("demo.sqlite"));
        writeSampleStore(path, SampleOptions { 20000, 7, QStringLiteral("emmett") });
    }
};

void openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor([&] { return tableSettled(window.eventView()->model()); }, Timeout));
}

} // namespace

TEST_CASE("the main window browses a demo store: streams, the event table and the inspector")
{
    DemoStore demo;
    MainWindow window;
    window.show();
    auto* table = window.eventView()->model();
    auto* streams = window.streamBrowser()->model();
    QAbstractItemModelTester tableTester(table, QAbstractItemModelTester::FailureReportingMode::Warning);

    openAndWait(window, demo.path);
    // The counts follow the open, counted in the background.
    CHECK(waitFor([&] { return window.storeInfo().eventCount >= 0; }));
    CHECK(window.storeInfo().eventCount == 20000);
    CHECK(window.statusText().contains(window.storeInfo().layoutTitle));
    CHECK(window.eventView()->scope() == ViewScope::all());
    CHECK(table->rowCount() == 20000);
    CHECK_FALSE(window.banner()->isVisible());

    // The global log is in position order.
    const auto first = loadedEvent(table, 0);
    const auto second = loadedEvent(table, 1);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->position < second->position);

    // The stream browser fills with categories; expanding one lists its streams.
    REQUIRE(waitFor([&] { return streams->rowCount() > 0 && !streams->isLoading(); }, Timeout));
    const QModelIndex category = streams->index(0, StreamTreeModel::NameColumn);
    REQUIRE(category.data(StreamTreeModel::IsCategoryRole).toBool());
    QTreeView* tree = window.streamBrowser()->tree();
    tree->expand(category);
    REQUIRE(waitFor([&] { return streams->rowCount(category) > 0 && !streams->isLoading(); }, Timeout));

    // Pick a stream with several events and select it the way a user does.
    QModelIndex streamIndex;
    for (int r = 0; r < streams->rowCount(category) && !streamIndex.isValid(); ++r) {
        const QModelIndex i = streams->index(r, StreamTreeModel::NameColumn, category);
        if (i.data(StreamTreeModel::StreamInfoRole).value<StreamInfo>().events >= 3)
            streamIndex = i;
    }
    REQUIRE(streamIndex.isValid());
    const QString streamName = streamIndex.data(StreamTreeModel::StreamNameRole).toString();
    const qint64 streamEvents = streamIndex.data(StreamTreeModel::StreamInfoRole).value<StreamInfo>().events;
    tree->setCurrentIndex(streamIndex);
    CHECK(window.eventView()->scope() == ViewScope::stream(streamName));
    REQUIRE(waitFor([&] { return tableSettled(table) && table->rowCount() == streamEvents; }, Timeout));

    // The table shows exactly that stream's events, in version order, as the store itself returns them.
    auto store = StoreRegistry::open(demo.path);
    EventQuery query;
    query.filter.stream = streamName;
    query.limit = 10000;
    const EventPage expected = store->events(query);
    REQUIRE(qint64(expected.events.size()) == streamEvents);
    qint64 lastVersion = -1;
    for (int row = 0; row < table->rowCount(); ++row) {
        const auto e = loadedEvent(table, row);
        REQUIRE(e);
        CHECK(e->stream == streamName);
        CHECK(e->version > lastVersion);
        CHECK(e->position == expected.events[std::size_t(row)].position);
        lastVersion = e->version;
    }

    // Selecting a row shows that event in the inspector, data as a JSON tree with the payload's keys.
    window.eventView()->selectRow(1);
    const Event selected = *loadedEvent(table, 1);
    REQUIRE(waitFor([&] { return window.inspector()->event().has_value(); }, Timeout));
    CHECK(window.inspector()->event()->position == selected.position);
    const QJsonObject data = QJsonDocument::fromJson(selected.data.bytes).object();
    REQUIRE_FALSE(data.isEmpty());
    const JsonTreeModel* dataTree = window.inspector()->dataView()->treeModel();
    CHECK(treeKeys(dataTree) == sortedKeys(data));
    CHECK(window.inspector()->dataView()->note().isEmpty());
    CHECK(window.inspector()->dataView()->textView()->toPlainText().contains(data.keys().constFirst()));
    const JsonTreeModel* metaTree = window.inspector()->metadataView()->treeModel();
    CHECK(treeKeys(metaTree) == sortedKeys(QJsonDocument::fromJson(selected.metadata.bytes).object()));

    SECTION("go to stream completes names from the store")
    {
        GoToStreamDialog dialog(window.session());
        dialog.show();
        QTest::keyClicks(dialog.edit(), streamName.left(streamName.size() - 1));
        REQUIRE(waitFor([&] { return !dialog.completions().isEmpty(); }, Timeout));
        CHECK(dialog.completions().contains(streamName));
        for (const QString& name : dialog.completions())
            CHECK(name.contains(streamName.left(streamName.size() - 1)));
    }

    SECTION("a bad condition is reported inline and the rows stay")
    {
        const int rows = table->rowCount();
        FilterBar* bar = window.eventView()->filterBar();
        bar->setQuery(QStringLiteral("data.amount >"));
        bar->apply();
        CHECK_FALSE(bar->errorText().isEmpty());
        CHECK(table->rowCount() == rows);
        CHECK(window.eventView()->scope() == ViewScope::stream(streamName));
    }

    SECTION("the type filter narrows the global log to that type")
    {
        window.eventView()->setScope(ViewScope::all());
        FilterBar* bar = window.eventView()->filterBar();
        bar->setTypes(selected.type);
        bar->apply();
        CHECK(bar->errorText().isEmpty());
        REQUIRE(waitFor([&] { return tableSettled(table); }, Timeout));
        for (int row = 0; row < qMin(table->rowCount(), 50); ++row) {
            const auto e = loadedEvent(table, row);
            REQUIRE(e);
            CHECK(e->type == selected.type);
        }
    }

    SECTION("go to position selects that event in the global log")
    {
        window.eventView()->setScope(ViewScope::all());
        REQUIRE(waitFor([&] { return tableSettled(table); }, Timeout));
        const qint64 target = first->position + 12345;
        window.eventView()->goToKey(target);
        REQUIRE(waitFor(
            [&] { return window.inspector()->event() && window.inspector()->event()->position == target; }, Timeout));
    }

    SECTION("the correlation link lists the events sharing the correlation id")
    {
        REQUIRE_FALSE(selected.correlationId.isEmpty());
        window.showCorrelated(selected);
        CHECK(window.eventView()->scope() == ViewScope::all());
        CHECK(window.eventView()->filterBar()->query().contains(selected.correlationId));
        REQUIRE(waitFor([&] { return tableSettled(table); }, Timeout));
        bool foundSelf = false;
        for (int row = 0; row < table->rowCount(); ++row) {
            const auto e = loadedEvent(table, row);
            REQUIRE(e);
            CHECK(e->correlationId == selected.correlationId);
            foundSelf = foundSelf || e->position == selected.position;
        }
        CHECK(foundSelf);
    }

    SECTION("the causation link jumps to the causing event")
    {
        std::optional<Event> caused;
        for (int row = 0; row < table->rowCount() && !caused; ++row) {
            const auto e = loadedEvent(table, row);
            // A process's first event is caused by an outside command (causation = correlation id): skip those.
            if (e && !e->causationId.isEmpty() && e->causationId != e->correlationId)
                caused = e;
        }
        REQUIRE(caused);
        INFO("caused " << caused->position << " causation " << caused->causationId.toStdString());
        window.goToCausation(*caused);
        REQUIRE(waitFor(
            [&] { return window.inspector()->event() && window.inspector()->event()->id == caused->causationId; },
            Timeout));
        CHECK(window.inspector()->event()->position < caused->position);
        CHECK(window.eventView()->scope() == ViewScope::all());
    }
}

TEST_CASE("opening a file that is not SQLite shows an error in the window and the app keeps working")
{
    DemoStore demo;
    const QString bogus = demo.dir.filePath(QStringLiteral("notes.sqlite"));
    {
        QFile f(bogus);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("This is a text file, not a database.\n").repeated(200));
    }
    MainWindow window;
    window.show();

    QSignalSpy failed(&window, &MainWindow::storeFailed);
    window.openStore(bogus);
    REQUIRE(waitFor([&] { return failed.count() == 1; }, Timeout));
    CHECK(window.banner()->isVisible());
    CHECK(window.banner()->kind() == MessageBanner::Kind::Error);
    CHECK(window.banner()->text().contains(QStringLiteral("notes.sqlite")));
    CHECK(window.session() == nullptr);

    // The window still opens a good store, and a bad one afterwards leaves the good one showing.
    openAndWait(window, demo.path);
    CHECK_FALSE(window.banner()->isVisible());
    const int rows = window.eventView()->model()->rowCount();
    window.openStore(bogus);
    REQUIRE(waitFor([&] { return failed.count() == 2; }, Timeout));
    CHECK(window.banner()->isVisible());
    CHECK(window.session() != nullptr);
    CHECK(window.eventView()->model()->rowCount() == rows);
    CHECK(loadedEvent(window.eventView()->model(), rows - 1).has_value());

    // The recent list holds the good store only.
    CHECK(Settings::instance()->recentStores() == QStringList { demo.path });
}
