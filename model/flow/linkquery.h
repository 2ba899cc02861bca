#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace es {

// One lookup of linked events (EventStore::linkedEvents): the events whose correlation id, causation reference, id
// or global position is one of the values, OR-ed across the lists, in position order. Values are compared as text
// (a position as its decimal digits). The engine builds the statement from the layout's profile (connectors/sql/
// flowsql.h); every value is bound.
struct LinkQuery {
    enum class Kind {
        Correlation, // the event's correlation id
        Causation, // the event's causation reference: the events a reference names as their cause (effects)
        Id, // the event's own id (causes named by id)
        Position, // the event's global position (causes named by position)
    };
    QStringList correlations;
    QStringList causations;
    QStringList ids;
    QStringList positions;
    // Inclusive window of global positions; -1: unbounded. A lookup a layout has no index for is always windowed
    // unless the caller announced a scan of the whole log.
    qint64 fromPosition = -1;
    qint64 toPosition = -1;
    int limit = 0; // at most this many events (0: all)

    QStringList& values(Kind kind)
    {
        switch (kind) {
        case Kind::Correlation:
            return correlations;
        case Kind::Causation:
            return causations;
        case Kind::Id:
            return ids;
        case Kind::Position:
            break;
        }
        return positions;
    }
    bool isEmpty() const
    {
        return correlations.isEmpty() && causations.isEmpty() && ids.isEmpty() && positions.isEmpty();
    }
};

// Many flows (EventStore::flowRows): one row per correlation id among the events of `startType`, grouped by the
// database over every event with that correlation id.
struct FlowScanRequest {
    QString startType;
    qint64 fromPosition = -1; // only start events in this window of positions (-1: unbounded)
    qint64 toPosition = -1;
};

struct FlowRow {
    QString correlationId;
    QStringList types; // in position order
    qint64 firstPosition = -1;
    QDateTime firstTime; // invalid where the layout keeps none
    QDateTime lastTime;
    qint64 events = 0;
};

} // namespace es
