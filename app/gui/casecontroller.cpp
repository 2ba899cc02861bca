#include "casecontroller.h"

#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "settings.h"
#include "store/storesession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
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
    connect(m_places, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const int i = m_places->row(item);
        if (i >= 0 && i < int(m_contents.places.size()))
            jumpTo(m_contents.places[size_t(i)]);
    });
}

void CaseController::addActions(QMenu* fileMenu)
{
    QAction* save = fileMenu->addAction(tr("Save &Case…"), this, &CaseController::saveCaseDialog);
    save->setToolTip(tr("Write the chosen events, a bookmark and its note to a case file that EventScope opens"));
}

void CaseController::storeOpened(const StoreInfo& info)
{
    m_contents = {};
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
        StoreSession::Lane::Background, this, [address](EventStore&) { return CaseFile::read(address); },
        [this](CaseContents contents) {
            m_contents = std::move(contents);
            m_places->clear();
            for (const CasePlace& p : m_contents.places)
                m_places->addItem(placeText(p));
            m_dock->setWindowTitle(m_contents.title.isEmpty() ? tr("Case") : tr("Case: %1").arg(m_contents.title));
            m_dock->show();
            Q_EMIT placesShown(int(m_contents.places.size()));
        },
        [this](const Failure& f) { m_window->showError(tr("Could not read the case file: %1").arg(f.message)); });
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
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Case file:"), pathRow);
    form->addRow(tr("Title:"), title);
    form->addRow(tr("Events:"), scope);
    form->addRow(tr("Redact fields:"), redact);
    form->addRow(bookmark);
    form->addRow(tr("Note:"), note);
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
