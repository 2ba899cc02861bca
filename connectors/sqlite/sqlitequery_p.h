#pragma once

// Private to the SQLite connector: SqliteStore::Where and SqliteStore::Query, a cached statement in use, shared by
// sqlitestore.cpp and sqliteflow.cpp.

#include "sql/sqlbuilder.h"
#include "sqlite/sqlitestore.h"
#include "sqlite/sqliteutil_p.h"

#include <QDateTime>

#include <sqlite3.h>

namespace es {

// WHERE terms and their bound values in order (see SqlWhere).
struct SqliteStore::Where : SqlWhere {
    Where() = default;
    Where(SqlWhere w)
        : SqlWhere(std::move(w))
    { }
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
    sqlite3_stmt* statement() const { return m_stmt; }
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
    // Valid until the next step.
    QByteArrayView view(int col) const
    {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        return data ? QByteArrayView(data, sqlite3_column_bytes(m_stmt, col)) : QByteArrayView();
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
        if (const int rc = sqliteutil::bind(m_stmt, index, v); rc != SQLITE_OK)
            m_store->throwSqlite(rc, QStringLiteral("binding a value"));
    }

    SqliteStore* m_store;
    sqlite3_stmt* m_stmt;
};

} // namespace es
