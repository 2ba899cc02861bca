#include "mapping/mappingproposal.h"

#include <QJsonArray>

namespace es {

const QStringList& MappingProposal::roleNames()
{
    static const QStringList names { QStringLiteral("position"), QStringLiteral("stream"), QStringLiteral("version"),
        QStringLiteral("type"), QStringLiteral("data"), QStringLiteral("metadata"), QStringLiteral("time"),
        QStringLiteral("id"), QStringLiteral("category") };
    return names;
}

const QStringList& MappingProposal::requiredRoles()
{
    static const QStringList names { QStringLiteral("position"), QStringLiteral("stream"), QStringLiteral("version"),
        QStringLiteral("type"), QStringLiteral("data") };
    return names;
}

const MappingRole& MappingProposal::role(const QString& name) const
{
    static const MappingRole none;
    for (const MappingRole& r : roles) {
        if (r.role == name)
            return r;
    }
    return none;
}

void MappingProposal::setRole(const QString& name, const QString& expression)
{
    for (MappingRole& r : roles) {
        if (r.role == name && r.expression != expression) {
            r.expression = expression.trimmed();
            r.columns.clear();
            r.reason = QStringLiteral("set by hand");
        }
    }
}

QStringList MappingProposal::missingRoles() const
{
    QStringList missing;
    for (const QString& r : requiredRoles()) {
        if (expression(r).isEmpty())
            missing.append(r);
    }
    if (table.isEmpty())
        missing.prepend(QStringLiteral("table"));
    return missing;
}

bool MappingProposal::complete() const
{
    return missingRoles().isEmpty();
}

QJsonObject MappingProposal::toMappingJson(const QString& name) const
{
    QJsonObject events { { QStringLiteral("table"), QStringLiteral("{events}") } };
    QStringList columns;
    for (const MappingRole& r : roles) {
        if (r.role == QLatin1String("category") || r.expression.isEmpty())
            continue;
        events.insert(r.role, r.expression);
        for (const QString& c : r.columns) {
            if (!columns.contains(c.toLower()))
                columns.append(c.toLower());
        }
    }
    if (!timeFilter.isEmpty() && !expression(QStringLiteral("time")).isEmpty())
        events.insert(QStringLiteral("timeFilter"), timeFilter);
    QJsonObject detect { { QStringLiteral("tables"),
        QJsonArray { QJsonObject { { QStringLiteral("as"), QStringLiteral("events") },
            { QStringLiteral("names"), QJsonArray { table } },
            { QStringLiteral("columns"), QJsonArray::fromStringList(columns) } } } } };
    QJsonObject out { { QStringLiteral("name"), name },
        { QStringLiteral("title"), QStringLiteral("%1 (mapping proposed by EventScope)").arg(table) },
        { QStringLiteral("source"),
            QJsonArray { QStringLiteral("proposed by EventScope's mapping wizard from the columns, keys, indexes and "
                                        "first rows of %1")
                             .arg(schema.isEmpty() ? table : schema + u'.' + table) } },
        { QStringLiteral("detect"), detect }, { QStringLiteral("events"), events } };
    if (!engine.isEmpty())
        out.insert(QStringLiteral("engines"), QJsonArray { engine });
    if (!schema.isEmpty())
        out.insert(QStringLiteral("schema"), QJsonArray { schema });
    const QString category = expression(QStringLiteral("category"));
    out.insert(QStringLiteral("category"),
        category.isEmpty() ? QJsonObject { { QStringLiteral("separator"), QStringLiteral("-") } }
                           : QJsonObject { { QStringLiteral("expression"), category } });
    if (!correlationKeys.isEmpty() || !causationKeys.isEmpty()) {
        QJsonObject links;
        if (!correlationKeys.isEmpty())
            links.insert(QStringLiteral("correlation"), QJsonArray::fromStringList(correlationKeys));
        if (!causationKeys.isEmpty())
            links.insert(QStringLiteral("causation"), QJsonArray::fromStringList(causationKeys));
        if (!idKeys.isEmpty())
            links.insert(QStringLiteral("id"), QJsonArray::fromStringList(idKeys));
        out.insert(QStringLiteral("correlation"), links);
    }
    if (!warnings.isEmpty())
        out.insert(QStringLiteral("notes"), QJsonArray::fromStringList(warnings));
    QStringList reasons { QStringLiteral("table %1: %2").arg(table, tableReason) };
    for (const MappingRole& r : roles) {
        if (!r.reason.isEmpty())
            reasons.append(QStringLiteral("%1: %2").arg(r.role, r.reason));
    }
    out.insert(QStringLiteral("comment"), reasons.join(QStringLiteral("; ")));
    return out;
}

} // namespace es
