#include "sql/sqlbuilder.h"

#include <QRegularExpression>

#include <limits>

namespace es {

namespace {

// A JSON path for a profile key (trusted data), as SQLite path text.
QString sqliteKeyPath(const QString& key)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$]*$"));
    if (plain.match(key).hasMatch())
        return QStringLiteral("$.") + key;
    return QStringLiteral("$.\"") + key + u'"';
}

// A PostgreSQL text[] literal for a JSON path; bound, never spliced.
QString pgPathArray(const QStringList& path)
{
    QStringList parts;
    for (QString p : path) {
        p.replace(QLatin1String("\\"), QLatin1String("\\\\"));
        p.replace(QLatin1String("\""), QLatin1String("\\\""));
        parts.append(u'"' + p + u'"');
    }
    return u'{' + parts.join(u',') + u'}';
}

QString numberText(const QVariant& v)
{
    if (v.typeId() == QMetaType::Double || v.typeId() == QMetaType::Float)
        return QString::number(v.toDouble(), 'g', 17);
    return QString::number(v.toLongLong());
}

} // namespace

SqlBuilder::SqlBuilder(const Profile& profile, SqlDialect dialect)
    : SqlBuilder(profile, dialect, Kinds())
{ }

SqlBuilder::SqlBuilder(const Profile& profile, SqlDialect dialect, const Kinds& kinds)
    : m_profile(profile)
    , m_dialect(dialect)
    , m_kinds(kinds)
{
    const Profile::Events& e = m_profile.events;
    const bool pg = m_dialect == SqlDialect::Postgres;
    auto orNull = [](const QString& expr) { return expr.isEmpty() ? QStringLiteral("NULL") : paren(expr); };
    auto jsonValid = [&](const QString& expr, SqlValueKind kind) {
        if (expr.isEmpty())
            return QStringLiteral("0");
        if (pg)
            return kind == SqlValueKind::Json ? QStringLiteral("1") : QStringLiteral("0");
        return QStringLiteral("json_valid(%1)").arg(paren(expr));
    };
    auto payload = [&](const QString& expr, SqlValueKind kind) -> QString {
        if (expr.isEmpty())
            return QStringLiteral("NULL");
        if (pg && kind != SqlValueKind::Bytes)
            return paren(expr) + QStringLiteral("::text");
        return paren(expr);
    };
    auto pick = [&](const QStringList& keys) -> QString {
        if (keys.isEmpty() || e.metadata.isEmpty())
            return QStringLiteral("NULL");
        QStringList extracts;
        if (pg) {
            if (m_kinds.metadata != SqlValueKind::Json)
                return QStringLiteral("NULL");
            for (const QString& key : keys)
                extracts.append(QStringLiteral("(%1)::jsonb ->> %2").arg(e.metadata, literal(key)));
            return extracts.size() == 1 ? extracts.front()
                                        : QStringLiteral("coalesce(%1)").arg(extracts.join(QStringLiteral(", ")));
        }
        return QStringLiteral("NULL"); // SQLite reads every key in one packed column (see packedMetadata())
    };
    // SQLite re-parses the metadata on every JSON call, so one json_extract over all keys (it returns a JSON array
    // when given two or more paths) replaces the validity column and one extract per key.
    QString metaValid = jsonValid(e.metadata, m_kinds.metadata);
    const QStringList metaKeys = m_profile.correlationKeys + m_profile.causationKeys;
    if (!pg && !e.metadata.isEmpty() && !metaKeys.isEmpty()) {
        QStringList paths;
        for (const QString& key : metaKeys)
            paths.append(literal(sqliteKeyPath(key)));
        if (paths.size() == 1)
            paths.append(paths.front());
        metaValid = QStringLiteral("CASE WHEN json_valid(%1) THEN json_extract(%1, %2) END")
                        .arg(paren(e.metadata), paths.join(QStringLiteral(", ")));
        m_packedMetadata = true;
    }
    QString time = orNull(e.time);
    if (pg && !e.time.isEmpty())
        time = m_kinds.time == SqlValueKind::Timestamp
            ? QStringLiteral("to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").arg(paren(e.time))
            : paren(e.time) + QStringLiteral("::text");
    const QString cast = pg ? QStringLiteral("::bigint") : QString();
    m_selectEvent = QStringLiteral("SELECT %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 FROM %13")
                        .arg(paren(e.position) + cast, asText(e.stream), paren(e.version) + cast, asText(e.type), time,
                            e.id.isEmpty() ? QStringLiteral("NULL") : asText(e.id), payload(e.data, m_kinds.data),
                            jsonValid(e.data, m_kinds.data), payload(e.metadata, m_kinds.metadata), metaValid,
                            pick(m_profile.correlationKeys), pick(m_profile.causationKeys), e.table);
    m_streamCategory
        = m_profile.category.expression.isEmpty() ? categoryOf(e.stream) : asText(m_profile.category.expression);
    m_streamsFromTable = !m_profile.streams.table.isEmpty() && m_profile.category.expression.isEmpty();
}

