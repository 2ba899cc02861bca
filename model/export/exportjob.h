#pragma once

#include "export/exporter.h"
#include "store/job.h"
#include "store/storesession.h"

#include <QObject>
#include <QPointer>

namespace es {

// One export, run as a job on a lane of its own (its own connection, so browsing goes on meanwhile). Progress at
// most ten times a second; exactly one of finished, failed or cancelled ends it; cancel interrupts the running
// statement and removes the partial file.
class ExportJob : public QObject {
    Q_OBJECT
public:
    ExportJob(StoreSession* session, ExportOptions options, QObject* parent = nullptr);
    ~ExportJob() override; // cancels

    const ExportOptions& options() const { return m_options; }
    void start();
    void cancel();
    bool isRunning() const { return m_job != 0; }

Q_SIGNALS:
    void progress(const es::ExportProgress& progress);
    void finished(const es::ExportResult& result);
    void failed(const es::Failure& failure);
    void cancelled();

private:
    void end();

    QPointer<StoreSession> m_session;
    ExportOptions m_options;
    StoreSession::Lane m_lane {};
    JobId m_job = 0;
};

} // namespace es

Q_DECLARE_METATYPE(es::ExportProgress)
Q_DECLARE_METATYPE(es::ExportResult)
