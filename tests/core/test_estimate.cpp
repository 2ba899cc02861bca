#include "activity/activity.h"
#include "activity/activityjob.h"
#include "pg/pgstore.h"
#include "samplewriter.h"
#include "sql/estimatesql.h"
#include "sqlite/sqlitestore.h"
#include "store/storesession.h"
#include "testutils.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <catch2/catch.hpp>

#include <cmath>
#include <map>

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

double relative(qint64 estimate, qint64 exact)
{
    return std::abs(double(estimate) - double(exact)) / double(exact);
}

// Worst relative error over the exact cells holding at least `share` of the events (and how many there were).
double worstError(const Histogram& exact, const Histogram& estimate, double share, int* checked)
{
    const Cells e = cells(exact);
    const Cells s = cells(estimate);
    double worst = 0;
    *checked = 0;
    for (const auto& [key, n] : e) {
        if (double(n) < share * double(exact.total))
            continue;
        const auto it = s.find(key);
        worst = std::max(worst, relative(it == s.end() ? 0 : it->second, n));
        ++*checked;
    }
    return worst;
}

// What every engine must keep: labelled estimates close to the counts, counted answers where sampling is pointless,
// and a count in parts equal to the count in one statement.
void checkEstimates(EventStore& store, const QString& oneStream, bool countsInParts)
{
    const qint64 total = store.scopeStats({}).count;
    const CountEstimate all = store.estimateCount({});
    CHECK(all.estimated);
    CHECK(relative(all.count, total) < 0.02);

    EventFilter stream;
    stream.stream = oneStream;
    const CountEstimate one = store.estimateCount(stream);
    CHECK_FALSE(one.estimated);
    CHECK(one.count == store.scopeStats(stream).count);

    // The sample stores spread their events over six weeks: a day holds about 2% of them, a month and type up to 10%.
    for (const auto by : { HistogramQuery::GroupBy::None, HistogramQuery::GroupBy::Type }) {
        const bool types = by == HistogramQuery::GroupBy::Type;
        HistogramQuery q;
        q.bucketSeconds = types ? HistogramQuery::Month : 86400;
        q.groupBy = by;
        q.topN = 1000;
        const Histogram exact = store.histogram(q);
        const Histogram estimate = store.estimateHistogram(q);
        CHECK_FALSE(exact.estimated);
        CHECK(estimate.estimated);
        CHECK(relative(estimate.total, exact.total) < 0.02);
        int checked = 0;
        // Days: about a stride at each edge. Month and type: a random-like sample of a few hundred events per cell.
        const double worst = worstError(exact, estimate, types ? 0.03 : 0.01, &checked);
        INFO("group by " << int(by) << ": worst error " << worst << " over " << checked << " cells");
        CHECK(checked >= 3);
        CHECK(worst < (types ? 0.25 : 0.08));
    }

    HistogramQuery q;
    q.filter = stream;
    q.bucketSeconds = 3600;
    const Histogram streamEstimate = store.estimateHistogram(q);
    CHECK_FALSE(streamEstimate.estimated);
    CHECK(cells(streamEstimate) == cells(store.histogram(q)));

    // Counted in parts with progress, as the Activity view's exact count runs, equal to one statement.
    ActivityRequest request;
    request.groupBy = HistogramQuery::GroupBy::Type;
    request.bucketSeconds = 3600;
    request.topN = 3;
    std::vector<qint64> progress;
    JobControl control([&](const JobProgress& p) { progress.push_back(p.done); });
    const ActivityResult parts = activity::compute(store, request, &control);
    HistogramQuery whole;
    whole.bucketSeconds = 3600;
    whole.groupBy = HistogramQuery::GroupBy::Type;
    whole.topN = 3;
    const Histogram one1 = store.histogram(whole);
    CHECK(parts.histogram.groups == one1.groups);
    CHECK(cells(parts.histogram) == cells(one1));
    CHECK_FALSE(parts.estimated());
    // SQLite counts in position ranges with progress; PostgreSQL in one parallel statement.
    CHECK(progress.empty() == !countsInParts);
}

} // namespace

TEST_CASE("key samples cover the span in windows, and small spans are counted", "[estimate]")
{
    CHECK_FALSE(KeySample::plan(1, 65535).has_value());
    CHECK_FALSE(KeySample::plan(-1, 1000000).has_value());
    for (const qint64 last : { qint64(65536), qint64(100000), qint64(10000000), qint64(123456789) }) {
        INFO("span " << last);
        const auto s = KeySample::plan(1, last);
        REQUIRE(s.has_value());
        CHECK(s->first == 1);
        CHECK(s->windows * s->stride >= last); // every position lies in the stride of one window
        CHECK((s->windows - 1) * s->stride < last);
        CHECK(s->width <= s->stride);
        CHECK(s->rows() <= std::max<qint64>(last / 8, 64));
        CHECK(s->rows() <= 32768);
        CHECK(s->scale() >= 1.0);
    }
    const auto big = KeySample::plan(1, 10000000);
    CHECK(big->windows <= 4096);
    CHECK(big->windows > 4090);
    CHECK(big->width == 8);
}

