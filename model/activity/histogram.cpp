#include "activity/histogram.h"

#include "display/timeformat.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace es {

Histogram Histogram::fromRows(const std::vector<HistogramRow>& rows, qint64 bucketSeconds, int topN)
{
    Histogram h;
    h.bucketSeconds = bucketSeconds;
    h.rowsFetched = qint64(rows.size());
    QHash<QString, qint64> perGroup;
    std::map<qint64, int> bucketIndex;
    bool cutOther = false;
    for (const HistogramRow& r : rows) {
        if (r.other)
            cutOther = true;
        else
            perGroup[r.group] += r.count;
        bucketIndex.emplace(r.bucket, 0);
    }
    std::vector<std::pair<QString, qint64>> ranked;
    ranked.reserve(size_t(perGroup.size()));
    for (auto it = perGroup.cbegin(); it != perGroup.cend(); ++it)
        ranked.emplace_back(it.key(), it.value());
    std::sort(ranked.begin(), ranked.end(),
        [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    const size_t keep = std::min(ranked.size(), size_t(std::max(1, topN)));
    QHash<QString, int> groupIndex;
    for (size_t i = 0; i < keep; ++i) {
        groupIndex.insert(ranked[i].first, int(i));
        h.groups.append(ranked[i].first);
    }
    h.hasOther = ranked.size() > keep || cutOther;
    if (h.hasOther)
        h.groups.append(otherLabel());
    const int otherIndex = int(keep);

    int i = 0;
    for (auto& [bucket, index] : bucketIndex) {
        index = i++;
        h.buckets.push_back(bucket);
    }
    h.counts.assign(h.buckets.size(), std::vector<qint64>(size_t(h.groups.size()), 0));
    for (const HistogramRow& r : rows) {
        const int g = r.other ? otherIndex : groupIndex.value(r.group, otherIndex);
        h.counts[size_t(bucketIndex[r.bucket])][size_t(g)] += r.count;
        h.total += r.count;
    }
    return h;
}

qint64 Histogram::bucketTotal(int bucket) const
{
    qint64 sum = 0;
    for (qint64 c : counts.at(size_t(bucket)))
        sum += c;
    return sum;
}

namespace histogram {

namespace {
constexpr qint64 Minute = 60;
constexpr qint64 Hour = 3600;
constexpr qint64 Day = 86400;
constexpr std::array<qint64, 19> Steps { 1, 2, 5, 10, 15, 30, Minute, 2 * Minute, 5 * Minute, 10 * Minute, 15 * Minute,
    30 * Minute, Hour, 2 * Hour, 3 * Hour, 6 * Hour, 12 * Hour, Day, 7 * Day };

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
} // namespace

qint64 chooseBucketSeconds(qint64 rangeSeconds, int maxBuckets)
{
    const qint64 range = std::max<qint64>(1, rangeSeconds);
    const qint64 most = std::max(1, maxBuckets);
    for (qint64 step : Steps) {
        if ((range + step - 1) / step <= most)
            return step;
    }
    return HistogramQuery::Month;
}

std::vector<qint64> bucketSteps()
{
    return { Steps.begin(), Steps.end() };
}

QDateTime toUtc(qint64 epochSeconds)
{
    return QDateTime::fromSecsSinceEpoch(epochSeconds, Qt::UTC);
}

qint64 bucketStart(qint64 t, qint64 bucketSeconds)
{
    if (bucketSeconds > 0)
        return floorDiv(t, bucketSeconds) * bucketSeconds;
    const QDate d = toUtc(t).date();
    return QDateTime(QDate(d.year(), d.month(), 1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
}

qint64 bucketEnd(qint64 start, qint64 bucketSeconds)
{
    if (bucketSeconds > 0)
        return start + bucketSeconds;
    const QDate d = toUtc(start).date();
    return QDateTime(QDate(d.year(), d.month(), 1).addMonths(1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
}

QString bucketLabel(qint64 start, qint64 bucketSeconds)
{
    const QDateTime local = TimeFormat::toShownZone(toUtc(start));
    if (bucketSeconds <= 0)
        return local.toString(QStringLiteral("yyyy-MM"));
    if (bucketSeconds % Day == 0 && local.time() == QTime(0, 0))
        return local.toString(QStringLiteral("yyyy-MM-dd"));
    if (bucketSeconds % Minute == 0)
        return local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString bucketName(qint64 bucketSeconds)
{
    const auto plural = [](qint64 n, const char* unit) {
        const QString one = QString::number(n) + u' ' + QLatin1String(unit);
        return n == 1 ? one : one + u's';
    };
    if (bucketSeconds <= 0)
        return QStringLiteral("1 month");
    if (bucketSeconds % (7 * Day) == 0)
        return plural(bucketSeconds / (7 * Day), "week");
    if (bucketSeconds % Day == 0)
        return plural(bucketSeconds / Day, "day");
    if (bucketSeconds % Hour == 0)
        return plural(bucketSeconds / Hour, "hour");
    if (bucketSeconds % Minute == 0)
        return plural(bucketSeconds / Minute, "minute");
    return plural(bucketSeconds, "second");
}

QString approximateCount(qint64 n)
{
    static constexpr std::array<std::pair<double, char>, 3> Units { { { 1e9, 'B' }, { 1e6, 'M' }, { 1e3, 'k' } } };
    const double value = double(n);
    for (const auto& [size, unit] : Units) {
        if (std::abs(value) >= size * 0.9995)
            return QStringLiteral("≈ ") + QString::number(value / size, 'g', 3) + QLatin1Char(unit);
    }
    return QStringLiteral("≈ ") + QString::number(n);
}

} // namespace histogram

} // namespace es
