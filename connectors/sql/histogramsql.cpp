#include "sql/histogramsql.h"

namespace es {

QString histogramBucketExpr(const SqlBuilder& sql, qint64 bucketSeconds)
{
    const Profile::Events& e = sql.profile().events;
    const SqlDialectSpec& d = sql.spec();
    const QString t = SqlBuilder::paren(e.time);
    const QString& kind = e.timeFilter;
    QString time;
    if (kind == QLatin1String("epoch_s"))
        time = QLatin1String(d.timeFromEpoch).arg(t);
    else if (kind == QLatin1String("epoch_ms"))
        time = QLatin1String(d.timeFromEpoch).arg(t + QStringLiteral(" / 1000.0"));
    else if (kind == QLatin1String("timestamp") || sql.kinds().time == SqlValueKind::Timestamp)
        time = t; // timestamp without time zone holds UTC; timestamptz is read in the session's UTC
    else
        time = QLatin1String(d.timeFromIso).arg(t);
    if (bucketSeconds <= 0)
        return QLatin1String(d.monthStart).arg(time);
    return QLatin1String(d.bucketStart).arg(time, QString::number(bucketSeconds));
}

QString histogramGroupExpr(const SqlBuilder& sql, HistogramQuery::GroupBy by)
{
    const Profile::Events& e = sql.profile().events;
    switch (by) {
    case HistogramQuery::GroupBy::None:
        return QStringLiteral("''");
    case HistogramQuery::GroupBy::Type:
        return sql.asText(e.type);
    case HistogramQuery::GroupBy::Stream:
        return sql.asText(e.stream);
    case HistogramQuery::GroupBy::Category:
        return sql.asText(sql.streamCategory());
    }
    return QStringLiteral("''");
}

EventFilter histogramFilter(const SqlBuilder& sql, const HistogramQuery& query)
{
    if (sql.profile().events.time.isEmpty())
        throw StoreError(QStringLiteral("this layout keeps no event times, so there is no activity over time"));
    EventFilter filter = query.filter;
    if (query.from.isValid() && (!filter.fromTime.isValid() || query.from > filter.fromTime))
        filter.fromTime = query.from;
    if (query.to.isValid() && (!filter.toTime.isValid() || query.to < filter.toTime))
        filter.toTime = query.to;
    return filter;
}

namespace {

SqlWhere histogramWhere(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream)
{
    const Profile::Events& e = sql.profile().events;
    const EventFilter filter = histogramFilter(sql, query);
    SqlWhere w = sql.baseWhere(filter, indexStream);
    if (!filter.isStream()) {
        if (query.fromKey >= 0)
            w.add(SqlBuilder::paren(e.position) + QStringLiteral(" >= ") + SqlBuilder::param(), { query.fromKey });
        if (query.toKey >= 0)
            w.add(SqlBuilder::paren(e.position) + QStringLiteral(" <= ") + SqlBuilder::param(), { query.toKey });
    }
    return w;
}

} // namespace

SqlStatement histogramScanStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream)
{
    Q_ASSERT(query.groupBy != HistogramQuery::GroupBy::Stream);
    const SqlWhere w = histogramWhere(sql, query, indexStream);
    return { QStringLiteral("SELECT %1, COALESCE(%2, '') FROM %3%4")
                 .arg(histogramBucketExpr(sql, query.bucketSeconds), histogramGroupExpr(sql, query.groupBy),
                     sql.profile().events.table, w.sql()),
        w.values };
}

SqlStatement histogramStatement(const SqlBuilder& sql, const HistogramQuery& query, bool indexStream)
{
    const Profile::Events& e = sql.profile().events;
    const SqlWhere w = histogramWhere(sql, query, indexStream);
    const QString bucket = histogramBucketExpr(sql, query.bucketSeconds);
    if (query.groupBy == HistogramQuery::GroupBy::None)
        return { QStringLiteral("SELECT %1, '', count(*) FROM %2%3 GROUP BY 1").arg(bucket, e.table, w.sql()),
            w.values };
    // The top N is cut here, not in the client: per bucket the top groups' rows and one row (group NULL) summing the
    // rest, so a store with 100,000 streams sends at most N + 1 rows a bucket. The ranking is Histogram::fromRows':
    // most events over the whole range, ties by name in code-point order; NULL names count as ''.
    const QString byName
        = sql.dialect() == SqlDialect::Postgres ? QStringLiteral("g COLLATE \"C\"") : QStringLiteral("g");
    const QString statement
        = QStringLiteral("WITH h AS (SELECT %1 AS b, COALESCE(%2, '') AS g, count(*) AS n FROM %3%4 "
                         "GROUP BY 1, 2), "
                         "k AS (SELECT g FROM h WHERE b IS NOT NULL GROUP BY g "
                         "ORDER BY sum(n) DESC, %5 LIMIT %6) "
                         "SELECT h.b, k.g, CAST(sum(h.n) AS bigint) FROM h LEFT JOIN k ON k.g = h.g "
                         "WHERE h.b IS NOT NULL GROUP BY h.b, k.g")
              .arg(bucket, histogramGroupExpr(sql, query.groupBy), e.table, w.sql(), byName, SqlBuilder::param());
    QVariantList values = w.values;
    values.append(qint64(std::max(1, query.topN)));
    return { statement, values };
}

} // namespace es
