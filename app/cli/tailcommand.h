#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli tail STORE [--from POS] [--stream S | --category C] [--poll MS] [--heads]`: prints events as JSON
// Lines as they are committed, each once and in order, until SIGINT or SIGTERM.
class TailCommand {
public:
    // The options only tail has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    // Parses the whole command line itself; returns an exit code (see CliApplication's ExitCode).
    int run(const QStringList& arguments);
};

} // namespace es::cli
