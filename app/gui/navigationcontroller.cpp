#include "navigationcontroller.h"

#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "placespanel.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "streambrowser.h"
#include "themecontroller.h"
#include "timetravelwindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>

namespace es {

namespace {

ViewScope viewScopeOf(const Place& place)
{
    switch (place.scope) {
    case Place::Scope::All:
        return ViewScope::all();
    case Place::Scope::Category:
        return ViewScope::category(place.scopeName);
    case Place::Scope::Stream:
        break;
    }
    return ViewScope::stream(place.scopeName);
}

QString timeText(const QDateTime& time)
{
    return time.isValid() ? Event::timeToIso(time) : QString();
}

} // namespace

NavigationController::NavigationController(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_settings(std::make_unique<QSettings>(Settings::instance()->fileName(), QSettings::IniFormat))
    , m_saved(std::make_unique<SavedPlaces>(*m_settings))
    , m_back(new QAction(tr("&Back"), this))
    , m_forward(new QAction(tr("&Forward"), this))
    , m_copyLink(new QAction(tr("&Copy Link"), this))
    , m_copyViewLink(new QAction(tr("Copy Link to &View"), this))
    , m_openLink(new QAction(tr("Open &Link…"), this))
    , m_saveView(new QAction(tr("&Save View…"), this))
    , m_settleTimer(new QTimer(this))
    , m_applyTimeout(new QTimer(this))
{
    m_back->setObjectName(QStringLiteral("navigateBack"));
    m_forward->setObjectName(QStringLiteral("navigateForward"));
    m_copyLink->setObjectName(QStringLiteral("copyLink"));
    m_back->setIcon(ThemeController::icon(QStringLiteral("go-previous"), QStyle::SP_ArrowBack));
    m_forward->setIcon(ThemeController::icon(QStringLiteral("go-next"), QStyle::SP_ArrowForward));
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_forward->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_copyLink->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_openLink->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_back->setToolTip(tr("Go back to the previous place (Alt+Left)"));
    m_forward->setToolTip(tr("Go forward again (Alt+Right)"));
    m_copyLink->setToolTip(tr("Copy an eventscope:// link to the selected event, stream or the view (Ctrl+Shift+C)"));
    for (QAction* a : { m_back, m_forward, m_copyLink, m_copyViewLink, m_openLink, m_saveView }) {
        a->setShortcutContext(Qt::WindowShortcut);
        window->addAction(a);
    }
    connect(m_back, &QAction::triggered, this, &NavigationController::goBack);
    connect(m_forward, &QAction::triggered, this, &NavigationController::goForward);
    connect(m_copyLink, &QAction::triggered, this, [this] { copy(linkForSelection(), tr("place")); });
    connect(m_copyViewLink, &QAction::triggered, this, [this] { copy(linkForView(), tr("view")); });
    connect(m_openLink, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString link = QInputDialog::getText(m_window, tr("Open Link"), tr("An eventscope:// link:"),
            QLineEdit::Normal, QApplication::clipboard()->text().trimmed(), &ok);
        if (ok && !link.trimmed().isEmpty())
            openLink(link);
    });
    connect(m_saveView, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name
            = QInputDialog::getText(m_window, tr("Save View"), tr("Name of this view:"), QLineEdit::Normal, {}, &ok);
        if (ok)
            saveView(name.trimmed());
    });

    // Copy Link on a stream of the browser, from its context menu.
    auto* streamLink = new QAction(tr("Copy Link to Stream"), window->streamBrowser()->tree());
    connect(streamLink, &QAction::triggered, this, [this] {
        const QString stream
            = m_window->streamBrowser()->tree()->currentIndex().data(StreamTreeModel::StreamNameRole).toString();
        if (auto place = currentPlace(false); place && !stream.isEmpty()) {
            place->scope = Place::Scope::Stream;
            place->scopeName = stream;
            place->filter = {};
            place->position = place->version = -1;
            copy(PlaceLink::toLink(*place), tr("stream"));
        }
    });
    window->streamBrowser()->tree()->addAction(streamLink);

