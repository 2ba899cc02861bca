// The raw JSON Lines writer: for any row an engine could hand over, RawEvent::appendJsonLine writes valid JSON, byte
// for byte what Event::toJsonLine writes for the same event.
#include "core/rawevent.h"
#include "fuzz.h"

#include <QJsonDocument>
#include <QList>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 4)
        return 0;
    // Byte 0 and 1 pick the payload encodings, byte 2 which fields are NULL; the rest is split at 0x1f.
    const auto encoding = [](uint8_t b) { return es::Payload::Encoding(b % 4); };
    const QByteArray rest(reinterpret_cast<const char*>(data + 3), qsizetype(size - 3));
    const QList<QByteArray> parts = rest.split('\x1f');
    auto part = [&](int i) -> QByteArrayView {
        if (data[2] & (1u << (i % 8)))
            return {};
        return i < parts.size() ? QByteArrayView(parts[i]) : QByteArrayView("", 0);
    };
    es::RawEvent raw;
    raw.position = qint64(data[0]) * 1000 + data[1];
    raw.version = data[1] % 7 == 0 ? -1 : data[1];
    raw.stream = part(0);
    raw.type = part(1);
    raw.time = part(2);
    raw.id = part(3);
    raw.data = part(4);
    raw.metadata = part(5);
    raw.correlationId = part(6);
    raw.causationId = part(7);
    raw.dataEncoding = raw.data.data() ? encoding(data[0]) : es::Payload::Encoding::Null;
    raw.metadataEncoding = raw.metadata.data() ? encoding(data[1]) : es::Payload::Encoding::Null;
    // An engine marks a payload JSON only after checking it (rawPayloadEncoding): do the same.
    if (raw.dataEncoding == es::Payload::Encoding::Json && !es::isValidJson(raw.data.toByteArray()))
        raw.dataEncoding = es::Payload::Encoding::Text;
    if (raw.metadataEncoding == es::Payload::Encoding::Json && !es::isValidJson(raw.metadata.toByteArray()))
        raw.metadataEncoding = es::Payload::Encoding::Text;
    if (raw.dataEncoding == es::Payload::Encoding::Text && !es::isValidUtf8(raw.data.toByteArray()))
        raw.dataEncoding = es::Payload::Encoding::Base64;
    if (raw.metadataEncoding == es::Payload::Encoding::Text && !es::isValidUtf8(raw.metadata.toByteArray()))
        raw.metadataEncoding = es::Payload::Encoding::Base64;

    QByteArray line;
    raw.appendJsonLine(line);
    QJsonParseError error;
    QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError)
        std::fprintf(stderr, "not JSON at %d: %s\n", error.offset, line.constData());
    FUZZ_CHECK(error.error == QJsonParseError::NoError);
    FUZZ_CHECK(line == raw.toEvent().toJsonLine());
    return 0;
}
