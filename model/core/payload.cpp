#include "core/payload.h"
#include "core/payloadformat.h"

#include "core/jsonstrings_p.h"
#include "core/jsontext.h"
#include "core/rawevent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cstring>

namespace es {

namespace {

bool isContinuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

} // namespace

bool isValidUtf8(const QByteArray& bytes)
{
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.constData());
    const auto* end = p + bytes.size();
    while (p < end) {
        // Payloads are mostly ASCII: test eight bytes at a time.
        while (end - p >= 8) {
            quint64 chunk;
            std::memcpy(&chunk, p, 8);
            if (chunk & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if (!isContinuation(p[i]))
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        static constexpr uint32_t minimum[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < minimum[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

bool isValidJson(const QByteArray& bytes)
{
    QJsonParseError error;
    const QByteArray trimmed = bytes.trimmed();
    if (trimmed.isEmpty())
        return false;
    // QJsonDocument only takes objects and arrays at the top level; wrap scalars.
    if (trimmed.front() != '{' && trimmed.front() != '[') {
        // One value: "1,2" wrapped is a valid array of two, and not JSON (found by tests/fuzz/fuzz_rawjson).
        const QJsonDocument wrapped = QJsonDocument::fromJson("[" + trimmed + "]", &error);
        return error.error == QJsonParseError::NoError && wrapped.array().size() == 1;
    }
    QJsonDocument::fromJson(trimmed, &error);
    return error.error == QJsonParseError::NoError;
}

// Text and JSON hold no C0 control characters but tab, line breaks and form feed; serialized binaries (Protobuf
// field tags and lengths, Java serialization, CBOR) do, near their start, even when every byte is below 0x80.
bool hasControlBytes(QByteArrayView bytes)
{
    const qsizetype n = qMin<qsizetype>(bytes.size(), 512);
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes.at(i));
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            return true;
    }
    return false;
}

Payload Payload::sniff(QByteArray raw)
{
    if (raw.isNull())
        return {};
    if (hasControlBytes(raw) || !isValidUtf8(raw))
        return binary(std::move(raw));
    // The scan decides the common case without building a document (a 500 MB payload parsed into a QJsonDocument
    // held 3.2 GB while it was read); QJsonDocument decides only what the scan is unsure of.
    if (isJsonText(raw))
        return json(std::move(raw));
    return text(std::move(raw));
}

QString Payload::encodingName() const
{
    switch (encoding) {
    case Encoding::Null:
        return QStringLiteral("null");
    case Encoding::Json:
        return QStringLiteral("json");
    case Encoding::Text:
        return QStringLiteral("text");
    case Encoding::Base64:
        return QStringLiteral("base64");
    }
    return {};
}

QJsonValue Payload::toJsonValue() const
{
    switch (encoding) {
    case Encoding::Null:
        return QJsonValue::Null;
    case Encoding::Json: {
        const QByteArray trimmed = bytes.trimmed();
        if (!trimmed.isEmpty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
            const auto doc = QJsonDocument::fromJson(trimmed);
            return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        }
        const auto doc = QJsonDocument::fromJson("[" + trimmed + "]");
        return doc.array().isEmpty() ? QJsonValue(QJsonValue::Null) : doc.array().first();
    }
    case Encoding::Text:
        return QString::fromUtf8(bytes);
    case Encoding::Base64:
        return QString::fromLatin1(bytes.toBase64());
    }
    return QJsonValue::Null;
}

void appendJsonString(QByteArray& out, const QByteArray& utf8)
{
    static const char hex[] = "0123456789abcdef";
    out.append('"');
    const char* p = utf8.constData();
    const char* end = p + utf8.size();
    const char* run = p;
    for (; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default: {
            const char esc[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF] };
            out.append(esc, 6);
        }
        }
    }
    out.append(run, p - run);
    out.append('"');
}

void appendJsonString(QByteArray& out, QStringView s)
{
    // Ids, streams and types are nearly always plain ASCII: write them without a UTF-8 temporary.
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (u >= 0x80 || u < 0x20 || u == u'"' || u == u'\\') {
            appendJsonString(out, s.toUtf8());
            return;
        }
    }
    const qsizetype start = out.size();
    out.resize(start + s.size() + 2);
    char* d = out.data() + start;
    *d++ = '"';
    for (const QChar c : s)
        *d++ = char(c.unicode());
    *d = '"';
}

// JSON text may hold raw control characters only inside strings where they are invalid anyway.
void appendJsonLine(QByteArray& out, QByteArrayView json)
{
    const size_t n = size_t(json.size());
    if (n == 0 || (!std::memchr(json.data(), '\n', n) && !std::memchr(json.data(), '\r', n))) {
        out.append(json);
        return;
    }
    JsonStrings strings;
    for (const char c : json) {
        if (strings.outside(c) && (c == '\n' || c == '\r'))
            continue;
        out.append(c);
    }
}

void Payload::appendJson(QByteArray& out) const
{
    switch (encoding) {
    case Encoding::Null:
        out.append("null", 4);
        return;
    case Encoding::Json:
        appendJsonLine(out, bytes.trimmed());
        return;
    case Encoding::Text:
        appendJsonString(out, bytes);
        return;
    case Encoding::Base64:
        appendJsonString(out, bytes.toBase64());
        return;
    }
}

QString Payload::displayText() const
{
    switch (encoding) {
    case Encoding::Null:
        return {};
    case Encoding::Json: {
        const QJsonValue v = toJsonValue();
        if (v.isObject())
            return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented));
        if (v.isArray())
            return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented));
        return QString::fromUtf8(bytes.trimmed());
    }
    case Encoding::Text:
        return QString::fromUtf8(bytes);
    case Encoding::Base64:
        return QString::fromLatin1(bytes.toBase64());
    }
    return {};
}

