#pragma once

#include "core/event.h"
#include "core/eventfilter.h"

#include <QString>

#include <functional>
#include <memory>

namespace es {

class EventStore;

struct TailHeads {
    qint64 visible = -1; // highest key seen
    qint64 settled = -1; // every event at or below it has been shown; nothing can still appear there
};

// How an engine reads "what is new" without skipping an event that commits late or showing one twice.
class TailStrategy {
public:
    virtual ~TailStrategy() = default;
    // Events of the scope with a key above `after`, in key order, at most `limit`, that are safe to show now:
    // no event with a lower key can become visible later.
    // A strategy with an order of its own (keyOrdered() false) returns events in that order, each once, and keeps
    // its own cursor: it takes `after` from its first call only, as the start (nothing at or below it is shown).
    virtual EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) = 0;
    virtual TailHeads heads() const = 0;
    // The order the strategy reads in, for people ("settled head", "commit order ($all)"...).
    virtual QString name() const = 0;
    // False when events come in an order of the layout's own (e.g. by writing transaction) rather than by key.
    virtual bool keyOrdered() const { return true; }
};

// Keyset `key > last`, for stores whose keys become visible in commit order (SQLite serialises its writers;
// PostgreSQL layouts with a safe order of their own).
class CommitOrderTail : public TailStrategy {
public:
    EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) override;
    TailHeads heads() const override { return m_heads; }
    QString name() const override { return QStringLiteral("commit order"); }

private:
    TailHeads m_heads;
};

using TailStrategyFactory = std::function<std::unique_ptr<TailStrategy>(EventStore& store)>;
// Engines whose positions can commit out of order register a strategy (e.g. a settled head on PostgreSQL).
void registerTailStrategy(const QString& engine, TailStrategyFactory factory);
// The engine's strategy, or CommitOrderTail.
std::unique_ptr<TailStrategy> createTailStrategy(const QString& engine, EventStore& store);

// Follows one scope (the log, a category or a stream): every committed event once, in key order.
class Tailer {
public:
    // from: first key to show (inclusive); -1 = only events that arrive after the first poll.
    Tailer(EventFilter scope, qint64 from, std::unique_ptr<TailStrategy> strategy);

    // Everything that became safe to show since the last call, in batches, at most maxEvents.
    EventList poll(EventStore& store, int maxEvents = 10000);
    // The highest key shown (in a strategy's own order, keys shown later may be lower).
    qint64 lastKey() const { return m_last; }
    TailHeads heads() const { return m_strategy->heads(); }
    const TailStrategy& strategy() const { return *m_strategy; }

private:
    EventFilter m_scope;
    qint64 m_last = -1; // key of the last event shown
    bool m_started = false;
    std::unique_ptr<TailStrategy> m_strategy;
};

} // namespace es

Q_DECLARE_METATYPE(es::TailHeads)
