#pragma once

#include "mapping/databaseschema.h"
#include "store/eventstore.h"

namespace es {

// The tables of a PostgreSQL database for the mapping wizard: every readable schema (or OpenOptions::schema), with
// column types, primary keys, sequence-fed columns, indexes, reltuples (or a bounded count where the table was never
// analysed) and the first rows, each value cut to 64 KiB. Read in one read-only transaction of a session with the
// store's guards. Throws StoreError as PgStore::open() does.
DatabaseSchema describePg(const QString& address, const OpenOptions& options);

} // namespace es
