#pragma once

#include "store/storeregistry.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace es {

class StoreWorker;

// The GUI's handle on an open store. Jobs run on worker threads, each with its own connection;
// results come back on the caller's context object. Two lanes so a long count never delays a page.
class StoreSession : public QObject {
    Q_OBJECT
public:
    enum class Lane { Interactive, Background };

    explicit StoreSession(StoreOpener opener, QObject* parent = nullptr);
    ~StoreSession() override;

    const StoreOpener& opener() const { return m_opener; }
    QString address() const { return m_opener.address; }

    // Runs job(store) on the lane's thread; calls done(result) or failed(message) on context's thread.
    // Returns a ticket for cancel(). A job cancelled before it starts never runs; one running is interrupted.
    template <typename R>
    quint64 run(Lane lane, QObject* context, std::function<R(EventStore&)> job, std::function<void(R)> done,
        std::function<void(QString)> failed = {})
    {
        return post(
            lane, context,
            [job = std::move(job), done = std::move(done)](EventStore& store) -> std::function<void()> {
                auto result = std::make_shared<R>(job(store));
                return [done, result]() { done(std::move(*result)); };
            },
            std::move(failed));
    }

    void cancel(quint64 ticket);
    void cancelAll();
    bool isBusy() const;

Q_SIGNALS:
    void busyChanged(bool busy);
    // A job failed because the connection could not be opened.
    void connectionFailed(const QString& message);

private:
    using Job = std::function<std::function<void()>(EventStore&)>;
    quint64 post(Lane lane, QObject* context, Job job, std::function<void(QString)> failed);
    void jobEnded();

    StoreOpener m_opener;
    std::unique_ptr<StoreWorker> m_workers[2];
    QThread m_threads[2];
    std::atomic<quint64> m_nextTicket { 1 };
    std::atomic<int> m_pending { 0 };
};

} // namespace es
