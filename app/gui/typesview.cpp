#include "typesview.h"

#include "typemarker.h"
#include "typespanels.h"

#include "catalog/catalogjob.h"
#include "catalog/typecatalogmodel.h"
#include "store/storesession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

TypesView::TypesView(QWidget* parent)
    : QWidget(parent)
    , m_job(new CatalogJob(this))
    , m_model(new TypeCatalogModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_tree(new QTreeView(this))
    , m_status(new QLabel(this))
    , m_refresh(new QToolButton(this))
    , m_cancel(new QToolButton(this))
    , m_panels(new QTabWidget(this))
    , m_shapes(new ShapeTimeline(this))
    , m_coverage(new CoveragePanel(this))
    , m_values(new ValuesPanel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TypeCatalogModel::SortRole);
    m_tree->setModel(m_proxy);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(TypeCatalogModel::NameColumn, Qt::AscendingOrder);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setColumnWidth(TypeCatalogModel::NameColumn, 260);
    m_tree->setColumnWidth(TypeCatalogModel::RateColumn, 120);
    m_tree->setItemDelegateForColumn(TypeCatalogModel::RateColumn, new RateDelegate(m_tree));
    m_tree->setItemDelegateForColumn(TypeCatalogModel::NameColumn, new TypeMarkerDelegate(m_tree, true));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("Read the catalog again: estimates and a sample at once, then exact in the background"));
    m_cancel->setText(tr("Stop"));
    m_cancel->setToolTip(tr("Stop refining: keep the figures as they are (each says whether it is estimated, sampled "
                            "or exact)"));
    m_cancel->setEnabled(false);
    m_panels->addTab(m_shapes, tr("Shapes over time"));
    m_panels->addTab(m_coverage, tr("Reducer coverage"));
    m_panels->addTab(m_values, tr("Values"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_refresh);
    bar->addWidget(m_cancel);
    bar->addWidget(m_status, 1);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_tree);
    split->addWidget(m_panels);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_refresh, &QToolButton::clicked, this, [this] { refresh(); });
    connect(m_cancel, &QToolButton::clicked, this, &TypesView::stop);
    connect(m_shapes, &ShapeTimeline::shapeClicked, this,
        [this](const QString& type, qint64 position) { Q_EMIT openRequested(type, QString(), position); });
    connect(m_coverage, &CoveragePanel::openRequested, this, &TypesView::openRequested);
    connect(m_values, &ValuesPanel::openRequested, this, &TypesView::openRequested);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& current) { select(current); });
    connect(m_job, &CatalogJob::runningChanged, m_cancel, &QToolButton::setEnabled);
    connect(m_job, &CatalogJob::runningChanged, this, [this](bool running) {
        if (!running && m_model->catalog())
            m_status->setText(statusText());
        else if (!running)
            m_status->setText(tr("Not read"));
    });
    connect(m_job, &CatalogJob::catalogAvailable, this,
        [this](std::shared_ptr<const TypeCatalog> catalog, bool last, quint64) {
            const QString current = m_tree->currentIndex().data(TypeCatalogModel::TypeRole).toString();
            const bool first = !m_model->catalog();
            m_model->setCatalog(catalog);
            m_tree->expandToDepth(-1);
            m_status->setText(statusText() + (last ? QString() : tr(" — refining…")));
            if (first || last || catalog->fieldsExact)
                m_coverage->setCatalog(catalog);
            // The selection survives a new stage.
            for (int r = 0; r < m_proxy->rowCount(); ++r) {
                const QModelIndex i = m_proxy->index(r, 0);
                if (!current.isEmpty() && i.data(TypeCatalogModel::TypeRole).toString() == current) {
                    m_tree->setCurrentIndex(i);
                    break;
                }
            }
            select(m_tree->currentIndex());
        });
    connect(m_job, &CatalogJob::progress, this, [this](qint64 done, qint64 total, const QString& what) {
        m_status->setText(statusText() + tr(" — %1: %2 of %3").arg(what.toLower()).arg(done).arg(total));
    });
    connect(m_job, &CatalogJob::failed, this, [this](const Failure& failure) {
        m_status->setText(tr("Failed: %1").arg(failure.message));
        Q_EMIT failed(failure);
    });
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex& index) { activate(index); });
}

