#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <memory>

namespace es {
class EventStore;
}

namespace es::cli {

// `eventscope-cli lag STORE [--json] [--watch SECONDS] [--stall SECONDS]`: every checkpoint the store keeps, its
// lag in events and time, rate, ETA and status; with --watch, again every SECONDS until interrupted.
class LagCommand {
public:
    // The options only lag has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    // Parses the whole command line itself; returns an exit code (see CliApplication's ExitCode).
    int run(const QStringList& arguments);
};

// Shared by the commands that run until interrupted (lag --watch, tail).
namespace live {
// Installs SIGINT/SIGTERM handlers that set interrupted(); restores the previous ones when destroyed.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};
bool interrupted();
// Sleeps up to ms, returning early (false) when interrupted.
bool sleepUnlessInterrupted(int ms);
void printError(const QString& message);
int exitCodeForStoreError(int kind);
QList<QCommandLineOption> storeOptions(); // --profile, --mapping, --schema
// Opens STORE with the store options; throws StoreError.
std::unique_ptr<EventStore> openStore(const QCommandLineParser& parser, const QString& address);
} // namespace live

} // namespace es::cli
