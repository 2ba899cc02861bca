#pragma once

#include "core/eventfilter.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <vector>

namespace es {

// Events per time bucket, counted by the database. Buckets are computed in UTC; only labels use the shown zone.
struct HistogramQuery {
    enum class GroupBy { None, Type, Category, Stream };
    static constexpr qint64 Month = 0; // bucketSeconds for calendar months (UTC)

    EventFilter filter;
    QDateTime from; // inclusive; invalid = no bound (intersected with the filter's times)
    QDateTime to; // exclusive; invalid = no bound
    qint64 bucketSeconds = 3600;
    GroupBy groupBy = GroupBy::None;
    int topN = 8;
    // Only global positions in [fromKey, toKey] (-1: no bound); ignored for one stream. How a count is split in parts.
    qint64 fromKey = -1;
    qint64 toKey = -1;
};

// One row as the database returns it: a bucket start (UTC epoch seconds), a group and its count. The database may
// cut the top N itself: a row with `other` set sums the groups outside it.
struct HistogramRow {
    qint64 bucket = 0;
    QString group;
    qint64 count = 0;
    bool other = false;
};

struct Histogram {
    qint64 bucketSeconds = 3600;
    std::vector<qint64> buckets; // UTC epoch seconds of each non-empty bucket's start, ascending
    QStringList groups; // the top N groups by count, then otherLabel() when more groups exist
    std::vector<std::vector<qint64>> counts; // [bucket][group]
    qint64 total = 0;
    bool hasOther = false;
    qint64 rowsFetched = 0; // rows the database sent
    bool estimated = false; // scaled up from a sample (EventStore::estimateHistogram), not counted

    static QString otherLabel() { return QStringLiteral("(other)"); }
    // Folds database rows into buckets and the top N groups (the rest, and rows already marked other, summed into
    // "other").
    static Histogram fromRows(const std::vector<HistogramRow>& rows, qint64 bucketSeconds, int topN);
    qint64 bucketTotal(int bucket) const;
};

namespace histogram {
// The smallest "nice" bucket (1 s ... 1 week, then months) giving at most maxBuckets over rangeSeconds.
qint64 chooseBucketSeconds(qint64 rangeSeconds, int maxBuckets = 120);
// The "nice" bucket sizes in seconds, ascending (months not included).
std::vector<qint64> bucketSteps();
// The start of the UTC bucket holding t (epoch seconds).
qint64 bucketStart(qint64 t, qint64 bucketSeconds);
// The start of the next bucket.
qint64 bucketEnd(qint64 start, qint64 bucketSeconds);
// The bucket start in the zone times are shown in (TimeFormat), as precise as the bucket size needs.
QString bucketLabel(qint64 start, qint64 bucketSeconds);
// "1 hour", "5 minutes", "1 month"...
QString bucketName(qint64 bucketSeconds);
QDateTime toUtc(qint64 epochSeconds);
// An estimated count as shown: three significant digits, "≈ 9.98M", "≈ 412k", "≈ 87".
QString approximateCount(qint64 n);
} // namespace histogram

} // namespace es
