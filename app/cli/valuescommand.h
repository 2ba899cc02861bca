#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli values STORE --type T --path P [--duplicates] [--limit N] [--json]`: the distinct values of one
// path with their counts and the streams they occur in.
class ValuesCommand {
public:
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
