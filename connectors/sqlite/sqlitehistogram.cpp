#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"

#include <sqlite3.h>

namespace es {

Histogram SqliteStore::histogram(const HistogramQuery& query)
{
    const SqlStatement st = histogramStatement(*m_sql, query, useCategoryIndex(query.filter));
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
        int rc = SQLITE_OK;
        switch (v.typeId()) {
        case QMetaType::UnknownType:
            rc = sqlite3_bind_null(stmt, index);
            break;
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::Bool:
            rc = sqlite3_bind_int64(stmt, index, v.toLongLong());
            break;
        case QMetaType::Double:
            rc = sqlite3_bind_double(stmt, index, v.toDouble());
            break;
        default: {
            const QByteArray text = v.toString().toUtf8();
            rc = sqlite3_bind_text(stmt, index, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            break;
        }
        }
        if (rc != SQLITE_OK)
            throwSqlite(rc, st.sql);
        ++index;
    }
    std::vector<HistogramRow> rows;
    while (true) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            throwSqlite(rc, st.sql);
        if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
            continue; // no time, or one SQLite cannot read
        HistogramRow row;
        row.bucket = sqlite3_column_int64(stmt, 0);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
        row.other = !text;
        row.group = text ? QString::fromUtf8(text, sqlite3_column_bytes(stmt, 1)) : QString();
        row.count = sqlite3_column_int64(stmt, 2);
        rows.push_back(std::move(row));
    }
    return Histogram::fromRows(rows, query.bucketSeconds, query.topN);
}

} // namespace es
