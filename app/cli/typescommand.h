#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli types STORE [--stream S | --category C] [--type T] [--exact] [--json]`: the type catalog, one
// type per line: counts, positions, times, shapes and fields (fields and shapes from a sample unless --exact).
class TypesCommand {
public:
    // The options only types has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
