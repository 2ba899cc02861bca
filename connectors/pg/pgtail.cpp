#include "pg/pgtail.h"

#include "pg/pgstore.h"

#include <algorithm>

namespace es {

namespace {

QString withLabel(const QString& order, const QString& label)
{
    return label.isEmpty() ? order : order + QStringLiteral(" (") + label + u')';
}

} // namespace

PgSettledTail::PgSettledTail(PgStore& store)
    : m_store(store)
    , m_order(store.profile().tail)
{ }

PgSettledTail::Mode PgSettledTail::modeFor(const EventFilter& scope) const
{
    if (scope.isStream())
        return Mode::StreamVersion;
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

void PgSettledTail::advance()
{
    if (!m_pending.isEmpty()) {
        const QStringList open = m_store.openTransactions();
        const bool stillOpen
            = std::any_of(m_pending.cbegin(), m_pending.cend(), [&](const QString& tx) { return open.contains(tx); });
        if (stillOpen)
            return;
        // Everything at or below M has committed or rolled back by now.
        m_heads.settled = std::max(m_heads.settled, m_pendingHead);
        m_pending.clear();
    }
    // The head first, then the open transactions: a position at or below it not yet visible belongs to one of them.
    const qint64 head = m_store.visibleHead();
    const QStringList open = m_store.openTransactions();
    m_heads.visible = std::max(m_heads.visible, head);
    if (head <= m_heads.settled)
        return;
    if (open.isEmpty()) {
        m_heads.settled = head;
        return;
    }
    m_pendingHead = head;
    m_pending = open;
}

EventList PgSettledTail::next(EventStore& store, const EventFilter& scope, qint64 after, int limit)
{
    m_mode = modeFor(scope);
    if (*m_mode != Mode::Settled) {
        EventList out = m_commitTail.next(store, scope, after, limit);
        m_heads = m_commitTail.heads();
        return out;
    }
    if (after >= m_heads.settled)
        advance();
    if (after >= m_heads.settled)
        return {};
    EventQuery query;
    query.filter = scope;
    query.from = after + 1;
    query.to = m_heads.settled;
    query.limit = limit;
    return std::move(store.events(query).events);
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
{ }

QString PgTransactionTail::name() const
{
    return m_stream ? QStringLiteral("stream version order") : withLabel(QStringLiteral("transaction order"), m_label);
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
