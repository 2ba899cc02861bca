#pragma once

#include "flow/flow.h"
#include "store/eventstore.h"

namespace es {

class JobControl;

struct FlowRequest {
    qint64 position = -1; // start from the event at this global position
    QString correlationId; // or from this correlation id
    int limit = 500; // at most this many events; more marks the flow truncated
    // Lookups no index serves read outward from the start event (from the newest event when the flow is opened from
    // a correlation id alone) in growing chunks of positions: first start ± window (-1: the whole log; the user
    // widening it), then further while the time budget lasts and the flow does not look finished. FlowScan says which
    // positions were read and why the reading stopped. budgetMs 0: read start ± window and no further.
    qint64 window = 0;
    int budgetMs = 1500;
};

// What findFlow will read, known before it runs: which lookups an index serves, and whether any unindexed one has to
// read the whole log (window -1). Asks the store's planner (cached by the store).
struct FlowPlan {
    bool correlationIndexed = false;
    bool causeIndexed = false;
    bool effectIndexed = false;
    bool wholeLog = false;
    bool allIndexed() const { return correlationIndexed && causeIndexed && effectIndexed; }
};
FlowPlan flowPlan(EventStore& store, const FlowRequest& request);

// Finds one flow: the events sharing the start's correlation id, and causation chains in both directions from every
// one of them, transitively, until nothing new is found or the limit is reached. Causes the store does not hold
// become placeholder nodes. Lookups no index serves read the growing window described at FlowRequest: each chunk is
// sized from the rate measured so far to take about 150 ms, and a chunk is only started while the time spent, the
// chunk and one more pass over the part of the window that values found late still have to be looked up in fit in
// the budget (so the budget holds however the flow unfolds). A side stops growing once no event of the flow lies
// within max(32768, 4 x the widest gap between its events) positions of its edge. Runs on a job's thread; `control`
// (optional) gets progress and stops it between statements. Throws StoreError (a start position with no event:
// Generic).
Flow findFlow(EventStore& store, const FlowRequest& request, JobControl* control = nullptr);

// The causation reference that names this event, as the layout's causation values do (its id, or its position).
QString causationRef(const Event& event, const EventLinks& links);

} // namespace es
