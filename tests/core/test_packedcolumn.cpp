// The compact columns of a timeline's index: every value read back as written, in little memory.
#include <catch2/catch.hpp>

#include "fold/packedcolumn.h"
#include "fold/timelineindex.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <limits>
#include <random>

using namespace es;

TEST_CASE("packed column: values read back by index, by scan and by upper bound", "[timeline][packed]")
{
    std::mt19937_64 random(11);
    std::vector<qint64> values;
    PackedColumn column;
    qint64 v = -5;
    for (int i = 0; i < 100000; ++i) {
        // Mostly small steps, sometimes a large one, now and then the extremes (a missing time is INT64_MIN).
        const int r = int(random() % 1000);
        if (r == 0)
            v = std::numeric_limits<qint64>::min();
        else if (r == 1)
            v = std::numeric_limits<qint64>::max();
        else if (r < 20)
            v = qint64(random() >> 4);
        else // wrapping past the extremes, as two's complement does (a signed overflow is undefined)
            v = qint64(quint64(v) + quint64(qint64(random() % 300) - 20));
        values.push_back(v);
        column.append(v);
    }
    REQUIRE(column.size() == qint64(values.size()));
    CHECK(column.back() == values.back());
    for (int n = 0; n < 5000; ++n) {
        const qint64 i = qint64(random() % values.size());
        REQUIRE(column.at(i) == values[std::size_t(i)]);
    }
    qint64 seen = 0;
    column.scan(777, 5432, [&](qint64 i, qint64 value) {
        CHECK(i == 777 + seen);
        CHECK(value == values[std::size_t(i)]);
        ++seen;
    });
    CHECK(seen == 5432 - 777);

    PackedColumn rising;
    std::vector<qint64> sorted;
    qint64 t = 1700000000000;
    for (int i = 0; i < 50000; ++i) {
        t += qint64(random() % 3) * 250; // repeats as well as steps
        sorted.push_back(t);
        rising.append(t);
    }
    for (const qint64 probe : { sorted.front() - 1, sorted.front(), sorted[1234], sorted[1234] + 1, sorted.back(),
             sorted.back() + 1, sorted[49000] - 1 }) {
        INFO(probe);
        CHECK(
            rising.upperBound(probe) == qint64(std::upper_bound(sorted.begin(), sorted.end(), probe) - sorted.begin()));
    }
    // Steps of up to 500 ms take one or two bytes; the block table a quarter of a byte more, pages not yet full a
    // little.
    CHECK(double(rising.bytes()) / 50000 < 3.0);
}

TEST_CASE("timeline index: about four bytes an event, versions kept only when "
          "they are not dense",
    "[timeline][packed]")
{
    TimelineIndex dense;
    TimelineIndex gaps;
    const qint64 n = 200000;
    // As Timeline::build does, from the stream's count.
    dense.typeIds.reserve(n);
    gaps.typeIds.reserve(n);
    for (qint64 i = 0; i < n; ++i) {
        dense.append(i + 1, 3 * i + 7, 1700000000000 + i * 40, quint16(i % 5));
        gaps.append(2 * i, 3 * i + 7, i == 10 ? TimelineIndex::noTime : 1700000000000 + i * 40, quint16(i % 300));
    }
    CHECK(dense.count() == n);
    CHECK(dense.denseVersions);
    CHECK(dense.versions.empty());
    CHECK(dense.lastVersion() == n);
    CHECK(dense.positionAt(12345) == 3 * 12345 + 7);
    CHECK(dense.typeIdAt(12346) == 12346 % 5);
    CHECK(dense.timeAt(100) == QDateTime::fromMSecsSinceEpoch(1700000000000 + 4000, QTimeZone::utc()));
    CHECK(dense.indexAsOf(QDateTime::fromMSecsSinceEpoch(1700000000000 + 4039, QTimeZone::utc())) == 100);
    CHECK(dense.indexAtOrBefore(500) == 499);
    CHECK(double(dense.bytes()) / double(n) < 4.5); // 3.5 and pages, block tables not yet full

    CHECK_FALSE(gaps.denseVersions);
    CHECK(gaps.versionAt(0) == 0);
    CHECK(gaps.versionAt(n - 1) == 2 * (n - 1));
    CHECK(gaps.indexAtOrBefore(4001) == 2000);
    CHECK(gaps.indexAtOrBefore(-1) == -1);
    CHECK_FALSE(gaps.timesSorted);
    CHECK_FALSE(gaps.timeAt(10).isValid());
    CHECK(gaps.indexAsOf(QDateTime::fromMSecsSinceEpoch(1700000000000 + 40 * 11, QTimeZone::utc())) == 11);
    CHECK(gaps.typeIdAt(n - 1) == int((n - 1) % 300)); // past 256 types: two bytes each
    CHECK(double(gaps.bytes()) / double(n) < 7.5);
}
