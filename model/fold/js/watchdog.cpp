// Watchdog: a thread per engine that interrupts it at the armed deadline.
#include "fold/js/watchdog.h"

#include <QJSEngine>

namespace es {

Watchdog::Watchdog(QJSEngine* engine)
    : m_engine(engine)
    , m_thread([this] { run(); })
{ }

Watchdog::~Watchdog()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void Watchdog::arm(int ms)
{
    {
        std::lock_guard lock(m_mutex);
        m_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        m_armed = true;
        m_fired = false;
    }
    m_wake.notify_one();
}

bool Watchdog::disarm()
{
    std::lock_guard lock(m_mutex);
    m_armed = false;
    return m_fired;
}

void Watchdog::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
        if (!m_armed) {
            m_wake.wait(lock);
            continue;
        }
        const auto deadline = m_deadline;
        if (m_wake.wait_until(lock, deadline) == std::cv_status::timeout && m_armed && m_deadline == deadline) {
            m_engine->setInterrupted(true);
            m_fired = true;
            m_armed = false;
        }
    }
}

} // namespace es
