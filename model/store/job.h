#pragma once

#include "store/failure.h"

#include <QMetaType>
#include <QString>
#include <QVariant>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

namespace es {

using JobId = quint64;

struct JobProgress {
    QString what; // "Reading events", "Folding", …
    qint64 done = 0;
    qint64 total = -1; // -1 when unknown
    QVariant detail; // a job's own progress value (an ExportProgress, …) for callers that know it
};

// What a running job sees of its own control: whether it was cancelled, and a throttled way to report progress.
// Made by the job mechanism, one per job, used on the job's thread only (cancel() may come from any thread).
class JobControl {
public:
    using ProgressSink = std::function<void(const JobProgress&)>;
    explicit JobControl(ProgressSink sink = {})
        : m_sink(std::move(sink))
    { }

    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    // Throws StoreError(Cancelled) once cancel() was called: for loops between statements.
    void throwIfCancelled() const;
    // At most ten reports a second reach the caller; the last one of a run is not guaranteed, finished() is.
    void progress(qint64 done, qint64 total = -1, const QString& what = {});
    void progress(JobProgress report);
    // A report every caller must see (a first answer while the job goes on): not throttled.
    void publish(JobProgress report);
    // For code that polls a plain flag (Exporter::run).
    const std::atomic<bool>* cancelFlag() const { return &m_cancelled; }
    // Something besides the store to stop on cancel (a JS engine, a COPY reader); called from the cancelling thread.
    void setInterruptor(std::function<void()> interrupt);

    // The mechanism's side.
    void cancel();

private:
    ProgressSink m_sink;
    std::atomic<bool> m_cancelled { false };
    std::chrono::steady_clock::time_point m_lastReport {};
    std::mutex m_mutex;
    std::function<void()> m_interrupt;
};

// What the caller hears of one job, on its context object's thread. Exactly one of finished, failed or cancelled.
template <typename R> struct JobCallbacks {
    std::function<void(R)> finished;
    std::function<void(const Failure&)> failed;
    std::function<void()> cancelled;
    std::function<void(const JobProgress&)> progress;
};

// Makes the call a store's interruption() returned off the caller's thread (the GUI's, or one that must not wait):
// PostgreSQL's cancel connects to the server and waits for it to close that connection, which a server that stopped
// answering never does. Each call has a short-lived thread of its own, so one stuck cancel never delays another; it
// holds nothing but the call (a cancel key), so nobody waits for it: it ends when the server answers, or with the
// process. interruption() itself, which does the immediate part (SQLite's interrupt), runs on the caller's thread.
void sendInterruption(std::function<void()> stop);

// Newest-request-wins bookkeeping for a view that asks again before the last answer came (a new filter, a drag):
// next() starts a generation; isCurrent() tells whether a result still belongs to the newest one.
class Generation {
public:
    quint64 next() { return ++m_value; }
    quint64 current() const { return m_value; }
    bool isCurrent(quint64 generation) const { return generation == m_value; }

private:
    quint64 m_value = 0;
};

} // namespace es

Q_DECLARE_METATYPE(es::JobProgress)
