#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli activity STORE [--stream S | --category C | --type T] [--bucket minute|hour|day|auto]
// [--by type|category|stream] [--estimate] [--from-time T] [--to-time T] [--json]`: events per time bucket (and
// group), counted by the database, or with --estimate scaled up from a sample within about a second and labelled.
class ActivityCommand {
public:
    // The options only activity has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    // Parses the whole command line itself; returns an exit code (see CliApplication's ExitCode).
    int run(const QStringList& arguments);
};

} // namespace es::cli
