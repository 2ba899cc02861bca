#pragma once

#include "core/eventfilter.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

#include <vector>

namespace es {

// One consumer's recorded progress, as the store keeps it.
struct CheckpointRow {
    QString name; // projection, processor or subscription
    QString partition; // partition, tenant or segment; empty when the layout keeps none
    EventFilter scope; // what it reads: empty = the global log, or a category, or one stream (keys are versions)
    QString raw; // the stored value as text
    bool hasValue = false; // false: nothing processed yet (NULL value or no row), so fully behind
    qint64 position = -1; // key of the last processed event; -1 when nothing processed or unparseable
    QString error; // why the stored value could not be read; empty when it could
    QString source; // the table it came from
    QString format; // how the stored value reads
};

struct CheckpointSet {
    std::vector<CheckpointRow> rows;
    // Why there are no rows when the layout keeps none or its tables are missing; empty otherwise.
    QString note;
};

// The state of one scope and of some keys in it, read in one go.
struct ScopeProgress {
    qint64 total = 0; // events in the scope
    bool totalEstimated = false; // total extrapolated rather than counted (see Probe::estimated)
    qint64 headKey = -1; // last key; -1 when the scope is empty
    QDateTime headTime;
    struct Probe {
        qint64 position = -1; // as asked
        qint64 after = 0; // events in the scope with a key above it, counted (keys may have gaps)
        // Engines may count exactly only up to a bound and extrapolate beyond it; then this is set.
        bool estimated = false;
        QDateTime time; // time of the last event in the scope at or before it
    };
    std::vector<Probe> probes; // in the order asked
    QString error; // set when this scope could not be read (the others may have been)
};

// One scope of a lag poll and the checkpoint positions to probe in it.
struct ScopeRequest {
    EventFilter scope;
    std::vector<qint64> positions;
};

} // namespace es

Q_DECLARE_METATYPE(es::CheckpointRow)
Q_DECLARE_METATYPE(es::CheckpointSet)
