// Mapping and profile files: any bytes either give a profile or a StoreError with a message, never a crash.
#include "fuzz.h"
#include "layouts/profile.h"
#include "store/eventstore.h"

#include <QJsonDocument>
#include <QJsonObject>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QJsonDocument doc
        = QJsonDocument::fromJson(QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size)));
    if (!doc.isObject())
        return 0;
    for (const char* engine : { "sqlite", "postgresql" }) {
        try {
            const es::Profile profile = es::Profile::fromJson(doc.object(), QString::fromLatin1(engine));
            (void)profile;
        } catch (const es::StoreError& e) {
            FUZZ_CHECK(!e.message().isEmpty());
        }
    }
    return 0;
}
