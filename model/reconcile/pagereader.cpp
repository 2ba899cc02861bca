#include "reconcile/reconciler_p.h"

#include "fold/statetext.h"

namespace es {

void Reconciler::PageReader::startPage(
    std::vector<Replay>& replays, const QHash<QString, TableRow>* rows, bool metadata)
{
    m_replays = &replays;
    m_rows = rows;
    m_metadata = metadata;
    m_current = -1;
    m_held = 0;
    m_pending.clear();
    m_index.clear();
    for (size_t i = 0; i < replays.size(); ++i)
        m_index.insert(replays[i].stream, int(i));
}

bool Reconciler::PageReader::row(const RawEvent& event)
{
    if (m_current < 0 || m_currentBytes != event.stream) {
        end();
        if (m_r.stopped())
            return false;
        m_currentBytes = QByteArray(event.stream.data(), event.stream.size());
        begin(m_index.value(QString::fromUtf8(event.stream), -1));
        m_skipping = m_current < 0;
    }
    if (m_skipping)
        return true;
    hold(event);
    return true;
}

void Reconciler::PageReader::begin(int index)
{
    if (index >= 0 && (*m_replays)[size_t(index)].read) {
        // Its rows came in two runs (a collation that orders names equal that are not): folding either run
        // alone would report a state the stream never had.
        throw StoreError(QStringLiteral("The store returned the events of stream \"%1\" in more than one run "
                                        "(its stream column's collation treats distinct names as equal); "
                                        "reconciliation needs each stream's events together.")
                             .arg((*m_replays)[size_t(index)].stream));
    }
    m_current = index;
    m_start = m_held;
    m_spilled = false;
    if (index >= 0)
        (*m_replays)[size_t(index)].read = true;
}

void Reconciler::PageReader::hold(const RawEvent& event)
{
    Replay& r = (*m_replays)[size_t(m_current)];
    if (r.count == 0) {
        r.firstVersion = event.version;
        r.firstPosition = event.position;
    }
    r.lastVersion = event.version;
    r.lastPosition = event.position;
    ++r.count;
    if (m_held == heldEvents) {
        // The streams before this one are complete: folded there; this one's rows move to the next batch.
        if (m_start > 0)
            flush();
        // This stream alone fills the batch: folded as it comes.
        if (m_held == heldEvents)
            spill(false);
    }
    m_events->add(event);
    ++m_held;
}

void Reconciler::PageReader::end()
{
    if (m_current < 0)
        return;
    if (!m_spilled) {
        m_pending.push_back({ m_current, m_start, m_held });
        m_current = -1;
        return;
    }
    spill(true);
    m_current = -1;
}

void Reconciler::PageReader::flush()
{
    if (m_pending.empty())
        return;
    std::unique_ptr<RawBatch> full = std::exchange(m_events, takeBuffer());
    // The rows of the stream still arriving start the next batch.
    const qsizetype keep = m_current >= 0 ? m_held - m_start : 0;
    for (qsizetype k = 0; k < keep; ++k)
        m_events->add(full->view(m_start + k));
    m_held = keep;
    m_start = 0;
    m_folds.post([this, replays = m_replays, rows = m_rows, held = std::shared_ptr<RawBatch>(std::move(full)),
                     pending = std::exchange(m_pending, {})](Fold& fold) mutable {
        const Event* events = convert(*held, pending.back().end);
        giveBack(held);
        foldPending(fold, events, pending, *replays, rows);
    });
}

std::unique_ptr<RawBatch> Reconciler::PageReader::takeBuffer()
{
    std::lock_guard lock(m_spareMutex);
    if (m_spare.empty())
        return std::make_unique<RawBatch>();
    std::unique_ptr<RawBatch> batch = std::move(m_spare.back());
    m_spare.pop_back();
    return batch;
}

const Event* Reconciler::PageReader::convert(const RawBatch& held, qsizetype n)
{
    for (qsizetype i = 0; i < n; ++i)
        m_foldConverter.convert(held.view(i), m_foldEvents[size_t(i)]);
    return m_foldEvents.data();
}

void Reconciler::PageReader::giveBack(std::shared_ptr<RawBatch>& held)
{
    auto batch = std::make_unique<RawBatch>(std::move(*held));
    batch->clear();
    std::lock_guard lock(m_spareMutex);
    m_spare.push_back(std::move(batch));
}

void Reconciler::PageReader::spill(bool last)
{
    Replay& r = (*m_replays)[size_t(m_current)];
    const bool first = !m_spilled;
    m_spilled = true;
    const qsizetype n = m_held;
    m_folds.post([this, &r, rows = m_rows, first, last, n,
                     held = std::shared_ptr<RawBatch>(std::exchange(m_events, takeBuffer()))](Fold& fold) mutable {
        if (first)
            r.error = fold.reset();
        if (!r.error && n > 0) {
            const FoldResult result = fold.apply(convert(*held, n), n);
            if (result.error)
                r.error = result.error;
        }
        giveBack(held);
        if (!last)
            return;
        m_r.finishReplay(r, valuesAtPaths(fold.stateJson(), m_r.m_readPaths));
        if (judge(r, rows))
            r.findMatch = true;
    });
    m_held = 0;
    m_start = 0;
}

void Reconciler::PageReader::foldPending(Fold& fold, const Event* events, const std::vector<Pending>& pending,
    std::vector<Replay>& replays, const QHash<QString, TableRow>* rows)
{
    m_ends.clear();
    for (const Pending& p : pending)
        m_ends.push_back(p.end);
    fold.foldStreams(events, m_ends.data(), qsizetype(m_ends.size()), m_states, &m_r.m_readPaths);
    for (size_t i = 0; i < pending.size(); ++i) {
        const Pending& p = pending[i];
        Replay& r = replays[size_t(p.index)];
        Fold::StreamState& state = m_states[i];
        if (state.error)
            r.error = std::move(state.error);
        m_r.finishReplay(r, std::move(state.values));
        if (judge(r, rows)) {
            Match m { *r.row, r.out };
            m_r.matchStart(fold, m);
            m_r.matchEvents(fold, m, events + p.start, p.end - p.start);
            m_r.matchEnd(r, m);
        }
    }
}

bool Reconciler::PageReader::judge(Replay& r, const QHash<QString, TableRow>* rows)
{
    if (!rows)
        return false;
    const auto it = rows->constFind(r.key);
    r.row = it == rows->constEnd() ? nullptr : &*it;
    r.judged = true;
    return m_r.compare(r, r.row, r.out);
}

} // namespace es
