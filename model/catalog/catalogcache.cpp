#include "catalog/catalogcache.h"

#include "cache/storesummaries.h"
#include "store/eventstore.h"
#include "store/job.h"

#include <QDataStream>
#include <QIODevice>

#include <algorithm>

namespace es {

namespace {

constexpr quint32 formatVersion = 1;

// Catalogs are kept per scope and per kind of fields: an entry is only replaced by one at a higher head, so one with
// exact fields must not wait for the head to move to replace a sampled one.
QString entryKey(const EventFilter& scope, bool exactFields)
{
    return QStringLiteral("catalog/1|f=%1|c=%2")
        .arg(exactFields ? QStringLiteral("exact") : QStringLiteral("sample"), scope.category);
}

void write(QDataStream& s, const std::optional<double>& v)
{
    s << bool(v) << (v ? *v : 0.0);
}

void read(QDataStream& s, std::optional<double>& v)
{
    bool has = false;
    double value = 0;
    s >> has >> value;
    v = has ? std::optional<double>(value) : std::nullopt;
}

template <class T, class F> void writeAll(QDataStream& s, const std::vector<T>& items, F each)
{
    s << quint32(items.size());
    for (const T& item : items)
        each(item);
}

template <class T, class F> bool readAll(QDataStream& s, std::vector<T>& items, F each)
{
    quint32 n = 0;
    s >> n;
    if (s.status() != QDataStream::Ok || n > 10000000)
        return false;
    items.resize(n);
    for (T& item : items)
        each(item);
    return s.status() == QDataStream::Ok;
}

void writeField(QDataStream& s, const FieldStats& f)
{
    s << f.root << f.keys << f.path << f.count << quint32(f.types.size());
    for (const auto& [name, t] : f.types)
        s << name << t.count << t.firstPosition << t.lastPosition;
    write(s, f.minNumber);
    write(s, f.maxNumber);
    s << f.minLength << f.maxLength << f.distinctEstimate;
    writeAll(s, f.topValues, [&](const ValueCount& v) { s << v.value << v.count; });
}

void readField(QDataStream& s, FieldStats& f)
{
    quint32 types = 0;
    s >> f.root >> f.keys >> f.path >> f.count >> types;
    for (quint32 i = 0; i < types && s.status() == QDataStream::Ok; ++i) {
        QString name;
        JsonTypeStats t;
        s >> name >> t.count >> t.firstPosition >> t.lastPosition;
        f.types[name] = t;
    }
    read(s, f.minNumber);
    read(s, f.maxNumber);
    s >> f.minLength >> f.maxLength >> f.distinctEstimate;
    readAll(s, f.topValues, [&](ValueCount& v) { s >> v.value >> v.count; });
}

void writeType(QDataStream& s, const TypeSummary& t)
{
    s << t.type << t.count << t.countEstimated << t.countMargin << t.streams << t.streamsExact << t.firstPosition
      << t.lastPosition << t.firstTime << t.lastTime << t.sampled << t.sampledEvents;
    writeAll(s, t.fields, [&](const FieldStats& f) { writeField(s, f); });
    writeAll(s, t.shapes, [&](const ShapeStats& h) { s << h.fields << h.count << h.firstPosition << h.lastPosition; });
    writeAll(s, t.payloads,
        [&](const PayloadKindStats& k) { s << k.kind << k.encoding << k.count << k.firstPosition << k.lastPosition; });
    writeAll(s, t.rate, [&](qint64 n) { s << n; });
}

void readType(QDataStream& s, TypeSummary& t)
{
    s >> t.type >> t.count >> t.countEstimated >> t.countMargin >> t.streams >> t.streamsExact >> t.firstPosition
        >> t.lastPosition >> t.firstTime >> t.lastTime >> t.sampled >> t.sampledEvents;
    readAll(s, t.fields, [&](FieldStats& f) { readField(s, f); });
    readAll(s, t.shapes, [&](ShapeStats& h) { s >> h.fields >> h.count >> h.firstPosition >> h.lastPosition; });
    readAll(s, t.payloads,
        [&](PayloadKindStats& k) { s >> k.kind >> k.encoding >> k.count >> k.firstPosition >> k.lastPosition; });
    readAll(s, t.rate, [&](qint64& n) { s >> n; });
}

void widen(qint64& first, qint64& last, qint64 from, qint64 to)
{
    if (from >= 0 && (first < 0 || from < first))
        first = from;
    if (to >= 0 && to > last)
        last = to;
}

void mergeField(FieldStats& into, const FieldStats& more)
{
    into.count += more.count;
    for (const auto& [name, t] : more.types) {
        JsonTypeStats& j = into.types[name];
        j.count += t.count;
        widen(j.firstPosition, j.lastPosition, t.firstPosition, t.lastPosition);
    }
    if (more.minNumber && (!into.minNumber || *more.minNumber < *into.minNumber))
        into.minNumber = more.minNumber;
    if (more.maxNumber && (!into.maxNumber || *more.maxNumber > *into.maxNumber))
        into.maxNumber = more.maxNumber;
    if (more.minLength >= 0 && (into.minLength < 0 || more.minLength < into.minLength))
        into.minLength = more.minLength;
    into.maxLength = std::max(into.maxLength, more.maxLength);
    if (into.topValues.empty())
        into.topValues = more.topValues;
    into.distinctEstimate = std::max(into.distinctEstimate, more.distinctEstimate);
}

void mergeType(TypeSummary& into, const TypeSummary& more)
{
    into.count += more.count;
    into.countEstimated = into.countEstimated || more.countEstimated;
    into.streams = std::max<qint64>(0, into.streams) + std::max<qint64>(0, more.streams);
    into.streamsExact = false;
    widen(into.firstPosition, into.lastPosition, more.firstPosition, more.lastPosition);
    if (more.firstTime.isValid() && (!into.firstTime.isValid() || more.firstTime < into.firstTime))
        into.firstTime = more.firstTime;
    if (more.lastTime.isValid() && (!into.lastTime.isValid() || more.lastTime > into.lastTime))
        into.lastTime = more.lastTime;
    into.sampled = into.sampled || more.sampled;
    into.sampledEvents += more.sampledEvents;
    for (const FieldStats& f : more.fields) {
        const auto it = std::find_if(into.fields.begin(), into.fields.end(),
            [&](const FieldStats& g) { return g.root == f.root && g.keys == f.keys; });
        if (it == into.fields.end())
            into.fields.push_back(f);
        else
            mergeField(*it, f);
    }
    std::sort(into.fields.begin(), into.fields.end(),
        [](const FieldStats& a, const FieldStats& b) { return a.path < b.path; });
    for (const ShapeStats& h : more.shapes) {
        const auto it = std::find_if(
            into.shapes.begin(), into.shapes.end(), [&](const ShapeStats& g) { return g.fields == h.fields; });
        if (it == into.shapes.end()) {
            into.shapes.push_back(h);
        } else {
            it->count += h.count;
            widen(it->firstPosition, it->lastPosition, h.firstPosition, h.lastPosition);
        }
    }
    std::sort(into.shapes.begin(), into.shapes.end(), [](const ShapeStats& a, const ShapeStats& b) {
        return a.firstPosition != b.firstPosition ? a.firstPosition < b.firstPosition : a.fields < b.fields;
    });
    for (const PayloadKindStats& k : more.payloads) {
        const auto it = std::find_if(into.payloads.begin(), into.payloads.end(),
            [&](const PayloadKindStats& g) { return g.kind == k.kind && g.encoding == k.encoding; });
        if (it == into.payloads.end()) {
            into.payloads.push_back(k);
        } else {
            it->count += k.count;
            widen(it->firstPosition, it->lastPosition, k.firstPosition, k.lastPosition);
        }
    }
    std::sort(into.payloads.begin(), into.payloads.end(), [](const PayloadKindStats& a, const PayloadKindStats& b) {
        return a.count != b.count ? a.count > b.count : a.kind < b.kind;
    });
}

// Each type's rate over the appended events, counted in the cached catalog's buckets (extended to the new end).
void extendRates(EventStore& store, TypeCatalog& catalog, qint64 fromKey, qint64 toKey)
{
    if (catalog.rateBucketSeconds <= 0 || !catalog.lastTime.isValid() || catalog.rateBuckets.empty())
        return;
    qint64 b = histogram::bucketEnd(catalog.rateBuckets.back(), catalog.rateBucketSeconds);
    while (b <= catalog.lastTime.toSecsSinceEpoch() && catalog.rateBuckets.size() < 10000) {
        catalog.rateBuckets.push_back(b);
        b = histogram::bucketEnd(b, catalog.rateBucketSeconds);
    }
    for (TypeSummary& t : catalog.types)
        t.rate.resize(catalog.rateBuckets.size(), 0);
    HistogramQuery q;
    q.filter = catalog.scope;
    q.groupBy = HistogramQuery::GroupBy::Type;
    q.topN = 100000;
    q.bucketSeconds = catalog.rateBucketSeconds;
    q.fromKey = fromKey;
    q.toKey = toKey;
    Histogram h;
    try {
        h = toKey - fromKey < 65536 ? store.histogram(q) : store.estimateHistogram(q);
    } catch (const StoreError& e) {
        if (e.kind() == StoreError::Kind::Cancelled)
            throw;
        return; // no histograms: the rates stay as they were
    }
    catalog.rateEstimated = catalog.rateEstimated || h.estimated;
    for (int g = 0; g < h.groups.size(); ++g) {
        const auto type = std::find_if(
            catalog.types.begin(), catalog.types.end(), [&](const TypeSummary& t) { return t.type == h.groups.at(g); });
        if (type == catalog.types.end())
            continue;
        for (size_t i = 0; i < h.buckets.size(); ++i) {
            const auto at = std::lower_bound(catalog.rateBuckets.begin(), catalog.rateBuckets.end(), h.buckets[i]);
            if (at != catalog.rateBuckets.end() && *at == h.buckets[i])
                type->rate[size_t(at - catalog.rateBuckets.begin())] += h.counts[i][size_t(g)];
        }
    }
}

void countStreams(EventStore& store, TypeCatalog& catalog, const CatalogOptions& options, JobControl* control,
    const CatalogProgress& tell)
{
    CatalogRequest request;
    request.part = CatalogPart::TypeStreams;
    request.filter = catalog.scope;
    request.filter.maxKey = catalog.lastPosition;
    request.partitions = std::max(1, options.streamPartitions);
    std::map<QString, qint64> streams;
    for (int k = 0; k < request.partitions; ++k) {
        request.partition = k;
        for (const CatalogRow& row : store.catalogRows(request)) {
            if (row.size() > 1 && row[0] && row[1])
                streams[*row[0]] += row[1]->toLongLong();
        }
        if (control)
            control->throwIfCancelled();
        if (tell)
            tell(k + 1, request.partitions, QStringLiteral("Counting streams"));
    }
    for (TypeSummary& t : catalog.types) {
        t.streams = streams[t.type];
        t.streamsExact = true;
    }
    catalog.streamsExact = true;
}

bool keepable(const TypeCatalog& catalog)
{
    return catalog.countsExact && catalog.streamsExact;
}

} // namespace

namespace catalogcache {

bool cacheable(const EventFilter& f)
{
    return f.stream.isEmpty() && f.types.isEmpty() && f.text.isEmpty() && f.conditions.empty() && !f.fromTime.isValid()
        && !f.toTime.isValid() && f.maxKey < 0 && f.minKey < 0;
}

QByteArray encode(const TypeCatalog& c)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << formatVersion << c.firstPosition << c.lastPosition << c.countsExact << c.countsEstimated
      << c.countsFromStatistics << c.streamsExact << c.firstTime << c.lastTime << c.rateBucketSeconds << c.rateEstimated
      << c.fieldsExact << c.valuesExact << c.sampleEvents;
    writeAll(s, c.rateBuckets, [&](qint64 b) { s << b; });
    writeAll(s, c.sample, [&](const PositionRange& r) { s << r.from << r.to; });
    writeAll(s, c.types, [&](const TypeSummary& t) { writeType(s, t); });
    return out;
}

std::optional<TypeCatalog> decode(const QByteArray& value)
{
    QDataStream s(value);
    quint32 version = 0;
    s >> version;
    if (version != formatVersion)
        return std::nullopt;
    TypeCatalog c;
    s >> c.firstPosition >> c.lastPosition >> c.countsExact >> c.countsEstimated >> c.countsFromStatistics
        >> c.streamsExact >> c.firstTime >> c.lastTime >> c.rateBucketSeconds >> c.rateEstimated >> c.fieldsExact
        >> c.valuesExact >> c.sampleEvents;
    if (!readAll(s, c.rateBuckets, [&](qint64& b) { s >> b; })
        || !readAll(s, c.sample, [&](PositionRange& r) { s >> r.from >> r.to; })
        || !readAll(s, c.types, [&](TypeSummary& t) { readType(s, t); }) || s.status() != QDataStream::Ok)
        return std::nullopt;
    for (TypeSummary& t : c.types)
        t.drift = computeDrift(t, c.firstPosition, c.lastPosition);
    return c;
}

TypeCatalog merge(const TypeCatalog& base, const TypeCatalog& appended)
{
    TypeCatalog out = base;
    if (appended.firstPosition < 0)
        return out;
    if (out.firstPosition < 0)
        return appended;
    out.lastPosition = std::max(out.lastPosition, appended.lastPosition);
    if (appended.lastTime.isValid() && (!out.lastTime.isValid() || appended.lastTime > out.lastTime))
        out.lastTime = appended.lastTime;
    out.countsExact = base.countsExact && appended.countsExact;
    out.fieldsExact = base.fieldsExact && appended.fieldsExact;
    out.valuesExact = false;
    out.streamsExact = false;
    out.sampleEvents += appended.sampleEvents;
    for (const TypeSummary& t : appended.types) {
        const auto it = std::lower_bound(out.types.begin(), out.types.end(), t.type,
            [](const TypeSummary& a, const QString& name) { return a.type < name; });
        if (it != out.types.end() && it->type == t.type) {
            mergeType(*it, t);
        } else {
            TypeSummary added = t;
            added.rate.clear();
            out.types.insert(it, added);
        }
    }
    for (TypeSummary& t : out.types) {
        t.rate.resize(out.rateBuckets.size(), 0);
        t.drift = computeDrift(t, out.firstPosition, out.lastPosition);
    }
    return out;
}

bool keep(EventStore& store, const TypeCatalog& catalog)
{
    if (!cacheable(catalog.scope) || !keepable(catalog))
        return false;
    const std::unique_ptr<StoreSummaries> summaries = StoreSummaries::open(store);
    if (!summaries || store.info(false).headPosition != summaries->head() || catalog.lastPosition > summaries->head())
        return false;
    return summaries->put(entryKey(catalog.scope, catalog.fieldsExact), encode(catalog));
}

} // namespace catalogcache

