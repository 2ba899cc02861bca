#pragma once

#include "core/checkpoint.h"

#include <QDateTime>
#include <QHash>
#include <QMetaType>
#include <QString>

#include <deque>
#include <optional>
#include <vector>

namespace es {

class EventStore;

enum class LagStatus {
    CaughtUp,
    CatchingUp,
    FallingBehind,
    Stalled,
    Behind, // behind, and one sample is not enough to tell which way it is going
    Ahead, // the checkpoint is past the last event of its scope
    Unparseable,
    Error,
};
// Stable machine names ("caught-up", "catching-up", "falling-behind", "stalled", "behind", "ahead-of-head",
// "unparseable", "error") and titles for people.
QString lagStatusName(LagStatus status);
QString lagStatusTitle(LagStatus status);

struct LagThresholds {
    qint64 caughtUpEvents = 0; // a lag at or below this counts as caught up
    double stallSeconds = 30; // behind and not moving for this long: stalled
    double rateWindowSeconds = 60; // rates are measured over the samples of this window
};

// One consumer as measured by one poll.
struct LagReading {
    CheckpointRow checkpoint;
    qint64 head = -1; // last key of its scope
    qint64 total = 0; // events in its scope
    qint64 lagEvents = -1; // events after the checkpoint, counted; -1 when unknown
    bool lagEstimated = false; // lagEvents extrapolated by the engine, not counted
    std::optional<double> lagSeconds; // head time minus the time of the last processed event
    QString error; // why the scope could not be measured
};

struct LagPoll {
    QDateTime at; // UTC
    std::vector<LagReading> readings;
    QString note; // from CheckpointSet::note
    qint64 queries = 0; // store calls this poll made (the checkpoints, then every scope's progress at once)
};

// Reads every checkpoint and counts its lag: one query for the checkpoints, one call per distinct scope.
// Runs wherever the store lives (worker thread, CLI). Throws StoreError only when the checkpoints cannot be read.
LagPoll pollLag(EventStore& store);

QString scopeText(const EventFilter& scope); // "global", "category:X", "stream:X"

// A consumer with its figures over time.
struct LagRow {
    QString key; // name and partition
    QString name;
    QString partition;
    QString scope;
    QString raw;
    qint64 position = -1;
    bool started = false;
    qint64 head = -1;
    qint64 lagEvents = -1;
    bool lagEstimated = false;
    std::optional<double> lagSeconds;
    std::optional<double> ratePerSecond; // events processed per second
    std::optional<double> etaSeconds; // to catch up at the current closing rate
    LagStatus status = LagStatus::Behind;
    QString detail; // error or note for people
    double stalledFor = 0; // seconds without moving while behind
    EventFilter scopeFilter;
};

struct LagSample {
    QDateTime at;
    qint64 lagEvents = -1;
    qint64 position = -1;
    qint64 total = 0;
};

// Turns polls into rates, ETAs and statuses. Plain data: the GUI and the CLI each keep one.
class LagTracker {
public:
    explicit LagTracker(LagThresholds thresholds = {}, int maxSamples = 1800);

    void setThresholds(const LagThresholds& thresholds) { m_thresholds = thresholds; }
    const LagThresholds& thresholds() const { return m_thresholds; }

    // Adds a poll and returns every consumer's row, in the poll's order.
    std::vector<LagRow> add(const LagPoll& poll);
    // Samples kept for a consumer (bounded), oldest first.
    const std::deque<LagSample>& history(const QString& key) const;
    void clear();

    static QString keyOf(const CheckpointRow& row);

private:
    struct Track {
        std::deque<LagSample> samples;
        QDateTime lastMove;
        qint64 lastPosition = -1;
    };
    LagRow rowFor(const LagReading& reading, Track& track, const QDateTime& at) const;

    LagThresholds m_thresholds;
    int m_maxSamples;
    QHash<QString, Track> m_tracks;
};

} // namespace es

Q_DECLARE_METATYPE(es::LagPoll)
