#pragma once

#include "store/failure.h"
#include "store/job.h"
#include "store/storeregistry.h"

#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <vector>

class QTimer;

namespace es {

class StoreLane;

// The one way work leaves the GUI thread. A session holds an open store's address and runs jobs on lanes: each lane
// is a thread with its own connection, so a long count never delays a page. Results, progress and failures come
// back on the caller's context object; cancel drops the result *and* interrupts the running statement; exactly one
// of finished, failed or cancelled ends every job. Thread-affine state (a Tailer, a JS engine) lives on a lane of
// its own: every job posted to a lane runs on that lane's thread, one after the other.
//
// The session also owns the connection state: a job that fails as Disconnected makes it emit disconnected() and
// probe the store with a growing pause until a read works again, then reconnected().
class StoreSession : public QObject {
    Q_OBJECT
public:
    // Interactive and Background always exist; openLane() adds more.
    enum class Lane : int { Interactive = 0, Background = 1 };

    explicit StoreSession(StoreOpener opener, QObject* parent = nullptr);
    ~StoreSession() override;

    const StoreOpener& opener() const { return m_opener; }
    QString address() const { return m_opener.address; }

    // A lane of its own (thread + connection), e.g. for one time-travel window or one export. closeLane() cancels
    // what runs on it and stops its thread.
    Lane openLane(const QString& name);
    void closeLane(Lane lane);

    // Runs job(store, control) on the lane's thread. The callbacks run on the session's thread (context's, which must
    // be the same), never after context is gone. A job cancelled before it starts never runs; one running is
    // interrupted.
    template <typename R>
    JobId run(Lane lane, QObject* context, std::function<R(EventStore&, JobControl&)> job, JobCallbacks<R> callbacks)
    {
        auto finished = std::move(callbacks.finished);
        return post(
            lane, context,
            [job = std::move(job), finished = std::move(finished)](
                EventStore& store, JobControl& control) -> std::function<void()> {
                auto result = std::make_shared<R>(job(store, control));
                return [finished, result]() {
                    if (finished)
                        finished(std::move(*result));
                };
            },
            std::move(callbacks.failed), std::move(callbacks.cancelled), std::move(callbacks.progress));
    }

    // The short form for jobs without progress.
    template <typename R>
    JobId run(Lane lane, QObject* context, std::function<R(EventStore&)> job, std::function<void(R)> done,
        std::function<void(const Failure&)> failed = {}, std::function<void()> cancelled = {})
    {
        JobCallbacks<R> callbacks;
        callbacks.finished = std::move(done);
        callbacks.failed = std::move(failed);
        callbacks.cancelled = std::move(cancelled);
        return run<R>(
            lane, context, [job = std::move(job)](EventStore& store, JobControl&) { return job(store); },
            std::move(callbacks));
    }

    void cancel(JobId job);
    void cancelAll();
    bool isBusy() const;
    bool isDisconnected() const { return m_disconnected; }

Q_SIGNALS:
    void busyChanged(bool busy);
    // A job failed because the connection could not be opened (a bad address, a refused login, …).
    void connectionFailed(const es::Failure& failure);
    // A job lost the connection; the session probes again after retryInMs.
    void disconnected(const es::Failure& failure, int retryInMs);
    void reconnected();

protected:
    bool event(QEvent* event) override;

private:
    using Work = std::function<std::function<void()>(EventStore&, JobControl&)>;
    JobId post(Lane lane, QObject* context, Work work, std::function<void(const Failure&)> failed,
        std::function<void()> cancelled, std::function<void(const JobProgress&)> progress);
    StoreLane* lane(Lane lane) const;
    void jobEnded();
    void noteFailure(const Failure& failure);
    void noteSuccess();
    void probe();

    StoreOpener m_opener;
    std::map<int, std::unique_ptr<StoreLane>> m_lanes;
    std::vector<std::unique_ptr<StoreLane>> m_closing; // closed, their threads still finishing
    int m_nextLane = 2;
    std::atomic<JobId> m_nextJob { 1 };
    std::atomic<int> m_pending { 0 };
    bool m_disconnected = false;
    int m_retryMs = 0;
    QTimer* m_retryTimer;
};

} // namespace es
