#pragma once

#include "core/event.h"
#include "core/eventfilter.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace es {

class EventStore;

// A transaction that holds the settled head back: it can still commit events below the visible head.
struct TailHolder {
    int pid = 0; // 0 for a prepared transaction
    QString application; // application_name of its session
    double transactionSeconds = -1; // how long its transaction has been open, -1 when unknown
};

struct TailHeads {
    qint64 visible = -1; // highest key seen
    qint64 settled = -1; // every event at or below it has been shown; nothing can still appear there
    std::vector<TailHolder> holders; // what keeps settled below visible, when the engine can tell
    QString caveat; // what the tail cannot guarantee here (e.g. on a hot standby), for people

    bool sameAs(const TailHeads& other) const;
};

// "pid 4242 (billing-worker, in transaction for 12.5 s), …"; empty when there are none.
QString describeHolders(const std::vector<TailHolder>& holders);

// Where a tail starts: nothing at or below `after` can still appear (the safe point), and `visible` lists the keys
// above it already visible when it was taken (ascending), which a tail showing only new events skips.
struct TailStart {
    qint64 after = -1;
    std::vector<qint64> visible;
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
    // The safe point to start a tail of the scope at now (see TailStart). The default, for stores whose keys become
    // visible in commit order: the scope's last key.
    virtual TailStart start(EventStore& store, const EventFilter& scope);
    // A key nothing at or below which can still appear in the scope, as of now, for a view that reads the store up
    // to it and takes the rest from the tail; nullopt while transactions that may still commit lower keys are open
    // (ask again: heads() names them). The default: the scope's last key.
    virtual std::optional<qint64> settledStart(EventStore& store, const EventFilter& scope);
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
    // Both heads are the start until an event comes: nothing above it is visible yet.
    TailStart start(EventStore& store, const EventFilter& scope) override;
    std::optional<qint64> settledStart(EventStore& store, const EventFilter& scope) override;
    TailHeads heads() const override { return m_heads; }
    QString name() const override { return QStringLiteral("commit order"); }

private:
    void seen(qint64 key);

    TailHeads m_heads;
};

using TailStrategyFactory = std::function<std::unique_ptr<TailStrategy>(EventStore& store)>;
// Engines whose positions can commit out of order register a strategy (e.g. a settled head on PostgreSQL).
void registerTailStrategy(const QString& engine, TailStrategyFactory factory);
// The engine's strategy, or CommitOrderTail.
std::unique_ptr<TailStrategy> createTailStrategy(const QString& engine, EventStore& store);

// Follows one scope (the log, a category, a stream, or any filter): every committed event once, in the strategy's
// order.
class Tailer {
public:
    // Without a start key (from -1), where the first poll begins: at the strategy's safe point, skipping the events
    // visible then (OnlyNew: "events committed from now on"), or showing them too (FromSafePoint: a view that
    // already shows everything up to the safe point, see startKey()).
    enum class Start { OnlyNew, FromSafePoint };

    // from: first key to show (inclusive); -1 = from the strategy's safe point (see Start).
    Tailer(EventFilter scope, qint64 from, std::unique_ptr<TailStrategy> strategy, Start start = Start::OnlyNew);

    // Takes the start point if not taken yet (the first poll does it otherwise). FromSafePoint waits for the
    // strategy's settledStart(): false while it has none yet (call again).
    bool begin(EventStore& store);
    bool hasBegun() const { return m_started; }
    // After begin(): every event of the scope above this key is (or will be) returned by poll(), none at or below.
    qint64 startKey() const { return m_startKey; }

    // Everything that became safe to show since the last call, in batches, at most maxEvents.
    EventList poll(EventStore& store, int maxEvents = 10000);
    // The highest key shown (in a strategy's own order, keys shown later may be lower).
    qint64 lastKey() const { return m_last; }
    TailHeads heads() const { return m_strategy->heads(); }
    const TailStrategy& strategy() const { return *m_strategy; }

private:
    EventFilter m_scope;
    Start m_start;
    qint64 m_last = -1; // key of the last event shown
    qint64 m_startKey = -1;
    bool m_started = false;
    std::unordered_set<qint64> m_skip; // keys visible at the start (OnlyNew), not shown when they come by
    std::unique_ptr<TailStrategy> m_strategy;
};

} // namespace es

Q_DECLARE_METATYPE(es::TailHeads)
