#pragma once

// Opening a libpq connection so that a refusal can be told in plain words: the server's SQLSTATE (28P01 wrong
// password, 3D000 no such database...), whether it asked for a password, and the host, port, user and database libpq
// really used (PG* variables and service files applied). Callers branch on these, never on libpq's words, which are in
// the user's language.

#include <QString>

#include <libpq-fe.h>
#include <pqxx/except>

#include <functional>
#include <string>

namespace es {

struct PgConnectFailure {
    QString detail; // libpq's message, SQLSTATE codes and LOCATION lines taken out; may hold address parts
    QString sqlstate; // the last code the server sent; empty when no server answered
    bool needsPassword = false; // the server asked for a password and none was given
    bool usedPassword = false; // a password was sent (given, from PGPASSWORD or ~/.pgpass)
    bool timedOut = false; // connect_timeout passed
    QString host; // as libpq used it: a name, an address or a socket directory
    QString port;
    QString user;
    QString database;

    // One sentence a user understands: "The server at db.example.com:5432 refused the password for user alice.",
    // "No PostgreSQL server answers at …", "The database \"x\" does not exist on …". No password ever appears in it.
    QString plainMessage() const;
    // Whether trying again cannot help (a wrong password, no such database or role): the server answered and said no.
    bool isDefinitive() const;
    // "db.example.com:5432" or "the local socket in /run/postgresql (port 5432)".
    QString where() const;
};

class PgConnectError : public pqxx::broken_connection {
public:
    explicit PgConnectError(PgConnectFailure failure);
    const PgConnectFailure& failure() const { return m_failure; }

private:
    PgConnectFailure m_failure;
};

// Connects as PQconnectdb does (connect_timeout included, per host tried), with verbose errors while the connection
// starts so a refusal carries its SQLSTATE; the connection returned is back to libpq's default verbosity. Throws
// PgConnectError.
PGconn* pgConnect(const std::string& conninfo);

// The SQLSTATE of a verbose libpq message ("FATAL:  3D000: database …"): the last one, or empty.
QString pgSqlStateOf(const QString& verboseMessage);

} // namespace es
