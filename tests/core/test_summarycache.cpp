#include "activity/activity.h"
#include "activity/activitycache.h"
#include "activity/activityjob.h"
#include "cache/scopecounts.h"
#include "cache/storesummaries.h"
#include "cache/summarycache.h"
#include "samplewriter.h"
#include "sqlite/sqlitestore.h"
#include "store/storesession.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <catch2/catch.hpp>

#include <map>
#include <thread>

using namespace es;

namespace {

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

// The summary cache of one test: its own file, named by ES_SUMMARY_CACHE for the code that opens the default.
struct CacheFile {
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("summaries.sqlite"));
    QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    CacheFile() { qputenv("ES_SUMMARY_CACHE", path.toUtf8()); }
    ~CacheFile() { qputenv("ES_SUMMARY_CACHE", before); }
};

ActivityRequest dayRequest(HistogramQuery::GroupBy by, bool useCache)
{
    ActivityRequest r;
    r.bucketSeconds = 86400;
    r.groupBy = by;
    r.topN = 1000;
    r.useCache = useCache;
    return r;
}

// Appends `n` events to one new stream, written as Emmett's client writes them, inside the sample's six weeks.
void append(const QString& path, const QString& stream, int n)
{
    test::EmmettWriter w(path);
    std::vector<test::EmmettWriter::Message> messages;
    for (int i = 0; i < n; ++i)
        messages.push_back({ QStringLiteral("CacheTestAppended"), QByteArray("{\"i\":") + QByteArray::number(i) + '}',
            {}, QStringLiteral("2024-03-20 12:00:%1").arg(i % 60, 2, 10, QLatin1Char('0')) });
    w.append(stream, messages);
}

} // namespace

TEST_CASE("summary cache: entries keep the highest head, a reset drops them, clear empties it", "[cache]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.sqlite"));
    SummaryCache a(path);
    SummaryCache b(path); // a second connection, as a second window has
    REQUIRE(a.isOpen());
    REQUIRE(b.isOpen());
    const QString store = QStringLiteral("sqlite|/x");
    CHECK_FALSE(a.mark(store).has_value());
    a.reset(store, { QStringLiteral("fp1"), 100, QStringLiteral("id100") });
    CHECK(b.put(store, QStringLiteral("fp1"), QStringLiteral("k"), { 100, "hundred" }));
    CHECK_FALSE(a.put(store, QStringLiteral("fp2"), QStringLiteral("k"), { 100, "other database" }));
    CHECK_FALSE(a.put(store, QStringLiteral("fp1"), QStringLiteral("k"), { 150, "past the mark" }));
    CHECK(a.advance(store, { QStringLiteral("fp1"), 150, QStringLiteral("id150") }));
    CHECK(a.put(store, QStringLiteral("fp1"), QStringLiteral("k"), { 150, "hundred fifty" }));
    CHECK_FALSE(b.put(store, QStringLiteral("fp1"), QStringLiteral("k"), { 100, "older" }));
    CHECK(b.get(store, QStringLiteral("k"))->value == "hundred fifty");
    CHECK(b.keys(store, QStringLiteral("k")) == QStringList { QStringLiteral("k") });
    CHECK(b.mark(store)->head == 150);
    CHECK_FALSE(b.advance(store, { QStringLiteral("fp2"), 200, QStringLiteral("x") }));

    b.reset(store, { QStringLiteral("fp2"), 10, QStringLiteral("id10") });
    CHECK_FALSE(a.get(store, QStringLiteral("k")).has_value());
    CHECK(a.stats().stores == 1);
    a.clear();
    CHECK(a.error().isEmpty());
    CHECK(b.stats().entries == 0);
    CHECK(b.stats().stores == 0);
}

