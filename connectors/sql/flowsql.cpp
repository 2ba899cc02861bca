// Flows: the lookups of linked events and the grouping of many flows (sql/flowsql.h).
#include "sql/flowsql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace es {

namespace {

QString sqliteKeyPath(const QString& key)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$]*$"));
    if (plain.match(key).hasMatch())
        return QStringLiteral("$.") + key;
    QString quoted = key;
    quoted.replace(QLatin1String("\""), QLatin1String("\\\""));
    return QStringLiteral("$.\"") + quoted + u'"';
}

QString pgArrayLiteral(const QStringList& values)
{
    QStringList parts;
    for (QString v : values) {
        v.replace(QLatin1String("\\"), QLatin1String("\\\\"));
        v.replace(QLatin1String("\""), QLatin1String("\\\""));
        parts.append(u'"' + v + u'"');
    }
    return u'{' + parts.join(u',') + u'}';
}

// A GLOB pattern matching any text that contains `value`: the pattern characters stand for themselves in brackets.
QString globPattern(const QString& value)
{
    QString out = QStringLiteral("*");
    for (const QChar c : value) {
        if (c == u'*' || c == u'?' || c == u'[')
            out += u'[' + QString(c) + u']';
        else
            out += c;
    }
    return out + u'*';
}

} // namespace

FlowSql::FlowSql(const SqlBuilder& sql, Options options)
    : m_sql(sql)
    , m_options(options)
{ }

QString FlowSql::keyExpression(const QString& key) const
{
    const QString& metadata = m_sql.profile().events.metadata;
    if (m_sql.dialect() == SqlDialect::Postgres)
        return QStringLiteral("((%1)::jsonb ->> %2)").arg(metadata, SqlBuilder::literal(key));
    return QStringLiteral("(CASE WHEN json_valid(%1) THEN json_extract(%1, %2) END)")
        .arg(SqlBuilder::paren(metadata), SqlBuilder::literal(sqliteKeyPath(key)));
}

QStringList FlowSql::metadataKeyExpressions(LinkQuery::Kind kind) const
{
    const Profile& p = m_sql.profile();
    const QStringList* keys = kind == LinkQuery::Kind::Correlation ? &p.correlationKeys
        : kind == LinkQuery::Kind::Causation                       ? &p.causationKeys
        : kind == LinkQuery::Kind::Id                              ? &p.idKeys
                                                                   : nullptr;
    QStringList out;
    if (keys && !p.events.metadata.isEmpty()) {
        for (const QString& k : *keys)
            out.append(keyExpression(k));
    }
    return out;
}

QStringList FlowSql::expressions(LinkQuery::Kind kind) const
{
    const Profile& p = m_sql.profile();
    const bool metadataJson = !p.events.metadata.isEmpty()
        && (m_sql.dialect() == SqlDialect::Sqlite || m_sql.kinds().metadata == SqlValueKind::Json);
    auto keys = [&](const QStringList& names) {
        QStringList out;
        if (metadataJson) {
            for (const QString& k : names)
                out.append(keyExpression(k));
        }
        return out;
    };
    switch (kind) {
    case LinkQuery::Kind::Correlation:
        if (m_options.correlationColumn && !p.correlationColumn.isEmpty())
            return { SqlBuilder::paren(p.correlationColumn) };
        return keys(p.correlationKeys);
    case LinkQuery::Kind::Causation:
        if (m_options.causationColumn && !p.causationColumn.isEmpty())
            return { SqlBuilder::paren(p.causationColumn) };
        return keys(p.causationKeys);
    case LinkQuery::Kind::Id:
        if (!p.events.id.isEmpty())
            return { SqlBuilder::paren(p.events.id) };
        return keys(p.idKeys);
    case LinkQuery::Kind::Position:
        break;
    }
    return { SqlBuilder::paren(p.events.position) };
}

