#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// eventscope-cli export STORE --out FILE --format jsonl|csv|json|sqlite [selection] [--force] [--redact PATHS]
class ExportCommand {
public:
    // The options only export has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    // Parses the whole command line itself; returns an exit code (see CliApplication's ExitCode).
    int run(const QStringList& arguments);
};

} // namespace es::cli