TEST_CASE("summary cache: two writers at once on two connections lose nothing", "[cache]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.sqlite"));
    const QString store = QStringLiteral("sqlite|/y");
    SummaryCache(path).reset(store, { QStringLiteral("fp"), 1000, QStringLiteral("id") });
    bool okA = true;
    bool okB = true;
    const auto writer = [&](const QString& prefix, bool* ok) {
        SummaryCache cache(path);
        for (int i = 0; i < 200; ++i) {
            *ok = cache.put(store, QStringLiteral("fp"), prefix + QString::number(i % 20), { i, QByteArray::number(i) })
                && *ok;
            *ok = cache.advance(store, { QStringLiteral("fp"), 1000, QStringLiteral("id") }) && *ok;
        }
        *ok = cache.error().isEmpty() && *ok;
    };
    std::thread a(writer, QStringLiteral("a"), &okA);
    std::thread b(writer, QStringLiteral("b"), &okB);
    a.join();
    b.join();
    CHECK(okA);
    CHECK(okB);
    SummaryCache check(path);
    CHECK(check.stats().entries == 40);
    CHECK(check.get(store, QStringLiteral("a19"))->value == "199");
    CHECK(check.get(store, QStringLiteral("b0"))->head == 180);
}

TEST_CASE("summary cache: activity and counts from the cache equal the store's, extended as the head moves", "[cache]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.sqlite"));
    writeSampleStore(path, { 20000, 7, QStringLiteral("emmett") });
    for (const auto by : { HistogramQuery::GroupBy::Type, HistogramQuery::GroupBy::Category }) {
        INFO("group by " << int(by));
        auto store = SqliteStore::open(path);
        const ActivityResult direct = activity::compute(*store, dayRequest(by, false));
        CHECK_FALSE(direct.cached);
        const ActivityResult first = activity::compute(*store, dayRequest(by, true));
        CHECK(first.cached);
        CHECK(cells(first.histogram) == cells(direct.histogram));
        CHECK(first.histogram.groups == direct.histogram.groups);
        // Answered from the cache alone.
        ActivityRequest only = dayRequest(by, true);
        only.cacheOnly = true;
        CHECK(cells(activity::compute(*store, only).histogram) == cells(direct.histogram));
        // A zoom into a day at 15 minutes, from the same entry (its base divides 15 minutes).
        only.bucketSeconds = 900;
        only.from = QDateTime(QDate(2024, 3, 10), QTime(0, 0), Qt::UTC);
        only.to = only.from.addDays(1);
        ActivityRequest zoom = only;
        zoom.useCache = false;
        zoom.cacheOnly = false;
        CHECK(cells(activity::compute(*store, only).histogram) == cells(activity::compute(*store, zoom).histogram));
    }
    {
        auto store = SqliteStore::open(path);
        bool cached = false;
        const ScopeStats before = counts::scopeStats(*store, {}, &cached);
        CHECK(cached);
        CHECK(before.count == 20000);
        const StoreInfo info = counts::storeInfo(*store, true);
        CHECK(info.eventCount == 20000);
        CHECK(counts::storeInfo(*store, true, &cached).streamCount == info.streamCount);
        CHECK(cached);
    }

    append(path, QStringLiteral("cachetest-1"), 30);
    auto store = SqliteStore::open(path);
    ActivityRequest only = dayRequest(HistogramQuery::GroupBy::Type, true);
    only.cacheOnly = true;
    const ActivityResult extended = activity::compute(*store, only);
    CHECK(extended.cached);
    const ActivityResult direct = activity::compute(*store, dayRequest(HistogramQuery::GroupBy::Type, false));
    CHECK(cells(extended.histogram) == cells(direct.histogram));
    CHECK(extended.histogram.groups.contains(QStringLiteral("CacheTestAppended")));
    bool cached = false;
    CHECK(counts::scopeStats(*store, {}, &cached).count == 20030);
    CHECK(cached);
    CHECK(counts::storeInfo(*store, true).eventCount == 20030);
    EventFilter category;
    category.category = QStringLiteral("cachetest");
    CHECK(counts::scopeStats(*store, category).count == 30);
}

