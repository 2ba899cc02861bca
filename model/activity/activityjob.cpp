#include "activity/activityjob.h"

#include "store/storesession.h"

namespace es {

ActivityJob::ActivityJob(QObject* parent)
    : QObject(parent)
{ }

ActivityJob::~ActivityJob()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void ActivityJob::setSession(StoreSession* session)
{
    cancel();
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    // A job cancelled from outside (the status bar's Cancel) ends without a callback; once the session is idle no
    // job of ours can still be running.
    if (session) {
        connect(session, &StoreSession::busyChanged, this, [this](bool busy) {
            if (!busy && m_ticket)
                cancel();
        });
    }
}

quint64 ActivityJob::start(const ActivityRequest& request)
{
    const bool wasRunning = isRunning();
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    const quint64 generation = m_generation.next();
    if (!m_session) {
        m_ticket = 0;
        if (wasRunning)
            Q_EMIT runningChanged(false);
        return generation;
    }
    m_ticket = m_session->run<ActivityResult>(
        StoreSession::Lane::Background, this,
        [request](EventStore& store) { return activity::compute(store, request); },
        [this, generation](ActivityResult result) {
            if (!m_generation.isCurrent(generation))
                return;
            settle(generation);
            Q_EMIT finished(result, generation);
        },
        [this, generation](const Failure& failure) {
            if (!m_generation.isCurrent(generation))
                return;
            settle(generation);
            Q_EMIT failed(failure);
        });
    if (!wasRunning)
        Q_EMIT runningChanged(true);
    return generation;
}

void ActivityJob::cancel()
{
    if (!m_ticket)
        return;
    if (m_session)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    m_generation.next();
    Q_EMIT runningChanged(false);
}

void ActivityJob::settle(quint64 generation)
{
    Q_UNUSED(generation);
    m_ticket = 0;
    Q_EMIT runningChanged(false);
}

} // namespace es
