#pragma once

#include "flow/flow.h"
#include "store/eventstore.h"

namespace es {

class JobControl;

struct FlowRequest {
    qint64 position = -1; // start from the event at this global position
    QString correlationId; // or from this correlation id
    int limit = 500; // at most this many events; more marks the flow truncated
    // Lookups no index serves read the positions start ± window (and only those). 0: the whole log. A flow opened
    // from a correlation id alone has no start: its unindexed lookups read the whole log, which flowPlan() says
    // beforehand.
    qint64 window = 250000;
};

// What findFlow will read, known before it runs: which lookups an index serves, and whether any unindexed one has to
// read the whole log. Asks the store's planner (cached by the store).
struct FlowPlan {
    bool correlationIndexed = false;
    bool causeIndexed = false;
    bool effectIndexed = false;
    bool wholeLog = false;
};
FlowPlan flowPlan(EventStore& store, const FlowRequest& request);

// Finds one flow: the events sharing the start's correlation id, and causation chains in both directions from every
// one of them, transitively, until nothing new is found or the limit is reached. Causes the store does not hold
// become placeholder nodes. Runs on a job's thread; `control` (optional) gets progress and stops it between
// statements. Throws StoreError (a start position with no event: Generic).
Flow findFlow(EventStore& store, const FlowRequest& request, JobControl* control = nullptr);

// The causation reference that names this event, as the layout's causation values do (its id, or its position).
QString causationRef(const Event& event, const EventLinks& links);

} // namespace es
