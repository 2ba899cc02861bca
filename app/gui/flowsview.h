#pragma once

#include "flow/flowvariants.h"
#include "store/job.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QToolButton;
class QTreeWidget;

namespace es {

class StoreSession;

// The Flows dock: the flows started by one type grouped by the database per correlation id and here by their type
// sequence (variants, with count and p50/p95/p99 durations), updated as the rows stream in, and the incomplete flows
// (never reached the usual end within the given time). Activating a variant or an incomplete flow opens it.
class FlowsView : public QWidget {
    Q_OBJECT
public:
    explicit FlowsView(QWidget* parent = nullptr);
    ~FlowsView() override;

    void setSession(StoreSession* session);
    void setStartType(const QString& type);
    void run();
    void cancel();
    bool isRunning() const { return m_job != 0; }
    QTreeWidget* variants() const { return m_variants; }
    QTreeWidget* incomplete() const { return m_incomplete; }
    QString statusText() const;

Q_SIGNALS:
    void openFlowRequested(const QString& correlationId, qint64 position);
    void finished();

private:
    void showResult(const FlowVariants& result);

    QPointer<StoreSession> m_session;
    JobId m_job = 0;
    Generation m_generation;
    QLineEdit* m_type;
    QLineEdit* m_after;
    QToolButton* m_run;
    QToolButton* m_cancel;
    QTreeWidget* m_variants;
    QTreeWidget* m_incomplete;
    QLabel* m_status;
};

} // namespace es