TypeCatalog scanCatalogCached(EventStore& store, const CatalogOptions& options, JobControl* control,
    const std::function<void(const TypeCatalog&)>& partial, const CatalogProgress& progress, CatalogCacheUse* use)
{
    CatalogCacheUse none;
    CatalogCacheUse& how = use ? *use : none;
    how = {};
    std::unique_ptr<StoreSummaries> summaries;
    if (catalogcache::cacheable(options.scope) && (options.exactCounts || options.exact)) {
        summaries = StoreSummaries::open(store);
        // Events past the settled head (PostgreSQL transactions still open below it) cannot be kept yet.
        if (summaries && store.info(false).headPosition != summaries->head())
            summaries.reset();
    }
    if (!summaries)
        return scanCatalog(store, options, control, partial, progress);
    how.used = true;
    how.head = summaries->head();
    std::optional<TypeCatalog> cached;
    qint64 cachedHead = -1;
    for (const bool exactFields : { true, false }) {
        if (!exactFields && options.exact)
            break;
        if (const std::optional<CacheEntry> entry = summaries->get(entryKey(options.scope, exactFields))) {
            if (std::optional<TypeCatalog> c = catalogcache::decode(entry->value); c && entry->head <= how.head) {
                cached = std::move(c);
                cachedHead = entry->head;
                break;
            }
        }
    }
    auto keep = [&](const TypeCatalog& c) {
        if (keepable(c))
            summaries->put(entryKey(options.scope, c.fieldsExact), catalogcache::encode(c));
    };
    auto report = [&](const TypeCatalog& c) {
        if (partial)
            partial(c);
    };
    if (!cached) {
        TypeCatalog c = scanCatalog(store, options, control, partial, progress);
        // Kept when it covers exactly the events up to the settled head: nothing was appended while it read.
        if (c.lastPosition <= how.head && store.info(false).headPosition == how.head)
            keep(c);
        return c;
    }
    cached->scope = options.scope;
    how.cachedHead = cachedHead;
    if (cachedHead == how.head) {
        how.hit = true;
        report(*cached);
        return *cached;
    }
    // The head moved: read only the events appended since, exactly, then count the streams again.
    how.extended = true;
    CatalogOptions appendedOptions = options;
    appendedOptions.scope.minKey = cachedHead + 1;
    appendedOptions.scope.maxKey = how.head;
    appendedOptions.exact = cached->fieldsExact;
    appendedOptions.exactCounts = true;
    const TypeCatalog appended = scanCatalog(store, appendedOptions, control, {}, progress);
    if (appended.firstPosition < 0) {
        // Nothing of the scope among the appended events: the catalog holds as it is, now up to the new head.
        summaries->put(entryKey(options.scope, cached->fieldsExact), catalogcache::encode(*cached));
        report(*cached);
        return *cached;
    }
    TypeCatalog merged = catalogcache::merge(*cached, appended);
    merged.scope = options.scope;
    extendRates(store, merged, appended.firstPosition, appended.lastPosition);
    report(merged);
    countStreams(store, merged, options, control, progress);
    report(merged);
    keep(merged);
    return merged;
}

} // namespace es
