#include "fold/foldthread.h"

namespace es {

FoldThread::FoldThread(ReducerPtr reducer, int maxQueued)
    : m_maxQueued(qMax(1, maxQueued))
{
    m_thread = std::thread([this, reducer = std::move(reducer)] { loop(reducer); });
    std::unique_lock lock(m_mutex);
    ++m_callerWaits;
    m_callerWakes.wait(lock, [this] { return m_created; });
    --m_callerWaits;
}

FoldThread::~FoldThread()
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.clear();
        m_stop = true;
    }
    m_workerWakes.notify_all();
    m_thread.join();
}

void FoldThread::loop(const ReducerPtr& reducer)
{
    std::unique_ptr<Fold> fold;
    {
        ReducerError error;
        try {
            fold = reducer->createFold(&error);
        } catch (const std::exception& e) {
            // Nothing may leave the thread's function: the caller gets it as the reason the fold did not start.
            fold.reset();
            error.message = QString::fromLocal8Bit(e.what());
        }
        std::lock_guard lock(m_mutex);
        m_created = true;
        m_started = fold != nullptr;
        if (fold)
            m_readsMetadata = fold->readsMetadata();
        m_startError = error;
        if (!fold)
            m_stop = true;
    }
    m_callerWakes.notify_all();
    while (fold) {
        Task task;
        bool wake = false;
        {
            std::unique_lock lock(m_mutex);
            if (m_tasks.empty() && !m_stop) {
                m_workerWaiting = true;
                m_workerWakes.wait(lock, [this] { return m_stop || !m_tasks.empty(); });
                m_workerWaiting = false;
            }
            if (m_tasks.empty())
                break;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
            wake = m_callerWaits > 0; // room for another task
        }
        if (wake)
            m_callerWakes.notify_all();
        std::exception_ptr error;
        try {
            task(*fold);
        } catch (...) {
            error = std::current_exception();
        }
        task = nullptr; // what it held goes before the caller is told it ran
        m_readsMetadata = fold->readsMetadata();
        {
            std::lock_guard lock(m_mutex);
            ++m_ran;
            if (error && !m_error)
                m_error = error;
            wake = m_callerWaits > 0;
        }
        if (wake)
            m_callerWakes.notify_all();
    }
    fold.reset();
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_callerWakes.notify_all();
}

qint64 FoldThread::post(Task task)
{
    qint64 ticket = 0;
    bool wake = false;
    {
        std::unique_lock lock(m_mutex);
        if (!m_stop && qsizetype(m_tasks.size()) >= m_maxQueued) {
            ++m_callerWaits;
            m_callerWakes.wait(lock, [this] { return m_stop || qsizetype(m_tasks.size()) < m_maxQueued; });
            --m_callerWaits;
        }
        if (m_stop)
            return m_posted;
        m_tasks.push_back(std::move(task));
        ticket = ++m_posted;
        wake = m_workerWaiting;
    }
    // Only a waiting fold thread needs the system call.
    if (wake)
        m_workerWakes.notify_one();
    return ticket;
}

void FoldThread::wait()
{
    qint64 last = 0;
    {
        std::lock_guard lock(m_mutex);
        last = m_posted;
    }
    waitFor(last);
}

void FoldThread::waitFor(qint64 ticket)
{
    std::unique_lock lock(m_mutex);
    if (!m_stop && m_ran < ticket) {
        ++m_callerWaits;
        m_callerWakes.wait(lock, [this, ticket] { return m_stop || m_ran >= ticket; });
        --m_callerWaits;
    }
    if (m_error) {
        std::exception_ptr error = m_error;
        m_error = nullptr;
        std::rethrow_exception(error);
    }
}

void FoldThread::run(Task task)
{
    post(std::move(task));
    wait();
}

} // namespace es
