#pragma once

#include <QStringList>

namespace es {

// Where a store layout keeps the links between events, as its profile says ("correlation" in
// connectors/PROFILES.md): which metadata keys hold the correlation and causation references, what a causation
// reference names, and where an event's own id is repeated in its metadata.
struct EventLinks {
    enum class CausationTarget {
        EventId, // the id of the causing event
        GlobalPosition, // the global position of the causing event (Message DB's causationMessageGlobalPosition)
    };

    QStringList correlationKeys; // top-level metadata keys, tried in order
    QStringList causationKeys;
    CausationTarget causationTarget = CausationTarget::EventId;
    QStringList idKeys; // top-level metadata keys repeating the event's own id: where an event is looked up by id

    bool isEmpty() const { return correlationKeys.isEmpty() && causationKeys.isEmpty() && idKeys.isEmpty(); }
};

} // namespace es
