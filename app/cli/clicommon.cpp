#include "clicommon.h"

#include "outputwriter.h"

#include "cliapplication.h"
#include "store/storeregistry.h"

#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace es::cli {

namespace {

std::atomic<bool> stopRequested { false };

void onSignal(int)
{
    stopRequested = true;
}

struct sigaction previousInt;
struct sigaction previousTerm;

} // namespace

void printError(const QString& message)
{
    std::fprintf(stderr, "eventscope-cli: %s\n", message.toLocal8Bit().constData());
    std::fflush(stderr);
}

int exitCodeFor(StoreError::Kind kind)
{
    switch (kind) {
    case StoreError::Kind::BadAddress:
    case StoreError::Kind::Disconnected:
        return BadAddress;
    case StoreError::Kind::UnknownLayout:
        return UnknownLayout;
    case StoreError::Kind::MissingTable:
        return MissingTable;
    case StoreError::Kind::Cancelled:
        return Cancelled;
    case StoreError::Kind::Generic:
    case StoreError::Kind::Timeout:
    case StoreError::Kind::ReducerError:
    case StoreError::Kind::Io:
        break;
    }
    return ReadFailed;
}

QList<QCommandLineOption> storeOptions()
{
    return {
        { QStringLiteral("profile"),
            QStringLiteral("Read the store with layout profile NAME instead of recognising it."),
            QStringLiteral("NAME") },
        { QStringLiteral("mapping"), QStringLiteral("Read the store with the user mapping (profile) in FILE."),
            QStringLiteral("FILE") },
        { QStringLiteral("schema"), QStringLiteral("Database schema to read, where the layout allows one."),
            QStringLiteral("NAME") },
        statementTimeoutOption(),
    };
}

QCommandLineOption noCacheOption()
{
    return { QStringLiteral("no-cache"),
        QStringLiteral("Count in the store only: neither read nor write the local summary cache "
                       "(see `eventscope-cli cache`).") };
}

QCommandLineOption statementTimeoutOption()
{
    return { QStringLiteral("statement-timeout"),
        QStringLiteral("PostgreSQL: stop any one query after SECONDS (default 30, 0 for no limit)."),
        QStringLiteral("SECONDS") };
}

std::unique_ptr<EventStore> openStore(const QCommandLineParser& parser, const QString& address)
{
    OpenOptions options;
    options.profile = parser.value(QStringLiteral("profile"));
    options.mappingFile = parser.value(QStringLiteral("mapping"));
    options.schema = parser.value(QStringLiteral("schema"));
    if (parser.optionNames().contains(QStringLiteral("statement-timeout"))) {
        const QString text = parser.value(QStringLiteral("statement-timeout"));
        bool ok = false;
        const double seconds = text.toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 24 * 3600)
            throw StoreError(QStringLiteral("--statement-timeout takes a number of seconds up to 86400 (0 for no "
                                            "limit), not \"%1\".")
                                 .arg(text));
        options.statementTimeoutMs = int(seconds * 1000 + 0.5);
        if (seconds > 0 && options.statementTimeoutMs == 0)
            options.statementTimeoutMs = 1;
    }
    if (!options.mappingFile.isEmpty() && !QFileInfo::exists(options.mappingFile))
        throw StoreError(QStringLiteral("The mapping file %1 does not exist.").arg(options.mappingFile),
            StoreError::Kind::UnknownLayout);
    return StoreRegistry::open(address, options);
}

int parseStoreCommand(QCommandLineParser& parser, const QStringList& arguments, const QString& command, QString* store)
{
    auto usage = [&command](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli %1 --help` for usage.").arg(command));
        return int(BadArguments);
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText() + QStringLiteral(" (for the %1 command)").arg(command));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList args = parser.positionalArguments();
    if (args.size() < 2)
        return usage(QStringLiteral("The %1 command needs STORE.").arg(command));
    if (args.size() > 2)
        return usage(QStringLiteral("Unexpected argument \"%1\".").arg(args.at(2)));
    *store = args.at(1);
    return -1;
}

InterruptGuard::InterruptGuard()
{
    stopRequested = false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previousInt);
    sigaction(SIGTERM, &action, &previousTerm);
}

InterruptGuard::~InterruptGuard()
{
    sigaction(SIGINT, &previousInt, nullptr);
    sigaction(SIGTERM, &previousTerm, nullptr);
}

bool interrupted()
{
    return stopRequested.load();
}

const std::atomic<bool>* interruptFlag()
{
    return &stopRequested;
}

bool sleepUnlessInterrupted(int ms)
{
    constexpr int Step = 20;
    for (int slept = 0; slept < ms; slept += Step) {
        if (interrupted())
            return false;
        QThread::msleep(std::min(Step, ms - slept));
    }
    return !interrupted();
}

bool retryWhileDisconnected(const std::function<void()>& attempt)
{
    constexpr int FirstMs = 1000;
    constexpr int MaxMs = 10000;
    int delayMs = FirstMs;
    bool down = false;
    for (;;) {
        try {
            attempt();
            if (down)
                printError(QStringLiteral("reconnected"));
            return true;
        } catch (const StoreError& e) {
            if (e.kind() != StoreError::Kind::Disconnected && e.kind() != StoreError::Kind::Timeout)
                throw;
            printError(QStringLiteral("%1; retrying in %2 s").arg(e.message()).arg(delayMs / 1000));
            down = true;
        }
        if (!sleepUnlessInterrupted(delayMs))
            return false;
        delayMs = std::min(delayMs * 2, MaxMs);
    }
}

int runReportingErrors(const std::function<int()>& body)
{
    try {
        return body();
    } catch (const OutputClosed&) {
        return Success;
    } catch (const StoreError& e) {
        printError(e.message());
        return exitCodeFor(e.kind());
    } catch (const std::exception& e) {
        printError(QString::fromLocal8Bit(e.what()));
        return ReadFailed;
    }
}

} // namespace es::cli
