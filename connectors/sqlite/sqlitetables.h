#pragma once

#include "store/tablereader.h"

#include <memory>

struct sqlite3;

namespace es {

// TableReader over a SQLite connection: the store's own (borrowed), or a file opened read-only for a read model kept
// in another file (query_only, defensive, and an authorizer that allows reading only).
class SqliteTableReader : public TableReader {
public:
    // Throws StoreError(BadAddress) when the file is missing or not SQLite.
    static std::unique_ptr<SqliteTableReader> open(const QString& address);
    // Borrows a connection that outlives the reader.
    explicit SqliteTableReader(sqlite3* db, QString shownPath);
    ~SqliteTableReader() override;
    SqliteTableReader(const SqliteTableReader&) = delete;
    SqliteTableReader& operator=(const SqliteTableReader&) = delete;

    QStringList tables() override;
    std::vector<TableColumn> columns(const QString& table) override;
    std::vector<TableRow> rows(const TableQuery& query) override;
    std::function<void()> interruption() override;

private:
    [[noreturn]] void fail(int rc, const QString& context) const;

    sqlite3* m_db;
    QString m_shownPath;
    bool m_owned = false;
};

} // namespace es
