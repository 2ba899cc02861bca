#include "connectors.h"

#include "pg/pgaddress.h"
#include "pg/pgstore.h"
#include "pg/pgtail.h"
#include "sqlite/sqliteexport.h"
#include "sqlite/sqlitestore.h"
#include "store/storeregistry.h"

namespace es {

void registerConnectors()
{
    // PostgreSQL first: a keyword string ("host=... dbname=...") has no scheme, and SQLite takes anything without one.
    StoreRegistry::registerEngine(
        QStringLiteral("postgresql"), [](const QString& address) { return PgStore::acceptsAddress(address); },
        [](const QString& address, const OpenOptions& options) -> std::unique_ptr<EventStore> {
            return PgStore::open(address, options);
        },
        [](const QString& address) { return PgAddress::redact(address); });
    StoreRegistry::registerEngine(
        QStringLiteral("sqlite"), [](const QString& address) { return SqliteStore::acceptsAddress(address); },
        [](const QString& address, const OpenOptions& options) -> std::unique_ptr<EventStore> {
            return SqliteStore::open(address, options);
        });
    SqliteExportSink::registerFormat();
    PgSettledTail::registerStrategy();
}

} // namespace es
