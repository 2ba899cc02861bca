#include "sql/checkpointsql.h"

namespace es {

SqlStatement checkpointsStatement(const SqlBuilder& sql)
{
    const std::vector<Profile::Checkpoint>& sources = sql.profile().checkpoints;
    Q_ASSERT(!sources.empty());
    QStringList selects;
    for (size_t i = 0; i < sources.size(); ++i) {
        const Profile::Checkpoint& c = sources[i];
        const QString scope = !c.category.isEmpty() ? c.category
            : !c.stream.isEmpty()                   ? c.stream
                                                    : QStringLiteral("NULL");
        selects.append(
            QStringLiteral("SELECT %1, %2, %3, CAST(%4 AS TEXT), %5, %6 FROM %7%8 GROUP BY 2, 3, 6")
                .arg(qulonglong(i))
                .arg(sql.asText(c.name), sql.asText(c.partition.isEmpty() ? QStringLiteral("''") : c.partition),
                    SqlBuilder::paren(c.raw.isEmpty() ? c.position : c.raw),
                    SqlBuilder::paren(c.position) + QLatin1String(sql.spec().bigint), sql.asText(scope), c.table,
                    c.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + SqlBuilder::paren(c.where)));
    }
    return { selects.join(QStringLiteral(" UNION ALL ")) + QStringLiteral(" ORDER BY 1, 2, 3"), {} };
}

QString noCheckpointsNote(const Profile& profile, QStringList missingTables)
{
    missingTables.removeDuplicates();
    if (missingTables.isEmpty())
        return QStringLiteral("the layout %1 keeps no checkpoints").arg(profile.title);
    return QStringLiteral("no checkpoint table in this store (looked for %1)")
        .arg(missingTables.join(QStringLiteral(", ")));
}

} // namespace es
