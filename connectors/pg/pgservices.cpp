// postgresServices(): the connection services of libpq's service files, for connection forms.
#include "connectors.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QStringList>

#include <libpq-fe.h>
#include <pqxx/version>
#include <sqlite3.h>

#ifndef ES_PG_SYSCONFDIR
#define ES_PG_SYSCONFDIR "/etc/postgresql-common"
#endif

namespace es {

namespace {

// The lines of one service file as libpq's parseServiceFile reads them: trailing white space and leading white space
// dropped, '#' comments and empty lines skipped, "[name]" opening a service, "keyword=value" in it.
QList<PgServiceEntry> readServiceFile(const QString& path)
{
    QList<PgServiceEntry> entries;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return entries;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        if (line.startsWith(u'[')) {
            const qsizetype end = line.indexOf(u']');
            entries.append({ line.mid(1, end < 0 ? -1 : end - 1), path, {}, {} });
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (entries.isEmpty() || eq <= 0)
            continue;
        entries.last().settings.append({ line.left(eq), line.mid(eq + 1) });
    }
    return entries;
}

QString quoted(const QString& value)
{
    QString out = value;
    out.replace(u'\\', QLatin1String("\\\\")).replace(u'\'', QLatin1String("\\'"));
    return u'\'' + out + u'\'';
}

// What PQconninfoParse says of a service's settings: empty when libpq reads them all.
QString problemOf(const PgServiceEntry& entry)
{
    QString conninfo;
    for (const auto& [keyword, value] : entry.settings) {
        if (keyword == QLatin1String("service"))
            return QStringLiteral("nested service specifications are not supported");
        conninfo += keyword + u'=' + quoted(value) + u' ';
    }
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.toUtf8().constData(), &error);
    QString problem;
    if (!options)
        problem = error ? QString::fromUtf8(error).trimmed() : QStringLiteral("out of memory");
    PQconninfoFree(options);
    PQfreemem(error);
    return problem;
}

} // namespace

QList<PgServiceEntry> postgresServices()
{
    const QString userFile = qEnvironmentVariableIsSet("PGSERVICEFILE")
        ? qEnvironmentVariable("PGSERVICEFILE")
        : QDir::homePath() + QStringLiteral("/.pg_service.conf");
    const QString sysDir = qEnvironmentVariableIsSet("PGSYSCONFDIR") ? qEnvironmentVariable("PGSYSCONFDIR")
                                                                     : QStringLiteral(ES_PG_SYSCONFDIR);
    QList<PgServiceEntry> services;
    QSet<QString> seen;
    for (const QString& path : QStringList { userFile, sysDir + QStringLiteral("/pg_service.conf") }) {
        for (PgServiceEntry& entry : readServiceFile(path)) {
            if (entry.name.isEmpty() || seen.contains(entry.name))
                continue;
            seen.insert(entry.name);
            entry.problem = problemOf(entry);
            services.append(std::move(entry));
        }
    }
    return services;
}

QList<std::pair<QString, QString>> clientLibraryVersions()
{
    const int pq = PQlibVersion(); // 150005 = 15.5
    return { { QStringLiteral("SQLite"), QString::fromLatin1(sqlite3_libversion()) },
        { QStringLiteral("libpq"), QStringLiteral("%1.%2").arg(pq / 10000).arg(pq % 10000) },
        { QStringLiteral("libpqxx"), QStringLiteral(PQXX_VERSION) } };
}

} // namespace es
