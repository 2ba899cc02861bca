#pragma once

#include "core/eventfilter.h"
#include "store/failure.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace es {

class CatalogJob;
class CoveragePanel;
class ShapeTimeline;
class StoreSession;
class TypeCatalogModel;
class ValuesPanel;

// The Types dock: the type catalog of the log's scope (types -> fields, shapes, drift flags), read off the GUI thread
// by a CatalogJob: estimated counts and a sample first, then refined to exact counts, streams, fields and shapes in
// the background (Stop ends it). Each figure says whether it is estimated or sampled; each type has a sparkline of
// its rate. Activating a type, field, shape or flag opens the log filtered to that type (and to events carrying the
// field) at its first position. Below: the selected type's shapes on a position axis, reducer coverage, and the
// values of a path with duplicates across streams. Reads only while visible.
class TypesView : public QWidget {
    Q_OBJECT
public:
    explicit TypesView(QWidget* parent = nullptr);
    ~TypesView() override;

    void setSession(StoreSession* session);
    // The store, a category or a stream (types, times and conditions are ignored); title names it.
    void setScope(const EventFilter& scope, const QString& title);
    EventFilter scope() const { return m_scope; }
    // Reads the catalog again: estimates and a sample, then (with `exact`) refined to exact in the background.
    void refresh(bool exact = true);
    void stop();

    TypeCatalogModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    ShapeTimeline* shapes() const { return m_shapes; }
    CoveragePanel* coverage() const { return m_coverage; }
    ValuesPanel* values() const { return m_values; }
    QTabWidget* panels() const { return m_panels; }
    QString statusText() const;

Q_SIGNALS:
    // Open the log filtered to `type` (and `condition`, a filter query, when not empty) at `position`.
    void openRequested(const QString& type, const QString& condition, qint64 position);
    void failed(const es::Failure& failure);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void activate(const QModelIndex& index);
    void select(const QModelIndex& index);

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
    QToolButton* m_cancel;
    QTabWidget* m_panels;
    ShapeTimeline* m_shapes;
    CoveragePanel* m_coverage;
    ValuesPanel* m_values;
    int m_lane = -1; // the session's lane for coverage and values
};

} // namespace es
