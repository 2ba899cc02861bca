#include "store/job.h"

#include "store/eventstore.h"

#include <system_error>
#include <thread>

#include <pthread.h>

namespace es {

void sendInterruption(std::function<void()> stop)
{
    if (!stop)
        return;
    try {
        std::thread([stop = std::move(stop)] {
            pthread_setname_np(pthread_self(), "store-cancel");
            stop();
        }).detach();
    } catch (const std::system_error&) {
        // No thread to be had: the statement runs on to its end or its timeout, as if cancel came too late.
    }
}

void JobControl::throwIfCancelled() const
{
    if (isCancelled())
        throw StoreError(QStringLiteral("Cancelled."), StoreError::Kind::Cancelled);
}

void JobControl::progress(qint64 done, qint64 total, const QString& what)
{
    progress(JobProgress { what, done, total, {} });
}

void JobControl::progress(JobProgress report)
{
    if (!m_sink || isCancelled())
        return;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastReport < std::chrono::milliseconds(100))
        return;
    m_lastReport = now;
    m_sink(report);
}

void JobControl::publish(JobProgress report)
{
    if (!m_sink || isCancelled())
        return;
    m_lastReport = std::chrono::steady_clock::now();
    m_sink(report);
}

void JobControl::setInterruptor(std::function<void()> interrupt)
{
    std::lock_guard lock(m_mutex);
    m_interrupt = std::move(interrupt);
    if (m_interrupt && isCancelled())
        m_interrupt();
}

void JobControl::cancel()
{
    m_cancelled.store(true);
    std::lock_guard lock(m_mutex);
    if (m_interrupt)
        m_interrupt();
}

} // namespace es
