#include "catalog/catalogjob.h"

#include "catalog/catalogcache.h"

#include "store/storesession.h"

#include <chrono>
#include <thread>

namespace es {

CatalogJob::CatalogJob(QObject* parent)
    : QObject(parent)
{ }

CatalogJob::~CatalogJob()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void CatalogJob::setSession(StoreSession* session)
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

quint64 CatalogJob::start(const CatalogOptions& options)
{
    const bool wasRunning = isRunning();
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    const quint64 generation = m_generation.next();
    m_ticket = 0;
    if (!m_session) {
        if (wasRunning)
            Q_EMIT runningChanged(false);
        return generation;
    }
    using Shared = std::shared_ptr<const TypeCatalog>;
    JobCallbacks<Shared> on;
    on.finished = [this, generation](Shared catalog) {
        if (!m_generation.isCurrent(generation))
            return;
        settle();
        Q_EMIT catalogAvailable(catalog, true, generation);
        Q_EMIT finished(generation);
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        settle();
        Q_EMIT failed(failure);
    };
    on.progress = [this, generation](const JobProgress& p) {
        if (!m_generation.isCurrent(generation))
            return;
        if (p.detail.canConvert<Shared>())
            Q_EMIT catalogAvailable(p.detail.value<Shared>(), false, generation);
        else
            Q_EMIT progress(p.done, p.total, p.what);
    };
    m_ticket = m_session->run<Shared>(
        StoreSession::Lane::Background, this,
        [options](EventStore& store, JobControl& control) -> Shared {
            // Stages go back as progress with the catalog attached. JobControl passes at most one report per 100 ms
            // and drops the rest: a stage waits out the interval so it is never dropped; a count may be.
            using Clock = std::chrono::steady_clock;
            Clock::time_point last;
            auto send = [&](JobProgress report, bool mustArrive) {
                const auto since = Clock::now() - last;
                if (since < std::chrono::milliseconds(110)) {
                    if (!mustArrive)
                        return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(110) - since);
                }
                last = Clock::now();
                control.progress(std::move(report));
            };
            const auto stage = [&](const TypeCatalog& catalog) {
                JobProgress report;
                report.what = QStringLiteral("Type catalog");
                report.detail = QVariant::fromValue(std::make_shared<const TypeCatalog>(catalog));
                send(std::move(report), true);
            };
            const auto counted = [&](qint64 done, qint64 total, const QString& what) {
                send({ what, done, total, {} }, false);
            };
            return std::make_shared<const TypeCatalog>(options.useCache
                    ? scanCatalogCached(store, options, &control, stage, counted)
                    : scanCatalog(store, options, &control, stage, counted));
        },
        std::move(on));
    if (!wasRunning)
        Q_EMIT runningChanged(true);
    return generation;
}

void CatalogJob::cancel()
{
    if (!m_ticket)
        return;
    if (m_session)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    m_generation.next();
    Q_EMIT runningChanged(false);
}

void CatalogJob::settle()
{
    m_ticket = 0;
    Q_EMIT runningChanged(false);
}

} // namespace es
