#pragma once

#include "mapping/databaseschema.h"
#include "store/eventstore.h"

#include <functional>

namespace es {

// Engines register how they list a database's tables (connectors/connectors.cpp), as they register how they open
// stores with StoreRegistry; the mapping wizard and `suggest-mapping` reach them only through this class.
class SchemaReader {
public:
    using Describer = std::function<DatabaseSchema(const QString& address, const OpenOptions& options)>;

    // Replaces a describer registered for the same engine (StoreRegistry's engine name).
    static void registerEngine(const QString& engine, Describer describe);
    // The tables, columns, indexes, row estimates and first rows of the database at the address, whatever its layout
    // (OpenOptions::schema restricts PostgreSQL to one schema), read-only. Throws StoreError as opening a store does.
    static DatabaseSchema describe(const QString& address, const OpenOptions& options = {});
};

} // namespace es
