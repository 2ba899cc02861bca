#pragma once

#include "activity/activity.h"
#include "store/job.h"

#include <QObject>
#include <QPointer>

namespace es {

class StoreSession;

// Counts activity on the session's background lane. Only the newest request delivers: starting another cancels
// (interrupts) the one running and drops whatever it returns. With estimateFirst, a request delivers twice: an
// estimate within about a second (ActivityResult::estimated()), then the exact count, which reports progress. A
// request the estimate already counted exactly (a small store, one stream) delivers once, and so does one the summary
// cache holds (ActivityRequest::useCache): its exact answer comes in place of the estimate.
class ActivityJob : public QObject {
    Q_OBJECT
public:
    explicit ActivityJob(QObject* parent = nullptr);
    ~ActivityJob() override;

    void setSession(StoreSession* session);
    StoreSession* session() const { return m_session.data(); }
    // Returns the request's generation (what finished() reports back).
    quint64 start(const ActivityRequest& request, bool estimateFirst = false);
    void cancel();
    bool isRunning() const { return m_ticket != 0; }
    quint64 generation() const { return m_generation.current(); }

Q_SIGNALS:
    void runningChanged(bool running);
    void finished(const es::ActivityResult& result, quint64 generation);
    // The exact count's progress, in parts done of total.
    void progress(qint64 done, qint64 total);
    void failed(const es::Failure& failure);

private:
    void settle(quint64 generation);

    QPointer<StoreSession> m_session;
    quint64 m_ticket = 0;
    quint64 m_estimateTicket = 0;
    Generation m_generation;
};

} // namespace es
