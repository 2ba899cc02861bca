#pragma once

#include "export/exporter.h"
#include "store/storeregistry.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace es {

// One export running off the GUI thread on its own connection. Signals arrive on the thread that owns the job,
// progress at most ten times a second; exactly one of finished, failed or cancelled ends it.
class ExportJob : public QObject {
    Q_OBJECT
public:
    explicit ExportJob(StoreOpener opener, ExportOptions options, QObject* parent = nullptr);
    ~ExportJob() override; // cancels and waits

    const ExportOptions& options() const { return m_options; }
    void start();
    // Stops the export (the running statement is interrupted); the partial file is removed.
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(const es::ExportProgress& progress);
    void finished(const es::ExportResult& result);
    void failed(const QString& message);
    void cancelled();

private:
    StoreOpener m_opener;
    ExportOptions m_options;
    std::thread m_thread;
    std::atomic<bool> m_cancel { false };
    std::mutex m_storeMutex;
    EventStore* m_store = nullptr; // the worker's connection while it runs, for interrupt()
    bool m_running = false;
};

} // namespace es

Q_DECLARE_METATYPE(es::ExportProgress)
Q_DECLARE_METATYPE(es::ExportResult)
