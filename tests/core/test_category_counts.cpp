// The stream tree's category counts (issue 18): an estimate from a key sample within a second, then the exact counts
// through the summary cache; the model shows the first labelled and replaces it.
#include "cache/categorycounts.h"
#include "cache/summarycache.h"
#include "models/streamtreemodel.h"
#include "samplewriter.h"
#include "sqlite/sqlitestore.h"
#include "store/storesession.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <catch2/catch.hpp>

#include <cmath>

using namespace es;

namespace {

// The summary cache of one test: its own file, named by ES_SUMMARY_CACHE for the code that opens the default.
struct CacheFile {
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("summaries.sqlite"));
    QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    CacheFile() { qputenv("ES_SUMMARY_CACHE", path.toUtf8()); }
    ~CacheFile() { qputenv("ES_SUMMARY_CACHE", before); }
};

QString describe(const CategoryList& list)
{
    QStringList out;
    for (const CategoryInfo& c : list)
        out << QStringLiteral("%1:%2:%3").arg(c.name).arg(c.streams).arg(c.events);
    return out.join(QLatin1Char(' '));
}

// A store large enough to be sampled (over 65,536 positions), written once for the file's cases.
QString largeStore(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("large.sqlite"));
    writeSampleStore(path, SampleOptions { 100000, 5, QStringLiteral("emmett") });
    return path;
}

} // namespace

TEST_CASE("category counts: an estimate from a sample, then exact through the summary cache", "[cache][categories]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = largeStore(dir);
    auto store = SqliteStore::open(path);
    const CategoryList exact = store->categories();
    REQUIRE(exact.size() >= 2);
    qint64 total = 0;
    for (const CategoryInfo& c : exact)
        total += c.events;

    const counts::CategoryCounts quick = counts::quickCategories(*store, true);
    CHECK(quick.estimated);
    CHECK_FALSE(quick.cached);
    INFO("exact " << describe(exact).toStdString() << "\nestimated " << describe(quick.categories).toStdString());
    for (const CategoryInfo& c : exact) {
        if (c.events * 100 < total)
            continue;
        const auto found = std::find_if(
            quick.categories.begin(), quick.categories.end(), [&c](const CategoryInfo& e) { return e.name == c.name; });
        REQUIRE(found != quick.categories.end());
        CHECK(std::abs(double(found->events - c.events)) <= 0.05 * double(c.events));
        CHECK(std::abs(double(found->streams - c.streams)) <= 0.15 * double(c.streams) + 8);
    }

    const counts::CategoryCounts first = counts::categories(*store, true);
    CHECK_FALSE(first.estimated);
    CHECK_FALSE(first.cached);
    CHECK(describe(first.categories) == describe(exact));
    const counts::CategoryCounts second = counts::categories(*store, true);
    CHECK(second.cached);
    CHECK(describe(second.categories) == describe(exact));
    // Now the first answer is the exact one.
    const counts::CategoryCounts again = counts::quickCategories(*store, true);
    CHECK_FALSE(again.estimated);
    CHECK(again.cached);
    CHECK(describe(again.categories) == describe(exact));
    CHECK_FALSE(counts::categories(*store, false).cached);

    // Emmett counts from its streams table, which does not add up by positions: a moved head counts again, and keeps.
    {
        test::EmmettWriter w(path);
        w.append(QStringLiteral("cachetest-1"), { { QStringLiteral("CacheTestAppended"), QByteArray("{}") } });
    }
    auto reopened = SqliteStore::open(path);
    const CategoryList now = reopened->categories();
    const counts::CategoryCounts recounted = counts::categories(*reopened, true);
    CHECK_FALSE(recounted.cached);
    CHECK(describe(recounted.categories) == describe(now));
    CHECK(describe(recounted.categories).contains(QStringLiteral("cachetest:1:1")));
    CHECK(counts::categories(*reopened, true).cached);
}

TEST_CASE(
    "stream tree: category counts show an estimate, labelled, then the exact ones; a second open is exact at once",
    "[cache][categories][models]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = largeStore(dir);
    const CategoryList exact = SqliteStore::open(path)->categories();

    for (int open = 0; open < 2; ++open) {
        INFO("open " << open);
        StreamTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QStringList shown; // the events column of the first category, each time the counts changed
        std::vector<bool> estimated;
        QObject::connect(&model, &StreamTreeModel::countsChanged, &model, [&](bool e) {
            estimated.push_back(e);
            REQUIRE(model.rowCount() > 0);
            shown << model.index(0, StreamTreeModel::EventsColumn).data().toString();
            CHECK(model.index(0, 0).data(StreamTreeModel::CountsEstimatedRole).toBool() == e);
            CHECK(model.index(0, 0).data().toString().contains(QStringLiteral("≈")) == e);
        });
        StoreSession session(StoreOpener { path, {} });
        model.setSession(&session);
        REQUIRE(test::waitFor([&] { return !estimated.empty() && !estimated.back() && !model.isCounting(); }, 60000));
        if (open == 0) {
            REQUIRE(estimated.size() == 2);
            CHECK(estimated.front());
            CHECK(shown.front().startsWith(QStringLiteral("≈")));
        } else {
            // From the cache: one exact answer, no count.
            CHECK(estimated == std::vector<bool> { false });
        }
        CHECK_FALSE(model.countsEstimated());
        REQUIRE(model.rowCount() == int(exact.size()));
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex name = model.index(row, 0);
            CHECK(name.data(StreamTreeModel::CategoryRole).toString() == exact[size_t(row)].name);
            CHECK(name.data(StreamTreeModel::StreamCountRole).toLongLong() == exact[size_t(row)].streams);
            CHECK(model.index(row, StreamTreeModel::EventsColumn).data().toLongLong() == exact[size_t(row)].events);
        }
        model.setSession(nullptr);
    }
    CHECK(SummaryCache(cache.path).stats().entries >= 1);
}