    m_panel = new PlacesPanel(window);
    m_dock = new QDockWidget(tr("Places"), window);
    m_dock->setObjectName(QStringLiteral("placesDock"));
    m_dock->setWidget(m_panel);
    m_dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    connect(m_panel, &PlacesPanel::viewActivated, this, &NavigationController::openSavedView);
    connect(m_panel, &PlacesPanel::placeActivated, this, &NavigationController::openPlace);
    connect(m_panel, &PlacesPanel::saveRequested, m_saveView, &QAction::trigger);
    connect(m_panel, &PlacesPanel::removeRequested, this, [this](const QString& name) {
        if (const auto place = currentPlace(false))
            m_saved->removeView(place->store, name);
        updateActions();
    });
    connect(m_panel, &PlacesPanel::copyRequested, this, [this](const QString& link) { copy(link, tr("place")); });

    m_settleTimer->setSingleShot(true);
    m_settleTimer->setInterval(0);
    connect(m_settleTimer, &QTimer::timeout, this, &NavigationController::settle);
    // A place that never settles (its event is not in the view) stops being applied after a while.
    m_applyTimeout->setSingleShot(true);
    m_applyTimeout->setInterval(5000);
    connect(m_applyTimeout, &QTimer::timeout, this, &NavigationController::finishApplying);

    EventView* view = window->eventView();
    connect(view, &EventView::scopeChanged, this, &NavigationController::scheduleSettle);
    connect(view, &EventView::currentEventChanged, this, &NavigationController::scheduleSettle);
    connect(view->model(), &QAbstractItemModel::modelReset, this, &NavigationController::scheduleSettle);
    connect(view->model(), &EventTableModel::keyLocated, this, [this](qint64, int row) {
        m_jumped = row >= 0;
        scheduleSettle();
    });
    connect(window, &MainWindow::storeOpened, this, [this] {
        m_addresses[storeOfSession()] = m_window->session()->address();
        if (m_pending) {
            const Place place = *m_pending;
            m_pending.reset();
            m_pendingAddress.clear();
            applyInStore(place);
        }
        updateActions();
    });
    connect(window, &MainWindow::storeFailed, this, &NavigationController::storeFailed);
    updateActions();
}

NavigationController::~NavigationController() = default;

void NavigationController::addToMenu(QMenu* menu)
{
    menu->addAction(m_back);
    menu->addAction(m_forward);
    menu->addSeparator();
    menu->addAction(m_copyLink);
    menu->addAction(m_copyViewLink);
    menu->addAction(m_openLink);
    menu->addAction(m_saveView);
}

void NavigationController::attach(TimeTravelWindow* window)
{
    auto* action = new QAction(tr("Copy Link"), window);
    action->setObjectName(QStringLiteral("copyTimeTravelLink"));
    action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    action->setToolTip(
        tr("Copy an eventscope:// link to this stream at this version with this reducer (Ctrl+Shift+C)"));
    QPointer<TimeTravelWindow> guard(window);
    connect(action, &QAction::triggered, this, [this, guard] {
        auto place = currentPlace(false);
        if (!guard || !place)
            return;
        place->scope = Place::Scope::Stream;
        place->scopeName = guard->stream();
        place->filter = {};
        place->position = -1;
        place->version = guard->cursorVersion();
        place->view = Place::View::TimeTravel;
        place->reducer = reducerNameOfKey(guard->currentReducerKey());
        const QString link = PlaceLink::toLink(*place);
        QApplication::clipboard()->setText(link);
        guard->statusBar()->showMessage(tr("Copied the link to this state"), 4000);
    });
    window->addAction(action);
    if (auto* toolbar = window->findChild<QToolBar*>())
        toolbar->addAction(action);
}

QString NavigationController::storeOfSession() const
{
    return m_window->session() ? PlaceLink::storeOf(m_window->session()->address()) : QString();
}

std::optional<Place> NavigationController::currentPlace(bool withSelection) const
{
    if (!m_window->session())
        return std::nullopt;
    EventView* view = m_window->eventView();
    Place place;
    place.store = storeOfSession();
    if (const auto layout = m_layouts.find(place.store); layout != m_layouts.end())
        place.layout = layout->second;
    const ViewScope scope = view->scope();
    place.scope = scope.kind == ViewScope::Kind::All ? Place::Scope::All
        : scope.kind == ViewScope::Kind::Category    ? Place::Scope::Category
                                                     : Place::Scope::Stream;
    place.scopeName = scope.name;
    place.filter = view->model()->filter();
    place.filter.stream.clear();
    place.filter.category.clear();
    place.filter.maxKey = -1;
    if (withSelection) {
        if (const auto event = view->currentEvent()) {
            if (place.scope == Place::Scope::Stream)
                place.version = event->version;
            else
                place.position = event->position;
        }
    }
    return place;
}

