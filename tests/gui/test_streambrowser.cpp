#include <catch2/catch.hpp>

#include "columnchooser.h"
#include "display/timeformat.h"
#include "eventinspector.h"
#include "eventview.h"
#include "exportdialog.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "samplewriter.h"
#include "settings.h"
#include "streambrowser.h"
#include "testutils.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>

#include <climits>
#include <ctime>
#include <memory>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

struct Demo {
    QTemporaryDir dir;
    QString path;
    Demo()
    {
        Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
        path = dir.filePath(QStringLiteral("demo.sqlite"));
        writeSampleStore(path, SampleOptions { 3000, 7, QStringLiteral("emmett") });
    }
};

void openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(path);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor([&] { return window.eventView()->model()->rowCount() > 0; }, Timeout));
    auto* streams = window.streamBrowser()->model();
    REQUIRE(waitFor([&] { return streams->rowCount() > 0 && !streams->isLoading(); }, Timeout));
}

QModelIndex loadedCategory(StreamTreeModel* model, QTreeView* tree, int row)
{
    const QModelIndex category = model->index(row, 0);
    tree->expand(category);
    REQUIRE(waitFor(
        [&] {
            if (model->canFetchMore(category))
                model->fetchMore(category);
            return model->rowCount(category) > 0 && !model->isLoading() && !model->canFetchMore(category);
        },
        Timeout));
    return category;
}

QStringList actionTexts(const QList<QAction*>& actions)
{
    QStringList texts;
    for (QAction* a : actions) {
        if (!a->isSeparator())
            texts << a->text();
    }
    return texts;
}

} // namespace

TEST_CASE("Stream browser: header clicks sort in the database; the open stream is bold; keys reach the list",
    "[gui][streams]")
{
    Demo demo;
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    openAndWait(window, demo.path);
    StreamBrowser* browser = window.streamBrowser();
    StreamTreeModel* model = browser->model();
    QTreeView* tree = browser->tree();
    QHeaderView* header = tree->header();

    CHECK(model->columnCount() == 3);
    CHECK(model->headerData(StreamTreeModel::LastActivityColumn, Qt::Horizontal).toString()
        == QStringLiteral("Last activity"));

    auto clickHeader = [&](int section) {
        const int x = header->sectionViewportPosition(section) + 5;
        if (x < header->viewport()->width()) {
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        } else { // scrolled out of a narrow dock: what a first click does
            header->setSortIndicator(
                section, Qt::SortOrder(model->headerData(section, Qt::Horizontal, Qt::InitialSortOrderRole).toInt()));
        }
    };
    // A click on QStringLiteral("Last activity") sorts most recent first: the database orders, the model keeps its
    // pages.
    clickHeader(StreamTreeModel::LastActivityColumn);
    CHECK(model->order() == StreamOrder::LastActivity);
    CHECK(model->isDescending());
    REQUIRE(waitFor([&] { return model->rowCount() > 0 && !model->isLoading(); }, Timeout));
    // Categories and streams by their last event, newest first.
    QDateTime previous;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QDateTime t = model->index(row, 0).data(StreamTreeModel::LastTimeRole).toDateTime();
        REQUIRE(t.isValid());
        if (previous.isValid())
            CHECK(t <= previous);
        previous = t;
    }
    const QModelIndex category = loadedCategory(model, tree, 0);
    const QString expanded = category.data(StreamTreeModel::CategoryRole).toString();
    previous = QDateTime();
    for (int row = 0; row < model->rowCount(category); ++row) {
        const QModelIndex stream = model->index(row, StreamTreeModel::LastActivityColumn, category);
        const QDateTime t = stream.data(StreamTreeModel::LastTimeRole).toDateTime();
        REQUIRE(t.isValid());
        CHECK(stream.data().toString() == TimeFormat::format(t, TimeFormat::Precision::Seconds));
        if (previous.isValid())
            CHECK(t <= previous);
        previous = t;
    }

    // Events, most first; the expanded category stays open across the new read.
    clickHeader(StreamTreeModel::EventsColumn);
    CHECK(model->order() == StreamOrder::Events);
    REQUIRE(waitFor([&] { return model->rowCount() > 0 && !model->isLoading(); }, Timeout));
    const QModelIndexList found
        = model->match(model->index(0, 0), StreamTreeModel::CategoryRole, expanded, 1, Qt::MatchExactly);
    REQUIRE(found.size() == 1);
    const QModelIndex again = found.front();
    REQUIRE(
        waitFor([&] { return tree->isExpanded(again) && model->rowCount(again) > 1 && !model->isLoading(); }, Timeout));
    qint64 most = LLONG_MAX;
    for (int row = 0; row < model->rowCount(again); ++row) {
        const qint64 events = model->index(row, 0, again).data(StreamTreeModel::EventCountRole).toLongLong();
        CHECK(events <= most);
        most = events;
    }

    // The stream the table shows is drawn in bold (its category too).
    const QModelIndex first = model->index(0, 0, again);
    const QString name = first.data(StreamTreeModel::StreamNameRole).toString();
    tree->setCurrentIndex(first);
    REQUIRE(waitFor([&] { return window.eventView()->scope() == ViewScope::stream(name); }, Timeout));
    CHECK(first.data(StreamTreeModel::IsOpenRole).toBool());
    CHECK(again.data(StreamTreeModel::IsOpenRole).toBool());
    window.eventView()->setScope(ViewScope::all());
    CHECK_FALSE(first.data(StreamTreeModel::IsOpenRole).toBool());

    // Down in the filter box goes to the list; Enter applies the filter at once and selects the first match.
    tree->setCurrentIndex(QModelIndex());
    QLineEdit* filter = browser->filterEdit();
    filter->setFocus();
    QTest::keyClick(filter, Qt::Key_Down);
    CHECK(window.focusWidget() == tree);
    CHECK(tree->currentIndex() == model->index(0, 0));
    filter->setFocus();
    filter->setText(name);
    QTest::keyClick(filter, Qt::Key_Return);
    CHECK(model->filterText() == name);
    REQUIRE(waitFor([&] { return tree->currentIndex().isValid(); }, Timeout));
    CHECK(window.focusWidget() == tree);
    CHECK(browser->currentStream() == name);
    CHECK(waitFor([&] { return window.eventView()->scope() == ViewScope::stream(name); }, Timeout));
}

