#include "demostore.h"

#include "samplewriter.h"
#include "store/eventstore.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QStandardPaths>
#include <QThread>

#include <memory>

namespace es {

DemoStoreWriter::DemoStoreWriter(QObject* parent)
    : QObject(parent)
{ }

DemoStoreWriter::~DemoStoreWriter()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

QString DemoStoreWriter::path()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("demo-store.sqlite"));
}

void DemoStoreWriter::ensure()
{
    const QString target = path();
    if (QFileInfo::exists(target)) {
        Q_EMIT ready(target);
        return;
    }
    if (m_thread)
        return;
    m_cancel = false;
    m_percent = -1;
    QDir().mkpath(QFileInfo(target).absolutePath());
    struct Outcome {
        QString error;
        bool cancelled = false;
    };
    auto outcome = std::make_shared<Outcome>();
    m_thread = QThread::create([this, target, outcome] {
        try {
            SampleOptions options;
            options.events = kEvents;
            writeSampleStore(target, options, [this](qint64 done, qint64 total) {
                const int percent = total > 0 ? int(done * 100 / total) : 0;
                // At most one queued report per percent, never one per event.
                if (m_percent.exchange(percent) != percent)
                    QMetaObject::invokeMethod(
                        this, [this, percent] { Q_EMIT progress(percent); }, Qt::QueuedConnection);
                return !m_cancel.load();
            });
        } catch (const StoreError& e) {
            outcome->cancelled = e.kind() == StoreError::Kind::Cancelled;
            outcome->error = e.message();
        } catch (const std::exception& e) {
            outcome->error = QString::fromUtf8(e.what());
        }
    });
    connect(m_thread, &QThread::finished, this, [this, target, outcome] {
        m_thread->deleteLater();
        m_thread = nullptr;
        if (outcome->cancelled)
            return;
        if (outcome->error.isEmpty())
            Q_EMIT ready(target);
        else
            Q_EMIT failed(tr("Could not write the demo store %1: %2").arg(target, outcome->error));
    });
    m_thread->start(QThread::LowPriority);
}

void DemoStoreWriter::cancel()
{
    m_cancel = true;
}

} // namespace es
