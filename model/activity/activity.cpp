#include "activity/activity.h"

#include "activity/activitycache.h"
#include "cache/scopecounts.h"
#include "cache/storesummaries.h"

#include <algorithm>

namespace es {

qint64 ActivityResult::bucketEnd(int index) const
{
    return histogram::bucketEnd(starts.at(size_t(index)), histogram.bucketSeconds);
}

namespace activity {

namespace {

std::optional<Event> edgeEvent(EventStore& store, const EventFilter& filter, bool backward)
{
    EventQuery q;
    q.filter = filter;
    q.backward = backward;
    q.limit = 1;
    EventPage page = store.events(q);
    if (page.events.empty())
        return std::nullopt;
    Event e = std::move(page.events.front());
    e.data = {};
    e.metadata = {};
    return e;
}

qint64 bucketCount(qint64 from, qint64 to, qint64 bucketSeconds)
{
    if (bucketSeconds > 0)
        return (to - from + bucketSeconds - 1) / bucketSeconds;
    const QDate a = histogram::toUtc(from).date();
    const QDate b = histogram::toUtc(to).date();
    return (b.year() - a.year()) * 12 + b.month() - a.month() + 1;
}

// Thrown inside compute() for a cache-only request the cache cannot answer; computeFromCache() turns it into nullopt
// (a type of its own, so no store failure is ever mistaken for it).
struct NotCached { };

// Below this many positions a count is one statement: it takes well under a second.
constexpr qint64 countedInPartsFrom = 65536;
constexpr int countParts = 8;

Histogram count(
    EventStore& store, const ActivityRequest& request, qint64 bucketSeconds, JobControl* control, bool* cached)
{
    HistogramQuery q;
    q.filter = request.filter;
    q.from = request.from;
    q.to = request.to;
    q.bucketSeconds = bucketSeconds;
    q.groupBy = request.groupBy;
    q.topN = request.topN;
    if (request.estimate)
        return store.estimateHistogram(q);
    if (request.useCache && cacheable(q)) {
        if (auto summaries = StoreSummaries::open(store)) {
            if (auto h = cachedHistogram(store, *summaries, q, control, request.cacheOnly)) {
                *cached = true;
                return std::move(*h);
            }
        }
    }
    if (request.cacheOnly)
        throw NotCached {};
    // Streams as groups are cut to the top N by the database: parts cannot be added up without all of them.
    if (!control || request.filter.isStream() || request.groupBy == HistogramQuery::GroupBy::Stream
        || !store.countsInPartsCheaply())
        return store.histogram(q);
    // Types and categories are few: each part returns all of them, and the top N is cut once over the sum.
    return Histogram::fromRows(countRows(store, q, -1, -1, control), bucketSeconds, request.topN);
}

} // namespace

std::vector<HistogramRow> countRows(
    EventStore& store, HistogramQuery q, qint64 fromKey, qint64 toKey, JobControl* control)
{
    q.topN = 1 << 20;
    std::vector<HistogramRow> rows;
    const auto add = [&rows](const Histogram& part) {
        for (size_t b = 0; b < part.buckets.size(); ++b) {
            for (qsizetype g = 0; g < part.groups.size(); ++g) {
                if (const qint64 n = part.counts[b][size_t(g)])
                    rows.push_back(
                        { part.buckets[b], part.groups.at(g), n, part.hasOther && g + 1 == part.groups.size() });
            }
        }
    };
    qint64 first = fromKey;
    qint64 last = toKey;
    if (control && store.countsInPartsCheaply() && !q.filter.isStream() && (first < 0 || last < 0)) {
        const StoreInfo info = store.info(false);
        first = first < 0 ? info.firstPosition : first;
        last = last < 0 ? info.headPosition : last;
    }
    const qint64 span = last - first + 1;
    if (!control || !store.countsInPartsCheaply() || q.filter.isStream() || first < 0 || span < countedInPartsFrom) {
        q.fromKey = fromKey;
        q.toKey = toKey;
        add(store.histogram(q));
        return rows;
    }
    for (int i = 0; i < countParts; ++i) {
        control->throwIfCancelled();
        q.fromKey = i == 0 ? fromKey : first + span * i / countParts;
        // With an open end the last part has none: events appended since info() are counted as one statement would.
        q.toKey = i + 1 == countParts ? toKey : first + span * (i + 1) / countParts - 1;
        add(store.histogram(q));
        control->progress(i + 1, countParts, QStringLiteral("Counting activity"));
    }
    return rows;
}

bool scopeSpan(EventStore& store, const EventFilter& filter, QDateTime* first, QDateTime* last)
{
    const auto a = edgeEvent(store, filter, false);
    const auto b = edgeEvent(store, filter, true);
    if (!a || !b || !a->time.isValid() || !b->time.isValid())
        return false;
    *first = std::min(a->time, b->time);
    *last = std::max(a->time, b->time);
    return true;
}

ActivityResult spread(const Histogram& h, qint64 from, qint64 to)
{
    ActivityResult r;
    r.histogram = h;
    const qint64 size = h.bucketSeconds;
    qint64 start = histogram::bucketStart(from, size);
    qint64 end = to > from ? histogram::bucketEnd(histogram::bucketStart(to - 1, size), size) : start;
    if (!h.buckets.empty()) {
        start = std::min(start, h.buckets.front());
        end = std::max(end, histogram::bucketEnd(h.buckets.back(), size));
    }
    r.from = start;
    r.to = end;
    const auto groups = size_t(h.groups.size());
    size_t next = 0;
    for (qint64 s = start; s < end; s = histogram::bucketEnd(s, size)) {
        r.starts.push_back(s);
        if (next < h.buckets.size() && h.buckets[next] == s)
            r.counts.push_back(h.counts[next++]);
        else
            r.counts.emplace_back(groups, 0);
    }
    Q_ASSERT(next == h.buckets.size());
    return r;
}

std::optional<ActivityResult> computeFromCache(EventStore& store, ActivityRequest request)
{
    request.useCache = true;
    request.estimate = false;
    request.cacheOnly = true;
    try {
        return compute(store, request);
    } catch (const NotCached&) {
        return std::nullopt;
    }
}

ActivityResult compute(EventStore& store, const ActivityRequest& request, JobControl* control)
{
    if (request.bucketSeconds >= 0) {
        bool cached = false;
        const Histogram h = count(store, request, request.bucketSeconds, control, &cached);
        const qint64 a = request.from.isValid() ? request.from.toSecsSinceEpoch()
            : h.buckets.empty()                 ? 0
                                                : h.buckets.front();
        const qint64 b = request.to.isValid() ? request.to.toSecsSinceEpoch() : a;
        ActivityResult r = spread(h, a, b);
        r.cached = cached;
        return r;
    }
    QDateTime from = request.from;
    QDateTime to = request.to;
    if (!from.isValid() || !to.isValid()) {
        QDateTime first;
        QDateTime last;
        if (!scopeSpan(store, request.filter, &first, &last)) {
            ActivityResult empty;
            empty.histogram.bucketSeconds = histogram::chooseBucketSeconds(3600, request.maxBuckets);
            return empty;
        }
        if (!from.isValid())
            from = first;
        if (!to.isValid())
            to = last.addSecs(1);
    }
    const qint64 a = from.toSecsSinceEpoch();
    const qint64 b = std::max(a + 1, to.toSecsSinceEpoch());
    qint64 size = histogram::chooseBucketSeconds(b - a, request.maxBuckets);
    bool cached = false;
    Histogram h = count(store, request, size, control, &cached);
    // Times out of key order can put events far outside the span the edges suggested: widen the bucket once.
    if (!h.buckets.empty()) {
        const qint64 lo = std::min(a, h.buckets.front());
        const qint64 hi = std::max(b, histogram::bucketEnd(h.buckets.back(), size));
        if (bucketCount(lo, hi, size) > 2 * qint64(request.maxBuckets)) {
            size = histogram::chooseBucketSeconds(hi - lo, request.maxBuckets);
            h = count(store, request, size, control, &cached);
        }
    }
    ActivityResult r = spread(h, a, b);
    r.cached = cached;
    return r;
}

ScopeSummary summarize(EventStore& store, const EventFilter& scope, bool useCache)
{
    ScopeSummary s;
    s.scope = scope;
    s.count = useCache ? counts::scopeStats(store, scope).count : store.scopeStats(scope).count;
    if (s.count == 0)
        return s;
    if (auto e = edgeEvent(store, scope, false))
        s.first = std::move(*e);
    if (auto e = edgeEvent(store, scope, true))
        s.last = std::move(*e);
    if (scope.isStream()) {
        if (const auto info = store.stream(scope.stream)) {
            s.firstVersion = info->firstVersion;
            s.lastVersion = info->version;
        }
        if (s.firstVersion < 0)
            s.firstVersion = s.first.version;
        if (s.lastVersion < 0)
            s.lastVersion = s.last.version;
    } else if (!scope.category.isEmpty()) {
        for (const CategoryInfo& c : store.categories()) {
            if (c.name == scope.category)
                s.streams = c.streams;
        }
    }
    try {
        // One scan gives both the counts per type and the rate: bars of the span, stacked by every type.
        ActivityRequest request;
        request.filter = scope;
        request.groupBy = HistogramQuery::GroupBy::Type;
        request.topN = 1000;
        request.maxBuckets = 60;
        request.useCache = useCache;
        s.rate = compute(store, request);
        const Histogram& types = s.rate.histogram;
        for (int g = 0; g < types.groups.size(); ++g) {
            qint64 n = 0;
            for (const auto& bucket : types.counts)
                n += bucket[size_t(g)];
            s.typeCounts.emplace_back(types.groups[g], n);
        }
        if (types.total < s.count)
            s.note = QStringLiteral("%1 events without a readable time are not in the counts per type.")
                         .arg(s.count - types.total);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Cancelled || e.kind() == StoreError::Kind::Disconnected)
            throw;
        s.note = e.message();
    }
    return s;
}

int stackedGroupAt(const std::vector<qint64>& stack, double value)
{
    if (value < 0)
        return -1;
    double top = 0;
    for (size_t g = 0; g < stack.size(); ++g) {
        top += double(stack[g]);
        if (stack[g] > 0 && value < top)
            return int(g);
    }
    return -1;
}

} // namespace activity

} // namespace es