TEST_CASE("Stream browser: the context menu has the event table's actions for a stream", "[gui][streams]")
{
    Demo demo;
    MainWindow window;
    window.show();
    openAndWait(window, demo.path);
    StreamBrowser* browser = window.streamBrowser();
    QTreeView* tree = browser->tree();
    const QModelIndex category = loadedCategory(browser->model(), tree, 0);

    // On a category only what applies to one is enabled.
    tree->setCurrentIndex(category);
    CHECK(browser->showAction()->isEnabled());
    CHECK_FALSE(browser->exportAction()->isEnabled());
    CHECK_FALSE(browser->flowAction()->isEnabled());

    const QModelIndex stream = browser->model()->index(0, 0, category);
    const QString name = stream.data(StreamTreeModel::StreamNameRole).toString();
    tree->setCurrentIndex(stream);
    CHECK(tree->contextMenuPolicy() == Qt::ActionsContextMenu);
    const QStringList texts = actionTexts(tree->actions());
    CHECK(texts.mid(0, 3)
        == QStringList { QStringLiteral("Show Events"), QStringLiteral("Show Flow of First Event"),
            QStringLiteral("Export Stream…") });
    CHECK(texts.contains(QStringLiteral("Time Travel…")));
    CHECK(texts.contains(QStringLiteral("Copy Link to Stream")));
    for (QAction* a : { browser->showAction(), browser->flowAction(), browser->exportAction() })
        CHECK(a->isEnabled());

    // Show Events from elsewhere goes back to the stream.
    window.eventView()->setScope(ViewScope::all());
    browser->showAction()->trigger();
    CHECK(window.eventView()->scope() == ViewScope::stream(name));

    // Export opens the export dialog on that stream.
    browser->exportAction()->trigger();
    ExportDialog* dialog = nullptr;
    REQUIRE(waitFor([&] { return (dialog = window.findChild<ExportDialog*>()) != nullptr && dialog->isVisible(); }));
    CHECK(dialog->scope() == ExportDialog::Scope::Stream);
    dialog->reject();

    // The flow action reads the stream's first event and opens its flow.
    QSignalSpy flow(browser, &StreamBrowser::flowRequested);
    browser->flowAction()->trigger();
    REQUIRE(waitFor([&] { return flow.count() == 1; }, Timeout));
    const Event first = flow.at(0).at(0).value<Event>();
    CHECK(first.stream == name);
    CHECK(first.version
        == browser->model()
               ->index(0, 0, category)
               .data(StreamTreeModel::StreamInfoRole)
               .value<StreamInfo>()
               .firstVersion);
}

