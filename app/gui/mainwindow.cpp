#include "mainwindow.h"

#include "aboutdialog.h"
#include "activityview.h"
#include "browsecontroller.h"
#include "cache/scopecounts.h"
#include "cachecontroller.h"
#include "casecontroller.h"
#include "demostore.h"
#include "diffwindow.h"
#include "eventinspector.h"
#include "eventview.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "flowcontroller.h"
#include "followcontroller.h"
#include "gotodialog.h"
#include "gotostreamdialog.h"
#include "mappingwizard.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "nav/eventnavigator.h"
#include "navigationcontroller.h"
#include "openstoredialog.h"
#include "preferencesdialog.h"
#include "projectionsview.h"
#include "reconcileview.h"
#include "settings.h"
#include "shortcutsdialog.h"
#include "startpage.h"
#include "store/storesession.h"
#include "streambrowser.h"
#include "themecontroller.h"
#include "timetravelwindow.h"
#include "typesview.h"
#include "windowfit.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

namespace es {

namespace {

QIcon themeIcon(const char* name, QStyle::StandardPixmap fallback, const QStyle*)
{
    return ThemeController::icon(QLatin1String(name), fallback);
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_eventView(new EventView(this))
    , m_streamBrowser(new StreamBrowser(this))
    , m_inspector(new EventInspector(this))
    , m_banner(new MessageBanner(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("EventScope"));
    setWindowIcon(QIcon::fromTheme(
        QStringLiteral("io.eventscope.EventScope"), QIcon(QStringLiteral(":/icons/io.eventscope.EventScope.svg"))));

    // The banner above both pages: an error opening a store shows on the start page too.
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_startPage = new StartPage(this));
    m_pages->addWidget(m_eventView);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_banner);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    createDocks();
    createActions();
    createStatusBar();

