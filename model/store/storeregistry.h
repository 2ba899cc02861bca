#pragma once

#include "store/eventstore.h"

#include <QList>
#include <QStringList>

#include <functional>
#include <memory>
#include <utility>

namespace es {

// The fields of a connection form. An engine composes its address from the ones it uses; empty fields are left out
// so that the engine's own defaults (environment, password files) apply.
struct ConnectionFields {
    QString host;
    QString port;
    QString database;
    QString user;
    QString password;
    QList<std::pair<QString, QString>> options; // further settings by the engine's own names, in order
};

// A store layout the engines can recognise (OpenOptions::profile takes its name).
struct LayoutInfo {
    QString name;
    QString title;
    QStringList engines; // empty: every engine
};

// Engines and layouts register here (see connectors/include/connectors.h); views and commands open stores by address
// and reach addresses, redaction and layouts only through this class.
class StoreRegistry {
public:
    using Opener = std::function<std::unique_ptr<EventStore>(const QString& address, const OpenOptions& options)>;
    using Matcher = std::function<bool(const QString& address)>;
    // The address as it may be shown: no password or other secret.
    using Redactor = std::function<QString(const QString& address)>;
    using Composer = std::function<QString(const ConnectionFields& fields)>;
    using TablesOpener = std::function<std::unique_ptr<TableReader>(const QString& address)>;

    struct Engine {
        QString name;
        Matcher matches;
        Opener open;
        Redactor redact; // none: addresses hold no secrets
        Composer compose; // none: the engine is not addressed by connection fields
        TablesOpener openTables; // none: the engine reads no tables of a database without a store layout
    };

    // Replaces an engine registered under the same name.
    static void registerEngine(Engine engine);
    // The address without secrets: by the engine that accepts it, and in every case by redactSecrets(), so that
    // forms no engine reads (a JDBC or SQLAlchemy URL, a password in a file path) show no secret either.
    static QString redactAddress(const QString& address);
    // Conservative, for text of any form: the user info after the first ':' of a URL (scheme://user:****@host),
    // and the value of every key=value pair whose key names a secret (password, sslpassword, pwd, pass, secret,
    // token, api key... in any case, in a query string, a keyword string or a JDBC ';' list) become ****.
    static QString redactSecrets(const QString& text);
    // The engine's address for the fields; empty when the engine is unknown or composes none.
    static QString composeAddress(const QString& engine, const ConnectionFields& fields);
    // Throws StoreError with a clear message for an address no engine accepts.
    static std::unique_ptr<EventStore> open(const QString& address, const OpenOptions& options = {});
    static QString engineFor(const QString& address);
    // The tables of any database the engines accept (a read model with no events), opened read-only. Throws
    // StoreError (BadAddress for an address no engine accepts or reads tables of).
    static std::unique_ptr<TableReader> openTables(const QString& address);

    // Replaces a layout registered under the same name.
    static void registerLayout(const LayoutInfo& layout);
    // In the order registered.
    static QList<LayoutInfo> layouts();
};

// Opens the same store again (another connection), e.g. for a worker thread.
struct StoreOpener {
    QString address;
    OpenOptions options;
    std::unique_ptr<EventStore> operator()() const { return StoreRegistry::open(address, options); }
};

} // namespace es