QString NavigationController::linkForView() const
{
    const auto place = currentPlace(false);
    return place ? PlaceLink::toLink(*place) : QString();
}

QString NavigationController::linkForSelection() const
{
    auto place = currentPlace(true);
    if (!place)
        return {};
    QTreeView* tree = m_window->streamBrowser()->tree();
    const QString stream = tree->currentIndex().data(StreamTreeModel::StreamNameRole).toString();
    if (tree->hasFocus() && !stream.isEmpty()) {
        place->scope = Place::Scope::Stream;
        place->scopeName = stream;
        place->filter = {};
        place->position = place->version = -1;
    }
    return PlaceLink::toLink(*place);
}

void NavigationController::copy(const QString& link, const QString& what)
{
    if (link.isEmpty()) {
        m_window->statusBar()->showMessage(tr("Open a store to copy a link to a place in it."), 4000);
        return;
    }
    QApplication::clipboard()->setText(link);
    m_window->statusBar()->showMessage(tr("Copied the link to this %1").arg(what), 4000);
}

void NavigationController::scheduleSettle()
{
    m_settleTimer->start();
}

// After the view changed: a new place goes on the history, a moved selection updates the current one, and while a
// place is being applied nothing is recorded until it stands.
void NavigationController::settle()
{
    const bool jumped = std::exchange(m_jumped, false);
    const auto place = currentPlace(true);
    if (!place)
        return;
    if (m_applying) {
        const bool there = place->sameView(*m_applying) && (m_applying->key() < 0 || place->key() == m_applying->key());
        if (!there)
            return;
        finishApplying();
        return;
    }
    const auto& current = m_history.current();
    if (!current || !current->sameView(*place) || (jumped && current->key() != place->key())) {
        // A place left, with the event last selected there, is a recent place.
        if (current)
            m_saved->addRecent(*current);
        m_history.visit(*place);
    } else {
        m_history.updateCurrent(*place);
    }
    updateActions();
}

void NavigationController::finishApplying()
{
    m_applyTimeout->stop();
    if (!m_applying)
        return;
    const Place target = *m_applying;
    m_applying.reset();
    if (const auto place = currentPlace(true))
        m_history.updateCurrent(*place);
    updateActions();
    Q_EMIT placeShown(target);
}

bool NavigationController::goBack()
{
    const auto place = m_history.back();
    if (!place)
        return false;
    apply(*place);
    updateActions();
    return true;
}

bool NavigationController::goForward()
{
    const auto place = m_history.forward();
    if (!place)
        return false;
    apply(*place);
    updateActions();
    return true;
}

bool NavigationController::openLink(const QString& link)
{
    QString error;
    const std::optional<Place> place = PlaceLink::parse(link, &error);
    if (!place) {
        m_window->banner()->showMessage(error, MessageBanner::Kind::Error);
        return false;
    }
    openPlace(*place);
    return true;
}

void NavigationController::openPlace(const Place& place)
{
    if (place.view == Place::View::Table)
        m_saved->addRecent(place);
    apply(place);
}

QString NavigationController::sessionAddressFor(const QString& store) const
{
    const auto known = m_addresses.find(store);
    return known != m_addresses.end() ? known->second : store;
}

void NavigationController::apply(const Place& place)
{
    if (!place.layout.isEmpty())
        m_layouts[place.store] = place.layout;
    if (m_window->session() && storeOfSession() == place.store) {
        applyInStore(place);
        return;
    }
    const QStringList recent = Settings::instance()->recentStores();
    const bool known = m_addresses.count(place.store) || recent.contains(place.store);
    if (m_askBeforeOpening && !known) {
        const auto answer = QMessageBox::question(m_window, tr("Open Store"),
            tr("The link names a store you have not opened here:\n\n%1\n\nOpen it (read-only)?").arg(place.store));
        if (answer != QMessageBox::Yes)
            return;
    }
    m_pending = place;
    m_pendingAddress = sessionAddressFor(place.store);
    OpenOptions options;
    options.profile = place.layout;
    m_window->openStore(m_pendingAddress, options);
}