    connect(m_streamBrowser, &StreamBrowser::scopeRequested, m_eventView, &EventView::setScope);
    connect(m_streamBrowser, &StreamBrowser::failed, this, &MainWindow::showFailure);
    connect(m_eventView, &EventView::currentEventChanged, m_inspector, &EventInspector::setEvent);
    connect(m_eventView, &EventView::errorOccurred, this, &MainWindow::showError);
    connect(m_eventView, &EventView::failed, this, &MainWindow::showFailure);
    connect(m_eventView, &EventView::timeTravelRequested, this,
        [this](const QString& stream, qint64 version) { openTimeTravel(stream, version); });
    connect(
        m_eventView, &EventView::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(m_eventView, &EventView::scopeChanged, this,
        [this](const ViewScope& scope) { m_globalLogAction->setEnabled(scope.kind != ViewScope::Kind::All); });
    connect(m_eventView->model(), &EventTableModel::rowCountKnown, this, &MainWindow::updateStatus);
    connect(m_inspector, &EventInspector::correlationRequested, this, &MainWindow::showCorrelated);
    connect(m_inspector, &EventInspector::causationRequested, this, &MainWindow::goToCausation);
    connect(m_inspector, &EventInspector::streamRequested, this, &MainWindow::showStream);
    connect(m_inspector, &EventInspector::filterRequested, this, [this](const QString& condition) {
        m_eventView->filterBar()->setQuery(condition);
        m_eventView->filterBar()->apply();
    });

    auto* settings = Settings::instance();
    connect(settings, &Settings::recentStoresChanged, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    connectStartPage();
    windowfit::restore(this, QStringLiteral("main"), QSize(1480, 920));
    restoreState(settings->windowState());
    windowfit::keepCentralRoom(this);
    parkDocks(true);
    updateStatus();
}

MainWindow::~MainWindow()
{
    // Views first: their models hold pointers to the sessions deleted with this window.
    m_eventView->setSession(nullptr);
    m_streamBrowser->setSession(nullptr);
    m_projections->setSession(nullptr);
    m_activity->setSession(nullptr);
    m_types->setSession(nullptr);
    m_reconcile->setSession(nullptr);
}

StoreSession* MainWindow::session() const
{
    return m_session.data();
}

bool MainWindow::isOpening() const
{
    return !m_opening.isNull();
}

void MainWindow::createDocks()
{
    auto* streams = new QDockWidget(tr("Streams"), this);
    streams->setObjectName(QStringLiteral("streamsDock"));
    streams->setWidget(m_streamBrowser);
    addDockWidget(Qt::LeftDockWidgetArea, streams);

    auto* inspector = new QDockWidget(tr("Inspector"), this);
    inspector->setObjectName(QStringLiteral("inspectorDock"));
    inspector->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspector);
    resizeDocks({ streams, inspector }, { 270, 400 }, Qt::Horizontal);
    m_navigation = new NavigationController(this);
    splitDockWidget(streams, m_navigation->dock(), Qt::Vertical);
    resizeDocks({ streams, m_navigation->dock() }, { 560, 220 }, Qt::Vertical);

    m_projections = new ProjectionsView(this);
    auto* projections = new QDockWidget(tr("Projections"), this);
    projections->setObjectName(QStringLiteral("projectionsDock"));
    projections->setWidget(m_projections);
    addDockWidget(Qt::BottomDockWidgetArea, projections);
    projections->hide();
    connect(m_projections, &ProjectionsView::openRequested, this, [this](const EventFilter& scope, qint64 key) {
        m_eventView->filterBar()->clear();
        const ViewScope target = scope.isStream() ? ViewScope::stream(scope.stream)
            : scope.category.isEmpty()            ? ViewScope::all()
                                                  : ViewScope::category(scope.category);
        if (m_eventView->scope() != target)
            m_eventView->setScope(target);
        else
            m_eventView->applyFilter();
        m_eventView->goToKey(key);
    });
    m_follow = new FollowController(m_eventView->scrollBar(), m_eventView->model(), this);
    connect(m_follow, &FollowController::headsChanged, this, &MainWindow::updateStatus);

    m_activity = new ActivityView(this);
    auto* activity = new QDockWidget(tr("Activity"), this);
    activity->setObjectName(QStringLiteral("activityDock"));
    activity->setWidget(m_activity);
    addDockWidget(Qt::BottomDockWidgetArea, activity);
    activity->hide();
    activity->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_activity->attach(m_eventView, m_follow);

    m_types = new TypesView(this);
    auto* types = new QDockWidget(tr("Types"), this);
    types->setObjectName(QStringLiteral("typesDock"));
    types->setWidget(m_types);
    addDockWidget(Qt::BottomDockWidgetArea, types);
    types->hide();
    types->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    connect(m_eventView, &EventView::scopeChanged, m_types, [this](const ViewScope& scope) {
        EventFilter filter;
        if (scope.kind == ViewScope::Kind::Stream)
            filter.stream = scope.name;
        else if (scope.kind == ViewScope::Kind::Category)
            filter.category = scope.name;
        m_types->setScope(filter, scope.kind == ViewScope::Kind::All ? tr("Global log") : scope.name);
    });
    connect(m_types, &TypesView::openRequested, this,
        [this](const QString& type, const QString& condition, qint64 position) {
            m_eventView->filterBar()->clear();
            m_eventView->filterBar()->setTypes(type);
            m_eventView->filterBar()->setQuery(condition);
            m_eventView->applyFilter();
            // Catalog positions are global; a stream's rows are keyed by version, so there it only filters.
            if (m_eventView->scope().kind != ViewScope::Kind::Stream)
                m_eventView->goToKey(position);
        });
    m_flows = new FlowController(this);
    connect(m_eventView, &EventView::flowRequested, m_flows, &FlowController::openFromEvent);
    connect(m_inspector, &EventInspector::flowRequested, m_flows, &FlowController::openFromEvent);
    connect(
        m_flows, &FlowController::eventActivated, m_inspector, [this](const Event& e) { m_inspector->setEvent(e); });
    connect(m_flows, &FlowController::timeTravelRequested, this,
        [this](const QString& s, qint64 v) { openTimeTravel(s, v); });
    connect(m_flows, &FlowController::showInTableRequested, this, [this](qint64 position) {
        m_eventView->filterBar()->clear();
        m_eventView->setScope(ViewScope::all());
        m_eventView->goToKey(position);
    });
    m_reconcile = new ReconcileView(this);
    auto* reconcile = new QDockWidget(tr("Reconcile"), this);
    reconcile->setObjectName(QStringLiteral("reconcileDock"));
    reconcile->setWidget(m_reconcile);
    addDockWidget(Qt::BottomDockWidgetArea, reconcile);
    reconcile->hide();
    reconcile->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    connect(m_reconcile, &ReconcileView::timeTravelRequested, this,
        [this](const QString& stream, qint64 version) { openTimeTravel(stream, version); });
}

void MainWindow::createActions()
{
    const QStyle* s = style();
    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    auto* openAction = fileMenu->addAction(
        themeIcon("document-open", QStyle::SP_DialogOpenButton, s), tr("&Open Store…"), this, [this] { openDialog(); });
    openAction->setShortcut(QKeySequence::Open);
    openAction->setToolTip(tr("Open an event store (a SQLite file or an address)"));
    m_recentMenu = fileMenu->addMenu(themeIcon("document-open-recent", QStyle::SP_DirIcon, s), tr("Open &Recent"));
    m_closeAction = fileMenu->addAction(tr("&Close Store"), this, &MainWindow::closeStore);
    m_closeAction->setShortcut(QKeySequence::Close);
    fileMenu->addSeparator();
    auto* exportAction = fileMenu->addAction(
        themeIcon("document-save-as", QStyle::SP_DialogSaveButton, s), tr("&Export…"), this, &MainWindow::exportDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setToolTip(tr("Export the view, the selection, a stream or the global log to a file (Ctrl+E)"));
    m_case = new CaseController(this);
    m_case->addActions(fileMenu);
    fileMenu->addAction(tr("&Diff With Another Store…"), this, [this] {
        if (!m_session)
            return showError(tr("Open a store to compare it with another."));
        auto* diff = new DiffWindow(m_session, this);
        diff->setAttribute(Qt::WA_DeleteOnClose);
        diff->show();
    });
    fileMenu->addSeparator();
    auto* quitAction = fileMenu->addAction(
        themeIcon("application-exit", QStyle::SP_DialogCloseButton, s), tr("&Quit"), this, &QWidget::close);
    quitAction->setShortcut(QKeySequence::Quit);
    quitAction->setMenuRole(QAction::QuitRole);

    auto* viewMenu = menuBar()->addMenu(tr("&View"));
    m_refreshAction
        = viewMenu->addAction(themeIcon("view-refresh", QStyle::SP_BrowserReload, s), tr("&Refresh"), this, [this] {
              if (!m_session)
                  return;
              m_eventView->refresh();
              updateStatus();
          });
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Read new events appended since the last read (F5)"));
    m_globalLogAction = viewMenu->addAction(themeIcon("go-home", QStyle::SP_DirHomeIcon, s), tr("&Global Log"), this,
        [this] { m_eventView->setScope(ViewScope::all()); });
    m_globalLogAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Home));
    m_globalLogAction->setEnabled(false);
    auto* filterAction = viewMenu->addAction(themeIcon("view-filter", QStyle::SP_FileDialogContentsView, s),
        tr("&Filter Events…"), this, [this] { m_eventView->filterBar()->focusQuery(); });
    filterAction->setShortcut(QKeySequence::Find);
    auto* filterStreams = viewMenu->addAction(tr("Filter &Streams…"), this, [this] { m_streamBrowser->focusFilter(); });
    filterStreams->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    viewMenu->addAction(m_follow->action());
    viewMenu->addSeparator();

