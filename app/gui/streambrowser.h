#pragma once

#include "store/failure.h"
#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;
class QTreeView;

namespace es {

class StoreSession;
class StreamTreeModel;
struct ViewScope;

// The stream browser dock: categories with their streams (fetched lazily), a debounced filter box.
class StreamBrowser : public QWidget {
    Q_OBJECT
public:
    explicit StreamBrowser(QWidget* parent = nullptr);

    void setSession(StoreSession* session);
    void focusFilter();

    StreamTreeModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    QLineEdit* filterEdit() const { return m_filter; }

Q_SIGNALS:
    void scopeRequested(const es::ViewScope& scope);
    void failed(const es::Failure& failure);

private:
    void activate(const QModelIndex& index);
    // "Loading streams…", or that the category counts shown are estimated while the exact ones are counted.
    void updateStatus();

    StreamTreeModel* m_model;
    QLineEdit* m_filter;
    QTimer* m_debounce;
    QTreeView* m_tree;
    QLabel* m_status;
};

} // namespace es
