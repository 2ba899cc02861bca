#pragma once

#include <QDateTime>
#include <QPointF>
#include <QString>
#include <QTimeZone>

#include <optional>
#include <utility>
#include <vector>

namespace es {

// The painting maths of the Activity chart, without painting: bar i stands at x = i (from i - 0.5 to i + 0.5),
// stacked heights are event counts. Labels on the time axis are in local time (or `zone`); buckets are UTC.
struct ActivityAxis {
    std::vector<qint64> starts; // bucket starts, UTC epoch seconds, ascending
    qint64 bucketSeconds = 3600; // HistogramQuery::Month (0) for calendar months
    std::optional<QTimeZone> zone; // where labels are read; none = the system's local time

    int count() const { return int(starts.size()); }
    // The bar under x; -1 when x is beside every bar.
    int indexAt(double x) const;
    // The UTC span of bar i: [start, end).
    std::pair<QDateTime, QDateTime> bucketSpan(int index) const;
    // The UTC span of the bars a drag from x0 to x1 touches (either way, clamped to the bars); nullopt without bars.
    std::optional<std::pair<QDateTime, QDateTime>> dragSpan(double x0, double x1) const;
    // The middle of one group's segment of a stacked bar, in chart values.
    static QPointF segmentCentre(const std::vector<qint64>& stack, int index, int group);

    // Whole-number ticks for counts up to `peak`: 1, 2 or 5 times a power of ten, at most five above zero.
    struct ValueTicks {
        double interval = 1;
        double max = 1; // the axis top: a whole number of intervals at or above peak
    };
    static ValueTicks valueTicks(qint64 peak);
    static qint64 peak(const std::vector<std::vector<qint64>>& stacks);

    // Time-axis labels: which bars carry one and what it reads. Labels sit on round local times (every 6 hours,
    // every day, Mondays...) when the buckets allow, else on every k-th bar; none closer to an end than half a label;
    // a label repeats its day only when the day changed. `labelWidth` is the width of labelSample() plus a gap.
    struct Label {
        int index = 0;
        QString text;
        bool operator==(const Label&) const = default;
    };
    std::vector<Label> labels(double plotWidth, int labelWidth) const;
    // The widest label text, for measuring labelWidth.
    QString labelSample() const;

private:
    QDateTime local(qint64 t) const;
};

} // namespace es
