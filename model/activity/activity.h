#pragma once

#include <optional>

#include "activity/histogram.h"
#include "store/eventstore.h"
#include "store/job.h"

#include <QDateTime>
#include <QMetaType>

#include <utility>
#include <vector>

namespace es {

// What the Activity chart asks for: a scope, a visible range and how to stack the bars.
struct ActivityRequest {
    EventFilter filter;
    QDateTime from; // inclusive; invalid = from the scope's first event
    QDateTime to; // exclusive; invalid = to just after the scope's last event
    HistogramQuery::GroupBy groupBy = HistogramQuery::GroupBy::Type;
    int topN = 8;
    int maxBuckets = 120;
    qint64 bucketSeconds = -1; // a fixed bucket (HistogramQuery's units); -1 = the one fitting maxBuckets in the range
    bool estimate = false; // EventStore::estimateHistogram: within a second, scaled up from a sample
    // Exact counts through the local summary cache (model/cache) where the request allows it
    // (activity/activitycache.h).
    bool useCache = false;
    // Set by computeFromCache() only: answer from the summary cache (a short range of appended events counted) or
    // not at all.
    bool cacheOnly = false;
};

// The counted range, ready to draw: one entry per bucket of the range, empty buckets included.
struct ActivityResult {
    Histogram histogram; // non-empty buckets only, as the store returns them
    qint64 from = 0; // epoch seconds, start of the first bucket
    qint64 to = 0; // epoch seconds, end of the last bucket
    std::vector<qint64> starts; // every bucket start in [from, to)
    std::vector<std::vector<qint64>> counts; // [bucket in starts][group], zeros where the store had nothing
    bool empty() const { return histogram.total == 0; }
    bool estimated() const { return histogram.estimated; }
    bool cached = false; // answered from the summary cache (plus the events appended since, counted)
    qint64 bucketEnd(int index) const;
};

// Summary of a stream, a category or the whole log, every count made by the database.
struct ScopeSummary {
    EventFilter scope;
    qint64 count = 0;
    Event first; // without payloads
    Event last;
    qint64 firstVersion = -1; // one stream only
    qint64 lastVersion = -1;
    qint64 streams = -1; // one category only
    std::vector<std::pair<QString, qint64>> typeCounts; // most frequent first
    ActivityResult rate; // events per bucket over the scope's whole span
    QString note; // what could not be counted, e.g. a layout without times
};

namespace activity {
// The scope's first and last event times; false when the scope is empty or keeps no times.
bool scopeSpan(EventStore& store, const EventFilter& filter, QDateTime* first, QDateTime* last);
// Chooses the bucket for the visible range and counts it. Runs on a worker thread. With a control, an exact count of
// a large SQLite log or category goes in parts over the positions, reporting progress and stopping on cancel between
// them.
ActivityResult compute(EventStore& store, const ActivityRequest& request, JobControl* control = nullptr);
// The exact answer when the summary cache holds it (how the Activity view's first answer skips the estimate);
// nullopt when it does not. Store failures still throw.
std::optional<ActivityResult> computeFromCache(EventStore& store, ActivityRequest request);
// Every row (all groups, no top N) of q over the keys [fromKey, toKey] (-1: open). With a control, on an engine that
// counts ranges cheaply, a large span goes in parts with progress and stops on cancel between them.
std::vector<HistogramRow> countRows(
    EventStore& store, HistogramQuery q, qint64 fromKey, qint64 toKey, JobControl* control = nullptr);
// Lays a histogram over every bucket of [from, to).
ActivityResult spread(const Histogram& histogram, qint64 from, qint64 to);
// With useCache, the count and the counts per type come through the summary cache where the scope allows it.
ScopeSummary summarize(EventStore& store, const EventFilter& scope, bool useCache = false);
// The group a point at `value` (in counts) falls on when bucket `index` is drawn as a stack; -1 when above it.
int stackedGroupAt(const std::vector<qint64>& stack, double value);
} // namespace activity

} // namespace es

Q_DECLARE_METATYPE(es::ActivityResult)
Q_DECLARE_METATYPE(es::ScopeSummary)