TEST_CASE("Column chooser: the header menu hides columns, keeps them in the settings and resets", "[gui][columns]")
{
    Demo demo;
    QStringList hiddenAfter;
    {
        MainWindow window;
        window.show();
        openAndWait(window, demo.path);
        QHeaderView* header = window.eventView()->table()->horizontalHeader();
        auto* chooser = header->findChild<ColumnChooser*>();
        if (!chooser)
            chooser = window.eventView()->findChild<ColumnChooser*>();
        REQUIRE(chooser);
        CHECK(header->contextMenuPolicy() == Qt::CustomContextMenu);
        std::unique_ptr<QMenu> menu(chooser->createMenu(nullptr));
        QStringList titles;
        for (QAction* a : menu->actions()) {
            if (a->isCheckable()) {
                titles << a->text();
                CHECK(a->isChecked());
            }
        }
        CHECK(titles.contains(QStringLiteral("Time")));
        CHECK(titles.contains(QStringLiteral("Version")));
        // Hide Version through the menu.
        for (QAction* a : menu->actions()) {
            if (a->text() == QStringLiteral("Version"))
                a->toggle();
        }
        CHECK(header->isSectionHidden(EventTableModel::VersionColumn));
        CHECK(
            Settings::instance()->hiddenColumns(QStringLiteral("events")) == QStringList { QStringLiteral("Version") });
        hiddenAfter = chooser->hiddenTitles();
        // The last column shown cannot be hidden.
        for (int s = 0; s < header->count(); ++s)
            chooser->setColumnVisible(s, false);
        CHECK(header->count() - header->hiddenSectionCount() == 1);
        std::unique_ptr<QMenu> last(chooser->createMenu(nullptr));
        for (QAction* a : last->actions()) {
            if (a->isCheckable() && a->isChecked())
                CHECK_FALSE(a->isEnabled());
        }
        for (int s = 0; s < header->count(); ++s)
            chooser->setColumnVisible(s, s != EventTableModel::VersionColumn);
    }
    CHECK(hiddenAfter == QStringList { QStringLiteral("Version") });
    {
        // A new window (a new session) hides it again, also after the model resets.
        MainWindow window;
        window.show();
        openAndWait(window, demo.path);
        QHeaderView* header = window.eventView()->table()->horizontalHeader();
        CHECK(header->isSectionHidden(EventTableModel::VersionColumn));
        window.eventView()->setScope(ViewScope::category(QStringLiteral("order")));
        CHECK(header->isSectionHidden(EventTableModel::VersionColumn));
        auto* chooser = window.eventView()->findChild<ColumnChooser*>();
        REQUIRE(chooser);
        std::unique_ptr<QMenu> menu(chooser->createMenu(nullptr));
        QAction* reset = menu->findChild<QAction*>(QStringLiteral("resetColumns"));
        if (!reset) {
            for (QAction* a : menu->actions()) {
                if (a->objectName() == QStringLiteral("resetColumns"))
                    reset = a;
            }
        }
        REQUIRE(reset);
        reset->trigger();
        CHECK_FALSE(header->isSectionHidden(EventTableModel::VersionColumn));
        CHECK(Settings::instance()->hiddenColumns(QStringLiteral("events")).isEmpty());
    }
}

