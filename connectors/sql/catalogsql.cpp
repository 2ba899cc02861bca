#include "sql/catalogsql.h"

#include "core/jsonpath.h"

#include <QRegularExpression>

namespace es {

namespace {

struct Parts {
    const SqlBuilder& sql;
    bool pg;
    QString position; // as a 64-bit integer
    QString type;
    QString stream;
    QString table;
};

// The scope's WHERE with the sample ranges added.
SqlWhere scopeWhere(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    SqlWhere w = p.sql.baseWhere(request.filter, indexStream);
    if (!request.ranges.empty()) {
        QStringList any;
        QVariantList values;
        for (const PositionRange& r : request.ranges) {
            any.append(QStringLiteral("%1 BETWEEN %2 AND %2")
                           .arg(SqlBuilder::paren(p.sql.profile().events.position), SqlBuilder::param()));
            values.append(r.from);
            values.append(r.to);
        }
        w.add(u'(' + any.join(QStringLiteral(" OR ")) + u')', values);
    }
    return w;
}

// A payload column as a parsed JSON document, NULL where it is none (or where PostgreSQL keeps it as text or bytes,
// which the catalog counts but does not parse).
QString jsonDocument(const Parts& p, const QString& column, SqlValueKind kind)
{
    if (column.isEmpty())
        return QStringLiteral("NULL");
    const QString c = SqlBuilder::paren(column);
    if (p.pg)
        return kind == SqlValueKind::Json ? QString(c + QStringLiteral("::jsonb")) : QStringLiteral("NULL::jsonb");
    return QStringLiteral("CASE WHEN typeof(%1) = 'text' AND json_valid(%1) THEN %1 END").arg(c);
}

struct Roots {
    QString sql; // the CTE "s(p, t, r, d)": one row per event and root
    QVariantList values;
};

Roots rootRows(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const Profile::Events& e = p.sql.profile().events;
    const SqlWhere w = scopeWhere(p, request, indexStream);
    const QString text = p.pg ? QStringLiteral("::text") : QString();
    Roots out;
    QStringList branches;
    auto branch = [&](const char* root, const QString& column, SqlValueKind kind) {
        if (column.isEmpty())
            return;
        branches.append(
            QStringLiteral("SELECT %1, %2, '%3'%4, %5 FROM %6%7")
                .arg(p.position, p.type, QLatin1String(root), text, jsonDocument(p, column, kind), p.table, w.sql()));
        out.values.append(w.values);
    };
    branch("data", e.data, p.sql.kinds().data);
    branch("metadata", e.metadata, p.sql.kinds().metadata);
    if (branches.isEmpty())
        branches.append(QStringLiteral("SELECT 0, '', '', NULL WHERE 1 = 0"));
    out.sql = QStringLiteral("s(p, t, r, d) AS (") + branches.join(QStringLiteral(" UNION ALL ")) + u')';
    return out;
}

// "WITH RECURSIVE s(...), f(p, t, r, k, ty, v)": every object member at any depth below an object, with its path.
Roots fieldRows(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    Roots roots = rootRows(p, request, indexStream);
    if (p.pg) {
        roots.sql = QStringLiteral("WITH RECURSIVE ")
            + roots.sql
            // Only objects are descended into, filtered before jsonb_each is called: a scalar member costs its
            // row and nothing more.
            + QStringLiteral(", f(p, t, r, k, ty, v) AS (SELECT s.p, s.t, s.r, ARRAY[j.key], jsonb_typeof(j.value), "
                             "j.value FROM s CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(s.d) = 'object' "
                             "THEN s.d END) AS j WHERE jsonb_typeof(s.d) = 'object' UNION ALL SELECT f.p, f.t, f.r, "
                             "f.k || j.key, jsonb_typeof(j.value), j.value FROM f CROSS JOIN LATERAL "
                             "jsonb_each(CASE WHEN f.ty = 'object' THEN f.v END) AS j WHERE f.ty = 'object')");
    } else {
        // Keys of a top-level array are numbers: arrays are not descended into.
        roots.sql = QStringLiteral("WITH RECURSIVE ") + roots.sql
            + QStringLiteral(", f(p, t, r, k, ty, v) AS (SELECT s.p, s.t, s.r, json_array(j.key), j.type, j.value "
                             "FROM s, json_each(s.d) AS j WHERE typeof(j.key) = 'text' UNION ALL SELECT f.p, f.t, "
                             "f.r, json_insert(f.k, '$[#]', j.key), j.type, j.value FROM f, json_each(CASE WHEN f.ty "
                             "= 'object' THEN f.v END) AS j WHERE f.ty = 'object')");
    }
    return roots;
}

// A time column (or an aggregate of it) as the text events carry; NULL without a time column.
QString timeText(const Parts& p, const QString& value)
{
    if (p.sql.profile().events.time.isEmpty())
        return QStringLiteral("NULL");
    if (p.sql.kinds().time == SqlValueKind::Timestamp)
        return QLatin1String(p.sql.spec().timestampText).arg(value);
    return p.sql.asText(value);
}

SqlStatement bounds(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const SqlWhere w = p.sql.baseWhere(request.filter, indexStream);
    const QString edge = QStringLiteral("(SELECT %1 FROM %2%3 ORDER BY %4 %5 LIMIT 1)");
    const QString position = SqlBuilder::paren(p.sql.profile().events.position);
    const QString& time = p.sql.profile().events.time;
    const QString timeValue = time.isEmpty() ? QStringLiteral("NULL") : timeText(p, SqlBuilder::paren(time));
    QVariantList values;
    QStringList columns;
    for (const char* order : { "ASC", "DESC" }) {
        columns.append(
            edge.arg(position + QLatin1String(p.sql.spec().bigint), p.table, w.sql(), position, QLatin1String(order)));
        values.append(w.values);
    }
    for (const char* order : { "ASC", "DESC" }) {
        columns.append(edge.arg(timeValue, p.table, w.sql(), position, QLatin1String(order)));
        values.append(w.values);
    }
    return { QStringLiteral("SELECT ") + columns.join(QStringLiteral(", ")), values };
}

QString timeOf(const Parts& p, const char* aggregate)
{
    const QString& time = p.sql.profile().events.time;
    if (time.isEmpty())
        return QStringLiteral("NULL");
    return timeText(p, QStringLiteral("%1(%2)").arg(QLatin1String(aggregate), SqlBuilder::paren(time)));
}

SqlStatement types(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    if (!p.pg && request.ranges.size() > 16) {
        // Many narrow ranges (the first answer's estimate): SQLite takes a few dozen ORed ranges of the rowid for a
        // scan of the whole table (minutes on 10M events); one branch per range is one rowid range search each.
        CatalogRequest whole = request;
        whole.ranges.clear();
        const SqlWhere w = scopeWhere(p, whole, indexStream);
        const QString& time = p.sql.profile().events.time;
        QStringList branches;
        QVariantList values;
        for (const PositionRange& r : request.ranges) {
            branches.append(
                QStringLiteral("SELECT %1 AS t, %2 AS p, %3 AS tm FROM %4%5%6 %7 BETWEEN %8 AND %8")
                    .arg(p.type, p.position, time.isEmpty() ? QStringLiteral("NULL") : SqlBuilder::paren(time), p.table,
                        w.sql(), w.sql().isEmpty() ? QStringLiteral(" WHERE") : QStringLiteral(" AND"),
                        SqlBuilder::paren(p.sql.profile().events.position), SqlBuilder::param()));
            values.append(w.values);
            values.append(r.from);
            values.append(r.to);
        }
        const QString timeMin = time.isEmpty() ? QStringLiteral("NULL") : timeText(p, QStringLiteral("min(tm)"));
        const QString timeMax = time.isEmpty() ? QStringLiteral("NULL") : timeText(p, QStringLiteral("max(tm)"));
        return { QStringLiteral("SELECT t, count(*), NULL, min(p), max(p), %1, %2 FROM (%3) AS x GROUP BY t")
                     .arg(timeMin, timeMax, branches.join(QStringLiteral(" UNION ALL "))),
            values };
    }
    const SqlWhere w = scopeWhere(p, request, indexStream);
    const QString streams
        = request.withStreams ? QStringLiteral("count(DISTINCT %1)").arg(p.stream) : QStringLiteral("NULL");
    return { QStringLiteral("SELECT %1, count(*), %2, min(%3), max(%3), %4, %5 FROM %6%7 GROUP BY 1")
                 .arg(p.type, streams, p.position, timeOf(p, "min"), timeOf(p, "max"), p.table, w.sql()),
        w.values };
}

// Distinct (type, stream) pairs of one partition of the stream names, grouped by hashing (PostgreSQL aggregates
// them in parallel; count(DISTINCT) would sort all of them in one process).
SqlStatement typeStreams(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    SqlWhere w = scopeWhere(p, request, indexStream);
    if (request.partitions > 1) {
        const QString last = p.pg ? QStringLiteral("ascii(right(%1, 1))").arg(p.stream)
                                  : QStringLiteral("unicode(substr(%1, -1))").arg(p.stream);
        w.add(QStringLiteral("%1 %% %2 = %2").arg(last, SqlBuilder::param()),
            { qint64(request.partitions), qint64(request.partition) });
    }
    QString sql = QStringLiteral("SELECT t, count(*) FROM (SELECT %1 AS t, %2 AS st FROM %3%4 GROUP BY 1, 2) AS x "
                                 "GROUP BY t")
                      .arg(p.type, p.stream, p.table, w.sql());
    sql.replace(QLatin1String("%%"), QLatin1String("%"));
    return { sql, w.values };
}

SqlStatement fields(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const Roots f = fieldRows(p, request, indexStream);
    if (p.pg) {
        return { f.sql
                + QStringLiteral(
                    " SELECT t, r, to_jsonb(k)::text, ty, count(*), min(p), max(p), min(CASE WHEN ty = "
                    "'number' THEN (v #>> '{}')::numeric END)::text, max(CASE WHEN ty = 'number' THEN "
                    "(v #>> '{}')::numeric END)::text, min(CASE WHEN ty = 'string' THEN length(v #>> '{}') "
                    "END), max(CASE WHEN ty = 'string' THEN length(v #>> '{}') END) FROM f GROUP BY t, r, "
                    "k, ty"),
            f.values };
    }
    return { f.sql
            + QStringLiteral(" SELECT t, r, k, ty, count(*), min(p), max(p), min(CASE WHEN ty IN ('integer', 'real') "
                             "THEN v END), max(CASE WHEN ty IN ('integer', 'real') THEN v END), min(CASE WHEN ty = "
                             "'text' THEN length(v) END), max(CASE WHEN ty = 'text' THEN length(v) END) FROM f GROUP "
                             "BY t, r, k, ty"),
        f.values };
}

// Text that is no JSON: XML when it starts with '<', YAML when it starts with a document marker or a "key:" line,
// else plain text.
QString textKind(bool pg, const QString& d)
{
    if (pg) {
        return QStringLiteral(
            "CASE WHEN ltrim(%1) LIKE '<%%' THEN 'xml' WHEN %1 ~ '^(---|[A-Za-z_][A-Za-z0-9_-]*:(\\s|$))' "
            "THEN 'yaml' ELSE 'text' END")
            .arg(d);
    }
    return QStringLiteral(
        "CASE WHEN ltrim(%1, char(32, 9, 10, 13)) LIKE '<%%' THEN 'xml' WHEN %1 LIKE '---%%' OR (instr(%1, ':') > 1 "
        "AND substr(%1, 1, instr(%1, ':') - 1) NOT GLOB '*[^A-Za-z0-9_-]*' AND substr(%1, 1, 1) GLOB '[A-Za-z_]' "
        "AND substr(%1, instr(%1, ':') + 1, 1) IN (' ', char(10), char(13), '')) THEN 'yaml' ELSE 'text' END")
        .arg(d);
}

// How each event's payload is kept: its kind, its shape and its encoding, as expressions on the events row.
struct PayloadExprs {
    QString kind;
    QString shape;
    QString encoding;
};

PayloadExprs payloadExprs(const Parts& p)
{
    const Profile::Events& e = p.sql.profile().events;
    QString kind;
    QString encoding;
    QString shape = QStringLiteral("NULL");
    const QString d = e.data.isEmpty() ? QStringLiteral("NULL") : SqlBuilder::paren(e.data);
    if (p.pg) {
        shape = QStringLiteral("NULL::text");
        switch (p.sql.kinds().data) {
        case SqlValueKind::Json:
            kind = QStringLiteral("CASE WHEN %1 IS NULL THEN 'none' ELSE jsonb_typeof(%1::jsonb) END").arg(d);
            shape = QStringLiteral("CASE WHEN jsonb_typeof(%1::jsonb) = 'object' THEN (SELECT "
                                   "COALESCE(to_jsonb(array_agg(k ORDER BY k COLLATE \"C\")), '[]'::jsonb)::text "
                                   "FROM jsonb_object_keys(%1::jsonb) AS k) END")
                        .arg(d);
            encoding = QStringLiteral("pg_typeof(%1)::text").arg(d);
            break;
        case SqlValueKind::Bytes:
            // Bytes that are UTF-8 text are read as text (a client that stores JSON as bytea); others are binary.
            kind = QStringLiteral("CASE WHEN %1 IS NULL THEN 'none' ELSE 'binary' END").arg(d);
            encoding = QStringLiteral("'bytea'");
            break;
        default:
            kind = QStringLiteral("CASE WHEN %1 IS NULL THEN 'none' ELSE %2 END")
                       .arg(d, textKind(true, d + QStringLiteral("::text")));
            encoding = QStringLiteral("pg_typeof(%1)::text").arg(d);
            break;
        }
    } else {
        kind = QStringLiteral(
            "CASE WHEN %1 IS NULL THEN 'none' WHEN typeof(%1) = 'blob' THEN 'binary' WHEN typeof(%1) "
            "= 'text' AND json_valid(%1) THEN (CASE json_type(%1) WHEN 'text' THEN 'string' WHEN 'integer' THEN "
            "'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' "
            "ELSE json_type(%1) END) WHEN typeof(%1) = 'text' THEN %2 ELSE 'text' END")
                   .arg(d, textKind(false, d));
        shape = QStringLiteral("CASE WHEN typeof(%1) = 'text' AND json_valid(%1) AND json_type(%1) = 'object' THEN "
                               "(SELECT json_group_array(key) FROM (SELECT key FROM json_each(%1) ORDER BY key)) END")
                    .arg(d);
        // SQLite's storage class: text (UTF-8 here), blob, integer, real, null.
        encoding = QStringLiteral("typeof(%1)").arg(d);
    }
    kind.replace(QLatin1String("%%"), QLatin1String("%"));
    return { kind, shape, encoding };
}

SqlStatement shapes(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const SqlWhere w = scopeWhere(p, request, indexStream);
    const PayloadExprs x = payloadExprs(p);
    return { QStringLiteral(
                 "SELECT t, kind, shape, count(*), min(p), max(p), enc FROM (SELECT %1 AS p, %2 AS t, %3 AS kind, "
                 "%4 AS shape, %5 AS enc FROM %6%7) AS x GROUP BY t, kind, shape, enc")
                 .arg(p.position, p.type, x.kind, x.shape, x.encoding, p.table, w.sql()),
        w.values };
}

// The sample's events, read once (CTE "e"): the ranges' events, then each sampled type's first events outside them.
// Columns: position, type, stream, time, 0 inside the ranges (1 read by type), data and metadata as parsed JSON
// documents, payload kind, shape and encoding.
Roots sampleEvents(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const Profile::Events& e = p.sql.profile().events;
    const PayloadExprs x = payloadExprs(p);
    const QString time
        = e.time.isEmpty() ? (p.pg ? QStringLiteral("NULL::text") : QStringLiteral("NULL")) : SqlBuilder::paren(e.time);
    const QString meta = e.metadata.isEmpty() ? (p.pg ? QStringLiteral("NULL::jsonb") : QStringLiteral("NULL"))
                                              : jsonDocument(p, e.metadata, p.sql.kinds().metadata);
    const QString data = jsonDocument(p, e.data, p.sql.kinds().data);
    auto columns = [&](int w) {
        return QStringLiteral(
            "%1 AS p, %2 AS t, %3 AS st, %4 AS tm, %5 AS w, %6 AS d, %7 AS m, %8 AS kind, %9 AS shape, %10 AS enc")
            .arg(p.position, p.type, p.stream, time, QString::number(w), data, meta, x.kind, x.shape, x.encoding);
    };
    const QString position = SqlBuilder::paren(e.position);
    const QString param = SqlBuilder::param();
    CatalogRequest whole = request;
    whole.ranges.clear();
    const SqlWhere base = scopeWhere(p, whole, indexStream);
    const QString where = base.sql().isEmpty() ? QStringLiteral(" WHERE ") : base.sql() + QStringLiteral(" AND ");
    Roots out;
    QStringList branches;
    if (request.rangeSample) {
        if (p.pg || request.ranges.empty()) {
            const SqlWhere w = scopeWhere(p, request, indexStream);
            branches.append(QStringLiteral("SELECT %1 FROM %2%3").arg(columns(0), p.table, w.sql()));
            out.values.append(w.values);
        } else {
            // One branch per range: SQLite reads each as one search of the rowid (ORed ranges can make it scan).
            for (const PositionRange& r : request.ranges) {
                branches.append(QStringLiteral("SELECT %1 FROM %2%3%4 BETWEEN %5 AND %5")
                                    .arg(columns(0), p.table, where, position, param));
                out.values.append(base.values);
                out.values.append(r.from);
                out.values.append(r.to);
            }
        }
    }
    if (!request.sampleTypes.isEmpty() && request.perType > 0) {
        // Outside the ranges (their events are in already) and inside the span.
        QString outside;
        QVariantList outsideValues;
        if (request.rangeSample && !request.ranges.empty()) {
            QStringList any;
            for (const PositionRange& r : request.ranges) {
                any.append(QStringLiteral("%1 BETWEEN %2 AND %2").arg(position, param));
                outsideValues << r.from << r.to;
            }
            outside = QStringLiteral(" AND NOT (") + any.join(QStringLiteral(" OR ")) + u')';
        }
        if (request.typeSpan) {
            outside += QStringLiteral(" AND %1 BETWEEN %2 AND %2").arg(position, param);
            outsideValues << request.typeSpan->from << request.typeSpan->to;
        }
        // The type column itself, so an index on it can serve.
        const QString type = SqlBuilder::paren(e.type);
        if (request.byIndex) {
            int n = 0;
            for (const QString& t : request.sampleTypes) {
                branches.append(
                    QStringLiteral("SELECT * FROM (SELECT %1 FROM %2%3%4 = %5%6 ORDER BY %7 LIMIT %5) "
                                   "AS es_t%8")
                        .arg(columns(1), p.table, where, type, param, outside, position, QString::number(n++)));
                out.values.append(base.values);
                out.values.append(t);
                out.values.append(outsideValues);
                out.values.append(qint64(request.perType));
            }
        } else {
            QStringList marks;
            for (qsizetype i = 0; i < request.sampleTypes.size(); ++i)
                marks.append(param);
            branches.append(
                QStringLiteral("SELECT p, t, st, tm, w, d, m, kind, shape, enc FROM (SELECT %1, "
                               "row_number() OVER (PARTITION BY %2 ORDER BY %3) AS es_n FROM %4%5%2 IN "
                               "(%6)%7) AS es_t WHERE es_n <= %8")
                    .arg(columns(1), type, position, p.table, where, marks.join(QStringLiteral(", ")), outside, param));
            out.values.append(base.values);
            for (const QString& t : request.sampleTypes)
                out.values.append(t);
            out.values.append(outsideValues);
            out.values.append(qint64(request.perType));
        }
    }
    if (branches.isEmpty())
        branches.append(QStringLiteral("SELECT %1 FROM %2 WHERE 1 = 0").arg(columns(0), p.table));
    out.sql = QStringLiteral("e(p, t, st, tm, w, d, m, kind, shape, enc) AS MATERIALIZED (")
        + branches.join(QStringLiteral(" UNION ALL ")) + u')';
    return out;
}

SqlStatement sample(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const Roots e = sampleEvents(p, request, indexStream);
    QVariantList values = e.values;
    values.append(qint64(std::max(1, request.limit)));
    const bool hasTime = !p.sql.profile().events.time.isEmpty();
    const QString none = p.pg ? QStringLiteral("NULL::text") : QStringLiteral("NULL");
    const QString timeMin = hasTime ? timeText(p, QStringLiteral("min(tm)")) : none;
    const QString timeMax = hasTime ? timeText(p, QStringLiteral("max(tm)")) : none;
    if (p.pg) {
        // Each member once: its JSON type, the object itself (to descend into), a scalar's JSON text and a string's
        // length; the values' texts are grouped rather than the documents.
        const QString sql = QStringLiteral("WITH RECURSIVE ") + e.sql
            + QStringLiteral(
                ", s(p, t, r, d) AS (SELECT p, t, 'data'::text, d FROM e UNION ALL SELECT p, t, 'metadata'::text, m "
                "FROM e), f(p, t, r, k, ty, v, x, n) AS (SELECT s.p, s.t, s.r, ARRAY[j.key], jsonb_typeof(j.value), "
                "CASE WHEN jsonb_typeof(j.value) = 'object' THEN j.value END, CASE WHEN jsonb_typeof(j.value) NOT IN "
                "('object', 'array') THEN j.value::text END, CASE WHEN jsonb_typeof(j.value) = 'string' THEN "
                "length(j.value #>> '{}') END FROM s CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(s.d) = "
                "'object' THEN s.d END) AS j WHERE jsonb_typeof(s.d) = 'object' UNION ALL SELECT f.p, f.t, f.r, f.k "
                "|| j.key, jsonb_typeof(j.value), CASE WHEN jsonb_typeof(j.value) = 'object' THEN j.value END, CASE "
                "WHEN jsonb_typeof(j.value) NOT IN ('object', 'array') THEN j.value::text END, CASE WHEN "
                "jsonb_typeof(j.value) = 'string' THEN length(j.value #>> '{}') END FROM f CROSS JOIN LATERAL "
                "jsonb_each(f.v) AS j WHERE f.v IS NOT NULL), vc(t, r, k, val, n) AS (SELECT t, r, k, x, count(*) "
                "FROM f WHERE x IS NOT NULL GROUP BY t, r, k, x) "
                "SELECT 'types', t, count(*)::text, count(DISTINCT st)::text, min(p)::text, max(p)::text, %1, %2, "
                "count(CASE WHEN w = 0 THEN 1 END)::text, NULL, NULL, NULL FROM e GROUP BY t "
                "UNION ALL SELECT 'shapes', t, kind, shape, count(*)::text, min(p)::text, max(p)::text, enc, NULL, "
                "NULL, NULL, NULL FROM e GROUP BY t, kind, shape, enc "
                "UNION ALL SELECT 'fields', t, r, to_jsonb(k)::text, ty, count(*)::text, min(p)::text, max(p)::text, "
                "min(CASE WHEN ty = 'number' THEN x::numeric END)::text, max(CASE WHEN ty = 'number' THEN x::numeric "
                "END)::text, min(n)::text, max(n)::text FROM f GROUP BY t, r, k, ty "
                "UNION ALL SELECT 'values', t, r, to_jsonb(k)::text, 'top', val, n::text, NULL, NULL, NULL, NULL, "
                "NULL FROM (SELECT t, r, k, val, n, row_number() OVER (PARTITION BY t, r, k ORDER BY n DESC, val "
                "COLLATE \"C\") AS rk FROM vc) AS x WHERE rk <= %3 "
                "UNION ALL SELECT 'values', t, r, to_jsonb(k)::text, 'freq', n::text, count(*)::text, NULL, NULL, "
                "NULL, NULL, NULL FROM vc GROUP BY t, r, k, n")
                  .arg(timeMin, timeMax, SqlBuilder::param());
        return { sql, values };
    }
    const QString sql = QStringLiteral("WITH RECURSIVE ") + e.sql
        + QStringLiteral(
            ", s(p, t, r, d) AS (SELECT p, t, 'data', d FROM e UNION ALL SELECT p, t, 'metadata', m FROM e), "
            "f(p, t, r, k, ty, v) AS (SELECT s.p, s.t, s.r, json_array(j.key), j.type, j.value FROM s, json_each(s.d) "
            "AS j WHERE typeof(j.key) = 'text' UNION ALL SELECT f.p, f.t, f.r, json_insert(f.k, '$[#]', j.key), "
            "j.type, j.value FROM f, json_each(CASE WHEN f.ty = 'object' THEN f.v END) AS j WHERE f.ty = 'object'), "
            "vc(t, r, k, val, n) AS (SELECT t, r, k, CASE ty WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN "
            "'null' THEN 'null' ELSE json_quote(v) END, count(*) FROM f WHERE ty NOT IN ('object', 'array') GROUP BY "
            "1, 2, 3, 4) "
            "SELECT 'types', t, count(*), count(DISTINCT st), min(p), max(p), %1, %2, count(CASE WHEN w = 0 THEN 1 "
            "END), NULL, NULL, NULL FROM e GROUP BY t "
            "UNION ALL SELECT 'shapes', t, kind, shape, count(*), min(p), max(p), enc, NULL, NULL, NULL, NULL FROM e "
            "GROUP BY t, kind, shape, enc "
            "UNION ALL SELECT 'fields', t, r, k, ty, count(*), min(p), max(p), min(CASE WHEN ty IN ('integer', "
            "'real') THEN v END), max(CASE WHEN ty IN ('integer', 'real') THEN v END), min(CASE WHEN ty = 'text' THEN "
            "length(v) END), max(CASE WHEN ty = 'text' THEN length(v) END) FROM f GROUP BY t, r, k, ty "
            "UNION ALL SELECT 'values', t, r, k, 'top', val, n, NULL, NULL, NULL, NULL, NULL FROM (SELECT t, r, k, "
            "val, n, row_number() OVER (PARTITION BY t, r, k ORDER BY n DESC, val) AS rk FROM vc) WHERE rk <= %3 "
            "UNION ALL SELECT 'values', t, r, k, 'freq', n, count(*), NULL, NULL, NULL, NULL, NULL FROM vc GROUP BY "
            "t, r, k, n")
              .arg(timeMin, timeMax, SqlBuilder::param());
    return { sql, values };
}

// A read of one type's events in order, whose plan tells whether an index on the type serves it.
SqlStatement typeIndexProbe(const Parts& p)
{
    const Profile::Events& e = p.sql.profile().events;
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3 = %4 ORDER BY %1 LIMIT 1")
                 .arg(SqlBuilder::paren(e.position), p.table, SqlBuilder::paren(e.type), SqlBuilder::param()),
        { QStringLiteral("eventscope-probe") } };
}

SqlStatement valuesOf(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    const Profile::Events& e = p.sql.profile().events;
    CatalogRequest scoped = request;
    scoped.filter.types = QStringList { request.type };
    SqlWhere w = scopeWhere(p, scoped, indexStream);
    const bool metadata = request.root == QLatin1String("metadata");
    const QString column = metadata ? e.metadata : e.data;
    const SqlValueKind kind = metadata ? p.sql.kinds().metadata : p.sql.kinds().data;
    const QString param = SqlBuilder::param();
    QString value;
    QVariantList values;
    if (column.isEmpty() || request.path.isEmpty() || (p.pg && kind != SqlValueKind::Json)) {
        value = QStringLiteral("NULL");
    } else if (p.pg) {
        QStringList quoted;
        for (QString key : request.path) {
            key.replace(QLatin1String("\\"), QLatin1String("\\\\"));
            key.replace(QLatin1String("\""), QLatin1String("\\\""));
            quoted.append(u'"' + key + u'"');
        }
        value = QStringLiteral("((%1)::jsonb #> %2::text[])::text").arg(column, param);
        values.append(QString(u'{' + quoted.join(u',') + u'}'));
    } else {
        value = QStringLiteral("CASE WHEN typeof(%1) = 'text' AND json_valid(%1) THEN %1 -> %2 END")
                    .arg(SqlBuilder::paren(column), param);
        values.append(JsonPath::objectKeys(request.path).toSqlite());
    }
    values.append(w.values);
    const QString streams = p.pg ? QStringLiteral("to_jsonb(array_agg(DISTINCT st ORDER BY st))::text")
                                 : QStringLiteral("json_group_array(DISTINCT st)");
    QString sql = QStringLiteral("SELECT val, count(*), %1 FROM (SELECT %2 AS val, %3 AS st FROM %4%5) AS x WHERE val "
                                 "IS NOT NULL GROUP BY val")
                      .arg(streams, value, p.stream, p.table, w.sql());
    if (request.duplicates)
        sql += QStringLiteral(" HAVING count(DISTINCT st) > 1");
    sql += p.pg ? QStringLiteral(" ORDER BY 2 DESC, val COLLATE \"C\"") : QStringLiteral(" ORDER BY 2 DESC, val");
    if (request.limit > 0) {
        sql += QStringLiteral(" LIMIT ") + param;
        values.append(qint64(request.limit));
    }
    return { sql, values };
}

// A path's value as JSON text (NULL where the path is absent or the payload no JSON); binds its path to `values`.
QString pathValue(const Parts& p, const QString& root, const QStringList& keys, QVariantList& values)
{
    const Profile::Events& e = p.sql.profile().events;
    const bool metadata = root == QLatin1String("metadata");
    const QString column = metadata ? e.metadata : e.data;
    const SqlValueKind kind = metadata ? p.sql.kinds().metadata : p.sql.kinds().data;
    if (column.isEmpty() || keys.isEmpty() || (p.pg && kind != SqlValueKind::Json))
        return QStringLiteral("NULL");
    if (p.pg) {
        QStringList quoted;
        for (QString key : keys) {
            key.replace(QLatin1String("\\"), QLatin1String("\\\\"));
            key.replace(QLatin1String("\""), QLatin1String("\\\""));
            quoted.append(u'"' + key + u'"');
        }
        values.append(QString(u'{' + quoted.join(u',') + u'}'));
        return QStringLiteral("((%1)::jsonb #> %2::text[])::text").arg(column, SqlBuilder::param());
    }
    values.append(JsonPath::objectKeys(keys).toSqlite());
    return QStringLiteral("CASE WHEN typeof(%1) = 'text' AND json_valid(%1) THEN %1 -> %2 END")
        .arg(SqlBuilder::paren(column), SqlBuilder::param());
}

SqlStatement missing(const Parts& p, const CatalogRequest& request, bool indexStream)
{
    CatalogRequest scoped = request;
    scoped.filter.types = QStringList { request.type };
    const SqlWhere w = scopeWhere(p, scoped, indexStream);
    QStringList columns;
    QVariantList values;
    for (const QStringList& path : request.missing) {
        const QString absent = QStringLiteral("(%1) IS NULL").arg(pathValue(p, path.value(0), path.mid(1), values));
        // The same path three times: bound three times.
        const QVariant bound
            = values.isEmpty() || absent.startsWith(QLatin1String("(NULL)")) ? QVariant() : values.last();
        columns.append(QStringLiteral("count(CASE WHEN %1 THEN 1 END)").arg(absent));
        for (const char* aggregate : { "min", "max" }) {
            if (bound.isValid())
                values.append(bound);
            columns.append(
                QStringLiteral("%1(CASE WHEN %2 THEN %3 END)").arg(QLatin1String(aggregate), absent, p.position));
        }
    }
    if (columns.isEmpty())
        columns.append(QStringLiteral("count(*)"));
    values.append(w.values);
    return { QStringLiteral("SELECT %1 FROM %2%3").arg(columns.join(QStringLiteral(", ")), p.table, w.sql()), values };
}

// An identifier as the catalog stores it: unquoted names fold to lower case.
std::optional<QString> identifier(QStringView text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_$]*$"));
    static const QRegularExpression quoted(QStringLiteral("^\"((?:[^\"]|\"\")+)\"$"));
    const QString t = text.trimmed().toString();
    if (plain.match(t).hasMatch())
        return t.toLower();
    if (const QRegularExpressionMatch m = quoted.match(t); m.hasMatch())
        return m.captured(1).replace(QLatin1String("\"\""), QLatin1String("\""));
    return std::nullopt;
}

