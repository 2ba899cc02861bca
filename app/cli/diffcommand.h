#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli diff STORE_A STORE_B [--stream S | --category C] [--json]`: the events that changed, were removed
// (in A, not B) or were added (in B, not A); a summary on stderr; exit code Differences when any were found.
class DiffCommand {
public:
    // The options only diff has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