QString SqlBuilder::render(const QString& sql, SqlDialect dialect)
{
    const QChar marker(0xE000);
    if (dialect == SqlDialect::Sqlite) {
        QString out = sql;
        out.replace(marker, u'?');
        return out;
    }
    QString out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (const QChar c : sql) {
        if (c == marker)
            out += u'$' + QString::number(++n);
        else
            out += c;
    }
    return out;
}

QString SqlBuilder::prefixUpperBound(const QString& prefix)
{
    if (prefix.isEmpty())
        return {};
    QString upper = prefix;
    const QChar last = upper.back();
    if (last.isSurrogate() || last.unicode() >= 0xD7FF)
        return {};
    upper.back() = QChar(last.unicode() + 1);
    return upper;
}

QString SqlBuilder::literal(const QString& text) const
{
    QString q = text;
    q.replace(QLatin1String("'"), QLatin1String("''"));
    return u'\'' + q + u'\'';
}

QString SqlBuilder::asText(const QString& expr) const
{
    return m_dialect == SqlDialect::Postgres ? paren(expr) + QStringLiteral("::text") : paren(expr);
}

QString SqlBuilder::categoryOf(const QString& column) const
{
    const QString sep = literal(m_profile.category.separator);
    if (m_dialect == SqlDialect::Postgres)
        return QStringLiteral("split_part(%1, %2, 1)").arg(asText(column), sep);
    return QStringLiteral("(CASE WHEN instr(%1, %2) > 0 THEN substr(%1, 1, instr(%1, %2) - 1) ELSE %1 END)")
        .arg(paren(column), sep);
}

QString SqlBuilder::keyExpr(const EventFilter& filter) const
{
    return paren(filter.isStream() ? m_profile.events.version : m_profile.events.position);
}

QStringList SqlBuilder::notes() const
{
    QStringList notes = m_profile.notes;
    if (m_profile.events.time.isEmpty())
        notes.append(QStringLiteral("this layout keeps no event times"));
    if (m_profile.events.metadata.isEmpty())
        notes.append(QStringLiteral("this layout keeps no metadata"));
    return notes;
}

std::vector<QString> SqlBuilder::probes() const
{
    const Profile::Events& e = m_profile.events;
    std::vector<QString> out;
    out.push_back(m_selectEvent + QStringLiteral(" WHERE ")
        + (e.where.isEmpty() ? QStringLiteral("1=1") : paren(e.where)) + QStringLiteral(" AND ") + m_streamCategory
        + QStringLiteral(" IS NOT NULL LIMIT 0"));
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        out.push_back(QStringLiteral("SELECT %1, %2 FROM %3 WHERE %4 LIMIT 0")
                          .arg(paren(s.name), paren(s.version), s.table,
                              s.where.isEmpty() ? QStringLiteral("1=1") : paren(s.where)));
    }
    return out;
}