SqlStatement typeStatistics(const Parts& p, const CatalogRequest& request)
{
    const Profile::Events& e = p.sql.profile().events;
    const SqlStatement none { QStringLiteral("SELECT NULL WHERE 1 = 0"), {} };
    const EventFilter& f = request.filter;
    if (!p.pg || !f.isEmpty() || f.minKey >= 0 || f.maxKey >= 0 || !request.ranges.empty() || !e.where.isEmpty())
        return none;
    // "schema"."table" [alias] and a type column named plainly or through the alias: the statistics are the column's.
    static const QRegularExpression tableAlias(QStringLiteral("^\\s*((?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)"
                                                              "(?:\\.(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*))?)"
                                                              "(?:\\s+(?:AS\\s+)?([A-Za-z_][A-Za-z0-9_]*))?\\s*$"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch table = tableAlias.match(e.table);
    if (!table.hasMatch())
        return none;
    QStringView type(e.type);
    const QString alias = table.captured(2);
    if (!alias.isEmpty() && type.startsWith(QString(alias + u'.'), Qt::CaseInsensitive))
        type = type.mid(alias.size() + 1);
    const std::optional<QString> column = identifier(type);
    if (!column)
        return none;
    return { QStringLiteral(
                 "SELECT v.val, v.freq, c.reltuples, 300 * CASE WHEN a.attstattarget >= 0 THEN a.attstattarget ELSE "
                 "current_setting('default_statistics_target')::int END FROM pg_class c JOIN pg_namespace n ON n.oid "
                 "= c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = %2 AND NOT "
                 "a.attisdropped JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND "
                 "s.attname = a.attname AND s.inherited = (c.relkind = 'p') CROSS JOIN LATERAL "
                 "unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS v(val, freq) WHERE c.oid = "
                 "to_regclass(%1)")
                 .arg(SqlBuilder::param(), SqlBuilder::param()),
        { *column, table.captured(1) } }; // in the order the marks appear
}

} // namespace

SqlStatement catalogStatement(const SqlBuilder& sql, const CatalogRequest& request, bool indexStream)
{
    const Profile::Events& e = sql.profile().events;
    const Parts p { sql, sql.dialect() == SqlDialect::Postgres,
        SqlBuilder::paren(e.position) + QLatin1String(sql.spec().bigint), sql.asText(e.type), sql.asText(e.stream),
        e.table };
    switch (request.part) {
    case CatalogPart::Bounds:
        return bounds(p, request, indexStream);
    case CatalogPart::Types:
        return types(p, request, indexStream);
    case CatalogPart::TypeStreams:
        return typeStreams(p, request, indexStream);
    case CatalogPart::Fields:
        return fields(p, request, indexStream);
    case CatalogPart::Shapes:
        return shapes(p, request, indexStream);
    case CatalogPart::Values:
        return valuesOf(p, request, indexStream);
    case CatalogPart::Missing:
        return missing(p, request, indexStream);
    case CatalogPart::TypeStatistics:
        return typeStatistics(p, request);
    case CatalogPart::Sample:
        return sample(p, request, indexStream);
    case CatalogPart::TypeIndexed:
        return typeIndexProbe(p);
    }
    return {};
}

} // namespace es