// A store named by a link failed to open: when the server wants a password (or refused the one given), ask for one
// and try again, until the user cancels; any other failure the window already shows.
void NavigationController::storeFailed(const Failure& failure)
{
    if (!m_pending)
        return;
    const Place place = *m_pending;
    const QString engine = StoreRegistry::engineFor(place.store);
    const bool triedPassword = m_pendingAddress != place.store;
    m_pending.reset();
    if (failure.kind != Failure::Kind::Unauthorized)
        return;
    const QString question = triedPassword
        ? tr("%1\n\nThat password was refused, or the store does not open with it. Try again (it is kept only while "
             "EventScope runs):")
        : tr("%1\n\nThe store may need a password (it is kept only while EventScope runs):");
    bool ok = false;
    const QString password
        = QInputDialog::getText(m_window, tr("Password"), question.arg(failure.message), QLineEdit::Password, {}, &ok);
    if (!ok || password.isEmpty()) {
        m_addresses.erase(place.store);
        return;
    }
    ConnectionFields fields;
    fields.password = password;
    m_pending = place;
    m_pendingAddress = place.store + u' ' + StoreRegistry::composeAddress(engine, fields);
    m_addresses[place.store] = m_pendingAddress;
    OpenOptions options;
    options.profile = place.layout;
    m_window->openStore(m_pendingAddress, options);
}

void NavigationController::applyInStore(const Place& place)
{
    if (place.view == Place::View::TimeTravel) {
        showTimeTravel(place);
        return;
    }
    m_applying = place;
    m_applyTimeout->start();
    EventView* view = m_window->eventView();
    FilterBar* bar = view->filterBar();
    bar->clear();
    bar->setTypes(place.filter.types.join(QLatin1String(", ")));
    bar->setTimeRange(timeText(place.filter.fromTime), timeText(place.filter.toTime));
    QStringList conditions;
    for (const JsonCondition& c : place.filter.conditions)
        conditions.append(c.toString());
    bar->setQuery(conditions.isEmpty() ? place.filter.text : conditions.join(QLatin1String(" and ")));
    const ViewScope scope = viewScopeOf(place);
    if (view->scope() != scope)
        view->setScope(scope);
    else
        view->applyFilter();
    if (place.key() >= 0)
        view->goToKey(place.key());
    scheduleSettle();
}

void NavigationController::showTimeTravel(const Place& place)
{
    TimeTravelWindow* travel = m_window->openTimeTravel(place.scopeName, place.version);
    if (!travel)
        return;
    if (!place.reducer.isEmpty()) {
        const QString key = reducerKeyOfName(place.reducer);
        if (key.isEmpty())
            travel->banner()->showMessage(tr("The link names the reducer %1, which is not among the reducers here; "
                                             "another one is shown.")
                                              .arg(place.reducer),
                MessageBanner::Kind::Warning);
        else if (key != travel->currentReducerKey())
            travel->selectReducer(key);
    }
    m_saved->addRecent(place);
    Q_EMIT placeShown(place);
}

bool NavigationController::saveView(const QString& name)
{
    const auto place = currentPlace(false);
    if (!place || name.isEmpty())
        return false;
    SavedView view;
    view.name = name;
    view.place = *place;
    QHeaderView* header = m_window->eventView()->table()->horizontalHeader();
    view.columns = header->saveState();
    view.descending = header->sortIndicatorOrder() == Qt::DescendingOrder;
    QString error;
    if (!m_saved->saveView(view, &error)) {
        m_window->banner()->showMessage(error, MessageBanner::Kind::Error);
        return false;
    }
    updateActions();
    return true;
}

void NavigationController::openSavedView(const SavedView& view)
{
    // The sort first: the event view sorts on the header's signal, which restoring its state does not send.
    QHeaderView* header = m_window->eventView()->table()->horizontalHeader();
    header->setSortIndicator(
        EventTableModel::PositionColumn, view.descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    if (!view.columns.isEmpty())
        header->restoreState(view.columns);
    openPlace(view.place);
}

void NavigationController::restoreView(const SavedView& view)
{
    if (m_saved->saveView(view))
        updateActions();
}

void NavigationController::updateActions()
{
    m_back->setEnabled(m_history.canGoBack());
    m_forward->setEnabled(m_history.canGoForward());
    const bool open = m_window->session() != nullptr;
    for (QAction* a : { m_copyLink, m_copyViewLink, m_saveView })
        a->setEnabled(open);
    const QString store = storeOfSession();
    m_panel->setViews(store.isEmpty() ? QList<SavedView>() : m_saved->views(store));
    m_panel->setRecent(m_saved->recent());
    Q_EMIT historyChanged();
}

} // namespace es
