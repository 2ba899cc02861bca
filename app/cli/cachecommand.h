#pragma once

#include <QStringList>

namespace es::cli {

// `eventscope-cli cache info|clear [--json]`: where the local summary cache is and how big, or forget it all.
class CacheCommand {
public:
    int run(const QStringList& arguments);
};

} // namespace es::cli
