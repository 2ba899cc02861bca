#include "chartaxes.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QTimeZone>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace es::chartaxes {

namespace {

double roundStep(double rough)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    const double fraction = rough / magnitude;
    const double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * magnitude;
}

int decimalsOf(double step)
{
    if (step >= 1)
        return 0;
    return int(std::ceil(-std::log10(step) - 1e-9));
}

} // namespace

NiceScale niceScale(double lo, double hi, int maxTicks, bool integers)
{
    if (!std::isfinite(lo) || !std::isfinite(hi))
        return {};
    if (hi < lo)
        std::swap(lo, hi);
    maxTicks = std::max(1, maxTicks);
    if (hi == lo) {
        // One value: a band of one step around it.
        const double pad = lo == 0 ? 1 : roundStep(std::abs(lo) / 10);
        lo -= pad;
        hi += pad;
    }
    double step = roundStep((hi - lo) / maxTicks);
    if (integers)
        step = std::max(1.0, std::round(step));
    NiceScale s;
    s.step = step;
    s.min = std::floor(lo / step) * step;
    s.max = std::ceil(hi / step) * step;
    if (s.max == s.min)
        s.max = s.min + step;
    return s;
}

void applyNice(QValueAxis* axis, double lo, double hi, int maxTicks, bool integers)
{
    const NiceScale s = niceScale(lo, hi, maxTicks, integers);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(s.min);
    axis->setTickInterval(s.step);
    axis->setRange(s.min, s.max);
    axis->setMinorTickCount(0);
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(integers ? 0 : decimalsOf(s.step)));
}

void applyTime(QDateTimeAxis* axis, qint64 fromMs, qint64 toMs, int widthPx)
{
    if (toMs <= fromMs)
        toMs = fromMs + 1000;
    const qint64 span = toMs - fromMs;
    constexpr qint64 minute = 60 * 1000;
    constexpr qint64 day = 24 * 60 * minute;
    QString format;
    if (span <= 10 * minute)
        format = QStringLiteral("HH:mm:ss");
    else if (span <= 2 * day)
        format = QStringLiteral("HH:mm");
    else if (span <= 120 * day)
        format = QStringLiteral("MM-dd HH:mm");
    else
        format = QStringLiteral("yyyy-MM-dd");
    axis->setFormat(format);
    // A label needs about its text's width plus a gap; fewer ticks than that never clip to "…".
    const int labelPx = format.size() * 8 + 24;
    axis->setTickCount(std::clamp(widthPx / labelPx, 2, 10));
    axis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs, QTimeZone::utc()),
        QDateTime::fromMSecsSinceEpoch(toMs, QTimeZone::utc()));
}

} // namespace es::chartaxes