TEST_CASE("summary cache: a head gone back or another database drops the entries", "[cache]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.sqlite"));
    writeSampleStore(path, { 5000, 3, QStringLiteral("emmett") });
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    const QByteArray backup = f.readAll();
    f.close();
    append(path, QStringLiteral("cachetest-1"), 20);
    {
        auto store = SqliteStore::open(path);
        CHECK(counts::scopeStats(*store, {}).count == 5020);
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK_FALSE(summaries->dropped());
    }
    // The backup written back into the same file (same inode): the head goes back.
    REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(backup);
    f.close();
    {
        auto store = SqliteStore::open(path);
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK(summaries->dropped());
        CHECK(summaries->dropReason().contains(QStringLiteral("went back")));
        CHECK_FALSE(summaries->get(QStringLiteral("count/1|c=|t=")).has_value());
        CHECK(counts::scopeStats(*store, {}).count == 5000);
    }
    // Another store written under the same path.
    QFile::remove(path);
    writeSampleStore(path, { 3000, 11, QStringLiteral("emmett") });
    auto store = SqliteStore::open(path);
    {
        const auto summaries = StoreSummaries::open(*store);
        REQUIRE(summaries);
        CHECK(summaries->dropped());
        CHECK(summaries->dropReason().contains(QStringLiteral("another database")));
    }
    CHECK(counts::scopeStats(*store, {}).count == 3000);
    SummaryCache(cache.path).clear();
    CHECK(SummaryCache(cache.path).stats().entries == 0);
}

TEST_CASE("activity cache: rows survive encoding, base buckets divide the request", "[cache]")
{
    const std::vector<HistogramRow> rows { { 0, QStringLiteral("A"), 3, false }, { 900, QStringLiteral("B"), 2, false },
        { 0, QStringLiteral("A"), 4, false } };
    bool ok = false;
    const auto merged = activity::mergeRows(rows);
    REQUIRE(merged.size() == 2);
    CHECK(merged[0].count == 7);
    const auto decoded = activity::decodeRows(activity::encodeRows(merged), &ok);
    CHECK(ok);
    REQUIRE(decoded.size() == 2);
    CHECK(decoded[1].group == QStringLiteral("B"));
    CHECK(decoded[1].bucket == 900);
    activity::decodeRows(QByteArray("garbage"), &ok);
    CHECK_FALSE(ok);
    // Six weeks at a day: 15 minutes gives at most 5,000 buckets; a month is counted in days' divisors.
    CHECK(activity::baseBucketFor(86400, 42 * 86400) == 900);
    CHECK(activity::baseBucketFor(HistogramQuery::Month, 42 * 86400) == 900);
    CHECK(activity::baseBucketFor(3600, 3600) == 1);
    CHECK(86400 % activity::baseBucketFor(86400, 20 * 365 * 86400) == 0);
}

TEST_CASE("ActivityJob: a request the summary cache holds answers once, exact, without an estimate", "[cache]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j.sqlite"));
    writeSampleStore(path, { 100000, 5, QStringLiteral("emmett") });
    StoreSession session(StoreOpener { path, {} });
    ActivityJob job;
    job.setSession(&session);
    QSignalSpy finished(&job, &ActivityJob::finished);
    ActivityRequest request;
    request.groupBy = HistogramQuery::GroupBy::Type;
    request.useCache = true;
    job.start(request, true);
    REQUIRE(test::waitFor([&] { return !job.isRunning(); }, 60000));
    REQUIRE(finished.count() == 2);
    CHECK(finished.at(0).at(0).value<ActivityResult>().estimated());
    const auto counted = finished.at(1).at(0).value<ActivityResult>();
    CHECK(counted.cached);
    CHECK(counted.histogram.total == 100000);

    finished.clear();
    job.start(request, true);
    REQUIRE(test::waitFor([&] { return !job.isRunning(); }, 60000));
    QTest::qWait(200);
    REQUIRE(finished.count() == 1);
    const auto again = finished.at(0).at(0).value<ActivityResult>();
    CHECK_FALSE(again.estimated());
    CHECK(again.cached);
    CHECK(cells(again.histogram) == cells(counted.histogram));
}
