#include "eventview.h"

#include "columnchooser.h"
#include "filterbar.h"
#include "models/eventtablemodel.h"
#include "windowedtableview.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace es {

EventView::EventView(QWidget* parent)
    : QWidget(parent)
    , m_model(new EventTableModel(this))
    , m_filterBar(new FilterBar(this))
    , m_rows(new WindowedTableView(this))
    , m_table(m_rows->table())
    , m_scopeLabel(new QLabel(this))
    , m_countLabel(new QLabel(this))
    , m_emptyNote(new QLabel(m_table->viewport()))
    , m_allButton(new QToolButton(this))
    , m_scanButton(new QToolButton(this))
{
    setObjectName(QStringLiteral("eventView"));
    m_table->setObjectName(QStringLiteral("eventTable"));
    m_scopeLabel->setObjectName(QStringLiteral("scopeLabel"));
    m_countLabel->setObjectName(QStringLiteral("scopeCount"));

    m_rows->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    // Fixed row heights: the view never asks the model for size hints of rows it has not loaded.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    auto* header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(EventTableModel::PositionColumn, Qt::AscendingOrder);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    new ColumnChooser(header, QStringLiteral("events"), this);

    m_allButton->setText(tr("Global log"));
    m_allButton->setObjectName(QStringLiteral("globalLogButton"));
    m_allButton->setToolTip(tr("Show every event in global order (Alt+Home)"));
    m_allButton->setAutoRaise(true);
    m_allButton->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    m_allButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_scopeLabel->setTextFormat(Qt::RichText);
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_allButton);
    top->addWidget(m_scopeLabel, 1);
    top->addWidget(m_countLabel);
    top->addWidget(m_scanButton);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_rows, 1);

    m_scanButton->setObjectName(QStringLiteral("scanToEnd"));
    m_scanButton->setAutoRaise(true);
    m_scanButton->hide();
    connect(m_scanButton, &QToolButton::clicked, this, [this] {
        if (m_model->scan().toEnd) {
            m_endAfterScan = false;
            m_model->stopScan();
        } else {
            m_model->scanToEnd();
        }
    });
    connect(m_model, &EventTableModel::scanChanged, this, &EventView::updateHeader);
    m_table->installEventFilter(this);

    connect(m_allButton, &QToolButton::clicked, this, [this] { setScope(ViewScope::all()); });
    connect(m_filterBar, &FilterBar::applied, this, &EventView::applyFilter);
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int section, Qt::SortOrder order) {
        if (section != EventTableModel::PositionColumn) {
            // Only the key order is indexed; other columns would mean a full scan.
            const QSignalBlocker block(header);
            header->setSortIndicator(EventTableModel::PositionColumn, m_order);
            Q_EMIT statusMessage(tr("Events sort by position only (the order the store keeps them in)."));
            return;
        }
        if (order == m_order)
            return;
        m_order = order;
        m_model->sort(EventTableModel::PositionColumn, order);
    });
    connect(m_rows, &WindowedTableView::currentRowChanged, this, &EventView::emitCurrent);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& tl, const QModelIndex& br) {
        if (m_pendingRow >= tl.row() && m_pendingRow <= br.row())
            emitCurrent();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_pendingRow = -1;
        Q_EMIT currentEventChanged(std::nullopt);
    });
    connect(m_model, &EventTableModel::loadingChanged, this, [this](bool loading) {
        if (!loading && m_pendingRow >= 0)
            emitCurrent();
    });
    connect(m_model, &EventTableModel::rowCountKnown, this, [this](qint64 count) {
        m_rowCount = count;
        updateHeader();
        if (m_endAfterScan) {
            m_endAfterScan = false;
            selectRow(m_model->rowCount() - 1);
        }
    });
    connect(m_model, &EventTableModel::keyLocated, this, [this](qint64 key, int row) {
        if (row < 0) {
            Q_EMIT errorOccurred(tr("Nothing at %1 in this view.").arg(key));
            return;
        }
        selectRow(row);
    });
    connect(m_model, &EventTableModel::errorOccurred, this, &EventView::errorOccurred);
    connect(m_model, &EventTableModel::failed, this, &EventView::failed);
    connect(m_table, &QTableView::customContextMenuRequested, this, &EventView::showContextMenu);
    m_emptyNote->setObjectName(QStringLiteral("emptyNote"));
    m_emptyNote->setAlignment(Qt::AlignCenter);
    m_emptyNote->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    m_emptyNote->hide();
    auto* noteLayout = new QVBoxLayout(m_table->viewport());
    noteLayout->addWidget(m_emptyNote, 0, Qt::AlignCenter);
    connect(m_model, &QAbstractItemModel::modelReset, this, &EventView::updateEmptyNote);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &EventView::updateEmptyNote);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &EventView::updateEmptyNote);
    connect(m_model, &EventTableModel::loadingChanged, this, &EventView::updateEmptyNote);
    updateHeader();
    updateEmptyNote();
}

