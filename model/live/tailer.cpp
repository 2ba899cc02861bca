#include "live/tailer.h"

#include "store/eventstore.h"

#include <QHash>
#include <QMutex>

#include <algorithm>

namespace es {

namespace {

QMutex& factoriesMutex()
{
    static QMutex mutex;
    return mutex;
}

QHash<QString, TailStrategyFactory>& factories()
{
    static QHash<QString, TailStrategyFactory> map;
    return map;
}

qint64 keyOf(const EventFilter& scope, const Event& e)
{
    return scope.isStream() ? e.version : e.position;
}

} // namespace

EventList CommitOrderTail::next(EventStore& store, const EventFilter& scope, qint64 after, int limit)
{
    EventQuery query;
    query.filter = scope;
    query.from = after + 1;
    query.limit = limit;
    EventPage page = store.events(query);
    if (!page.events.empty()) {
        m_heads.visible = std::max(m_heads.visible, keyOf(scope, page.events.back()));
        m_heads.settled = m_heads.visible;
    }
    return std::move(page.events);
}

void registerTailStrategy(const QString& engine, TailStrategyFactory factory)
{
    QMutexLocker lock(&factoriesMutex());
    factories().insert(engine, std::move(factory));
}

std::unique_ptr<TailStrategy> createTailStrategy(const QString& engine, EventStore& store)
{
    TailStrategyFactory factory;
    {
        QMutexLocker lock(&factoriesMutex());
        factory = factories().value(engine);
    }
    if (factory) {
        if (auto strategy = factory(store))
            return strategy;
    }
    return std::make_unique<CommitOrderTail>();
}

Tailer::Tailer(EventFilter scope, qint64 from, std::unique_ptr<TailStrategy> strategy)
    : m_scope(std::move(scope))
    , m_last(from >= 0 ? from - 1 : -1)
    , m_started(from >= 0)
    , m_strategy(strategy ? std::move(strategy) : std::make_unique<CommitOrderTail>())
{ }

EventList Tailer::poll(EventStore& store, int maxEvents)
{
    if (!m_started) {
        // Without a start key the tail begins at the current head: nothing before it is shown.
        m_last = std::max<qint64>(store.scopeStats(m_scope).lastKey, -1);
        m_started = true;
    }
    constexpr int Batch = 1000;
    EventList out;
    while (int(out.size()) < maxEvents) {
        const int limit = std::min(Batch, maxEvents - int(out.size()));
        EventList batch;
        try {
            batch = m_strategy->next(store, m_scope, m_last, limit);
        } catch (const StoreError&) {
            // The batches read before the failure are already behind the cursor: hand them over now, or they are
            // lost. The next poll meets the failure again (or a reconnected store) with nothing in hand.
            if (out.empty())
                throw;
            break;
        }
        const bool keyOrdered = m_strategy->keyOrdered();
        for (Event& e : batch) {
            const qint64 key = keyOf(m_scope, e);
            if (keyOrdered && key <= m_last)
                continue; // a strategy must never go back; this keeps "once" true even if one does
            m_last = std::max(m_last, key);
            out.push_back(std::move(e));
        }
        if (int(batch.size()) < limit)
            break;
    }
    return out;
}

} // namespace es