QString FlowSql::listParameter(const QStringList& values, bool numbers) const
{
    static const QRegularExpression digits(QStringLiteral("^-?[0-9]{1,18}$"));
    if (m_sql.dialect() == SqlDialect::Postgres)
        return pgArrayLiteral(values);
    QJsonArray array;
    for (const QString& v : values) {
        const bool isNumber = digits.match(v).hasMatch();
        if (!numbers)
            array.append(v);
        if (isNumber)
            array.append(v.toLongLong());
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString FlowSql::term(LinkQuery::Kind kind, const QStringList& values, QVariantList& bound) const
{
    const QStringList exprs = expressions(kind);
    if (values.isEmpty() || exprs.isEmpty())
        return {};
    const QString p = SqlBuilder::param();
    const bool pg = m_sql.dialect() == SqlDialect::Postgres;
    const bool position = kind == LinkQuery::Kind::Position;
    // SQLite: a few text values of a metadata key are first looked for in the raw text, so only the rows that contain
    // one are parsed (the JSON comparison still decides). A row whose text has a backslash may spell a value with
    // escapes: it is always parsed. Digit strings are left out (a number may be written 1e3), and so are longer lists
    // (a scan of the text per value costs more than the parse).
    static const QRegularExpression digits(QStringLiteral("^-?[0-9]+$"));
    const bool prefilter = !pg && values.size() <= MaxPrefilterValues && !m_sql.profile().events.metadata.isEmpty()
        && std::none_of(values.begin(), values.end(), [](const QString& v) { return digits.match(v).hasMatch(); });
    const QStringList keyExprs = metadataKeyExpressions(kind);
    QStringList terms;
    for (const QString& e : exprs) {
        if (!pg) {
            QString t = QStringLiteral("%1 IN (SELECT value FROM json_each(%2))").arg(e, p);
            if (prefilter && keyExprs.contains(e)) {
                const QString metadata = SqlBuilder::paren(m_sql.profile().events.metadata);
                QStringList globs;
                for (const QString& v : values) {
                    globs.append(metadata + QStringLiteral(" GLOB ") + p);
                    bound.append(globPattern(v));
                }
                globs.append(metadata + QStringLiteral(" GLOB '*\\*'"));
                t = u'(' + globs.join(QStringLiteral(" OR ")) + QStringLiteral(") AND ") + t;
            }
            bound.append(listParameter(values, position));
            terms.append(t);
            continue;
        }
        bound.append(listParameter(values, position));
        if (position) {
            terms.append(QStringLiteral("%1 = ANY(%2::bigint[])").arg(e, p));
        } else if (kind == LinkQuery::Kind::Id && m_options.idIsUuid && exprs.size() == 1
            && !m_sql.profile().events.id.isEmpty()) {
            terms.append(QStringLiteral("%1 = ANY(%2::uuid[])").arg(e, p));
        } else {
            terms.append(QStringLiteral("%1::text = ANY(%2::text[])").arg(e, p));
        }
    }
    return terms.join(QStringLiteral(" OR "));
}

SqlStatement FlowSql::linked(const LinkQuery& query) const
{
    const QString p = SqlBuilder::param();
    const QString position = SqlBuilder::paren(m_sql.profile().events.position);
    SqlWhere w = m_sql.baseWhere(EventFilter {}, true);
    if (query.fromPosition >= 0)
        w.add(position + QStringLiteral(" >= ") + p, { query.fromPosition });
    if (query.toPosition >= 0)
        w.add(position + QStringLiteral(" <= ") + p, { query.toPosition });
    QStringList any;
    QVariantList bound;
    using Kind = LinkQuery::Kind;
    const std::pair<Kind, const QStringList*> lists[] = { { Kind::Correlation, &query.correlations },
        { Kind::Causation, &query.causations }, { Kind::Id, &query.ids }, { Kind::Position, &query.positions } };
    for (const auto& [kind, values] : lists) {
        const QString t = term(kind, *values, bound);
        if (!t.isEmpty())
            any.append(t);
    }
    w.add(any.isEmpty() ? QStringLiteral("1=0") : u'(' + any.join(QStringLiteral(" OR ")) + u')', bound);
    SqlStatement st;
    st.sql = m_sql.selectEvent() + w.sql() + QStringLiteral(" ORDER BY ") + position;
    st.values = w.values;
    if (query.limit > 0) {
        st.sql += QStringLiteral(" LIMIT ") + p;
        st.values.append(qint64(query.limit));
    }
    return st;
}

QString FlowSql::correlationGroup() const
{
    const QStringList exprs = expressions(LinkQuery::Kind::Correlation);
    if (exprs.isEmpty())
        return QStringLiteral("NULL");
    const QString first
        = exprs.size() == 1 ? exprs.front() : QStringLiteral("coalesce(%1)").arg(exprs.join(QStringLiteral(", ")));
    return m_sql.asText(first);
}

QString FlowSql::timeAggregate(const char* fn) const
{
    const QString& time = m_sql.profile().events.time;
    if (time.isEmpty())
        return QStringLiteral("NULL");
    const QString agg = QStringLiteral("%1(%2)").arg(QLatin1String(fn), time);
    if (m_sql.kinds().time == SqlValueKind::Timestamp)
        return QLatin1String(m_sql.spec().timestampText).arg(agg);
    return m_sql.asText(agg);
}

SqlStatement FlowSql::flowRows(const FlowScanRequest& request) const
{
    const Profile::Events& e = m_sql.profile().events;
    const QString p = SqlBuilder::param();
    const QString position = SqlBuilder::paren(e.position);
    const QString corr = correlationGroup();
    EventFilter starts;
    starts.types = QStringList { request.startType };
    SqlWhere ws = m_sql.baseWhere(starts, true);
    ws.add(corr + QStringLiteral(" IS NOT NULL"));
    if (request.fromPosition >= 0)
        ws.add(position + QStringLiteral(" >= ") + p, { request.fromPosition });
    if (request.toPosition >= 0)
        ws.add(position + QStringLiteral(" <= ") + p, { request.toPosition });
    SqlWhere wa = m_sql.baseWhere(EventFilter {}, true);
    wa.add(corr + QStringLiteral(" IN (SELECT c FROM flow_starts)"));
    SqlStatement st;
    const QString startsSql
        = QStringLiteral("WITH flow_starts AS (SELECT DISTINCT %1 AS c FROM %2%3)").arg(corr, e.table, ws.sql());
    if (m_sql.dialect() == SqlDialect::Postgres) {
        st.sql = startsSql
            + QStringLiteral(" SELECT %1 AS c, json_agg(%2 ORDER BY %3)::text, min(%3)::bigint, %4, %5, count(*) "
                             "FROM %6%7 GROUP BY 1 ORDER BY 3")
                  .arg(corr, m_sql.asText(e.type), position, timeAggregate("min"), timeAggregate("max"), e.table,
                      wa.sql());
    } else {
        // SQLite 3.40 has no ORDER BY inside an aggregate: the rows are grouped in the order a sorted subquery hands
        // them over.
        st.sql = startsSql
            + QStringLiteral(", flow_rows AS (SELECT %1 AS c, %2 AS t, %3 AS p, %4 AS tm FROM %5%6 ORDER BY 1, 3) "
                             "SELECT c, json_group_array(t), min(p), min(tm), max(tm), count(*) FROM flow_rows "
                             "GROUP BY c ORDER BY 3")
                  .arg(corr, e.type, position, e.time.isEmpty() ? QStringLiteral("NULL") : e.time, e.table, wa.sql());
    }
    st.values = ws.values + wa.values;
    return st;
}

QString FlowSql::mainTable() const
{
    QString first = m_sql.profile().events.table.trimmed().section(u' ', 0, 0);
    first = first.section(u'.', -1);
    first.remove(u'"');
    return first;
}

QString FlowSql::mainAlias() const
{
    const QString alias = m_sql.profile().events.table.trimmed().section(u' ', 1, 1, QString::SectionSkipEmpty);
    static const QStringList keywords { QStringLiteral("JOIN"), QStringLiteral("LEFT"), QStringLiteral("INNER"),
        QStringLiteral("CROSS"), QStringLiteral("WHERE"), QStringLiteral("NATURAL"), QStringLiteral("ON") };
    if (alias.isEmpty() || alias.startsWith(u'(') || keywords.contains(alias.toUpper()))
        return {};
    QString out = alias;
    out.remove(u'"');
    return out;
}

} // namespace es