// A prefix test that an index on the column can serve where byte order allows it.
QString SqlBuilder::prefixTerm(const QString& column, const QString& prefix, SqlWhere& w) const
{
    const QString p = param();
    const QString upper = prefixUpperBound(prefix);
    if (m_dialect == SqlDialect::Postgres) {
        if (upper.isEmpty() || !m_kinds.cCollation) {
            w.values.append(prefix);
            return QStringLiteral("starts_with(%1, %2)").arg(asText(column), p);
        }
        w.values.append({ prefix, upper });
        return QStringLiteral("(%1 >= %2 AND %1 < %2)").arg(asText(column), p);
    }
    if (upper.isEmpty()) {
        w.values.append({ qint64(prefix.size()), prefix });
        return QStringLiteral("substr(%1, 1, %2) = %2").arg(paren(column), p);
    }
    w.values.append({ prefix, upper });
    return QStringLiteral("%1 >= %2 AND %1 < %2").arg(paren(column), p);
}

QString SqlBuilder::textContains(const QString& column, SqlValueKind kind) const
{
    if (m_dialect == SqlDialect::Sqlite)
        return QStringLiteral("instr(%1, %2) > 0").arg(paren(column), param());
    if (kind == SqlValueKind::Bytes)
        return QStringLiteral("position(convert_to(%2, 'UTF8') in %1) > 0").arg(paren(column), param());
    return QStringLiteral("strpos(%1, %2) > 0").arg(asText(column), param());
}

QString SqlBuilder::timeBound(const QDateTime& t, const char* op, SqlWhere& w) const
{
    const Profile::Events& e = m_profile.events;
    const QDateTime utc = t.toUTC();
    const QString& kind = e.timeFilter;
    const QLatin1String o(op);
    const QString p = param();
    const QString iso = utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
    if (kind == QLatin1String("text")) {
        w.values.append(utc.toString(e.timeTextFormat));
        return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
    }
    if (kind == QLatin1String("epoch_s")) {
        w.values.append(double(utc.toMSecsSinceEpoch()) / 1000.0);
        return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
    }
    if (kind == QLatin1String("epoch_ms")) {
        w.values.append(utc.toMSecsSinceEpoch());
        return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
    }
    w.values.append(iso);
    if (m_dialect == SqlDialect::Postgres) {
        if (kind == QLatin1String("timestamp") || m_kinds.time == SqlValueKind::Timestamp)
            return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
        return QStringLiteral("(%1)::timestamptz %2 %3::timestamptz").arg(e.time, o, p);
    }
    if (kind == QLatin1String("timestamp"))
        return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
    return QStringLiteral("julianday(%1) %2 julianday(%3)").arg(paren(e.time), o, p);
}

