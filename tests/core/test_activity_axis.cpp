#include <catch2/catch.hpp>

// The Activity chart's maths and zoom history, without a chart.

#include "activity/activityaxis.h"
#include "activity/histogram.h"
#include "activity/zoomstack.h"

#include <QTimeZone>

using namespace es;

namespace {

QDateTime utc(int y, int m, int d, int h = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, 0), QTimeZone::utc());
}

ActivityAxis axis(const QDateTime& first, int bars, qint64 bucketSeconds, const QTimeZone& zone = QTimeZone::utc())
{
    ActivityAxis a;
    a.bucketSeconds = bucketSeconds;
    a.zone = zone;
    qint64 t = first.toSecsSinceEpoch();
    for (int i = 0; i < bars; ++i) {
        a.starts.push_back(t);
        t = histogram::bucketEnd(t, bucketSeconds);
    }
    return a;
}

std::vector<int> indexes(const std::vector<ActivityAxis::Label>& labels)
{
    std::vector<int> out;
    for (const auto& l : labels)
        out.push_back(l.index);
    return out;
}

QStringList texts(const std::vector<ActivityAxis::Label>& labels)
{
    QStringList out;
    for (const auto& l : labels)
        out.append(l.text);
    return out;
}

} // namespace

TEST_CASE("Zoom stack: push, pop and reset with the current range", "[activity][zoom]")
{
    ZoomStack zoom;
    CHECK_FALSE(zoom.isZoomed());
    CHECK_FALSE(zoom.current());
    CHECK_FALSE(zoom.pop());
    CHECK_FALSE(zoom.reset());

    CHECK_FALSE(zoom.push(QDateTime(), utc(2024, 5, 1)));
    CHECK_FALSE(zoom.push(utc(2024, 5, 2), utc(2024, 5, 1)));
    CHECK_FALSE(zoom.push(utc(2024, 5, 1), utc(2024, 5, 1)));
    CHECK(zoom.depth() == 0);

    const QDateTime berlin = QDateTime(QDate(2024, 5, 1), QTime(12, 0), QTimeZone(7200));
    REQUIRE(zoom.push(berlin, berlin.addSecs(3600)));
    REQUIRE(zoom.current());
    CHECK(zoom.current()->from == utc(2024, 5, 1, 10));
    CHECK(zoom.current()->from.timeSpec() == Qt::UTC);
    REQUIRE(zoom.push(utc(2024, 5, 1, 10), utc(2024, 5, 1, 10).addSecs(60)));
    CHECK(zoom.depth() == 2);
    CHECK(zoom.current()->to == utc(2024, 5, 1, 10).addSecs(60));
    CHECK(zoom.pop());
    CHECK(zoom.depth() == 1);
    CHECK(zoom.current()->to == utc(2024, 5, 1, 11));
    REQUIRE(zoom.push(utc(2024, 5, 1, 10), utc(2024, 5, 1, 11)));
    CHECK(zoom.reset());
    CHECK(zoom.depth() == 0);
    CHECK_FALSE(zoom.current());
}

TEST_CASE("Activity axis: bars under x, drag spans and stacked segments", "[activity][axis]")
{
    const ActivityAxis hours = axis(utc(2024, 5, 1), 5, 3600);
    CHECK(hours.indexAt(-0.6) == -1);
    CHECK(hours.indexAt(-0.4) == 0);
    CHECK(hours.indexAt(2.2) == 2);
    CHECK(hours.indexAt(4.49) == 4);
    CHECK(hours.indexAt(4.6) == -1);

    CHECK(hours.bucketSpan(1) == std::pair(utc(2024, 5, 1, 1), utc(2024, 5, 1, 2)));
    CHECK(hours.dragSpan(3.7, 1.2) == std::pair(utc(2024, 5, 1, 1), utc(2024, 5, 1, 5)));
    CHECK(hours.dragSpan(-10, 100) == std::pair(utc(2024, 5, 1, 0), utc(2024, 5, 1, 5)));
    CHECK_FALSE(ActivityAxis().dragSpan(0, 1));

    const ActivityAxis months = axis(utc(2024, 1, 1), 3, HistogramQuery::Month);
    CHECK(months.bucketSpan(1) == std::pair(utc(2024, 2, 1), utc(2024, 3, 1)));

    CHECK(ActivityAxis::segmentCentre({ 3, 0, 5 }, 7, 2) == QPointF(7, 5.5));
    CHECK(ActivityAxis::segmentCentre({ 3, 0, 5 }, 7, 0) == QPointF(7, 1.5));
}

