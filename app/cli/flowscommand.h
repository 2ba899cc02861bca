#pragma once

#include <QStringList>

namespace es::cli {

// `eventscope-cli flows STORE --start-type T [--incomplete-after DURATION] [--json]`: the flows started by events of
// type T grouped by the sequence of types they went through (count, duration p50/p95/p99), then the incomplete ones.
class FlowsCommand {
public:
    int run(const QStringList& arguments);
    // "90s", "15m", "2h", "3d", "1w" or a number of seconds; false when it reads as none of them.
    static bool parseDuration(const QString& text, qint64* seconds);
};

} // namespace es::cli
