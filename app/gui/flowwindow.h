#pragma once

#include "flow/flowfinder.h"
#include "store/job.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace es {

class StoreSession;

// One flow in a window of its own: the graph (causes left of effects) and the swimlanes (a lane per stream, time to
// the right), found by a job on the session's Interactive lane (progress, Esc cancels). Unindexed lookups read a
// window of positions around the start event, shown in the status line; "Widen" doubles it. Where the time budget runs
// out first, the flow found so far is shown and the reading goes on (up to FollowMs; Esc stops it), then completes it.
// Clicking an event shows it in the inspector; its context menu opens it in the event table, in time travel at its
// version, or opens the flow from it. Exports: PNG, SVG, Mermaid and DOT.
class FlowWindow : public QWidget {
    Q_OBJECT
public:
    explicit FlowWindow(QWidget* parent = nullptr);
    ~FlowWindow() override;

    void setSession(StoreSession* session);
    void open(const FlowRequest& request);
    const std::optional<Flow>& flow() const { return m_flow; }
    QGraphicsScene* graphScene() const { return m_graphScene; }
    QGraphicsScene* laneScene() const { return m_laneScene; }
    QString statusText() const;
    bool isRunning() const { return m_job != 0; }
    void cancel();
    // Writes the current view's scene as PNG or SVG (by the file's suffix), Mermaid (.mmd) or DOT (.dot/.gv).
    bool exportTo(const QString& path);

Q_SIGNALS:
    void eventActivated(const es::Event& event);
    void showInTableRequested(qint64 position);
    void timeTravelRequested(const QString& stream, qint64 version);
    void failed(const es::Failure& failure);
    // The flow found when the time budget ran out is shown; the reading goes on.
    void partialShown();
    void finished();

private:
    void showFlow(Flow flow);
    void redraw();
    void zoom(double factor);
    void fit();
    void nodeMenu(QGraphicsView* view, const QPoint& pos);
    std::optional<int> nodeAt(QGraphicsView* view, const QPoint& pos) const;
    void exportDialog();
    bool eventFilter(QObject* watched, QEvent* event) override;

    QPointer<StoreSession> m_session;
    FlowRequest m_request;
    std::optional<Flow> m_flow;
    JobId m_job = 0;
    Generation m_generation;
    double m_laneZoom = 1.0;
    QLineEdit* m_correlation;
    QSpinBox* m_limit;
    QToolButton* m_widen;
    QToolButton* m_cancel;
    QToolButton* m_export;
    QProgressBar* m_progress;
    QTabWidget* m_tabs;
    QGraphicsScene* m_graphScene;
    QGraphicsScene* m_laneScene;
    QGraphicsView* m_graphView;
    QGraphicsView* m_laneView;
    QLabel* m_status;
    QString m_flowStatus; // the shown flow's lines of the status

    // After the first answer the reading goes on for up to this long from the start (Esc stops it).
    static constexpr int FollowMs = 120000;
};

} // namespace es
