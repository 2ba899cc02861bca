#pragma once

#include "fold/reducer.h"

#include <QDateTime>
#include <QMetaType>
#include <QStringList>

#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace es {

// The index of one folded stream: the version, position, time and type of every event, and how the fold went.
// A Timeline builds it once and never changes it after build(), so it crosses threads as a pointer to const: the
// strip, the event list and time jumps read it on the GUI thread while the Timeline folds on in its own.
struct TimelineIndex {
    static constexpr qint64 noTime = std::numeric_limits<qint64>::min();

    QString stream;
    QString reducerName;
    qint64 firstVersion = -1;
    bool denseVersions = true; // versions run firstVersion, firstVersion + 1, …: `versions` stays empty
    std::vector<qint64> versions;
    std::vector<qint64> positions;
    std::vector<qint64> timesMs; // noTime where the layout keeps no time
    bool timesSorted = true; // ascending with no noTime after the first event
    std::vector<quint16> typeIds;
    QStringList types; // distinct event types in order of first appearance; typeIds index into it

    // How build() ended: the first event the reducer failed on (states from there on stay as of the event before),
    // the snapshot interval it settled on and what one event cost to read and fold.
    std::optional<ReducerError> reducerError;
    qint64 errorIndex = -1;
    int snapshotInterval = 0;
    double foldMicrosPerEvent = 0;

    qint64 count() const { return qint64(positions.size()); }
    qint64 versionAt(qint64 index) const { return denseVersions ? firstVersion + index : versions[std::size_t(index)]; }
    qint64 lastVersion() const { return count() ? versionAt(count() - 1) : -1; }
    qint64 positionAt(qint64 index) const { return positions[std::size_t(index)]; }
    QDateTime timeAt(qint64 index) const;
    int typeIdAt(qint64 index) const { return typeIds[std::size_t(index)]; }
    QString typeAt(qint64 index) const { return types.value(typeIds[std::size_t(index)]); }
    // Index of the event with this version, or of the last event before it; -1 before the first.
    qint64 indexAtOrBefore(qint64 version) const;
    // Index of the last event whose time is at or before `time`; -1 when the stream starts later (or keeps no time).
    qint64 indexAsOf(const QDateTime& time) const;
};
using TimelineIndexPtr = std::shared_ptr<const TimelineIndex>;

} // namespace es

Q_DECLARE_METATYPE(es::TimelineIndexPtr)
