#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli case STORE --out FILE [selection] [--redact PATHS] [--bookmark POS[=NOTE]] [--reducer FILE]`:
// writes a case file (docs/CASEFILE.md), a new SQLite store holding the chosen events, places and notes.
class CaseCommand {
public:
    // The options only case has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
