#pragma once

#include "core/event.h"
#include "core/eventfilter.h"
#include "store/failure.h"

#include <QWidget>

#include <optional>

class QLabel;
class QMenu;
class QScrollBar;
class QTableView;
class QToolButton;
class QEvent;

namespace es {

class EventTableModel;
class FilterBar;
class StoreSession;
class WindowedTableView;

// What the event table shows before the filter bar narrows it.
struct ViewScope {
    enum class Kind { All, Category, Stream };
    Kind kind = Kind::All;
    QString name;

    static ViewScope all() { return {}; }
    static ViewScope category(const QString& name) { return { Kind::Category, name }; }
    static ViewScope stream(const QString& name) { return { Kind::Stream, name }; }
    bool operator==(const ViewScope& other) const = default;
};

// The central pane: scope header, filter bar and the paged event table.
class EventView : public QWidget {
    Q_OBJECT
public:
    explicit EventView(QWidget* parent = nullptr);
    ~EventView() override;

    // Shows the session's events in scope; nullptr clears the view.
    void setSession(StoreSession* session, const ViewScope& scope = ViewScope::all());
    void setScope(const ViewScope& scope);
    ViewScope scope() const { return m_scope; }

    // Keys are global positions, or versions when the scope is one stream.
    void goToKey(qint64 key);
    void goToTime(const QDateTime& time);
    void selectRow(int row);
    void refresh();
    // After a lost connection came back: reads the view again with the same filter, then restores the
    // selected event and the scroll position.
    void reload();
    // The table's context menu for a row (nullptr while that row's event is not loaded); the caller owns it.
    QMenu* createContextMenu(int row, QWidget* parent);
    // Re-reads the filter bar; on bad input shows the error inline and keeps the current rows.
    bool applyFilter();

    std::optional<Event> currentEvent() const;
    EventTableModel* model() const { return m_model; }
    // The view of a window of the model's rows (see WindowedTableView): its rows are not the model's rows.
    QTableView* table() const { return m_table; }
    // The scroll bar over all rows: its value is the model row at the top.
    QScrollBar* scrollBar() const;
    // The model row of the current event; -1 when none.
    int currentRow() const;
    // Keys of the selected rows whose events are loaded.
    QList<qint64> selectedKeys() const;
    FilterBar* filterBar() const { return m_filterBar; }
    qint64 rowCountKnown() const { return m_rowCount; }

Q_SIGNALS:
    void currentEventChanged(const std::optional<es::Event>& event);
    void scopeChanged(const es::ViewScope& scope);
    void errorOccurred(const QString& message);
    void failed(const es::Failure& failure);
    void statusMessage(const QString& message);
    void timeTravelRequested(const QString& stream, qint64 version);
    void flowRequested(const es::Event& event);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateHeader();
    void updateEmptyNote();
    void emitCurrent();
    void showContextMenu(const QPoint& pos);

    ViewScope m_scope;
    EventTableModel* m_model;
    FilterBar* m_filterBar;
    WindowedTableView* m_rows;
    QTableView* m_table;
    QLabel* m_scopeLabel;
    QLabel* m_countLabel;
    QLabel* m_emptyNote;
    QToolButton* m_allButton;
    QToolButton* m_scanButton;
    // The filter bar holds text that did not parse: the rows shown are from the filter before it.
    bool m_stale = false;
    // Ctrl+End in a scanned scope: go to the last row once the scan reaches the end.
    bool m_endAfterScan = false;
    qint64 m_rowCount = -1;
    int m_pendingRow = -1; // selected row whose event was not loaded yet
    Qt::SortOrder m_order = Qt::AscendingOrder;
    bool m_columnsSized = false;
    QMetaObject::Connection m_restoreScroll; // pending after reload()
};

} // namespace es

Q_DECLARE_METATYPE(es::ViewScope)
