#include "mainwindow.h"

#include "activityview.h"
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
#include "navigate/eventnavigator.h"
#include "navigationcontroller.h"
#include "openstoredialog.h"
#include "projectionsview.h"
#include "reconcileview.h"
#include "settings.h"
#include "startpage.h"
#include "store/storesession.h"
#include "streambrowser.h"
#include "timetravelwindow.h"
#include "typesview.h"
#include "windowfit.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
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
#include <QVBoxLayout>

namespace es {

namespace {

QIcon themeIcon(const char* name, QStyle::StandardPixmap fallback, const QStyle* style)
{
    return QIcon::fromTheme(QLatin1String(name), style->standardIcon(fallback));
}

QString number(qint64 n)
{
    return n < 0 ? QStringLiteral("…") : QLocale().toString(n);
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
    m_follow = new FollowController(m_eventView->table(), m_eventView->model(), this);
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

    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
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

void MainWindow::createStatusBar()
{
    m_storeLabel = new QLabel(tr("No store open"), this);
    m_layoutLabel = new QLabel(this);
    m_countLabel = new QLabel(this);
    m_headLabel = new QLabel(this);
    m_notesButton = new QToolButton(this);
    m_notesButton->setAutoRaise(true);
    m_notesButton->setIcon(style()->standardIcon(QStyle::SP_MessageBoxInformation));
    m_notesButton->setIconSize(QSize(14, 14));
    m_notesButton->hide();
    connect(m_notesButton, &QToolButton::clicked, this,
        [this] { m_banner->showMessage(m_notesButton->toolTip(), MessageBanner::Kind::Info); });
    m_busyBar = new QProgressBar(this);
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(110);
    m_busyBar->setMaximumHeight(14);
    m_busyBar->setTextVisible(false);
    m_busyBar->hide();
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Cancel the reads running now"));
    m_cancelButton->setAutoRaise(true);
    m_cancelButton->hide();
    connect(m_cancelButton, &QToolButton::clicked, this, [this] {
        if (m_session)
            m_session->cancelAll();
        if (m_opening) {
            m_opening->cancelAll();
            m_opening->deleteLater();
            m_opening = nullptr;
        }
        statusBar()->showMessage(tr("Cancelled"), 4000);
    });
    m_busyDelay = new QTimer(this);
    m_busyDelay->setSingleShot(true);
    m_busyDelay->setInterval(250);
    connect(m_busyDelay, &QTimer::timeout, this, [this] {
        m_busyBar->show();
        m_cancelButton->show();
    });
    for (QLabel* l : { m_storeLabel, m_layoutLabel, m_countLabel, m_headLabel }) {
        l->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(l);
        if (l == m_layoutLabel)
            statusBar()->addPermanentWidget(m_notesButton);
    }
    statusBar()->addPermanentWidget(m_busyBar);
    statusBar()->addPermanentWidget(m_cancelButton);
}

QString MainWindow::statusText() const
{
    QStringList parts;
    for (QLabel* l : { m_storeLabel, m_layoutLabel, m_countLabel, m_headLabel })
        parts.append(l->text());
    return parts.join(QLatin1String(" | "));
}

// With no store open the docks would be blank panes around the start page: they step aside until a store opens.
void MainWindow::parkDocks(bool park)
{
    if (park) {
        for (QDockWidget* dock : findChildren<QDockWidget*>()) {
            if (!dock->isHidden() && !m_parkedDocks.contains(dock)) {
                m_parkedDocks.append(dock);
                dock->hide();
            }
        }
    } else {
        for (QDockWidget* dock : std::as_const(m_parkedDocks))
            dock->show();
        m_parkedDocks.clear();
    }
}

void MainWindow::connectStartPage()
{
    m_demo = new DemoStoreWriter(this);
    m_startPage->setRecentStores(Settings::instance()->recentStores());
    connect(Settings::instance(), &Settings::recentStoresChanged, m_startPage, &StartPage::setRecentStores);
    connect(m_startPage, &StartPage::recentRequested, this, [this](const QString& a) { openStore(a); });
    connect(m_startPage, &StartPage::openFileRequested, this, [this] { openDialog(false); });
    connect(m_startPage, &StartPage::connectRequested, this, [this] { openDialog(true); });
    connect(m_startPage, &StartPage::demoRequested, m_demo, &DemoStoreWriter::ensure);
    connect(m_demo, &DemoStoreWriter::progress, m_startPage,
        [this](int percent) { m_startPage->setDemoBusy(true, tr("Writing the demo store… %1%").arg(percent)); });
    connect(m_demo, &DemoStoreWriter::ready, this, [this](const QString& path) {
        m_startPage->setDemoBusy(false);
        openStore(path);
    });
    connect(m_demo, &DemoStoreWriter::failed, this, [this](const QString& message) {
        m_startPage->setDemoBusy(false);
        showError(message);
    });
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList stores = Settings::instance()->recentStores();
    for (const QString& address : stores) {
        auto* a
            = m_recentMenu->addAction(QFileInfo(address).fileName().isEmpty() ? address : QFileInfo(address).fileName(),
                this, [this, address] { openStore(address); });
        a->setToolTip(address);
        a->setStatusTip(address);
    }
    if (!stores.isEmpty())
        m_recentMenu->addSeparator();
    auto* clear = m_recentMenu->addAction(tr("Clear List"), Settings::instance(), &Settings::clearRecentStores);
    clear->setEnabled(!stores.isEmpty());
}

void MainWindow::openStore(const QString& address, const OpenOptions& options)
{
    if (m_opening) {
        m_opening->cancelAll();
        m_opening->deleteLater();
    }
    auto* session = new StoreSession(StoreOpener { address, options }, this);
    m_opening = session;
    statusBar()->showMessage(tr("Opening %1…").arg(Settings::redactedAddress(address)));
    setBusy(true);
    session->run<StoreInfo>(
        StoreSession::Lane::Interactive, this, [](EventStore& store) { return store.info(false); },
        [this, session](StoreInfo info) {
            if (m_opening != session) {
                session->deleteLater();
                return;
            }
            m_opening = nullptr;
            adopt(session, info);
        },
        [this, session, address, options](const Failure& failure) {
            const bool current = m_opening == session;
            session->deleteLater();
            if (!current)
                return;
            m_opening = nullptr;
            setBusy(m_session && m_session->isBusy());
            statusBar()->clearMessage();
            showError(tr("Could not open %1: %2").arg(Settings::redactedAddress(address), failure.message));
            Q_EMIT storeFailed(failure.message);
            if (failure.kind == Failure::Kind::UnknownLayout && options.profile.isEmpty()
                && options.mappingFile.isEmpty())
                QTimer::singleShot(0, this, [this, address, options] {
                    OpenOptions mapped = options;
                    if (MappingWizard::offer(this, address, options, &mapped.mappingFile))
                        openStore(address, mapped);
                });
        });
}

void MainWindow::adopt(StoreSession* session, const StoreInfo& info)
{
    StoreSession* old = m_session.data();
    m_session = session;
    m_info = info;
    if (m_info.address.isEmpty())
        m_info.address = Settings::redactedAddress(session->address());
    connect(session, &StoreSession::busyChanged, this, &MainWindow::setBusy);
    connect(session, &StoreSession::connectionFailed, this, &MainWindow::showFailure);
    connect(session, &StoreSession::disconnected, this, &MainWindow::showDisconnected);
    connect(session, &StoreSession::reconnected, this, &MainWindow::showReconnected);
    m_banner->dismiss();
    statusBar()->clearMessage();
    m_inspector->setEvent(std::nullopt);
    m_inspector->setSession(session);
    m_flows->setSession(session);
    m_eventView->filterBar()->clear();
    m_eventView->setSession(session, ViewScope::all());
    m_streamBrowser->setSession(session);
    m_projections->setSession(session);
    m_activity->setSession(session);
    m_types->setSession(session);
    m_reconcile->setSession(session);
    if (old) {
        old->cancelAll();
        old->deleteLater();
    }
    Settings* settings = Settings::instance();
    settings->addRecentStore(session->address());
    const QFileInfo file(session->address());
    if (file.exists())
        settings->setLastDirectory(file.absolutePath());

    const QString name = file.exists() ? file.fileName() : m_info.address;
    setWindowTitle(tr("%1 — EventScope").arg(name));
    for (QAction* a : m_storeActions)
        a->setEnabled(true);
    m_pages->setCurrentIndex(1);
    parkDocks(false);
    setBusy(session->isBusy());
    updateStatus();
    Q_EMIT storeOpened(m_info);
    countStore();
}

void MainWindow::countStore()
{
    // Counting millions of events takes seconds: the store opens without the counts and they follow.
    StoreSession* session = m_session.data();
    if (!session)
        return;
    // An estimate within a second first, on the same lane so the count replaces it.
    session->run<CountEstimate>(
        StoreSession::Lane::Background, this, [](EventStore& store) { return store.estimateCount({}); },
        [this, session](CountEstimate estimate) {
            if (m_session != session || m_info.eventCount >= 0)
                return;
            m_info.eventCount = estimate.count;
            m_info.eventCountEstimated = estimate.estimated;
            updateStatus();
            Q_EMIT storeEstimated(m_info);
        });
    session->run<StoreInfo>(
        StoreSession::Lane::Background, this, [](EventStore& store) { return counts::storeInfo(store, true); },
        [this, session](StoreInfo counted) {
            if (m_session != session)
                return;
            m_info.eventCount = counted.eventCount;
            m_info.eventCountEstimated = false;
            m_info.streamCount = counted.streamCount;
            updateStatus();
            Q_EMIT storeCounted(m_info);
        },
        [this, session](const Failure& failure) {
            if (m_session == session)
                m_countLabel->setToolTip(tr("Could not count the store: %1").arg(failure.message));
        });
}

void MainWindow::closeStore()
{
    StoreSession* old = m_session.data();
    if (!old)
        return;
    m_eventView->setSession(nullptr, ViewScope::all());
    m_streamBrowser->setSession(nullptr);
    m_projections->setSession(nullptr);
    m_activity->setSession(nullptr);
    m_types->setSession(nullptr);
    m_flows->setSession(nullptr);
    m_inspector->setEvent(std::nullopt);
    m_inspector->setSession(nullptr);
    m_session = nullptr;
    m_info = {};
    m_banner->dismiss();
    old->cancelAll();
    old->deleteLater();
    setWindowTitle(tr("EventScope"));
    if (m_follow->isFollowing())
        m_follow->action()->trigger();
    for (QAction* a : m_storeActions)
        a->setEnabled(false);
    m_pages->setCurrentIndex(0);
    parkDocks(true);
    setBusy(false);
    updateStatus();
}

void MainWindow::updateStatus()
{
    if (!m_session) {
        m_storeLabel->setText(tr("No store open"));
        m_storeLabel->setToolTip({});
        for (QLabel* l : { m_layoutLabel, m_countLabel, m_headLabel })
            l->hide();
        m_notesButton->hide();
        return;
    }
    const QFileInfo file(m_info.address);
    m_storeLabel->setText(tr("Store: %1").arg(file.exists() ? file.fileName() : m_info.address));
    m_storeLabel->setToolTip(m_info.address);
    // What the layout lacks or hides is worth knowing but not worth a banner on every open.
    QStringList about = m_info.notes;
    if (m_info.candidateLayouts.size() > 1)
        about.append(tr("Also matches: %1 (choose with File › Open Store…)")
                         .arg(m_info.candidateLayouts.join(QLatin1String(", "))));
    m_layoutLabel->setText(tr("Layout: %1").arg(m_info.layoutTitle.isEmpty() ? m_info.layout : m_info.layoutTitle));
    m_layoutLabel->setToolTip(about.join(QLatin1Char('\n')));
    m_notesButton->setToolTip(about.join(QLatin1Char('\n')));
    m_notesButton->setVisible(!about.isEmpty());
    QString count = m_info.eventCount < 0 ? tr("Events: counting…")
        : m_info.eventCountEstimated
        ? tr("Events: %1 (estimated) · counting…").arg(histogram::approximateCount(m_info.eventCount))
        : tr("Events: %1").arg(number(m_info.eventCount));
    if (m_info.eventCount >= 0 && m_info.streamCount >= 0)
        count += tr(" in %1 streams").arg(number(m_info.streamCount));
    m_countLabel->setText(count);
    const TailHeads heads = m_follow ? m_follow->heads() : TailHeads {};
    if (m_follow && m_follow->isFollowing() && (heads.visible > heads.settled || !heads.caveat.isEmpty())) {
        QString text = tr("Head %1 · settled %2").arg(number(heads.visible), number(heads.settled));
        const QString holders = describeHolders(heads.holders);
        if (!holders.isEmpty() && heads.visible > heads.settled)
            text += tr(" · held by %1").arg(holders);
        if (!heads.caveat.isEmpty())
            text += tr(" · %1").arg(heads.caveat.section(QLatin1Char(':'), 0, 0));
        m_headLabel->setText(text);
        QString tip = tr("Head: the highest position visible now. Settled: how far the tail has read in the store's "
                         "safe order. A transaction still open may yet commit events into the gaps below the head; "
                         "they are shown once it ends.");
        if (!holders.isEmpty())
            tip += u'\n' + tr("Held by: %1").arg(holders);
        if (!heads.caveat.isEmpty())
            tip += u'\n' + heads.caveat;
        m_headLabel->setToolTip(tip);
    } else {
        m_headLabel->setText(tr("Head: %1").arg(number(m_info.headPosition)));
        m_headLabel->setToolTip(
            m_info.lastTime.isValid() ? tr("Last event at %1").arg(Event::timeToIso(m_info.lastTime)) : QString());
    }
    for (QLabel* l : { m_layoutLabel, m_countLabel, m_headLabel })
        l->show();
}

void MainWindow::setBusy(bool busy)
{
    busy = busy || m_opening;
    if (busy) {
        if (!m_busyBar->isVisible() && !m_busyDelay->isActive())
            m_busyDelay->start();
    } else {
        m_busyDelay->stop();
        m_busyBar->hide();
        m_cancelButton->hide();
    }
}

void MainWindow::showError(const QString& message)
{
    m_banner->showMessage(message, MessageBanner::Kind::Error);
}

// While the session is disconnected every read fails alike: the session's own signals say so, once.
void MainWindow::showFailure(const Failure& failure)
{
    if (failure.isDisconnected() || failure.isCancelled() || (m_session && m_session->isDisconnected()))
        return;
    showError(failure.message);
}

void MainWindow::showDisconnected(const Failure&, int retryInMs)
{
    const QString text
        = tr("Disconnected from %1, retrying in %2 s…").arg(m_info.address).arg((retryInMs + 999) / 1000);
    m_banner->showMessage(text, MessageBanner::Kind::Warning);
    statusBar()->showMessage(text);
}

// The views read again only now, so their state (scroll position, selection) survives the outage.
void MainWindow::showReconnected()
{
    m_banner->dismiss();
    statusBar()->showMessage(tr("Reconnected to %1").arg(m_info.address), 5000);
    m_eventView->reload();
    m_streamBrowser->setSession(m_session);
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
        m_banner->showMessage(
            tr("This layout keeps the correlation id outside the metadata, so it cannot be filtered on yet."),
            MessageBanner::Kind::Warning);
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
    QMessageBox::about(this, tr("About EventScope"),
        tr("<h3>EventScope %1</h3><p>A read-only inspector for event-sourced stores.</p>"
           "<p>Stores are opened read-only; EventScope never writes to them.</p>")
            .arg(QCoreApplication::applicationVersion()));
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
    if (auto* selection = m_eventView->table()->selectionModel()) {
        for (const QModelIndex& index : selection->selectedRows()) {
            const QVariant key = index.data(EventTableModel::KeyRole);
            if (key.isValid())
                context.selectedKeys.push_back(key.toLongLong());
        }
    }
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
