#pragma once

// Private to the PostgreSQL connector: PgStore::Rows, a libpqxx row as the row readers of sql/storerows_p.h read it.

#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"

#include <pqxx/pqxx>

#include <cstdlib>

namespace es {

// Reads rows of one statement; a field is text, or raw bytes for bytea.
class PgStore::Rows {
public:
    explicit Rows(const pqxx::row& row)
        : m_row(row)
    { }
    bool isNull(int col) const { return m_row[col].is_null(); }
    qint64 integer(int col, qint64 nullValue = -1) const
    {
        return isNull(col) ? nullValue : qint64(std::strtoll(m_row[col].c_str(), nullptr, 10));
    }
    QString text(int col) const
    {
        return isNull(col) ? QString() : QString::fromUtf8(m_row[col].c_str(), qsizetype(m_row[col].size()));
    }
    QByteArray bytes(int col, bool bytea) const
    {
        if (isNull(col))
            return {};
        const pqxx::field f = m_row[col];
        if (!bytea)
            return QByteArray(f.c_str(), qsizetype(f.size()));
        QByteArray bytes;
        unescapeBytea(f.c_str(), bytes);
        return bytes;
    }
    QDateTime time(int col) const
    {
        return isNull(col) ? QDateTime()
                           : parseStoreTime(QByteArrayView(m_row[col].c_str(), qsizetype(m_row[col].size())));
    }

private:
    const pqxx::row& m_row;
};

} // namespace es
