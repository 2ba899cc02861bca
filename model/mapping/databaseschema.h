#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace es {

// What a database holds, as an engine's catalog describes it: the input of the mapping wizard (mapping/), read by
// SchemaReader::describe() without any layout profile.
struct DbColumn {
    QString name;
    QString type; // lower-case, as the engine names it ("bigint", "jsonb", "text", "INTEGER" reads "integer")
    bool notNull = false;
    bool primaryKey = false; // part of the primary key
    bool generated = false; // values from a sequence, identity or SQLite's rowid alias
};

struct DbIndex {
    QStringList columns; // in index order; empty entries for expressions
    bool unique = false;
};

struct DbTable {
    QString schema; // empty on SQLite
    QString name;
    bool view = false;
    bool rowid = false; // SQLite: the table has a rowid (not WITHOUT ROWID, not a view)
    qint64 rowEstimate
        = -1; // from the engine's statistics (PostgreSQL reltuples, SQLite the highest rowid); -1 unknown
    std::vector<DbColumn> columns;
    std::vector<DbIndex> indexes;
    // The first rows (at most DatabaseSchema::SampleRows), one value per column, NULL as nullopt, bytes as "\\x..."
    // hex on PostgreSQL and as text where they are UTF-8 on SQLite.
    std::vector<std::vector<std::optional<QString>>> sample;

    const DbColumn* column(const QString& name) const
    {
        for (const DbColumn& c : columns) {
            if (c.name.compare(name, Qt::CaseInsensitive) == 0)
                return &c;
        }
        return nullptr;
    }
    int columnIndex(const QString& name) const
    {
        for (size_t i = 0; i < columns.size(); ++i) {
            if (columns[i].name.compare(name, Qt::CaseInsensitive) == 0)
                return int(i);
        }
        return -1;
    }
    // An index whose first columns are exactly these (in any order among them).
    bool indexLeadsWith(const QStringList& names) const
    {
        for (const DbIndex& index : indexes) {
            if (index.columns.size() < names.size())
                continue;
            bool all = true;
            for (qsizetype i = 0; i < names.size() && all; ++i) {
                bool found = false;
                for (const QString& n : names)
                    found = found || index.columns.at(i).compare(n, Qt::CaseInsensitive) == 0;
                all = found;
            }
            if (all)
                return true;
        }
        return false;
    }
    QString qualifiedName() const { return schema.isEmpty() ? name : schema + u'.' + name; }
};

struct DatabaseSchema {
    static constexpr int SampleRows = 20;
    static constexpr int MostTables = 300; // tables past this many are listed without columns or samples
    QString engine; // "sqlite", "postgresql"
    QString address; // without secrets
    std::vector<DbTable> tables;
};

} // namespace es

Q_DECLARE_METATYPE(es::DatabaseSchema)
