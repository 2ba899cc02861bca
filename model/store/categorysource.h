#pragma once

#include "store/eventstore.h"

#include <optional>

namespace es {

// Categories within about a second (CategorySource::estimateCategories): `estimated` says whether they were scaled up
// from a sample (then a small category may be missing) or counted.
struct CategoryEstimate {
    CategoryList categories;
    bool estimated = false;
};

// What an engine adds to EventStore::categories() for the stream tree's estimate-first counts and the summary cache
// (issue 18): a capability, asked for with dynamic_cast, so stores without it (and stores wrapping others) simply
// count with categories().
class CategorySource {
public:
    virtual ~CategorySource() = default;
    // categories() estimated from the key sample of EventStore::estimateHistogram: a category's events are its sampled
    // events scaled up, its streams its sampled events at the layout's first version (every stream has one) scaled up;
    // counted (estimated false) where the log is small.
    virtual CategoryEstimate estimateCategories() = 0;
    // Per category, the events at positions [fromKey, toKey] and the streams starting there (their event at the
    // layout's first version is there), counted as categories() counts: categories() up to fromKey - 1 plus these is
    // categories() up to toKey. nullopt where categories() counts elsewhere (a streams table) and ranges do not add up.
    virtual std::optional<CategoryList> categoriesBetween(qint64 fromKey, qint64 toKey) = 0;
};

} // namespace es
