#include "sql/sqlbuilder.h"

#include "core/typepattern.h"

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

bool isNumber(const QVariant& v)
{
    return v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int || v.typeId() == QMetaType::Double;
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
    , m_spec(sqlDialect(dialect))
    , m_kinds(kinds)
    , m_bytewise(m_spec.textIsBytewise || kinds.cCollation)
{
    const Profile::Events& e = m_profile.events;
    auto isJson = [&](const QString& expr, SqlValueKind kind) {
        if (expr.isEmpty())
            return QStringLiteral("0");
        if (!m_spec.isJson)
            return kind == SqlValueKind::Json ? QStringLiteral("1") : QStringLiteral("0");
        return QLatin1String(m_spec.isJson).arg(paren(expr));
    };
    auto payload = [&](const QString& expr, SqlValueKind kind) -> QString {
        if (expr.isEmpty())
            return QStringLiteral("NULL");
        return kind == SqlValueKind::Bytes ? paren(expr) : asText(expr);
    };
    auto pick = [&](const QStringList& keys) -> QString {
        if (keys.isEmpty() || e.metadata.isEmpty() || m_spec.packedMetadataKeys
            || m_kinds.metadata != SqlValueKind::Json)
            return QStringLiteral("NULL");
        QStringList extracts;
        for (const QString& key : keys)
            extracts.append(QLatin1String(m_spec.metadataKey).arg(e.metadata, literal(key)));
        return extracts.size() == 1 ? extracts.front()
                                    : QStringLiteral("coalesce(%1)").arg(extracts.join(QStringLiteral(", ")));
    };
    // Where the profile names a column for the id (Commanded keeps them in columns only), that column; on PostgreSQL,
    // whose layout detection drops a column the store does not have (Marten's are opt-in).
    auto linkColumn = [&](const QString& column, const QStringList& keys) -> QString {
        if (!column.isEmpty() && m_spec.id == SqlDialect::Postgres)
            return asText(column);
        return pick(keys);
    };
    QString metaIsJson = isJson(e.metadata, m_kinds.metadata);
    const QStringList metaKeys = m_profile.correlationKeys + m_profile.causationKeys;
    if (m_spec.packedMetadataKeys && !e.metadata.isEmpty() && !metaKeys.isEmpty()) {
        // One json_extract over all keys (it returns a JSON array when given two or more paths) replaces the validity
        // column and one extract per key.
        QStringList paths;
        for (const QString& key : metaKeys)
            paths.append(literal(sqliteKeyPath(key)));
        if (paths.size() == 1)
            paths.append(paths.front());
        metaIsJson
            = QStringLiteral("CASE WHEN %1 THEN json_extract(%2, %3) END")
                  .arg(isJson(e.metadata, m_kinds.metadata), paren(e.metadata), paths.join(QStringLiteral(", ")));
        m_packedMetadata = true;
    }
    // SQLite's json_valid() builds a node per token: a 500 MB payload held 3.2 GB inside SQLite. Above
    // kLargePayloadBytes the column is NULL ("not decided") and the reader scans the bytes itself (isJsonText).
    QString dataIsJson = isJson(e.data, m_kinds.data);
    if (m_spec.isJson && !e.data.isEmpty())
        dataIsJson = QStringLiteral("(CASE WHEN length(%1) <= %2 THEN %3 END)")
                         .arg(paren(e.data), QString::number(kLargePayloadBytes), dataIsJson);
    const QString bigint = QLatin1String(m_spec.bigint);
    m_eventColumns = { paren(e.position) + bigint, asText(e.stream), paren(e.version) + bigint, asText(e.type),
        timeText(), e.id.isEmpty() ? QStringLiteral("NULL") : asText(e.id), payload(e.data, m_kinds.data), dataIsJson,
        payload(e.metadata, m_kinds.metadata), metaIsJson,
        linkColumn(m_profile.correlationColumn, m_profile.correlationKeys),
        linkColumn(m_profile.causationColumn, m_profile.causationKeys) };
    m_metadataIsJson = isJson(e.metadata, m_kinds.metadata);
    m_selectEvent = selectEvent(EventColumns {});
    m_streamCategory
        = m_profile.category.expression.isEmpty() ? categoryOf(e.stream) : asText(m_profile.category.expression);
    m_streamsFromTable = !m_profile.streams.table.isEmpty() && m_profile.category.expression.isEmpty();
}

QString SqlBuilder::render(const QString& sql, SqlDialect dialect)
{
    const QChar marker(0xE000);
    if (!sqlDialect(dialect).numberedParams) {
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

QString SqlBuilder::literal(const QString& text)
{
    QString q = text;
    q.replace(QLatin1String("'"), QLatin1String("''"));
    return u'\'' + q + u'\'';
}

QString SqlBuilder::asText(const QString& expr) const
{
    return paren(expr) + QLatin1String(m_spec.text);
}

QString SqlBuilder::timeText() const
{
    const QString& time = m_profile.events.time;
    if (time.isEmpty())
        return QStringLiteral("NULL");
    return m_kinds.time == SqlValueKind::Timestamp ? QLatin1String(m_spec.timestampText).arg(paren(time))
                                                   : asText(time);
}

QString SqlBuilder::categoryOf(const QString& column) const
{
    return QLatin1String(m_spec.categoryOf).arg(asText(column), literal(m_profile.category.separator));
}

QString SqlBuilder::perStream(const QString& expr) const
{
    return QStringLiteral("max(%1)").arg(expr);
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
    } else {
        // The grouped reads put the expressions in a GROUP BY beside each other; what PostgreSQL refuses there (a
        // column not functionally dependent on the grouped stream) fails at open, not at the first stream list.
        StreamQuery all;
        all.limit = 0;
        out.push_back(streams(all).sql + QStringLiteral(" LIMIT 0"));
        out.push_back(categories().sql + QStringLiteral(" LIMIT 0"));
    }
    return out;
}

// A prefix test that an index on the column can serve where byte order allows it.
QString SqlBuilder::prefixTerm(const QString& column, const QString& prefix, SqlWhere& w) const
{
    const QString p = param();
    const QString upper = prefixUpperBound(prefix);
    if (upper.isEmpty() || !m_bytewise) {
        if (m_spec.startsWithLength)
            w.values.append(qint64(prefix.size()));
        w.values.append(prefix);
        return QLatin1String(m_spec.startsWith).arg(asText(column), p);
    }
    w.values.append({ prefix, upper });
    return QStringLiteral("(%1 >= %2 AND %1 < %2)").arg(asText(column), p);
}

QString SqlBuilder::textContains(const QString& column, SqlValueKind kind) const
{
    if (kind == SqlValueKind::Bytes)
        return QLatin1String(m_spec.containsBytes).arg(paren(column), param());
    return QLatin1String(m_spec.contains).arg(asText(column), param());
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
    if (kind == QLatin1String("timestamp") || m_kinds.time == SqlValueKind::Timestamp)
        return QStringLiteral("%1 %2 %3").arg(paren(e.time), o, p);
    return QLatin1String(m_spec.isoTimeCompare).arg(paren(e.time), o, p);
}

void SqlBuilder::addJsonCondition(const JsonCondition& c, SqlWhere& w) const
{
    const Profile::Events& e = m_profile.events;
    const QString& column = c.field == JsonCondition::Field::Data ? e.data : e.metadata;
    if (column.isEmpty())
        w.add(c.op == JsonCondition::Op::Missing ? QStringLiteral("1=1") : QStringLiteral("1=0"));
    else if (m_spec.jsonb)
        addJsonbCondition(c, column, w);
    else
        addSqliteJsonCondition(c, column, w);
}

void SqlBuilder::addJsonbCondition(const JsonCondition& c, const QString& column, SqlWhere& w) const
{
    const QString p = param();
    const bool numeric = isNumber(c.value);
    const bool isBool = c.value.typeId() == QMetaType::Bool;
    using Op = JsonCondition::Op;
    if ((c.field == JsonCondition::Field::Data ? m_kinds.data : m_kinds.metadata) != SqlValueKind::Json) {
        // JSON paths apply to json/jsonb columns only (see PROFILES.md): no event has one, every event misses it.
        w.add(c.op == Op::Missing ? QStringLiteral("1=1") : QStringLiteral("1=0"));
        return;
    }
    const QString path = pgPathArray(c.path.toKeys());
    const QString node = QStringLiteral("((%1)::jsonb #> %2::text[])").arg(column, p);
    const QString text = QStringLiteral("((%1)::jsonb #>> %2::text[])").arg(column, p);
    const QString typed = QStringLiteral("(CASE WHEN jsonb_typeof(%1) = '%2' THEN %3 END)");
    const QString number = typed.arg(node, QStringLiteral("number"), text + QStringLiteral("::numeric"));
    const QString string = typed.arg(node, QStringLiteral("string"), text);
    switch (c.op) {
    case Op::Exists:
        w.add(node + QStringLiteral(" IS NOT NULL"), { path });
        break;
    case Op::Missing:
        w.add(node + QStringLiteral(" IS NULL"), { path });
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
            w.add(
                QStringLiteral("%1 COLLATE \"C\" %2 %3::text").arg(string, op, p), { path, path, c.value.toString() });
        break;
    }
    }
}

void SqlBuilder::addSqliteJsonCondition(const JsonCondition& c, const QString& column, SqlWhere& w) const
{
    const QString p = param();
    const bool numeric = isNumber(c.value);
    const bool isBool = c.value.typeId() == QMetaType::Bool;
    using Op = JsonCondition::Op;
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
    case Op::Missing:
        w.add(type + QStringLiteral(" IS NULL"), { path });
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
    const QString p = param();
    const QLatin1String withoutIndex(m_spec.withoutIndex);
    SqlWhere w;
    if (!e.where.isEmpty())
        w.add(paren(e.where));
    if (filter.isStream()) {
        w.add(paren(e.stream) + QStringLiteral(" = ") + p, { filter.stream });
    } else if (!filter.category.isEmpty()) {
        const QString sep = m_profile.category.separator;
        const QString upper = prefixUpperBound(filter.category + sep);
        if (m_profile.category.expression.isEmpty() && !upper.isEmpty() && m_bytewise) {
            // The category's streams as one range of names an index on the stream can serve; without
            // indexStream the planner is kept on the key order.
            const QString stream = (indexStream ? QString() : QString(withoutIndex)) + asText(e.stream);
            w.add(QStringLiteral("(%1 = %2 OR (%1 >= %2 AND %1 < %2))").arg(stream, p),
                { filter.category, QString(filter.category + sep), upper });
        } else {
            w.add(m_streamCategory + QStringLiteral(" = ") + p, { filter.category });
        }
    }
    if (!filter.types.isEmpty()) {
        // Exact names in one IN list; a name with * is a pattern: Order* (prefix), *Placed* (contains), *Placed
        // (suffix), each case-sensitive and parameterised on both engines.
        const QString type = asText(e.type);
        QStringList marks, terms;
        QVariantList exact, patterns;
        for (const QString& t : filter.types) {
            const TypePattern pattern = TypePattern::of(t);
            if (pattern.kind == TypePattern::Kind::Exact) {
                marks.append(p);
                exact.append(t);
                continue;
            }
            if (pattern.text.isEmpty()) {
                terms.append(QStringLiteral("1=1")); // "*": every type
                continue;
            }
            const qint64 length = qint64(pattern.text.toUcs4().size()); // characters, as substr counts them
            switch (pattern.kind) {
            case TypePattern::Kind::Prefix:
                terms.append(QStringLiteral("substr(%1, 1, %2) = %2").arg(type, p));
                patterns << length << pattern.text;
                break;
            case TypePattern::Kind::Suffix:
                // The last characters: from position length(t) - n + 1 (substr with a negative start differs).
                terms.append(
                    QStringLiteral("(length(%1) >= %2 AND substr(%1, length(%1) - %2 + 1) = %2)").arg(type, p));
                patterns << length << length << pattern.text;
                break;
            case TypePattern::Kind::Contains:
                terms.append(QString(QLatin1String(m_spec.contains)).arg(type, p));
                patterns << pattern.text;
                break;
            case TypePattern::Kind::Exact:
                break;
            }
        }
        if (!exact.isEmpty())
            terms.prepend(QStringLiteral("%1%2 IN (%3)").arg(withoutIndex, type, marks.join(QStringLiteral(", "))));
        w.add(terms.size() == 1 ? terms.first() : u'(' + terms.join(QStringLiteral(" OR ")) + u')', exact + patterns);
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
    if (filter.maxKey >= 0)
        w.add(keyExpr(filter) + QStringLiteral(" <= ") + p, { filter.maxKey });
    if (filter.minKey >= 0)
        w.add(keyExpr(filter) + QStringLiteral(" >= ") + p, { filter.minKey });
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

QString SqlBuilder::selectEvent(const EventColumns& columns) const
{
    if (columns.ids && columns.metadata && columns.jsonChecks && !m_selectEvent.isEmpty())
        return m_selectEvent;
    QStringList c = m_eventColumns;
    const QString null = QStringLiteral("NULL");
    if (!columns.ids) {
        c[5] = c[10] = c[11] = null;
        c[9] = m_metadataIsJson;
    }
    if (!columns.jsonChecks)
        c[7] = c[9] = null;
    if (!columns.metadata)
        c[8] = c[9] = null;
    return QStringLiteral("SELECT ") + c.join(QStringLiteral(", ")) + QStringLiteral(" FROM ") + m_profile.events.table;
}

SqlStatement SqlBuilder::eventsPage(
    const EventQuery& query, bool indexStream, std::optional<qint64> windowEdge, const EventColumns& columns) const
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
    QString sql = selectEvent(columns) + w.sql() + QStringLiteral(" ORDER BY ") + key
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
    const QLatin1String cast(m_spec.bigint);
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
    const QLatin1String cast(m_spec.bigint);
    return { QStringLiteral("SELECT count(*), min(%1)%5, max(%1)%5 FROM %2 WHERE %3 = %6%4")
                 .arg(paren(e.version), e.table, paren(e.stream), where, cast, param()),
        { name } };
}

SqlStatement SqlBuilder::streamTime(const QString& name, bool last) const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" AND ") + paren(e.where);
    return { QStringLiteral("SELECT %1 FROM %2 WHERE %3 = %7%4 ORDER BY %5 %6 LIMIT 1")
                 .arg(timeText(), e.table, paren(e.stream), where, paren(e.version),
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

bool SqlBuilder::streamsGrouped(const StreamQuery& query) const
{
    return !m_streamsFromTable || query.order != StreamOrder::Name;
}

QString SqlBuilder::lastTimeOfGroup() const
{
    const QString& time = m_profile.events.time;
    if (time.isEmpty())
        return QStringLiteral("NULL");
    // max() before the text conversion keeps PostgreSQL's timestamps in their own order.
    return m_kinds.time == SqlValueKind::Timestamp
        ? QLatin1String(m_spec.timestampText).arg(QStringLiteral("max(%1)").arg(paren(time)))
        : QStringLiteral("max(%1)").arg(asText(time));
}

SqlStatement SqlBuilder::streams(const StreamQuery& query) const
{
    const Profile::Events& e = m_profile.events;
    const QString p = param();
    // Names in byte order, as keyset paging and prefix ranges need.
    const QString bytewise = m_bytewise ? QString() : QString(QLatin1String(m_spec.byteCollate));
    const bool grouped = streamsGrouped(query);
    const bool byName = query.order == StreamOrder::Name;
    SqlWhere w;
    QString name;
    if (!grouped) {
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
    if (!query.after.isEmpty() && byName)
        w.add(nameText + bytewise + (query.descending ? QStringLiteral(" < ") : QStringLiteral(" > ")) + p,
            { query.after });
    if (!query.prefix.isEmpty())
        w.terms.append(prefixTerm(name, query.prefix, w));
    if (!query.contains.isEmpty())
        w.add(textContains(name, SqlValueKind::Text), { query.contains });
    const QString category = grouped ? m_streamCategory : categoryOf(name);
    if (!query.category.isEmpty()) {
        const QString upper = prefixUpperBound(query.category + m_profile.category.separator);
        // A keyset page past the category's own name needs only the range: without the OR the planner walks the
        // index from `after` rather than sorting the whole category for every page (20 ms a page at 100,000 streams).
        if (m_profile.category.expression.isEmpty() && !upper.isEmpty() && m_bytewise
            && query.after.toUtf8() >= query.category.toUtf8())
            w.add(QStringLiteral("(%1 >= %2 AND %1 < %2)").arg(nameText, p),
                { QString(query.category + m_profile.category.separator), upper });
        else if (m_profile.category.expression.isEmpty() && !upper.isEmpty() && m_bytewise)
            w.add(QStringLiteral("(%1 = %2 OR (%1 >= %2 AND %1 < %2))").arg(nameText, p),
                { query.category, QString(query.category + m_profile.category.separator), upper });
        else
            w.add(category + QStringLiteral(" = ") + p, { query.category });
    }
    const QString nameOrder = nameText + bytewise;
    const QLatin1String cast(m_spec.bigint);
    QString sql;
    if (!grouped) {
        sql = QStringLiteral("SELECT %1, %2%7, %3 FROM %4%5 ORDER BY %6%8")
                  .arg(nameText, paren(m_profile.streams.version), category, m_profile.streams.table, w.sql(),
                      nameOrder, cast, query.descending ? QStringLiteral(" DESC") : QString());
    } else {
        // A category computed from the name is grouped with it; one read from other columns (a composite stream
        // key's aggregate type) is not functionally dependent on the grouped name in SQL's eyes, so it is aggregated.
        const QString streamCategory = m_profile.category.expression.isEmpty() ? category : perStream(category);
        const QString direction = query.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
        const QString value = query.order == StreamOrder::Events
            ? QStringLiteral("count(*)")
            : QStringLiteral("max(%1)%2").arg(paren(e.position), cast);
        QString having;
        QVariantList havingValues;
        if (!byName && !query.after.isEmpty()) {
            // The next page in (value, name) order; names break ties ascending in either direction.
            having = QStringLiteral(" HAVING (%1 %2 %4 OR (%1 = %4 AND %3 > %4))")
                         .arg(value, query.descending ? QStringLiteral("<") : QStringLiteral(">"), nameOrder, p);
            havingValues = { query.afterValue, query.afterValue, query.after };
        }
        const QString order
            = byName ? QString(nameOrder + direction) : QString(value + direction + QStringLiteral(", ") + nameOrder);
        sql = QStringLiteral("SELECT %1, max(%2)%7, %3, count(*), min(%2)%7, %8, max(%9)%7 FROM %4%5 GROUP BY %1%10 "
                             "ORDER BY %6")
                  .arg(nameText, paren(e.version), streamCategory, e.table, w.sql(), order, cast, lastTimeOfGroup(),
                      paren(e.position), having);
        w.values.append(havingValues);
    }
    if (query.limit > 0) {
        sql += QStringLiteral(" LIMIT ") + p;
        w.values.append(qint64(query.limit));
    }
    return { sql, w.values };
}

SqlStatement SqlBuilder::categories() const
{
    const QLatin1String cast(m_spec.bigint);
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        const QString events = s.versionIsCount
            ? QStringLiteral("sum(%1 - %2 + 1)%3").arg(paren(s.version)).arg(m_profile.events.firstVersion).arg(cast)
            : QStringLiteral("-1");
        return { QStringLiteral("SELECT %1 AS c, count(*), %2, NULL, NULL FROM %3%4 GROUP BY 1 ORDER BY 1")
                     .arg(categoryOf(s.name), events, s.table,
                         s.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(s.where)),
            {} };
    }
    const Profile::Events& e = m_profile.events;
    return { QStringLiteral(
                 "SELECT %1 AS c, count(DISTINCT %2), count(*), %5, max(%6)%7 FROM %3%4 GROUP BY 1 ORDER BY 1")
                 .arg(m_streamCategory, paren(e.stream), e.table,
                     e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where), lastTimeOfGroup(),
                     paren(e.position), cast),
        {} };
}

SqlStatement SqlBuilder::logEdge(bool last) const
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where);
    return { QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %5 %6 LIMIT 1")
                 .arg(paren(e.position) + QLatin1String(m_spec.bigint), timeText(), e.table, where, paren(e.position),
                     last ? QStringLiteral("DESC") : QStringLiteral("ASC")),
        {} };
}

SqlStatement SqlBuilder::streamTableCounts() const
{
    const Profile::Streams& s = m_profile.streams;
    const QLatin1String cast(m_spec.bigint);
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
