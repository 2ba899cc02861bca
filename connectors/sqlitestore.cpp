#include "sqlitestore.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QTimeZone>

#include <sqlite3.h>

#include <algorithm>
#include <limits>

namespace es {

namespace {

constexpr int BusyTimeoutMs = 5000;
constexpr size_t MaxCachedStatements = 128;

QString sqlLiteral(const QString& text)
{
    QString q = text;
    q.replace(QLatin1String("'"), QLatin1String("''"));
    return u'\'' + q + u'\'';
}

// A JSON path for a profile key (trusted data), as an SQL literal.
QString jsonPathLiteral(const QString& key)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$]*$"));
    if (plain.match(key).hasMatch())
        return sqlLiteral(QStringLiteral("$.") + key);
    return sqlLiteral(QStringLiteral("$.\"") + key + u'"');
}

QString paren(const QString& expr)
{
    return u'(' + expr + u')';
}

// The smallest string greater than every string starting with `prefix`, or empty when there is none.
QString prefixUpperBound(const QString& prefix)
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

} // namespace

// Accumulates WHERE terms and their bound values in order.
struct SqliteStore::Where {
    QStringList terms;
    QVariantList values;
    void add(const QString& term, const QVariantList& bound = {})
    {
        terms.append(term);
        values.append(bound);
    }
    QString sql() const
    {
        return terms.isEmpty() ? QString() : QLatin1String(" WHERE ") + terms.join(QLatin1String(" AND "));
    }
};

// A cached statement in use: bound on creation, reset when it goes out of scope.
class SqliteStore::Query {
public:
    Query(SqliteStore* store, const QString& sql, const QVariantList& values = {})
        : m_store(store)
        , m_stmt(store->prepare(sql))
    {
        int index = 1;
        for (const QVariant& v : values)
            bind(index++, v);
    }
    ~Query()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    bool next()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        m_store->throwSqlite(rc, QString::fromUtf8(sqlite3_sql(m_stmt)));
    }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    qint64 integer(int col, qint64 nullValue = -1) const
    {
        return isNull(col) ? nullValue : sqlite3_column_int64(m_stmt, col);
    }
    QByteArray bytes(int col) const
    {
        // blob() gives text columns their bytes as stored, without conversion.
        const void* data = sqlite3_column_blob(m_stmt, col);
        const int size = sqlite3_column_bytes(m_stmt, col);
        return data ? QByteArray(static_cast<const char*>(data), size) : QByteArray();
    }
    QString text(int col) const
    {
        if (isNull(col))
            return {};
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, col));
    }
    QDateTime time(int col) const
    {
        if (isNull(col))
            return {};
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        return parseStoreTime(QByteArrayView(data, sqlite3_column_bytes(m_stmt, col)));
    }

