#include "sql/tablesql.h"

#include "store/eventstore.h"

namespace es::tablesql {

QString quoteIdentifier(const QString& name)
{
    QString out = name;
    out.replace(u'"', QStringLiteral("\"\""));
    return u'"' + out + u'"';
}

QString catalogName(const std::vector<TableColumn>& columns, const QString& wanted)
{
    QString found;
    int matches = 0;
    for (const TableColumn& c : columns) {
        if (c.name == wanted)
            return c.name;
        if (c.name.compare(wanted, Qt::CaseInsensitive) == 0) {
            found = c.name;
            ++matches;
        }
    }
    return matches == 1 ? found : QString();
}

QStringList checkedColumns(const std::vector<TableColumn>& columns, const TableQuery& query, const QString& where)
{
    QStringList out;
    QStringList wanted { query.keyColumn };
    wanted += query.columns;
    for (const QString& w : std::as_const(wanted)) {
        const QString name = catalogName(columns, w);
        if (name.isEmpty())
            throw StoreError(
                QStringLiteral("The table %1 has no column \"%2\".").arg(where, w), StoreError::Kind::MissingTable);
        out.append(name);
    }
    return out;
}

SqlStatement rowsStatement(const QString& quotedTable, const QString& key, const QStringList& columns,
    const TableQuery& query, const QString& keyOrderSuffix)
{
    SqlStatement st;
    const QString quotedKey = quoteIdentifier(key);
    QStringList select { quotedKey };
    for (const QString& c : columns)
        select.append(quoteIdentifier(c));
    st.sql = QStringLiteral("SELECT ") + select.join(QStringLiteral(", ")) + QStringLiteral(" FROM ") + quotedTable;
    if (!query.keys.isEmpty()) {
        QStringList marks;
        for (const QString& k : query.keys) {
            marks.append(SqlBuilder::param());
            st.values.append(k);
        }
        st.sql += QStringLiteral(" WHERE ") + quotedKey + QStringLiteral(" IN (") + marks.join(QStringLiteral(", "))
            + u')';
        return st;
    }
    QStringList where;
    const auto bound = [&](const std::optional<QString>& value, const char* op) {
        if (value) {
            where.append(quotedKey + keyOrderSuffix + QLatin1String(op) + SqlBuilder::param());
            st.values.append(*value);
        }
    };
    bound(query.after, " > ");
    bound(query.from, " >= ");
    bound(query.through, " <= ");
    if (!where.isEmpty())
        st.sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    st.sql += QStringLiteral(" ORDER BY ") + quotedKey + keyOrderSuffix + QStringLiteral(" LIMIT ")
        + QString::number(qMax(1, query.limit));
    return st;
}

} // namespace es::tablesql
