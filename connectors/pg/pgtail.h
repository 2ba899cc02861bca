#pragma once

#include "layouts/profile.h"
#include "live/tailer.h"

#include <QStringList>

#include <optional>

namespace es {

class PgStore;

// Live tail for PostgreSQL, where concurrent writers make sequence positions visible out of commit order.
// After each read it notes M, the highest visible position, and the transactions open at that moment; events at or
// below M are shown only once all of those have ended (the settled head), read again then, so a late commit is never
// skipped and a rolled-back position is simply never seen. Where the profile says positions already commit in order
// (tail.order "commit" everywhere, "category" within one category) it reads straight up to the visible head. Stream
// scopes read by version: a stream's next version is written only after the previous one committed.
class PgSettledTail : public TailStrategy {
public:
    explicit PgSettledTail(PgStore& store);

    EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) override;
    TailHeads heads() const override { return m_heads; }
    // The order of the scope last read; before the first read, every order the strategy may use.
    QString name() const override;

    // Registers the PostgreSQL factory: the strategy the store's profile asks for (Profile::Tail).
    static void registerStrategy();

private:
    enum class Mode { Settled, CommitOrder, StreamVersion };
    Mode modeFor(const EventFilter& scope) const;
    void advance();

    PgStore& m_store;
    Profile::Tail m_order;
    std::optional<Mode> m_mode;
    TailHeads m_heads;
    qint64 m_pendingHead = -1; // M waiting for m_pending to end
    QStringList m_pending;
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
    TailHeads heads() const override { return m_heads; }
    QString name() const override;
    bool keyOrdered() const override { return m_stream; }

private:
    PgStore& m_store;
    QString m_label;
    bool m_started = false;
    bool m_stream = false;
    qint64 m_from = -1; // first position shown
    QString m_afterTx; // cursor: transaction, position of the last row shown
    qint64 m_afterPosition = -1;
    TailHeads m_heads;
    CommitOrderTail m_streamTail;
};

} // namespace es
