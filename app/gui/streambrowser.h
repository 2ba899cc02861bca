#pragma once

#include "core/event.h"
#include "store/failure.h"

#include <QSet>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QTimer;
class QTreeView;

namespace es {

class StoreSession;
class StreamTreeModel;
struct ViewScope;

// The stream browser dock: categories with their streams (fetched lazily), a debounced filter box, columns for events
// and last activity that sort in the database (a click on a header), the stream the event table shows in bold, and
// the actions the event table has for a stream in its context menu. Down or Enter in the filter box goes to the list.
class StreamBrowser : public QWidget {
    Q_OBJECT
public:
    explicit StreamBrowser(QWidget* parent = nullptr);

    void setSession(StoreSession* session);
    void focusFilter();
    // The scope the event table shows: that stream (or category) is drawn in bold.
    void setOpenScope(const es::ViewScope& scope);

    StreamTreeModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    QLineEdit* filterEdit() const { return m_filter; }
    // The stream of the current row; empty on a category.
    QString currentStream() const;
    QAction* showAction() const { return m_showAction; }
    QAction* flowAction() const { return m_flowAction; }
    QAction* exportAction() const { return m_exportAction; }

Q_SIGNALS:
    void scopeRequested(const es::ViewScope& scope);
    void failed(const es::Failure& failure);
    void exportRequested(const QString& stream);
    // The flow through a stream's first event.
    void flowRequested(const es::Event& event);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // Names alone in a narrow dock, the events and last activity beside them when it is wide enough.
    void fitColumns();
    void activate(const QModelIndex& index);
    void enterList();
    void updateActions();
    void requestFlow();
    // "Loading streams…", or that the category counts shown are estimated while the exact ones are counted.
    void updateStatus();

    StreamTreeModel* m_model;
    QLineEdit* m_filter;
    QTimer* m_debounce;
    QTreeView* m_tree;
    QLabel* m_status;
    QAction* m_showAction;
    QAction* m_flowAction;
    QAction* m_exportAction;
    QSet<QString> m_expanded; // categories open before a sort read them again
    bool m_selectFirst = false; // Enter in the filter box: select the first row once it arrives
    bool m_narrow = false; // fitColumns() hid the events and last activity
};

} // namespace es