void SqlBuilder::addJsonCondition(const JsonCondition& c, SqlWhere& w) const
{
    const Profile::Events& e = m_profile.events;
    const bool onData = c.field == JsonCondition::Field::Data;
    const QString column = onData ? e.data : e.metadata;
    const QString p = param();
    if (column.isEmpty()) {
        w.add(QStringLiteral("1=0"));
        return;
    }
    const bool numeric = c.value.typeId() == QMetaType::LongLong || c.value.typeId() == QMetaType::Int
        || c.value.typeId() == QMetaType::Double;
    const bool isBool = c.value.typeId() == QMetaType::Bool;
    using Op = JsonCondition::Op;

    if (m_dialect == SqlDialect::Postgres) {
        if ((onData ? m_kinds.data : m_kinds.metadata) != SqlValueKind::Json) {
            w.add(QStringLiteral("1=0")); // JSON paths apply to json/jsonb columns only (see PROFILES.md)
            return;
        }
        const QString path = pgPathArray(c.path);
        const QString node = QStringLiteral("((%1)::jsonb #> %2::text[])").arg(column, p);
        const QString text = QStringLiteral("((%1)::jsonb #>> %2::text[])").arg(column, p);
        const QString typed = QStringLiteral("(CASE WHEN jsonb_typeof(%1) = '%2' THEN %3 END)");
        const QString number = typed.arg(node, QStringLiteral("number"), text + QStringLiteral("::numeric"));
        const QString string = typed.arg(node, QStringLiteral("string"), text);
        switch (c.op) {
        case Op::Exists:
            w.add(node + QStringLiteral(" IS NOT NULL"), { path });
            break;
        case Op::Contains:
            w.add(QStringLiteral("strpos(%1, %2) > 0").arg(text, p), { path, c.value.toString() });
            break;
        case Op::Eq:
        case Op::Ne: {
            const bool eq = c.op == Op::Eq;
            if (!c.value.isValid()) {
                w.add(QStringLiteral("jsonb_typeof(%1) %2 'null'")
                          .arg(node, eq ? QStringLiteral("=") : QStringLiteral("IS DISTINCT FROM")),
                    { path });
            } else if (isBool) {
                w.add(QStringLiteral("%1 %2 %3::jsonb").arg(node, eq ? QStringLiteral("=") : QStringLiteral("<>"), p),
                    { path, c.value.toBool() ? QStringLiteral("true") : QStringLiteral("false") });
            } else if (numeric) {
                w.add(QStringLiteral("%1 %2 %3::numeric")
                          .arg(number, eq ? QStringLiteral("=") : QStringLiteral("IS DISTINCT FROM"), p),
                    { path, path, numberText(c.value) });
            } else {
                w.add(QStringLiteral("%1 %2 %3::text")
                          .arg(string, eq ? QStringLiteral("=") : QStringLiteral("IS DISTINCT FROM"), p),
                    { path, path, c.value.toString() });
            }
            break;
        }
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge: {
            static const char* ops[] = { "<", "<=", ">", ">=" };
            const QLatin1String op(ops[int(c.op) - int(Op::Lt)]);
            if (numeric)
                w.add(QStringLiteral("%1 %2 %3::numeric").arg(number, op, p), { path, path, numberText(c.value) });
            else
                w.add(QStringLiteral("%1 COLLATE \"C\" %2 %3::text").arg(string, op, p),
                    { path, path, c.value.toString() });
            break;
        }
        }
        return;
    }

    const QString path = c.sqlitePath();
    // CASE keeps json_extract away from rows whose payload is not JSON, whatever order the planner picks.
    const QString value
        = QStringLiteral("(CASE WHEN json_valid(%1) THEN json_extract(%1, %2) END)").arg(paren(column), p);
    const QString type = QStringLiteral("(CASE WHEN json_valid(%1) THEN json_type(%1, %2) END)").arg(paren(column), p);
    QVariant bound = c.value;
    if (isBool)
        bound = c.value.toBool() ? 1 : 0;
    switch (c.op) {
    case Op::Exists:
        w.add(type + QStringLiteral(" IS NOT NULL"), { path });
        break;
    case Op::Contains:
        w.add(QStringLiteral("instr(CAST(%1 AS TEXT), %2) > 0").arg(value, p), { path, c.value.toString() });
        break;
    case Op::Eq:
    case Op::Ne: {
        const bool eq = c.op == Op::Eq;
        if (!c.value.isValid()) {
            w.add(type + (eq ? QStringLiteral(" = 'null'") : QStringLiteral(" IS NOT 'null'")), { path });
        } else if (isBool) {
            w.add(QStringLiteral("(%1 %2 %3)").arg(type, eq ? QStringLiteral("=") : QStringLiteral("<>"), p),
                { path, c.value.toBool() ? QStringLiteral("true") : QStringLiteral("false") });
        } else if (eq) {
            w.add(value + QStringLiteral(" = ") + p, { path, bound });
        } else {
            w.add(QStringLiteral("%1 IS NOT %2").arg(value, p), { path, bound });
        }
        break;
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
        static const char* ops[] = { "<", "<=", ">", ">=" };
        const QLatin1String op(ops[int(c.op) - int(Op::Lt)]);
        // Without the type check SQLite would order any text above every number.
        const QString kinds = numeric ? QStringLiteral("('integer', 'real')") : QStringLiteral("('text')");
        w.add(QStringLiteral("(%1 IN %2 AND %3 %4 %5)").arg(type, kinds, value, op, p), { path, path, bound });
        break;
    }
    }
}

