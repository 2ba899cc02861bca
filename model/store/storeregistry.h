#pragma once

#include "store/eventstore.h"

#include <functional>
#include <memory>

namespace es {

// Engines register here (see connectors/connectors.h); views and commands open stores by address.
class StoreRegistry {
public:
    using Opener = std::function<std::unique_ptr<EventStore>(const QString& address, const OpenOptions& options)>;
    using Matcher = std::function<bool(const QString& address)>;
    // The address as it may be shown: no password or other secret.
    using Redactor = std::function<QString(const QString& address)>;

    static void registerEngine(const QString& engine, Matcher matches, Opener open, Redactor redact = {});
    // The address without secrets, by the engine that accepts it (unchanged when no engine does or it has none).
    static QString redactAddress(const QString& address);
    // Throws StoreError with a clear message for an address no engine accepts.
    static std::unique_ptr<EventStore> open(const QString& address, const OpenOptions& options = {});
    static QString engineFor(const QString& address);
};

// Opens the same store again (another connection), e.g. for a worker thread.
struct StoreOpener {
    QString address;
    OpenOptions options;
    std::unique_ptr<EventStore> operator()() const { return StoreRegistry::open(address, options); }
};

} // namespace es
