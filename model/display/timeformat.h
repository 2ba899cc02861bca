#pragma once

#include <QDateTime>
#include <QObject>
#include <QTimeZone>

namespace es {

// One way to show a time in every view of the GUI: "2024-05-01 12:34:56.789", in UTC or in the local zone, chosen
// once for the application (View › Times in UTC, kept in the settings). Machine output — exports, links, the CLI's
// JSON — stays ISO 8601 UTC (Event::timeToIso) whatever is chosen here.
class TimeFormat : public QObject {
    Q_OBJECT
public:
    enum class Zone { Utc, Local };
    Q_ENUM(Zone)
    enum class Precision { Milliseconds, Seconds, Minutes, Days };

    // The application's choice (UTC until told otherwise).
    static TimeFormat* instance();
    Zone zone() const { return m_zone; }
    void setZone(Zone zone);
    bool isUtc() const { return m_zone == Zone::Utc; }

    // An invalid time gives an empty string.
    static QString format(const QDateTime& time, Zone zone, Precision precision = Precision::Milliseconds);
    // In the application's zone.
    static QString format(const QDateTime& time, Precision precision = Precision::Milliseconds);
    // "UTC", or the local zone's offset at `at` ("UTC+02:00").
    static QString zoneLabel(Zone zone, const QDateTime& at = QDateTime::currentDateTimeUtc());
    static QString zoneLabel();
    // The zone times are shown in, for charts whose axes read a QDateTime as it is.
    static QTimeZone timeZone(Zone zone);
    static QTimeZone timeZone();
    // The same instant, expressed in the application's zone.
    static QDateTime toShownZone(const QDateTime& time);

Q_SIGNALS:
    void zoneChanged(es::TimeFormat::Zone zone);

private:
    using QObject::QObject;
    Zone m_zone = Zone::Utc;
};

} // namespace es
