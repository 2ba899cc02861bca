// PgSession: opening a backend with the session settings, reconnecting, cancelling, and libpqxx errors as StoreError.
#include "pg/pgsession.h"

#include "pg/pgconnection_p.h"
#include "sql/sqlbuilder.h"

#include <QElapsedTimer>
#include <QThread>

#include <pqxx/pqxx>

#include <algorithm>
#include <string_view>

namespace es {

PgSession::PgSession(PgAddress address, const Settings& settings)
    : m_address(std::move(address))
    , m_shownAddress(m_address.redacted())
    , m_settings(settings)
{ }

PgSession::~PgSession() = default;

void PgSession::connect()
{
    std::unique_ptr<PgConnection> conn;
    QElapsedTimer clock;
    clock.start();
    try {
        conn = std::make_unique<PgConnection>(m_address.connectionString().toStdString());
        // The session settings below must hold on every backend, so libpqxx may not reconnect behind our back.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
        pqxx::nontransaction tx(*conn);
        tx.exec0("SET default_transaction_read_only = on");
        tx.exec0("SET application_name = 'eventscope'");
        tx.exec0("SET TimeZone = 'UTC'");
        // Short interactive statements: JIT compiling them costs far more than it saves (0.5 s of a 10 ms lag poll).
        tx.exec("SELECT set_config('jit', 'off', false) WHERE current_setting('server_version_num')::int >= 110000");
        tx.exec0("SET statement_timeout = " + std::to_string(std::max(0, m_settings.statementTimeoutMs)));
        if (!m_schema.isEmpty())
            tx.exec0("SET search_path TO " + tx.quote_name(m_schema.toStdString()) + ", public");
        m_reportsReadOnly = !m_settings.readOnlyTransactions
            && PQparameterStatus(conn->rawHandle(), "default_transaction_read_only") != nullptr;
    } catch (const PgConnectError& e) {
        const PgConnectFailure& f = e.failure();
        m_refused = f.isDefinitive();
        const QString why = m_address.scrub(f.detail);
        // Decided by the clock as well as by pgConnect(): a connection that failed only once connect_timeout had
        // passed timed out, whatever libpq's words (which are in the user's language).
        const int timeout = m_address.connectTimeoutSeconds();
        const bool late = timeout > 0 && clock.elapsed() >= qint64(timeout) * 1000 - 250;
        if (f.timedOut || late)
            throw StoreError(QStringLiteral("The server at %1 did not answer within %2 s (connect_timeout): it accepts "
                                            "connections but never replies, or the network drops them. %3")
                                 .arg(m_shownAddress)
                                 .arg(timeout)
                                 .arg(why),
                StoreError::Kind::Timeout);
        // A password asked for or refused (SQLSTATE 28P01) is a kind of its own: a caller may ask the user for one.
        const bool password = f.needsPassword || f.sqlstate == QLatin1String("28P01");
        throw StoreError(m_address.scrub(f.plainMessage())
                + QStringLiteral("\nConnecting to %1, libpq said: %2").arg(m_shownAddress, why),
            password ? StoreError::Kind::Unauthorized : StoreError::Kind::Disconnected);
    } catch (const std::exception& e) {
        m_refused = false;
        const QString why = m_address.scrub(QString::fromUtf8(e.what()).trimmed());
        throw StoreError(
            QStringLiteral("Cannot connect to %1: %2").arg(m_shownAddress, why), StoreError::Kind::Disconnected);
    }
    adopt(std::move(conn));
}

void PgSession::adopt(std::unique_ptr<PgConnection> conn)
{
    // The cancel key is copied here, on the session's thread: PQgetCancel reads the connection, which only this
    // thread may touch.
    std::shared_ptr<PGcancel> cancel;
    if (conn) {
        if (PGcancel* key = PQgetCancel(conn->rawHandle()))
            cancel = std::shared_ptr<PGcancel>(key, PQfreeCancel);
    }
    {
        std::lock_guard lock(m_cancelMutex);
        m_cancel = std::move(cancel);
    }
    m_conn = std::move(conn);
    m_statements.clear();
}

void PgSession::setSchema(const QString& schema)
{
    m_schema = schema;
    if (m_conn && !schema.isEmpty()) {
        pqxx::nontransaction tx(*m_conn);
        tx.exec0("SET search_path TO " + tx.quote_name(schema.toStdString()) + ", public");
    }
}

int PgSession::backendPid() const
{
    return m_conn ? m_conn->backendpid() : 0;
}

std::function<void()> PgSession::canceller() const
{
    std::shared_ptr<PGcancel> cancel;
    {
        std::lock_guard lock(m_cancelMutex);
        cancel = m_cancel;
    }
    if (!cancel)
        return {};
    return [cancel] {
        // Nothing running, or the server gone: either way nothing to stop, and the read reports what happened.
        char error[256];
        PQcancel(cancel.get(), error, int(sizeof error));
    };
}

std::function<void()> PgSession::interruption()
{
    m_cancelled = true;
    const quint64 statement = m_running->load();
    std::function<void()> cancel = canceller();
    if (statement == 0 || !cancel)
        return {};
    // Sent later, from another thread: only while the statement it is for still runs. (A cancel the server gets just
    // as that statement ends can still reach the next one: PostgreSQL's cancel names a backend, not a statement.)
    return [running = m_running, statement, cancel = std::move(cancel)] {
        if (running->load() == statement)
            cancel();
    };
}

void PgSession::ensureConnected()
{
    if (m_conn)
        return;
    int pauseMs = 100;
    for (int attempt = 1;; ++attempt) {
        try {
            connect();
            return;
        } catch (const StoreError& e) {
            // A server that did not answer has had its time already: trying again would only multiply the wait.
            // Nor can a server that said no (a wrong password, no such database): asking again only repeats it.
            if (m_refused)
                throw;
            if (attempt >= m_settings.reconnectAttempts || e.kind() == StoreError::Kind::Timeout)
                throw StoreError(
                    QStringLiteral("disconnected, retrying: %1").arg(e.message()), StoreError::Kind::Disconnected);
        }
        QThread::msleep(pauseMs);
        pauseMs *= 2;
    }
}

void PgSession::drop()
{
    adopt(nullptr);
}

void PgSession::rethrow(const QString& context)
{
    const auto clean
        = [this](const std::exception& e) { return m_address.scrub(QString::fromUtf8(e.what()).trimmed()); };
    const auto lost = [&](const std::exception& e) {
        drop();
        return StoreError(
            QStringLiteral("disconnected, retrying (%1): the connection to the server was lost (no answer within the "
                           "keepalive and tcp_user_timeout limits, or the server ended it): %2")
                .arg(m_shownAddress, clean(e)),
            StoreError::Kind::Disconnected);
    };
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        throw lost(e);
    } catch (const pqxx::in_doubt_error& e) {
        throw lost(e);
    } catch (const pqxx::sql_error& e) {
        const std::string& state = e.sqlstate();
        if (state == "57014") {
            if (m_cancelled)
                throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
            if (m_statementClock.isValid() && isStrayCancel(state, m_statementClock.elapsed()))
                throw StoreError(QStringLiteral("The read on %1 was stopped by a cancel sent for the read before it; "
                                                "run it again.")
                                     .arg(m_shownAddress),
                    StoreError::Kind::Generic);
            throw StoreError(QStringLiteral("The query took longer than %1 s on %2; raise --statement-timeout (in the "
                                            "GUI: Statement timeout in the PostgreSQL form of File › Open store…).")
                                 .arg(QString::number(m_settings.statementTimeoutMs / 1000.0), m_shownAddress),
                StoreError::Kind::Timeout);
        }
        if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03")
            throw lost(e);
        // 25006: a write in a read-only transaction; 25001: an attempt to make the transaction writable.
        if (state == "25006" || state == "25001")
            throw StoreError(
                QStringLiteral("The layout \"%1\" tried to write to %2, which EventScope never does: every "
                               "statement runs in a read-only transaction. A mapping file is code; check "
                               "its expressions. (%3)")
                    .arg(m_layoutName, m_shownAddress, clean(e)),
                StoreError::Kind::Generic);
        // Statements go through the extended protocol, which refuses a second statement after a ';'.
        // By SQL state alone: a second statement after ';' and any other expression that does not parse.
        if (state == "42601")
            throw StoreError(QStringLiteral("The layout \"%1\" sends SQL that does not parse to %2; a mapping "
                                            "expression must be one SQL expression, with no second statement after "
                                            "a ';'. (%3)")
                                 .arg(m_layoutName, m_shownAddress, clean(e)),
                StoreError::Kind::Generic);
        if (state == "42P01" || state == "42703")
            throw StoreError(QStringLiteral("The database %1 does not match the layout \"%2\": %3")
                                 .arg(m_shownAddress, m_layoutName, clean(e)),
                StoreError::Kind::MissingTable);
        throw StoreError(
            QStringLiteral("PostgreSQL error on %1: %2%3")
                .arg(m_shownAddress, clean(e), context.isEmpty() ? QString() : QStringLiteral(" (in %1)").arg(context)),
            StoreError::Kind::Generic);
    } catch (const std::exception& e) {
        // A failure with no SQL state after the connection died is a lost connection too.
        if (m_conn && !m_conn->is_open())
            throw lost(e);
        throw StoreError(QStringLiteral("PostgreSQL error on %1: %2").arg(m_shownAddress, clean(e)));
    }
}

