// SqliteStore::catalogRows: the type catalog's statements (sql/catalogsql.h), grouped by SQLite.
#include "sql/catalogsql.h"
#include "sqlite/sqlitequery_p.h"
#include "sqlite/sqlitestore.h"
#include "sqlite/sqliteutil_p.h"

#include <sqlite3.h>

namespace es {

CatalogRows SqliteStore::catalogRows(const CatalogRequest& request)
{
    const SqlStatement st = catalogStatement(*m_sql, request, useCategoryIndex(request.filter));
    if (request.part == CatalogPart::TypeIndexed) {
        // The plan names a table SCAN where it reads every row, SEARCH where an index leads.
        Query plan(this, QStringLiteral("EXPLAIN QUERY PLAN ") + st.sql, st.values);
        bool scans = false;
        while (plan.next())
            scans = scans || plan.text(3).startsWith(QLatin1String("SCAN "));
        return { CatalogRow { QString(scans ? QStringLiteral("0") : QStringLiteral("1")) } };
    }
    sqlite3_stmt* stmt = prepare(st.sql);
    struct Reset {
        sqlite3_stmt* s;
        ~Reset()
        {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
        }
    } reset { stmt };
    int index = 1;
    for (const QVariant& v : st.values) {
        if (const int rc = sqliteutil::bind(stmt, index++, v); rc != SQLITE_OK)
            throwSqlite(rc, st.sql);
    }
    CatalogRows rows;
    const int columns = sqlite3_column_count(stmt);
    while (true) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            throwSqlite(rc, st.sql);
        CatalogRow row(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            if (sqlite3_column_type(stmt, c) == SQLITE_NULL)
                continue;
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row[size_t(c)] = QString::fromUtf8(text, sqlite3_column_bytes(stmt, c));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace es
