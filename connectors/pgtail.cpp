#include "pgtail.h"

#include "pgstore.h"

#include <algorithm>

namespace es {

PgSettledTail::PgSettledTail(PgStore& store)
    : m_store(store)
{ }

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
    if (scope.isStream()) {
        EventList out = m_streamTail.next(store, scope, after, limit);
        m_heads = m_streamTail.heads();
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
        if (auto* pg = dynamic_cast<PgStore*>(&store))
            return std::make_unique<PgSettledTail>(*pg);
        return nullptr;
    });
}

} // namespace es
