#include "fold/timelineindex.h"

#include <QTimeZone>

namespace es {

QDateTime TimelineIndex::timeAt(qint64 index) const
{
    const qint64 ms = timesMs.at(index);
    return ms == noTime ? QDateTime() : QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

qint64 TimelineIndex::indexAtOrBefore(qint64 version) const
{
    if (count() == 0)
        return -1;
    if (denseVersions)
        return qBound<qint64>(-1, version - firstVersion, count() - 1);
    return versions.upperBound(version) - 1;
}

qint64 TimelineIndex::indexAsOf(const QDateTime& time) const
{
    if (!time.isValid() || count() == 0)
        return -1;
    const qint64 ms = time.toMSecsSinceEpoch();
    if (timesSorted)
        return timesMs.upperBound(ms) - 1;
    qint64 found = -1;
    timesMs.scan(0, count(), [&](qint64 i, qint64 t) {
        if (t != noTime && t <= ms)
            found = i;
    });
    return found;
}

qint64 TimelineIndex::bytes() const
{
    return versions.bytes() + positions.bytes() + timesMs.bytes() + typeIds.bytes() + qint64(sizeof(*this));
}

void TimelineIndex::append(qint64 version, qint64 position, qint64 timeMs, quint16 typeId)
{
    const qint64 index = count();
    if (index == 0) {
        firstVersion = version;
    } else if (denseVersions && version != firstVersion + index) {
        denseVersions = false;
        for (qint64 i = 0; i < index; ++i)
            versions.append(firstVersion + i);
    }
    if (!denseVersions)
        versions.append(version);
    positions.append(position);
    if (index > 0 && (timeMs == noTime || timeMs < timesMs.back()))
        timesSorted = false;
    timesMs.append(timeMs);
    typeIds.append(typeId);
}

} // namespace es
