#include "export/exportjob.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace es {

ExportJob::ExportJob(StoreOpener opener, ExportOptions options, QObject* parent)
    : QObject(parent)
    , m_opener(std::move(opener))
    , m_options(std::move(options))
{
    qRegisterMetaType<es::ExportProgress>();
    qRegisterMetaType<es::ExportResult>();
}

ExportJob::~ExportJob()
{
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void ExportJob::start()
{
    if (m_running || m_thread.joinable())
        return;
    m_running = true;
    m_thread = std::thread([this, opener = m_opener, options = m_options] {
        // Results are posted back to this object's thread; if the job is gone by then Qt drops them.
        auto post
            = [this](std::function<void()> f) { QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection); };
        try {
            std::unique_ptr<EventStore> store = opener();
            {
                std::lock_guard lock(m_storeMutex);
                m_store = store.get();
            }
            QElapsedTimer throttle;
            throttle.start();
            qint64 lastMs = -1000;
            const ExportResult result = Exporter::run(
                *store, options,
                [&](const ExportProgress& p) {
                    if (throttle.elapsed() - lastMs >= 100) {
                        lastMs = throttle.elapsed();
                        post([this, p] { Q_EMIT progress(p); });
                    }
                    return true;
                },
                &m_cancel);
            {
                std::lock_guard lock(m_storeMutex);
                m_store = nullptr;
            }
            post([this, result] {
                m_running = false;
                Q_EMIT finished(result);
            });
        } catch (const StoreError& e) {
            {
                std::lock_guard lock(m_storeMutex);
                m_store = nullptr;
            }
            const bool stopped = e.kind() == StoreError::Kind::Cancelled || m_cancel.load();
            const QString message = e.message();
            post([this, stopped, message] {
                m_running = false;
                if (stopped)
                    Q_EMIT cancelled();
                else
                    Q_EMIT failed(message);
            });
        } catch (const std::exception& e) {
            {
                std::lock_guard lock(m_storeMutex);
                m_store = nullptr;
            }
            const QString message = QString::fromLocal8Bit(e.what());
            post([this, message] {
                m_running = false;
                Q_EMIT failed(message);
            });
        }
    });
}

void ExportJob::cancel()
{
    m_cancel = true;
    std::lock_guard lock(m_storeMutex);
    if (m_store)
        m_store->interrupt();
}

} // namespace es