    auto* goMenu = menuBar()->addMenu(tr("&Go"));
    m_goToAction = goMenu->addAction(
        themeIcon("go-jump", QStyle::SP_ArrowRight, s), tr("Go to &Position or Time…"), this, &MainWindow::goToDialog);
    m_goToAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_goToStreamAction = goMenu->addAction(themeIcon("go-next", QStyle::SP_FileDialogDetailedView, s),
        tr("Go to &Stream…"), this, &MainWindow::goToStreamDialog);
    m_goToStreamAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    goMenu->addAction(m_globalLogAction);
    goMenu->addSeparator();
    m_timeTravelAction = goMenu->addAction(tr("&Time Travel…"), this, &MainWindow::timeTravelFromSelection);
    m_timeTravelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_flows->addMenuActions(goMenu);
    m_timeTravelAction->setToolTip(
        tr("Replay the selected stream, or the selected event's stream from that event (Ctrl+T)"));
    auto* streamTimeTravel = new QAction(tr("Time Travel…"), m_streamBrowser->tree());
    connect(streamTimeTravel, &QAction::triggered, this, [this] {
        const QString stream = m_streamBrowser->tree()->currentIndex().data(StreamTreeModel::StreamNameRole).toString();
        if (!stream.isEmpty())
            openTimeTravel(stream);
    });
    m_streamBrowser->tree()->addAction(streamTimeTravel);
    goMenu->addSeparator();
    m_navigation->addToMenu(goMenu);
    m_streamBrowser->tree()->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto* toolsMenu = menuBar()->addMenu(tr("&Tools"));
    auto* cache = new CacheController(this);
    toolsMenu->addAction(cache->clearAction());
    connect(toolsMenu, &QMenu::aboutToShow, cache->clearAction(), &QAction::hover);
    connect(cache, &CacheController::cleared, this, [this](const QString& m) { statusBar()->showMessage(m, 5000); });
    toolsMenu->addSeparator();
    auto* preferences = toolsMenu->addAction(tr("&Preferences…"), this, [this] { PreferencesDialog(this).exec(); });
    preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    preferences->setMenuRole(QAction::PreferencesRole);

    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&Keyboard Shortcuts"), this, [this] { ShortcutsDialog(this, this).exec(); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    helpMenu->addAction(tr("&Documentation"), this,
        [] { QDesktopServices::openUrl(QUrl(AboutDialog::homepage() + QStringLiteral("#readme"))); });
    helpMenu->addAction(tr("&About EventScope"), this, &MainWindow::about);
    helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    auto* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addActions({ m_navigation->backAction(), m_navigation->forwardAction() });
    toolBar->addAction(openAction);
    toolBar->addAction(m_refreshAction);
    toolBar->addAction(m_follow->action());
    toolBar->addSeparator();
    toolBar->addAction(m_globalLogAction);
    toolBar->addAction(m_goToAction);
    toolBar->addAction(m_goToStreamAction);

