#pragma once

// Interrupts a QJSEngine whose call outlives its budget, from a thread of its own.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

class QJSEngine;

namespace es {

// QJSEngine::setInterrupted is the one engine call that is safe from another thread.
class Watchdog {
public:
    explicit Watchdog(QJSEngine* engine);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    void arm(int ms);
    // True when the call was interrupted.
    bool disarm();

private:
    void run();

    QJSEngine* m_engine;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::chrono::steady_clock::time_point m_deadline;
    bool m_armed = false;
    bool m_fired = false;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace es
