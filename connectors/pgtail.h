#pragma once

#include "tailer.h"

#include <QStringList>

namespace es {

class PgStore;

// Live tail for PostgreSQL, where concurrent writers make sequence positions visible out of commit order.
// After each read it notes M, the highest visible position, and the transactions open at that moment; events at or
// below M are shown only once all of those have ended (the settled head), read again then, so a late commit is never
// skipped and a rolled-back position is simply never seen. Stream scopes read by version: a stream's next version
// is written only after the previous one committed, so they are read in commit order.
class PgSettledTail : public TailStrategy {
public:
    explicit PgSettledTail(PgStore& store);

    EventList next(EventStore& store, const EventFilter& scope, qint64 after, int limit) override;
    TailHeads heads() const override { return m_heads; }
    QString name() const override { return QStringLiteral("settled head"); }

    static void registerStrategy();

private:
    void advance();

    PgStore& m_store;
    TailHeads m_heads;
    qint64 m_pendingHead = -1; // M waiting for m_pending to end
    QStringList m_pending;
    CommitOrderTail m_streamTail;
};

} // namespace es
