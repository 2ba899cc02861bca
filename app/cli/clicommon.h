#pragma once

#include "store/eventstore.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace es::cli {

// What every sub-command shares: error output, exit codes, the store options, and SIGINT/SIGTERM handling.
void printError(const QString& message);
int exitCodeFor(StoreError::Kind kind);

QList<QCommandLineOption> storeOptions(); // --profile, --mapping, --schema, --statement-timeout
QCommandLineOption statementTimeoutOption();
// --no-cache: count in the store, neither reading nor writing the local summary cache.
QCommandLineOption noCacheOption();
// Opens STORE with the store options; throws StoreError.
std::unique_ptr<EventStore> openStore(const QCommandLineParser& parser, const QString& address);

// Parses a command that takes exactly one STORE after its name. Returns -1 when the command should run (*store is
// set), otherwise the exit code to return (help, version, or a usage error already printed).
int parseStoreCommand(QCommandLineParser& parser, const QStringList& arguments, const QString& command, QString* store);

// Installs SIGINT/SIGTERM handlers that set interrupted(); restores the previous ones when destroyed.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};
bool interrupted();
// The flag interrupted() reads, for code that polls an atomic (e.g. an exporter's cancel flag).
const std::atomic<bool>* interruptFlag();
// Sleeps up to ms, returning early (false) when interrupted.
bool sleepUnlessInterrupted(int ms);

// Runs a command's body: a closed output (a pipe whose reader went away) ends it successfully, a store error is
// printed and mapped to its exit code, anything else is printed and ends with ReadFailed.
// Runs attempt() until it succeeds or the user interrupts (then returns false). A lost connection or a timeout is
// said on stderr and tried again after 1, 2, 4, 8, then every 10 s; any other failure is thrown on.
bool retryWhileDisconnected(const std::function<void()>& attempt);
int runReportingErrors(const std::function<int()>& body);

} // namespace es::cli
