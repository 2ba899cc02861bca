#include <catch2/catch.hpp>

#include "activity/activity.h"
#include "activity/activityjob.h"
#include "activityview.h"
#include "core/test_sqlite_support.h"
#include "eventview.h"
#include "filterbar.h"
#include "models/eventtablemodel.h"
#include "samplewriter.h"
#include "sqlite/sqlitestore.h"
#include "store/storesession.h"
#include "streamsummary.h"
#include "testutils.h"

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <map>
#include <sqlite3.h>

using namespace es;
using namespace es::test;

namespace {

constexpr int Timeout = 30000;

// Rows of a direct query on the store file, opened read-only, as text.
std::vector<QStringList> query(const QString& path, const QString& sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr) == SQLITE_OK);
    std::vector<QStringList> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        QStringList row;
        for (int c = 0; c < sqlite3_column_count(stmt); ++c)
            row.append(QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))));
        rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

constexpr const char* Events = " FROM emt_messages WHERE is_archived = 0 AND message_kind = 'E'";

// Events per (bucket start, type), by a GROUP BY written without the engine's SQL builder.
std::map<std::pair<qint64, QString>, qint64> directByType(
    const QString& path, qint64 bucketSeconds, qint64 from = 0, qint64 to = std::numeric_limits<qint64>::max())
{
    std::map<std::pair<qint64, QString>, qint64> out;
    const QString sql = QStringLiteral("SELECT (CAST(strftime('%s', created) AS INTEGER) / %1) * %1, message_type, "
                                       "count(*)")
                            .arg(bucketSeconds)
        + QLatin1String(Events)
        + QStringLiteral(" AND CAST(strftime('%s', created) AS INTEGER) >= %1 AND CAST(strftime('%s', created) AS "
                         "INTEGER) < %2 GROUP BY 1, 2")
              .arg(from)
              .arg(to);
    for (const QStringList& row : query(path, sql))
        out[{ row[0].toLongLong(), row[1] }] = row[2].toLongLong();
    return out;
}

QStackedBarSeries* barSeries(const ActivityView& view)
{
    const auto series = view.chart()->series();
    return series.isEmpty() ? nullptr : qobject_cast<QStackedBarSeries*>(series.front());
}

// The chart's bars equal the direct GROUP BY: named groups exactly, "(other)" the rest of each bucket.
void checkBarsAgainstDirect(
    const ActivityView& view, const QString& path, qint64 from = 0, qint64 to = std::numeric_limits<qint64>::max())
{
    const ActivityResult& r = view.result();
    const qint64 size = r.histogram.bucketSeconds;
    REQUIRE(size > 0);
    const auto direct = directByType(path, size, from, to);
    std::map<qint64, qint64> bucketTotals;
    qint64 total = 0;
    for (const auto& [key, n] : direct) {
        bucketTotals[key.first] += n;
        total += n;
    }
    CHECK(r.histogram.total == total);
    QStackedBarSeries* series = barSeries(view);
    REQUIRE(series);
    const auto sets = series->barSets();
    REQUIRE(sets.size() == r.histogram.groups.size());
    for (size_t i = 0; i < r.starts.size(); ++i) {
        qint64 named = 0;
        for (int g = 0; g < sets.size(); ++g) {
            const QString group = r.histogram.groups[g];
            const qint64 drawn = qint64(sets[g]->at(int(i)));
            CHECK(drawn == r.counts[i][size_t(g)]);
            if (group == Histogram::otherLabel())
                continue;
            const auto it = direct.find({ r.starts[i], group });
            const qint64 expected = it == direct.end() ? 0 : it->second;
            CHECK(drawn == expected);
            named += expected;
        }
        if (r.histogram.hasOther)
            CHECK(qint64(sets.back()->at(int(i))) == bucketTotals[r.starts[i]] - named);
    }
}

bool settled(const ActivityView& view, int applied)
{
    return view.resultsApplied() > applied && !view.isCounting();
}

} // namespace