TypesView::~TypesView() = default;

void TypesView::setSession(StoreSession* session)
{
    if (m_session && m_lane >= 0)
        m_session->closeLane(StoreSession::Lane(m_lane));
    m_lane = -1;
    m_job->setSession(session);
    m_session = session;
    if (session)
        m_lane = int(session->openLane(QStringLiteral("types-details")));
    m_coverage->setSession(session, m_lane);
    m_values->setSession(session, m_lane);
    m_shapes->setType(nullptr, false);
    m_model->setCatalog(nullptr);
    m_status->setText(session ? tr("Not read") : QString());
    m_stale = true;
    if (session && isVisible())
        refresh();
}

void TypesView::setScope(const EventFilter& scope, const QString& title)
{
    EventFilter s;
    s.stream = scope.stream;
    s.category = scope.category;
    if (s.stream == m_scope.stream && s.category == m_scope.category && !m_stale)
        return;
    m_scope = s;
    m_title = title;
    m_stale = true;
    m_values->setScope(s);
    if (isVisible())
        refresh();
}

void TypesView::refresh(bool exact)
{
    if (!m_session)
        return;
    CatalogOptions options;
    options.scope = m_scope;
    options.exact = exact;
    options.useCache = true;
    m_stale = false;
    m_status->setText(tr("Reading estimates and a sample…"));
    m_job->start(options);
}

void TypesView::stop()
{
    m_job->cancel();
    if (m_model->catalog())
        m_status->setText(statusText() + tr(" — stopped"));
}

QString TypesView::statusText() const
{
    const auto catalog = m_model->catalog();
    if (!catalog)
        return {};
    const QString scope = m_title.isEmpty() ? tr("Store") : m_title;
    if (catalog->fieldsExact && catalog->streamsExact)
        return tr("%1: %n type(s), all exact", nullptr, int(catalog->types.size())).arg(scope);
    const QString counts = catalog->countsExact
        ? (catalog->streamsExact ? tr(", counts exact") : tr(", counts exact, streams estimated"))
        : catalog->countsEstimated ? tr(", counts estimated")
                                   : tr(", counts sampled");
    if (catalog->fieldsExact)
        return tr("%1: %n type(s); fields and shapes exact%2", nullptr, int(catalog->types.size())).arg(scope, counts);
    return tr("%1: %n type(s); fields and shapes from a sample of %2 events%3", nullptr, int(catalog->types.size()))
        .arg(scope)
        .arg(catalog->sampleEvents)
        .arg(counts);
}

void TypesView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void TypesView::select(const QModelIndex& index)
{
    const auto catalog = m_model->catalog();
    const QModelIndex source = m_proxy->mapToSource(index);
    const QString type = source.data(TypeCatalogModel::TypeRole).toString();
    m_shapes->setType(catalog ? catalog->find(type) : nullptr, catalog && !catalog->fieldsExact);
    const QString path = source.data(TypeCatalogModel::PathRole).toString();
    if (!type.isEmpty() && !path.isEmpty() && source.parent().isValid()
        && source.parent().row() == TypeCatalogModel::FieldsSection) {
        const TypeSummary* t = catalog ? catalog->find(type) : nullptr;
        m_values->setPath(type, path, t ? t->firstPosition : -1);
    }
}

void TypesView::activate(const QModelIndex& index)
{
    const QModelIndex source = m_proxy->mapToSource(index);
    const QString type = source.data(TypeCatalogModel::TypeRole).toString();
    const QVariant position = source.data(TypeCatalogModel::PositionRole);
    if (type.isEmpty() || !position.isValid())
        return;
    Q_EMIT openRequested(type, source.data(TypeCatalogModel::FilterRole).toString(), position.toLongLong());
}

} // namespace es