private:
    void bind(int index, const QVariant& v)
    {
        int rc = SQLITE_OK;
        switch (v.typeId()) {
        case QMetaType::UnknownType:
            rc = sqlite3_bind_null(m_stmt, index);
            break;
        case QMetaType::Bool:
            rc = sqlite3_bind_int(m_stmt, index, v.toBool() ? 1 : 0);
            break;
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            rc = sqlite3_bind_int64(m_stmt, index, v.toLongLong());
            break;
        case QMetaType::Double:
        case QMetaType::Float:
            rc = sqlite3_bind_double(m_stmt, index, v.toDouble());
            break;
        case QMetaType::QByteArray: {
            const QByteArray b = v.toByteArray();
            rc = sqlite3_bind_blob64(m_stmt, index, b.constData(), sqlite3_uint64(b.size()), SQLITE_TRANSIENT);
            break;
        }
        default: {
            const QByteArray utf8 = v.toString().toUtf8();
            rc = sqlite3_bind_text64(
                m_stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
        }
        if (rc != SQLITE_OK)
            m_store->throwSqlite(rc, QStringLiteral("binding a value"));
    }

    SqliteStore* m_store;
    sqlite3_stmt* m_stmt;
};

bool SqliteStore::acceptsAddress(const QString& address)
{
    const QString a = address.trimmed();
    if (a.isEmpty())
        return false;
    if (a.startsWith(QLatin1String("sqlite:"), Qt::CaseInsensitive)
        || a.startsWith(QLatin1String("file:"), Qt::CaseInsensitive))
        return true;
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
    return !scheme.match(a).hasMatch();
}

QString SqliteStore::pathFromAddress(const QString& address)
{
    QString a = address.trimmed();
    if (a.startsWith(QLatin1String("sqlite:"), Qt::CaseInsensitive)) {
        a = a.mid(7);
        // sqlite:///abs/path keeps its leading slash; sqlite://rel and sqlite:rel are relative.
        if (a.startsWith(QLatin1String("//")))
            a = a.mid(2);
    } else if (a.startsWith(QLatin1String("file:"), Qt::CaseInsensitive)) {
        a = a.mid(5);
        if (a.startsWith(QLatin1String("//")))
            a = a.mid(2);
    }
    return a;
}

SqliteStore::SqliteStore(QString address, QString path, sqlite3* db)
    : m_address(std::move(address))
    , m_path(std::move(path))
    , m_db(db)
{ }

SqliteStore::~SqliteStore()
{
    for (auto& [sql, stmt] : m_statements)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(m_db);
}

std::unique_ptr<SqliteStore> SqliteStore::open(const QString& address, const OpenOptions& options)
{
    const QString path = pathFromAddress(address);
    if (path.isEmpty())
        throw StoreError(
            QStringLiteral("The address \"%1\" names no SQLite file.").arg(address), StoreError::Kind::BadAddress);
    const QFileInfo file(path);
    if (!file.exists())
        throw StoreError(QStringLiteral("No such file: %1").arg(path), StoreError::Kind::BadAddress);
    if (file.isDir())
        throw StoreError(QStringLiteral("%1 is a folder, not a SQLite file.").arg(path), StoreError::Kind::BadAddress);

    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        throw StoreError(QStringLiteral("Cannot open %1: %2").arg(path, message), StoreError::Kind::BadAddress);
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(address, path, db));
    sqlite3_busy_timeout(db, BusyTimeoutMs);
    sqlite3_extended_result_codes(db, 0);
    sqlite3_exec(db, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    store->detectLayout(options);
    store->buildSql();
    return store;
}

void SqliteStore::throwSqlite(int rc, const QString& context) const
{
    const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
    const int primary = rc & 0xff;
    if (primary == SQLITE_INTERRUPT)
        throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
    if (primary == SQLITE_NOTADB)
        throw StoreError(
            QStringLiteral("%1 is not a SQLite database (%2).").arg(m_path, message), StoreError::Kind::BadAddress);
    if (message.startsWith(QLatin1String("no such table")) || message.startsWith(QLatin1String("no such column")))
        throw StoreError(
            QStringLiteral("The store %1 does not match the layout \"%2\": %3.").arg(m_path, m_profile.name, message),
            StoreError::Kind::MissingTable);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw StoreError(QStringLiteral("The store %1 stayed locked by a writer for more than %2 s: %3")
                             .arg(m_path)
                             .arg(BusyTimeoutMs / 1000)
                             .arg(message),
            StoreError::Kind::Generic);
    throw StoreError(QStringLiteral("SQLite error on %1: %2 (in %3)").arg(m_path, message, context.left(300)),
        StoreError::Kind::Generic);
}

sqlite3_stmt* SqliteStore::prepare(const QString& sql)
{
    const QByteArray utf8 = sql.toUtf8();
    const std::string key(utf8.constData(), size_t(utf8.size()));
    if (const auto it = m_statements.find(key); it != m_statements.end())
        return it->second;
    if (m_statements.size() >= MaxCachedStatements) {
        // Statements are reset after each use (Query), so none is running here.
        for (auto& [text, stmt] : m_statements)
            sqlite3_finalize(stmt);
        m_statements.clear();
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc
        = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throwSqlite(rc, sql);
    }
    m_statements.emplace(key, stmt);
    return stmt;
}

void SqliteStore::detectLayout(const OpenOptions& options)
{
    QStringList tables;
    {
        Query q(this, QStringLiteral("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"));
        while (q.next())
            tables.append(q.text(0));
    }
    auto columnsOf = [this](const QString& table) {
        QStringList columns;
        Query q(this, QStringLiteral("SELECT name FROM pragma_table_info(?)"), { table });
        while (q.next())
            columns.append(q.text(0).toLower());
        return columns;
    };

    struct Match {
        Profile profile;
        int score = 0;
        QString problem; // why it does not fit; empty when it does
    };
    auto match = [&](const Profile& p) {
        Match m { p, 0, {} };
        QHash<QString, QString> found;
        for (const Profile::Table& t : p.tables) {
            QString chosen;
            QString lacking;
            for (const QString& pattern : t.names) {
                QStringList hits;
                if (pattern.contains(u'*')) {
                    const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(pattern),
                        QRegularExpression::CaseInsensitiveOption);
                    for (const QString& name : tables) {
                        if (re.match(name).hasMatch())
                            hits.append(name);
                    }
                } else {
                    for (const QString& name : tables) {
                        if (name.compare(pattern, Qt::CaseInsensitive) == 0)
                            hits.append(name);
                    }
                }
                for (const QString& name : hits) {
                    const QStringList have = columnsOf(name);
                    QStringList missing;
                    for (const QString& c : t.columns) {
                        if (!have.contains(c.toLower()))
                            missing.append(c);
                    }
                    if (missing.isEmpty()) {
                        chosen = name;
                        break;
                    }
                    if (lacking.isEmpty())
                        lacking = QStringLiteral("table %1 lacks column(s) %2")
                                      .arg(name, missing.join(QStringLiteral(", ")));
                }
                if (!chosen.isEmpty())
                    break;
            }
            if (chosen.isEmpty()) {
                if (t.optional)
                    continue;
                m.problem = !lacking.isEmpty()
                    ? lacking
                    : QStringLiteral("no table %1").arg(t.names.join(QStringLiteral(" or ")));
                return m;
            }
            found.insert(t.alias, chosen);
            m.score += 10 + int(t.columns.size());
        }
        m.profile = p.resolved(found);
        // Checkpoint sources whose table was not found do not apply to this file.
        std::vector<Profile::Checkpoint> present;
        for (const Profile::Checkpoint& c : m.profile.checkpoints) {
            if (!c.table.contains(u'{'))
                present.push_back(c);
        }
        m.profile.checkpoints = present;
        if (m.profile.streams.table.contains(u'{'))
            m.profile.streams = {};
        return m;
    };
    auto describe = [](const Profile& p) {
        QStringList parts;
        for (const Profile::Table& t : p.tables) {
            parts.append(t.names.join(QStringLiteral(" or "))
                + (t.columns.isEmpty() ? QString() : u'(' + t.columns.join(QStringLiteral(", ")) + u')')
                + (t.optional ? QStringLiteral(" [optional]") : QString()));
        }
        return QStringLiteral("%1 (%2): %3").arg(p.name, p.title, parts.join(QStringLiteral("; ")));
    };
    const QString present = tables.isEmpty() ? QStringLiteral("none") : tables.join(QStringLiteral(", "));

    if (!options.mappingFile.isEmpty() || !options.profile.isEmpty()) {
        std::optional<Profile> p;
        if (!options.mappingFile.isEmpty()) {
            p = Profile::load(options.mappingFile, QStringLiteral("sqlite"));
        } else {
            p = ProfileRegistry::find(options.profile, QStringLiteral("sqlite"));
            if (!p)
                throw StoreError(QStringLiteral("Unknown profile \"%1\" for SQLite (known: %2).")
                                     .arg(options.profile, ProfileRegistry::names().join(QStringLiteral(", "))),
                    StoreError::Kind::UnknownLayout);
        }
        const Match m = match(*p);
        if (!m.problem.isEmpty())
            throw StoreError(QStringLiteral("%1 does not have the layout \"%2\": %3. Tables present: %4.")
                                 .arg(m_path, p->name, m.problem, present),
                StoreError::Kind::MissingTable);
        m_profile = m.profile;
        m_candidates = { m_profile.name };
        return;
    }

    std::vector<Match> matches;
    QStringList lookedFor;
    for (const Profile& p : ProfileRegistry::forEngine(QStringLiteral("sqlite"))) {
        Match m = match(p);
        if (m.problem.isEmpty())
            matches.push_back(std::move(m));
        else
            lookedFor.append(describe(p) + QStringLiteral(" — ") + m.problem);
    }
    if (matches.empty())
        throw StoreError(QStringLiteral("No known event store layout in %1. Looked for:\n  %2\nTables present: %3.\n"
                                        "Choose a layout with --profile NAME or describe it with --mapping FILE.")
                             .arg(m_path, lookedFor.join(QStringLiteral("\n  ")), present),
            StoreError::Kind::UnknownLayout);
    std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) { return a.score > b.score; });
    m_profile = matches.front().profile;
    for (const Match& m : matches)
        m_candidates.append(m.profile.name);
}