TEST_CASE("activity chart: bars equal the store's histogram and a direct GROUP BY, zoom, click, save", "[activity]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.sqlite"));
    writeSampleStore(path, { 20000, 7, QStringLiteral("emmett") });
    StoreSession session(StoreOpener { path, {} });

    EventView eventView;
    eventView.setSession(&session);
    ActivityView view;
    view.resize(1300, 520);
    view.attach(&eventView, nullptr);
    view.show();
    view.setSession(&session);
    REQUIRE(waitFor([&] { return settled(view, 0); }, Timeout));

    const ActivityResult& r = view.result();
    REQUIRE(view.groupBy() == HistogramQuery::GroupBy::Type);
    REQUIRE(r.histogram.total == 20000);
    REQUIRE(r.starts.size() <= 120 + 1);
    REQUIRE(r.starts.size() >= 30);
    const qint64 wholeBucket = r.histogram.bucketSeconds;
    CHECK(view.bucketText().startsWith(QStringLiteral("1 bar = ") + histogram::bucketName(wholeBucket)));
    checkBarsAgainstDirect(view, path);

    // The same numbers the store gives for the same query.
    auto store = SqliteStore::open(path);
    HistogramQuery q;
    q.bucketSeconds = wholeBucket;
    q.groupBy = HistogramQuery::GroupBy::Type;
    q.topN = 8;
    const Histogram h = store->histogram(q);
    CHECK(h.groups == r.histogram.groups);
    CHECK(h.buckets == r.histogram.buckets);
    CHECK(h.counts == r.histogram.counts);
    CHECK(r.histogram.hasOther);

    SECTION("stacked by category: one set per category, totals unchanged")
    {
        const int applied = view.resultsApplied();
        view.setGroupBy(HistogramQuery::GroupBy::Category);
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        QStringList categories = view.result().histogram.groups;
        categories.sort();
        CHECK(categories
            == QStringList { QStringLiteral("account"), QStringLiteral("order"), QStringLiteral("shipment") });
        CHECK(view.result().histogram.total == 20000);
        CHECK(barSeries(view)->barSets().size() == 3);
    }

    SECTION("zooming re-counts the range at a finer bucket; zoom out and reset go back")
    {
        const int mid = int(r.starts.size()) / 2;
        const qint64 from = r.starts[size_t(mid)];
        const qint64 to = r.bucketEnd(mid + 1);
        int applied = view.resultsApplied();
        // Drag across two bars with the mouse.
        QWidget* viewport = view.chartView()->viewport();
        const QPoint a = view.barCenter(mid, 0);
        const QPoint b = view.barCenter(mid + 1, 0);
        QTest::mousePress(viewport, Qt::LeftButton, {}, a);
        QTest::mouseMove(viewport, QPoint((a.x() + b.x()) / 2, a.y()));
        QTest::mouseMove(viewport, b);
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, b);
        REQUIRE(view.zoomDepth() == 1);
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        const ActivityResult& z = view.result();
        CHECK(z.histogram.bucketSeconds < wholeBucket);
        CHECK(z.from >= from);
        CHECK(z.to <= to);
        CHECK(z.histogram.total > 0);
        checkBarsAgainstDirect(view, path, from, to);

        applied = view.resultsApplied();
        QTest::keyClick(view.chartView(), Qt::Key_Minus);
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        CHECK(view.zoomDepth() == 0);
        CHECK(view.result().histogram.bucketSeconds == wholeBucket);
        CHECK(view.result().histogram.total == 20000);
    }

    SECTION("clicking a bar opens the log filtered to that bucket and type")
    {
        int index = -1;
        for (size_t i = 0; i < r.starts.size() && index < 0; ++i)
            if (r.counts[i][0] > 0)
                index = int(i);
        REQUIRE(index >= 0);
        const QString type = r.histogram.groups[0];
        const qint64 expected = r.counts[size_t(index)][0];
        QSignalSpy activated(&view, &ActivityView::bucketActivated);
        QTest::mouseClick(view.chartView()->viewport(), Qt::LeftButton, {}, view.barCenter(index, 0));
        REQUIRE(activated.count() == 1);
        CHECK(view.zoomDepth() == 0);

        const EventFilter filter = eventView.model()->filter();
        CHECK(filter.types == QStringList { type });
        CHECK(filter.fromTime == histogram::toUtc(r.starts[size_t(index)]));
        CHECK(filter.toTime == histogram::toUtc(r.bucketEnd(index)));
        // The chart keeps the scope it had: the click narrowed the log, not the chart.
        CHECK(view.scope().types.isEmpty());

        EventTableModel* model = eventView.model();
        REQUIRE(waitFor([&] { return !model->isLoading(); }, Timeout));
        while (model->canFetchMore({})) {
            model->fetchMore({});
            REQUIRE(waitFor([&] { return !model->isLoading(); }, Timeout));
        }
        REQUIRE(model->rowCount() == expected);
        for (int row = 0; row < model->rowCount(); ++row) {
            std::optional<Event> e;
            REQUIRE(waitFor([&] { return (e = model->eventAt(row)).has_value(); }, Timeout));
            CHECK(e->type == type);
            CHECK(e->time >= filter.fromTime);
            CHECK(e->time < filter.toTime);
        }
    }

    SECTION("hovering names the bucket, the group and its count")
    {
        const QString tip = view.toolTipFor(0, 0);
        CHECK(tip.contains(histogram::bucketLabel(r.starts[0], wholeBucket)));
        CHECK(tip.contains(r.histogram.groups[0] + QStringLiteral(": ")));
    }

    SECTION("saves PNG and SVG")
    {
        const QString png = dir.filePath(QStringLiteral("chart.png"));
        const QString svg = dir.filePath(QStringLiteral("chart.svg"));
        REQUIRE(view.savePng(png));
        REQUIRE(view.saveSvg(svg));
        QImage image(png);
        CHECK(image.width() == view.chartView()->width());
        CHECK(QFileInfo(svg).size() > 1000);
        QFile file(svg);
        REQUIRE(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QString root;
        int rects = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement) {
                if (root.isEmpty())
                    root = xml.name().toString();
                if (xml.name() == QLatin1String("rect") || xml.name() == QLatin1String("path"))
                    ++rects;
            }
        }
        CHECK_FALSE(xml.hasError());
        CHECK(root == QLatin1String("svg"));
        CHECK(rects > 10);
    }

    SECTION("the chart follows the log's scope and filter")
    {
        int applied = view.resultsApplied();
        eventView.setScope(ViewScope::category(QStringLiteral("shipment")));
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        CHECK(view.scope().category == QLatin1String("shipment"));
        const qint64 shipments = query(path,
            QStringLiteral("SELECT count(*)") + QLatin1String(Events)
                + QStringLiteral(" AND substr(stream_id, 1, instr(stream_id, '-') - 1) = 'shipment'"))[0][0]
                                     .toLongLong();
        CHECK(view.result().histogram.total == shipments);

        applied = view.resultsApplied();
        eventView.filterBar()->setTypes(QStringLiteral("ShipmentCreated"));
        eventView.filterBar()->apply();
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        CHECK(view.result().histogram.groups == QStringList { QStringLiteral("ShipmentCreated") });
        CHECK(view.result().histogram.total
            == query(path,
                QStringLiteral("SELECT count(*)") + QLatin1String(Events)
                    + QStringLiteral(" AND message_type = 'ShipmentCreated'"))[0][0]
                   .toLongLong());
    }
}

