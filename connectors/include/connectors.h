#pragma once

namespace es {

// Registers the SQLite and PostgreSQL engines with StoreRegistry. Call once before opening stores.
void registerConnectors();

} // namespace es