SqlWhere SqlBuilder::baseWhere(const EventFilter& filter, bool indexStream) const
{
    const Profile::Events& e = m_profile.events;
    const bool pg = m_dialect == SqlDialect::Postgres;
    const QString p = param();
    SqlWhere w;
    if (!e.where.isEmpty())
        w.add(paren(e.where));
    if (filter.isStream()) {
        w.add(paren(e.stream) + QStringLiteral(" = ") + p, { filter.stream });
    } else if (!filter.category.isEmpty()) {
        if (m_profile.category.expression.isEmpty()) {
            const QString sep = m_profile.category.separator;
            const QString upper = prefixUpperBound(filter.category + sep);
            if (pg) {
                if (upper.isEmpty() || !m_kinds.cCollation)
                    w.add(m_streamCategory + QStringLiteral(" = ") + p, { filter.category });
                else
                    w.add(QStringLiteral("(%1 = %2 OR (%1 >= %2 AND %1 < %2))").arg(asText(e.stream), p),
                        { filter.category, QString(filter.category + sep), upper });
            } else {
                // Unary + keeps the planner on the key order instead of an index on the stream.
                const QString s = (indexStream ? QString() : QStringLiteral("+")) + paren(e.stream);
                if (upper.isEmpty())
                    w.add(QStringLiteral("%1 = %2").arg(categoryOf(e.stream), p), { filter.category });
                else
                    w.add(QStringLiteral("(%1 = %2 OR (%1 >= %2 AND %1 < %2))").arg(s, p),
                        { filter.category, QString(filter.category + sep), upper });
            }
        } else {
            w.add(m_streamCategory + QStringLiteral(" = ") + p, { filter.category });
        }
    }
    if (!filter.types.isEmpty()) {
        QStringList marks;
        QVariantList values;
        for (const QString& t : filter.types) {
            marks.append(p);
            values.append(t);
        }
        w.add(QStringLiteral("%1%2 IN (%3)")
                  .arg(pg ? QString() : QStringLiteral("+"), asText(e.type), marks.join(QStringLiteral(", "))),
            values);
    }
    if ((filter.fromTime.isValid() || filter.toTime.isValid()) && !e.time.isEmpty()) {
        if (filter.fromTime.isValid())
            w.terms.append(timeBound(filter.fromTime, ">=", w));
        if (filter.toTime.isValid())
            w.terms.append(timeBound(filter.toTime, "<", w));
    } else if (filter.fromTime.isValid() || filter.toTime.isValid()) {
        w.add(QStringLiteral("1=0")); // no times: nothing is inside a time range
    }
    if (!filter.text.isEmpty()) {
        if (e.metadata.isEmpty())
            w.add(textContains(e.data, m_kinds.data), { filter.text });
        else
            w.add(u'(' + textContains(e.data, m_kinds.data) + QStringLiteral(" OR ")
                    + textContains(e.metadata, m_kinds.metadata) + u')',
                { filter.text, filter.text });
    }
    for (const JsonCondition& c : filter.conditions)
        addJsonCondition(c, w);
    return w;
}

SqlStatement SqlBuilder::edgeKey(const EventFilter& filter, bool last) const
{
    EventFilter bounds;
    bounds.stream = filter.stream;
    const SqlWhere w = baseWhere(bounds, true);
    const QString key = keyExpr(filter);
    return { QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %1 %4 LIMIT 1")
                 .arg(key, m_profile.events.table, w.sql(), last ? QStringLiteral("DESC") : QStringLiteral("ASC")),
        w.values };
}

