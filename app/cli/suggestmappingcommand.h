#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli suggest-mapping STORE [--table T] [--name N] [--schema S]`: the mapping wizard's proposal for a
// database that matches no profile, printed as a mapping file (for --mapping); the reasons and warnings on stderr.
class SuggestMappingCommand {
public:
    // The options only suggest-mapping has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
