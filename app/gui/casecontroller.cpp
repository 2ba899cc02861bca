#include "casecontroller.h"

#include "eventview.h"
#include "filterbar.h"
#include "fold/reducercatalog.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "navigationcontroller.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "timetravelwindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QStatusBar>

namespace es {

namespace {

QString placeText(const CasePlace& p)
{
    QString where;
    if (p.kind == QLatin1String("filter"))
        where = QObject::tr("filter: %1").arg(p.filter);
    else if (p.kind == QLatin1String("stream"))
        where = QObject::tr("stream %1").arg(p.stream);
    else if (!p.stream.isEmpty())
        where = QObject::tr("%1@%2 (position %3)").arg(p.stream).arg(p.version).arg(p.position);
    else
        where = QObject::tr("position %1").arg(p.position);
    return p.note.isEmpty() ? where : QStringLiteral("%1 — %2").arg(where, p.note);
}

// What a row of the Case dock stands for: a place, a saved view or the reducer, with its index.
enum ItemRole { KindRole = Qt::UserRole + 1, IndexRole };
enum class ItemKind { Place, View, Reducer };

} // namespace

CaseController::CaseController(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_dock(new QDockWidget(tr("Case"), window))
    , m_places(new QListWidget(m_dock))
{
    qRegisterMetaType<es::ExportResult>();
    m_dock->setObjectName(QStringLiteral("caseDock"));
    m_dock->setWidget(m_places);
    m_places->setToolTip(tr("The places kept in this case file; activate one to go there"));
    window->addDockWidget(Qt::LeftDockWidgetArea, m_dock);
    m_dock->hide();
    connect(window, &MainWindow::storeOpened, this, &CaseController::storeOpened);
    connect(
        m_places, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) { activated(m_places->row(item)); });
}

void CaseController::addActions(QMenu* fileMenu)
{
    QAction* save = fileMenu->addAction(tr("Save &Case…"), this, &CaseController::saveCaseDialog);
    save->setToolTip(
        tr("Write the chosen events, a bookmark and its note, the saved views and the reducer to a case file "
           "that EventScope opens"));
}

void CaseController::storeOpened(const StoreInfo& info)
{
    m_contents = {};
    m_views.clear();
    m_reducerKey.clear();
    m_places->clear();
    if (info.layout != CaseFile::layoutName()) {
        m_dock->hide();
        return;
    }
    StoreSession* session = m_window->session();
    if (!session)
        return;
    const QString address = session->address();
    session->run<CaseContents>(
        StoreSession::Lane::Background, this,
        [address](EventStore&) {
            CaseContents contents = CaseFile::read(address);
            // The reducer's source goes to the cache folder here, off the GUI thread (a failure is said below).
            CaseFile::reducerKey(contents);
            return contents;
        },
        [this](CaseContents contents) { showContents(std::move(contents)); },
        [this](const Failure& f) { m_window->showError(tr("Could not read the case file: %1").arg(f.message)); });
}

void CaseController::showContents(CaseContents contents)
{
    m_contents = std::move(contents);
    m_places->clear();
    auto add = [this](const QString& text, ItemKind kind, int index) {
        auto* item = new QListWidgetItem(text, m_places);
        item->setData(KindRole, int(kind));
        item->setData(IndexRole, index);
    };
    for (size_t i = 0; i < m_contents.places.size(); ++i)
        add(placeText(m_contents.places[i]), ItemKind::Place, int(i));

    // Saved views come back as the case file's own: the Places dock lists them while the case is open.
    const QString store = currentStore();
    NavigationController* nav = m_window->navigation();
    for (const CaseView& v : m_contents.views) {
        QString why;
        const std::optional<SavedView> view = savedViewFromJson(v.json, store, &why);
        if (!view) {
            m_window->banner()->showMessage(tr("A saved view of the case was skipped: %1").arg(why));
            continue;
        }
        if (nav)
            nav->restoreView(*view);
        m_views.append(*view);
        add(tr("Saved view: %1").arg(view->name), ItemKind::View, int(m_views.size() - 1));
    }
    QString error;
    m_reducerKey = CaseFile::reducerKey(m_contents, &error); // already in the cache folder unless that failed
    if (!m_reducerKey.isEmpty())
        add(tr("Reducer: %1 (time travel here starts with it)").arg(m_contents.reducerName), ItemKind::Reducer, 0);
    else if (!error.isEmpty())
        m_window->banner()->showMessage(tr("The case's reducer is not available: %1").arg(error));
    m_dock->setWindowTitle(m_contents.title.isEmpty() ? tr("Case") : tr("Case: %1").arg(m_contents.title));
    m_dock->show();
    Q_EMIT placesShown(int(m_contents.places.size()));
}

void CaseController::activated(int row)
{
    QListWidgetItem* item = m_places->item(row);
    if (!item)
        return;
    const int index = item->data(IndexRole).toInt();
    switch (ItemKind(item->data(KindRole).toInt())) {
    case ItemKind::Place:
        if (index >= 0 && index < int(m_contents.places.size()))
            jumpTo(m_contents.places[size_t(index)]);
        break;
    case ItemKind::View:
        if (index >= 0 && index < m_views.size() && m_window->navigation())
            m_window->navigation()->openSavedView(m_views[index]);
        break;
    case ItemKind::Reducer:
        m_window->timeTravelFromSelection();
        break;
    }
}

QString CaseController::currentStore() const
{
    StoreSession* session = m_window->session();
    return session ? PlaceLink::storeOf(session->address()) : QString();
}

bool CaseController::addViewsAndReducer(
    CaseContents* contents, bool withViews, const QString& reducerKey, QString* error) const
{
    if (!reducerKey.isEmpty() && !CaseFile::takeReducer(reducerKey, contents, error))
        return false;
    if (withViews && m_window->navigation()) {
        for (const SavedView& view : m_window->navigation()->savedPlaces().views(currentStore()))
            contents->views.push_back({ view.name, savedViewToJson(view) });
    }
    return true;
}

void CaseController::jumpTo(const CasePlace& place)
{
    EventView* view = m_window->eventView();
    if (place.kind == QLatin1String("stream")) {
        m_window->showStream(place.stream);
    } else if (place.kind == QLatin1String("filter")) {
        view->setScope(ViewScope::all());
        view->filterBar()->clear();
        view->filterBar()->setQuery(place.filter);
        view->applyFilter();
    } else if (place.position >= 0) {
        if (view->scope().kind != ViewScope::Kind::All)
            view->setScope(ViewScope::all());
        view->goToKey(place.position);
    } else if (!place.stream.isEmpty()) {
        m_window->showStream(place.stream);
        if (place.version >= 0)
            view->goToKey(place.version);
    }
}

void CaseController::saveCaseDialog()
{
    StoreSession* session = m_window->session();
    if (!session) {
        m_window->showError(tr("Open a store to save a case from it."));
        return;
    }
    EventView* view = m_window->eventView();
    const std::optional<Event> current = view->currentEvent();

    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Save Case"));
    auto* path = new QLineEdit(&dialog);
    auto* browse = new QPushButton(tr("Browse…"), &dialog);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path, 1);
    pathRow->addWidget(browse);
    auto* scope = new QComboBox(&dialog);
    scope->addItems({ tr("The events of the view (its scope and filter)"), tr("Every event of the store") });
    auto* redact = new QLineEdit(&dialog);
    redact->setPlaceholderText(tr("e.g. data.email, metadata.userId"));
    auto* bookmark
        = new QCheckBox(current ? tr("Bookmark the current event (%1@%2)").arg(current->stream).arg(current->version)
                                : tr("Bookmark the current event"),
            &dialog);
    bookmark->setEnabled(current.has_value());
    bookmark->setChecked(current.has_value());
    auto* note = new QLineEdit(&dialog);
    note->setPlaceholderText(tr("What is wrong here"));
    auto* title = new QLineEdit(&dialog);
    const int viewCount
        = m_window->navigation() ? int(m_window->navigation()->savedPlaces().views(currentStore()).size()) : 0;
    auto* views = new QCheckBox(viewCount == 0 ? tr("Keep the saved views (this store has none)")
                                               : tr("Keep the %n saved view(s) of this store", nullptr, viewCount),
        &dialog);
    views->setObjectName(QStringLiteral("caseViews"));
    views->setEnabled(viewCount > 0);
    views->setChecked(viewCount > 0);
    // The reducer: the one the newest time-travel window uses, when one is open.
    auto* reducer = new QComboBox(&dialog);
    reducer->setObjectName(QStringLiteral("caseReducer"));
    reducer->addItem(tr("None"), QString());
    for (const ReducerCatalog::Entry& entry : ReducerCatalog::entries())
        reducer->addItem(entry.name, entry.key);
    const QList<TimeTravelWindow*> travels = m_window->findChildren<TimeTravelWindow*>();
    if (!travels.isEmpty()) {
        const QString key = travels.last()->currentReducerKey();
        if (reducer->findData(key) < 0)
            reducer->addItem(QFileInfo(key).fileName(), key);
        reducer->setCurrentIndex(reducer->findData(key));
    }
    path->setObjectName(QStringLiteral("casePath"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Case file:"), pathRow);
    form->addRow(tr("Title:"), title);
    form->addRow(tr("Events:"), scope);
    form->addRow(tr("Redact fields:"), redact);
    form->addRow(bookmark);
    form->addRow(tr("Note:"), note);
    form->addRow(views);
    form->addRow(tr("&Reducer:"), reducer);
    form->addRow(buttons);
    connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString file = QFileDialog::getSaveFileName(
            &dialog, tr("Save Case"), Settings::instance()->lastDirectory(), tr("EventScope case files (*.sqlite)"));
        if (!file.isEmpty())
            path->setText(file);
    });
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || path->text().trimmed().isEmpty())
        return;

    CaseOptions options;
    options.path = path->text().trimmed();
    if (scope->currentIndex() == 0)
        options.selection.filter = view->model()->filter();
    for (const QString& p : redact->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        options.selection.redact.append(p.trimmed());
    QString error;
    if (!Redactor::parse(options.selection.redact, &error)) {
        m_window->showError(tr("Redact fields: %1").arg(error));
        return;
    }
    options.contents.title = title->text().trimmed();
    if (!addViewsAndReducer(&options.contents, views->isChecked(), reducer->currentData().toString(), &error)) {
        m_window->showError(tr("Reducer: %1").arg(error));
        return;
    }
    if (bookmark->isChecked() && current) {
        CasePlace place;
        place.position = current->position;
        place.stream = current->stream;
        place.version = current->version;
        place.note = note->text().trimmed();
        options.contents.places.push_back(place);
    }
    if (options.selection.filter.hasPredicates() || !options.selection.filter.stream.isEmpty()
        || !options.selection.filter.category.isEmpty()) {
        CasePlace place;
        place.kind
            = view->scope().kind == ViewScope::Kind::Stream ? QStringLiteral("stream") : QStringLiteral("filter");
        place.stream = options.selection.filter.stream;
        place.filter = view->filterBar()->query();
        place.note = tr("the view the case was saved from");
        options.contents.places.push_back(place);
    }
    saveCase(options);
}

void CaseController::saveCase(const CaseOptions& options)
{
    StoreSession* session = m_window->session();
    if (!session)
        return;
    const StoreSession::Lane lane = session->openLane(QStringLiteral("case"));
    QPointer<StoreSession> guard(session);
    auto close = [guard, lane] {
        if (guard)
            guard->closeLane(lane);
    };
    m_window->statusBar()->showMessage(tr("Saving the case to %1…").arg(options.path));
    JobCallbacks<ExportResult> on;
    on.finished = [this, close](ExportResult result) {
        close();
        m_window->statusBar()->showMessage(
            tr("Saved a case of %L1 events to %2").arg(result.events).arg(result.path), 15000);
        Q_EMIT caseSaved(result);
    };
    on.failed = [this, close](const Failure& f) {
        close();
        m_window->showError(tr("Could not save the case: %1").arg(f.message));
        Q_EMIT caseFailed(f.message);
    };
    on.cancelled = [this, close] {
        close();
        Q_EMIT caseFailed(tr("Cancelled"));
    };
    session->run<ExportResult>(
        lane, this,
        [options](EventStore& store, JobControl& control) {
            return CaseFile::write(store, options, {}, control.cancelFlag());
        },
        std::move(on));
}

} // namespace es
