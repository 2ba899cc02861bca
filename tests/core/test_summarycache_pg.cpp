// The summary cache on PostgreSQL (issue 18), with a Message DB store written the way its client writes
// (write_message): a second open answers from the cache, events appended move the head and are counted alone, and a
// database dropped and created again under the same address drops the entries.
#include "activity/activity.h"
#include "cache/categorycounts.h"
#include "cache/scopecounts.h"
#include "cache/storesummaries.h"
#include "cache/summarycache.h"
#include "store/storeregistry.h"
#include "testutils.h"

#include <QTemporaryDir>

#include <catch2/catch.hpp>

#include <map>

using namespace es;
using es::test::PgTestDatabase;

namespace {

struct CacheFile {
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("summaries.sqlite"));
    QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    CacheFile() { qputenv("ES_SUMMARY_CACHE", path.toUtf8()); }
    ~CacheFile() { qputenv("ES_SUMMARY_CACHE", before); }
};

using Cells = std::map<std::pair<qint64, QString>, qint64>;

Cells cells(const Histogram& h)
{
    Cells out;
    for (size_t b = 0; b < h.buckets.size(); ++b) {
        for (qsizetype g = 0; g < h.groups.size(); ++g) {
            if (const qint64 n = h.counts[b][size_t(g)])
                out[{ h.buckets[b], h.groups.at(g) }] = n;
        }
    }
    return out;
}

ActivityRequest hourRequest(bool useCache, bool cacheOnly = false)
{
    ActivityRequest r;
    r.bucketSeconds = 3600;
    r.groupBy = HistogramQuery::GroupBy::Type;
    r.topN = 1000;
    r.useCache = useCache;
    r.cacheOnly = cacheOnly;
    return r;
}

QString describe(const CategoryList& list)
{
    QStringList out;
    for (const CategoryInfo& c : list)
        out << QStringLiteral("%1:%2:%3").arg(c.name).arg(c.streams).arg(c.events);
    // A category new since the cached count comes in the database's order in a count, after the others in the cache's.
    out.sort();
    return out.join(QLatin1Char(' '));
}

// n messages as Eventide's clients write them: write_message, one call per message.
void writeMessages(const PgTestDatabase& db, int n)
{
    db.sql(QStringLiteral("SET search_path TO message_store, public; "
                          "SELECT write_message(gen_random_uuid()::text, CASE WHEN i % 3 = 0 THEN 'order-' ELSE "
                          "'account-' END || (i % 40), CASE WHEN i % 2 = 0 THEN 'Opened' ELSE 'Deposited' END, "
                          "jsonb_build_object('i', i)) FROM generate_series(1, %1) i ORDER BY i")
               .arg(n));
}

} // namespace

TEST_CASE("summary cache on PostgreSQL: a second open from the cache, extended as write_message appends, dropped "
          "with the database",
    "[cache][pg]")
{
    ES_REQUIRE_PG("PostgreSQL summary cache test")
    CacheFile cache;
    PgTestDatabase db(QStringLiteral("cache"), { QStringLiteral("messagedb.sql") });
    writeMessages(db, 3000);

    Cells direct;
    {
        auto store = StoreRegistry::open(db.address());
        direct = cells(activity::compute(*store, hourRequest(false)).histogram);
        const ActivityResult first = activity::compute(*store, hourRequest(true));
        CHECK(first.cached);
        CHECK(cells(first.histogram) == direct);
        bool cached = false;
        CHECK(counts::scopeStats(*store, {}, &cached).count == store->scopeStats({}).count);
        CHECK(cached);
        const counts::CategoryCounts categories = counts::categories(*store, true);
        CHECK_FALSE(categories.cached);
        CHECK(describe(categories.categories) == describe(store->categories()));
    }
    {
        // A second open, on a new connection: everything from the cache.
        auto store = StoreRegistry::open(db.address());
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK_FALSE(summaries->dropped());
        const std::optional<ActivityResult> fromCache = activity::computeFromCache(*store, hourRequest(true));
        REQUIRE(fromCache);
        CHECK(fromCache->cached);
        CHECK(cells(fromCache->histogram) == direct);
        const counts::CategoryCounts categories = counts::quickCategories(*store, true);
        CHECK(categories.cached);
        CHECK_FALSE(categories.estimated);
        CHECK(describe(categories.categories) == describe(store->categories()));
    }

    // The head moves: the client appends to a new stream of a new category.
    db.sql(QStringLiteral("SET search_path TO message_store, public; SELECT write_message(gen_random_uuid()::text, "
                          "'cachetest-1', 'CacheTestAppended', jsonb_build_object('i', i)) "
                          "FROM generate_series(1, 30) i ORDER BY i"));
    {
        auto store = StoreRegistry::open(db.address());
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK_FALSE(summaries->dropped());
        // Extended by counting the 30 appended positions alone.
        const std::optional<ActivityResult> extended = activity::computeFromCache(*store, hourRequest(true));
        REQUIRE(extended);
        const Cells now = cells(activity::compute(*store, hourRequest(false)).histogram);
        CHECK(cells(extended->histogram) == now);
        CHECK(extended->histogram.groups.contains(QStringLiteral("CacheTestAppended")));
        bool cached = false;
        CHECK(counts::scopeStats(*store, {}, &cached).count == store->scopeStats({}).count);
        CHECK(cached);
        const counts::CategoryCounts categories = counts::quickCategories(*store, true);
        CHECK(categories.cached);
        CHECK(describe(categories.categories) == describe(store->categories()));
        CHECK(describe(categories.categories).contains(QStringLiteral("cachetest:1:30")));
    }

    // The store replaced: the database dropped and created again under the same name (a restore into a new
    // database has another oid).
    const QString admin = test::postgresAddress();
    REQUIRE(test::psql(admin, { QStringLiteral("-c"), QStringLiteral("DROP DATABASE %1 WITH (FORCE)").arg(db.name()) })
        == 0);
    REQUIRE(test::psql(admin, { QStringLiteral("-c"), QStringLiteral("CREATE DATABASE %1").arg(db.name()) }) == 0);
    db.load(QStringLiteral("messagedb.sql"));
    writeMessages(db, 500);
    {
        auto store = StoreRegistry::open(db.address());
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK(summaries->dropped());
        CHECK(summaries->dropReason().contains(QStringLiteral("another database")));
        bool cached = false;
        CHECK(counts::scopeStats(*store, {}, &cached).count == store->scopeStats({}).count);
        const counts::CategoryCounts categories = counts::categories(*store, true);
        CHECK_FALSE(categories.cached);
        CHECK(describe(categories.categories) == describe(store->categories()));
        CHECK(cells(activity::compute(*store, hourRequest(true)).histogram)
            == cells(activity::compute(*store, hourRequest(false)).histogram));
    }
}
