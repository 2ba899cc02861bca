#include "export/exportjob.h"

namespace es {

ExportJob::ExportJob(StoreSession* session, ExportOptions options, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_options(std::move(options))
{
    qRegisterMetaType<es::ExportProgress>();
    qRegisterMetaType<es::ExportResult>();
}

ExportJob::~ExportJob()
{
    cancel();
    end();
}

void ExportJob::start()
{
    if (m_job || !m_session)
        return;
    m_lane = m_session->openLane(QStringLiteral("export"));
    JobCallbacks<ExportResult> callbacks;
    callbacks.finished = [this](ExportResult result) {
        end();
        Q_EMIT finished(result);
    };
    callbacks.failed = [this](const Failure& failure) {
        end();
        Q_EMIT failed(failure);
    };
    callbacks.cancelled = [this] {
        end();
        Q_EMIT cancelled();
    };
    callbacks.progress = [this](const JobProgress& report) {
        if (report.detail.canConvert<ExportProgress>())
            Q_EMIT progress(report.detail.value<ExportProgress>());
    };
    m_job = m_session->run<ExportResult>(
        m_lane, this,
        [options = m_options](EventStore& store, JobControl& control) {
            return Exporter::run(
                store, options,
                [&control](const ExportProgress& p) {
                    control.progress(JobProgress { {}, p.events, p.total, QVariant::fromValue(p) });
                    return true;
                },
                control.cancelFlag());
        },
        std::move(callbacks));
}

void ExportJob::cancel()
{
    if (m_job && m_session)
        m_session->cancel(m_job);
}

void ExportJob::end()
{
    if (m_session && m_job)
        m_session->closeLane(m_lane);
    m_job = 0;
}

} // namespace es
