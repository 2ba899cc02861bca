#pragma once

#include "activity/activity.h"
#include "activity/activityaxis.h"
#include "activity/zoomstack.h"
#include "store/failure.h"

#include <QPointer>
#include <QWidget>

#include <utility>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QSpinBox;
class QTimer;
class QToolButton;

namespace es {

class ActivityChartView;
class ActivityJob;
class EventView;
class FollowController;
class StoreSession;
class StreamSummary;

// The Activity dock: events per time bucket for the log's current scope and filter as a stacked bar chart (by type,
// category or stream), counted by the database off the GUI thread. Drag to zoom (re-counted at a finer bucket),
// hover for counts, click a bar to open the log at that bucket. Counts only while visible.
class ActivityView : public QWidget {
    Q_OBJECT
public:
    explicit ActivityView(QWidget* parent = nullptr);
    ~ActivityView() override;

    // nullptr clears the chart.
    void setSession(StoreSession* session);
    // What to count; title names it ("Global log", "Category order, filtered").
    void setScope(const EventFilter& filter, const QString& title);
    EventFilter scope() const { return m_filter; }
    // Follows the event view's scope and filter, opens it on a click, and refreshes while `follow` is on.
    void attach(EventView* view, FollowController* follow);

    void setGroupBy(HistogramQuery::GroupBy groupBy);
    HistogramQuery::GroupBy groupBy() const;
    void setTopN(int n);

    // Zooms into [from, to) (pushed on the zoom stack) and counts again at the bucket that range calls for.
    void zoomTo(const QDateTime& from, const QDateTime& to);
    void zoomOut();
    void resetZoom();
    int zoomDepth() const { return m_zoom.depth(); }
    void refresh();

    void setFollowing(bool on);
    bool isFollowing() const;
    void setRefreshInterval(int ms);

    bool savePng(const QString& path);
    bool saveSvg(const QString& path);
    void saveDialog();

    // The bar of bucket `index` and group `group` (an index into result().histogram.groups) was clicked.
    void activateBucket(int index, int group);
    QString toolTipFor(int index, int group) const;
    // Where that bar's middle is, in the chart view's viewport coordinates.
    QPoint barCenter(int index, int group) const;

    const ActivityResult& result() const { return m_result; }
    bool hasResult() const { return m_hasResult; }
    bool isCounting() const;
    int resultsApplied() const { return m_applied; }
    QString statusText() const;
    QString bucketText() const;
    QChart* chart() const { return m_chart; }
    QChartView* chartView() const;
    StreamSummary* summary() const { return m_summary; }

Q_SIGNALS:
    // A bar was clicked: the bucket's UTC range, and the group it belongs to when that group narrows the log.
    void bucketActivated(
        const QDateTime& from, const QDateTime& to, es::HistogramQuery::GroupBy groupBy, const QString& group);
    void updated();
    void failed(const es::Failure& failure);

protected:
    void showEvent(QShowEvent* event) override;

private:
    // estimateFirst: show an estimate within about a second, then the exact count (a refresh of a shown chart
    // goes straight to the exact count).
    void start(bool estimateFirst = true);
    void updateStatus();
    void apply(const ActivityResult& result);
    void showFailure(const es::Failure& failure);
    void rebuildAxisLabels();
    void updateButtons();
    void setOverlay(const QString& text);
    void dragged(double fromX, double toX);
    void clickedAt(double x, double y);
    void hoveredAt(double x, double y, const QPoint& globalPos);
    void openInView(
        EventView* view, const QDateTime& from, const QDateTime& to, HistogramQuery::GroupBy by, const QString& group);

    QPointer<StoreSession> m_session;
    ActivityJob* m_job;
    EventFilter m_filter;
    QString m_title;
    QString m_filterKey;
    ZoomStack m_zoom;
    ActivityResult m_result;
    ActivityAxis m_axis; // of m_result
    bool m_hasResult = false;
    qint64 m_partsDone = 0; // of the exact count running now
    qint64 m_parts = 0;
    bool m_dirty = true;
    bool m_ignoreView = false;
    int m_applied = 0;

    QLabel* m_scopeLabel;
    QComboBox* m_stackBy;
    QSpinBox* m_topN;
    QLabel* m_bucketLabel;
    QLabel* m_status;
    QToolButton* m_zoomOut;
    QToolButton* m_reset;
    QToolButton* m_save;
    QChart* m_chart;
    ActivityChartView* m_view;
    QLabel* m_overlay;
    StreamSummary* m_summary;
    QTimer* m_followTimer;
    QTimer* m_relabel;
};

} // namespace es