TEST_CASE("SQLite estimates: labelled, close, counted where cheap, parts equal one count", "[estimate]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("e.sqlite"));
    writeSampleStore(path, { 100000, 5, QStringLiteral("emmett") });
    auto store = SqliteStore::open(path);
    checkEstimates(*store, QStringLiteral("account-1001"), true);

    // A small store is counted: the estimate is the count and says so.
    const QString small = dir.filePath(QStringLiteral("s.sqlite"));
    writeSampleStore(small, { 5000, 5, QStringLiteral("emmett") });
    auto smallStore = SqliteStore::open(small);
    const CountEstimate c = smallStore->estimateCount({});
    CHECK_FALSE(c.estimated);
    CHECK(c.count == 5000);
}

TEST_CASE("PostgreSQL estimates: labelled, close, counted where cheap, parts equal one count", "[estimate][pg]")
{
    ES_REQUIRE_PG("PostgreSQL estimates")
    test::PgTestDatabase db(QStringLiteral("estimate"));
    writeSampleStore(db.address(), { 80000, 5, QStringLiteral("messagedb") });
    StreamQuery first;
    first.limit = 1;
    SECTION("before ANALYZE: windows of positions")
    {
        auto store = PgStore::open(db.address());
        // Only a heap with statistics is sampled by pages; autovacuum may have analysed it already.
        const std::optional<KeySample> sample = store->planSample({});
        REQUIRE(sample);
        const StreamList streams = store->streams(first);
        REQUIRE(!streams.empty());
        checkEstimates(*store, streams.front().name, false);
    }
    SECTION("after ANALYZE: pages of the heap, read by their tuple ids")
    {
        REQUIRE(
            test::psql(db.address(), { QStringLiteral("-c"), QStringLiteral("ANALYZE message_store.messages") }) == 0);
        auto store = PgStore::open(db.address());
        const std::optional<KeySample> sample = store->planSample({});
        REQUIRE(sample);
        CHECK(sample->pages);
        CHECK(sample->windows >= 256);
        const StreamList streams = store->streams(first);
        REQUIRE(!streams.empty());
        checkEstimates(*store, streams.front().name, false);
        // A category's count from the same pages.
        EventFilter category;
        category.category = streams.front().name.section(u'-', 0, 0);
        const CountEstimate estimate = store->estimateCount(category);
        CHECK(estimate.estimated);
        CHECK(relative(estimate.count, store->scopeStats(category).count) < 0.05);
    }
}

TEST_CASE("ActivityJob: the estimate first, then the exact count with progress; a small store once", "[estimate]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("j.sqlite"));
    writeSampleStore(path, { 100000, 9, QStringLiteral("emmett") });
    StoreSession session(StoreOpener { path, {} });
    ActivityJob job;
    job.setSession(&session);
    QSignalSpy finished(&job, &ActivityJob::finished);
    QSignalSpy progress(&job, &ActivityJob::progress);
    ActivityRequest request;
    request.groupBy = HistogramQuery::GroupBy::Type;
    const quint64 generation = job.start(request, true);
    REQUIRE(test::waitFor([&] { return !job.isRunning(); }, 60000));
    REQUIRE(finished.count() == 2);
    const auto estimate = finished.at(0).at(0).value<ActivityResult>();
    const auto exact = finished.at(1).at(0).value<ActivityResult>();
    CHECK(finished.at(0).at(1).toULongLong() == generation);
    CHECK(finished.at(1).at(1).toULongLong() == generation);
    CHECK(estimate.estimated());
    CHECK_FALSE(exact.estimated());
    CHECK(exact.histogram.total == 100000);
    CHECK(relative(estimate.histogram.total, exact.histogram.total) < 0.02);
    CHECK(estimate.histogram.bucketSeconds == exact.histogram.bucketSeconds);
    REQUIRE(!progress.isEmpty());
    CHECK(progress.last().at(0).toLongLong() <= progress.last().at(1).toLongLong());

    // Without estimateFirst, or when the estimate was counted (one stream): one answer.
    finished.clear();
    job.start(request, false);
    REQUIRE(test::waitFor([&] { return !job.isRunning(); }, 60000));
    CHECK(finished.count() == 1);
    finished.clear();
    request.filter.stream = QStringLiteral("account-1001");
    job.start(request, true);
    REQUIRE(test::waitFor([&] { return !job.isRunning(); }, 60000));
    QTest::qWait(200);
    CHECK(finished.count() == 1);
    CHECK_FALSE(finished.at(0).at(0).value<ActivityResult>().estimated());
}
