#include "streambrowser.h"

#include "eventview.h"
#include "models/streamtreemodel.h"
#include "settings.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

namespace {

// The row of what the event table shows, in bold.
class OpenRowDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.siblingAtColumn(0).data(StreamTreeModel::IsOpenRole).toBool())
            option->font.setBold(true);
    }
};

} // namespace

StreamBrowser::StreamBrowser(QWidget* parent)
    : QWidget(parent)
    , m_model(new StreamTreeModel(this))
    , m_filter(new QLineEdit(this))
    , m_debounce(new QTimer(this))
    , m_tree(new QTreeView(this))
    , m_status(new QLabel(this))
    , m_showAction(new QAction(tr("Show Events"), m_tree))
    , m_flowAction(new QAction(tr("Show Flow of First Event"), m_tree))
    , m_exportAction(new QAction(tr("Export Stream…"), m_tree))
{
    setObjectName(QStringLiteral("streamBrowser"));
    m_tree->setObjectName(QStringLiteral("streamTree"));
    m_filter->setObjectName(QStringLiteral("streamFilter"));
    m_filter->setPlaceholderText(tr("Filter streams…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Show streams whose name contains this text; Down or Enter goes to the list"));
    m_filter->installEventFilter(this);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);

    m_tree->setModel(m_model);
    m_tree->setItemDelegate(new OpenRowDelegate(m_tree));
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto* header = m_tree->header();
    header->setStretchLastSection(false);
    // A narrow dock shows the name and the last activity; the events scroll into view.
    header->setSectionResizeMode(StreamTreeModel::NameColumn, QHeaderView::Interactive);
    header->resizeSection(
        StreamTreeModel::NameColumn, fontMetrics().horizontalAdvance(QStringLiteral("account-1000000")));
    header->setSectionResizeMode(StreamTreeModel::EventsColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(StreamTreeModel::LastActivityColumn, QHeaderView::ResizeToContents);
    header->moveSection(header->visualIndex(StreamTreeModel::LastActivityColumn), 1);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // The order last chosen; the model sorts when the view enables sorting.
    header->setSortIndicator(Settings::instance()->streamSortColumn(), Settings::instance()->streamSortOrder());
    header->setSortIndicatorShown(true);
    m_tree->setSortingEnabled(true);
    m_tree->viewport()->installEventFilter(this);
    connect(header, &QHeaderView::sortIndicatorChanged, this,
        [](int section, Qt::SortOrder order) { Settings::instance()->setStreamSort(section, order); });

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

    m_showAction->setObjectName(QStringLiteral("streamShowEvents"));
    m_flowAction->setObjectName(QStringLiteral("streamShowFlow"));
    m_exportAction->setObjectName(QStringLiteral("streamExport"));
    m_tree->addActions({ m_showAction, m_flowAction, m_exportAction });
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_showAction, &QAction::triggered, this, [this] { activate(m_tree->currentIndex()); });
    connect(m_flowAction, &QAction::triggered, this, &StreamBrowser::requestFlow);
    connect(m_exportAction, &QAction::triggered, this, [this] {
        if (const QString stream = currentStream(); !stream.isEmpty())
            Q_EMIT exportRequested(stream);
    });
    updateActions();

    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { m_model->setFilterText(m_filter->text().trimmed()); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        m_model->setFilterText(m_filter->text().trimmed());
        enterList();
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current, const QModelIndex&) {
            updateActions();
            activate(current);
        });
    connect(m_model, &StreamTreeModel::loadingChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::countingChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::countsChanged, this, &StreamBrowser::updateStatus);
    connect(m_model, &StreamTreeModel::failed, this, &StreamBrowser::failed);
    // A sort reads the categories again: those the user had open open again when they arrive.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        if (m_model->isFlat())
            return;
        m_expanded.clear();
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const QModelIndex category = m_model->index(row, 0);
            if (m_tree->isExpanded(category))
                m_expanded.insert(category.data(StreamTreeModel::CategoryRole).toString());
        }
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &StreamBrowser::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
        if (parent.isValid())
            return;
        if (!m_model->isFlat() && !m_expanded.isEmpty()) {
            for (int row = first; row <= last; ++row) {
                const QModelIndex category = m_model->index(row, 0);
                if (m_expanded.contains(category.data(StreamTreeModel::CategoryRole).toString()))
                    m_tree->expand(category);
            }
        }
        if (m_selectFirst && first == 0) {
            m_selectFirst = false;
            m_tree->setCurrentIndex(m_model->index(0, 0));
        }
    });
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

