#include "windowedtableview.h"

#include "models/rowwindowmodel.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>

namespace es {

WindowedTableView::WindowedTableView(QWidget* parent)
    : QWidget(parent)
    , m_window(new RowWindowModel(this))
    , m_table(new QTableView(this))
    , m_bar(new QScrollBar(Qt::Vertical, this))
{
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_table->setModel(m_window);
    m_bar->setObjectName(QStringLiteral("rowScrollBar"));
    m_bar->setSingleStep(1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_bar);

    QScrollBar* inner = m_table->verticalScrollBar();
    connect(inner, &QScrollBar::valueChanged, this, &WindowedTableView::syncFromTable);
    connect(inner, &QScrollBar::rangeChanged, this, &WindowedTableView::updateRange);
    connect(m_bar, &QScrollBar::valueChanged, this, &WindowedTableView::syncFromBar);
    connect(m_window, &RowWindowModel::windowMoved, this, &WindowedTableView::restoreSelection);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { onCurrentChanged(current); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &WindowedTableView::onSelectionChanged);
    m_table->installEventFilter(this);
    m_table->viewport()->installEventFilter(this);
}

WindowedTableView::~WindowedTableView() = default;

void WindowedTableView::setModel(QAbstractItemModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_current = -1;
    m_selected = -1;
    m_window->setSourceModel(model);
    if (model) {
        // After the window's own handlers (connected by setSourceModel): the rows here follow the model's rows.
        connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
            if (!parent.isValid())
                onRowsInserted(first, last);
        });
        connect(model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex& parent, int first, int last) {
            if (!parent.isValid())
                onRowsRemoved(first, last);
        });
        const auto reset = [this] {
            m_current = -1;
            m_selected = -1;
            updateRange();
            showTop(m_bar->value());
        };
        connect(model, &QAbstractItemModel::modelReset, this, reset);
        connect(model, &QAbstractItemModel::layoutChanged, this, reset);
    }
    updateRange();
}

int WindowedTableView::visibleRows() const
{
    const int rowHeight = std::max(1, m_table->verticalHeader()->defaultSectionSize());
    return std::max(1, m_table->viewport()->height() / rowHeight);
}

void WindowedTableView::updateRange()
{
    const int total = m_model ? m_model->rowCount() : 0;
    const int fit = visibleRows();
    const bool wasSyncing = m_syncing;
    m_syncing = true;
    m_bar->setRange(0, std::max(0, total - fit));
    m_bar->setPageStep(fit);
    m_syncing = wasSyncing;
}

void WindowedTableView::syncFromTable()
{
    if (m_syncing || !m_model)
        return;
    const QScrollBar* inner = m_table->verticalScrollBar();
    const int total = m_model->rowCount();
    const int top = m_window->first() + inner->value();
    const bool atEnd = inner->value() >= inner->maximum() && m_window->first() + m_window->size() >= total;
    m_syncing = true;
    m_bar->setValue(atEnd ? m_bar->maximum() : top);
    m_syncing = false;
    const int first = RowWindowModel::placement(
        top, visibleRows(), m_window->first(), m_window->size(), total, m_window->capacity());
    if (first != m_window->first())
        showTop(top);
}

void WindowedTableView::syncFromBar()
{
    if (!m_syncing)
        showTop(m_bar->value());
}

// Moves the window where it has to be for `top` to be the first row shown, then scrolls the table there.
void WindowedTableView::showTop(int top)
{
    if (!m_model)
        return;
    const int total = m_model->rowCount();
    const int fit = visibleRows();
    const bool atEnd = top >= m_bar->maximum();
    const bool wasSyncing = m_syncing;
    m_syncing = true;
    m_window->moveTo(
        RowWindowModel::placement(top, fit, m_window->first(), m_window->size(), total, m_window->capacity()));
    QScrollBar* inner = m_table->verticalScrollBar();
    const int wanted = atEnd ? std::max(0, m_window->size() - fit) : top - m_window->first();
    if (inner->maximum() < wanted || (atEnd && inner->maximum() != wanted))
        m_table->doItemsLayout(); // rows just came into the window: the view has not laid them out yet
    inner->setValue(atEnd ? inner->maximum() : wanted);
    if (atEnd && m_bar->value() != m_bar->maximum())
        m_bar->setValue(m_bar->maximum());
    m_syncing = wasSyncing;
}

