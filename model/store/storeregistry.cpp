#include "store/storeregistry.h"

#include <QMutex>

namespace es {

namespace {

struct Engine {
    QString name;
    StoreRegistry::Matcher matches;
    StoreRegistry::Opener open;
    StoreRegistry::Redactor redact;
};

QMutex& registryMutex()
{
    static QMutex mutex;
    return mutex;
}

std::vector<Engine>& engines()
{
    static std::vector<Engine> list;
    return list;
}

} // namespace

void StoreRegistry::registerEngine(const QString& engine, Matcher matches, Opener open, Redactor redact)
{
    QMutexLocker lock(&registryMutex());
    for (auto& e : engines()) {
        if (e.name == engine) {
            e.matches = std::move(matches);
            e.open = std::move(open);
            e.redact = std::move(redact);
            return;
        }
    }
    engines().push_back({ engine, std::move(matches), std::move(open), std::move(redact) });
}

QString StoreRegistry::redactAddress(const QString& address)
{
    Redactor redact;
    {
        QMutexLocker lock(&registryMutex());
        for (const auto& e : engines()) {
            if (e.matches(address)) {
                redact = e.redact;
                break;
            }
        }
    }
    return redact ? redact(address) : address;
}

QString StoreRegistry::engineFor(const QString& address)
{
    QMutexLocker lock(&registryMutex());
    for (const auto& e : engines()) {
        if (e.matches(address))
            return e.name;
    }
    return {};
}

std::unique_ptr<EventStore> StoreRegistry::open(const QString& address, const OpenOptions& options)
{
    Opener opener;
    {
        QMutexLocker lock(&registryMutex());
        for (const auto& e : engines()) {
            if (e.matches(address)) {
                opener = e.open;
                break;
            }
        }
    }
    if (address.trimmed().isEmpty())
        throw StoreError(QStringLiteral("No store address given."), StoreError::Kind::BadAddress);
    if (!opener) {
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
    return opener(address, options);
}

} // namespace es
