#pragma once

// The Types dock's parts below its tree (issue 13): sparklines of each type's rate, a type's shapes on a position
// axis, reducer coverage and the values of a path.

#include "catalog/catalogscan.h"
#include "catalog/coverage.h"
#include "store/failure.h"
#include "store/job.h"

#include <QPointer>
#include <QStyledItemDelegate>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace es {

class StoreSession;

// Draws TypeCatalogModel::RateRole as a sparkline.
class RateDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

// One type's shapes as bars over its span of positions, in the order they appeared: a v1 -> v2 change shows as one
// bar ending where the next begins. Clicking a bar asks for the shape's first event.
class ShapeTimeline : public QWidget {
    Q_OBJECT
public:
    explicit ShapeTimeline(QWidget* parent = nullptr);
    void setType(const TypeSummary* type, bool sampled);
    QSize sizeHint() const override;
    // The bar of shape i (widget coordinates), for tests.
    QRect barRect(int shape) const;

Q_SIGNALS:
    void shapeClicked(const QString& type, qint64 firstPosition);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QString m_type;
    std::vector<ShapeStats> m_shapes;
    qint64 m_first = -1;
    qint64 m_last = -1;
    bool m_sampled = false;
};

// Reducer coverage of the catalog: a reducer picked from the time-travel reducers, then per type whether it is
// handled, what its handler reads and which reads some events lack. Activating a row opens those events.
class CoveragePanel : public QWidget {
    Q_OBJECT
public:
    explicit CoveragePanel(QWidget* parent = nullptr);
    ~CoveragePanel() override;
    // Jobs run on `lane` of the session (one of the Types view's own: a scan there never waits for the catalog).
    void setSession(StoreSession* session, int lane);
    void setCatalog(std::shared_ptr<const TypeCatalog> catalog);
    // Reads the coverage of the reducer with this key (empty: none).
    void setReducer(const QString& key);
    QTreeWidget* tree() const { return m_tree; }
    QComboBox* picker() const { return m_picker; }
    bool isRunning() const { return m_ticket != 0; }
    QString statusText() const;

Q_SIGNALS:
    void openRequested(const QString& type, const QString& condition, qint64 position);

private:
    void start();
    void show(const ReducerCoverage& coverage);

    QPointer<StoreSession> m_session;
    int m_lane = 1;
    std::shared_ptr<const TypeCatalog> m_catalog;
    QString m_key;
    JobId m_ticket = 0;
    Generation m_generation;
    QComboBox* m_picker;
    QLabel* m_status;
    QTreeWidget* m_tree;
};

// The values of one path of one type, with counts and the streams they occur in; "duplicates across streams" keeps
// values seen in more than one stream. Activating a value opens the type filtered to it.
class ValuesPanel : public QWidget {
    Q_OBJECT
public:
    explicit ValuesPanel(QWidget* parent = nullptr);
    ~ValuesPanel() override;
    void setSession(StoreSession* session, int lane);
    void setScope(const EventFilter& scope);
    // The path to list (a field row of the tree); read by refresh() (Read, Enter, the duplicates box).
    void setPath(const QString& type, const QString& path, qint64 firstPosition);
    void setDuplicatesOnly(bool on);
    void refresh();
    QTreeWidget* tree() const { return m_tree; }
    bool isRunning() const { return m_ticket != 0; }

Q_SIGNALS:
    void openRequested(const QString& type, const QString& condition, qint64 position);

private:
    QPointer<StoreSession> m_session;
    int m_lane = 1;
    EventFilter m_scope;
    QString m_type;
    qint64 m_firstPosition = -1;
    JobId m_ticket = 0;
    Generation m_generation;
    QLabel* m_title;
    QLineEdit* m_path;
    QCheckBox* m_duplicates;
    QTreeWidget* m_tree;
};

} // namespace es
