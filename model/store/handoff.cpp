#include "store/handoff.h"

#include <QCoreApplication>

namespace es {

QEvent::Type Handoff::eventType()
{
    static const auto type = QEvent::Type(QEvent::registerEventType());
    return type;
}

Handoff::Handoff(std::function<void()> function)
    : QEvent(eventType())
    , m_function(std::move(function))
{ }

// An event that is never delivered (its receiver died, or the thread's queue was dropped) is deleted by another
// thread than the one that built it.
Handoff::~Handoff()
{
    ES_TSAN_ACQUIRE(this);
}

void Handoff::post(QObject* receiver, std::function<void()> function)
{
    auto* event = new Handoff(std::move(function));
    ES_TSAN_RELEASE(event);
    QCoreApplication::postEvent(receiver, event);
}

bool Handoff::deliver(QEvent* event)
{
    // Before the first read of the event, whatever its type (for other events it has no effect).
    ES_TSAN_ACQUIRE(event);
    if (event->type() != eventType())
        return false;
    auto* handoff = static_cast<Handoff*>(event);
    if (handoff->m_function)
        handoff->m_function();
    return true;
}

} // namespace es
