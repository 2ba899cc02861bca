#include "pg/pgconnect.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

#include <chrono>
#include <new>

#include <cerrno>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

namespace es {

namespace {

QString optionValue(PGconn* conn, const char* keyword)
{
    QString value;
    if (PQconninfoOption* options = PQconninfo(conn)) {
        for (PQconninfoOption* o = options; o->keyword; ++o) {
            if (qstrcmp(o->keyword, keyword) == 0 && o->val)
                value = QString::fromUtf8(o->val);
        }
        PQconninfoFree(options);
    }
    return value;
}

QString text(const char* s)
{
    return s ? QString::fromUtf8(s) : QString();
}

// A host name that does not resolve; socket directories and numeric addresses never count.
bool hostUnknown(const QString& host)
{
    if (host.isEmpty() || host.startsWith(u'/') || host.startsWith(u'@'))
        return false;
    addrinfo hints {};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.toUtf8().constData(), nullptr, &hints, &found);
    if (found)
        ::freeaddrinfo(found);
    return rc == EAI_NONAME
#ifdef EAI_NODATA
        || rc == EAI_NODATA
#endif
        ;
}

PgConnectFailure failureOf(PGconn* conn, bool timedOut)
{
    PgConnectFailure f;
    const QString verbose = text(PQerrorMessage(conn)).trimmed();
    f.sqlstate = pgSqlStateOf(verbose);
    QStringList lines;
    static const QRegularExpression code(QStringLiteral(":  [0-9A-Z]{5}: "));
    for (QString line : verbose.split(u'\n')) {
        if (line.startsWith(QLatin1String("LOCATION:")))
            continue;
        lines.append(line.replace(code, QStringLiteral(":  ")));
    }
    f.detail = timedOut ? QStringLiteral("timeout expired") : lines.join(u'\n').trimmed();
    f.needsPassword = PQconnectionNeedsPassword(conn) != 0;
    f.usedPassword = PQconnectionUsedPassword(conn) != 0;
    f.timedOut = timedOut;
    f.host = text(PQhost(conn));
    f.port = text(PQport(conn));
    f.user = text(PQuser(conn));
    f.database = text(PQdb(conn));
    return f;
}

} // namespace

PgConnectError::PgConnectError(PgConnectFailure failure)
    : pqxx::broken_connection(failure.detail.toStdString())
    , m_failure(std::move(failure))
{ }

QString pgSqlStateOf(const QString& verboseMessage)
{
    static const QRegularExpression code(QStringLiteral(":  ([0-9A-Z]{5}): "));
    QString last;
    for (auto it = code.globalMatch(verboseMessage); it.hasNext();)
        last = it.next().captured(1);
    return last;
}

PGconn* pgConnect(const std::string& conninfo)
{
    using Clock = std::chrono::steady_clock;
    PGconn* conn = PQconnectStart(conninfo.c_str());
    if (!conn)
        throw std::bad_alloc();
    PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    // PQconnectPoll leaves connect_timeout to its caller; libpq's own rule: under 2 s counts as 2 s, per host.
    int timeout = optionValue(conn, "connect_timeout").toInt();
    if (timeout > 0 && timeout < 2)
        timeout = 2;
    const qsizetype hosts = std::max<qsizetype>(1, optionValue(conn, "host").count(u',') + 1);
    const auto deadline = Clock::now() + std::chrono::seconds(qint64(timeout) * hosts);
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    bool timedOut = false;
    while (PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED) {
        const int fd = PQsocket(conn);
        if (fd >= 0) {
            int waitMs = -1;
            if (timeout > 0) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                waitMs = int(std::max<qint64>(0, left.count()));
            }
            pollfd p { fd, short(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0 };
            const int ready = ::poll(&p, 1, waitMs);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0) {
                timedOut = true;
                break;
            }
        }
        state = PQconnectPoll(conn);
    }
    if (!timedOut && PQstatus(conn) == CONNECTION_OK) {
        PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
        return conn;
    }
    PgConnectFailure failure = failureOf(conn, timedOut);
    PQfinish(conn);
    throw PgConnectError(std::move(failure));
}

QString PgConnectFailure::where() const
{
    if (host.startsWith(u'/') || host.startsWith(u'@'))
        return QCoreApplication::translate("PgConnect", "the local socket in %1 (port %2)").arg(host, port);
    return host + u':' + port;
}

bool PgConnectFailure::isDefinitive() const
{
    return needsPassword || sqlstate == QLatin1String("28P01") || sqlstate == QLatin1String("28000")
        || sqlstate == QLatin1String("3D000") || sqlstate == QLatin1String("42501");
}

QString PgConnectFailure::plainMessage() const
{
    const auto tr = [](const char* s) { return QCoreApplication::translate("PgConnect", s); };
    if (timedOut)
        return tr("The server at %1 did not answer in time: it accepts connections but never replies, or the "
                  "network drops them.")
            .arg(where());
    if (needsPassword)
        return tr("The server at %1 asks for a password for user %2, and none was given: enter it, keep it in the "
                  "keyring, or add it to ~/.pgpass.")
            .arg(where(), user);
    if (sqlstate == QLatin1String("28P01"))
        return usedPassword ? tr("The server at %1 refused the password for user %2.").arg(where(), user)
                            : tr("The server at %1 refused user %2.").arg(where(), user);
    if (sqlstate == QLatin1String("28000"))
        return tr("The server at %1 does not let user %2 connect to database \"%3\": no such role, or pg_hba.conf "
                  "has no entry for this host, user and database.")
            .arg(where(), user, database);
    if (sqlstate == QLatin1String("3D000"))
        return tr("The database \"%1\" does not exist on the server at %2.").arg(database, where());
    if (sqlstate == QLatin1String("42501"))
        return tr("User %1 may not connect to database \"%2\" on the server at %3 (no CONNECT privilege).")
            .arg(user, database, where());
    if (sqlstate == QLatin1String("53300"))
        return tr("The server at %1 has no free connection slots (too many clients); try again later.").arg(where());
    if (sqlstate == QLatin1String("57P03"))
        return tr("The server at %1 is starting up, shutting down or recovering; try again shortly.").arg(where());
    if (!sqlstate.isEmpty())
        return tr("The server at %1 refused the connection (SQLSTATE %2).").arg(where(), sqlstate);
    if (hostUnknown(host))
        return tr("The host name \"%1\" is not known (it does not resolve).").arg(host);
    return tr("No PostgreSQL server answers at %1.").arg(where());
}

} // namespace es
