#include "store/sidethread.h"

#include <utility>

namespace es {

SideThread::SideThread()
{
    m_thread = std::thread([this] { loop(); });
}

SideThread::~SideThread()
{
    {
        std::unique_lock lock(m_mutex);
        m_wakes.wait(lock, [this] { return !m_busy; });
        m_stop = true;
    }
    m_wakes.notify_all();
    m_thread.join();
}

void SideThread::loop()
{
    while (true) {
        std::function<void()> work;
        {
            std::unique_lock lock(m_mutex);
            m_wakes.wait(lock, [this] { return m_stop || m_work; });
            if (!m_work)
                return;
            work = std::move(m_work);
            m_work = nullptr;
        }
        std::exception_ptr error;
        try {
            work();
        } catch (...) {
            error = std::current_exception();
        }
        work = nullptr; // what it held goes before the caller hears it is done
        {
            std::lock_guard lock(m_mutex);
            m_error = error;
            m_busy = false;
        }
        m_wakes.notify_all();
    }
}

void SideThread::start(std::function<void()> work)
{
    {
        std::unique_lock lock(m_mutex);
        m_wakes.wait(lock, [this] { return !m_busy; });
        m_error = nullptr;
        m_work = std::move(work);
        m_busy = true;
    }
    m_wakes.notify_all();
}

void SideThread::wait()
{
    std::unique_lock lock(m_mutex);
    m_wakes.wait(lock, [this] { return !m_busy; });
    if (m_error)
        std::rethrow_exception(std::exchange(m_error, nullptr));
}

} // namespace es
