#pragma once

#include "activity/histogram.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace es {

class EventStore;
class JobControl;
class StoreSummaries;

namespace activity {

// Whether q can be answered from the summary cache: a whole scope (the log, a category, types; no stream, payload or
// key condition), grouped by nothing, type or category, its time bounds (if any) on edges of its buckets.
bool cacheable(const HistogramQuery& q);

// The exact histogram of q through the cache. The cache keeps, per scope and grouping, the counts of every group in
// base buckets counted over the whole scope up to the settled head: the finest nice size dividing q's bucket that
// gives at most baseBucketLimit buckets over the log's span, so zooms in to that size are answered from the same
// entry. A scope never counted at a dividing size is counted once (in parts with a control); events appended since an
// entry's head are counted and merged. Throws StoreError as the store does.
// With onlyCovered, answers only from an entry that needs at most a short range of appended events counted (fewer
// than shortExtension positions) and returns nullopt otherwise, having counted nothing.
std::optional<Histogram> cachedHistogram(EventStore& store, StoreSummaries& summaries, const HistogramQuery& q,
    JobControl* control, bool onlyCovered = false);

constexpr qint64 shortExtension = 65536;

constexpr qint64 baseBucketLimit = 5000;

// The base bucket for q's bucket over a log spanning spanSeconds.
qint64 baseBucketFor(qint64 bucketSeconds, qint64 spanSeconds);

// The entry's value: every (base bucket, group, count), compressed.
QByteArray encodeRows(const std::vector<HistogramRow>& rows);
std::vector<HistogramRow> decodeRows(const QByteArray& value, bool* ok = nullptr);
// Sums rows of the same bucket and group.
std::vector<HistogramRow> mergeRows(std::vector<HistogramRow> rows);

} // namespace activity

} // namespace es
