#pragma once

#include "reconcile/reconciler.h"
#include "store/job.h"

#include <QObject>
#include <QPointer>

#include <memory>
#include <mutex>

class QTimer;

namespace es {

class StoreSession;

// What a Reconcile view asks for: the reducer by its catalog key, the read model (empty address: the store's own
// database), the options, and a checkpoint by name (read from the store as the Projections dock reads them).
struct ReconcileRequest {
    QString reducerKey;
    QString readModelAddress;
    QString checkpointName;
    ReconcileOptions options;
    // Connections to the store that read the events: 2 reads every other page over a second one (opened with the
    // session's StoreOpener), 1 keeps to the lane's.
    int connections = 2;
};

// Runs a Reconciler on a lane of its own of the session (a reconciliation may take minutes and holds a fold).
// Rows arrive as they are judged (rowsAvailable, batched every ~100 ms); only the newest request delivers; cancel()
// interrupts the running statement. Exactly one of finished, failed or cancel() ends a run.
class ReconcileJob : public QObject {
    Q_OBJECT
public:
    explicit ReconcileJob(QObject* parent = nullptr);
    ~ReconcileJob() override;

    void setSession(StoreSession* session);
    quint64 start(const ReconcileRequest& request);
    void cancel();
    bool isRunning() const { return m_ticket != 0; }

Q_SIGNALS:
    void runningChanged(bool running);
    void rowsAvailable(const es::ReconcileRows& rows);
    void progress(qint64 streams, qint64 rows);
    void finished(const es::ReconcileSummary& summary);
    void failed(const es::Failure& failure);

private:
    struct Buffer {
        std::mutex mutex;
        ReconcileRows rows;
    };
    void drain();
    void settle();

    QPointer<StoreSession> m_session;
    int m_lane = -1;
    quint64 m_ticket = 0;
    Generation m_generation;
    std::shared_ptr<Buffer> m_buffer;
    QTimer* m_drainTimer;
};

} // namespace es
