#pragma once

#include <QCommandLineParser>
#include <QStringList>

namespace es::cli {

// `eventscope-cli categories STORE [--estimate] [--no-cache] [--json]`: the stream browser's categories with their
// stream and event counts. Exact (a second count of the same store from the local summary cache), or with --estimate
// scaled up from a sample within about a second and labelled.
class CategoriesCommand {
public:
    // Its options (--estimate, --no-cache) are activity's too, so the first pass of CliApplication has them.
    int run(const QStringList& arguments);
};

} // namespace es::cli