TEST_CASE("Times in UTC: one switch changes the table, the browser and the inspector", "[gui][timeformat]")
{
    Demo demo;
    qputenv("TZ", "Asia/Kolkata");
    tzset();
    MainWindow window;
    window.show();
    openAndWait(window, demo.path);
    QAction* utc = window.findChild<QAction*>(QStringLiteral("timesInUtc"));
    REQUIRE(utc);
    CHECK(utc->isChecked());
    CHECK(TimeFormat::instance()->isUtc());

    EventTableModel* table = window.eventView()->model();
    std::optional<Event> event;
    REQUIRE(waitFor([&] { return (event = table->eventAt(0)).has_value(); }, Timeout));
    const QModelIndex timeCell = table->index(0, EventTableModel::TimeColumn);
    CHECK(timeCell.data().toString() == event->time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    window.eventView()->selectRow(0);
    auto* timeLabel = window.inspector()->findChild<QLabel*>(QStringLiteral("inspectorTime"));

    utc->trigger();
    CHECK_FALSE(TimeFormat::instance()->isUtc());
    CHECK_FALSE(Settings::instance()->timesInUtc());
    const QString local
        = event->time.toOffsetFromUtc(5 * 3600 + 1800).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    CHECK(timeCell.data().toString() == local);
    if (timeLabel)
        CHECK(timeLabel->text().contains(local));
    // The browser's last activity follows.
    StreamTreeModel* streams = window.streamBrowser()->model();
    const QModelIndex lastActivity = streams->index(0, StreamTreeModel::LastActivityColumn);
    const QDateTime t = lastActivity.data(StreamTreeModel::LastTimeRole).toDateTime();
    if (t.isValid())
        CHECK(lastActivity.data().toString()
            == t.toOffsetFromUtc(5 * 3600 + 1800).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));

    utc->trigger();
    CHECK(TimeFormat::instance()->isUtc());
    CHECK(Settings::instance()->timesInUtc());
    CHECK(timeCell.data().toString() == event->time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    qunsetenv("TZ");
    tzset();
}

TEST_CASE("Stream browser: a narrow dock shows whole names, a wide one the events and last activity too",
    "[gui][streams][narrow]")
{
    Demo demo;
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    openAndWait(window, demo.path);
    StreamBrowser* browser = window.streamBrowser();
    QHeaderView* header = browser->tree()->header();
    REQUIRE(waitFor([&] { return browser->model()->rowCount() > 0; }, Timeout));

    QDockWidget* dock = nullptr;
    for (QWidget* w = browser; w && !dock; w = w->parentWidget())
        dock = qobject_cast<QDockWidget*>(w);
    REQUIRE(dock);
    const auto fitted = [&](int width) {
        window.resizeDocks({ dock }, { width }, Qt::Horizontal);
        QApplication::processEvents();
        return browser->tree()->viewport()->width();
    };
    INFO("viewport " << fitted(160)); // the Streams dock at 1024x700
    CHECK(header->isSectionHidden(StreamTreeModel::LastActivityColumn));
    CHECK(header->isSectionHidden(StreamTreeModel::EventsColumn));
    const int viewport = browser->tree()->viewport()->width();
    CHECK(header->sectionSize(StreamTreeModel::NameColumn) >= viewport - 1);
    CHECK(browser->tree()->textElideMode() == Qt::ElideMiddle);

    INFO("viewport " << fitted(420));
    CHECK_FALSE(header->isSectionHidden(StreamTreeModel::LastActivityColumn));
    CHECK_FALSE(header->isSectionHidden(StreamTreeModel::EventsColumn));
    CHECK(header->sectionSize(StreamTreeModel::NameColumn)
        >= browser->fontMetrics().horizontalAdvance(QStringLiteral("account-1000000")));
}
