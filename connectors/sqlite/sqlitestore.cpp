#include "sqlite/sqlitestore.h"

#include "core/payloadformat.h"
#include "layouts/layoutdetector.h"
#include "sql/checkpointsql.h"
#include "sql/sqlbuilder.h"
#include "sql/storerows_p.h"
#include "sqlite/sqlitequery_p.h"
#include "sqlite/sqliteutil_p.h"
#include "store/storeregistry.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QTimeZone>

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <limits>
#include <string_view>

namespace es {

namespace {

constexpr int BusyTimeoutMs = 5000;
constexpr size_t MaxCachedStatements = 128;

QString paren(const QString& expr)
{
    return SqlBuilder::paren(expr);
}

// Every statement is compiled under this: reading tables and calling functions, nothing else. The connection is
// read-only already (SQLITE_OPEN_READONLY, query_only); this also keeps SQL in a mapping file from attaching another
// database or setting a pragma.
int readOnlyAuthorizer(void*, int action, const char* name, const char* value, const char*, const char*)
{
    // Pragmas whose argument names what to list (pragma_table_info('t')) rather than a value to set.
    static constexpr std::string_view listing[]
        = { "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
              "database_list", "collation_list", "function_list", "module_list", "pragma_list", "compile_options" };
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_UPDATE:
        // Asked by SQLite itself when a table-valued pragma (pragma_table_info) is first used in a statement; no
        // statement EventScope compiles can update, and the connection could not write anyway.
        return name && (std::string_view(name) == "sqlite_master" || std::string_view(name) == "sqlite_schema")
            ? SQLITE_OK
            : SQLITE_DENY;
    case SQLITE_PRAGMA:
        if (!value)
            return SQLITE_OK; // reading a pragma, not setting one
        if (name && std::string_view(name) == "automatic_index")
            return SQLITE_OK; // a planner setting of this connection (sqlitehistogram.cpp's sampled estimates)
        return name && std::find(std::begin(listing), std::end(listing), std::string_view(name)) != std::end(listing)
            ? SQLITE_OK
            : SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

} // namespace

bool SqliteStore::acceptsAddress(const QString& address)
{
    const QString a = address.trimmed();
    if (a.isEmpty())
        return false;
    if (a.startsWith(QLatin1String("sqlite:"), Qt::CaseInsensitive)
        || a.startsWith(QLatin1String("file:"), Qt::CaseInsensitive))
        return true;
    // Any URL is another engine's, compound schemes too (jdbc:postgresql://): read as a file name, it would only come
    // back in "No such file" with whatever password it holds.
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*(?::[A-Za-z][A-Za-z0-9+.-]*)*://"));
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
    : m_address(StoreRegistry::redactSecrets(address))
    , m_path(std::move(path))
    , m_shownPath(StoreRegistry::redactSecrets(m_path))
    , m_db(db)
{ }

SqliteStore::~SqliteStore()
{
    for (auto& [sql, stmt] : m_statements)
        sqlite3_finalize(stmt);
    sqlite3_close_v2(m_db);
}

std::unique_ptr<SqliteStore> SqliteStore::openFile(const QString& address)
{
    const QString path = pathFromAddress(address);
    // Messages show the path as the registry would: a path may hold what looks like a password.
    const QString shown = StoreRegistry::redactSecrets(path);
    if (path.isEmpty())
        throw StoreError(
            QStringLiteral("The address \"%1\" names no SQLite file.").arg(StoreRegistry::redactSecrets(address)),
            StoreError::Kind::BadAddress);
    const QFileInfo file(path);
    if (!file.exists())
        throw StoreError(QStringLiteral("No such file: %1").arg(shown), StoreError::Kind::BadAddress);
    if (file.isDir())
        throw StoreError(QStringLiteral("%1 is a folder, not a SQLite file.").arg(shown), StoreError::Kind::BadAddress);

    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        throw StoreError(QStringLiteral("Cannot open %1: %2").arg(shown, message), StoreError::Kind::BadAddress);
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(address, path, db));
    sqlite3_busy_timeout(db, BusyTimeoutMs);
    sqlite3_extended_result_codes(db, 0);
    sqlite3_exec(db, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_set_authorizer(db, &readOnlyAuthorizer, nullptr);
    return store;
}

std::unique_ptr<SqliteStore> SqliteStore::open(const QString& address, const OpenOptions& options)
{
    std::unique_ptr<SqliteStore> store = openFile(address);
    store->detectLayout(options);
    store->buildSql();
    return store;
}

void SqliteStore::eachRow(const QString& sql, const QVariantList& values,
    const std::function<void(const std::vector<std::optional<QString>>&)>& each)
{
    Query q(this, sql, values);
    std::vector<std::optional<QString>> row;
    while (q.next()) {
        row.assign(size_t(sqlite3_column_count(q.statement())), std::nullopt);
        for (size_t c = 0; c < row.size(); ++c) {
            if (q.isNull(int(c)))
                continue;
            if (sqlite3_column_type(q.statement(), int(c)) == SQLITE_BLOB) {
                const QByteArray bytes = q.bytes(int(c));
                row[c] = isValidUtf8(bytes) ? QString::fromUtf8(bytes)
                                            : QString(QLatin1String("\\x") + QString::fromLatin1(bytes.toHex()));
            } else {
                row[c] = q.text(int(c));
            }
        }
        each(row);
    }
}

void SqliteStore::throwSqlite(int rc, const QString& context) const
{
    const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
    const int primary = rc & 0xff;
    if (primary == SQLITE_INTERRUPT)
        throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
    if (primary == SQLITE_AUTH)
        throw StoreError(QStringLiteral("The layout \"%1\" asked for more than reading %2 (%3), which EventScope never "
                                        "does. A mapping file is code; check its expressions. (in %4)")
                             .arg(m_profile.name, m_shownPath, message, context.left(300)),
            StoreError::Kind::Generic);
    if (primary == SQLITE_NOTADB)
        throw StoreError(QStringLiteral("%1 is not a SQLite database (%2).").arg(m_shownPath, message),
            StoreError::Kind::BadAddress);
    if (message.startsWith(QLatin1String("no such table")) || message.startsWith(QLatin1String("no such column")))
        throw StoreError(QStringLiteral("The store %1 does not match the layout \"%2\": %3.")
                             .arg(m_shownPath, m_profile.name, message),
            StoreError::Kind::MissingTable);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw StoreError(QStringLiteral("The store %1 stayed locked by a writer for more than %2 s: %3")
                             .arg(m_shownPath)
                             .arg(BusyTimeoutMs / 1000)
                             .arg(message),
            StoreError::Kind::Generic);
    throw StoreError(QStringLiteral("SQLite error on %1: %2 (in %3)").arg(m_shownPath, message, context.left(300)),
        StoreError::Kind::Generic);
}

sqlite3_stmt* SqliteStore::prepare(const QString& sql)
{
    const QByteArray utf8 = SqlBuilder::render(sql, SqlDialect::Sqlite).toUtf8();
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
    const char* tail = nullptr;
    const int rc
        = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throwSqlite(rc, sql);
    }
    // SQLite compiles the first statement only; a second one (after a ';' in a mapping expression) is refused
    // rather than silently dropped.
    const QByteArrayView rest(tail, utf8.constData() + utf8.size() - tail);
    if (std::any_of(rest.begin(), rest.end(), [](char c) { return c != ';' && !std::isspace(uchar(c)); })) {
        sqlite3_finalize(stmt);
        throw StoreError(QStringLiteral("The layout \"%1\" puts a second statement into a query on %2 (after a ';'); "
                                        "a mapping expression must be one SQL expression. (in %3)")
                             .arg(m_profile.name, m_shownPath, sql.left(300)),
            StoreError::Kind::Generic);
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
    LayoutDetector detector(
        QStringLiteral("sqlite"), QStringLiteral("SQLite"), m_shownPath, [this](const QString&, const QString& table) {
            QStringList columns;
            Query q(this, QStringLiteral("SELECT name FROM pragma_table_info(?)"), { table });
            while (q.next())
                columns.append(q.text(0).toLower());
            return columns;
        });
    detector.addSchema(QString(), tables);
    const LayoutDetector::Result found = detector.detect(options);
    m_profile = found.chosen.profile;
    m_missingCheckpointTables = found.chosen.missingCheckpointTables;
    m_candidates = found.candidates;
}

QString SqliteStore::categoryOf(const QString& column) const
{
    return m_sql->categoryOf(column);
}

void SqliteStore::buildSql()
{
    m_sql = std::make_unique<SqlBuilder>(m_profile, SqlDialect::Sqlite);
    m_selectEvent = m_sql->selectEvent();
    m_streamCategory = m_sql->streamCategory();
    m_streamsFromTable = m_sql->streamsFromTable();
    m_notes = m_sql->notes();
    // Compile every expression once so a layout that does not fit fails at open with the name of what is missing.
    for (const QString& probe : m_sql->probes()) {
        Query q(this, probe);
        q.next();
    }
}

Event SqliteStore::readEvent(Query& q) const
{
    Event ev;
    envelopeFromRow(q, ev);
    auto payload = [&q](int col, bool json) -> Payload {
        if (q.isNull(col))
            return {};
        QByteArray bytes = q.bytes(col);
        const bool utf8 = !hasControlBytes(bytes) && isValidUtf8(bytes);
        if (utf8 && json)
            return Payload::json(std::move(bytes));
        if (utf8)
            return Payload::text(std::move(bytes));
        return Payload::binary(std::move(bytes));
    };
    // data-is-json is NULL for payloads too large for json_valid() (SqlBuilder): then the bytes decide.
    if (!q.isNull(6) && q.isNull(7)) {
        ev.data = Payload::sniff(q.bytes(6));
    } else {
        ev.data = payload(6, q.integer(7, 0) == 1);
    }
    if (!m_sql->packedMetadata()) {
        ev.metadata = payload(8, q.integer(9, 0) == 1);
        ev.correlationId = q.text(10);
        ev.causationId = q.text(11);
        return ev;
    }
    const bool metaJson = !q.isNull(9);
    ev.metadata = payload(8, metaJson);
    if (metaJson) {
        const QByteArrayView packed = q.view(9);
        const int correlation = int(m_sql->profile().correlationKeys.size());
        const int causation = int(m_sql->profile().causationKeys.size());
        ev.correlationId = sqliteutil::firstPacked(packed, 0, correlation, sqliteutil::jsonElementText);
        ev.causationId
            = sqliteutil::firstPacked(packed, correlation, correlation + causation, sqliteutil::jsonElementText);
    }
    return ev;
}

QString SqliteStore::keyExpr(const EventFilter& filter) const
{
    return m_sql->keyExpr(filter);
}

SqliteStore::Where SqliteStore::baseWhere(const EventFilter& filter, bool indexStream) const
{
    return m_sql->baseWhere(filter, indexStream);
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
    if (SqlBuilder::prefixUpperBound(filter.category + m_profile.category.separator).isEmpty())
        return false;
    const SqlStatement inCategoryStatement = m_sql->categoryEvents(filter.category);
    Query q(this, inCategoryStatement.sql, inCategoryStatement.values);
    const qint64 inCategory = q.next() ? q.integer(0, 0) : 0;
    constexpr qint64 FewEvents = 50000; // index lookups for these cost less than one pass over a large table
    bool small = inCategory <= FewEvents;
    if (!small) {
        if (m_totalEventsEstimate < 0) {
            const SqlStatement all = m_sql->totalEvents();
            Query total(this, all.sql, all.values);
            m_totalEventsEstimate = total.next() ? total.integer(0, 0) : 0;
        }
        small = inCategory * 20 < m_totalEventsEstimate;
    }
    m_smallCategories.insert(filter.category, small);
    return small;
}

std::optional<qint64> SqliteStore::edgeKey(const EventFilter& filter, bool last)
{
    const SqlStatement st = m_sql->edgeKey(filter, last);
    Query q(this, st.sql, st.values);
    if (q.next() && !q.isNull(0))
        return q.integer(0);
    return std::nullopt;
}

EventPage SqliteStore::events(const EventQuery& query)
{
    return m_sql->readPage(
        query, useCategoryIndex(query.filter),
        [this](const SqlStatement& st) -> std::optional<qint64> {
            Query q(this, st.sql, st.values);
            if (q.next() && !q.isNull(0))
                return q.integer(0);
            return std::nullopt;
        },
        [this](const SqlStatement& st) {
            EventList events;
            Query q(this, st.sql, st.values);
            while (q.next())
                events.push_back(readEvent(q));
            return events;
        });
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
    ScopeCache& cache = m_scopes[scopeSignature(filter)];
    const bool incremental = cache.counted && cache.stats.lastKey >= 0;
    const SqlStatement st
        = m_sql->scopeStats(filter, useCategoryIndex(filter), incremental ? cache.stats.lastKey : qint64(-1));
    Query q(this, st.sql, st.values);
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
    ScopeCache& cache = m_scopes[scopeSignature(filter)];
    if (cache.anchorStride != stride) {
        cache.anchors.clear();
        cache.anchorStride = stride;
        cache.anchoredCount = 0;
        cache.anchoredLastKey = -1;
    }
    // Stepping through the keys in order beats a row_number() window, which sorts its input first.
    const SqlStatement st = m_sql->keys(filter, useCategoryIndex(filter), cache.anchoredLastKey);
    Query q(this, st.sql, st.values);
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

CheckpointSet SqliteStore::checkpoints()
{
    CheckpointSet set;
    if (m_profile.checkpoints.empty()) {
        set.note = noCheckpointsNote(m_profile, m_missingCheckpointTables);
        return set;
    }
    const SqlStatement st = checkpointsStatement(*m_sql);
    Query q(this, st.sql, st.values);
    while (q.next())
        set.rows.push_back(checkpointFromRow(q, m_profile.checkpoints));
    return set;
}

ScopeProgress SqliteStore::scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions)
{
    ScopeProgress out;
    const ScopeStats stats = scopeStats(scope);
    out.total = stats.count;
    out.headKey = stats.count > 0 ? stats.lastKey : -1;
    const QString key = keyExpr(scope);
    const Profile::Events& e = m_profile.events;
    const QString time = e.time.isEmpty() ? QStringLiteral("NULL") : paren(e.time);
    if (out.headKey >= 0 && !e.time.isEmpty()) {
        Where w = baseWhere(scope, true);
        w.add(key + QStringLiteral(" = ?"), { out.headKey });
        Query q(this, QStringLiteral("SELECT %1 FROM %2%3 LIMIT 1").arg(time, e.table, w.sql()), w.values);
        if (q.next())
            out.headTime = q.time(0);
    }
    if (positions.empty())
        return out;
    QStringList list;
    for (const qint64 p : positions)
        list.append(QString::number(p));
    const Where w = baseWhere(scope, useCategoryIndex(scope));
    const QString where = w.sql().isEmpty() ? QStringLiteral(" WHERE ") : w.sql() + QStringLiteral(" AND ");
    // One statement for every probe: the positions travel as one bound JSON array.
    const QString sql = QStringLiteral("WITH es_probe(es_key) AS (SELECT value FROM json_each(?)) "
                                       "SELECT es_key, (SELECT count(*) FROM %1%2%3 > es_key), "
                                       "(SELECT %4 FROM %1%2%3 <= es_key ORDER BY %3 DESC LIMIT 1) FROM es_probe")
                            .arg(e.table, where, key, time);
    QVariantList values { QString(u'[' + list.join(u',') + u']') };
    values.append(w.values);
    values.append(w.values);
    Query q(this, sql, values);
    while (q.next()) {
        ScopeProgress::Probe probe;
        probe.position = q.integer(0);
        probe.after = q.integer(1, 0);
        probe.time = q.time(2);
        out.probes.push_back(probe);
    }
    return out;
}

std::function<void()> SqliteStore::interruption()
{
    // Safe from any thread and immediate: nothing is left to call.
    sqlite3_interrupt(m_db);
    return {};
}

void SqliteStore::fillStreamStats(StreamInfo& info)
{
    {
        const SqlStatement st = m_sql->streamCounts(info.name);
        Query q(this, st.sql, st.values);
        if (q.next())
            streamCountsFromRow(q, info);
    }
    if (m_profile.events.time.isEmpty())
        return;
    for (const bool last : { false, true }) {
        const SqlStatement st = m_sql->streamTime(info.name, last);
        Query q(this, st.sql, st.values);
        if (q.next())
            (last ? info.lastTime : info.firstTime) = q.time(0);
    }
}

StreamList SqliteStore::streams(const StreamQuery& query)
{
    StreamList out;
    {
        const SqlStatement st = m_sql->streams(query);
        Query q(this, st.sql, st.values);
        while (q.next())
            out.push_back(streamFromRow(q, m_profile, !m_sql->streamsGrouped(query)));
    }
    if (query.withStats) {
        for (StreamInfo& info : out)
            fillStreamStats(info);
    } else if (query.withLastTime && !m_sql->streamsGrouped(query) && !m_profile.events.time.isEmpty()) {
        for (StreamInfo& info : out) {
            const SqlStatement st = m_sql->streamTime(info.name, true);
            Query q(this, st.sql, st.values);
            if (q.next())
                info.lastTime = q.time(0);
        }
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
    if (const std::optional<QString> category = categoryFromName(m_profile, name)) {
        info.category = *category;
    } else {
        const SqlStatement st = m_sql->streamCategoryOf(name);
        Query q(this, st.sql, st.values);
        if (q.next())
            info.category = q.text(0);
    }
    return info;
}

CategoryList SqliteStore::categories()
{
    CategoryList out;
    const SqlStatement st = m_sql->categories();
    Query q(this, st.sql, st.values);
    while (q.next())
        out.push_back(categoryFromRow(q));
    return out;
}

StoreInfo SqliteStore::info(bool withCounts)
{
    StoreInfo info = layoutInfo(m_profile, m_address, QStringLiteral("sqlite"), m_candidates, m_notes);
    for (const bool last : { false, true }) {
        const SqlStatement st = m_sql->logEdge(last);
        Query q(this, st.sql, st.values);
        if (q.next()) {
            (last ? info.headPosition : info.firstPosition) = q.integer(0);
            (last ? info.lastTime : info.firstTime) = q.time(1);
        }
    }
    if (!withCounts)
        return info;
    if (m_streamsFromTable) {
        const SqlStatement st = m_sql->streamTableCounts();
        Query q(this, st.sql, st.values);
        if (q.next()) {
            info.streamCount = q.integer(0, 0);
            if (m_profile.streams.versionIsCount)
                info.eventCount = q.integer(1, 0);
        }
    }
    if (info.eventCount < 0 || info.streamCount < 0) {
        const SqlStatement st = m_sql->logCounts();
        Query q(this, st.sql, st.values);
        if (q.next()) {
            if (info.eventCount < 0)
                info.eventCount = q.integer(0, 0);
            if (info.streamCount < 0)
                info.streamCount = q.integer(1, 0);
        }
    }
    return info;
}

// The file, not the address: two spellings of one path are one store, and a file restored or replaced under the same
// path has another inode (a copy over it keeps the inode, but its head then goes back, which the cache checks).
StoreIdentity SqliteStore::identity()
{
    const QString canonical = QFileInfo(m_path).canonicalFilePath();
    struct stat st { };
    if (canonical.isEmpty() || ::stat(QFile::encodeName(canonical).constData(), &st) != 0)
        return {};
    StoreIdentity id;
    id.engine = QStringLiteral("sqlite");
    id.address = StoreRegistry::redactSecrets(canonical);
    id.fingerprint = QStringLiteral("dev=%1;ino=%2;layout=%3;table=%4")
                         .arg(quint64(st.st_dev))
                         .arg(quint64(st.st_ino))
                         .arg(m_profile.name, m_profile.events.table);
    return id;
}

} // namespace es
