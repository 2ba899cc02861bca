#pragma once

#include "layouts/profile.h"
#include "live/tailer.h"

#include <QElapsedTimer>
#include <QStringList>

#include <optional>

namespace es {

class PgStore;

// The settled head of one key space (the log's positions, or one stream's versions) on PostgreSQL: after a check it
// notes M, the highest visible key, and the transactions then able to commit events (PgStore::tailWriters: a write
// lock on the events tables or their sequences); keys up to M are settled once all of those have ended. Nothing else
// holds it: readers, autovacuum, pg_dump, idle transactions elsewhere and EventScope's own exports take no such
// lock. On a hot standby pg_locks does not show the primary's writers: there M waits until every transaction the
// standby knows to be running (pg_current_snapshot, replayed from the primary) has ended, and then a margin of
// StandbyMarginMs more, for a writer that took a position but has not written yet; heads().caveat says so.
class PgSettledHead {
public:
    static constexpr int StandbyMarginMs = 3000;

    explicit PgSettledHead(PgStore& store);
    // Moves the settled head on when it can, and notes a new M.
    void advance(const EventFilter& scope);
    const TailHeads& heads() const { return m_heads; }
    bool onStandby() const { return m_standby; }

private:
    void probe();

    PgStore& m_store;
    bool m_probed = false;
    bool m_standby = false;
    TailHeads m_heads;
    qint64 m_pendingHead = -1; // M waiting for m_pending (primary) or m_pendingXmax and the margin (standby)
    QStringList m_pending;
    QString m_pendingXmax;
    QElapsedTimer m_pendingSince;
};

// Live tail for PostgreSQL, where concurrent writers make sequence positions visible out of commit order: reads by key
// up to the settled head (PgSettledHead), so a late commit is never skipped and a rolled-back position is simply never
// seen. Where the profile says positions already commit in order (tail.order "commit" everywhere, "category" within
// one category) it reads straight up to the visible head. Stream scopes read by version (tail.streams "version": a
// stream's next version is written only after the previous one committed) or by a settled head of their own
// (tail.streams "settled": Rails Event Store's link ids). A tail without a start key begins at the start window
// (start()): below the last StartWindow keys of the scope, since a transaction still open may hold a key below the
// visible head.
class PgSettledTail : public TailStrategy {
public:
    static constexpr int StartWindow = 10000;
    // The window start() uses (StartWindow unless set; tests make it small to start inside a busy scope).
    static int startWindow();
    static void setStartWindow(int keys);

    explicit PgSettledTail(PgStore& store);

    EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) override;
    TailStart start(EventStore& store, const EventFilter& scope) override;
    std::optional<qint64> settledStart(EventStore& store, const EventFilter& scope) override;
    TailHeads heads() const override;
    // The order of the scope last read; before the first read, every order the strategy may use.
    QString name() const override;

    // Registers the PostgreSQL factory: the strategy the store's profile asks for (Profile::Tail).
    static void registerStrategy();

    // The start of a tail in a key order that can commit out of order: below the last `window` visible keys of the
    // scope, those keys listed as visible. A transaction holding a key below that window when the tail starts (while
    // `window` later keys of the scope committed) is not shown.
    static TailStart windowStart(PgStore& store, const EventFilter& scope, int window = startWindow());

private:
    enum class Mode { Settled, CommitOrder, StreamVersion };
    Mode modeFor(const EventFilter& scope) const;

    PgStore& m_store;
    Profile::Tail m_order;
    std::optional<Mode> m_mode;
    bool m_caughtUp = true; // the last read reached the settled head
    PgSettledHead m_settled;
    CommitOrderTail m_commitTail;
};

// Live tail in the order of the layout's own readers where each row carries its writer's transaction id (Emmett's
// transaction_id = pg_current_xact_id()): rows of transactions below the snapshot's xmin, in (transaction, position)
// order after a (transaction, position) cursor. Sound without a timeout and without reading pg_locks (so also on a
// standby); positions come out of order, each once. Its settled head is the highest position up to which every
// visible row is below the xmin: a transaction still open may yet add a row below it, shown when it commits.
class PgTransactionTail : public TailStrategy {
public:
    explicit PgTransactionTail(PgStore& store);

    EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) override;
    TailStart start(EventStore& store, const EventFilter& scope) override;
    // A settled head of positions (PgSettledHead): the transaction order has no position below which nothing can
    // still appear.
    std::optional<qint64> settledStart(EventStore& store, const EventFilter& scope) override;
    TailHeads heads() const override { return m_heads; }
    QString name() const override;
    bool keyOrdered() const override { return m_stream; }

private:
    PgStore& m_store;
    QString m_label;
    bool m_started = false;
    bool m_probed = false;
    bool m_stream = false;
    qint64 m_from = -1; // first position shown
    QString m_afterTx; // cursor: transaction, position of the last row shown
    qint64 m_afterPosition = -1;
    TailHeads m_heads;
    CommitOrderTail m_streamTail;
    PgSettledHead m_startHead;
};

} // namespace es
