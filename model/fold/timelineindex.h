#pragma once

#include "fold/packedcolumn.h"
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
// strip, the event list and time jumps read it on the GUI thread while the Timeline folds on in its own. Compact:
// positions, times and (unless dense) versions as PackedColumns and type ids in a byte each, about 3-5 bytes an
// event where three std::vector<qint64> and one of quint16 took 18-26 (bytes() says how much it holds).
struct TimelineIndex {
    static constexpr qint64 noTime = std::numeric_limits<qint64>::min();

    QString stream;
    QString reducerName;
    qint64 firstVersion = -1;
    bool denseVersions = true; // versions run firstVersion, firstVersion + 1, …: `versions` stays empty
    PackedColumn versions;
    PackedColumn positions;
    PackedColumn timesMs; // noTime where the layout keeps no time
    bool timesSorted = true; // ascending with no noTime after the first event
    TypeIdColumn typeIds;
    QStringList types; // distinct event types in order of first appearance; typeIds index into it

    // How build() ended: the first event the reducer failed on (states from there on stay as of the event before),
    // the snapshot interval it settled on and what one event cost to read and fold.
    std::optional<ReducerError> reducerError;
    qint64 errorIndex = -1;
    int snapshotInterval = 0;
    double foldMicrosPerEvent = 0;

    qint64 count() const { return positions.size(); }
    qint64 versionAt(qint64 index) const { return denseVersions ? firstVersion + index : versions.at(index); }
    qint64 lastVersion() const { return count() ? (denseVersions ? firstVersion + count() - 1 : versions.back()) : -1; }
    qint64 positionAt(qint64 index) const { return positions.at(index); }
    qint64 timeMsAt(qint64 index) const { return timesMs.at(index); }
    QDateTime timeAt(qint64 index) const;
    int typeIdAt(qint64 index) const { return typeIds.at(index); }
    QString typeAt(qint64 index) const { return types.value(typeIds.at(index)); }
    // Index of the event with this version, or of the last event before it; -1 before the first.
    qint64 indexAtOrBefore(qint64 version) const;
    // Index of the last event whose time is at or before `time`; -1 when the stream starts later (or keeps no time).
    qint64 indexAsOf(const QDateTime& time) const;
    // What the index holds in memory, in bytes.
    qint64 bytes() const;

    // Building (Timeline::build only): adds the next event, its type as an id into `types`.
    void append(qint64 version, qint64 position, qint64 timeMs, quint16 typeId);
};
using TimelineIndexPtr = std::shared_ptr<const TimelineIndex>;

} // namespace es

Q_DECLARE_METATYPE(es::TimelineIndexPtr)
