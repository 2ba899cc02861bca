#pragma once

#include <QObject>
#include <QString>

#include <atomic>

class QThread;

namespace es {

// "Open the demo store" on the start page: the demo domain written once, by the sample writer, to a store this
// application creates in the user's data folder (never to a store it inspects), off the GUI thread. A thread of its
// own rather than a job on a StoreSession: there is no store open to hold a session (the start page shows exactly
// then), and the write is no read a session could interrupt; cancel() stops it between batches.
class DemoStoreWriter : public QObject {
    Q_OBJECT
public:
    // 50,000 events: written in about a second, enough for every view to have something to show.
    static constexpr qint64 kEvents = 50000;

    explicit DemoStoreWriter(QObject* parent = nullptr);
    ~DemoStoreWriter() override;

    // Where the demo store lives: $XDG_DATA_HOME/eventscope/demo-store.sqlite (or the platform's equivalent).
    static QString path();

    // Emits ready(path) at once when the store exists, otherwise writes it first, reporting progress.
    void ensure();
    void cancel();
    bool isWriting() const { return m_thread != nullptr; }

Q_SIGNALS:
    void progress(int percent);
    void ready(const QString& path);
    void failed(const QString& message);

private:
    QThread* m_thread = nullptr;
    std::atomic_bool m_cancel { false };
    std::atomic_int m_percent { -1 };
};

} // namespace es
