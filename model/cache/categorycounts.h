#pragma once

#include "store/eventstore.h"

namespace es {

class JobControl;

namespace counts {

// The stream tree's category counts (streams and events per category), and how they were had.
struct CategoryCounts {
    CategoryList categories;
    bool estimated = false; // scaled up from a sample (CategorySource::estimateCategories); the exact answer follows
    bool cached = false; // from the summary cache (extended over the events appended since, where the store can)
};

// The exact categories() through the summary cache: kept per store at the settled head, answered from there at once,
// extended over the positions appended since where the store adds them up (CategorySource::categoriesBetween), counted
// anew otherwise (and kept when nothing was appended while it counted). Without useCache, or when the cache cannot be
// used, store.categories(). Throws StoreError as the store does.
CategoryCounts categories(EventStore& store, bool useCache, JobControl* control = nullptr);

// Within about a second: the cache's exact answer when it holds one at the head or needs fewer than `shortExtension`
// appended positions counted, else the store's CategorySource::estimateCategories() (exact, estimated false, on a small
// log).
CategoryCounts quickCategories(EventStore& store, bool useCache);

} // namespace counts

} // namespace es
