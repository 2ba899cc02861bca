#include "savedconnections.h"

#include "settings.h"

namespace es {

QVariantMap SavedConnection::toMap() const
{
    return { { QStringLiteral("name"), name }, { QStringLiteral("host"), fields.host },
        { QStringLiteral("port"), fields.port }, { QStringLiteral("dbname"), fields.database },
        { QStringLiteral("user"), fields.user }, { QStringLiteral("service"), fields.service },
        { QStringLiteral("sslmode"), fields.sslMode }, { QStringLiteral("sslrootcert"), fields.sslRootCert },
        { QStringLiteral("schema"), fields.schema }, { QStringLiteral("layout"), profile },
        { QStringLiteral("statementTimeout"), statementTimeout } };
}

SavedConnection SavedConnection::fromMap(const QVariantMap& map)
{
    const auto text = [&map](const char* key) { return map.value(QLatin1String(key)).toString(); };
    SavedConnection c;
    c.name = text("name");
    c.fields.host = text("host");
    c.fields.port = text("port");
    c.fields.database = text("dbname");
    c.fields.user = text("user");
    c.fields.service = text("service");
    c.fields.sslMode = text("sslmode");
    c.fields.sslRootCert = text("sslrootcert");
    c.fields.schema = text("schema");
    c.profile = text("layout");
    c.statementTimeout = text("statementTimeout");
    return c;
}

QList<SavedConnection> SavedConnection::all()
{
    QList<SavedConnection> list;
    for (const QVariant& v : Settings::instance()->savedConnections()) {
        SavedConnection c = fromMap(v.toMap());
        if (!c.name.isEmpty())
            list.append(c);
    }
    return list;
}

void SavedConnection::put(const SavedConnection& connection)
{
    QList<SavedConnection> list = all();
    auto it
        = std::find_if(list.begin(), list.end(), [&](const SavedConnection& c) { return c.name == connection.name; });
    SavedConnection kept = connection;
    kept.fields.password.clear();
    if (it != list.end())
        *it = kept;
    else
        list.append(kept);
    QVariantList maps;
    for (const SavedConnection& c : list)
        maps.append(c.toMap());
    Settings::instance()->setSavedConnections(maps);
}

void SavedConnection::remove(const QString& name)
{
    QVariantList maps;
    for (const SavedConnection& c : all()) {
        if (c.name != name)
            maps.append(c.toMap());
    }
    Settings::instance()->setSavedConnections(maps);
}

} // namespace es
