#pragma once

#include <QtGlobal>

namespace es {

struct CivilDate {
    qint64 year;
    qint64 month; // 1..12
    qint64 day; // 1..31
};

// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days); year 0 is 1 BC,
// as PostgreSQL and SQLite count.
inline CivilDate civilFromDays(qint64 daysSince1970)
{
    const qint64 z = daysSince1970 + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    return { yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

} // namespace es