SqlStatement SqlBuilder::eventsPage(const EventQuery& query, bool indexStream, std::optional<qint64> windowEdge) const
{
    const EventFilter& f = query.filter;
    const QString key = keyExpr(f);
    const QString p = param();
    SqlWhere w = baseWhere(f, indexStream);
    if (query.from >= 0)
        w.add(key + (query.backward ? QStringLiteral(" <= ") : QStringLiteral(" >= ")) + p, { query.from });
    if (query.to >= 0)
        w.add(key + (query.backward ? QStringLiteral(" >= ") : QStringLiteral(" <= ")) + p, { query.to });
    if (windowEdge)
        w.add(key + (query.backward ? QStringLiteral(" >= ") : QStringLiteral(" <= ")) + p, { *windowEdge });
    QString sql = m_selectEvent + w.sql() + QStringLiteral(" ORDER BY ") + key
        + (query.backward ? QStringLiteral(" DESC") : QStringLiteral(" ASC"));
    if (query.limit > 0) {
        sql += QStringLiteral(" LIMIT ") + p;
        w.values.append(qint64(query.limit) + 1);
    }
    return { sql, w.values };
}

SqlStatement SqlBuilder::scopeStats(const EventFilter& filter, bool indexStream, qint64 afterKey) const
{
    const QString key = keyExpr(filter);
    SqlWhere w = baseWhere(filter, indexStream);
    if (afterKey >= 0)
        w.add(key + QStringLiteral(" > ") + param(), { afterKey });
    const QString cast = m_dialect == SqlDialect::Postgres ? QStringLiteral("::bigint") : QString();
    return { QStringLiteral("SELECT count(*), min(%1)%4, max(%1)%4 FROM %2%3")
                 .arg(key, m_profile.events.table, w.sql(), cast),
        w.values };
}

SqlStatement SqlBuilder::keys(const EventFilter& filter, bool indexStream, qint64 afterKey) const
{
    const QString key = keyExpr(filter);
    SqlWhere w = baseWhere(filter, indexStream);
    if (afterKey >= 0)
        w.add(key + QStringLiteral(" > ") + param(), { afterKey });
    return { QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %1").arg(key, m_profile.events.table, w.sql()), w.values };
}

SqlStatement SqlBuilder::streamCounts(const QString& name) const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" AND ") + paren(e.where);
    const QString cast = m_dialect == SqlDialect::Postgres ? QStringLiteral("::bigint") : QString();
    return { QStringLiteral("SELECT count(*), min(%1)%5, max(%1)%5 FROM %2 WHERE %3 = %6%4")
                 .arg(paren(e.version), e.table, paren(e.stream), where, cast, param()),
        { name } };
}

SqlStatement SqlBuilder::streamTime(const QString& name, bool last) const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" AND ") + paren(e.where);
    QString time = paren(e.time);
    if (m_dialect == SqlDialect::Postgres)
        time = m_kinds.time == SqlValueKind::Timestamp
            ? QStringLiteral("to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").arg(paren(e.time))
            : asText(e.time);
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3 = %7%4 ORDER BY %5 %6 LIMIT 1")
                 .arg(time, e.table, paren(e.stream), where, paren(e.version),
                     last ? QStringLiteral("DESC") : QStringLiteral("ASC"), param()),
        { name } };
}

SqlStatement SqlBuilder::streamCategoryOf(const QString& name) const
{
    const Profile::Events& e = m_profile.events;
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3 = %5 ORDER BY %4 DESC LIMIT 1")
                 .arg(m_streamCategory, e.table, paren(e.stream), paren(e.version), param()),
        { name } };
}

