#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <optional>
#include <vector>

namespace es {

// A column of a table as the database's catalog names it.
struct TableColumn {
    QString name;
    QString type; // as declared (SQLite) or format_type (PostgreSQL)
};

// One value read from a table, with what the database says it is: comparisons (model/reconcile) decide by the kind.
struct TableCell {
    enum class Kind { Null, Integer, Real, Numeric, Bool, Text, Json, Time, Blob };
    Kind kind = Kind::Null;
    // Integer: qint64; Real: double; Numeric: the exact decimal text; Bool: bool; Text, Json, Time: the text as
    // stored (a time as the database prints it); Blob: QByteArray.
    QVariant value;
};

struct TableRow {
    QString key; // the key column as text
    std::vector<TableCell> cells; // in the order TableQuery::columns names them
};

// Rows of one table by key: either the rows whose key is one of `keys`, or a keyset page in the key column's order
// (keys strictly after `after`, at most `limit`). Table and column names are checked against the catalog and quoted
// as identifiers; keys travel as parameters.
struct TableQuery {
    QString table; // "name" or "schema.name" (PostgreSQL)
    QString keyColumn;
    QStringList columns;
    QStringList keys; // non-empty: look these up (any order comes back)
    std::optional<QString> after; // keyset paging when keys is empty; nullopt = from the first key
    int limit = 1000;
    // With keys empty: only keys from `from` through `through` (inclusive; either may be absent), in key order.
    std::optional<QString> from = {};
    std::optional<QString> through = {};
};

// Read-only reading of a database's own tables (a read model beside the events, or in another database). Not
// thread-safe: one thread uses it; interruption() may be called from any thread. Throws StoreError: MissingTable for
// a table or column the catalog does not have.
class TableReader {
public:
    virtual ~TableReader() = default;
    // The tables and views a user may pick, by name ("schema.name" outside the search path on PostgreSQL).
    virtual QStringList tables() = 0;
    virtual std::vector<TableColumn> columns(const QString& table) = 0;
    virtual std::vector<TableRow> rows(const TableQuery& query) = 0;
    // As EventStore::interruption().
    virtual std::function<void()> interruption() = 0;
};

} // namespace es