    for (auto* dock : findChildren<QDockWidget*>())
        viewMenu->addAction(dock->toggleViewAction());
    viewMenu->addAction(toolBar->toggleViewAction());

    (new BrowseController(this))->addToViewMenu(viewMenu);

    m_storeActions = { m_refreshAction, m_goToAction, m_goToStreamAction, m_closeAction, exportAction,
        m_timeTravelAction, m_follow->action(), filterAction, streamTimeTravel };
    for (QAction* a : m_storeActions)
        a->setEnabled(false);
}

TimeTravelWindow* MainWindow::openTimeTravel(const QString& stream, qint64 version)
{
    if (!m_session || stream.isEmpty())
        return nullptr;
    auto* window = new TimeTravelWindow(m_session, stream, version, this);
    m_navigation->attach(window);
    if (!m_case->reducerKey().isEmpty())
        window->selectReducer(m_case->reducerKey()); // a case file names the reducer its author used
    window->show();
    return window;
}

void MainWindow::timeTravelFromSelection()
{
    const QString browsed = m_streamBrowser->tree()->currentIndex().data(StreamTreeModel::StreamNameRole).toString();
    if (m_streamBrowser->tree()->hasFocus() && !browsed.isEmpty()) {
        openTimeTravel(browsed);
        return;
    }
    if (const auto event = m_eventView->currentEvent(); event && !event->stream.isEmpty()) {
        openTimeTravel(event->stream, event->version);
        return;
    }
    if (m_eventView->scope().kind == ViewScope::Kind::Stream) {
        openTimeTravel(m_eventView->scope().name);
        return;
    }
    if (!browsed.isEmpty()) {
        openTimeTravel(browsed);
        return;
    }
    m_banner->showMessage(tr("Select a stream or an event to time travel through."), MessageBanner::Kind::Info);
}

void MainWindow::openDialog(bool postgres)
{
    OpenStoreDialog dialog(Settings::instance()->lastDirectory(), this);
    if (postgres)
        dialog.showPostgresForm();
    if (dialog.exec() != QDialog::Accepted || dialog.address().isEmpty())
        return;
    openStore(dialog.address(), dialog.options());
}