SqlStatement SqlBuilder::streams(const StreamQuery& query) const
{
    const Profile::Events& e = m_profile.events;
    const bool pg = m_dialect == SqlDialect::Postgres;
    const QString p = param();
    SqlWhere w;
    QString name;
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        name = paren(s.name);
        if (!s.where.isEmpty())
            w.add(paren(s.where));
    } else {
        name = paren(e.stream);
        if (!e.where.isEmpty())
            w.add(paren(e.where));
    }
    const QString nameText = asText(name);
    if (!query.after.isEmpty())
        w.add(nameText + (pg && !m_kinds.cCollation ? QStringLiteral(" COLLATE \"C\" > ") : QStringLiteral(" > ")) + p,
            { query.after });
    if (!query.prefix.isEmpty())
        w.terms.append(prefixTerm(name, query.prefix, w));
    if (!query.contains.isEmpty())
        w.add(textContains(name, SqlValueKind::Text), { query.contains });
    const QString category = m_streamsFromTable ? categoryOf(name) : m_streamCategory;
    if (!query.category.isEmpty()) {
        const QString upper = prefixUpperBound(query.category + m_profile.category.separator);
        if (m_profile.category.expression.isEmpty() && !upper.isEmpty() && (!pg || m_kinds.cCollation))
            w.add(QStringLiteral("(%1 = %2 OR (%1 >= %2 AND %1 < %2))").arg(nameText, p),
                { query.category, QString(query.category + m_profile.category.separator), upper });
        else
            w.add(category + QStringLiteral(" = ") + p, { query.category });
    }
    const QString order = nameText + (pg && !m_kinds.cCollation ? QStringLiteral(" COLLATE \"C\"") : QString());
    const QString cast = pg ? QStringLiteral("::bigint") : QString();
    QString sql;
    if (m_streamsFromTable) {
        sql = QStringLiteral("SELECT %1, %2%7, %3 FROM %4%5 ORDER BY %6")
                  .arg(nameText, paren(m_profile.streams.version), category, m_profile.streams.table, w.sql(), order,
                      cast);
    } else {
        sql = QStringLiteral("SELECT %1, max(%2)%7, %3, count(*), min(%2)%7 FROM %4%5 GROUP BY %1 ORDER BY %6")
                  .arg(nameText, paren(e.version), category, e.table, w.sql(), order, cast);
    }
    if (query.limit > 0) {
        sql += QStringLiteral(" LIMIT ") + p;
        w.values.append(qint64(query.limit));
    }
    return { sql, w.values };
}

SqlStatement SqlBuilder::categories() const
{
    const QString cast = m_dialect == SqlDialect::Postgres ? QStringLiteral("::bigint") : QString();
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        const QString events = s.versionIsCount
            ? QStringLiteral("sum(%1 - %2 + 1)%3").arg(paren(s.version)).arg(m_profile.events.firstVersion).arg(cast)
            : QStringLiteral("-1");
        return { QStringLiteral("SELECT %1 AS c, count(*), %2 FROM %3%4 GROUP BY 1 ORDER BY 1")
                     .arg(categoryOf(s.name), events, s.table,
                         s.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(s.where)),
            {} };
    }
    const Profile::Events& e = m_profile.events;
    return { QStringLiteral("SELECT %1 AS c, count(DISTINCT %2), count(*) FROM %3%4 GROUP BY 1 ORDER BY 1")
                 .arg(m_streamCategory, paren(e.stream), e.table,
                     e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where)),
        {} };
}

SqlStatement SqlBuilder::logEdge(bool last) const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where);
    QString time = e.time.isEmpty() ? QStringLiteral("NULL") : paren(e.time);
    QString position = paren(e.position);
    if (m_dialect == SqlDialect::Postgres) {
        position += QStringLiteral("::bigint");
        if (!e.time.isEmpty())
            time = m_kinds.time == SqlValueKind::Timestamp
                ? QStringLiteral("to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").arg(paren(e.time))
                : asText(e.time);
    }
    return { QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %5 %6 LIMIT 1")
                 .arg(position, time, e.table, where, paren(e.position),
                     last ? QStringLiteral("DESC") : QStringLiteral("ASC")),
        {} };
}

