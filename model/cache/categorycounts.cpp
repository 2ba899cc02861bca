#include "cache/categorycounts.h"

#include "activity/activitycache.h"
#include "cache/storesummaries.h"
#include "store/categorysource.h"
#include "store/job.h"

#include <QDataStream>
#include <QIODevice>

#include <algorithm>

namespace es::counts {

namespace {

constexpr quint32 formatVersion = 1;

const QString& categoriesKey()
{
    static const QString key = QStringLiteral("categories/1");
    return key;
}

QByteArray encode(const CategoryList& list)
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_4);
    s << formatVersion << quint32(list.size());
    for (const CategoryInfo& c : list)
        s << c.name << c.streams << c.events;
    return out;
}

std::optional<CategoryList> decode(const QByteArray& value)
{
    QDataStream s(value);
    s.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0;
    quint32 n = 0;
    s >> version >> n;
    if (version != formatVersion || s.status() != QDataStream::Ok || qsizetype(n) > value.size())
        return std::nullopt;
    CategoryList out(n);
    for (CategoryInfo& c : out)
        s >> c.name >> c.streams >> c.events;
    if (s.status() != QDataStream::Ok)
        return std::nullopt;
    return out;
}

// The known answer plus what was appended: names found again add up, new ones go in where their name sorts.
CategoryList merged(CategoryList known, const CategoryList& added)
{
    for (const CategoryInfo& a : added) {
        const auto found
            = std::find_if(known.begin(), known.end(), [&a](const CategoryInfo& c) { return c.name == a.name; });
        if (found != known.end()) {
            found->streams += a.streams;
            found->events = (found->events < 0 || a.events < 0) ? -1 : found->events + a.events;
        } else {
            known.insert(std::lower_bound(known.begin(), known.end(), a,
                             [](const CategoryInfo& x, const CategoryInfo& y) { return x.name < y.name; }),
                a);
        }
    }
    return known;
}

// Opened only when the store's head is the settled head the cache counts to (no transaction open below it).
std::unique_ptr<StoreSummaries> openAtHead(EventStore& store)
{
    auto summaries = StoreSummaries::open(store);
    if (!summaries || store.info(false).headPosition != summaries->head())
        return nullptr;
    return summaries;
}

// The cached answer at the head, extended over at most `most` appended positions (-1: any); nullopt when the cache
// holds none that can be extended so.
std::optional<CategoryList> fromCache(EventStore& store, StoreSummaries& summaries, qint64 most)
{
    const std::optional<CacheEntry> entry = summaries.get(categoriesKey());
    if (!entry)
        return std::nullopt;
    std::optional<CategoryList> known = decode(entry->value);
    if (!known || entry->head > summaries.head())
        return std::nullopt;
    if (entry->head == summaries.head())
        return known;
    if (most >= 0 && summaries.head() - entry->head > most)
        return std::nullopt;
    auto* source = dynamic_cast<CategorySource*>(&store);
    const std::optional<CategoryList> added
        = source ? source->categoriesBetween(entry->head + 1, summaries.head()) : std::nullopt;
    if (!added)
        return std::nullopt;
    CategoryList now = merged(std::move(*known), *added);
    summaries.put(categoriesKey(), encode(now));
    return now;
}

} // namespace

CategoryCounts categories(EventStore& store, bool useCache, JobControl* control)
{
    if (control)
        control->progress(0, 1, QStringLiteral("Counting categories"));
    CategoryCounts out;
    std::unique_ptr<StoreSummaries> summaries = useCache ? openAtHead(store) : nullptr;
    if (summaries) {
        if (std::optional<CategoryList> cached = fromCache(store, *summaries, -1)) {
            out.categories = std::move(*cached);
            out.cached = true;
            return out;
        }
    }
    out.categories = store.categories();
    // Kept only when nothing was appended while it counted: categories() has no upper key.
    if (summaries && store.info(false).headPosition == summaries->head())
        summaries->put(categoriesKey(), encode(out.categories));
    if (control)
        control->progress(1, 1, QStringLiteral("Counting categories"));
    return out;
}

CategoryCounts quickCategories(EventStore& store, bool useCache)
{
    if (useCache) {
        if (std::unique_ptr<StoreSummaries> summaries = openAtHead(store)) {
            if (std::optional<CategoryList> cached = fromCache(store, *summaries, activity::shortExtension)) {
                CategoryCounts out;
                out.categories = std::move(*cached);
                out.cached = true;
                return out;
            }
        }
    }
    auto* source = dynamic_cast<CategorySource*>(&store);
    CategoryEstimate estimate = source ? source->estimateCategories() : CategoryEstimate { store.categories(), false };
    CategoryCounts out;
    out.categories = std::move(estimate.categories);
    out.estimated = estimate.estimated;
    return out;
}

} // namespace es::counts
