#include "store/storesession.h"

#include <QMetaObject>

#include <set>

namespace es {

class StoreWorker : public QObject {
public:
    explicit StoreWorker(StoreOpener opener)
        : m_opener(std::move(opener))
    { }

    EventStore* store(QString* error)
    {
        if (!m_store) {
            try {
                auto opened = m_opener();
                std::lock_guard lock(m_mutex);
                m_store = std::move(opened);
            } catch (const StoreError& e) {
                *error = e.message();
                return nullptr;
            } catch (const std::exception& e) {
                *error = QString::fromUtf8(e.what());
                return nullptr;
            }
        }
        return m_store.get();
    }

    void markCancelled(quint64 ticket)
    {
        std::lock_guard lock(m_mutex);
        m_cancelled.insert(ticket);
        if (m_running == ticket && m_store)
            m_store->interrupt();
    }

    void cancelAll(quint64 below)
    {
        std::lock_guard lock(m_mutex);
        m_cancelBelow = below;
        if (m_running != 0 && m_running < below && m_store)
            m_store->interrupt();
    }

    bool begin(quint64 ticket)
    {
        std::lock_guard lock(m_mutex);
        if (ticket < m_cancelBelow || m_cancelled.erase(ticket))
            return false;
        m_running = ticket;
        return true;
    }

    bool end(quint64 ticket)
    {
        std::lock_guard lock(m_mutex);
        m_running = 0;
        return ticket < m_cancelBelow || m_cancelled.erase(ticket);
    }

    void close()
    {
        std::lock_guard lock(m_mutex);
        m_store.reset();
    }

private:
    StoreOpener m_opener;
    std::mutex m_mutex;
    std::unique_ptr<EventStore> m_store;
    std::set<quint64> m_cancelled;
    quint64 m_running = 0;
    quint64 m_cancelBelow = 0;
};

StoreSession::StoreSession(StoreOpener opener, QObject* parent)
    : QObject(parent)
    , m_opener(std::move(opener))
{
    for (int i = 0; i < 2; ++i) {
        m_workers[i] = std::make_unique<StoreWorker>(m_opener);
        m_workers[i]->moveToThread(&m_threads[i]);
        m_threads[i].setObjectName(i == 0 ? QStringLiteral("store-interactive") : QStringLiteral("store-background"));
        m_threads[i].start();
    }
}

StoreSession::~StoreSession()
{
    cancelAll();
    for (int i = 0; i < 2; ++i) {
        auto* worker = m_workers[i].get();
        QMetaObject::invokeMethod(
            worker, [worker] { worker->close(); }, Qt::QueuedConnection);
        m_threads[i].quit();
        m_threads[i].wait();
    }
}

quint64 StoreSession::post(Lane lane, QObject* context, Job job, std::function<void(QString)> failed)
{
    const quint64 ticket = m_nextTicket++;
    auto* worker = m_workers[lane == Lane::Interactive ? 0 : 1].get();
    QPointer<QObject> ctx(context);
    QPointer<StoreSession> self(this);
    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);
    QMetaObject::invokeMethod(
        worker,
        [worker, ticket, job = std::move(job), failed = std::move(failed), ctx, self]() {
            auto finish = [&](std::function<void()> deliver) {
                if (!self)
                    return;
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, ctx, deliver = std::move(deliver)]() {
                        if (ctx && deliver)
                            deliver();
                        if (self)
                            self->jobEnded();
                    },
                    Qt::QueuedConnection);
            };
            if (!worker->begin(ticket)) {
                finish({});
                return;
            }
            QString openError;
            EventStore* store = worker->store(&openError);
            if (!store) {
                worker->end(ticket);
                finish([failed, openError, self]() {
                    if (self)
                        Q_EMIT self->connectionFailed(openError);
                    if (failed)
                        failed(openError);
                });
                return;
            }
            std::function<void()> deliver;
            QString error;
            bool cancelled = false;
            try {
                deliver = job(*store);
            } catch (const StoreError& e) {
                cancelled = e.kind() == StoreError::Kind::Cancelled;
                error = e.message();
            } catch (const std::exception& e) {
                error = QString::fromUtf8(e.what());
            }
            if (worker->end(ticket) || cancelled) {
                finish({});
                return;
            }
            if (!error.isEmpty()) {
                finish([failed, error]() {
                    if (failed)
                        failed(error);
                });
                return;
            }
            finish(std::move(deliver));
        },
        Qt::QueuedConnection);
    return ticket;
}

void StoreSession::jobEnded()
{
    if (--m_pending == 0)
        Q_EMIT busyChanged(false);
}

void StoreSession::cancel(quint64 ticket)
{
    for (auto& worker : m_workers)
        worker->markCancelled(ticket);
}

void StoreSession::cancelAll()
{
    const quint64 below = m_nextTicket.load();
    for (auto& worker : m_workers)
        worker->cancelAll(below);
}

bool StoreSession::isBusy() const
{
    return m_pending.load() > 0;
}

} // namespace es