SqlStatement SqlBuilder::streamTableCounts() const
{
    const Profile::Streams& s = m_profile.streams;
    const QString cast = m_dialect == SqlDialect::Postgres ? QStringLiteral("::bigint") : QString();
    return { QStringLiteral("SELECT count(*), sum(%1 - %2 + 1)%5 FROM %3%4")
                 .arg(paren(s.version))
                 .arg(m_profile.events.firstVersion)
                 .arg(s.table, s.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(s.where), cast),
        {} };
}

SqlStatement SqlBuilder::logCounts() const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where);
    return { QStringLiteral("SELECT count(*), count(DISTINCT %1) FROM %2%3").arg(paren(e.stream), e.table, where), {} };
}

SqlStatement SqlBuilder::categoryEvents(const QString& category) const
{
    const Profile::Streams& s = m_profile.streams;
    const QString sep = m_profile.category.separator;
    const QString events = QStringLiteral("sum(%1 - %2 + 1)").arg(paren(s.version)).arg(m_profile.events.firstVersion);
    const QString where = s.where.isEmpty() ? QStringLiteral("1=1") : paren(s.where);
    const QString p = param();
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3 AND (%4 = %5 OR (%4 >= %5 AND %4 < %5))")
                 .arg(events, s.table, where, asText(s.name), p),
        { category, QString(category + sep), prefixUpperBound(category + sep) } };
}

SqlStatement SqlBuilder::totalEvents() const
{
    const Profile::Streams& s = m_profile.streams;
    const QString events = QStringLiteral("sum(%1 - %2 + 1)").arg(paren(s.version)).arg(m_profile.events.firstVersion);
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3")
                 .arg(events, s.table, s.where.isEmpty() ? QStringLiteral("1=1") : paren(s.where)),
        {} };
}

EventPage SqlBuilder::readPage(const EventQuery& query, bool indexStream,
    const std::function<std::optional<qint64>(const SqlStatement&)>& edge,
    const std::function<EventList(const SqlStatement&)>& fetch) const
{
    EventPage page;
    const EventFilter& f = query.filter;
    const bool windowed = query.scanWindow > 0 && (f.hasPredicates() || (!f.isStream() && !f.category.isEmpty()));
    std::optional<qint64> windowEdge; // last key the window examines
    qint64 scopeEnd = -1; // last key in this direction
    if (windowed) {
        const auto first = edge(edgeKey(f, false));
        const auto last = edge(edgeKey(f, true));
        if (!first || !last) {
            page.atEnd = true;
            return page;
        }
        if (!query.backward) {
            const qint64 start = query.from >= 0 ? query.from : *first;
            scopeEnd = query.to >= 0 ? std::min(query.to, *last) : *last;
            windowEdge = start > std::numeric_limits<qint64>::max() - query.scanWindow ? scopeEnd
                                                                                       : start + query.scanWindow - 1;
        } else {
            const qint64 start = query.from >= 0 ? query.from : *last;
            scopeEnd = query.to >= 0 ? std::max(query.to, *first) : *first;
            windowEdge = start - query.scanWindow + 1;
        }
    }
    page.events = fetch(eventsPage(query, indexStream, windowEdge));
    auto keyOf = [&f](const Event& e) { return f.isStream() ? e.version : e.position; };
    if (query.limit > 0 && qsizetype(page.events.size()) > query.limit) {
        page.events.resize(size_t(query.limit));
        page.next = keyOf(page.events.back()) + (query.backward ? -1 : 1);
        return page;
    }
    const bool windowEndsEarly = windowEdge && (query.backward ? *windowEdge > scopeEnd : *windowEdge < scopeEnd);
    if (windowEndsEarly) {
        page.windowExhausted = true;
        page.next = *windowEdge + (query.backward ? -1 : 1);
        return page;
    }
    page.atEnd = true;
    return page;
}

} // namespace es