TEST_CASE("Activity axis: whole-number ticks, about five of them", "[activity][axis]")
{
    auto ticks = [](qint64 peak) {
        const auto t = ActivityAxis::valueTicks(peak);
        return std::pair(t.interval, t.max);
    };
    CHECK(ticks(0) == std::pair(1.0, 1.0));
    CHECK(ticks(5) == std::pair(1.0, 5.0));
    CHECK(ticks(6) == std::pair(2.0, 6.0));
    CHECK(ticks(11) == std::pair(5.0, 15.0));
    CHECK(ticks(26) == std::pair(10.0, 30.0));
    CHECK(ticks(99) == std::pair(20.0, 100.0));
    CHECK(ticks(101) == std::pair(50.0, 150.0));
    CHECK(ticks(1000) == std::pair(200.0, 1000.0));
    CHECK(ActivityAxis::peak({ { 1, 2 }, { 5 }, {} }) == 5);
    CHECK(ActivityAxis::peak({}) == 0);
}

TEST_CASE("Activity axis: time labels on round local times", "[activity][axis]")
{
    // 48 hourly bars of 20 px, labels 120 px wide: one label every 6 bars, on 00:00, 06:00, 12:00, 18:00.
    const ActivityAxis hours = axis(utc(2024, 5, 1), 48, 3600);
    CHECK(hours.labelSample() == QLatin1String("2024-05-01 00:00:00"));
    auto labels = hours.labels(960, 120);
    CHECK(indexes(labels) == std::vector<int> { 6, 12, 18, 24, 30, 36, 42 }); // 0 and 48 stick out
    CHECK(texts(labels)
        == QStringList { u"2024-05-01 06:00"_qs, u"12:00"_qs, u"18:00"_qs, u"2024-05-02 00:00"_qs, u"06:00"_qs,
            u"12:00"_qs, u"18:00"_qs });

    // The same buckets read two hours east of UTC: round local times fall on other bars.
    const ActivityAxis east = axis(utc(2024, 5, 1), 48, 3600, QTimeZone(7200));
    labels = east.labels(960, 120);
    CHECK(indexes(labels) == std::vector<int> { 4, 10, 16, 22, 28, 34, 40 });
    CHECK(texts(labels).first() == QLatin1String("2024-05-01 06:00"));
    CHECK(texts(labels)[3] == QLatin1String("2024-05-02 00:00"));

    // Days, every 5 bars: weekly labels on Mondays (1 May 2024 was a Wednesday), dates only.
    const ActivityAxis days = axis(utc(2024, 5, 1), 60, 86400);
    CHECK(days.labelSample() == QLatin1String("yyyy-MM-dd"));
    labels = days.labels(600, 50);
    CHECK(indexes(labels) == std::vector<int> { 5, 12, 19, 26, 33, 40, 47, 54 });
    CHECK(texts(labels).first() == QLatin1String("2024-05-06"));

    // Wider labels: no round step fits, so every 10th bar that fits.
    labels = days.labels(600, 100);
    CHECK(indexes(labels) == std::vector<int> { 10, 20, 30, 40, 50 });
    CHECK(texts(labels).first() == QLatin1String("2024-05-11"));

    const ActivityAxis months = axis(utc(2023, 1, 1), 24, HistogramQuery::Month);
    CHECK(months.labelSample() == QLatin1String("yyyy-MM"));
    labels = months.labels(960, 60);
    CHECK(indexes(labels) == std::vector<int> { 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22 }); // every other bar but 0
    CHECK(texts(labels).first() == QLatin1String("2023-03"));

    CHECK(ActivityAxis().labels(960, 120).empty());
}
