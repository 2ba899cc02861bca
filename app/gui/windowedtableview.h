#pragma once

#include <QWidget>

class QAbstractItemModel;
class QModelIndex;
class QPoint;
class QScrollBar;
class QTableView;

namespace es {

class RowWindowModel;

// A table view for models of millions of rows that never stalls the GUI thread: the QTableView inside sees a
// RowWindowModel of a few thousand rows around the place shown, and the scroll bar beside it spans every row of the
// model. Scrolling (the bar, the wheel, the keys) moves the window when the viewport nears its edges. Rows here are
// the model's rows; the current and selected rows are kept while the window is elsewhere and restored when it
// comes back. Ctrl+Home / Ctrl+End go to the model's first and last rows.
class WindowedTableView : public QWidget {
    Q_OBJECT
public:
    explicit WindowedTableView(QWidget* parent = nullptr);
    ~WindowedTableView() override;

    void setModel(QAbstractItemModel* model);
    QAbstractItemModel* model() const { return m_model; }
    // The view inside; its model is window(), its own vertical scroll bar is hidden.
    QTableView* table() const { return m_table; }
    // The scroll bar over all rows: its value is the model row at the top of the viewport.
    QScrollBar* scrollBar() const { return m_bar; }
    RowWindowModel* window() const { return m_window; }

    // -1 when none.
    int currentRow() const { return m_current; }
    int selectedRow() const { return m_selected; }
    // Makes a row current and selected, shown in the middle of the viewport.
    void selectRow(int row);
    void clearCurrent();
    // The model row under a point of the table's viewport; -1 when none.
    int rowAt(const QPoint& pos) const;
    // Rows of the model that fit in the viewport.
    int visibleRows() const;

Q_SIGNALS:
    void currentRowChanged(int row);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateRange();
    void syncFromTable();
    void syncFromBar();
    void showTop(int top);
    void placeWindow();
    void restoreSelection();
    void onCurrentChanged(const QModelIndex& current);
    void onSelectionChanged();
    void onRowsInserted(int first, int last);
    void onRowsRemoved(int first, int last);

    QAbstractItemModel* m_model = nullptr;
    RowWindowModel* m_window;
    QTableView* m_table;
    QScrollBar* m_bar;
    int m_current = -1;
    int m_selected = -1;
    bool m_syncing = false;
    bool m_restoring = false;
};

} // namespace es
