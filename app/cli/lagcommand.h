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

} // namespace es::cli
