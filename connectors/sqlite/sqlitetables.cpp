#include "sqlite/sqlitetables.h"

#include "sql/tablesql.h"
#include "sqlite/sqlitestore.h"
#include "sqlite/sqliteutil_p.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <QFileInfo>

#include <sqlite3.h>

#include <string_view>

namespace es {

namespace {

// Reading only: the listing pragma this reader uses, tables and functions.
int readingAuthorizer(void*, int action, const char* name, const char* value, const char*, const char*)
{
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
        return SQLITE_OK;
    case SQLITE_UPDATE:
        // Asked when pragma_table_info is first used in a statement; the connection cannot write anyway.
        return name && (std::string_view(name) == "sqlite_master" || std::string_view(name) == "sqlite_schema")
            ? SQLITE_OK
            : SQLITE_DENY;
    case SQLITE_PRAGMA:
        return !value || (name && std::string_view(name) == "table_info") ? SQLITE_OK : SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

class Statement {
public:
    Statement(sqlite3* db, const QString& sql, const QVariantList& values, int* rc)
    {
        const QByteArray text = sql.toUtf8();
        *rc = sqlite3_prepare_v2(db, text.constData(), int(text.size()), &m_stmt, nullptr);
        int index = 1;
        for (const QVariant& v : values) {
            if (*rc != SQLITE_OK)
                break;
            *rc = sqliteutil::bind(m_stmt, index++, v);
        }
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return m_stmt; }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

QString columnText(sqlite3_stmt* s, int col)
{
    return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(s, col)), sqlite3_column_bytes(s, col));
}

// What a column's declared type says integers and text in it mean (worked out once per query, not per cell).
struct Declared {
    bool boolean = false; // integers are booleans
    TableCell::Kind text = TableCell::Kind::Text; // text is JSON, a time, a decimal or text
};

Declared declaredOf(const QString& declared)
{
    Declared d;
    d.boolean = declared.contains(QLatin1String("BOOL"), Qt::CaseInsensitive);
    if (declared.contains(QLatin1String("JSON"), Qt::CaseInsensitive))
        d.text = TableCell::Kind::Json;
    else if (declared.contains(QLatin1String("DATE"), Qt::CaseInsensitive)
        || declared.contains(QLatin1String("TIME"), Qt::CaseInsensitive))
        d.text = TableCell::Kind::Time;
    else if (declared.contains(QLatin1String("NUMERIC"), Qt::CaseInsensitive)
        || declared.contains(QLatin1String("DECIMAL"), Qt::CaseInsensitive))
        d.text = TableCell::Kind::Numeric;
    return d;
}

// SQLite types each value; the declared type says what text or an integer means (JSON, a time, a boolean).
TableCell cellOf(sqlite3_stmt* s, int col, const Declared& declared)
{
    TableCell cell;
    switch (sqlite3_column_type(s, col)) {
    case SQLITE_NULL:
        return cell;
    case SQLITE_INTEGER:
        if (declared.boolean) {
            cell.kind = TableCell::Kind::Bool;
            cell.value = sqlite3_column_int64(s, col) != 0;
        } else {
            cell.kind = TableCell::Kind::Integer;
            cell.value = qint64(sqlite3_column_int64(s, col));
        }
        return cell;
    case SQLITE_FLOAT:
        cell.kind = TableCell::Kind::Real;
        cell.value = sqlite3_column_double(s, col);
        return cell;
    case SQLITE_BLOB:
        cell.kind = TableCell::Kind::Blob;
        cell.value = QByteArray(static_cast<const char*>(sqlite3_column_blob(s, col)), sqlite3_column_bytes(s, col));
        return cell;
    default:
        break;
    }
    cell.value = columnText(s, col);
    cell.kind = declared.text;
    return cell;
}

} // namespace

std::unique_ptr<SqliteTableReader> SqliteTableReader::open(const QString& address)
{
    const QString path = SqliteStore::pathFromAddress(address);
    const QString shown = StoreRegistry::redactSecrets(path);
    if (path.isEmpty() || !QFileInfo(path).isFile())
        throw StoreError(QStringLiteral("No such SQLite file: %1").arg(StoreRegistry::redactSecrets(address)),
            StoreError::Kind::BadAddress);
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        throw StoreError(QStringLiteral("Cannot open %1: %2").arg(shown, message), StoreError::Kind::BadAddress);
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_exec(db, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_set_authorizer(db, &readingAuthorizer, nullptr);
    auto reader = std::make_unique<SqliteTableReader>(db, shown);
    reader->m_owned = true;
    reader->tables(); // a file that is not SQLite fails here, as the address's fault
    return reader;
}

SqliteTableReader::SqliteTableReader(sqlite3* db, QString shownPath)
    : m_db(db)
    , m_shownPath(std::move(shownPath))
{ }

SqliteTableReader::~SqliteTableReader()
{
    if (m_owned)
        sqlite3_close_v2(m_db);
}

void SqliteTableReader::fail(int rc, const QString& context) const
{
    const int primary = rc & 0xff;
    const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
    if (primary == SQLITE_INTERRUPT)
        throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
    if (primary == SQLITE_NOTADB)
        throw StoreError(QStringLiteral("%1 is not a SQLite database (%2).").arg(m_shownPath, message),
            StoreError::Kind::BadAddress);
    throw StoreError(QStringLiteral("SQLite error on %1: %2 (in %3)").arg(m_shownPath, message, context.left(300)),
        StoreError::Kind::Generic);
}

QStringList SqliteTableReader::tables()
{
    const QString sql = QStringLiteral(
        "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name");
    int rc = SQLITE_OK;
    Statement st(m_db, sql, {}, &rc);
    QStringList out;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        out.append(columnText(st.get(), 0));
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        fail(rc, sql);
    return out;
}

std::vector<TableColumn> SqliteTableReader::columns(const QString& table)
{
    const QString sql = QStringLiteral("SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
    int rc = SQLITE_OK;
    Statement st(m_db, sql, { table }, &rc);
    std::vector<TableColumn> out;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        out.push_back({ columnText(st.get(), 0), columnText(st.get(), 1) });
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        fail(rc, sql);
    if (out.empty())
        throw StoreError(
            QStringLiteral("%1 has no table \"%2\".").arg(m_shownPath, table), StoreError::Kind::MissingTable);
    return out;
}

std::vector<TableRow> SqliteTableReader::rows(const TableQuery& query)
{
    const std::vector<TableColumn> catalog = columns(query.table);
    const QStringList names = tablesql::checkedColumns(catalog, query, query.table);
    std::vector<Declared> declared;
    for (const QString& n : names) {
        for (const TableColumn& c : catalog) {
            if (c.name == n)
                declared.push_back(declaredOf(c.type));
        }
    }
    // Keys compare as stored text (BINARY), the order keyset paging continues in.
    const SqlStatement statement
        = tablesql::rowsStatement(tablesql::quoteIdentifier(query.table), names.first(), names.mid(1), query);
    const QString sql = SqlBuilder::render(statement.sql, SqlDialect::Sqlite);
    int rc = SQLITE_OK;
    Statement st(m_db, sql, statement.values, &rc);
    std::vector<TableRow> out;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st.get())) == SQLITE_ROW) {
        TableRow row;
        row.key = columnText(st.get(), 0);
        row.cells.reserve(size_t(names.size() - 1));
        for (int c = 1; c < names.size(); ++c)
            row.cells.push_back(cellOf(st.get(), c, declared.at(size_t(c))));
        out.push_back(std::move(row));
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        fail(rc, sql);
    return out;
}

TableReader* SqliteStore::tables()
{
    if (!m_tables)
        m_tables = std::make_unique<SqliteTableReader>(m_db, m_shownPath);
    return m_tables.get();
}

std::function<void()> SqliteTableReader::interruption()
{
    sqlite3_interrupt(m_db);
    return {};
}

} // namespace es
