#include "store/storeregistry.h"

#include <QMutex>

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

QString StoreRegistry::redactAddress(const QString& address)
{
    const std::optional<Engine> engine = engineAccepting(address);
    return engine && engine->redact ? engine->redact(address) : address;
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
                                        "sqlite:///path, or a postgresql:// address.")
                             .arg(address, names.join(QStringLiteral(", "))),
            StoreError::Kind::BadAddress);
    }
    return engine->open(address, options);
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
