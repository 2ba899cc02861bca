#pragma once

// Reconciler's private parts, shared by reconciler.cpp (the run) and pagereader.cpp (reading and folding a page).

#include "core/rawbatch.h"
#include "fold/batchreader.h"
#include "fold/foldthread.h"
#include "reconcile/reconciler.h"
#include "store/rawstreamreader.h"

#include <QByteArray>
#include <QHash>

#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace es {

// A stream of a page: what its replay gave, and its report row once judged.
struct Reconciler::Replay {
    QString stream;
    std::vector<QJsonValue> values; // the replayed state's value at each mapped path
    QString key;
    qint64 count = 0;
    qint64 firstVersion = -1;
    qint64 lastVersion = -1;
    qint64 firstPosition = -1;
    qint64 lastPosition = -1;
    std::optional<ReducerError> error;
    bool read = false; // its events came through the page's read (a stream with none did not)
    bool judged = false; // `out` is filled in
    bool findMatch = false; // `out` differs and its stream must be read again to find its version
    const TableRow* row = nullptr; // when judged
    ReconcileRow out;
};

// Receives the page's rows grouped by stream and holds their bytes in a batch (RawBatch: one buffer, reused) until
// heldEvents of them are held: then the batch goes to the fold's thread, which turns them into Events, folds the
// streams complete in it together (Fold::foldStreams, one call into a JavaScript engine for all of them) and judges
// them, while this thread reads on into another batch, the rows of the stream still arriving copied to its front. A
// differing row is compared there with the state after each of its stream's events, still held, without a second
// read. A stream that alone fills the batch is folded as it comes (apply, batch by batch) and read again if its row
// differs.
class Reconciler::PageReader : public RawEventReceiver {
public:
    // `folds` folds what this reader reads (it may not be constructed yet: it is used from the first page on).
    PageReader(Reconciler& r, FoldThread& folds)
        : m_r(r)
        , m_folds(folds)
        , m_events(takeBuffer())
    { }

    FoldThread& folds() { return m_folds; }

    // The page's streams, whose replays are filled in; the rows by key when they are known before the read. Both
    // stay until the fold's thread is done with the page (its tasks hold pointers to them).
    void startPage(std::vector<Replay>& replays, const QHash<QString, TableRow>* rows, bool metadata);

    bool row(const RawEvent& event) override;
    bool wantsIds() const override { return false; }
    bool wantsMetadata() const override { return m_metadata; }

    // A stream of the page starts (-1: rows of no stream of the page, skipped).
    void begin(int index);
    // The current stream's next row.
    void hold(const RawEvent& event);
    // The current stream's last event came: it waits to be folded with the streams after it, or, when it filled a
    // buffer, the rest of its events are folded and it is judged.
    void end();
    // Hands the complete streams held to the fold's thread (when the buffer is full, and at the end of the page).
    void flush();

private:
    struct Pending {
        int index;
        qsizetype start;
        qsizetype end;
    };

    std::unique_ptr<RawBatch> takeBuffer();
    // On the fold's thread: the batch's first n rows as Events (in a list of that thread's, valid until the next
    // call).
    const Event* convert(const RawBatch& held, qsizetype n);
    // On the fold's thread, once its rows are converted: emptied (its buffer kept) for the reader to fill again.
    void giveBack(std::shared_ptr<RawBatch>& held);

    // The current stream's held events, when it alone fills the buffer or (last) when it ends, are folded on the
    // fold's thread after everything posted before them; its first buffer starts from the initial state.
    void spill(bool last);
    // On the fold's thread: folds and judges complete streams.
    void foldPending(Fold& fold, const Event* events, const std::vector<Pending>& pending, std::vector<Replay>& replays,
        const QHash<QString, TableRow>* rows);
    // With the rows known: fills the replay's report row; true when its row differs (the match must follow).
    bool judge(Replay& r, const QHash<QString, TableRow>* rows);

    Reconciler& m_r;
    FoldThread& m_folds;
    std::vector<Replay>* m_replays = nullptr;
    const QHash<QString, TableRow>* m_rows = nullptr;
    bool m_metadata = true;
    QHash<QString, int> m_index;
    std::mutex m_spareMutex;
    std::vector<std::unique_ptr<RawBatch>> m_spare; // batches whose rows were converted, their buffers kept
    std::unique_ptr<RawBatch> m_events;
    qsizetype m_held = 0;
    qsizetype m_start = 0; // where the current stream's events start in m_events
    bool m_spilled = false;
    bool m_skipping = false;
    int m_current = -1;
    QByteArray m_currentBytes;
    std::vector<Pending> m_pending;
    // The fold's thread's:
    std::vector<qsizetype> m_ends;
    std::vector<Fold::StreamState> m_states;
    RawEventConverter m_foldConverter;
    EventList m_foldEvents = EventList(std::size_t(heldEvents));
};

// A connection's reads: its page reader, the fold's thread that folds what it reads, and, for the second connection,
// the read of its page running on a thread of its own (std::async: the future rethrows what the read threw, and waits
// for it when destroyed). Destroyed in reverse: the read ends, then the folds, before the page reader they use.
struct Reconciler::Reader {
    explicit Reader(Reconciler& r)
        : pages(r, folds)
        , folds(r.m_reducer)
    { }

    PageReader pages;
    FoldThread folds;
    std::unique_ptr<EventStore> store; // the second connection; null: the store's own, on the caller's thread
    std::future<void> reading;
};

} // namespace es
