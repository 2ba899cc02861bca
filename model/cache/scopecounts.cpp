#include "cache/scopecounts.h"

#include "cache/storesummaries.h"

#include <QDataStream>
#include <QIODevice>

namespace es::counts {

namespace {

constexpr quint32 formatVersion = 1;

QString scopeKey(const EventFilter& filter)
{
    return QStringLiteral("count/1|c=%1|t=%2").arg(filter.category, filter.types.join(QChar(0x1f)));
}

QByteArray encode(const std::vector<qint64>& values)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << formatVersion << quint32(values.size());
    for (const qint64 v : values)
        s << v;
    return out;
}

std::optional<std::vector<qint64>> decode(const QByteArray& value, size_t size)
{
    QDataStream s(value);
    quint32 version = 0;
    quint32 n = 0;
    s >> version >> n;
    if (version != formatVersion || n != size)
        return std::nullopt;
    std::vector<qint64> out(size);
    for (qint64& v : out)
        s >> v;
    if (s.status() != QDataStream::Ok)
        return std::nullopt;
    return out;
}

ScopeStats extend(EventStore& store, StoreSummaries& summaries, const EventFilter& filter)
{
    const QString key = scopeKey(filter);
    const std::optional<CacheEntry> entry = summaries.get(key);
    std::optional<std::vector<qint64>> known;
    if (entry)
        known = decode(entry->value, 3);
    ScopeStats stats;
    EventFilter range = filter;
    range.maxKey = summaries.head();
    if (known) {
        stats = { (*known)[0], (*known)[1], (*known)[2] };
        if (entry->head == summaries.head())
            return stats;
        range.minKey = entry->head + 1;
        const ScopeStats added = store.scopeStats(range);
        if (added.count > 0) {
            if (stats.count == 0)
                stats.firstKey = added.firstKey;
            stats.count += added.count;
            stats.lastKey = added.lastKey;
        }
    } else {
        stats = store.scopeStats(range);
    }
    summaries.put(key, encode({ stats.count, stats.firstKey, stats.lastKey }));
    return stats;
}

} // namespace

bool cacheable(const EventFilter& f)
{
    return f.stream.isEmpty() && f.text.isEmpty() && f.conditions.empty() && !f.fromTime.isValid()
        && !f.toTime.isValid() && f.maxKey < 0 && f.minKey < 0;
}

ScopeStats scopeStats(EventStore& store, const EventFilter& filter, bool* cached)
{
    if (cached)
        *cached = false;
    if (cacheable(filter)) {
        if (auto summaries = StoreSummaries::open(store)) {
            // Events past the settled head (PostgreSQL transactions still open below it) are not counted yet: then
            // the store counts.
            if (store.info(false).headPosition == summaries->head()) {
                if (cached)
                    *cached = true;
                return extend(store, *summaries, filter);
            }
        }
    }
    return store.scopeStats(filter);
}

StoreInfo storeInfo(EventStore& store, bool useCache, bool* cached)
{
    if (cached)
        *cached = false;
    if (!useCache)
        return store.info(true);
    StoreInfo info = store.info(false);
    auto summaries = StoreSummaries::open(store);
    if (!summaries || info.headPosition != summaries->head())
        return store.info(true);
    const QString key = QStringLiteral("info/1");
    if (const std::optional<CacheEntry> entry = summaries->get(key); entry && entry->head == summaries->head()) {
        if (const auto known = decode(entry->value, 2)) {
            info.eventCount = (*known)[0];
            info.streamCount = (*known)[1];
            if (cached)
                *cached = true;
            return info;
        }
    }
    StoreInfo counted = store.info(true);
    // Kept only when nothing was appended while it counted.
    if (counted.headPosition == summaries->head() && store.info(false).headPosition == summaries->head())
        summaries->put(key, encode({ counted.eventCount, counted.streamCount }));
    return counted;
}

} // namespace es::counts