void WindowedTableView::selectRow(int row)
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return;
    const int fit = visibleRows();
    showTop(std::clamp(row - fit / 2, 0, std::max(0, m_model->rowCount() - fit)));
    m_syncing = true;
    m_bar->setValue(m_window->first() + m_table->verticalScrollBar()->value());
    m_syncing = false;
    if (!m_window->containsSourceRow(row))
        return;
    const QModelIndex index = m_window->index(row - m_window->first(), 0);
    m_selected = row;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void WindowedTableView::clearCurrent()
{
    m_table->selectionModel()->clear();
    m_selected = -1;
    if (m_current != -1) {
        m_current = -1;
        Q_EMIT currentRowChanged(-1);
    }
}

int WindowedTableView::rowAt(const QPoint& pos) const
{
    const QModelIndex index = m_table->indexAt(pos);
    return index.isValid() ? m_window->first() + index.row() : -1;
}

void WindowedTableView::onCurrentChanged(const QModelIndex& current)
{
    if (m_restoring || m_window->isAdjusting())
        return;
    const int row = current.isValid() ? m_window->first() + current.row() : -1;
    if (row == m_current)
        return;
    m_current = row;
    Q_EMIT currentRowChanged(row);
}

void WindowedTableView::onSelectionChanged()
{
    if (m_restoring || m_window->isAdjusting())
        return;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_selected = rows.isEmpty() ? -1 : m_window->first() + rows.first().row();
}

// The current and selected rows went out of the window with it; back in, they are current and selected again.
void WindowedTableView::restoreSelection()
{
    if (m_restoring)
        return;
    m_restoring = true;
    QItemSelectionModel* selection = m_table->selectionModel();
    if (m_window->containsSourceRow(m_current)) {
        const QModelIndex index = m_window->index(m_current - m_window->first(), 0);
        if (selection->currentIndex().row() != index.row() || !selection->currentIndex().isValid()) {
            selection->setCurrentIndex(index,
                m_selected == m_current ? QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows
                                        : QItemSelectionModel::NoUpdate);
        }
    } else if (selection->currentIndex().isValid()) {
        // The selection model moved it to a neighbour when its row left the window.
        selection->setCurrentIndex(QModelIndex(), QItemSelectionModel::NoUpdate);
    }
    if (m_selected != m_current && m_window->containsSourceRow(m_selected)) {
        selection->select(m_window->index(m_selected - m_window->first(), 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_restoring = false;
}

void WindowedTableView::onRowsInserted(int first, int last)
{
    const int n = last - first + 1;
    if (m_current >= first)
        m_current += n;
    if (m_selected >= first)
        m_selected += n;
    updateRange();
    placeWindow();
    restoreSelection();
}

// Rows came or went after a full window: the viewport may now be near an inner edge it cannot scroll past.
void WindowedTableView::placeWindow()
{
    const int top = m_bar->value();
    const int first = RowWindowModel::placement(
        top, visibleRows(), m_window->first(), m_window->size(), m_model->rowCount(), m_window->capacity());
    if (first != m_window->first())
        showTop(top);
}

void WindowedTableView::onRowsRemoved(int first, int last)
{
    const int n = last - first + 1;
    auto follow = [first, last, n](int row) { return row < first ? row : row > last ? row - n : -1; };
    const int current = follow(m_current);
    m_selected = follow(m_selected);
    if (current != m_current) {
        m_current = current;
        if (current < 0)
            Q_EMIT currentRowChanged(-1);
    }
    updateRange();
    placeWindow();
    restoreSelection();
}

bool WindowedTableView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize) {
        updateRange();
    } else if (watched == m_table && event->type() == QEvent::KeyPress && m_model) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool control = key->modifiers() & Qt::ControlModifier;
        if (control && key->key() == Qt::Key_Home) {
            selectRow(0);
            return true;
        }
        if (control && key->key() == Qt::Key_End) {
            selectRow(m_model->rowCount() - 1);
            return true;
        }
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
            // The keys move from the current row even when the user scrolled far from it.
            if (m_current >= 0 && !m_window->containsSourceRow(m_current))
                selectRow(m_current);
            break;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace es
