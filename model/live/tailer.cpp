#include "live/tailer.h"

#include "store/eventstore.h"

#include <QHash>
#include <QMutex>
#include <QStringList>

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

bool TailHeads::sameAs(const TailHeads& other) const
{
    if (visible != other.visible || settled != other.settled || caveat != other.caveat
        || holders.size() != other.holders.size())
        return false;
    for (std::size_t i = 0; i < holders.size(); ++i) {
        if (holders[i].pid != other.holders[i].pid || holders[i].application != other.holders[i].application)
            return false;
    }
    return true;
}

QString describeHolders(const std::vector<TailHolder>& holders)
{
    QStringList parts;
    for (const TailHolder& h : holders) {
        QString text = h.pid > 0 ? QStringLiteral("pid %1").arg(h.pid) : QStringLiteral("a prepared transaction");
        QStringList about;
        if (!h.application.isEmpty())
            about.append(h.application);
        if (h.transactionSeconds >= 0)
            about.append(QStringLiteral("in transaction for %1 s").arg(h.transactionSeconds, 0, 'f', 1));
        if (!about.isEmpty())
            text += QStringLiteral(" (") + about.join(QStringLiteral(", ")) + u')';
        parts.append(text);
    }
    return parts.join(QStringLiteral(", "));
}

TailStart TailStrategy::start(EventStore& store, const EventFilter& scope)
{
    TailStart s;
    s.after = std::max<qint64>(store.scopeStats(scope).lastKey, -1);
    return s;
}

std::optional<qint64> TailStrategy::settledStart(EventStore& store, const EventFilter& scope)
{
    return std::max<qint64>(store.scopeStats(scope).lastKey, -1);
}

EventList CommitOrderTail::next(EventStore& store, const EventFilter& scope, qint64 after, int limit)
{
    EventQuery query;
    query.filter = scope;
    query.from = after + 1;
    query.limit = limit;
    EventPage page = store.events(query);
    if (!page.events.empty())
        seen(keyOf(scope, page.events.back()));
    return std::move(page.events);
}

TailStart CommitOrderTail::start(EventStore& store, const EventFilter& scope)
{
    const TailStart s = TailStrategy::start(store, scope);
    seen(s.after);
    return s;
}

std::optional<qint64> CommitOrderTail::settledStart(EventStore& store, const EventFilter& scope)
{
    const std::optional<qint64> after = TailStrategy::settledStart(store, scope);
    if (after)
        seen(*after);
    return after;
}

void CommitOrderTail::seen(qint64 key)
{
    m_heads.visible = std::max(m_heads.visible, key);
    m_heads.settled = m_heads.visible;
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

Tailer::Tailer(EventFilter scope, qint64 from, std::unique_ptr<TailStrategy> strategy, Start start)
    : m_scope(std::move(scope))
    , m_start(start)
    , m_last(from >= 0 ? from - 1 : -1)
    , m_startKey(m_last)
    , m_started(from >= 0)
    , m_strategy(strategy ? std::move(strategy) : std::make_unique<CommitOrderTail>())
{ }

bool Tailer::begin(EventStore& store)
{
    if (m_started)
        return true;
    if (m_start == Start::FromSafePoint) {
        // Everything at or below the settled start is final now: the view reads it from the store.
        const std::optional<qint64> after = m_strategy->settledStart(store, m_scope);
        if (!after)
            return false;
        m_last = *after;
    } else {
        // Not at the visible head: a transaction still open may hold a lower key. The strategy's start is below
        // every such key; what is already visible above it is skipped.
        TailStart s = m_strategy->start(store, m_scope);
        m_last = s.after;
        m_skip.insert(s.visible.begin(), s.visible.end());
    }
    m_startKey = m_last;
    m_started = true;
    return true;
}

EventList Tailer::poll(EventStore& store, int maxEvents)
{
    if (!begin(store))
        return {};
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
            if (!m_skip.empty() && m_skip.erase(key))
                continue; // visible when the tail started
            out.push_back(std::move(e));
        }
        if (int(batch.size()) < limit)
            break;
    }
    return out;
}

} // namespace es
