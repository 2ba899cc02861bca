#include "testutils.h"

#include "pg/pgaddress.h"

#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <sqlite3.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace es::test {

QString tempPath(const QTemporaryDir& dir, const QString& name)
{
    return dir.filePath(name);
}

// fork() and exec, not QProcess: Qt 6.4's QProcess starts children through forkfd, not through the fork() that
// ThreadSanitizer intercepts, and after one such start TSan misses the parent's later locks (a std::mutex-guarded
// map is then reported as raced; shown with a 40-line program, and gone with fork()). Tests start psql and pg_ctl
// this way so that `ES_SANITIZER=thread scripts/test` reports only real races.
int runProcess(const QString& program, const QStringList& args, QByteArray* out, QByteArray* err, int timeoutMs)
{
    std::vector<QByteArray> argBytes { QFile::encodeName(program) };
    for (const QString& a : args)
        argBytes.push_back(a.toLocal8Bit());
    std::vector<char*> argv;
    for (QByteArray& a : argBytes)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int outPipe[2];
    int errPipe[2];
    if (pipe2(outPipe, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(errPipe, O_CLOEXEC) != 0) {
        ::close(outPipe[0]);
        ::close(outPipe[1]);
        return -1;
    }
    const pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        const int devNull = ::open("/dev/null", O_RDONLY);
        dup2(devNull, 0);
        dup2(outPipe[1], 1);
        dup2(errPipe[1], 2);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    QByteArray collected[2];
    pollfd fds[2] = { { outPipe[0], POLLIN, 0 }, { errPipe[0], POLLIN, 0 } };
    int open = 2;
    QElapsedTimer timer;
    timer.start();
    bool timedOut = false;
    // Until the program has exited: a program that starts a server (pg_ctl) leaves the pipes open in the server, so
    // their end is not the program's end. What is left in them is read once it has exited.
    int status = 0;
    bool exited = false;
    while (open > 0) {
        if (!exited && waitpid(pid, &status, WNOHANG) == pid)
            exited = true;
        if (exited) {
            for (pollfd& f : fds) {
                if (f.fd >= 0)
                    f.events = POLLIN;
            }
            if (poll(fds, 2, 0) <= 0)
                break;
        }
        const qint64 left = timeoutMs - timer.elapsed();
        if (left <= 0) {
            timedOut = true;
            break;
        }
        if (!exited && poll(fds, 2, int(std::min<qint64>(left, 50))) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[65536];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                collected[i].append(buffer, n);
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (const pollfd& f : fds) {
        if (f.fd >= 0)
            ::close(f.fd);
    }
    if (timedOut)
        ::kill(pid, SIGKILL);
    while (!exited && waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    if (out)
        *out = collected[0];
    if (err)
        *err = collected[1];
    if (timedOut)
        return -2;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 127 && collected[1].isEmpty() ? -1 : WEXITSTATUS(status);
    return -3;
}

void execSqlite(const QString& path, const QString& sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot create " + path.toStdString());
    }
    char* msg = nullptr;
    const QByteArray script = "BEGIN;\n" + sql.toUtf8() + "\nCOMMIT;";
    const int rc = sqlite3_exec(db, script.constData(), nullptr, nullptr, &msg);
    const std::string error = msg ? msg : "";
    sqlite3_free(msg);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        throw std::runtime_error("sqlite: " + error);
}

bool waitFor(const std::function<bool()>& pred, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!pred() && timer.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return pred();
}

QString postgresAddress()
{
    return qEnvironmentVariable("ES_TEST_PG");
}

int psql(const QString& address, const QStringList& args, QByteArray* out, QByteArray* err)
{
    QStringList all { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"),
        QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), address };
    all.append(args);
    return runProcess(QStringLiteral("psql"), all, out, err);
}

PgTestDatabase::PgTestDatabase(const QString& tag, const QStringList& fixtures, const QString& server)
    : m_server(server)
{
    static int counter = 0;
    m_name = QStringLiteral("es_%1_%2_%3").arg(tag).arg(QCoreApplication::applicationPid()).arg(++counter);
    m_address = PgAddress::parse(m_server).withDatabase(m_name).toString();
    const QString admin = PgAddress::parse(m_server).withDatabase(QStringLiteral("postgres")).toString();
    QByteArray err;
    psql(admin, { QStringLiteral("-c"), QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name) });
    m_ok = psql(admin, { QStringLiteral("-c"), QStringLiteral("CREATE DATABASE %1").arg(m_name) }, nullptr, &err) == 0;
    INFO(err.toStdString());
    REQUIRE(m_ok);
    for (const QString& fixture : fixtures)
        load(fixture);
}

PgTestDatabase::~PgTestDatabase()
{
    psql(PgAddress::parse(m_server).withDatabase(QStringLiteral("postgres")).toString(),
        { QStringLiteral("-c"), QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name) });
}

void PgTestDatabase::sql(const QString& statement) const
{
    QByteArray err;
    const int rc = psql(m_address, { QStringLiteral("-c"), statement }, nullptr, &err);
    INFO(statement.toStdString() << "\n" << err.toStdString());
    REQUIRE(rc == 0);
}

void PgTestDatabase::load(const QString& fixture) const
{
    QByteArray err;
    const int rc = psql(
        m_address, { QStringLiteral("-f"), QStringLiteral(ES_FIXTURES_DIR "/layouts/") + fixture }, nullptr, &err);
    INFO(fixture.toStdString() << "\n" << err.toStdString());
    REQUIRE(rc == 0);
}

QString messageDbWrite(const QString& stream)
{
    return QStringLiteral("SET search_path = message_store, public; SELECT write_message(gen_random_uuid()::text, "
                          "'%1', 'Happened', '{}');")
        .arg(stream);
}

qint64 messageDbPosition(const PgTestDatabase& db, const QString& stream)
{
    QByteArray out;
    REQUIRE(psql(db.address(),
                { QStringLiteral("-t"), QStringLiteral("-A"), QStringLiteral("-c"),
                    QStringLiteral("SELECT global_position FROM message_store.messages WHERE stream_name = '%1'")
                        .arg(stream) },
                &out)
        == 0);
    bool ok = false;
    const qint64 position = out.trimmed().toLongLong(&ok);
    REQUIRE(ok);
    return position;
}

QString postgresControl()
{
    return qEnvironmentVariable("ES_TEST_PG_CTL");
}

void restartPostgres()
{
    QStringList command = QProcess::splitCommand(postgresControl());
    REQUIRE_FALSE(command.isEmpty());
    command << QStringLiteral("-m") << QStringLiteral("fast") << QStringLiteral("-w") << QStringLiteral("restart");
    // The restarted server logs to a file, not to this process's pipe: it must outlive a test that fails.
    const QString data = qEnvironmentVariable("ES_TEST_PG_DATA");
    if (!data.isEmpty())
        command << QStringLiteral("-l") << data + QStringLiteral("/restart.log");
    if (::geteuid() == 0)
        command = QStringList { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--") } + command;
    const QString program = ::geteuid() == 0 ? QStringLiteral("runuser") : command.takeFirst();
    QByteArray err;
    REQUIRE(runProcess(program, command, nullptr, &err, 60000) == 0);
}

} // namespace es::test
