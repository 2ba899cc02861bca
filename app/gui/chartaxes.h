#pragma once

#include <QtGlobal>

class QDateTimeAxis;
class QValueAxis;

namespace es::chartaxes {

// Axes people can read: ticks on round numbers (1, 2 or 5 times a power of ten) that start on a multiple of the step,
// whole numbers for counts and versions, and time labels as precise as the span needs.

struct NiceScale {
    double min = 0;
    double max = 1;
    double step = 1;
};

// The smallest round-stepped range holding [lo, hi] with at most about maxTicks intervals. With integers, the step is
// at least 1 (no 271.7 for a lag counted in events).
NiceScale niceScale(double lo, double hi, int maxTicks = 5, bool integers = true);

// Sets the axis to niceScale(lo, hi): range, dynamic ticks anchored on the step and a matching label format.
void applyNice(QValueAxis* axis, double lo, double hi, int maxTicks = 5, bool integers = true);

// Sets the range and a label format that fits the span (seconds for minutes, dates for months), with tick labels
// spaced for widthPx.
void applyTime(QDateTimeAxis* axis, qint64 fromMs, qint64 toMs, int widthPx);

} // namespace es::chartaxes
