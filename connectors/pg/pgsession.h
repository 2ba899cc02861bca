#pragma once

// One PostgreSQL session of a PgStore: its libpq connection and what keeps it usable. Every backend it opens is
// read-only, named "eventscope", in UTC, without JIT and bounded by a statement timeout, and no statement can run
// writable although SQL in a mapping can switch the session default off (guardReadOnly()); it connects
// with the timeouts of PgAddress::connectionString(), so a silent server fails as Timeout; a lost connection is
// reported once (Disconnected) and reopened on the next call; interruption() cancels the running statement from
// another thread without waiting for the server; libpqxx errors become StoreError kinds with the address's secrets
// removed.

#include "pg/pgaddress.h"
#include "pg/pgstatementcache.h"
#include "store/eventstore.h"

#include <QElapsedTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace pqxx {
class row;
} // namespace pqxx

struct pg_cancel;

namespace es {

class PgConnection;
struct SqlStatement;

class PgSession {
public:
    struct Settings {
        int statementTimeoutMs = 30000; // OpenOptions::statementTimeoutMs replaces it when set
        int reconnectAttempts = 4; // per call, with a doubling pause starting at 100 ms
        // Run every single statement in BEGIN READ ONLY … COMMIT (two more round trips each) instead of checking the
        // reported default_transaction_read_only after it (guardReadOnly()): what servers before PostgreSQL 14, which
        // do not report it, always get.
        bool readOnlyTransactions = false;
    };

    PgSession(PgAddress address, const Settings& settings);
    ~PgSession();
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    const PgAddress& address() const { return m_address; }
    // The address as it may be shown (no secrets).
    QString shownAddress() const { return m_shownAddress; }
    const Settings& settings() const { return m_settings; }
    // The schema searched first, on the current backend now and on every later one.
    void setSchema(const QString& schema);
    // The layout named when a table or column is missing.
    void setLayoutName(const QString& name) { m_layoutName = name; }

    // Opens a backend with the session settings. Throws StoreError naming the address: Timeout when the server did
    // not answer within the connect timeout, else Disconnected.
    void connect();
    bool isConnected() const { return m_conn != nullptr; }
    // Valid while connected.
    PgConnection& connection() { return *m_conn; }
    // The backend process id; 0 when disconnected.
    int backendPid() const;

    // Runs `body` on an open backend: after a lost connection, reconnects first (Settings::reconnectAttempts tries);
    // libpqxx errors leave as StoreError.
    template <typename F> auto run(F&& body);
    // Inside a catch block: the exception in flight as a StoreError of its kind (Disconnected, Cancelled, a timeout,
    // MissingTable...), the connection dropped when it was lost. `context` is added to generic errors.
    [[noreturn]] void rethrow(const QString& context = {});

    // From any thread: marks the statement running now as cancelled (it ends with StoreError(Cancelled)) and returns
    // at once with the call that stops it, which may block (libpq sends the cancel over a new connection to the
    // server, and waits for the server to close it) and stays valid after the session is gone; empty when
    // disconnected. The call holds only the backend's cancel key: no lock any connection needs.
    std::function<void()> interruption();
    // The call of interruption() without marking the read as cancelled (a read that wants no more rows).
    std::function<void()> canceller() const;
    // Throws StoreError, closing the connection, when the session's default_transaction_read_only is no longer on
    // (set_config in a mapping expression). Statements run in autocommit, each in a transaction that starts
    // read-only from that default and cannot be made writable once it runs; the server reports every change of the
    // default with the statement that made it (a ParameterStatus message, PostgreSQL 14 and later), so checking
    // between statements leaves no statement writable. Where the server does not report it, every statement runs
    // in BEGIN READ ONLY instead (Settings::readOnlyTransactions).
    void guardReadOnly();
    // Marks a read that does not go through run() (a raw COPY read) as running until the returned guard is gone, so
    // that interruption() stops it.
    std::shared_ptr<void> markRunning()
    {
        m_running->store(++m_statementCount);
        m_statementClock.start();
        return std::shared_ptr<void>(nullptr, [running = m_running](void*) { running->store(0); });
    }
    // Forgets an earlier interrupt(): called as a read starts.
    void clearCancelled() { m_cancelled = false; }
    bool wasCancelled() const { return m_cancelled; }

    // Runs one statement on its own, values as untyped text parameters, each row through `each`; `prepared` as
    // PgStatementCache::run. A value the server cannot read as its column's type (a uuid stream id, say) matches
    // nothing.
    void query(const SqlStatement& st, const std::function<void(const pqxx::row&)>& each, bool prepared = false);

private:
    void ensureConnected();
    void drop();
    // A query_canceled error that neither interruption() nor the statement timeout caused.
    bool isStrayCancel(const std::string& sqlState, qint64 elapsedMs) const;
    void adopt(std::unique_ptr<PgConnection> conn);

    PgAddress m_address;
    QString m_shownAddress;
    Settings m_settings;
    QString m_schema;
    QString m_layoutName;
    std::unique_ptr<PgConnection> m_conn;
    bool m_reportsReadOnly = false; // the server reports default_transaction_read_only
    mutable std::mutex m_cancelMutex; // guards m_cancel only, never held across a call
    std::shared_ptr<pg_cancel> m_cancel; // the current backend's cancel key, replaced on reconnect
    std::atomic<bool> m_cancelled { false };
    bool m_refused = false; // the last connect() failed because the server said no (PgConnectFailure::isDefinitive)
    // The statement running now (0 between statements), shared with the calls interruption() hands out: a cancel
    // that arrives after its statement ended would cancel whatever the backend runs next.
    std::shared_ptr<std::atomic<quint64>> m_running = std::make_shared<std::atomic<quint64>>(0);
    quint64 m_statementCount = 0;
    QElapsedTimer m_statementClock; // since the running (or last) statement started
    PgStatementCache m_statements;
};

template <typename F> auto PgSession::run(F&& body)
{
    ensureConnected();
    m_cancelled = false;
    m_running->store(++m_statementCount);
    m_statementClock.start();
    struct Ended {
        std::atomic<quint64>& running;
        ~Ended() { running.store(0); }
    } ended { *m_running };
    try {
        guardReadOnly();
        auto result = body();
        guardReadOnly();
        return result;
    } catch (const StoreError&) {
        throw;
    } catch (const std::exception&) {
        rethrow();
    }
}

} // namespace es