void PgSession::query(const SqlStatement& st, const std::function<void(const pqxx::row&)>& each, bool prepared)
{
    // Normally inside run(), which has connected; a caller that is not still gets a connection rather than a null one.
    ensureConnected();
    std::vector<std::string> params;
    params.reserve(size_t(st.values.size()));
    for (const QVariant& v : st.values)
        params.push_back(toParam(v));
    const std::string sql = SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString();
    pqxx::result r;
    for (int attempt = 1;; ++attempt) {
        QElapsedTimer clock;
        clock.start();
        try {
            guardReadOnly();
            if (!m_reportsReadOnly) {
                // A transaction of its own, begun READ ONLY (transaction_read_only cannot change once the statement
                // has its snapshot), ended with the statement so that no snapshot is held between reads.
                pqxx::read_transaction tx(*m_conn);
                r = m_statements.run(*m_conn, tx, sql, params, prepared);
                tx.commit();
            } else {
                pqxx::nontransaction tx(*m_conn);
                r = m_statements.run(*m_conn, tx, sql, params, prepared);
            }
            break;
        } catch (const pqxx::data_exception& e) {
            if (e.sqlstate() != "22P02")
                throw;
            break;
        } catch (const pqxx::sql_error& e) {
            // Read again when a cancel meant for an earlier statement reached this one: a read that returns rows
            // to nobody has nothing to lose by it, and the caller asked for neither a cancel nor a timeout.
            if (attempt < 3 && isStrayCancel(e.sqlstate(), clock.elapsed()))
                continue;
            throw;
        }
    }
    guardReadOnly();
    for (const pqxx::row& row : r)
        each(row);
}

bool PgSession::isStrayCancel(const std::string& sqlState, qint64 elapsedMs) const
{
    // 57014 is both a cancel and a statement timeout. Neither ours (this statement was not interrupted) nor the
    // timeout's (it ran for less than the timeout): a cancel sent for the statement before, which PostgreSQL
    // delivers to whatever its backend runs when the request arrives.
    const int timeout = m_settings.statementTimeoutMs;
    return sqlState == "57014" && !m_cancelled && (timeout <= 0 || elapsedMs < timeout - 50);
}

void PgSession::guardReadOnly()
{
    if (!m_conn || !m_reportsReadOnly)
        return;
    const char* value = PQparameterStatus(m_conn->rawHandle(), "default_transaction_read_only");
    if (value && std::string_view(value) == "on")
        return;
    drop();
    throw StoreError(QStringLiteral("The layout \"%1\" switched the read-only default of its session on %2 off "
                                    "(set_config in a mapping expression?), which EventScope never allows: the "
                                    "connection was closed before another statement could run. A mapping file is code; "
                                    "check its expressions.")
                         .arg(m_layoutName, m_shownAddress),
        StoreError::Kind::Generic);
}

} // namespace es
