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
    if (m_session && m_estimateTicket)
        m_session->cancel(m_estimateTicket);
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

quint64 ActivityJob::start(const ActivityRequest& request, bool estimateFirst)
{
    const bool wasRunning = isRunning();
    if (m_session) {
        for (const quint64 ticket : { m_estimateTicket, m_ticket }) {
            if (ticket)
                m_session->cancel(ticket);
        }
    }
    m_estimateTicket = 0;
    const quint64 generation = m_generation.next();
    if (!m_session) {
        m_ticket = 0;
        if (wasRunning)
            Q_EMIT runningChanged(false);
        return generation;
    }
    if (estimateFirst) {
        ActivityRequest estimate = request;
        estimate.estimate = true;
        // Posted first on the same lane, so it runs before the exact count. A failed estimate says nothing: the
        // exact count that follows reports what is wrong.
        m_estimateTicket = m_session->run<ActivityResult>(
            StoreSession::Lane::Background, this,
            [estimate](EventStore& store) {
                // What the summary cache holds is exact and as quick as an estimate.
                if (estimate.useCache) {
                    if (std::optional<ActivityResult> cached = activity::computeFromCache(store, estimate))
                        return std::move(*cached);
                }
                return activity::compute(store, estimate);
            },
            [this, generation](ActivityResult result) {
                if (!m_generation.isCurrent(generation))
                    return;
                m_estimateTicket = 0;
                if (!result.estimated()) {
                    // Counted, not estimated: that is the answer, and the exact job need not run.
                    if (m_session && m_ticket)
                        m_session->cancel(m_ticket);
                    settle(generation);
                }
                Q_EMIT finished(result, generation);
            },
            [this, generation](const Failure&) {
                if (m_generation.isCurrent(generation))
                    m_estimateTicket = 0;
            });
    }
    JobCallbacks<ActivityResult> callbacks;
    // m_ticket is 0 once the estimate turned out to be the count: the exact job was cancelled, but it may have ended
    // before the cancel came.
    callbacks.finished = [this, generation](ActivityResult result) {
        if (!m_generation.isCurrent(generation) || !m_ticket)
            return;
        settle(generation);
        Q_EMIT finished(result, generation);
    };
    callbacks.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation) || !m_ticket)
            return;
        settle(generation);
        Q_EMIT failed(failure);
    };
    callbacks.progress = [this, generation](const JobProgress& p) {
        if (m_generation.isCurrent(generation))
            Q_EMIT progress(p.done, p.total);
    };
    m_ticket = m_session->run<ActivityResult>(
        StoreSession::Lane::Background, this,
        [request](EventStore& store, JobControl& control) { return activity::compute(store, request, &control); },
        std::move(callbacks));
    if (!wasRunning)
        Q_EMIT runningChanged(true);
    return generation;
}

void ActivityJob::cancel()
{
    if (!m_ticket)
        return;
    if (m_session) {
        m_session->cancel(m_ticket);
        if (m_estimateTicket)
            m_session->cancel(m_estimateTicket);
    }
    m_ticket = 0;
    m_estimateTicket = 0;
    m_generation.next();
    Q_EMIT runningChanged(false);
}

void ActivityJob::settle(quint64 generation)
{
    Q_UNUSED(generation);
    m_ticket = 0;
    m_estimateTicket = 0;
    Q_EMIT runningChanged(false);
}

} // namespace es