TEST_CASE("activity: a superseded or cancelled count never delivers", "[activity]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.sqlite"));
    writeSampleStore(path, { 20000, 11, QStringLiteral("emmett") });
    StoreSession session(StoreOpener { path, {} });
    ActivityJob job;
    job.setSession(&session);
    QSignalSpy finished(&job, &ActivityJob::finished);
    QSignalSpy failed(&job, &ActivityJob::failed);

    ActivityRequest byStream;
    byStream.groupBy = HistogramQuery::GroupBy::Stream;
    ActivityRequest byNothing;
    byNothing.groupBy = HistogramQuery::GroupBy::None;
    byNothing.filter.category = QStringLiteral("account");
    const quint64 first = job.start(byStream);
    const quint64 second = job.start(byNothing);
    CHECK(second > first);
    REQUIRE(waitFor([&] { return finished.count() > 0; }, Timeout));
    QTest::qWait(300);
    REQUIRE(finished.count() == 1);
    CHECK(failed.isEmpty());
    const auto result = finished.front().at(0).value<ActivityResult>();
    CHECK(finished.front().at(1).toULongLong() == second);
    CHECK(result.histogram.groups == QStringList { QString() });
    const qint64 accounts = query(path,
        QStringLiteral("SELECT count(*)") + QLatin1String(Events)
            + QStringLiteral(" AND substr(stream_id, 1, instr(stream_id, '-') - 1) = 'account'"))[0][0]
                                .toLongLong();
    CHECK(result.histogram.total == accounts);
    CHECK_FALSE(job.isRunning());

    job.start(byStream);
    CHECK(job.isRunning());
    job.cancel();
    CHECK_FALSE(job.isRunning());
    QTest::qWait(500);
    REQUIRE(waitFor([&] { return !session.isBusy(); }, Timeout));
    QTest::qWait(100);
    CHECK(finished.count() == 1);

    SECTION("in the view, quick changes apply only the last one")
    {
        ActivityView view;
        view.resize(900, 400);
        view.show();
        view.setSession(&session);
        REQUIRE(waitFor([&] { return settled(view, 0); }, Timeout));
        const int applied = view.resultsApplied();
        view.setGroupBy(HistogramQuery::GroupBy::Stream);
        view.setGroupBy(HistogramQuery::GroupBy::Category);
        REQUIRE(waitFor([&] { return settled(view, applied); }, Timeout));
        QTest::qWait(300);
        CHECK(view.resultsApplied() == applied + 1);
        CHECK(view.result().histogram.groups.size() == 3);
    }
}

