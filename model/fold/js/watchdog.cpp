// Watchdog: the one watchdog thread of the process and the engines it watches.
#include "fold/js/watchdog.h"

#include <QJSEngine>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace es {

namespace {

using Clock = std::chrono::steady_clock;

constexpr qint64 never = std::numeric_limits<qint64>::max();

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

} // namespace

// The one watchdog thread: started on first use, joined when static objects are destroyed at exit (every engine is
// gone by then). It sleeps until the earliest armed deadline. An arm() whose deadline lies after that wake-up leaves
// it asleep; it finds the deadline when it wakes.
class WatchdogThread {
public:
    static WatchdogThread& instance()
    {
        static WatchdogThread thread;
        return thread;
    }

    void add(Watchdog* watchdog)
    {
        std::lock_guard lock(m_mutex);
        m_watched.push_back(watchdog);
    }
    // Once this returns the thread no longer touches the watchdog or its engine: it interrupts only under the lock.
    void remove(Watchdog* watchdog)
    {
        std::lock_guard lock(m_mutex);
        m_watched.erase(std::find(m_watched.begin(), m_watched.end(), watchdog));
    }
    // After a watchdog stored `deadline`. Both sides use sequentially consistent atomics: either the thread's scan
    // sees the deadline, or this sees the wake-up the thread planned after its scan (or `never` during it) and
    // wakes the thread when that is later. The lock makes the notification wait until the thread waits.
    void armed(qint64 deadline)
    {
        if (deadline < m_wakeAt.load()) {
            std::lock_guard lock(m_mutex);
            m_wake.notify_one();
        }
    }

private:
    WatchdogThread()
        : m_thread([this] { run(); })
    { }
    ~WatchdogThread()
    {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            m_wakeAt.store(never);
            const qint64 now = nowNs();
            qint64 next = never;
            for (Watchdog* w : m_watched) {
                qint64 deadline = w->m_deadline.load();
                if (deadline <= Watchdog::idle)
                    continue;
                // An exchange fails on a disarm, or on a new arm, which wakes this thread (m_wakeAt is `never`).
                if (deadline > now) {
                    next = std::min(next, deadline);
                } else if (w->m_deadline.compare_exchange_strong(deadline, Watchdog::firing)) {
                    w->m_engine->setInterrupted(true);
                    w->m_deadline.store(Watchdog::fired);
                }
            }
            m_wakeAt.store(next);
            if (next == never)
                m_wake.wait(lock);
            else
                m_wake.wait_until(lock,
                    Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(next))));
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<Watchdog*> m_watched; // under m_mutex
    bool m_quit = false; // under m_mutex
    // When the thread looks at the deadlines next: `never` while it looks (so that every arm() then wakes it) and
    // while nothing is armed.
    std::atomic<qint64> m_wakeAt { never };
    std::thread m_thread; // last: it starts running once the members above exist
};

Watchdog::Watchdog(QJSEngine* engine)
    : m_engine(engine)
    , m_thread(WatchdogThread::instance())
{
    m_thread.add(this);
}

Watchdog::~Watchdog()
{
    m_thread.remove(this);
}

void Watchdog::arm(int ms)
{
    const qint64 deadline = nowNs() + qint64(ms) * 1000000;
    [[maybe_unused]] const qint64 before = m_deadline.exchange(deadline);
    Q_ASSERT(before == idle);
    m_thread.armed(deadline);
}

bool Watchdog::disarm()
{
    qint64 state = m_deadline.load();
    while (true) {
        // The thread is between its exchange and setInterrupted(true): the caller must not clear the interruption
        // before it is set.
        if (state == firing) {
            std::this_thread::yield();
            state = m_deadline.load();
            continue;
        }
        if (m_deadline.compare_exchange_weak(state, idle))
            return state == fired;
    }
}

} // namespace es
