#include "display/timeformat.h"

#include <QCoreApplication>

namespace es {

TimeFormat* TimeFormat::instance()
{
    static TimeFormat* shared = new TimeFormat(QCoreApplication::instance());
    return shared;
}

void TimeFormat::setZone(Zone zone)
{
    if (zone == m_zone)
        return;
    m_zone = zone;
    Q_EMIT zoneChanged(zone);
}

QString TimeFormat::format(const QDateTime& time, Zone zone, Precision precision)
{
    if (!time.isValid())
        return {};
    const QDateTime shown = zone == Zone::Utc ? time.toUTC() : time.toLocalTime();
    switch (precision) {
    case Precision::Milliseconds:
        return shown.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Precision::Seconds:
        return shown.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Precision::Minutes:
        return shown.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case Precision::Days:
        return shown.toString(QStringLiteral("yyyy-MM-dd"));
    }
    return {};
}

QString TimeFormat::format(const QDateTime& time, Precision precision)
{
    return format(time, instance()->zone(), precision);
}

QString TimeFormat::zoneLabel(Zone zone, const QDateTime& at)
{
    if (zone == Zone::Utc)
        return QStringLiteral("UTC");
    const int offset = at.toLocalTime().offsetFromUtc();
    if (offset == 0)
        return QStringLiteral("UTC");
    const int minutes = std::abs(offset) / 60;
    return QStringLiteral("UTC%1%2:%3")
        .arg(offset < 0 ? QLatin1Char('-') : QLatin1Char('+'))
        .arg(minutes / 60, 2, 10, QLatin1Char('0'))
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString TimeFormat::zoneLabel()
{
    return zoneLabel(instance()->zone());
}

QTimeZone TimeFormat::timeZone(Zone zone)
{
    return zone == Zone::Utc ? QTimeZone::utc() : QTimeZone::systemTimeZone();
}

QTimeZone TimeFormat::timeZone()
{
    return timeZone(instance()->zone());
}

QDateTime TimeFormat::toShownZone(const QDateTime& time)
{
    if (!time.isValid())
        return time;
    return instance()->isUtc() ? time.toUTC() : time.toLocalTime();
}

} // namespace es
