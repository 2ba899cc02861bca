// eventscope:// links: whatever the text, parsing never crashes and either refuses it with a message or gives a place
// whose link reads back as the same place, whose store holds no secret; and a link made from any address carries
// no password libpq would read from it.
#include "connectors.h"
#include "fuzz.h"
#include "nav/place.h"
#include "store/storeregistry.h"

#include <libpq-fe.h>

namespace {

// The keywords libpq reads from an address, with their values; empty when it reads none.
std::vector<std::pair<QByteArray, QByteArray>> parsed(const QByteArray& address)
{
    std::vector<std::pair<QByteArray, QByteArray>> out;
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(address.constData(), &error);
    PQfreemem(error);
    if (!options)
        return out;
    for (PQconninfoOption* o = options; o->keyword; ++o) {
        if (o->val)
            out.emplace_back(o->keyword, o->val);
    }
    PQconninfoFree(options);
    return out;
}

void checkPlace(const es::Place& place)
{
    FUZZ_CHECK(!place.store.isEmpty());
    FUZZ_CHECK(es::StoreRegistry::redactSecrets(place.store) == place.store);
    FUZZ_CHECK(es::StoreRegistry::redactAddress(place.store) == place.store);
    if (es::StoreRegistry::engineFor(place.store) == QLatin1String("postgresql")) {
        for (const auto& [keyword, value] : parsed(place.store.toUtf8()))
            FUZZ_CHECK(keyword != "password" && keyword != "sslpassword");
    }
    QString error;
    const QString link = es::PlaceLink::toLink(place, &error);
    FUZZ_CHECK(!link.isEmpty());
    const std::optional<es::Place> back = es::PlaceLink::parse(link);
    FUZZ_CHECK(back && *back == place);
    FUZZ_CHECK(es::PlaceLink::toLink(*back) == link);
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
    const QString text = QString::fromUtf8(bytes);

    QString error;
    if (const std::optional<es::Place> place = es::PlaceLink::parse(text, &error))
        checkPlace(*place);
    else
        FUZZ_CHECK(error.startsWith(QLatin1String("Not an EventScope link: ")) && error.size() > 25);

    // The same bytes as a store address: a link made from it is refused, or holds no password libpq reads from it.
    if (bytes.contains('\0'))
        return 0;
    es::Place place;
    place.store = text;
    place.scope = es::Place::Scope::Stream;
    place.scopeName = QStringLiteral("order-1");
    place.version = 3;
    const QString link = es::PlaceLink::toLink(place, &error);
    if (link.isEmpty())
        return 0;
    const std::optional<es::Place> back = es::PlaceLink::parse(link);
    FUZZ_CHECK(back);
    checkPlace(*back);
    const auto given = parsed(text.toUtf8());
    for (const auto& [keyword, value] : given) {
        if ((keyword == "password" || keyword == "sslpassword") && value.size() >= 6) {
            bool elsewhere = false;
            for (const auto& [k, v] : given)
                elsewhere = elsewhere || (k != keyword && v.contains(value));
            if (!elsewhere)
                FUZZ_CHECK(!back->store.toUtf8().contains(value));
        }
    }
    return 0;
}
