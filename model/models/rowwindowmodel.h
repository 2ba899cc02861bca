#pragma once

#include <QAbstractProxyModel>
#include <QList>

namespace es {

// A bounded window of a flat table model's rows: proxy row r is source row first() + r, for at most capacity() rows.
// A view given this model instead of a table of millions of rows keeps its header, layout and selection bookkeeping
// at the window's size (QHeaderView keeps one entry per row and walks them all on every reset: 0.9 s at 10M rows);
// the view's owner maps the whole range to a scroll bar of its own and moves the window with moveTo().
//
// Source changes keep row numbers the way a view over the source would: rows inserted or removed at or before the
// window shift its content, the window stays at the same source rows. Moving the window is a layout change; the
// persistent indexes of rows that stay inside follow them, the others become invalid. isAdjusting() holds while
// rows leave or enter the window without changing in the source (a view's owner ignores selection changes then).
class RowWindowModel : public QAbstractProxyModel {
    Q_OBJECT
public:
    explicit RowWindowModel(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* source) override;
    // Resets the window.
    void setCapacity(int rows);
    int capacity() const { return m_capacity; }

    int first() const { return m_first; }
    int size() const { return m_size; }
    int sourceRows() const;
    bool containsSourceRow(int row) const { return row >= m_first && row < m_first + m_size; }
    // Moves the window to start at `sourceRow` (clamped so it stays full where the source has the rows).
    void moveTo(int sourceRow);
    bool isAdjusting() const { return m_adjusting > 0; }

    // Where the window should start for a viewport showing source rows [top, top + visible): where it is while the
    // viewport stays a quarter of the capacity away from its inner edges, else centred on the viewport.
    static int placement(int top, int visible, int first, int size, int total, int capacity);

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Only at the end of the source: growing models fetch more when the view reaches their last row.
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // The source's own search (a lazy model searches what it has loaded), answered with the hits inside the window.
    QModelIndexList match(const QModelIndex& start, int role, const QVariant& value, int hits = 1,
        Qt::MatchFlags flags = Qt::MatchFlags(Qt::MatchStartsWith | Qt::MatchWrap)) const override;

Q_SIGNALS:
    // first() or size() changed by moveTo() or a reset of the window.
    void windowMoved();

private:
    void beginWindowReset();
    void endWindowReset();
    void onRowsAboutToBeInserted(const QModelIndex& parent, int first, int last);
    void onRowsInserted(const QModelIndex& parent);
    void onRowsAboutToBeRemoved(const QModelIndex& parent, int first, int last);
    void onRowsRemoved(const QModelIndex& parent);
    void onDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles);
    void onHeaderDataChanged(Qt::Orientation orientation, int first, int last);

    QList<QMetaObject::Connection> m_connections;
    int m_capacity = 8192;
    int m_first = 0;
    int m_size = 0;
    int m_adjusting = 0;
    bool m_resetting = false;
    // Rows being inserted into (or removed from) the window between the source's two signals.
    int m_entering = 0;
    int m_leaving = 0;
    bool m_leavingBefore = false; // rows pulled out above the window, not removed from the source
};

} // namespace es
