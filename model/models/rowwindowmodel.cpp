#include "models/rowwindowmodel.h"

#include <algorithm>

namespace es {

RowWindowModel::RowWindowModel(QObject* parent)
    : QAbstractProxyModel(parent)
{ }

void RowWindowModel::setSourceModel(QAbstractItemModel* source)
{
    beginResetModel();
    for (const QMetaObject::Connection& c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(source);
    if (source) {
        // Anything but rows inserted or removed in the flat table: start the window over.
        const auto about = [this] { beginWindowReset(); };
        const auto done = [this] { endWindowReset(); };
        m_connections = {
            connect(source, &QAbstractItemModel::modelAboutToBeReset, this, about),
            connect(source, &QAbstractItemModel::modelReset, this, done),
            connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, about),
            connect(source, &QAbstractItemModel::layoutChanged, this, done),
            connect(source, &QAbstractItemModel::rowsAboutToBeMoved, this, about),
            connect(source, &QAbstractItemModel::rowsMoved, this, done),
            connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this, about),
            connect(source, &QAbstractItemModel::columnsInserted, this, done),
            connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this, about),
            connect(source, &QAbstractItemModel::columnsRemoved, this, done),
            connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, &RowWindowModel::onRowsAboutToBeInserted),
            connect(source, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex& parent) { onRowsInserted(parent); }),
            connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, &RowWindowModel::onRowsAboutToBeRemoved),
            connect(source, &QAbstractItemModel::rowsRemoved, this,
                [this](const QModelIndex& parent) { onRowsRemoved(parent); }),
            connect(source, &QAbstractItemModel::dataChanged, this, &RowWindowModel::onDataChanged),
            connect(source, &QAbstractItemModel::headerDataChanged, this, &RowWindowModel::onHeaderDataChanged),
        };
    }
    m_first = 0;
    m_size = std::min(m_capacity, sourceRows());
    endResetModel();
    Q_EMIT windowMoved();
}

void RowWindowModel::setCapacity(int rows)
{
    rows = std::max(1, rows);
    if (rows == m_capacity)
        return;
    beginResetModel();
    m_capacity = rows;
    m_first = std::clamp(m_first, 0, std::max(0, sourceRows() - m_capacity));
    m_size = std::min(m_capacity, sourceRows() - m_first);
    endResetModel();
    Q_EMIT windowMoved();
}

int RowWindowModel::sourceRows() const
{
    return sourceModel() ? sourceModel()->rowCount() : 0;
}

void RowWindowModel::beginWindowReset()
{
    if (m_resetting)
        return;
    m_resetting = true;
    beginResetModel();
}

void RowWindowModel::endWindowReset()
{
    if (!m_resetting)
        return;
    m_first = 0;
    m_size = std::min(m_capacity, sourceRows());
    m_resetting = false;
    endResetModel();
    Q_EMIT windowMoved();
}

int RowWindowModel::placement(int top, int visible, int first, int size, int total, int capacity)
{
    if (total <= capacity)
        return 0;
    visible = std::max(1, visible);
    const int margin = capacity / 4;
    const int end = first + size;
    const bool inside = top >= first && top + visible <= end;
    const bool nearStart = first > 0 && top - first < margin;
    const bool nearEnd = end < total && end - (top + visible) < margin;
    if (inside && !nearStart && !nearEnd)
        return first;
    return std::clamp(top + visible / 2 - capacity / 2, 0, total - capacity);
}

void RowWindowModel::moveTo(int sourceRow)
{
    const int total = sourceRows();
    const int target = std::clamp(sourceRow, 0, std::max(0, total - m_capacity));
    const int size = std::min(m_capacity, total - target);
    if (target == m_first && size == m_size)
        return;
    ++m_adjusting;
    if (size != m_size) {
        beginResetModel();
        m_first = target;
        m_size = size;
        endResetModel();
    } else {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::NoLayoutChangeHint);
        const QModelIndexList from = persistentIndexList();
        QModelIndexList to;
        to.reserve(from.size());
        for (const QModelIndex& index : from) {
            const int row = m_first + index.row() - target;
            to.append(row >= 0 && row < m_size ? createIndex(row, index.column()) : QModelIndex());
        }
        m_first = target;
        changePersistentIndexList(from, to);
        Q_EMIT layoutChanged({}, QAbstractItemModel::NoLayoutChangeHint);
    }
    --m_adjusting;
    Q_EMIT windowMoved();
}

// Rows inserted at or before the window's start push its rows down: the window keeps its source row numbers, its
// last rows leave it when it is full. Each change is announced while the source agrees with it: rows leaving before
// the source changes, rows entering between its two signals.
void RowWindowModel::onRowsAboutToBeInserted(const QModelIndex& parent, int first, int last)
{
    m_entering = 0;
    if (parent.isValid() || m_resetting)
        return;
    const int end = m_first + m_size;
    if (first > end || (first == end && m_size == m_capacity))
        return;
    const int at = std::max(0, first - m_first);
    const int entering = std::min(last - first + 1, m_capacity - at);
    const int keep = std::max(0, std::min(m_size - at, m_capacity - at - entering));
    if (at + keep < m_size) {
        ++m_adjusting;
        beginRemoveRows({}, at + keep, m_size - 1);
        m_size = at + keep;
        endRemoveRows();
        --m_adjusting;
    }
    if (entering > 0) {
        beginInsertRows({}, at, at + entering - 1);
        m_entering = entering;
    }
}

