#pragma once

#include "store/eventstore.h"

namespace es::counts {

// Whether a scope's count can be kept in the summary cache: the log, a category or types (no stream, payload, time or
// key condition; one stream is counted through its index at once anyway).
bool cacheable(const EventFilter& filter);

// The scope's exact count and key range through the summary cache where it allows: counted once up to the settled
// head, then extended by counting only the keys appended since. Otherwise, or when the cache cannot be used,
// store.scopeStats(filter). *cached tells which.
ScopeStats scopeStats(EventStore& store, const EventFilter& filter, bool* cached = nullptr);

// store.info(true) with its counts from the cache where it holds them: the event count as scopeStats() keeps it, the
// stream count when the cache has it at the same head (a new stream cannot be told from a known one by counting the
// appended events alone, so a moved head counts them again). Without useCache, store.info(true).
StoreInfo storeInfo(EventStore& store, bool useCache, bool* cached = nullptr);

} // namespace es::counts
