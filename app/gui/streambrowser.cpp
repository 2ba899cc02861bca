#include "streambrowser.h"

#include "eventview.h"
#include "models/streamtreemodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

StreamBrowser::StreamBrowser(QWidget* parent)
    : QWidget(parent)
    , m_model(new StreamTreeModel(this))
    , m_filter(new QLineEdit(this))
    , m_debounce(new QTimer(this))
    , m_tree(new QTreeView(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("streamBrowser"));
    m_tree->setObjectName(QStringLiteral("streamTree"));
    m_filter->setObjectName(QStringLiteral("streamFilter"));
    m_filter->setPlaceholderText(tr("Filter streams…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Show streams whose name contains this text"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);

    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(StreamTreeModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(StreamTreeModel::EventsColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    m_status->setObjectName(QStringLiteral("streamStatus"));
    m_status->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    m_status->setWordWrap(true);
    m_status->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { m_model->setFilterText(m_filter->text().trimmed()); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        m_model->setFilterText(m_filter->text().trimmed());
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current, const QModelIndex&) { activate(current); });
    connect(m_model, &StreamTreeModel::loadingChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::countingChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::countsChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::failed, this, &StreamBrowser::failed);
}

void StreamBrowser::updateStatus()
{
    QString text;
    if (m_model->isLoading())
        text = tr("Loading streams…");
    else if (m_model->countsEstimated())
        text = m_model->isCounting() ? tr("Category counts (≈) are estimated; counting exactly…")
                                     : tr("Category counts (≈) are estimated.");
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void StreamBrowser::setSession(StoreSession* session)
{
    m_model->setSession(session);
    if (!m_filter->text().trimmed().isEmpty())
        m_model->setFilterText(m_filter->text().trimmed());
}

void StreamBrowser::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void StreamBrowser::activate(const QModelIndex& index)
{
    if (!index.isValid())
        return;
    const QModelIndex first = index.siblingAtColumn(0);
    if (first.data(StreamTreeModel::IsCategoryRole).toBool()) {
        const QString category = first.data(StreamTreeModel::CategoryRole).toString();
        Q_EMIT scopeRequested(ViewScope::category(category));
    } else {
        const QString stream = first.data(StreamTreeModel::StreamNameRole).toString();
        if (!stream.isEmpty())
            Q_EMIT scopeRequested(ViewScope::stream(stream));
    }
}

} // namespace es
