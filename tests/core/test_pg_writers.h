#pragma once

// Writers that append to a PostgreSQL test database the way each layout's client does, concurrently: the tail and
// follow tests run 8 of them while a tail or a followed model reads.

#include "core/event.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <mutex>
#include <string>

namespace es::test {

enum class PgLayout {
    MessageDb,
    Emmett,
    Marten,
    Eventuous,
    Commanded,
    Axon,
    MessageDbCategory,
    EventSourcing,
    RailsEventStore,
    AxonJpa
};

// Message DB's category round: writers 0-3 append to the shared category (serialised by write_message's lock),
// 4-7 to categories of their own, out of order among themselves.
extern const char* const kSharedCategory;

struct PgWriteOutcome {
    QSet<QString> committed; // identities (pgWrittenIdentity) of committed events
    QSet<QString> rolledBack;
    QSet<QString> mainType; // committed events of the layout's main type (pgMainType); the others have its alt type
    int rollbacks = 0; // transactions rolled back (eventsourcing names their events again when it retries)
};

struct PgWriterOptions {
    // Every this-many transactions writer 0 keeps its transaction open for holdMs before COMMIT, its positions low
    // while the others commit higher ones (0: never). Not for layouts whose writers queue on one lock.
    int holdEvery = 0;
    int holdMs = 250;
};

bool sharedCategoryWriter(PgLayout layout, int index);
// Whether the layout's writers queue on one lock (Commanded's $all row, eventsourcing's table lock).
bool serialisedLayout(PgLayout layout, int index);
// The type two events in three get (the others get another): for a filter that keeps a part of them.
QString pgMainType(PgLayout layout);
// How a writer names an event it wrote, and how a read event is named the same way: its id, or stream#version where
// the layout keeps no event id.
QString pgWrittenIdentity(PgLayout layout, const Event& event);

// Commanded's insert_events.sql.eex for n events: the events, the stream row (created on its first append), the
// stream's stream_events, then $all (stream 0) bumped under its row lock and linked.
std::string commandedAppend(const QStringList& ids, const std::string& stream, long streamId, long version);
// The same with an event type per event (default Elixir.Tail.Written).
std::string commandedAppendTyped(
    const QStringList& ids, const QStringList& types, const std::string& stream, long streamId, long version);

// One writer: transactions of 1..12 events, a pause of 0..15 ms before COMMIT, ~10% rolled back. Where the layout
// serialises the writers (Commanded's $all, Message DB within a category, eventsourcing's table lock) the pause is
// 0..2 ms, since every writer waits for it; the rest of the pause comes before the first write, the transaction
// already open.
void pgLayoutWriter(const std::string& address, PgLayout layout, int index, int events, unsigned seed,
    PgWriteOutcome& out, std::mutex& m, const PgWriterOptions& options = {});

} // namespace es::test
