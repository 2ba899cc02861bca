#pragma once

// Interrupts a QJSEngine whose call outlives its budget; one thread watches the engines of the whole process.

#include <QtGlobal>

#include <atomic>

class QJSEngine;

namespace es {

class WatchdogThread;

// An engine's place in the process-wide watchdog. Call arm() before a call into the engine and disarm() after it,
// in turn, from the engine's thread. Both are a few atomic operations: no lock and no system call unless the
// watchdog thread must wake earlier than it planned, which a steady run of calls with one budget rarely needs.
class Watchdog {
public:
    explicit Watchdog(QJSEngine* engine);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // The engine is interrupted (QJSEngine::setInterrupted, safe from another thread) unless disarm() comes first.
    void arm(int ms);
    // True when the watchdog interrupted the engine since arm(); the caller lets it run again (setInterrupted(false)).
    bool disarm();

private:
    friend class WatchdogThread;
    static constexpr qint64 idle = 0;
    static constexpr qint64 firing = -1; // the watchdog thread is interrupting the engine
    static constexpr qint64 fired = -2;

    QJSEngine* const m_engine;
    WatchdogThread& m_thread;
    // The deadline, in steady-clock nanoseconds, while armed; otherwise one of the states above.
    std::atomic<qint64> m_deadline { idle };
};

} // namespace es
