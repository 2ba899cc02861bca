#include "sql/streamsql.h"

namespace es {

SqlStatement streamsEventsSql(const SqlBuilder& sql, const QStringList& streams, const EventColumns& columns)
{
    const Profile::Events& e = sql.profile().events;
    SqlWhere w;
    if (!e.where.isEmpty())
        w.add(SqlBuilder::paren(e.where));
    QStringList marks;
    QVariantList names;
    for (const QString& stream : streams) {
        marks.append(SqlBuilder::param());
        names.append(stream);
    }
    const QString stream = SqlBuilder::paren(e.stream);
    w.add(stream + QStringLiteral(" IN (") + marks.join(QStringLiteral(", ")) + u')', names);
    return { sql.selectEvent(columns) + w.sql() + QStringLiteral(" ORDER BY ") + stream + QStringLiteral(", ")
            + SqlBuilder::paren(e.version),
        w.values };
}

SqlStatement streamRangeEventsSql(
    const SqlBuilder& sql, const QString& first, const QString& last, const EventColumns& columns)
{
    const Profile::Events& e = sql.profile().events;
    SqlWhere w;
    if (!e.where.isEmpty())
        w.add(SqlBuilder::paren(e.where));
    const QString stream = SqlBuilder::paren(e.stream);
    w.add(stream + QStringLiteral(" >= ") + SqlBuilder::param(), { first });
    w.add(stream + QStringLiteral(" <= ") + SqlBuilder::param(), { last });
    return { sql.selectEvent(columns) + w.sql() + QStringLiteral(" ORDER BY ") + stream + QStringLiteral(", ")
            + SqlBuilder::paren(e.version),
        w.values };
}

} // namespace es