QString SqliteStore::categoryOf(const QString& column) const
{
    const QString sep = sqlLiteral(m_profile.category.separator);
    return QStringLiteral("(CASE WHEN instr(%1, %2) > 0 THEN substr(%1, 1, instr(%1, %2) - 1) ELSE %1 END)")
        .arg(paren(column), sep);
}

void SqliteStore::buildSql()
{
    const Profile::Events& e = m_profile.events;
    auto orNull = [](const QString& expr) { return expr.isEmpty() ? QStringLiteral("NULL") : paren(expr); };
    auto jsonValid = [](const QString& expr) {
        return expr.isEmpty() ? QStringLiteral("0") : QStringLiteral("json_valid(%1)").arg(paren(expr));
    };
    auto pick = [&](const QStringList& keys) {
        if (keys.isEmpty() || e.metadata.isEmpty())
            return QStringLiteral("NULL");
        QStringList extracts;
        for (const QString& key : keys)
            extracts.append(QStringLiteral("json_extract(%1, %2)").arg(paren(e.metadata), jsonPathLiteral(key)));
        const QString value = extracts.size() == 1
            ? extracts.front()
            : QStringLiteral("coalesce(%1)").arg(extracts.join(QStringLiteral(", ")));
        return QStringLiteral("CASE WHEN json_valid(%1) THEN %2 END").arg(paren(e.metadata), value);
    };
    m_selectEvent = QStringLiteral("SELECT %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 FROM %13")
                        .arg(paren(e.position), paren(e.stream), paren(e.version), paren(e.type), orNull(e.time),
                            orNull(e.id), paren(e.data), jsonValid(e.data), orNull(e.metadata), jsonValid(e.metadata),
                            pick(m_profile.correlationKeys), pick(m_profile.causationKeys), e.table);
    m_streamCategory
        = m_profile.category.expression.isEmpty() ? categoryOf(e.stream) : paren(m_profile.category.expression);
    m_streamsFromTable = !m_profile.streams.table.isEmpty() && m_profile.category.expression.isEmpty();

    m_notes = m_profile.notes;
    if (e.time.isEmpty())
        m_notes.append(QStringLiteral("this layout keeps no event times"));
    if (e.metadata.isEmpty())
        m_notes.append(QStringLiteral("this layout keeps no metadata"));

    // Compile every expression once so a layout that does not fit fails at open with the name of what is missing.
    {
        Query probe(this,
            m_selectEvent + QStringLiteral(" WHERE ") + (e.where.isEmpty() ? QStringLiteral("1") : paren(e.where))
                + QStringLiteral(" AND ") + m_streamCategory + QStringLiteral(" IS NOT NULL LIMIT 0"));
        probe.next();
    }
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        Query probe(this,
            QStringLiteral("SELECT %1, %2 FROM %3 WHERE %4 LIMIT 0")
                .arg(paren(s.name), paren(s.version), s.table,
                    s.where.isEmpty() ? QStringLiteral("1") : paren(s.where)));
        probe.next();
    }
}

