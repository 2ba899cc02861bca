#pragma once

#include "diff/storediff.h"
#include "store/job.h"
#include "store/storesession.h"

#include <QObject>
#include <QPointer>

namespace es {

// What a diff job hands back: the summary and the first changes (all of them up to maxChanges).
struct DiffResult {
    DiffSummary summary;
    std::vector<DiffChange> changes;
    bool truncated = false; // more changes than maxChanges: counts are complete, the list is not
};

// One diff of the session's store (A) with another (B, opened by its own opener on the job's lane), run as a job on
// a lane of its own. Progress at most ten times a second; exactly one of finished, failed or cancelled ends it;
// cancel interrupts both stores' running statements.
class DiffJob : public QObject {
    Q_OBJECT
public:
    DiffJob(StoreSession* session, StoreOpener other, DiffOptions options, QObject* parent = nullptr);
    ~DiffJob() override; // cancels

    void setMaxChanges(qint64 max) { m_maxChanges = max; }
    void start();
    void cancel();
    bool isRunning() const { return m_job != 0; }

Q_SIGNALS:
    void progress(const es::DiffProgress& progress);
    void finished(const es::DiffResult& result);
    void failed(const es::Failure& failure);
    void cancelled();

private:
    void end();

    QPointer<StoreSession> m_session;
    StoreOpener m_other;
    DiffOptions m_options;
    qint64 m_maxChanges = 100000;
    StoreSession::Lane m_lane {};
    JobId m_job = 0;
};

} // namespace es

Q_DECLARE_METATYPE(es::DiffResult)
