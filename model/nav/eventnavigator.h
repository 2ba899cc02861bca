#pragma once

#include "core/event.h"
#include "core/eventfilter.h"
#include "core/eventlinks.h"
#include "store/eventstore.h"

namespace es {

// The events linked to one event, found from the layout's facts (StoreInfo::links): the condition that selects the
// events sharing its correlation id, and where the event that caused it is. Lookups that need the store are plain
// functions for a worker thread.
class EventNavigator {
public:
    explicit EventNavigator(EventLinks links = {});

    const EventLinks& links() const { return m_links; }

    struct Correlation {
        enum class Kind {
            None, // the event has no correlation id
            Filter, // `condition` selects the events with the same correlation id
            Unreachable, // the id is not in the metadata, where filters reach
        };
        Kind kind = Kind::None;
        JsonCondition condition;
    };
    Correlation correlation(const Event& event) const;

    struct Causation {
        enum class Kind {
            None, // the event has no causation reference
            Position, // the causing event is at global position `position`
            Lookup, // the first event `query` reads is the causing one (see locate())
            NotAPosition, // the layout names causes by position, but the reference is not a number
            Unreachable, // the layout names causes by id, and its metadata does not repeat event ids
        };
        Kind kind = Kind::None;
        qint64 position = -1;
        EventQuery query;
    };
    Causation causation(const Event& event) const;
    // Runs a Lookup: the causing event's global position, or -1 when no event before this one has that id.
    static qint64 locate(EventStore& store, const Causation& causation);

private:
    EventLinks m_links;
};

} // namespace es
