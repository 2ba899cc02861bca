#include "connectors.h"

#include "layouts/profile.h"
#include "mapping/schemareader.h"
#include "pg/pgaddress.h"
#include "pg/pgdescribe.h"
#include "pg/pgstore.h"
#include "pg/pgtables.h"
#include "pg/pgtail.h"
#include "sqlite/sqlitecasefile.h"
#include "sqlite/sqliteexport.h"
#include "sqlite/sqlitestore.h"
#include "sqlite/sqlitetables.h"
#include "store/storeregistry.h"

namespace es {

namespace {

QString composePostgresAddress(const ConnectionFields& fields)
{
    std::vector<PgAddress::Option> options { { QStringLiteral("host"), fields.host },
        { QStringLiteral("port"), fields.port }, { QStringLiteral("dbname"), fields.database },
        { QStringLiteral("user"), fields.user }, { QStringLiteral("password"), fields.password } };
    for (const auto& [keyword, value] : fields.options)
        options.push_back({ keyword, value });
    return PgAddress::compose(options);
}

} // namespace

void registerConnectors()
{
    // PostgreSQL first: a keyword string ("host=... dbname=...") has no scheme, and SQLite takes anything without one.
    StoreRegistry::registerEngine({ QStringLiteral("postgresql"), &PgStore::acceptsAddress,
        [](const QString& address, const OpenOptions& options) -> std::unique_ptr<EventStore> {
            return PgStore::open(address, options);
        },
        &PgAddress::redact, &composePostgresAddress,
        [](const QString& address) -> std::unique_ptr<TableReader> { return PgTableReader::open(address); } });
    StoreRegistry::registerEngine({ QStringLiteral("sqlite"), &SqliteStore::acceptsAddress,
        [](const QString& address, const OpenOptions& options) -> std::unique_ptr<EventStore> {
            return SqliteStore::open(address, options);
        },
        {}, {},
        [](const QString& address) -> std::unique_ptr<TableReader> { return SqliteTableReader::open(address); } });
    SchemaReader::registerEngine(QStringLiteral("postgresql"), &describePg);
    SchemaReader::registerEngine(QStringLiteral("sqlite"),
        [](const QString& address, const OpenOptions&) { return SqliteStore::describe(address); });
    for (const ProfileRegistry::Entry& e : ProfileRegistry::entries())
        StoreRegistry::registerLayout({ e.name, e.title, e.engines });
    SqliteExportSink::registerFormat();
    SqliteCaseFile::registerEngine();
    PgSettledTail::registerStrategy();
}

} // namespace es
