#include "typesview.h"

#include "catalog/catalogjob.h"
#include "catalog/typecatalogmodel.h"
#include "store/storesession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
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
    , m_exact(new QToolButton(this))
    , m_cancel(new QToolButton(this))
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
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("Read the catalog again: a sample, then exact counts"));
    m_exact->setText(tr("Exact"));
    m_exact->setToolTip(tr("Read fields and shapes from every event of the scope (slower on large stores)"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setEnabled(false);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_refresh);
    bar->addWidget(m_exact);
    bar->addWidget(m_cancel);
    bar->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);

    connect(m_refresh, &QToolButton::clicked, this, [this] { refresh(false); });
    connect(m_exact, &QToolButton::clicked, this, [this] { refresh(true); });
    connect(m_cancel, &QToolButton::clicked, m_job, &CatalogJob::cancel);
    connect(m_job, &CatalogJob::runningChanged, m_cancel, &QToolButton::setEnabled);
    connect(m_job, &CatalogJob::runningChanged, this, [this](bool running) {
        if (!running && m_model->catalog())
            m_status->setText(statusText());
        else if (!running)
            m_status->setText(tr("Not read"));
    });
    connect(m_job, &CatalogJob::catalogAvailable, this,
        [this](std::shared_ptr<const TypeCatalog> catalog, bool last, quint64) {
            m_model->setCatalog(std::move(catalog));
            m_tree->expandToDepth(-1);
            m_status->setText(statusText() + (last ? QString() : tr(" — reading…")));
        });
    connect(m_job, &CatalogJob::progress, this, [this](qint64 done, qint64 total) {
        m_status->setText(statusText() + tr(" — reading fields: %1 of %2").arg(done).arg(total));
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
    m_job->setSession(session);
    m_session = session;
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
    m_stale = false;
    m_status->setText(tr("Reading a sample…"));
    m_job->start(options);
}

QString TypesView::statusText() const
{
    const auto catalog = m_model->catalog();
    if (!catalog)
        return {};
    const QString scope = m_title.isEmpty() ? tr("Store") : m_title;
    if (catalog->fieldsExact)
        return tr("%1: %n type(s), all exact", nullptr, int(catalog->types.size())).arg(scope);
    return tr("%1: %n type(s); fields and shapes from a sample of %2 events%3", nullptr, int(catalog->types.size()))
        .arg(scope)
        .arg(catalog->sampleEvents)
        .arg(catalog->countsExact ? tr(", counts exact") : tr(", counts sampled"));
}

void TypesView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
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
