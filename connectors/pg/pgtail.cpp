#include "pg/pgtail.h"

#include "pg/pgstore.h"

#include <algorithm>
#include <atomic>

namespace es {

namespace {

std::atomic<int> startWindowKeys { PgSettledTail::StartWindow };

QString withLabel(const QString& order, const QString& label)
{
    return label.isEmpty() ? order : order + QStringLiteral(" (") + label + u')';
}

} // namespace

PgSettledHead::PgSettledHead(PgStore& store)
    : m_store(store)
{ }

void PgSettledHead::probe()
{
    if (m_probed)
        return;
    m_standby = m_store.inRecovery();
    m_probed = true;
    if (m_standby)
        m_heads.caveat = QStringLiteral(
            "hot standby: the primary's writers are not visible here; the settled head waits for the transactions "
            "the standby knows to be running, plus %1 s for a writer that took a position before writing it")
                             .arg(StandbyMarginMs / 1000.0);
}

void PgSettledHead::advance(const EventFilter& scope)
{
    probe();
    if (m_pendingHead >= 0) {
        if (m_standby) {
            if (m_pendingSince.elapsed() < StandbyMarginMs || !m_store.snapshotPassed(m_pendingXmax))
                return;
        } else {
            const std::vector<PgStore::Writer> writers = m_store.tailWriters();
            std::vector<TailHolder> holding;
            for (const PgStore::Writer& w : writers) {
                if (m_pending.contains(w.transaction))
                    holding.push_back(w.holder);
            }
            if (!holding.empty()) {
                m_heads.holders = std::move(holding);
                return;
            }
        }
        // Everything at or below M has committed or rolled back by now.
        m_heads.settled = std::max(m_heads.settled, m_pendingHead);
        m_pendingHead = -1;
        m_pending.clear();
        m_heads.holders.clear();
    }
    if (m_standby) {
        const auto [head, xmax] = m_store.snapshotHead(scope);
        m_heads.visible = std::max(m_heads.visible, head);
        if (head <= m_heads.settled)
            return;
        m_pendingHead = head;
        m_pendingXmax = xmax;
        m_pendingSince.start();
        return;
    }
    // The head first, then the writers: a key at or below it not yet visible belongs to one of them, or to one that
    // ended in between, whose rows the next read sees.
    const qint64 head = m_store.tailHead(scope);
    const std::vector<PgStore::Writer> writers = m_store.tailWriters();
    m_heads.visible = std::max(m_heads.visible, head);
    if (head <= m_heads.settled)
        return;
    if (writers.empty()) {
        m_heads.settled = head;
        return;
    }
    m_pendingHead = head;
    for (const PgStore::Writer& w : writers) {
        m_pending.append(w.transaction);
        m_heads.holders.push_back(w.holder);
    }
}

PgSettledTail::PgSettledTail(PgStore& store)
    : m_store(store)
    , m_order(store.profile().tail)
    , m_settled(store)
{ }

PgSettledTail::Mode PgSettledTail::modeFor(const EventFilter& scope) const
{
    if (scope.isStream())
        return m_order.streams == QLatin1String("settled") ? Mode::Settled : Mode::StreamVersion;
    if (m_order.order == QLatin1String("commit"))
        return Mode::CommitOrder;
    // The category filter must be the whole scope: predicates narrow it further, which keeps the order.
    if (m_order.order == QLatin1String("category") && !scope.category.isEmpty())
        return Mode::CommitOrder;
    return Mode::Settled;
}

QString PgSettledTail::name() const
{
    const QString settled = QStringLiteral("settled head");
    if (!m_mode) {
        if (m_order.order == QLatin1String("commit"))
            return withLabel(QStringLiteral("commit order"), m_order.label);
        if (m_order.order == QLatin1String("category"))
            return withLabel(QStringLiteral("commit order within a category"), m_order.label) + QStringLiteral(", ")
                + settled + QStringLiteral(" for the log");
        return settled;
    }
    switch (*m_mode) {
    case Mode::StreamVersion:
        return QStringLiteral("stream version order");
    case Mode::CommitOrder:
        return withLabel(m_order.order == QLatin1String("category") ? QStringLiteral("commit order within the category")
                                                                    : QStringLiteral("commit order"),
            m_order.label);
    case Mode::Settled:
        break;
    }
    return settled;
}

TailHeads PgSettledTail::heads() const
{
    return m_mode && *m_mode == Mode::Settled ? m_settled.heads() : m_commitTail.heads();
}

int PgSettledTail::startWindow()
{
    return startWindowKeys.load();
}

void PgSettledTail::setStartWindow(int keys)
{
    startWindowKeys = keys > 0 ? keys : StartWindow;
}

TailStart PgSettledTail::windowStart(PgStore& store, const EventFilter& scope, int window)
{
    TailStart s;
    s.visible = store.recentKeys(scope, window);
    // Fewer keys than the window: the whole scope is in it.
    s.after = int(s.visible.size()) < window || s.visible.empty() ? -1 : s.visible.front() - 1;
    return s;
}

TailStart PgSettledTail::start(EventStore& store, const EventFilter& scope)
{
    if (modeFor(scope) != Mode::Settled)
        return TailStrategy::start(store, scope);
    return windowStart(m_store, scope);
}

std::optional<qint64> PgSettledTail::settledStart(EventStore& store, const EventFilter& scope)
{
    m_mode = modeFor(scope);
    if (*m_mode != Mode::Settled)
        return TailStrategy::settledStart(store, scope);
    // The first check notes M and its writers; once they have ended M is settled and everything up to it final.
    m_settled.advance(scope);
    if (m_settled.heads().settled < 0 && m_settled.heads().visible >= 0)
        return std::nullopt;
    return m_settled.heads().settled;
}

EventList PgSettledTail::next(EventStore& store, const EventFilter& scope, qint64 after, int limit)
{
    m_mode = modeFor(scope);
    if (*m_mode != Mode::Settled)
        return m_commitTail.next(store, scope, after, limit);
    // Caught up when the last read found less than it asked for: in a sparse scope (a filter) the last key shown
    // can stay below the settled head for good.
    if (after >= m_settled.heads().settled || m_caughtUp)
        m_settled.advance(scope);
    const qint64 settled = m_settled.heads().settled;
    if (after >= settled) {
        m_caughtUp = true;
        return {};
    }
    EventQuery query;
    query.filter = scope;
    query.from = after + 1;
    query.to = settled;
    query.limit = limit;
    EventList out = std::move(store.events(query).events);
    m_caughtUp = int(out.size()) < limit;
    return out;
}

void PgSettledTail::registerStrategy()
{
    registerTailStrategy(QStringLiteral("postgresql"), [](EventStore& store) -> std::unique_ptr<TailStrategy> {
        auto* pg = dynamic_cast<PgStore*>(&store);
        if (!pg)
            return nullptr;
        if (pg->profile().tail.order == QLatin1String("transaction"))
            return std::make_unique<PgTransactionTail>(*pg);
        return std::make_unique<PgSettledTail>(*pg);
    });
}

PgTransactionTail::PgTransactionTail(PgStore& store)
    : m_store(store)
    , m_label(store.profile().tail.label)
    , m_startHead(store)
{ }

std::optional<qint64> PgTransactionTail::settledStart(EventStore& store, const EventFilter& scope)
{
    if (scope.isStream())
        return TailStrategy::settledStart(store, scope);
    m_startHead.advance(scope);
    m_heads.holders = m_startHead.heads().holders;
    if (m_startHead.heads().settled < 0 && m_startHead.heads().visible >= 0)
        return std::nullopt;
    m_heads.holders.clear();
    return m_startHead.heads().settled;
}

QString PgTransactionTail::name() const
{
    return m_stream ? QStringLiteral("stream version order") : withLabel(QStringLiteral("transaction order"), m_label);
}

TailStart PgTransactionTail::start(EventStore& store, const EventFilter& scope)
{
    if (scope.isStream())
        return TailStrategy::start(store, scope);
    // Positions, not the (transaction, position) cursor: nothing below the window's first position can still
    // appear, and the cursor then starts from the first transaction.
    return PgSettledTail::windowStart(m_store, scope);
}

EventList PgTransactionTail::next(EventStore& store, const EventFilter& scope, qint64 after, int limit)
{
    if (scope.isStream()) {
        m_stream = true;
        EventList out = m_streamTail.next(store, scope, after, limit);
        m_heads = m_streamTail.heads();
        return out;
    }
    if (!m_started) {
        m_from = after + 1;
        m_started = true;
    }
    if (!m_probed) {
        m_probed = true;
        if (m_store.inRecovery())
            m_heads.caveat
                = QStringLiteral("hot standby: the transaction order holds here too (the replayed snapshot's xmin)");
    }
    EventList out = m_store.eventsByTransaction(scope, m_from, limit, m_afterTx, m_afterPosition);
    // The cursor has moved past `out`: losing the connection now must not lose these events, only the heads.
    try {
        const auto [head, lowestUnsafe] = m_store.transactionHeads();
        m_heads.visible = std::max(m_heads.visible, head);
        m_heads.settled = lowestUnsafe >= 0 ? std::min(lowestUnsafe - 1, m_heads.visible) : m_heads.visible;
    } catch (const StoreError&) {
        if (out.empty())
            throw;
    }
    return out;
}

} // namespace es