TEST_CASE("stream summary: counts per type, first and last, versions, all from the database", "[activity]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.sqlite"));
    writeSampleStore(path, { 20000, 5, QStringLiteral("emmett") });
    StoreSession session(StoreOpener { path, {} });
    StreamSummary summary;
    summary.resize(400, 500);
    summary.show();
    summary.setSession(&session);

    const auto check = [&](const ViewScope& scope, const QString& where) {
        const int applied = summary.summariesApplied();
        summary.setScope(scope);
        REQUIRE(waitFor([&] { return summary.summariesApplied() > applied && !summary.isCounting(); }, Timeout));
        const ScopeSummary& s = summary.summary();
        const auto direct = query(path,
            QStringLiteral("SELECT message_type, count(*)") + QLatin1String(Events) + where
                + QStringLiteral(" GROUP BY 1 ORDER BY 2 DESC, 1"));
        QTableWidget* table = summary.typeTable();
        REQUIRE(table->rowCount() == int(direct.size()));
        qint64 total = 0;
        for (int row = 0; row < table->rowCount(); ++row) {
            CHECK(table->item(row, 0)->text() == direct[size_t(row)][0]);
            CHECK(table->item(row, 1)->data(Qt::UserRole).toLongLong() == direct[size_t(row)][1].toLongLong());
            total += direct[size_t(row)][1].toLongLong();
        }
        CHECK(s.count == total);
        const auto edges = query(path,
            QStringLiteral("SELECT min(global_position), max(global_position), strftime('%s', min(created)), "
                           "strftime('%s', max(created))")
                + QLatin1String(Events) + where);
        CHECK(s.first.position == edges[0][0].toLongLong());
        CHECK(s.last.position == edges[0][1].toLongLong());
        CHECK(s.first.time.toSecsSinceEpoch() == edges[0][2].toLongLong());
        CHECK(s.last.time.toSecsSinceEpoch() == edges[0][3].toLongLong());
        qint64 rate = 0;
        for (const auto& bucket : s.rate.counts)
            for (qint64 n : bucket)
                rate += n;
        CHECK(rate == total);
        CHECK(s.note.isEmpty());
        return s;
    };

    check(ViewScope::all(), QString());
    const ScopeSummary orders = check(ViewScope::category(QStringLiteral("order")),
        QStringLiteral(" AND substr(stream_id, 1, instr(stream_id, '-') - 1) = 'order'"));
    CHECK(orders.streams
        == query(path,
            QStringLiteral("SELECT count(DISTINCT stream_id)") + QLatin1String(Events)
                + QStringLiteral(" AND stream_id LIKE 'order-%'"))[0][0]
               .toLongLong());

    const QString stream = query(path,
        QStringLiteral("SELECT stream_id") + QLatin1String(Events)
            + QStringLiteral(" GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 1"))[0][0];
    const ScopeSummary one = check(ViewScope::stream(stream), QStringLiteral(" AND stream_id = '%1'").arg(stream));
    const auto versions = query(path,
        QStringLiteral("SELECT min(stream_position), max(stream_position)") + QLatin1String(Events)
            + QStringLiteral(" AND stream_id = '%1'").arg(stream));
    CHECK(one.firstVersion == versions[0][0].toLongLong());
    CHECK(one.lastVersion == versions[0][1].toLongLong());
    CHECK(one.count > 1);
}

