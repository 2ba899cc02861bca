// SqliteStore::describe: the tables of a SQLite file for the mapping wizard, read under the store's read-only guards.
#include "sqlite/sqlitestore.h"

namespace es {

namespace {

QString quotedName(const QString& name)
{
    QString q = name;
    q.replace(u'"', QLatin1String("\"\""));
    return u'"' + q + u'"';
}

} // namespace

DatabaseSchema SqliteStore::describe(const QString& address)
{
    std::unique_ptr<SqliteStore> store = openFile(address);
    DatabaseSchema schema;
    schema.engine = QStringLiteral("sqlite");
    schema.address = store->m_address;
    store->eachRow(QStringLiteral("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name "
                                  "NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name"),
        {}, [&](const std::vector<std::optional<QString>>& row) {
            DbTable t;
            t.name = row[0].value_or(QString());
            t.view = row[1] == QStringLiteral("view");
            // WITHOUT ROWID tables have no rowid to estimate rows from or to order by.
            t.rowid
                = !t.view && !row[2].value_or(QString()).contains(QLatin1String("WITHOUT ROWID"), Qt::CaseInsensitive);
            schema.tables.push_back(std::move(t));
        });
    int described = 0;
    for (DbTable& t : schema.tables) {
        if (++described > DatabaseSchema::MostTables)
            break;
        QStringList primaryKey;
        store->eachRow(
            QStringLiteral("SELECT name, lower(type), \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid"),
            { t.name }, [&](const std::vector<std::optional<QString>>& row) {
                DbColumn c;
                c.name = row[0].value_or(QString());
                c.type = row[1].value_or(QString());
                c.notNull = row[2] == QStringLiteral("1");
                c.primaryKey = row[3].value_or(QStringLiteral("0")) != QLatin1String("0");
                if (c.primaryKey)
                    primaryKey.append(c.name);
                t.columns.push_back(std::move(c));
            });
        // A single INTEGER PRIMARY KEY is the rowid: its values are handed out in increasing order.
        if (t.rowid && primaryKey.size() == 1) {
            DbColumn* key = nullptr;
            for (DbColumn& c : t.columns)
                key = c.name == primaryKey.front() ? &c : key;
            if (key && key->type == QLatin1String("integer"))
                key->generated = true;
        }
        if (!primaryKey.isEmpty())
            t.indexes.push_back({ primaryKey, true });
        std::vector<std::pair<QString, bool>> indexes;
        store->eachRow(QStringLiteral("SELECT name, \"unique\" FROM pragma_index_list(?) WHERE origin <> 'pk'"),
            { t.name }, [&](const std::vector<std::optional<QString>>& row) {
                indexes.emplace_back(row[0].value_or(QString()), row[1] == QStringLiteral("1"));
            });
        for (const auto& [name, unique] : indexes) {
            DbIndex index;
            index.unique = unique;
            store->eachRow(QStringLiteral("SELECT name FROM pragma_index_info(?) ORDER BY seqno"), { name },
                [&](const std::vector<std::optional<QString>>& row) {
                    index.columns.append(row[0].value_or(QString()));
                });
            t.indexes.push_back(std::move(index));
        }
        if (t.rowid) {
            store->eachRow(QStringLiteral("SELECT max(rowid) FROM ") + quotedName(t.name), {},
                [&](const std::vector<std::optional<QString>>& row) {
                    t.rowEstimate = row[0] ? row[0]->toLongLong() : 0;
                });
        }
        store->eachRow(
            QStringLiteral("SELECT * FROM %1 LIMIT %2").arg(quotedName(t.name)).arg(DatabaseSchema::SampleRows), {},
            [&](const std::vector<std::optional<QString>>& row) { t.sample.push_back(row); });
    }
    return schema;
}

} // namespace es
