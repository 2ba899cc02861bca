#include "activity/activityaxis.h"

#include "activity/histogram.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace es {

int ActivityAxis::indexAt(double x) const
{
    const long index = std::lround(x);
    return index >= 0 && index < count() ? int(index) : -1;
}

std::pair<QDateTime, QDateTime> ActivityAxis::bucketSpan(int index) const
{
    const qint64 start = starts.at(size_t(index));
    return { histogram::toUtc(start), histogram::toUtc(histogram::bucketEnd(start, bucketSeconds)) };
}

std::optional<std::pair<QDateTime, QDateTime>> ActivityAxis::dragSpan(double x0, double x1) const
{
    if (starts.empty())
        return std::nullopt;
    const int last = count() - 1;
    const int a = std::clamp(int(std::lround(std::min(x0, x1))), 0, last);
    const int b = std::clamp(int(std::lround(std::max(x0, x1))), 0, last);
    return std::pair(bucketSpan(a).first, bucketSpan(b).second);
}

QPointF ActivityAxis::segmentCentre(const std::vector<qint64>& stack, int index, int group)
{
    qint64 below = 0;
    for (int g = 0; g < group; ++g)
        below += stack.at(size_t(g));
    return { double(index), double(below) + double(stack.at(size_t(group))) / 2.0 };
}

ActivityAxis::ValueTicks ActivityAxis::valueTicks(qint64 peak)
{
    double interval = 1;
    while (double(peak) / interval > 5)
        interval *= (QString::number(interval).startsWith(u'2')) ? 2.5 : 2;
    return { interval, std::max(interval, std::ceil(double(peak) / interval) * interval) };
}

qint64 ActivityAxis::peak(const std::vector<std::vector<qint64>>& stacks)
{
    qint64 top = 0;
    for (const auto& stack : stacks)
        top = std::max(top, std::accumulate(stack.begin(), stack.end(), qint64(0)));
    return top;
}

QDateTime ActivityAxis::local(qint64 t) const
{
    const QDateTime utc = histogram::toUtc(t);
    return zone ? utc.toTimeZone(*zone) : utc.toLocalTime();
}

QString ActivityAxis::labelSample() const
{
    const bool withTime = bucketSeconds > 0 && bucketSeconds < 86400;
    if (withTime)
        return QStringLiteral("2024-05-01 00:00:00");
    return bucketSeconds <= 0 ? QStringLiteral("yyyy-MM") : QStringLiteral("yyyy-MM-dd");
}

std::vector<ActivityAxis::Label> ActivityAxis::labels(double plotWidth, int labelWidth) const
{
    const int n = count();
    if (n == 0)
        return {};
    const qint64 size = bucketSeconds;
    const bool withTime = size > 0 && size < 86400;
    const QString dayFormat = size <= 0 ? QStringLiteral("yyyy-MM") : QStringLiteral("yyyy-MM-dd");
    const QString timeFormat = size % 60 == 0 ? QStringLiteral("HH:mm") : QStringLiteral("HH:mm:ss");
    const double barWidth = plotWidth / double(n);
    const int every = std::max(1, int(std::ceil(double(labelWidth) / barWidth)));
    // Qt Charts drops a label that sticks out of the axis, so none closer to an end than half a label.
    const auto fits = [&](int i) {
        const double centre = (double(i) + 0.5) * barWidth;
        return centre >= labelWidth / 2.0 && plotWidth - centre >= labelWidth / 2.0;
    };
    std::vector<int> at;
    const qint64 step = size > 0 ? histogram::chooseBucketSeconds(qint64(every) * size, 1) : 0;
    if (step > 0 && step % size == 0) {
        int previous = -every;
        for (int i = 0; i < n; ++i) {
            const QDateTime here = local(starts[size_t(i)]);
            const qint64 t = starts[size_t(i)] + here.offsetFromUtc();
            const bool round
                = step >= 7 * 86400 ? (t % 86400 == 0 && here.date().dayOfWeek() == Qt::Monday) : t % step == 0;
            if (round && i - previous >= every && fits(i)) {
                at.push_back(i);
                previous = i;
            }
        }
    }
    bool midnights = step >= 86400;
    if (int(at.size()) < std::max(2, n / every / 2)) {
        midnights = false;
        at.clear();
        for (int i = 0; i < n; i += every) {
            if (fits(i))
                at.push_back(i);
        }
    }
    std::vector<Label> out;
    QString lastDay;
    for (const int i : at) {
        const QDateTime here = local(starts[size_t(i)]);
        const QString day = here.toString(dayFormat);
        QString text = day;
        if (withTime && !midnights)
            text = day == lastDay ? here.toString(timeFormat) : day + u' ' + here.toString(timeFormat);
        lastDay = day;
        out.push_back({ i, text });
    }
    return out;
}

} // namespace es