TEST_CASE("activity: an empty store says so; the chart follows the live tail", "[activity]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("store.sqlite"));
    EmmettWriter w(path, true);
    StoreSession session(StoreOpener { path, {} });
    ActivityView view;
    view.resize(900, 400);
    view.show();
    view.setSession(&session);
    REQUIRE(waitFor([&] { return settled(view, 0); }, Timeout));
    CHECK(view.result().empty());
    auto* overlay = view.findChild<QLabel*>(QStringLiteral("activityOverlay"));
    REQUIRE(overlay);
    CHECK(overlay->isVisible());
    CHECK(overlay->text().startsWith(QStringLiteral("No events")));

    view.setRefreshInterval(200);
    view.setFollowing(true);
    w.append(QStringLiteral("order-1"), { { QStringLiteral("Placed"), QByteArray("{}") } });
    REQUIRE(waitFor([&] { return view.result().histogram.total == 1; }, Timeout));
    CHECK_FALSE(overlay->isVisible());
    w.append(QStringLiteral("order-2"),
        { { QStringLiteral("Placed"), QByteArray("{}") }, { QStringLiteral("Paid"), QByteArray("{}") } });
    REQUIRE(waitFor([&] { return view.result().histogram.total == 3; }, Timeout));
    QStringList groups = view.result().histogram.groups;
    groups.sort();
    CHECK(groups == QStringList { QStringLiteral("Paid"), QStringLiteral("Placed") });
    view.setFollowing(false);
    CHECK_FALSE(view.isFollowing());
}

TEST_CASE("activity and summary on PostgreSQL equal a direct GROUP BY", "[activity][pg]")
{
    ES_REQUIRE_PG("PostgreSQL activity test")
    PgTestDatabase db(QStringLiteral("act"));
    const QString address = db.address();
    writeSampleStore(address, { 4000, 9, QStringLiteral("messagedb") });
    const auto direct = [&](const QString& sql) {
        QByteArray out, err;
        REQUIRE(psql(address, { QStringLiteral("-c"), QStringLiteral("COPY (") + sql + QStringLiteral(") TO STDOUT") },
                    &out, &err)
            == 0);
        std::vector<QList<QByteArray>> rows;
        for (const QByteArray& line : out.split('\n'))
            if (!line.isEmpty())
                rows.push_back(line.split('\t'));
        return rows;
    };

    StoreSession session(StoreOpener { address, {} });
    ActivityView view;
    view.resize(1200, 480);
    view.show();
    view.setSession(&session);
    REQUIRE(waitFor([&] { return settled(view, 0); }, Timeout));
    const ActivityResult& r = view.result();
    const qint64 size = r.histogram.bucketSeconds;
    REQUIRE(size > 0);
    std::map<std::pair<qint64, QString>, qint64> byType;
    std::map<qint64, qint64> byBucket;
    for (const auto& row : direct(QStringLiteral("SELECT (floor(extract(epoch from time) / %1) * %1)::bigint, type, "
                                                 "count(*) FROM message_store.messages GROUP BY 1, 2")
                                      .arg(size))) {
        byType[{ row[0].toLongLong(), QString::fromUtf8(row[1]) }] = row[2].toLongLong();
        byBucket[row[0].toLongLong()] += row[2].toLongLong();
    }
    qint64 total = 0;
    for (size_t i = 0; i < r.starts.size(); ++i) {
        qint64 named = 0;
        for (int g = 0; g < r.histogram.groups.size(); ++g) {
            if (r.histogram.groups[g] == Histogram::otherLabel())
                continue;
            const auto it = byType.find({ r.starts[i], r.histogram.groups[g] });
            CHECK(r.counts[i][size_t(g)] == (it == byType.end() ? 0 : it->second));
            named += r.counts[i][size_t(g)];
        }
        if (r.histogram.hasOther)
            CHECK(r.counts[i].back() == byBucket[r.starts[i]] - named);
        total += byBucket[r.starts[i]];
    }
    CHECK(r.histogram.total == total);
    CHECK(total == direct(QStringLiteral("SELECT count(*) FROM message_store.messages"))[0][0].toLongLong());

    auto store = StoreOpener { address, {} }();
    const CategoryList categories = store->categories();
    REQUIRE_FALSE(categories.empty());
    EventFilter scope;
    scope.category = categories.front().name;
    const ScopeSummary s = activity::summarize(*store, scope);
    const auto types = direct(QStringLiteral("SELECT type, count(*) FROM message_store.messages WHERE "
                                             "message_store.category(stream_name) = '%1' GROUP BY 1 ORDER BY 2 DESC, 1")
                                  .arg(scope.category));
    REQUIRE(s.typeCounts.size() == types.size());
    for (size_t i = 0; i < types.size(); ++i) {
        CHECK(s.typeCounts[i].first == QString::fromUtf8(types[i][0]));
        CHECK(s.typeCounts[i].second == types[i][1].toLongLong());
    }
    CHECK(s.count == s.rate.histogram.total);
}
