#pragma once

#include "core/eventfilter.h"
#include "store/failure.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QToolButton;
class QTreeView;

namespace es {

class CatalogJob;
class StoreSession;
class TypeCatalogModel;

// The Types dock: the type catalog of the log's scope (types -> fields, shapes, drift flags), read off the GUI thread
// by a CatalogJob: a sample first, then exact counts; "Exact" reads every field and shape. Each figure says whether it
// is sampled. Activating a field or a flag opens the log filtered to that type (and to events carrying the field),
// at its first position; a shape opens at its first event. Reads only while visible.
class TypesView : public QWidget {
    Q_OBJECT
public:
    explicit TypesView(QWidget* parent = nullptr);
    ~TypesView() override;

    void setSession(StoreSession* session);
    // The store, a category or a stream (types, times and conditions are ignored); title names it.
    void setScope(const EventFilter& scope, const QString& title);
    EventFilter scope() const { return m_scope; }
    void refresh(bool exact = false);

    TypeCatalogModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    QString statusText() const;

Q_SIGNALS:
    // Open the log filtered to `type` (and `condition`, a filter query, when not empty) at `position`.
    void openRequested(const QString& type, const QString& condition, qint64 position);
    void failed(const es::Failure& failure);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void activate(const QModelIndex& index);

    QPointer<StoreSession> m_session;
    EventFilter m_scope;
    QString m_title;
    bool m_stale = true;
    CatalogJob* m_job;
    TypeCatalogModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTreeView* m_tree;
    QLabel* m_status;
    QToolButton* m_refresh;
    QToolButton* m_exact;
    QToolButton* m_cancel;
};

} // namespace es