QString Payload::displayHead(qsizetype maxBytes, bool* truncated) const
{
    bool cut = false;
    QString text;
    switch (encoding) {
    case Encoding::Null:
        break;
    case Encoding::Json:
        text = QString::fromUtf8(jsontext::pretty(QByteArrayView(bytes).trimmed(), maxBytes, &cut));
        break;
    case Encoding::Text: {
        qsizetype n = bytes.size();
        if (maxBytes >= 0 && n > maxBytes) {
            n = maxBytes;
            while (n > 0 && (static_cast<unsigned char>(bytes.at(n)) & 0xC0) == 0x80)
                --n; // not inside a character
            cut = true;
        }
        text = QString::fromUtf8(bytes.constData(), n);
        break;
    }
    case Encoding::Base64: {
        qsizetype n = bytes.size();
        if (maxBytes >= 0 && n > maxBytes / 4 * 3) {
            n = maxBytes / 4 * 3;
            cut = true;
        }
        text = QString::fromLatin1(QByteArray::fromRawData(bytes.constData(), n).toBase64());
        break;
    }
    }
    if (truncated)
        *truncated = cut;
    return text;
}

QString binaryFormat(const Payload& payload)
{
    const QByteArray& bytes = payload.bytes;
    if (payload.encoding != Payload::Encoding::Base64 || bytes.size() < 2)
        return {};
    const auto at = [&](qsizetype i) { return i < bytes.size() ? static_cast<unsigned char>(bytes.at(i)) : 0u; };
    if (at(0) == 0xAC && at(1) == 0xED)
        return QStringLiteral("Java serialization"); // java.io.ObjectOutputStream STREAM_MAGIC
    if (at(0) == 0x1F && at(1) == 0x8B)
        return QStringLiteral("gzip");
    if (at(0) == 0xD9 && at(1) == 0xD9 && at(2) == 0xF7)
        return QStringLiteral("CBOR"); // self-described CBOR (tag 55799)
    // Erlang's external term format: version 131, then a compressed term (P) or a term tag.
    static const QByteArray erlangTags = "PabcdefhijklmnoqstuvwXYZFMNR";
    if (at(0) == 0x83 && erlangTags.contains(char(at(1))))
        return QStringLiteral("Erlang term format");
    if (at(0) == 0x78 && (at(0) * 256 + at(1)) % 31 == 0)
        return QStringLiteral("zlib");
    return {};
}

QString Payload::preview(int maxChars) const
{
    if (encoding == Encoding::Null)
        return {};
    // Only the head of a huge payload is looked at: a 5 MB event must not cost a full conversion per cell.
    const qsizetype headBytes = qMin<qsizetype>(bytes.size(), qsizetype(maxChars) * 4 + 8);
    QString text;
    if (encoding == Encoding::Base64) {
        const QString format = binaryFormat(*this);
        text = (format.isEmpty() ? QStringLiteral("[binary %1 bytes] ").arg(bytes.size())
                                 : QStringLiteral("[binary %1 bytes, %2] ").arg(bytes.size()).arg(format))
            + QString::fromLatin1(bytes.left(qMin<qsizetype>(bytes.size(), maxChars)).toBase64());
    } else {
        text = QString::fromUtf8(bytes.constData(), headBytes);
        if (encoding == Encoding::Text)
            text.prepend(QStringLiteral("[text] "));
    }
    QString line;
    line.reserve(qMin<qsizetype>(text.size(), maxChars + 1));
    bool lastSpace = false;
    for (const QChar c : std::as_const(text)) {
        const bool space = c.isSpace();
        if (space && lastSpace)
            continue;
        line.append(space ? QChar(u' ') : c);
        lastSpace = space;
        if (line.size() >= maxChars)
            break;
    }
    if (line.size() >= maxChars || headBytes < bytes.size())
        line.append(QChar(0x2026));
    return line;
}

} // namespace es
