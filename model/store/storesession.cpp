#include "store/storesession.h"

#include "store/handoff.h"

#include <QMetaObject>
#include <QScopeGuard>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace es {

namespace {
constexpr int FirstRetryMs = 1000;
constexpr int MaxRetryMs = 10000;
} // namespace

// One lane: a thread, the connection it opens on first use, and the jobs posted to it. cancel() may come from any
// thread; everything else runs on the lane's thread.
class StoreLane : public QObject {
public:
    StoreLane(StoreOpener opener, const QString& name)
        : m_opener(std::move(opener))
    {
        m_thread.setObjectName(name);
        moveToThread(&m_thread);
        // The last thing the thread does that we control: everything it did is visible to whoever waited for it.
        connect(
            &m_thread, &QThread::finished, &m_thread, [this] { ES_TSAN_RELEASE(this); }, Qt::DirectConnection);
        m_thread.start();
    }

    // Blocks until the thread has stopped (after shutDown()).
    void join()
    {
        m_thread.wait();
        ES_TSAN_ACQUIRE(this);
    }

    bool event(QEvent* event) override { return Handoff::deliver(event) || QObject::event(event); }

    ~StoreLane() override { Q_ASSERT(!m_thread.isRunning()); }

    QThread& thread() { return m_thread; }

    // Opens the connection on first use; throws StoreError when it cannot be opened.
    EventStore& store()
    {
        if (!m_store) {
            auto opened = m_opener();
            std::lock_guard lock(m_mutex);
            m_store = std::move(opened);
        }
        return *m_store;
    }

    void add(JobId job, std::shared_ptr<JobControl> control)
    {
        std::lock_guard lock(m_mutex);
        m_jobs.emplace(job, std::move(control));
    }

    // Returns false when the job was cancelled before it could start.
    bool begin(JobId job)
    {
        std::lock_guard lock(m_mutex);
        auto it = m_jobs.find(job);
        if (it == m_jobs.end() || it->second->isCancelled())
            return false;
        m_running = job;
        return true;
    }

    void end(JobId job)
    {
        std::lock_guard lock(m_mutex);
        m_jobs.erase(job);
        if (m_running == job)
            m_running = 0;
    }

    void cancel(JobId job)
    {
        std::function<void()> stop;
        {
            std::lock_guard lock(m_mutex);
            auto it = m_jobs.find(job);
            if (it == m_jobs.end())
                return;
            it->second->cancel();
            if (m_running == job && m_store)
                stop = m_store->interruption();
        }
        sendInterruption(std::move(stop));
    }

    void cancelAll(JobId below)
    {
        std::function<void()> stop;
        {
            std::lock_guard lock(m_mutex);
            for (auto& [id, control] : m_jobs) {
                if (id < below)
                    control->cancel();
            }
            if (m_running != 0 && m_running < below && m_store)
                stop = m_store->interruption();
        }
        sendInterruption(std::move(stop));
    }

    bool hasJob(JobId job)
    {
        std::lock_guard lock(m_mutex);
        return m_jobs.count(job) > 0;
    }

    void close()
    {
        std::unique_ptr<EventStore> store;
        {
            std::lock_guard lock(m_mutex);
            store = std::move(m_store);
        }
    }

    // Closes the connection on the lane's own thread, then stops the thread.
    void shutDown()
    {
        Handoff::post(this, [this] {
            close();
            m_thread.quit();
        });
    }

private:
    StoreOpener m_opener;
    QThread m_thread;
    std::mutex m_mutex;
    std::unique_ptr<EventStore> m_store;
    std::unordered_map<JobId, std::shared_ptr<JobControl>> m_jobs;
    JobId m_running = 0;
};

StoreSession::StoreSession(StoreOpener opener, QObject* parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_retryTimer(new QTimer(this))
{
    qRegisterMetaType<es::Failure>();
    qRegisterMetaType<es::JobProgress>();
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &StoreSession::probe);
    m_lanes[0] = std::make_unique<StoreLane>(m_opener, QStringLiteral("store-interactive"));
    m_lanes[1] = std::make_unique<StoreLane>(m_opener, QStringLiteral("store-background"));
}

StoreSession::~StoreSession()
{
    cancelAll();
    for (auto& [id, lane] : m_lanes)
        lane->shutDown();
    for (auto& [id, lane] : m_lanes)
        lane->join();
    for (auto& lane : m_closing)
        lane->join();
}

StoreSession::Lane StoreSession::openLane(const QString& name)
{
    const int id = m_nextLane++;
    m_lanes[id] = std::make_unique<StoreLane>(m_opener, name);
    return Lane(id);
}

void StoreSession::closeLane(Lane laneId)
{
    const int id = int(laneId);
    if (id < 2)
        return;
    auto it = m_lanes.find(id);
    if (it == m_lanes.end())
        return;
    StoreLane* lane = it->second.get();
    m_closing.push_back(std::move(it->second));
    m_lanes.erase(it);
    lane->cancelAll(m_nextJob.load());
    // The lane's thread may still be finishing an interrupted statement: it is deleted once it has stopped, or by
    // the destructor, which waits for it.
    QPointer<StoreSession> self(this);
    connect(
        &lane->thread(), &QThread::finished, &lane->thread(),
        [self, lane] {
            // Runs after the lane's own release at finished(): publish this handler's reads too, for join().
            const auto published = qScopeGuard([lane] { ES_TSAN_RELEASE(lane); });
            if (!self)
                return;
            Handoff::post(self.data(), [self, lane] {
                if (!self)
                    return;
                for (auto c = self->m_closing.begin(); c != self->m_closing.end(); ++c) {
                    if (c->get() == lane) {
                        lane->join();
                        self->m_closing.erase(c);
                        break;
                    }
                }
            });
        },
        Qt::DirectConnection);
    lane->shutDown();
}

