#include "connectors.h"

#include "sqlitestore.h"
#include "storeregistry.h"

namespace es {

void registerConnectors()
{
    StoreRegistry::registerEngine(
        QStringLiteral("sqlite"), [](const QString& address) { return SqliteStore::acceptsAddress(address); },
        [](const QString& address, const OpenOptions& options) -> std::unique_ptr<EventStore> {
            return SqliteStore::open(address, options);
        });
    // PostgreSQL (postgresql:// and postgres:// addresses) registers here as well once its connector exists.
}

} // namespace es
