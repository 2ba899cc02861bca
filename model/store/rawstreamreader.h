#pragma once

#include "core/rawevent.h"
#include "store/eventstore.h"

#include <QStringList>

namespace es {

// What an engine offers beside EventStore when it can read the events of many streams in one statement
// (reconciliation reads a page of streams this way). A store that has it derives from it too; callers ask with
// rawStreamReader(store) and read stream by stream where it has not. Kept out of EventStore so that the narrow store
// interface only grows when a second caller needs it.
class RawStreamReader {
public:
    virtual ~RawStreamReader() = default;
    // Every event of the named streams (a page of a few hundred names), grouped by stream and in version order within
    // each, handed over as EventStore::readRaw hands rows over; one statement, which the store's interruption() stops.
    // A named stream with no event gives no row. Throws StoreError.
    virtual void readRawStreams(const QStringList& streams, RawEventReceiver& receiver) = 0;
};

// The store's RawStreamReader, or null where its engine has none.
inline RawStreamReader* rawStreamReader(EventStore& store)
{
    return dynamic_cast<RawStreamReader*>(&store);
}

} // namespace es
