#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli flow STORE (--correlation ID | --event POSITION) [--format json|dot|mermaid]`: one business
// process — the events sharing a correlation id and the causation chains through them — as one JSON object, or as
// Graphviz DOT or Mermaid text.
class FlowCommand {
public:
    // The options only flow and flows have, so the first pass of CliApplication can find the command among them.
    static void addFirstPassOptions(QCommandLineParser& parser);
    int run(const QStringList& arguments);
};

} // namespace es::cli
