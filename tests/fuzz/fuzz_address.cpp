// Store addresses: whatever the text, the engine choice and redaction never crash, and a password that libpq reads
// from the address never survives redaction.
#include "connectors.h"
#include "fuzz.h"
#include "store/storeregistry.h"

#include <libpq-fe.h>

namespace {

QByteArray parsedPassword(const QByteArray& address)
{
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(address.constData(), &error);
    PQfreemem(error);
    if (!options)
        return {};
    QByteArray password;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        if (o->val && qstrcmp(o->keyword, "password") == 0)
            password = o->val;
    }
    PQconninfoFree(options);
    return password;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const bool registered = [] {
        es::registerConnectors();
        return true;
    }();
    (void)registered;
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    if (bytes.contains('\0'))
        return 0;
    const QString address = QString::fromUtf8(bytes);
    const QString engine = es::StoreRegistry::engineFor(address);
    const QString shown = es::StoreRegistry::redactAddress(address);
    if (engine == QLatin1String("postgresql")) {
        const QByteArray password = parsedPassword(address.toUtf8());
        // Only a password that appears once and is long enough to be told apart from the rest of the address.
        if (password.size() >= 6 && address.toUtf8().count(password) == 1)
            FUZZ_CHECK(!shown.toUtf8().contains(password));
    }
    return 0;
}
