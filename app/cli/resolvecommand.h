#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli resolve LINK [--json] [--limit N] [--store ADDRESS]`: opens the store a link names and prints the
// event(s) it points to as JSON Lines, the same objects as `events --json`: the event at a position or version, or
// the events of a view (a stream, a category, a filter).
class ResolveCommand {
public:
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