bool StoreSession::event(QEvent* event)
{
    return Handoff::deliver(event) || QObject::event(event);
}

StoreLane* StoreSession::lane(Lane laneId) const
{
    auto it = m_lanes.find(int(laneId));
    return it == m_lanes.end() ? nullptr : it->second.get();
}

JobId StoreSession::post(Lane laneId, QObject* context, Work work, std::function<void(const Failure&)> failed,
    std::function<void()> cancelled, std::function<void(const JobProgress&)> progress)
{
    const JobId id = m_nextJob++;
    StoreLane* lane = this->lane(laneId);
    Q_ASSERT(lane);
    if (!lane)
        return 0;
    QPointer<QObject> ctx(context);
    QPointer<StoreSession> self(this);

    JobControl::ProgressSink sink;
    if (progress) {
        sink = [self, ctx, progress](const JobProgress& report) {
            Handoff::post(self.data(), [ctx, progress, report] {
                if (ctx)
                    progress(report);
            });
        };
    }
    auto control = std::make_shared<JobControl>(std::move(sink));
    lane->add(id, control);

    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);

    Handoff::post(lane,
        [lane, id, control, work = std::move(work), failed = std::move(failed), cancelled = std::move(cancelled), ctx,
            self]() {
            // Everything the caller hears goes through here: on the session's thread, only while context lives,
            // and for a cancelled job only the cancelled callback, whatever the job returned.
            auto finish = [&](std::function<void()> deliver, std::optional<Failure> failure) {
                if (!self)
                    return;
                Handoff::post(
                    self.data(), [self, ctx, control, deliver = std::move(deliver), failure, failed, cancelled]() {
                        if (ctx) {
                            if (control->isCancelled() || (failure && failure->isCancelled())) {
                                if (cancelled)
                                    cancelled();
                            } else if (failure) {
                                if (failed)
                                    failed(*failure);
                            } else if (deliver) {
                                deliver();
                            }
                        }
                        if (self) {
                            if (failure)
                                self->noteFailure(*failure);
                            self->jobEnded();
                        }
                    });
            };
            if (!lane->begin(id)) {
                lane->end(id);
                finish({}, Failure { Failure::Kind::Cancelled, QStringLiteral("Cancelled.") });
                return;
            }
            EventStore* store = nullptr;
            try {
                store = &lane->store();
            } catch (const std::exception& e) {
                lane->end(id);
                Failure failure = Failure::from(e);
                if (self) {
                    Handoff::post(self.data(), [self, failure] {
                        if (self && !failure.isDisconnected())
                            Q_EMIT self->connectionFailed(failure);
                    });
                }
                finish({}, failure);
                return;
            }
            // Cancelled while the connection was being opened: there was no statement to interrupt then, and the
            // job would run to its end with nobody waiting for it.
            if (control->isCancelled()) {
                lane->end(id);
                finish({}, Failure { Failure::Kind::Cancelled, QStringLiteral("Cancelled.") });
                return;
            }
            std::function<void()> deliver;
            std::optional<Failure> failure;
            try {
                deliver = work(*store, *control);
            } catch (const std::exception& e) {
                failure = Failure::from(e);
            }
            lane->end(id);
            finish(std::move(deliver), std::move(failure));
        });
    return id;
}

void StoreSession::jobEnded()
{
    if (--m_pending == 0)
        Q_EMIT busyChanged(false);
}

void StoreSession::noteFailure(const Failure& failure)
{
    if (!failure.isDisconnected() || m_disconnected)
        return;
    m_disconnected = true;
    m_retryMs = FirstRetryMs;
    Q_EMIT disconnected(failure, m_retryMs);
    m_retryTimer->start(m_retryMs);
}

void StoreSession::noteSuccess()
{
    if (!m_disconnected)
        return;
    m_disconnected = false;
    m_retryTimer->stop();
    Q_EMIT reconnected();
}

// One small read tells whether the server is back; only it ends the disconnected state, so the views read again
// once, after reconnected(), whatever other jobs happened to succeed meanwhile.
void StoreSession::probe()
{
    if (!m_disconnected)
        return;
    run<bool>(
        Lane::Interactive, this,
        [](EventStore& store) {
            EventQuery probe;
            probe.limit = 1;
            store.events(probe);
            return true;
        },
        [this](bool) { noteSuccess(); },
        [this](const Failure& failure) {
            if (!m_disconnected)
                return;
            m_retryMs = std::min(m_retryMs * 2, MaxRetryMs);
            Q_EMIT disconnected(failure, m_retryMs);
            m_retryTimer->start(m_retryMs);
        });
}

void StoreSession::cancel(JobId job)
{
    for (auto& [id, lane] : m_lanes)
        lane->cancel(job);
}

void StoreSession::cancelAll()
{
    const JobId below = m_nextJob.load();
    for (auto& [id, lane] : m_lanes)
        lane->cancelAll(below);
}

bool StoreSession::isBusy() const
{
    return m_pending.load() > 0;
}

} // namespace es
