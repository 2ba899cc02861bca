#pragma once

#include "testconfig.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>

namespace es::test {

// A temporary folder that lives for one test.
QString tempPath(const QTemporaryDir& dir, const QString& name);

// Runs a program to completion; returns its exit code and fills stdout/stderr.
int runProcess(const QString& program, const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr,
    int timeoutMs = 120000);

// Runs SQL statements on a new SQLite file the way a client would (read-write, one transaction).
void execSqlite(const QString& path, const QString& sql);

// Spins the event loop until pred() holds or timeoutMs passes; returns pred().
bool waitFor(const std::function<bool()>& pred, int timeoutMs = 10000);

// The address of the test PostgreSQL server (ES_TEST_PG), empty when none runs.
QString postgresAddress();

// Runs psql (no psqlrc, quiet, ON_ERROR_STOP) on `address` with `args`; returns its exit code.
int psql(const QString& address, const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr);

// A database of its own on the test server for one test, dropped (forced) at the end, with the `fixtures` of
// tests/fixtures/layouts/ loaded in order. Made with psql, so it serves test programs that do not link libpqxx.
// `tag` names it: es_<tag>_<pid>_<n>.
class PgTestDatabase {
public:
    explicit PgTestDatabase(
        const QString& tag, const QStringList& fixtures = {}, const QString& server = postgresAddress());
    ~PgTestDatabase();
    PgTestDatabase(const PgTestDatabase&) = delete;
    PgTestDatabase& operator=(const PgTestDatabase&) = delete;

    bool ok() const { return m_ok; }
    const QString& name() const { return m_name; }
    const QString& address() const { return m_address; }

    // One statement (or several, separated by semicolons); REQUIREs success.
    void sql(const QString& statement) const;
    // A fixture from tests/fixtures/layouts/, written the way the layout's client writes; REQUIREs success.
    void load(const QString& fixture) const;

private:
    QString m_server;
    QString m_name;
    QString m_address;
    bool m_ok = false;
};

// Message DB as its clients write: the SQL calling write_message() for one event of `stream`, with the store's path.
QString messageDbWrite(const QString& stream);
// The global position of the (only) message in `stream` of a Message DB test database; REQUIREs it.
qint64 messageDbPosition(const PgTestDatabase& db, const QString& stream);
// The test server's pg_ctl command (ES_TEST_PG_CTL, set by scripts/test); empty when the server may not be restarted.
QString postgresControl();
// Restarts the test server (fast shutdown, waits until it is up again); REQUIREs success.
void restartPostgres();

} // namespace es::test

// Ends a test early, with a warning, when no test PostgreSQL server runs (scripts/test starts one).
#define ES_REQUIRE_PG(what)                                                                                            \
    if (es::test::postgresAddress().isEmpty()) {                                                                       \
        WARN("ES_TEST_PG is not set: " what " skipped (scripts/test sets it)");                                        \
        return;                                                                                                        \
    }
