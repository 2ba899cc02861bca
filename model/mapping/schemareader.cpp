#include "mapping/schemareader.h"

#include "store/storeregistry.h"

#include <QHash>
#include <QMutex>

namespace es {

namespace {

QMutex& readersMutex()
{
    static QMutex mutex;
    return mutex;
}

QHash<QString, SchemaReader::Describer>& readers()
{
    static QHash<QString, SchemaReader::Describer> map;
    return map;
}

} // namespace

void SchemaReader::registerEngine(const QString& engine, Describer describe)
{
    QMutexLocker lock(&readersMutex());
    readers().insert(engine, std::move(describe));
}

DatabaseSchema SchemaReader::describe(const QString& address, const OpenOptions& options)
{
    if (address.trimmed().isEmpty())
        throw StoreError(QStringLiteral("No store address given."), StoreError::Kind::BadAddress);
    const QString engine = StoreRegistry::engineFor(address);
    Describer describe;
    {
        QMutexLocker lock(&readersMutex());
        describe = readers().value(engine);
    }
    if (!describe)
        throw StoreError(
            QStringLiteral("No engine lists the tables of \"%1\".").arg(StoreRegistry::redactAddress(address)),
            StoreError::Kind::BadAddress);
    return describe(address, options);
}

} // namespace es
