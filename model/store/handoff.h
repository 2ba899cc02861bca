#pragma once

#include <QEvent>

#include <functional>

class QObject;

// ThreadSanitizer annotations. Debian's QtCore is not instrumented, so a hand-off through its event queue (a mutex
// and a futex inside QtCore) is invisible to TSan; these mark the release and the acquire on our side of it.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define ES_TSAN_ACQUIRE(addr) __tsan_acquire(const_cast<void*>(static_cast<const void*>(addr)))
#define ES_TSAN_RELEASE(addr) __tsan_release(const_cast<void*>(static_cast<const void*>(addr)))
#else
#define ES_TSAN_ACQUIRE(addr) static_cast<void>(addr)
#define ES_TSAN_RELEASE(addr) static_cast<void>(addr)
#endif

namespace es {

// A function run on a receiver's thread, through its event queue: what a queued QMetaObject::invokeMethod with a
// lambda does, except that the event is built completely here, before postEvent, so the release (before posting)
// and the acquire (before running, or before deleting an event that never ran) are visible to ThreadSanitizer.
// The receiver is one of ours and forwards its events: `if (Handoff::deliver(event)) return true;`.
class Handoff final : public QEvent {
public:
    static void post(QObject* receiver, std::function<void()> function);
    // Runs the function when event is a Handoff; returns whether it was one.
    static bool deliver(QEvent* event);

    ~Handoff() override;

private:
    explicit Handoff(std::function<void()> function);
    static QEvent::Type eventType();

    std::function<void()> m_function;
};

} // namespace es
