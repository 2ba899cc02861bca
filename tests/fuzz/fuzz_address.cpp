// Store addresses: whatever the text, the engine choice and redaction never crash, and a password that libpq reads
// from the address never survives redaction.
#include "connectors.h"
#include "fuzz.h"
#include "store/storeregistry.h"

#include <libpq-fe.h>

#include <utility>
#include <vector>

namespace {

// Every keyword libpq reads from the text, with its value.
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

QByteArray valueOf(const std::vector<std::pair<QByteArray, QByteArray>>& options, const QByteArray& keyword)
{
    for (const auto& [k, v] : options) {
        if (k == keyword)
            return v;
    }
    return {};
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
        const auto given = parsed(address.toUtf8());
        const QByteArray password = valueOf(given, "password");
        // Read back as libpq reads it (not as bytes: quoting doubles a backslash, so a run of them in the host can
        // look like a password made of backslashes): no password, and no value that carries the password unless the
        // user wrote it in that same value. Only passwords long enough to be told apart from the rest.
        if (password.size() >= 6) {
            const auto back = parsed(shown.toUtf8());
            bool elsewhere = false; // the user wrote it in another value too (a port of "s3cret@db", say)
            for (const auto& [keyword, value] : given)
                elsewhere = elsewhere || (keyword != "password" && value.contains(password));
            // Byte-wise only when quoting cannot have made the password's bytes out of others: quote() doubles
            // backslashes and escapes quotes.
            const bool quotable = password.contains('\\') || password.contains('\'');
            if (back.empty() && !elsewhere && !quotable)
                FUZZ_CHECK(!shown.toUtf8().contains(password));
            for (const auto& [keyword, value] : back) {
                FUZZ_CHECK(keyword != "password");
                if (value.contains(password))
                    FUZZ_CHECK(valueOf(given, keyword).contains(password));
            }
        }
    }
    return 0;
}
