#include "diff/diffjob.h"

#include <mutex>

namespace es {

DiffJob::DiffJob(StoreSession* session, StoreOpener other, DiffOptions options, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_other(std::move(other))
    , m_options(std::move(options))
{
    qRegisterMetaType<es::DiffProgress>();
    qRegisterMetaType<es::DiffResult>();
}

DiffJob::~DiffJob()
{
    cancel();
    end();
}

void DiffJob::start()
{
    if (m_job || !m_session)
        return;
    m_lane = m_session->openLane(QStringLiteral("diff"));
    JobCallbacks<DiffResult> callbacks;
    callbacks.finished = [this](DiffResult result) {
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
        if (report.detail.canConvert<DiffProgress>())
            Q_EMIT progress(report.detail.value<DiffProgress>());
    };
    m_job = m_session->run<DiffResult>(
        m_lane, this,
        [other = m_other, options = m_options, max = m_maxChanges](EventStore& store, JobControl& control) {
            // B lives on this lane for the job; the cancelling thread reaches it through the holder.
            struct Holder {
                std::mutex mutex;
                EventStore* store = nullptr;
            };
            auto holder = std::make_shared<Holder>();
            control.setInterruptor([holder] {
                std::function<void()> stop;
                {
                    std::lock_guard lock(holder->mutex);
                    if (holder->store)
                        stop = holder->store->interruption();
                }
                if (stop)
                    stop();
            });
            std::unique_ptr<EventStore> b;
            try {
                b = other();
            } catch (const StoreError& e) {
                throw StoreError(QStringLiteral("The second store: %1").arg(e.message()), e.kind());
            }
            {
                std::lock_guard lock(holder->mutex);
                holder->store = b.get();
            }
            DiffResult result;
            try {
                result.summary = StoreDiff::run(
                    store, *b, options,
                    [&](const DiffChange& change) {
                        if (qint64(result.changes.size()) < max)
                            result.changes.push_back(change);
                        else
                            result.truncated = true;
                    },
                    [&control](const DiffProgress& p) {
                        control.progress(
                            JobProgress { QStringLiteral("Comparing"), p.eventsA, p.totalA, QVariant::fromValue(p) });
                    },
                    control.cancelFlag());
            } catch (...) {
                std::lock_guard lock(holder->mutex);
                holder->store = nullptr;
                throw;
            }
            std::lock_guard lock(holder->mutex);
            holder->store = nullptr;
            return result;
        },
        std::move(callbacks));
}

void DiffJob::cancel()
{
    if (m_job && m_session)
        m_session->cancel(m_job);
}

void DiffJob::end()
{
    if (m_session && m_job)
        m_session->closeLane(m_lane);
    m_job = 0;
}

} // namespace es
