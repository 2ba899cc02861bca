#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli link STORE (--position N | --stream S [--version V]) [--category C] [filter options]
// [--time-travel [--reducer NAME]]`: prints the eventscope:// link to that place. The store is not opened; the link
// never holds a password or other secret of the address.
class LinkCommand {
public:
    // The options only link has, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
