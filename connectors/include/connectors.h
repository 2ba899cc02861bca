#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace es {

// Registers the SQLite and PostgreSQL engines with StoreRegistry. Call once before opening stores.
void registerConnectors();

// A libpq connection service: a [section] of a pg_service.conf file. A connection form offers it as "service=NAME",
// which libpq itself resolves when connecting (options given beside it win).
struct PgServiceEntry {
    QString name;
    QString file; // where it was found
    QList<std::pair<QString, QString>> settings; // keyword=value lines, in the file's order (no secrets hidden)
    QString problem; // libpq's reason when it cannot read these settings; empty when it can
};

// The services libpq would find, in its order of search: PGSERVICEFILE (else ~/.pg_service.conf), then
// pg_service.conf in PGSYSCONFDIR (else libpq's built-in folder). A name defined in both is the first file's, as in
// libpq. libpq has no call that lists services, so the files' sections are read here, and each section's settings
// are checked with PQconninfoParse.
QList<PgServiceEntry> postgresServices();

// The client libraries the engines use, as {name, version}: SQLite, libpq and libpqxx, as loaded at run time where the
// library says (sqlite3_libversion, PQlibVersion).
QList<std::pair<QString, QString>> clientLibraryVersions();

} // namespace es