void RowWindowModel::onRowsInserted(const QModelIndex& parent)
{
    if (parent.isValid() || m_entering == 0)
        return;
    m_size += m_entering;
    m_entering = 0;
    endInsertRows();
}

// Rows removed before the window pull the rows at its top out above it; the rows after it come in at its end.
void RowWindowModel::onRowsAboutToBeRemoved(const QModelIndex& parent, int first, int last)
{
    m_leaving = 0;
    if (parent.isValid() || m_resetting)
        return;
    const int end = m_first + m_size;
    if (first >= end)
        return;
    const bool before = first < m_first;
    const int from = before ? 0 : first - m_first;
    const int to = before ? std::min(last - first + 1, m_size) - 1 : std::min(last, end - 1) - m_first;
    if (from > to)
        return;
    m_leavingBefore = before;
    if (before)
        ++m_adjusting;
    beginRemoveRows({}, from, to);
    m_leaving = to - from + 1;
}

void RowWindowModel::onRowsRemoved(const QModelIndex& parent)
{
    if (parent.isValid() || m_resetting)
        return;
    if (m_leaving > 0) {
        m_size -= m_leaving;
        m_leaving = 0;
        endRemoveRows();
        if (m_leavingBefore)
            --m_adjusting;
        m_leavingBefore = false;
    }
    const int total = sourceRows();
    const int oldFirst = m_first;
    if (m_size == 0)
        m_first = std::clamp(m_first, 0, std::max(0, total - m_capacity));
    const int wanted = std::min(m_capacity, total - m_first);
    if (wanted > m_size) {
        ++m_adjusting;
        beginInsertRows({}, m_size, wanted - 1);
        m_size = wanted;
        endInsertRows();
        --m_adjusting;
    }
    if (m_first != oldFirst)
        Q_EMIT windowMoved();
}

void RowWindowModel::onDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles)
{
    if (topLeft.parent().isValid() || m_size == 0)
        return;
    const int first = std::max(topLeft.row(), m_first);
    const int last = std::min(bottomRight.row(), m_first + m_size - 1);
    if (first > last)
        return;
    Q_EMIT dataChanged(index(first - m_first, topLeft.column()), index(last - m_first, bottomRight.column()), roles);
}

void RowWindowModel::onHeaderDataChanged(Qt::Orientation orientation, int first, int last)
{
    if (orientation == Qt::Horizontal) {
        Q_EMIT headerDataChanged(orientation, first, last);
        return;
    }
    first = std::max(first, m_first);
    last = std::min(last, m_first + m_size - 1);
    if (first <= last)
        Q_EMIT headerDataChanged(orientation, first - m_first, last - m_first);
}

QModelIndex RowWindowModel::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || row >= m_size || column < 0 || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex RowWindowModel::parent(const QModelIndex&) const
{
    return {};
}

int RowWindowModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_size;
}

int RowWindowModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool RowWindowModel::hasChildren(const QModelIndex& parent) const
{
    return !parent.isValid() && m_size > 0 && columnCount() > 0;
}

QModelIndex RowWindowModel::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel() || proxyIndex.model() != this)
        return {};
    return sourceModel()->index(m_first + proxyIndex.row(), proxyIndex.column());
}

QModelIndex RowWindowModel::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.parent().isValid() || !containsSourceRow(sourceIndex.row()))
        return {};
    return index(sourceIndex.row() - m_first, sourceIndex.column());
}

QVariant RowWindowModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!sourceModel())
        return {};
    return sourceModel()->headerData(orientation == Qt::Vertical ? m_first + section : section, orientation, role);
}

bool RowWindowModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && sourceModel() && m_first + m_size == sourceRows() && sourceModel()->canFetchMore({});
}

void RowWindowModel::fetchMore(const QModelIndex& parent)
{
    if (canFetchMore(parent))
        sourceModel()->fetchMore({});
}

void RowWindowModel::sort(int column, Qt::SortOrder order)
{
    if (sourceModel())
        sourceModel()->sort(column, order);
}

QModelIndexList RowWindowModel::match(
    const QModelIndex& start, int role, const QVariant& value, int hits, Qt::MatchFlags flags) const
{
    QModelIndexList result;
    if (!sourceModel() || !start.isValid() || start.model() != this)
        return result;
    for (const QModelIndex& hit : sourceModel()->match(mapToSource(start), role, value, -1, flags)) {
        const QModelIndex index = mapFromSource(hit);
        if (!index.isValid())
            continue;
        result.append(index);
        if (hits != -1 && result.size() >= hits)
            break;
    }
    return result;
}

} // namespace es
