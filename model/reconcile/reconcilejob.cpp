#include "reconcile/reconcilejob.h"

#include "fold/reducercatalog.h"
#include "store/storesession.h"

#include <QTimer>

namespace es {

ReconcileJob::ReconcileJob(QObject* parent)
    : QObject(parent)
    , m_drainTimer(new QTimer(this))
{
    m_drainTimer->setInterval(100);
    connect(m_drainTimer, &QTimer::timeout, this, &ReconcileJob::drain);
}

ReconcileJob::~ReconcileJob()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void ReconcileJob::setSession(StoreSession* session)
{
    cancel();
    if (m_session && m_lane >= 0)
        m_session->closeLane(StoreSession::Lane(m_lane));
    m_lane = -1;
    m_session = session;
}

quint64 ReconcileJob::start(const ReconcileRequest& request)
{
    const bool wasRunning = isRunning();
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    const quint64 generation = m_generation.next();
    m_ticket = 0;
    if (!m_session) {
        if (wasRunning)
            Q_EMIT runningChanged(false);
        return generation;
    }
    if (m_lane < 0)
        m_lane = int(m_session->openLane(QStringLiteral("reconcile")));
    auto buffer = std::make_shared<Buffer>();
    m_buffer = buffer;
    JobCallbacks<ReconcileSummary> on;
    on.finished = [this, generation](ReconcileSummary summary) {
        if (!m_generation.isCurrent(generation))
            return;
        drain();
        settle();
        Q_EMIT finished(summary);
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        drain();
        settle();
        Q_EMIT failed(failure);
    };
    on.progress = [this, generation](const JobProgress& p) {
        if (m_generation.isCurrent(generation))
            Q_EMIT progress(p.done, p.detail.toLongLong());
    };
    m_ticket = m_session->run<ReconcileSummary>(
        StoreSession::Lane(m_lane), this,
        [request, buffer, opener = m_session->opener()](EventStore& store, JobControl& control) -> ReconcileSummary {
            Failure failure;
            const ReducerPtr reducer = ReducerCatalog::load(request.reducerKey, &failure);
            if (!reducer)
                throw StoreError(failure.message, failure.kind);
            ReconcileOptions options = request.options;
            // A second connection reads every other page (it is closed with the job).
            if (request.connections > 1)
                options.openReader = opener;
            if (!request.checkpointName.isEmpty()) {
                for (const CheckpointRow& row : store.checkpoints().rows) {
                    if (row.name == request.checkpointName && (!options.checkpoint || row.hasValue))
                        options.checkpoint = row;
                }
                if (!options.checkpoint)
                    throw StoreError(
                        QStringLiteral("The store keeps no checkpoint named \"%1\".").arg(request.checkpointName));
            }
            std::unique_ptr<TableReader> own;
            TableReader* tables = store.tables();
            if (!request.readModelAddress.isEmpty()) {
                own = StoreRegistry::openTables(request.readModelAddress);
                tables = own.get();
            }
            if (!tables)
                throw StoreError(QStringLiteral("This store's engine reads no tables: name a read-model address."));
            Reconciler reconciler(store, *tables, reducer, options);
            // Stops the read model's statement and the second connection's too; cleared before they go.
            // Called on the cancelling thread (the GUI's): a PostgreSQL cancel is sent from a thread of its own.
            control.setInterruptor([tables = own.get(), &reconciler] {
                if (tables)
                    sendInterruption(tables->interruption());
                reconciler.interrupt();
            });
            struct ClearInterruptor {
                JobControl& control;
                ~ClearInterruptor() { control.setInterruptor({}); }
            } clear { control };
            return reconciler.run(
                [&](const ReconcileRow& row) {
                    std::lock_guard lock(buffer->mutex);
                    buffer->rows.push_back(row);
                },
                [&](qint64 streams, qint64, qint64 rows) {
                    JobProgress report;
                    report.what = QStringLiteral("Reconciling");
                    report.done = streams;
                    report.detail = rows;
                    control.progress(std::move(report));
                },
                control.cancelFlag());
        },
        std::move(on));
    m_drainTimer->start();
    if (!wasRunning)
        Q_EMIT runningChanged(true);
    return generation;
}

void ReconcileJob::drain()
{
    if (!m_buffer)
        return;
    ReconcileRows rows;
    {
        std::lock_guard lock(m_buffer->mutex);
        rows.swap(m_buffer->rows);
    }
    if (!rows.empty())
        Q_EMIT rowsAvailable(rows);
}

void ReconcileJob::cancel()
{
    if (!m_ticket)
        return;
    if (m_session)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    m_generation.next();
    m_buffer.reset();
    m_drainTimer->stop();
    Q_EMIT runningChanged(false);
}

void ReconcileJob::settle()
{
    m_ticket = 0;
    m_buffer.reset();
    m_drainTimer->stop();
    Q_EMIT runningChanged(false);
}

} // namespace es
