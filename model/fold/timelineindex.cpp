#include "fold/timelineindex.h"

#include <QTimeZone>

#include <algorithm>

namespace es {

QDateTime TimelineIndex::timeAt(qint64 index) const
{
    const qint64 ms = timesMs[std::size_t(index)];
    return ms == noTime ? QDateTime() : QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

qint64 TimelineIndex::indexAtOrBefore(qint64 version) const
{
    if (count() == 0)
        return -1;
    if (denseVersions)
        return qBound<qint64>(-1, version - firstVersion, count() - 1);
    const auto it = std::upper_bound(versions.begin(), versions.end(), version);
    return qint64(it - versions.begin()) - 1;
}

qint64 TimelineIndex::indexAsOf(const QDateTime& time) const
{
    if (!time.isValid() || count() == 0)
        return -1;
    const qint64 ms = time.toMSecsSinceEpoch();
    if (timesSorted)
        return qint64(std::upper_bound(timesMs.begin(), timesMs.end(), ms) - timesMs.begin()) - 1;
    for (qint64 i = count() - 1; i >= 0; --i) {
        if (timesMs[std::size_t(i)] != noTime && timesMs[std::size_t(i)] <= ms)
            return i;
    }
    return -1;
}

} // namespace es