void StreamBrowser::setOpenScope(const ViewScope& scope)
{
    if (scope.kind == ViewScope::Kind::Stream) {
        // The stream's category, where the browser lists it.
        QString category;
        const QModelIndexList found = m_model->match(m_model->index(0, 0), StreamTreeModel::StreamNameRole, scope.name,
            1, Qt::MatchExactly | Qt::MatchRecursive);
        if (!found.isEmpty())
            category = found.front().data(StreamTreeModel::CategoryRole).toString();
        m_model->setOpen(scope.name, category);
    } else if (scope.kind == ViewScope::Kind::Category) {
        m_model->setOpen(QString(), scope.name);
    } else {
        m_model->setOpen(QString(), QString());
    }
}

QString StreamBrowser::currentStream() const
{
    return m_tree->currentIndex().siblingAtColumn(0).data(StreamTreeModel::StreamNameRole).toString();
}

void StreamBrowser::fitColumns()
{
    // A dock too narrow for a name beside the last activity (1024x700: about 150 px) shows the names alone,
    // elided in the middle so the id at their end stays; the columns come back as it widens.
    auto* header = m_tree->header();
    const int available = m_tree->viewport()->width();
    const int name = fontMetrics().horizontalAdvance(QStringLiteral("account-1000000")) + m_tree->indentation() * 2;
    // About 30 characters: a short name beside the start of a time (the column scrolls into view from there).
    const bool narrow = available < fontMetrics().averageCharWidth() * 30;
    if (narrow != m_narrow) {
        m_narrow = narrow;
        header->setSectionHidden(StreamTreeModel::LastActivityColumn, narrow);
        header->setSectionHidden(StreamTreeModel::EventsColumn, narrow);
    }
    if (narrow)
        header->resizeSection(StreamTreeModel::NameColumn, std::max(available, 60));
    else if (header->sectionSize(StreamTreeModel::NameColumn) < name)
        header->resizeSection(StreamTreeModel::NameColumn, name);
}

bool StreamBrowser::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Down && key->modifiers() == Qt::NoModifier) {
            enterList();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void StreamBrowser::enterList()
{
    m_tree->setFocus(Qt::TabFocusReason);
    if (m_tree->currentIndex().isValid())
        return;
    if (m_model->rowCount() > 0)
        m_tree->setCurrentIndex(m_model->index(0, 0));
    else
        m_selectFirst = true;
}

void StreamBrowser::updateActions()
{
    const QModelIndex current = m_tree->currentIndex();
    const bool stream = !currentStream().isEmpty();
    m_showAction->setEnabled(current.isValid());
    m_flowAction->setEnabled(stream && m_model->session());
    m_exportAction->setEnabled(stream && m_model->session());
}

void StreamBrowser::requestFlow()
{
    const QString stream = currentStream();
    StoreSession* session = m_model->session();
    if (stream.isEmpty() || !session)
        return;
    EventQuery query;
    query.filter.stream = stream;
    query.limit = 1;
    session->run<EventPage>(
        StoreSession::Lane::Interactive, this, [query](EventStore& store) { return store.events(query); },
        [this](EventPage page) {
            if (!page.events.empty())
                Q_EMIT flowRequested(page.events.front());
        },
        [this](const Failure& failure) { Q_EMIT failed(failure); });
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