EventView::~EventView() = default;

void EventView::setSession(StoreSession* session, const ViewScope& scope)
{
    m_rowCount = -1;
    m_pendingRow = -1;
    m_scope = scope;
    // The filter goes in before the session so the model starts one read, not two.
    m_model->setSession(nullptr);
    applyFilter();
    m_model->setSession(session);
    Q_EMIT scopeChanged(m_scope);
    if (!m_columnsSized) {
        m_columnsSized = true;
        auto* header = m_table->horizontalHeader();
        const int digit = m_table->fontMetrics().horizontalAdvance(QLatin1Char('9'));
        header->resizeSection(EventTableModel::PositionColumn, digit * 8 + 24);
        header->resizeSection(EventTableModel::TimeColumn,
            m_table->fontMetrics().horizontalAdvance(QStringLiteral("2024-05-01 12:34:56.789")) + 14);
        header->resizeSection(EventTableModel::StreamColumn, digit * 17);
        header->resizeSection(EventTableModel::VersionColumn, digit * 5 + 24);
        header->resizeSection(EventTableModel::TypeColumn, digit * 17);
    }
}

void EventView::setScope(const ViewScope& scope)
{
    if (scope == m_scope)
        return;
    m_scope = scope;
    m_rowCount = -1;
    applyFilter();
    Q_EMIT scopeChanged(m_scope);
}

bool EventView::applyFilter()
{
    EventFilter filter;
    if (m_scope.kind == ViewScope::Kind::Stream)
        filter.stream = m_scope.name;
    else if (m_scope.kind == ViewScope::Kind::Category)
        filter.category = m_scope.name;
    QString error;
    if (!m_filterBar->buildFilter(&filter, &error)) {
        m_filterBar->showError(error);
        m_stale = true;
        updateHeader();
        return false;
    }
    m_filterBar->showError({});
    m_stale = false;
    m_endAfterScan = false;
    m_rowCount = -1;
    m_pendingRow = -1;
    m_model->setFilter(filter);
    updateHeader();
    return true;
}

void EventView::updateHeader()
{
    QString text;
    switch (m_scope.kind) {
    case ViewScope::Kind::All:
        text = tr("<b>Global log</b>");
        break;
    case ViewScope::Kind::Category:
        text = tr("Category <b>%1</b>").arg(m_scope.name.toHtmlEscaped());
        break;
    case ViewScope::Kind::Stream:
        text = tr("Stream <b>%1</b> <span style=\"color:#888\">(by version)</span>").arg(m_scope.name.toHtmlEscaped());
        break;
    }
    if (m_model->filter().hasPredicates())
        text += tr(" <span style=\"color:#888\">· filtered</span>");
    if (m_stale)
        text += tr(" <span style=\"color:#b3261e\">· the filter above is not applied: these rows are from the "
                   "previous one</span>");
    m_scopeLabel->setText(text);
    m_allButton->setVisible(m_scope.kind != ViewScope::Kind::All);
    const EventTableModel::Scan scan = m_model->scan();
    const QLocale locale;
    if (scan.active && !scan.complete) {
        // A filter with predicates is found by scanning: say how far it has gone, never "counting…" for ever.
        QString progress
            = scan.found == 1 ? tr("1 match so far") : tr("%1 matches so far").arg(locale.toString(scan.found));
        if (scan.scannedTo >= 0) {
            progress += m_scope.kind == ViewScope::Kind::Stream
                ? tr(", read to version %1").arg(locale.toString(scan.scannedTo))
                : tr(", read to position %1").arg(locale.toString(scan.scannedTo));
        }
        if (scan.failed)
            progress += tr(" · the scan stopped on an error");
        else if (scan.toEnd)
            progress += tr(" · scanning…");
        else if (!scan.running)
            progress += tr(" · more when you scroll");
        m_countLabel->setText(progress);
        m_scanButton->setText(scan.toEnd ? tr("Stop") : tr("Scan to end"));
        m_scanButton->setToolTip(scan.toEnd ? tr("Stop scanning; the matches found so far stay")
                                            : tr("Read the rest of the scope now to find every match and the count "
                                                 "(Ctrl+End goes to the last one)"));
        m_scanButton->setVisible(!scan.failed);
        return;
    }
    m_scanButton->hide();
    if (m_rowCount < 0)
        m_countLabel->setText(m_model->isLoading() ? tr("counting…") : QString());
    else
        m_countLabel->setText(tr("%1 event(s)").arg(locale.toString(m_rowCount)));
}

