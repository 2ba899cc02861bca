#pragma once

#include "core/eventfilter.h"
#include "live/lag.h"

#include <QPointer>
#include <QWidget>

class QChart;
class QChartView;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QSplitter;
class QTableView;
class QTimer;

namespace es {

class ProjectionsModel;
class StoreSession;

// The Projections dock: every checkpoint with its lag, rate, ETA and status, polled on a timer, and a chart of
// lag over time while the app runs. Activating a row asks to open the log at its first unprocessed event.
class ProjectionsView : public QWidget {
    Q_OBJECT
public:
    explicit ProjectionsView(QWidget* parent = nullptr);
    ~ProjectionsView() override;

    // nullptr stops polling and clears the view.
    void setSession(StoreSession* session);
    // Seconds between polls (default 2).
    void setPollInterval(double seconds);
    double pollInterval() const;
    void setThresholds(const LagThresholds& thresholds);
    LagThresholds thresholds() const;

    ProjectionsModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QChart* chart() const { return m_chart; }
    QString note() const;
    int pollsDone() const { return m_polls; }
    static constexpr int ChartSamples = 300;

public Q_SLOTS:
    void pollNow();

Q_SIGNALS:
    // The first event the consumer has not processed: key in scope (a version when the scope is one stream).
    void openRequested(const es::EventFilter& scope, qint64 key);
    void polled();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void onPoll(const LagPoll& poll);
    void updateChart();
    void activate(int row);

    QPointer<StoreSession> m_session;
    ProjectionsModel* m_model;
    QTableView* m_table;
    QChart* m_chart;
    QChartView* m_chartView;
    QSplitter* m_splitter = nullptr;
    QLabel* m_note;
    QDoubleSpinBox* m_interval;
    QDoubleSpinBox* m_stall;
    QSpinBox* m_caughtUp;
    QTimer* m_timer;
    LagTracker m_tracker;
    QDateTime m_started;
    quint64 m_generation = 0;
    bool m_inFlight = false;
    int m_polls = 0;
};

} // namespace es
