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
    // When the budget runs out before the flow looks finished, the flow found so far (exact for the window read) is
    // sent as the first answer (JobControl::publish, the Flow as the report's detail, FlowScan::partial set) and the
    // reading goes on until the flow looks finished or followMs have passed since the start; 0: stop at the budget.
    int followMs = 0;
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
// become placeholder nodes. Lookups no index serves read the growing window described at FlowRequest: the chunks that
// widen it carry the correlation ids only (cheap to look for; on SQLite the raw text is searched before any JSON is
// parsed), and the other windowed values (causation references, ids) are read in catch-up passes over the part of
// the window they have not covered, so each is read once per window however late it was found; before the reading
// ends every windowed value has covered the whole window, so the answer is exact for it. Each statement is sized from
// the rate measured so far to take about 150 ms, and a chunk is only started while the time spent, the chunk, the
// catch-up pass it leaves owed and the indexed lookups that end the search fit in the budget. A side stops growing
// once no event of the flow lies within max(32768, 4 x the widest gap between its events) positions of its edge.
// Runs on a job's thread; `control` (optional) gets progress and stops it between statements. Throws StoreError (a
// start position with no event: Generic).
Flow findFlow(EventStore& store, const FlowRequest& request, JobControl* control = nullptr);

// The causation reference that names this event, as the layout's causation values do (its id, or its position).
QString causationRef(const Event& event, const EventLinks& links);

} // namespace es
