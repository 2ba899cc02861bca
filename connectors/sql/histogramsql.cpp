#include "sql/histogramsql.h"

namespace es {

namespace {

QString bucketExpr(const SqlBuilder& sql, qint64 bucketSeconds)
{
    const Profile::Events& e = sql.profile().events;
    const QString t = SqlBuilder::paren(e.time);
    const QString& kind = e.timeFilter;
    const QString n = QString::number(bucketSeconds);
    if (sql.dialect() == SqlDialect::Sqlite) {
        QString args = t;
        if (kind == QLatin1String("epoch_s"))
            args = t + QStringLiteral(", 'unixepoch'");
        else if (kind == QLatin1String("epoch_ms"))
            args = t + QStringLiteral(" / 1000.0, 'unixepoch'");
        if (bucketSeconds <= 0)
            return QStringLiteral("unixepoch(%1, 'start of month')").arg(args);
        // Integer division floors only for times after 1970, which event stores hold.
        return QStringLiteral("(unixepoch(%1) / %2) * %2").arg(args, n);
    }
    QString ts;
    if (kind == QLatin1String("epoch_s"))
        ts = QStringLiteral("to_timestamp(%1)").arg(t);
    else if (kind == QLatin1String("epoch_ms"))
        ts = QStringLiteral("to_timestamp(%1 / 1000.0)").arg(t);
    else if (kind == QLatin1String("timestamp") || sql.kinds().time == SqlValueKind::Timestamp)
        ts = t; // timestamp without time zone holds UTC; timestamptz is read in the session's UTC
    else
        ts = t + QStringLiteral("::timestamptz");
    if (bucketSeconds <= 0)
        return QStringLiteral("extract(epoch from date_trunc('month', %1))::bigint").arg(ts);
    return QStringLiteral("(floor(extract(epoch from %1) / %2)::bigint * %2)").arg(ts, n);
}

QString groupExpr(const SqlBuilder& sql, HistogramQuery::GroupBy by)
{
    const Profile::Events& e = sql.profile().events;
    QString expr;
    switch (by) {
    case HistogramQuery::GroupBy::None:
        return QStringLiteral("''");
    case HistogramQuery::GroupBy::Type:
        expr = e.type;
        break;
    case HistogramQuery::GroupBy::Stream:
        expr = e.stream;
        break;
    case HistogramQuery::GroupBy::Category:
        expr = sql.streamCategory();
        break;
    }
    return sql.dialect() == SqlDialect::Postgres ? SqlBuilder::paren(expr) + QStringLiteral("::text")
                                                 : SqlBuilder::paren(expr);
}

} // namespace

SqlStatement histogramStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream)
{
    const Profile::Events& e = sql.profile().events;
    if (e.time.isEmpty())
        throw StoreError(QStringLiteral("this layout keeps no event times, so there is no activity over time"));
    EventFilter filter = query.filter;
    if (query.from.isValid() && (!filter.fromTime.isValid() || query.from > filter.fromTime))
        filter.fromTime = query.from;
    if (query.to.isValid() && (!filter.toTime.isValid() || query.to < filter.toTime))
        filter.toTime = query.to;
    const SqlWhere w = sql.baseWhere(filter, indexStream);
    return { QStringLiteral("SELECT %1, %2, count(*) FROM %3%4 GROUP BY 1, 2")
                 .arg(bucketExpr(sql, query.bucketSeconds), groupExpr(sql, query.groupBy), e.table, w.sql()),
        w.values };
}

} // namespace es
