#pragma once

#include "fold/reducer.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace es {

// A fold on a thread of its own, driven by tasks that run there one after another in the order they were posted: a
// caller reads the next events while the fold works through the last ones (reconciliation overlaps its reads with
// its folds this way). The fold is created, used and destroyed on that thread only (a JavaScript engine belongs to the
// thread that made it); callers reach it only inside tasks. At most `maxQueued` tasks wait at once: post() blocks
// while that many do, so the events they hold stay bounded.
class FoldThread {
public:
    using Task = std::function<void(Fold& fold)>;

    // Starts the thread and creates the reducer's fold there; fold() is null (and `error` filled) when it would not.
    FoldThread(ReducerPtr reducer, int maxQueued = 2);
    // Drops the tasks still waiting, lets the running one finish, destroys the fold on its thread and joins it.
    ~FoldThread();
    FoldThread(const FoldThread&) = delete;
    FoldThread& operator=(const FoldThread&) = delete;

    bool started() const { return m_started; }
    const ReducerError& startError() const { return m_startError; }

    // Queues a task; returns its ticket for waitFor().
    qint64 post(Task task);
    // Waits until every task posted so far has run; rethrows the first exception a task threw.
    void wait();
    // Waits until the task with this ticket, and every task before it, has run; rethrows as wait() does.
    void waitFor(qint64 ticket);
    // The fold's readsMetadata() as of the last task that ran (readers ask before they read).
    bool readsMetadata() const { return m_readsMetadata.load(); }
    // Runs `task` on the fold's thread after the tasks before it and waits for it.
    void run(Task task);

private:
    void loop(const ReducerPtr& reducer);

    const int m_maxQueued;
    std::mutex m_mutex;
    // Each side is woken only when it waits (a notify is a system call, and a page posts some twenty tasks).
    std::condition_variable m_workerWakes; // tasks, or stop
    std::condition_variable m_callerWakes; // room, a task done, created
    bool m_workerWaiting = false;
    int m_callerWaits = 0;
    std::deque<Task> m_tasks;
    qint64 m_posted = 0; // tickets handed out
    qint64 m_ran = 0; // tasks run, in order
    std::atomic<bool> m_readsMetadata { true };
    bool m_stop = false;
    bool m_created = false; // the thread has tried to create the fold
    bool m_started = false;
    ReducerError m_startError;
    std::exception_ptr m_error;
    std::thread m_thread;
};

} // namespace es