Event SqliteStore::readEvent(Query& q) const
{
    Event ev;
    ev.position = q.integer(0);
    ev.stream = q.text(1);
    ev.version = q.integer(2);
    ev.type = q.text(3);
    ev.time = q.time(4);
    ev.id = q.text(5);
    auto payload = [&q](int col, int validCol) -> Payload {
        if (q.isNull(col))
            return {};
        QByteArray bytes = q.bytes(col);
        const bool utf8 = isValidUtf8(bytes);
        if (utf8 && q.integer(validCol, 0) == 1)
            return Payload::json(std::move(bytes));
        if (utf8)
            return Payload::text(std::move(bytes));
        return Payload::binary(std::move(bytes));
    };
    ev.data = payload(6, 7);
    ev.metadata = payload(8, 9);
    ev.correlationId = q.text(10);
    ev.causationId = q.text(11);
    return ev;
}

QString SqliteStore::keyExpr(const EventFilter& filter) const
{
    return paren(filter.isStream() ? m_profile.events.version : m_profile.events.position);
}

SqliteStore::Where SqliteStore::baseWhere(const EventFilter& filter, bool indexStream) const
{
    const Profile::Events& e = m_profile.events;
    Where w;
    if (!e.where.isEmpty())
        w.add(paren(e.where));
    if (filter.isStream()) {
        w.add(paren(e.stream) + QStringLiteral(" = ?"), { filter.stream });
    } else if (!filter.category.isEmpty()) {
        if (m_profile.category.expression.isEmpty()) {
            // Unary + keeps the planner on the key order instead of an index on the stream.
            const QString s = (indexStream ? QString() : QStringLiteral("+")) + paren(e.stream);
            const QString sep = m_profile.category.separator;
            const QString upper = prefixUpperBound(filter.category + sep);
            if (upper.isEmpty())
                w.add(QStringLiteral("%1 = %2").arg(categoryOf(e.stream), QStringLiteral("?")), { filter.category });
            else
                w.add(QStringLiteral("(%1 = ? OR (%1 >= ? AND %1 < ?))").arg(s),
                    { filter.category, QString(filter.category + sep), upper });
        } else {
            w.add(m_streamCategory + QStringLiteral(" = ?"), { filter.category });
        }
    }
    if (!filter.types.isEmpty()) {
        QStringList marks;
        QVariantList values;
        for (const QString& t : filter.types) {
            marks.append(QStringLiteral("?"));
            values.append(t);
        }
        w.add(QStringLiteral("+%1 IN (%2)").arg(paren(e.type), marks.join(QStringLiteral(", "))), values);
    }
    if ((filter.fromTime.isValid() || filter.toTime.isValid()) && !e.time.isEmpty()) {
        auto bound = [&](const QDateTime& t, const char* op) {
            const QDateTime utc = t.toUTC();
            const QString& kind = e.timeFilter;
            if (kind == QLatin1String("text"))
                w.add(QStringLiteral("%1 %2 ?").arg(paren(e.time), QLatin1String(op)),
                    { utc.toString(e.timeTextFormat) });
            else if (kind == QLatin1String("epoch_s"))
                w.add(QStringLiteral("%1 %2 ?").arg(paren(e.time), QLatin1String(op)),
                    { double(utc.toMSecsSinceEpoch()) / 1000.0 });
            else if (kind == QLatin1String("epoch_ms"))
                w.add(QStringLiteral("%1 %2 ?").arg(paren(e.time), QLatin1String(op)), { utc.toMSecsSinceEpoch() });
            else
                w.add(QStringLiteral("julianday(%1) %2 julianday(?)").arg(paren(e.time), QLatin1String(op)),
                    { utc.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")) });
        };
        if (filter.fromTime.isValid())
            bound(filter.fromTime, ">=");
        if (filter.toTime.isValid())
            bound(filter.toTime, "<");
    } else if (filter.fromTime.isValid() || filter.toTime.isValid()) {
        w.add(QStringLiteral("0")); // no times: nothing is inside a time range
    }
    if (!filter.text.isEmpty()) {
        if (e.metadata.isEmpty())
            w.add(QStringLiteral("instr(%1, ?) > 0").arg(paren(e.data)), { filter.text });
        else
            w.add(QStringLiteral("(instr(%1, ?) > 0 OR instr(%2, ?) > 0)").arg(paren(e.data), paren(e.metadata)),
                { filter.text, filter.text });
    }
    for (const JsonCondition& c : filter.conditions) {
        const QString column = c.field == JsonCondition::Field::Data ? e.data : e.metadata;
        if (column.isEmpty()) {
            w.add(QStringLiteral("0"));
            continue;
        }
        const QString path = c.sqlitePath();
        // CASE keeps json_extract away from rows whose payload is not JSON, whatever order the planner picks.
        const QString value
            = QStringLiteral("(CASE WHEN json_valid(%1) THEN json_extract(%1, ?) END)").arg(paren(column));
        const QString type = QStringLiteral("(CASE WHEN json_valid(%1) THEN json_type(%1, ?) END)").arg(paren(column));
        const bool numeric = c.value.typeId() == QMetaType::LongLong || c.value.typeId() == QMetaType::Int
            || c.value.typeId() == QMetaType::Double;
        const bool isBool = c.value.typeId() == QMetaType::Bool;
        QVariant bound = c.value;
        if (isBool)
            bound = c.value.toBool() ? 1 : 0;
        using Op = JsonCondition::Op;
        switch (c.op) {
        case Op::Exists:
            w.add(type + QStringLiteral(" IS NOT NULL"), { path });
            break;
        case Op::Contains:
            w.add(QStringLiteral("instr(CAST(%1 AS TEXT), ?) > 0").arg(value), { path, c.value.toString() });
            break;
        case Op::Eq:
        case Op::Ne: {
            const bool eq = c.op == Op::Eq;
            if (!c.value.isValid()) {
                w.add(type + (eq ? QStringLiteral(" = 'null'") : QStringLiteral(" IS NOT 'null'")), { path });
            } else if (isBool) {
                w.add(QStringLiteral("(%1 %2 ?)").arg(type, eq ? QStringLiteral("=") : QStringLiteral("<>")),
                    { path, c.value.toBool() ? QStringLiteral("true") : QStringLiteral("false") });
            } else if (eq) {
                w.add(value + QStringLiteral(" = ?"), { path, bound });
            } else {
                w.add(QStringLiteral("%1 IS NOT ?").arg(value), { path, bound });
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
            w.add(QStringLiteral("(%1 IN %2 AND %3 %4 ?)").arg(type, kinds, value, op), { path, path, bound });
            break;
        }
        }
    }
    return w;
}

// Reading a category through the stream index costs a row lookup per event and a sort; scanning in key order
// costs a pass over the table. The streams table tells cheaply which is smaller (no ANALYZE data in the file).
bool SqliteStore::useCategoryIndex(const EventFilter& filter)
{
    if (filter.isStream() || filter.category.isEmpty() || !m_profile.category.expression.isEmpty()
        || !m_streamsFromTable || !m_profile.streams.versionIsCount)
        return false;
    if (const auto it = m_smallCategories.constFind(filter.category); it != m_smallCategories.constEnd())
        return it.value();
    const QString sep = m_profile.category.separator;
    const QString upper = prefixUpperBound(filter.category + sep);
    if (upper.isEmpty())
        return false;
    const Profile::Streams& s = m_profile.streams;
    const QString events = QStringLiteral("sum(%1 - %2 + 1)").arg(paren(s.version)).arg(m_profile.events.firstVersion);
    const QString where = s.where.isEmpty() ? QStringLiteral("1") : paren(s.where);
    Query q(this,
        QStringLiteral("SELECT %1 FROM %2 WHERE %3 AND (%4 = ? OR (%4 >= ? AND %4 < ?))")
            .arg(events, s.table, where, paren(s.name)),
        { filter.category, QString(filter.category + sep), upper });
    const qint64 inCategory = q.next() ? q.integer(0, 0) : 0;
    constexpr qint64 FewEvents = 50000; // index lookups for these cost less than one pass over a large table
    bool small = inCategory <= FewEvents;
    if (!small) {
        if (m_totalEventsEstimate < 0) {
            Query total(this, QStringLiteral("SELECT %1 FROM %2 WHERE %3").arg(events, s.table, where));
            m_totalEventsEstimate = total.next() ? total.integer(0, 0) : 0;
        }
        small = inCategory * 20 < m_totalEventsEstimate;
    }
    m_smallCategories.insert(filter.category, small);
    return small;
}

std::optional<qint64> SqliteStore::edgeKey(const EventFilter& filter, bool last)
{
    EventFilter bounds;
    bounds.stream = filter.stream;
    const Where w = baseWhere(bounds, true);
    const QString key = keyExpr(filter);
    Query q(this,
        QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %1 %4 LIMIT 1")
            .arg(key, m_profile.events.table, w.sql(), last ? QStringLiteral("DESC") : QStringLiteral("ASC")),
        w.values);
    if (q.next() && !q.isNull(0))
        return q.integer(0);
    return std::nullopt;
}

EventPage SqliteStore::events(const EventQuery& query)
{
    EventPage page;
    const EventFilter& f = query.filter;
    const QString key = keyExpr(f);
    Where w = baseWhere(f, useCategoryIndex(f));

    const bool windowed = query.scanWindow > 0 && (f.hasPredicates() || (!f.isStream() && !f.category.isEmpty()));
    qint64 windowEdge = -1; // last key the window examines
    qint64 scopeEnd = -1; // last key in this direction
    if (windowed) {
        const auto first = edgeKey(f, false);
        const auto last = edgeKey(f, true);
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

    if (query.from >= 0)
        w.add(key + (query.backward ? QStringLiteral(" <= ?") : QStringLiteral(" >= ?")), { query.from });
    if (query.to >= 0)
        w.add(key + (query.backward ? QStringLiteral(" >= ?") : QStringLiteral(" <= ?")), { query.to });
    if (windowed)
        w.add(key + (query.backward ? QStringLiteral(" >= ?") : QStringLiteral(" <= ?")), { windowEdge });

    const bool limited = query.limit > 0;
    w.values.append(limited ? qint64(query.limit) + 1 : qint64(-1));
    const QString sql = m_selectEvent + w.sql() + QStringLiteral(" ORDER BY ") + key
        + (query.backward ? QStringLiteral(" DESC") : QStringLiteral(" ASC")) + QStringLiteral(" LIMIT ?");
    {
        Query q(this, sql, w.values);
        while (q.next())
            page.events.push_back(readEvent(q));
    }
    auto keyOf = [&f](const Event& e) { return f.isStream() ? e.version : e.position; };
    if (limited && qsizetype(page.events.size()) > query.limit) {
        page.events.resize(size_t(query.limit));
        page.next = keyOf(page.events.back()) + (query.backward ? -1 : 1);
        return page;
    }
    const bool windowEndsEarly = windowed && (query.backward ? windowEdge > scopeEnd : windowEdge < scopeEnd);
    if (windowEndsEarly) {
        page.windowExhausted = true;
        page.next = windowEdge + (query.backward ? -1 : 1);
        return page;
    }
    page.atEnd = true;
    return page;
}

std::string SqliteStore::scopeSignature(const EventFilter& filter) const
{
    const Where w = baseWhere(filter, true);
    QString text = keyExpr(filter) + w.sql();
    for (const QVariant& v : w.values)
        text += QLatin1String("\x1f") + QString::number(v.typeId()) + u':' + v.toString();
    return text.toStdString();
}

// Event stores only append, and SQLite commits writers one at a time in key order, so a scope counted once is
// kept up to date by counting the keys above its last one. Deleting or archiving rows needs a new connection.
ScopeStats SqliteStore::scopeStats(const EventFilter& filter)
{
    const QString key = keyExpr(filter);
    Where w = baseWhere(filter, useCategoryIndex(filter));
    ScopeCache& cache = m_scopes[scopeSignature(filter)];
    const bool incremental = cache.counted && cache.stats.lastKey >= 0;
    if (incremental)
        w.add(key + QStringLiteral(" > ?"), { cache.stats.lastKey });
    Query q(this,
        QStringLiteral("SELECT count(*), min(%1), max(%1) FROM %2%3").arg(key, m_profile.events.table, w.sql()),
        w.values);
    if (!q.next())
        return cache.stats;
    const qint64 count = q.integer(0, 0);
    if (!incremental) {
        cache.stats.count = count;
        cache.stats.firstKey = q.integer(1);
        cache.stats.lastKey = q.integer(2);
    } else if (count > 0) {
        cache.stats.count += count;
        cache.stats.lastKey = q.integer(2);
    }
    cache.counted = true;
    return cache.stats;
}

std::vector<qint64> SqliteStore::keyAnchors(const EventFilter& filter, int stride)
{
    if (stride <= 0)
        return {};
    const QString key = keyExpr(filter);
    Where w = baseWhere(filter, useCategoryIndex(filter));
    ScopeCache& cache = m_scopes[scopeSignature(filter)];
    if (cache.anchorStride != stride) {
        cache.anchors.clear();
        cache.anchorStride = stride;
        cache.anchoredCount = 0;
        cache.anchoredLastKey = -1;
    }
    if (cache.anchoredLastKey >= 0)
        w.add(key + QStringLiteral(" > ?"), { cache.anchoredLastKey });
    // Stepping through the keys in order beats a row_number() window, which sorts its input first.
    Query q(
        this, QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %1").arg(key, m_profile.events.table, w.sql()), w.values);
    qint64 index = cache.anchoredCount;
    qint64 last = cache.anchoredLastKey;
    while (q.next()) {
        last = q.integer(0);
        if (index % stride == 0)
            cache.anchors.push_back(last);
        ++index;
    }
    cache.anchoredCount = index;
    cache.anchoredLastKey = last;
    return cache.anchors;
}

void SqliteStore::interrupt()
{
    sqlite3_interrupt(m_db);
}

void SqliteStore::fillStreamStats(StreamInfo& info)
{
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" AND ") + paren(e.where);
    {
        Query q(this,
            QStringLiteral("SELECT count(*), min(%1), max(%1) FROM %2 WHERE %3 = ?%4")
                .arg(paren(e.version), e.table, paren(e.stream), where),
            { info.name });
        if (q.next()) {
            info.events = q.integer(0, 0);
            info.firstVersion = q.integer(1);
            info.version = q.integer(2);
        }
    }
    if (e.time.isEmpty())
        return;
    for (const bool last : { false, true }) {
        Query q(this,
            QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?%4 ORDER BY %5 %6 LIMIT 1")
                .arg(paren(e.time), e.table, paren(e.stream), where, paren(e.version),
                    last ? QStringLiteral("DESC") : QStringLiteral("ASC")),
            { info.name });
        if (q.next())
            (last ? info.lastTime : info.firstTime) = q.time(0);
    }
}

StreamList SqliteStore::streams(const StreamQuery& query)
{
    StreamList out;
    const Profile::Events& e = m_profile.events;
    Where w;
    QString sql;
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
    if (!query.after.isEmpty())
        w.add(name + QStringLiteral(" > ?"), { query.after });
    if (!query.prefix.isEmpty()) {
        const QString upper = prefixUpperBound(query.prefix);
        if (upper.isEmpty())
            w.add(QStringLiteral("substr(%1, 1, ?) = ?").arg(name), { qint64(query.prefix.size()), query.prefix });
        else
            w.add(QStringLiteral("%1 >= ? AND %1 < ?").arg(name), { query.prefix, upper });
    }
    if (!query.contains.isEmpty())
        w.add(QStringLiteral("instr(%1, ?) > 0").arg(name), { query.contains });
    const QString category = m_streamsFromTable ? categoryOf(name) : m_streamCategory;
    if (!query.category.isEmpty()) {
        const QString upper = prefixUpperBound(query.category + m_profile.category.separator);
        if (m_profile.category.expression.isEmpty() && !upper.isEmpty())
            w.add(QStringLiteral("(%1 = ? OR (%1 >= ? AND %1 < ?))").arg(name),
                { query.category, QString(query.category + m_profile.category.separator), upper });
        else
            w.add(category + QStringLiteral(" = ?"), { query.category });
    }
    w.values.append(query.limit > 0 ? qint64(query.limit) : qint64(-1));
    if (m_streamsFromTable) {
        sql = QStringLiteral("SELECT %1, %2, %3 FROM %4%5 ORDER BY %1 LIMIT ?")
                  .arg(name, paren(m_profile.streams.version), category, m_profile.streams.table, w.sql());
    } else {
        sql = QStringLiteral("SELECT %1, max(%2), %3, count(*), min(%2) FROM %4%5 GROUP BY %1 ORDER BY %1 LIMIT ?")
                  .arg(name, paren(e.version), category, e.table, w.sql());
    }
    {
        Query q(this, sql, w.values);
        while (q.next()) {
            StreamInfo info;
            info.name = q.text(0);
            info.version = q.integer(1);
            info.category = q.text(2);
            if (m_streamsFromTable) {
                info.firstVersion = m_profile.events.firstVersion;
                if (m_profile.streams.versionIsCount)
                    info.events = info.version - m_profile.events.firstVersion + 1;
            } else {
                info.events = q.integer(3, 0);
                info.firstVersion = q.integer(4);
            }
            out.push_back(info);
        }
    }
    if (query.withStats) {
        for (StreamInfo& info : out)
            fillStreamStats(info);
    }
    return out;
}

std::optional<StreamInfo> SqliteStore::stream(const QString& name)
{
    StreamInfo info;
    info.name = name;
    fillStreamStats(info);
    if (info.events <= 0)
        return std::nullopt;
    if (m_profile.category.expression.isEmpty()) {
        const qsizetype at = name.indexOf(m_profile.category.separator);
        info.category = at >= 0 ? name.left(at) : name;
    } else {
        const Profile::Events& e = m_profile.events;
        Query q(this,
            QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ? ORDER BY %4 DESC LIMIT 1")
                .arg(m_streamCategory, e.table, paren(e.stream), paren(e.version)),
            { name });
        if (q.next())
            info.category = q.text(0);
    }
    return info;
}

CategoryList SqliteStore::categories()
{
    CategoryList out;
    QString sql;
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        const QString events = s.versionIsCount
            ? QStringLiteral("sum(%1 - %2 + 1)").arg(paren(s.version)).arg(m_profile.events.firstVersion)
            : QStringLiteral("-1");
        sql = QStringLiteral("SELECT %1 AS c, count(*), %2 FROM %3%4 GROUP BY c ORDER BY c")
                  .arg(categoryOf(s.name), events, s.table,
                      s.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(s.where));
    } else {
        const Profile::Events& e = m_profile.events;
        sql = QStringLiteral("SELECT %1 AS c, count(DISTINCT %2), count(*) FROM %3%4 GROUP BY c ORDER BY c")
                  .arg(m_streamCategory, paren(e.stream), e.table,
                      e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where));
    }
    Query q(this, sql);
    while (q.next()) {
        CategoryInfo c;
        c.name = q.text(0);
        c.streams = q.integer(1, 0);
        c.events = q.integer(2);
        out.push_back(c);
    }
    return out;
}

StoreInfo SqliteStore::info()
{
    StoreInfo info;
    info.address = m_address;
    info.engine = QStringLiteral("sqlite");
    info.layout = m_profile.name;
    info.layoutTitle = m_profile.title;
    info.candidateLayouts = m_candidates;
    info.notes = m_notes;
    const Profile::Events& e = m_profile.events;
    const QString where = e.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(e.where);
    for (const bool last : { false, true }) {
        Query q(this,
            QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %1 %5 LIMIT 1")
                .arg(paren(e.position), e.time.isEmpty() ? QStringLiteral("NULL") : paren(e.time), e.table, where,
                    last ? QStringLiteral("DESC") : QStringLiteral("ASC")));
        if (q.next()) {
            (last ? info.headPosition : info.firstPosition) = q.integer(0);
            (last ? info.lastTime : info.firstTime) = q.time(1);
        }
    }
    if (m_streamsFromTable) {
        const Profile::Streams& s = m_profile.streams;
        Query q(this,
            QStringLiteral("SELECT count(*), sum(%1 - %2 + 1) FROM %3%4")
                .arg(paren(s.version))
                .arg(e.firstVersion)
                .arg(s.table, s.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(s.where)));
        if (q.next()) {
            info.streamCount = q.integer(0, 0);
            if (s.versionIsCount)
                info.eventCount = q.integer(1, 0);
        }
    }
    if (info.eventCount < 0 || info.streamCount < 0) {
        Query q(
            this, QStringLiteral("SELECT count(*), count(DISTINCT %1) FROM %2%3").arg(paren(e.stream), e.table, where));
        if (q.next()) {
            if (info.eventCount < 0)
                info.eventCount = q.integer(0, 0);
            if (info.streamCount < 0)
                info.streamCount = q.integer(1, 0);
        }
    }
    return info;
}

} // namespace es
