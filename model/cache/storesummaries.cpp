#include "cache/storesummaries.h"

#include "live/tailer.h"

namespace es {

namespace {

std::optional<Event> eventAt(EventStore& store, qint64 key)
{
    EventQuery q;
    q.from = key;
    q.to = key;
    q.limit = 1;
    EventPage page = store.events(q);
    if (page.events.empty() || page.events.front().position != key)
        return std::nullopt;
    return std::move(page.events.front());
}

} // namespace

StoreSummaries::StoreSummaries(const QString& cachePath)
    : m_cache(cachePath)
{ }

std::unique_ptr<StoreSummaries> StoreSummaries::open(EventStore& store, const QString& cachePath)
{
    const StoreIdentity identity = store.identity();
    if (!identity.isValid())
        return nullptr;
    std::unique_ptr<StoreSummaries> s(new StoreSummaries(cachePath));
    if (!s->m_cache.isOpen())
        return nullptr;
    const StoreInfo info = store.info(false);
    if (info.firstPosition < 0 || info.headPosition < 0)
        return nullptr;
    // Where keys become visible in commit order (SQLite serialises its writers) the head is settled; other stores'
    // strategies say how far nothing can still appear (asking one in commit order would count the whole log).
    const std::unique_ptr<TailStrategy> strategy = createTailStrategy(identity.engine, store);
    const std::optional<qint64> settled = dynamic_cast<const CommitOrderTail*>(strategy.get())
        ? std::optional<qint64>(info.headPosition)
        : strategy->settledStart(store, {});
    if (!settled || *settled < info.firstPosition)
        return nullptr;
    const std::optional<Event> first = eventAt(store, info.firstPosition);
    const std::optional<Event> head = eventAt(store, *settled);
    if (!first || !head)
        return nullptr;
    s->m_store = SummaryCache::storeKey(identity);
    s->m_firstKey = info.firstPosition;
    s->m_firstTime = info.firstTime;
    s->m_lastTime = info.lastTime;
    // The first event names the log: a store written again from scratch under the same file starts with another id.
    s->m_mark.fingerprint = identity.fingerprint + QStringLiteral(";first=%1:%2").arg(first->position).arg(first->id);
    s->m_mark.head = *settled;
    s->m_mark.headId = head->id;

    const std::optional<StoreMark> known = s->m_cache.mark(s->m_store);
    if (known) {
        const std::optional<Event> then = known->head == *settled ? head : eventAt(store, known->head);
        if (known->fingerprint != s->m_mark.fingerprint) {
            s->m_dropReason = QStringLiteral("another database under this address");
        } else if (!then && known->head > info.headPosition) {
            s->m_dropReason
                = QStringLiteral("the head went back from %1 to %2").arg(known->head).arg(info.headPosition);
        } else if (!then || then->id != known->headId) {
            s->m_dropReason = QStringLiteral("the event at position %1 changed").arg(known->head);
        } else if (known->head > s->m_mark.head) {
            // Another window saw further (its settled head is past ours): the events up to it are there.
            s->m_mark.head = known->head;
            s->m_mark.headId = known->headId;
        }
    }
    if (!known || s->m_dropReason.size())
        s->m_cache.reset(s->m_store, s->m_mark);
    else if (!s->m_cache.advance(s->m_store, s->m_mark))
        return nullptr; // another process reset it meanwhile: this one counts without the cache
    return s;
}

} // namespace es