void MainWindow::goToDialog()
{
    if (!m_session)
        return;
    GoToDialog dialog(m_eventView->scope().kind == ViewScope::Kind::Stream, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto target = dialog.target();
    if (!target)
        return;
    if (target->key)
        m_eventView->goToKey(*target->key);
    else
        m_eventView->goToTime(target->time);
}

void MainWindow::goToStreamDialog()
{
    if (!m_session)
        return;
    GoToStreamDialog dialog(m_session, this);
    if (dialog.exec() != QDialog::Accepted || dialog.stream().isEmpty())
        return;
    showStream(dialog.stream());
}

void MainWindow::showStream(const QString& stream)
{
    m_eventView->setScope(ViewScope::stream(stream));
}

void MainWindow::jumpTo(qint64 position)
{
    const bool filtered = m_eventView->filterBar()->isActive();
    m_eventView->filterBar()->clear();
    if (m_eventView->scope().kind != ViewScope::Kind::All)
        m_eventView->setScope(ViewScope::all());
    else if (filtered)
        m_eventView->applyFilter();
    m_eventView->goToKey(position);
}

void MainWindow::showCorrelated(const Event& event)
{
    const EventNavigator::Correlation found = EventNavigator(m_info.links).correlation(event);
    if (found.kind == EventNavigator::Correlation::Kind::None)
        return;
    if (found.kind == EventNavigator::Correlation::Kind::Unreachable) {
        // The id comes from a column of the layout's (Commanded's correlation_id), which metadata filters do not
        // reach: the flow lookup reads it where the profile says.
        m_flows->openCorrelation(event.correlationId, event.position);
        return;
    }
    FilterBar* bar = m_eventView->filterBar();
    bar->clear();
    bar->setQuery(found.condition.toString());
    if (m_eventView->scope().kind != ViewScope::Kind::All)
        m_eventView->setScope(ViewScope::all());
    else
        m_eventView->applyFilter();
}

void MainWindow::goToCausation(const Event& event)
{
    if (!m_session)
        return;
    using Kind = EventNavigator::Causation::Kind;
    const EventNavigator::Causation cause = EventNavigator(m_info.links).causation(event);
    switch (cause.kind) {
    case Kind::None:
        return;
    case Kind::Position:
        jumpTo(cause.position);
        return;
    case Kind::NotAPosition:
        m_inspector->showCausationNote(event.causationId, tr("not an event in this store"));
        return;
    case Kind::Unreachable:
        m_banner->showMessage(
            tr("This layout does not keep event ids in the metadata, so the causation event cannot be looked up."),
            MessageBanner::Kind::Warning);
        return;
    case Kind::Lookup:
        break;
    }
    const QString causation = event.causationId;
    statusBar()->showMessage(tr("Looking for the causation event %1…").arg(causation));
    m_session->run<qint64>(
        StoreSession::Lane::Interactive, this,
        [cause](EventStore& store) { return EventNavigator::locate(store, cause); },
        [this, causation](qint64 position) {
            statusBar()->clearMessage();
            if (position < 0) {
                m_inspector->showCausationNote(causation, tr("not an event in this store"));
                return;
            }
            jumpTo(position);
        },
        [this](const Failure& failure) {
            statusBar()->clearMessage();
            showError(tr("Could not look up the causation event: %1").arg(failure.message));
        });
}

void MainWindow::about()
{
    AboutDialog(this).exec();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    Settings* settings = Settings::instance();
    windowfit::save(this, QStringLiteral("main"));
    parkDocks(false); // the docks the user chose, not the start page's empty window
    settings->setWindowState(saveState());
    settings->sync();
    QMainWindow::closeEvent(event);
}

void MainWindow::exportDialog()
{
    if (!m_session) {
        m_banner->showMessage(tr("Open a store to export its events."), MessageBanner::Kind::Info);
        return;
    }
    ExportDialog::Context context;
    context.session = m_session;
    context.storeName = m_info.address;
    context.viewFilter = m_eventView->model()->filter();
    const ViewScope scope = m_eventView->scope();
    context.viewDescription = scope.kind == ViewScope::Kind::All ? tr("global log")
        : scope.kind == ViewScope::Kind::Category                ? tr("category %1").arg(scope.name)
                                                                 : tr("stream %1").arg(scope.name);
    if (m_eventView->model()->filter().hasPredicates())
        context.viewDescription += tr(", filtered");
    // Only loaded rows have a key; a selection is what the user could see.
    for (const qint64 key : m_eventView->selectedKeys())
        context.selectedKeys.push_back(key);
    if (scope.kind == ViewScope::Kind::Stream)
        context.stream = scope.name;
    else if (const auto event = m_eventView->currentEvent())
        context.stream = event->stream;
    auto* dialog = new ExportDialog(std::move(context), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExportDialog::exportEnded, this,
        [this](const QString& message, bool) { statusBar()->showMessage(message, 15000); });
    dialog->open();
}

} // namespace es
