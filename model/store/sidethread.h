#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace es {

// A thread a job keeps beside its own for one piece of work at a time: start() hands it the work and returns, wait()
// waits until it is done and rethrows what it threw. A job reads with a second connection this way while it reads
// with its own (reconciliation reads every other page so). The work must not outlive what it uses: the destructor
// waits for the running work (stop it first, by a flag or an interruption) and joins the thread.
class SideThread {
public:
    SideThread();
    ~SideThread();
    SideThread(const SideThread&) = delete;
    SideThread& operator=(const SideThread&) = delete;

    // Waits for the work before (its exception is dropped: wait() first to see it), then starts `work`.
    void start(std::function<void()> work);
    // Waits until the work started last is done; rethrows its exception once.
    void wait();

private:
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_wakes;
    std::function<void()> m_work;
    bool m_busy = false;
    bool m_stop = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

} // namespace es
