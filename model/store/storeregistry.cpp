#include "store/storeregistry.h"

#include <QMutex>
#include <QRegularExpression>

namespace es {

namespace {

QMutex& registryMutex()
{
    static QMutex mutex;
    return mutex;
}

std::vector<StoreRegistry::Engine>& engines()
{
    static std::vector<StoreRegistry::Engine> list;
    return list;
}

QList<LayoutInfo>& layoutList()
{
    static QList<LayoutInfo> list;
    return list;
}

// The engine accepting the address, copied out of the lock; nullopt when none does.
std::optional<StoreRegistry::Engine> engineAccepting(const QString& address)
{
    QMutexLocker lock(&registryMutex());
    for (const auto& e : engines()) {
        if (e.matches(address))
            return e;
    }
    return std::nullopt;
}

} // namespace

void StoreRegistry::registerEngine(Engine engine)
{
    QMutexLocker lock(&registryMutex());
    for (auto& e : engines()) {
        if (e.name == engine.name) {
            e = std::move(engine);
            return;
        }
    }
    engines().push_back(std::move(engine));
}

QString StoreRegistry::redactSecrets(const QString& text)
{
    QString out = text;
    // URL user info, whatever the scheme (jdbc:postgresql://, postgresql+psycopg2://, mysql://): everything from the
    // first ':' after "//" to the last '@' of the text, so a password holding '@' or '/' is covered too.
    static const QRegularExpression scheme(QStringLiteral("[A-Za-z][A-Za-z0-9+.-]*(?::[A-Za-z][A-Za-z0-9+.-]*)*://"));
    for (qsizetype from = 0;;) {
        const QRegularExpressionMatch m = scheme.match(out, from);
        if (!m.hasMatch())
            break;
        const qsizetype start = m.capturedEnd();
        const qsizetype at = out.lastIndexOf(u'@');
        const qsizetype colon = out.indexOf(u':', start);
        if (at > start && colon >= 0 && colon < at && out.mid(colon + 1, at - colon - 1) != QLatin1String("****")) {
            out.replace(colon + 1, at - colon - 1, QStringLiteral("****"));
            from = colon + 6;
        } else {
            from = start;
        }
    }
    // key=value pairs naming a secret; the value runs to the next separator, or is quoted as libpq quotes.
    static const QRegularExpression pair(
        QStringLiteral("((?:^|[\\s?&;,(])(?:[A-Za-z_.-]*(?:password|passwd|passphrase|secret|token|credential|apikey|"
                       "api_key|api-key)[A-Za-z_.-]*|pwd|pass|psw|key|auth)\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|\"[^\"]*"
                       "\"?|[^\\s&;,)]*)"),
        QRegularExpression::CaseInsensitiveOption);
    out.replace(pair, QStringLiteral("\\1****"));
    return out;
}

QString StoreRegistry::redactAddress(const QString& address)
{
    const std::optional<Engine> engine = engineAccepting(address);
    return redactSecrets(engine && engine->redact ? engine->redact(address) : address);
}

QString StoreRegistry::composeAddress(const QString& engine, const ConnectionFields& fields)
{
    Composer compose;
    {
        QMutexLocker lock(&registryMutex());
        for (const auto& e : engines()) {
            if (e.name == engine)
                compose = e.compose;
        }
    }
    return compose ? compose(fields) : QString();
}

QString StoreRegistry::engineFor(const QString& address)
{
    const std::optional<Engine> engine = engineAccepting(address);
    return engine ? engine->name : QString();
}

std::unique_ptr<EventStore> StoreRegistry::open(const QString& address, const OpenOptions& options)
{
    const std::optional<Engine> engine = engineAccepting(address);
    if (address.trimmed().isEmpty())
        throw StoreError(QStringLiteral("No store address given."), StoreError::Kind::BadAddress);
    if (!engine) {
        QStringList names;
        {
            QMutexLocker lock(&registryMutex());
            for (const auto& e : engines())
                names.append(e.name);
        }
        throw StoreError(QStringLiteral("No engine accepts the address \"%1\" (engines: %2). Give a SQLite file path, "
                                        "sqlite:///path, or a postgresql:// address (a PostgreSQL URI or keyword "
                                        "string as libpq reads it: JDBC and SQLAlchemy URLs are not).")
                             .arg(redactSecrets(address), names.join(QStringLiteral(", "))),
            StoreError::Kind::BadAddress);
    }
    return engine->open(address, options);
}

std::unique_ptr<TableReader> StoreRegistry::openTables(const QString& address)
{
    const std::optional<Engine> engine = engineAccepting(address);
    if (address.trimmed().isEmpty() || !engine || !engine->openTables)
        throw StoreError(QStringLiteral("No engine reads the tables of \"%1\": give a SQLite file path or a "
                                        "postgresql:// address.")
                             .arg(redactSecrets(address)),
            StoreError::Kind::BadAddress);
    return engine->openTables(address);
}

void StoreRegistry::registerLayout(const LayoutInfo& layout)
{
    QMutexLocker lock(&registryMutex());
    for (LayoutInfo& l : layoutList()) {
        if (l.name == layout.name) {
            l = layout;
            return;
        }
    }
    layoutList().append(layout);
}

QList<LayoutInfo> StoreRegistry::layouts()
{
    QMutexLocker lock(&registryMutex());
    return layoutList();
}

} // namespace es
