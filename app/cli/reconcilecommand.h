#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli reconcile STORE --reducer FILE --table TABLE --key COLUMN [--key-path PATH]
// --columns COL=PATH[,COL=PATH…] [--category C] [--prefix P] [--read-model ADDRESS] [--checkpoint NAME] [--all]
// --json`: a replay of every stream of the scope compared with a read-model table, one JSON line per row that is not
// ok; exit code 9 when any is found.
class ReconcileCommand {
public:
    // The options only reconcile has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