bool EventView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const EventTableModel::Scan scan = m_model->scan();
        if (key->key() == Qt::Key_End && (key->modifiers() & Qt::ControlModifier) && scan.active && !scan.complete) {
            // The last row of a scanned scope is not known until the scan ends: scan, then go there.
            m_endAfterScan = true;
            m_model->scanToEnd();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void EventView::updateEmptyNote()
{
    const bool empty = m_model->session() && m_model->rowCount() == 0 && !m_model->isLoading();
    if (empty) {
        m_emptyNote->setText(
            m_filterBar->isActive() ? tr("No events match the filter in this view.") : tr("No events here."));
    }
    m_emptyNote->setVisible(empty);
}

void EventView::goToKey(qint64 key)
{
    m_model->locateKey(key);
}

void EventView::goToTime(const QDateTime& time)
{
    m_model->locateTime(time);
}

void EventView::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_rows->selectRow(row);
    m_table->setFocus(Qt::OtherFocusReason);
}

QScrollBar* EventView::scrollBar() const
{
    return m_rows->scrollBar();
}

int EventView::currentRow() const
{
    return m_rows->currentRow();
}

QList<qint64> EventView::selectedKeys() const
{
    QList<qint64> keys;
    const int row = m_rows->selectedRow();
    const QVariant key = row >= 0 ? m_model->index(row, 0).data(EventTableModel::KeyRole) : QVariant();
    if (key.isValid())
        keys.append(key.toLongLong());
    return keys;
}

void EventView::refresh()
{
    m_model->refresh();
}

std::optional<Event> EventView::currentEvent() const
{
    const int row = m_rows->currentRow();
    if (row < 0)
        return std::nullopt;
    return m_model->eventAt(row);
}

void EventView::emitCurrent()
{
    const int row = m_rows->currentRow();
    if (row < 0) {
        m_pendingRow = -1;
        Q_EMIT currentEventChanged(std::nullopt);
        return;
    }
    auto event = m_model->eventAt(row);
    m_pendingRow = event ? -1 : row;
    if (event)
        Q_EMIT currentEventChanged(event);
}

void EventView::showContextMenu(const QPoint& pos)
{
    const int row = m_rows->rowAt(pos);
    if (row < 0)
        return;
    std::unique_ptr<QMenu> menu(createContextMenu(row, this));
    if (menu)
        menu->exec(m_table->viewport()->mapToGlobal(pos));
}

QMenu* EventView::createContextMenu(int row, QWidget* parent)
{
    const auto event = m_model->eventAt(row);
    if (!event)
        return nullptr;
    auto* menu = new QMenu(parent);
    const Event e = *event;
    if (!e.stream.isEmpty() && !(m_scope.kind == ViewScope::Kind::Stream && m_scope.name == e.stream))
        menu->addAction(tr("Show stream %1").arg(e.stream), this, [this, e] { setScope(ViewScope::stream(e.stream)); });
    if (!e.type.isEmpty())
        menu->addAction(tr("Show only type %1").arg(e.type), this, [this, e] {
            m_filterBar->setTypes(e.type);
            m_filterBar->apply();
        });
    if (!e.stream.isEmpty()) {
        auto* travel = menu->addAction(
            tr("Time travel from here"), this, [this, e] { Q_EMIT timeTravelRequested(e.stream, e.version); });
        travel->setObjectName(QStringLiteral("timeTravelFromHere"));
    }
    if (e.position >= 0)
        menu->addAction(tr("Show flow"), this, [this, e] { Q_EMIT flowRequested(e); })
            ->setObjectName(QStringLiteral("showFlow"));
    menu->addSeparator();
    menu->addAction(
        tr("Copy as JSON"), this, [e] { QApplication::clipboard()->setText(QString::fromUtf8(e.toJsonLine())); });
    menu->addAction(
        tr("Copy position"), this, [e] { QApplication::clipboard()->setText(QString::number(e.position)); });
    return menu;
}

void EventView::reload()
{
    if (!m_model->session())
        return;
    const auto current = currentEvent();
    const qint64 key = current ? m_model->keyOf(*current) : -1;
    const int scroll = scrollBar()->value();
    const auto restoreScroll = [this, scroll] { scrollBar()->setValue(scroll); };
    disconnect(m_restoreScroll);
    if (key >= 0)
        m_restoreScroll = connect(m_model, &EventTableModel::keyLocated, this, restoreScroll, Qt::SingleShotConnection);
    else
        m_restoreScroll
            = connect(m_model, &EventTableModel::rowCountKnown, this, restoreScroll, Qt::SingleShotConnection);
    m_rowCount = -1;
    m_pendingRow = -1;
    m_model->setFilter(m_model->filter());
    updateHeader();
    if (key >= 0)
        m_model->locateKey(key);
}

} // namespace es
