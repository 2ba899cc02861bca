#include "browsecontroller.h"

#include "preferencesdialog.h"
#include <QComboBox>
#include <QTimeZone>

#include "display/timeformat.h"
#include "eventinspector.h"
#include "eventview.h"
#include "exportdialog.h"
#include "flowcontroller.h"
#include "followcontroller.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "preferencesdialog.h"
#include "settings.h"
#include "streambrowser.h"
#include "typemarker.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QMenu>
#include <QStatusBar>
#include <QTableView>
#include <QTimeZone>
#include <QTreeView>

namespace es {

BrowseController::BrowseController(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_utc(new QAction(tr("Times in &UTC"), this))
{
    setObjectName(QStringLiteral("browseController"));
    StreamBrowser* browser = window->streamBrowser();
    EventView* view = window->eventView();

    // The browser's menu: its own actions first, then the window's (copy link, time travel) after a separator.
    QTreeView* tree = browser->tree();
    const QList<QAction*> own { browser->showAction(), browser->flowAction(), browser->exportAction() };
    QList<QAction*> others;
    for (QAction* a : tree->actions()) {
        if (!own.contains(a))
            others.append(a);
    }
    for (QAction* a : tree->actions())
        tree->removeAction(a);
    tree->addActions(own);
    auto* separator = new QAction(tree);
    separator->setSeparator(true);
    tree->addAction(separator);
    tree->addActions(others);

    connect(browser, &StreamBrowser::exportRequested, this, &BrowseController::exportStream);
    connect(browser, &StreamBrowser::flowRequested, window->flows(), &FlowController::openFromEvent);
    connect(view, &EventView::scopeChanged, browser, &StreamBrowser::setOpenScope);
    connect(browser->model(), &QAbstractItemModel::rowsInserted, browser,
        [browser, view] { browser->setOpenScope(view->scope()); });
    connect(window->followController()->follower(), &LiveFollower::eventsArrived, browser->model(),
        &StreamTreeModel::noteEvents);

    view->table()->setItemDelegateForColumn(EventTableModel::TypeColumn, new TypeMarkerDelegate(view->table()));

    m_utc->setObjectName(QStringLiteral("timesInUtc"));
    m_utc->setCheckable(true);
    m_utc->setToolTip(tr("Show times in UTC; off: in this computer's time zone. Exports stay ISO 8601 UTC."));
    TimeFormat* format = TimeFormat::instance();
    format->setZone(Settings::instance()->timesInUtc() ? TimeFormat::Zone::Utc : TimeFormat::Zone::Local);
    m_utc->setChecked(format->isUtc());
    connect(m_utc, &QAction::toggled, format,
        [format](bool utc) { format->setZone(utc ? TimeFormat::Zone::Utc : TimeFormat::Zone::Local); });
    // Preferences shows the same choice as a field that switches it at once.
    PreferencesDialog::setTimesEditorFactory([](QWidget* parent) -> QWidget* {
        auto* box = new QComboBox(parent);
        box->setObjectName(QStringLiteral("timesZone"));
        box->addItem(tr("UTC"), int(TimeFormat::Zone::Utc));
        box->addItem(
            tr("Local time (%1)").arg(QString::fromUtf8(QTimeZone::systemTimeZoneId())), int(TimeFormat::Zone::Local));
        box->setCurrentIndex(TimeFormat::instance()->isUtc() ? 0 : 1);
        connect(box, &QComboBox::activated, box,
            [box](int i) { TimeFormat::instance()->setZone(TimeFormat::Zone(box->itemData(i).toInt())); });
        return box;
    });
    // Whoever switches it (this action, Preferences), the setting and every view follow.
    connect(format, &TimeFormat::zoneChanged, this, [this](TimeFormat::Zone zone) {
        Settings::instance()->setTimesInUtc(zone == TimeFormat::Zone::Utc);
        m_utc->setChecked(zone == TimeFormat::Zone::Utc);
        repaintTimes();
    });
}

void BrowseController::addToViewMenu(QMenu* menu)
{
    menu->addSeparator();
    menu->addAction(m_utc);
}

void BrowseController::repaintTimes()
{
    // Item views ask their models again when they repaint; the inspector shows its event again.
    for (QWidget* widget : QApplication::allWidgets()) {
        if (auto* view = qobject_cast<QAbstractItemView*>(widget))
            view->viewport()->update();
    }
    m_window->inspector()->setEvent(m_window->eventView()->currentEvent());
    m_window->statusBar()->showMessage(TimeFormat::instance()->isUtc()
            ? tr("Times are shown in UTC.")
            : tr("Times are shown in local time (%1).").arg(TimeFormat::zoneLabel()),
        4000);
}

void BrowseController::exportStream(const QString& stream)
{
    if (!m_window->session() || stream.isEmpty())
        return;
    ExportDialog::Context context;
    context.session = m_window->session();
    context.storeName = m_window->storeInfo().address;
    context.viewFilter = m_window->eventView()->model()->filter();
    context.viewDescription = tr("the event table's view");
    context.stream = stream;
    auto* dialog = new ExportDialog(std::move(context), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setScope(ExportDialog::Scope::Stream);
    connect(dialog, &ExportDialog::exportEnded, m_window,
        [this](const QString& message, bool) { m_window->statusBar()->showMessage(message, 15000); });
    dialog->open();
}

} // namespace es
