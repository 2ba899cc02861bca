#include "live/lag.h"

#include "store/eventstore.h"

#include <algorithm>

namespace es {

QString lagStatusName(LagStatus status)
{
    switch (status) {
    case LagStatus::CaughtUp:
        return QStringLiteral("caught-up");
    case LagStatus::CatchingUp:
        return QStringLiteral("catching-up");
    case LagStatus::FallingBehind:
        return QStringLiteral("falling-behind");
    case LagStatus::Stalled:
        return QStringLiteral("stalled");
    case LagStatus::Behind:
        return QStringLiteral("behind");
    case LagStatus::Ahead:
        return QStringLiteral("ahead-of-head");
    case LagStatus::Unparseable:
        return QStringLiteral("unparseable");
    case LagStatus::Error:
        return QStringLiteral("error");
    }
    return {};
}

QString lagStatusTitle(LagStatus status)
{
    switch (status) {
    case LagStatus::CaughtUp:
        return QStringLiteral("Caught up");
    case LagStatus::CatchingUp:
        return QStringLiteral("Catching up");
    case LagStatus::FallingBehind:
        return QStringLiteral("Falling behind");
    case LagStatus::Stalled:
        return QStringLiteral("Stalled");
    case LagStatus::Behind:
        return QStringLiteral("Behind");
    case LagStatus::Ahead:
        return QStringLiteral("Ahead of head");
    case LagStatus::Unparseable:
        return QStringLiteral("Unparseable checkpoint");
    case LagStatus::Error:
        return QStringLiteral("Error");
    }
    return {};
}

QString scopeText(const EventFilter& scope)
{
    if (scope.isStream())
        return QStringLiteral("stream:") + scope.stream;
    if (!scope.category.isEmpty())
        return QStringLiteral("category:") + scope.category;
    return QStringLiteral("global");
}

LagPoll pollLag(EventStore& store)
{
    LagPoll poll;
    poll.at = QDateTime::currentDateTimeUtc();
    CheckpointSet set = store.checkpoints();
    poll.queries = 1;
    poll.note = set.note;

    struct Group {
        QString text;
        EventFilter scope;
        std::vector<size_t> rows;
        std::vector<qint64> positions;
    };
    std::vector<Group> groups;
    poll.readings.reserve(set.rows.size());
    for (CheckpointRow& row : set.rows) {
        const QString text = scopeText(row.scope);
        auto group = std::find_if(groups.begin(), groups.end(), [&text](const Group& g) { return g.text == text; });
        if (group == groups.end()) {
            groups.push_back({ text, row.scope, {}, {} });
            group = groups.end() - 1;
        }
        group->rows.push_back(poll.readings.size());
        if (row.hasValue && row.error.isEmpty()
            && std::find(group->positions.begin(), group->positions.end(), row.position) == group->positions.end())
            group->positions.push_back(row.position);
        LagReading reading;
        reading.checkpoint = std::move(row);
        poll.readings.push_back(std::move(reading));
    }

    std::vector<ScopeRequest> requests;
    requests.reserve(groups.size());
    for (const Group& group : groups)
        requests.push_back({ group.scope, group.positions });
    std::vector<ScopeProgress> answers;
    if (!requests.empty()) {
        answers = store.scopesProgress(requests);
        ++poll.queries;
    }
    for (size_t g = 0; g < groups.size(); ++g) {
        const Group& group = groups[g];
        const ScopeProgress& progress = answers.at(g);
        if (!progress.error.isEmpty()) {
            for (const size_t i : group.rows)
                poll.readings[i].error = progress.error;
            continue;
        }
        for (const size_t i : group.rows) {
            LagReading& r = poll.readings[i];
            r.head = progress.headKey;
            r.total = progress.total;
            const CheckpointRow& cp = r.checkpoint;
            if (!cp.error.isEmpty())
                continue;
            if (!cp.hasValue) {
                r.lagEvents = progress.total;
                r.lagEstimated = progress.totalEstimated;
                if (progress.total == 0)
                    r.lagSeconds = 0.0;
                continue;
            }
            const auto probe = std::find_if(progress.probes.begin(), progress.probes.end(),
                [&cp](const ScopeProgress::Probe& p) { return p.position == cp.position; });
            if (probe == progress.probes.end()) {
                r.error = QStringLiteral("the store did not count events after position %1").arg(cp.position);
                continue;
            }
            r.lagEvents = probe->after;
            r.lagEstimated = probe->estimated;
            if (probe->after == 0)
                r.lagSeconds = 0.0;
            else if (probe->time.isValid() && progress.headTime.isValid())
                r.lagSeconds = double(probe->time.msecsTo(progress.headTime)) / 1000.0;
        }
    }
    return poll;
}

LagTracker::LagTracker(LagThresholds thresholds, int maxSamples)
    : m_thresholds(thresholds)
    , m_maxSamples(std::max(2, maxSamples))
{ }

QString LagTracker::keyOf(const CheckpointRow& row)
{
    return row.partition.isEmpty() ? row.name : row.name + u'\x1f' + row.partition;
}

void LagTracker::clear()
{
    m_tracks.clear();
}

const std::deque<LagSample>& LagTracker::history(const QString& key) const
{
    static const std::deque<LagSample> none;
    const auto it = m_tracks.constFind(key);
    return it == m_tracks.constEnd() ? none : it->samples;
}

std::vector<LagRow> LagTracker::add(const LagPoll& poll)
{
    std::vector<LagRow> rows;
    rows.reserve(poll.readings.size());
    for (const LagReading& reading : poll.readings)
        rows.push_back(rowFor(reading, m_tracks[keyOf(reading.checkpoint)], poll.at));
    return rows;
}

LagRow LagTracker::rowFor(const LagReading& reading, Track& track, const QDateTime& at) const
{
    const CheckpointRow& cp = reading.checkpoint;
    LagRow row;
    row.key = keyOf(cp);
    row.name = cp.name;
    row.partition = cp.partition;
    row.scope = scopeText(cp.scope);
    row.scopeFilter = cp.scope;
    row.raw = cp.raw;
    row.position = cp.position;
    row.started = cp.hasValue;
    row.head = reading.head;
    row.lagEvents = reading.lagEvents;
    row.lagEstimated = reading.lagEstimated;
    row.lagSeconds = reading.lagSeconds;
    if (!cp.error.isEmpty()) {
        row.status = LagStatus::Unparseable;
        row.detail = cp.error;
        return row;
    }
    if (!reading.error.isEmpty() || reading.lagEvents < 0) {
        row.status = LagStatus::Error;
        row.detail = reading.error;
        return row;
    }

    if (track.samples.empty() || cp.position != track.lastPosition)
        track.lastMove = at;
    track.lastPosition = cp.position;
    track.samples.push_back({ at, reading.lagEvents, cp.position, reading.total });
    while (qsizetype(track.samples.size()) > m_maxSamples)
        track.samples.pop_front();

    if (!cp.hasValue)
        row.detail = QStringLiteral("no checkpoint yet: nothing processed");

    // The oldest sample inside the window, or else the previous one.
    const LagSample& now = track.samples.back();
    const LagSample* then = nullptr;
    if (track.samples.size() >= 2) {
        const QDateTime windowStart = at.addMSecs(-qint64(m_thresholds.rateWindowSeconds * 1000.0));
        for (size_t i = 0; i + 1 < track.samples.size(); ++i) {
            if (track.samples[i].at >= windowStart) {
                then = &track.samples[i];
                break;
            }
        }
        if (!then)
            then = &track.samples[track.samples.size() - 2];
    }
    std::optional<double> closing;
    if (then) {
        const double dt = double(then->at.msecsTo(now.at)) / 1000.0;
        if (dt > 0) {
            const qint64 doneThen = then->total - then->lagEvents;
            const qint64 doneNow = now.total - now.lagEvents;
            row.ratePerSecond = double(doneNow - doneThen) / dt;
            closing = double(then->lagEvents - now.lagEvents) / dt;
        }
    }

    row.stalledFor = double(track.lastMove.msecsTo(at)) / 1000.0;
    if (cp.hasValue && cp.position > std::max<qint64>(reading.head, 0)) {
        row.status = LagStatus::Ahead;
        row.detail = reading.head < 0
            ? QStringLiteral("checkpoint %1 but its scope has no events").arg(cp.position)
            : QStringLiteral("checkpoint %1 is past the last event %2 of its scope").arg(cp.position).arg(reading.head);
        row.stalledFor = 0;
        return row;
    }
    if (reading.lagEvents <= m_thresholds.caughtUpEvents) {
        row.status = LagStatus::CaughtUp;
        row.etaSeconds = 0.0;
        row.stalledFor = 0;
        return row;
    }
    if (row.stalledFor >= m_thresholds.stallSeconds) {
        row.status = LagStatus::Stalled;
        return row;
    }
    row.stalledFor = 0;
    if (!closing) {
        row.status = LagStatus::Behind;
        return row;
    }
    if (*closing > 0) {
        row.status = LagStatus::CatchingUp;
        row.etaSeconds = double(reading.lagEvents) / *closing;
    } else {
        row.status = LagStatus::FallingBehind;
    }
    return row;
}

} // namespace es
