#include "core/rawevent.h"

#include "core/payloadformat.h"

#include <cstring>

namespace es {

namespace {

bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// QByteArray::trimmed() of a view.
QByteArrayView trimmedView(QByteArrayView v)
{
    const char* b = v.data();
    const char* e = b + v.size();
    while (b < e && isAsciiSpace(*b))
        ++b;
    while (e > b && isAsciiSpace(e[-1]))
        --e;
    return QByteArrayView(b, e - b);
}

QByteArray rawData(QByteArrayView v)
{
    return QByteArray::fromRawData(v.data(), v.size());
}

// A strict RFC 8259 scan that only says "certainly valid"; whatever it is unsure of, QJsonDocument decides.
class JsonScan {
public:
    JsonScan(const char* p, const char* end)
        : m_p(p)
        , m_end(end)
    { }
    // Exactly one value, as isValidJson() takes (a comma-separated list is not a document).
    bool document()
    {
        if (!value(0))
            return false;
        space();
        return m_p == m_end;
    }

private:
    void space()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool literal(const char* word, size_t n)
    {
        if (size_t(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
            return false;
        m_p += n;
        return true;
    }
    bool string()
    {
        ++m_p; // the opening quote
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p++);
            if (c == '"')
                return true;
            if (c < 0x20)
                return false;
            if (c == '\\') {
                if (m_p >= m_end)
                    return false;
                const char e = *m_p++;
                if (e == 'u') {
                    if (m_end - m_p < 4)
                        return false;
                    for (int i = 0; i < 4; ++i, ++m_p) {
                        const char h = *m_p;
                        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                            return false;
                    }
                } else if (!std::strchr("\"\\/bfnrt", e) || e == '\0') {
                    return false;
                }
            }
        }
        return false;
    }
    bool digits()
    {
        const char* start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }
    bool number()
    {
        const char* start = m_p;
        if (*m_p == '-')
            ++m_p;
        if (m_p < m_end && *m_p == '0')
            ++m_p;
        else if (!digits())
            return false;
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digits())
                return false;
        }
        // Exponents and long mantissas may be out of double range, which QJsonDocument rejects.
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E'))
            return false;
        return m_p - start <= 15;
    }
    // An object's members or an array's elements, from the opening bracket on.
    bool members(int depth, char close, bool keyed)
    {
        ++m_p;
        space();
        if (m_p < m_end && *m_p == close) {
            ++m_p;
            return true;
        }
        while (true) {
            if (keyed) {
                space();
                if (m_p >= m_end || *m_p != '"' || !string())
                    return false;
                space();
                if (m_p >= m_end || *m_p++ != ':')
                    return false;
            }
            if (!value(depth + 1))
                return false;
            space();
            if (m_p >= m_end)
                return false;
            const char c = *m_p++;
            if (c == close)
                return true;
            if (c != ',')
                return false;
        }
    }
    bool value(int depth)
    {
        space();
        if (m_p >= m_end || depth > 512)
            return false;
        switch (*m_p) {
        case '{':
            return members(depth, '}', true);
        case '[':
            return members(depth, ']', false);
        case '"':
            return string();
        case 't':
            return literal("true", 4);
        case 'f':
            return literal("false", 5);
        case 'n':
            return literal("null", 4);
        default:
            return number();
        }
    }

    const char* m_p;
    const char* m_end;
};

// Stream, type and id text: what QString::fromUtf8() then appendJsonString(QStringView) writes.
void appendText(QByteArray& out, QByteArrayView v, bool emptyIsNull)
{
    bool plain = true;
    bool ascii = true;
    for (const char ch : v) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c >= 0x80) {
            ascii = false;
            break;
        }
        if (c < 0x20 || c == '"' || c == '\\')
            plain = false;
    }
    if (!ascii) {
        // Non-ASCII goes through QString as events() does (invalid UTF-8 and a leading BOM change there).
        const QString s = QString::fromUtf8(v);
        if (emptyIsNull && s.isEmpty())
            out.append("null", 4);
        else
            appendJsonString(out, QStringView(s));
        return;
    }
    if (emptyIsNull && v.isEmpty()) {
        out.append("null", 4);
        return;
    }
    if (!plain) {
        appendJsonString(out, rawData(v));
        return;
    }
    const qsizetype start = out.size();
    out.resize(start + v.size() + 2);
    char* d = out.data() + start;
    *d++ = '"';
    if (!v.isEmpty()) // an empty view may have no data pointer, and memcpy's source must not be null
        std::memcpy(d, v.data(), size_t(v.size()));
    d[v.size()] = '"';
}

void appendNumberOrNull(QByteArray& out, qint64 v)
{
    if (v < 0) {
        out.append("null", 4);
        return;
    }
    char buf[24];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v > 0);
    out.append(p, end - p);
}

bool twoDigits(const char* p, int* out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

int daysInMonth(int year, int month)
{
    static constexpr int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return 29;
    return days[month - 1];
}

constexpr qsizetype FastTimeSize = 26; // "\"2024-01-01T00:00:00.000Z\""

// The usual forms, UTC without a zone or with Z / +00 / +00:00, straight to quoted text in `text`; false for
// anything else.
bool fastTime(char (&text)[FastTimeSize + 1], QByteArrayView s)
{
    UtcTimeFields t;
    if (!fastUtcTimeFields(s, &t))
        return false;
    std::memcpy(text, "\"0000-00-00T00:00:00.000Z\"", FastTimeSize + 1);
    auto put = [&text](int at, int value, int width) {
        for (int k = width - 1; k >= 0; --k, value /= 10)
            text[at + k] = char('0' + value % 10);
    };
    put(1, t.year, 4);
    put(6, t.month, 2);
    put(9, t.day, 2);
    put(12, t.hour, 2);
    put(15, t.minute, 2);
    put(18, t.second, 2);
    put(21, t.msec, 3);
    return true;
}

bool appendFastTime(QByteArray& out, QByteArrayView s)
{
    char text[FastTimeSize + 1];
    if (!fastTime(text, s))
        return false;
    out.append(text, FastTimeSize);
    return true;
}

// Text that goes into a JSON string as it is: ASCII with nothing to escape.
bool isPlainText(QByteArrayView v)
{
    for (const char ch : v) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            return false;
    }
    return true;
}

// Decimal digits of a non-negative number at the end of `buf`; returns where they start.
char* formatNumber(char* end, qint64 v)
{
    char* p = end;
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v > 0);
    return p;
}

} // namespace

bool fastUtcTimeFields(QByteArrayView s, UtcTimeFields* out)
{
    const qsizetype n = s.size();
    const char* p = s.data();
    if (n < 10 || p[4] != '-' || p[7] != '-')
        return false;
    int y1, y2, month, day, hour = 0, minute = 0, second = 0, msec = 0;
    if (!twoDigits(p, &y1) || !twoDigits(p + 2, &y2) || !twoDigits(p + 5, &month) || !twoDigits(p + 8, &day))
        return false;
    const int year = y1 * 100 + y2;
    if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
        return false;
    qsizetype i = 10;
    if (i < n && (p[i] == 'T' || p[i] == ' ' || p[i] == 't')) {
        if (i + 6 > n || !twoDigits(p + i + 1, &hour) || p[i + 3] != ':' || !twoDigits(p + i + 4, &minute))
            return false;
        i += 6;
        if (i < n && p[i] == ':') {
            if (i + 3 > n || !twoDigits(p + i + 1, &second))
                return false;
            i += 3;
        }
        if (i < n && (p[i] == '.' || p[i] == ',')) {
            ++i;
            int scale = 100;
            while (i < n && p[i] >= '0' && p[i] <= '9') {
                msec += (p[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
        }
    }
    if (hour > 23 || minute > 59 || second > 59)
        return false;
    const QByteArrayView zone = s.sliced(i);
    if (!zone.isEmpty() && zone != "Z" && zone != "z" && zone != "+00" && zone != "+00:00" && zone != "+0000")
        return false;
    *out = { year, month, day, hour, minute, second, msec };
    return true;
}

bool isJsonText(QByteArrayView utf8)
{
    const QByteArrayView t = trimmedView(utf8);
    if (t.isEmpty())
        return false;
    JsonScan scan(t.data(), t.data() + t.size());
    if (scan.document())
        return true;
    return isValidJson(rawData(utf8));
}

bool isCertainlyJson(QByteArrayView utf8)
{
    return !utf8.isEmpty() && JsonScan(utf8.data(), utf8.data() + utf8.size()).document();
}

Payload::Encoding rawPayloadEncoding(QByteArrayView bytes, RawPayloadHint hint)
{
    if (hasControlBytes(bytes) || !isValidUtf8(rawData(bytes)))
        return Payload::Encoding::Base64;
    switch (hint) {
    case RawPayloadHint::Json:
        return Payload::Encoding::Json;
    case RawPayloadHint::NotJson:
        return Payload::Encoding::Text;
    case RawPayloadHint::Unknown:
        return isJsonText(bytes) ? Payload::Encoding::Json : Payload::Encoding::Text;
    }
    return Payload::Encoding::Text;
}

void appendJsonTime(QByteArray& out, QByteArrayView text)
{
    if (appendFastTime(out, trimmedView(text)))
        return;
    const QDateTime t = parseStoreTime(text);
    if (t.isValid())
        appendJsonString(out, Event::timeToIso(t).toLatin1());
    else
        out.append("null", 4);
}

void appendJsonPayload(QByteArray& out, QByteArrayView bytes, Payload::Encoding encoding)
{
    switch (encoding) {
    case Payload::Encoding::Null:
        out.append("null", 4);
        return;
    case Payload::Encoding::Json:
        appendJsonLine(out, trimmedView(bytes));
        return;
    case Payload::Encoding::Text:
        appendJsonString(out, rawData(bytes));
        return;
    case Payload::Encoding::Base64:
        appendJsonString(out, rawData(bytes).toBase64());
        return;
    }
}

RawEvent RawEvent::of(const Event& e, Texts& keep)
{
    const auto view = [](QByteArray& to, const QString& text) {
        to = text.toUtf8();
        return text.isNull() ? QByteArrayView() : QByteArrayView(to);
    };
    const auto payload = [](const Payload& p) {
        return p.encoding == Payload::Encoding::Null ? QByteArrayView() : QByteArrayView(p.bytes);
    };
    RawEvent raw;
    raw.position = e.position;
    raw.version = e.version;
    raw.stream = view(keep.stream, e.stream);
    raw.type = view(keep.type, e.type);
    raw.time = view(keep.time, Event::timeToIso(e.time));
    raw.id = view(keep.id, e.id);
    raw.correlationId = view(keep.correlationId, e.correlationId);
    raw.causationId = view(keep.causationId, e.causationId);
    raw.data = payload(e.data);
    raw.dataEncoding = e.data.encoding;
    raw.metadata = payload(e.metadata);
    raw.metadataEncoding = e.metadata.encoding;
    return raw;
}

Event RawEvent::toEvent() const
{
    auto text = [](QByteArrayView v) { return v.isNull() ? QString() : QString::fromUtf8(v); };
    auto payload = [](QByteArrayView v, Payload::Encoding encoding) {
        return encoding == Payload::Encoding::Null ? Payload() : Payload { QByteArray(v.data(), v.size()), encoding };
    };
    Event e;
    e.position = position;
    e.stream = text(stream);
    e.version = version;
    e.type = text(type);
    e.time = time.isNull() ? QDateTime() : parseStoreTime(time);
    e.id = text(id);
    e.data = payload(data, dataEncoding);
    e.metadata = payload(metadata, metadataEncoding);
    e.correlationId = text(correlationId);
    e.causationId = text(causationId);
    return e;
}

// The common row (ASCII names and ids, JSON or no payloads on one line, a usual UTC time) in one resize and
// memcpy's, byte for byte what the general path below writes; false, having written nothing, for any other row.
bool RawEvent::appendPlainJsonLine(QByteArray& out) const
{
    if (stream.isNull() || !isPlainText(stream) || !isPlainText(type) || !isPlainText(id) || !isPlainText(correlationId)
        || !isPlainText(causationId))
        return false;
    auto json = [](QByteArrayView bytes, Payload::Encoding encoding, QByteArrayView* text) {
        if (encoding == Payload::Encoding::Null) {
            *text = QByteArrayView("null", 4);
            return true;
        }
        if (encoding != Payload::Encoding::Json)
            return false;
        *text = trimmedView(bytes);
        const size_t n = size_t(text->size());
        return n > 0 && !std::memchr(text->data(), '\n', n) && !std::memchr(text->data(), '\r', n);
    };
    QByteArrayView dataText;
    QByteArrayView metadataText;
    if (!json(data, dataEncoding, &dataText) || !json(metadata, metadataEncoding, &metadataText))
        return false;
    char timeText[FastTimeSize + 1];
    const bool hasTime = !time.isNull();
    if (hasTime && !fastTime(timeText, trimmedView(time)))
        return false;

    char positionBuf[24];
    char versionBuf[24];
    const char* positionText = position < 0 ? "null" : formatNumber(positionBuf + sizeof positionBuf, position);
    const qsizetype positionSize = position < 0 ? 4 : positionBuf + sizeof positionBuf - positionText;
    const char* versionText = version < 0 ? "null" : formatNumber(versionBuf + sizeof versionBuf, version);
    const qsizetype versionSize = version < 0 ? 4 : versionBuf + sizeof versionBuf - versionText;
    // A quoted string, or null when absent (and, for the ids picked from metadata, when empty).
    auto stringSize = [](QByteArrayView v, bool emptyIsNull) {
        return v.isNull() || (emptyIsNull && v.isEmpty()) ? 4 : v.size() + 2;
    };
    static constexpr char Keys[] = "{\"position\":,\"stream\":,\"version\":,\"type\":,\"time\":,\"id\":,\"data\":,"
                                   "\"metadata\":,\"correlationId\":,\"causationId\":}";
    const qsizetype total = qsizetype(sizeof Keys - 1) + positionSize + stringSize(stream, false) + versionSize
        + stringSize(type, false) + (hasTime ? FastTimeSize : 4) + stringSize(id, false) + dataText.size()
        + metadataText.size() + stringSize(correlationId, true) + stringSize(causationId, true);
    const qsizetype start = out.size();
    out.resize(start + total);
    char* p = out.data() + start;
    auto put = [&p](const char* bytes, qsizetype n) {
        std::memcpy(p, bytes, size_t(n));
        p += n;
    };
    auto putString = [&](QByteArrayView v, bool emptyIsNull) {
        if (v.isNull() || (emptyIsNull && v.isEmpty())) {
            put("null", 4);
            return;
        }
        *p++ = '"';
        put(v.data(), v.size());
        *p++ = '"';
    };
    put("{\"position\":", 12);
    put(positionText, positionSize);
    put(",\"stream\":", 10);
    putString(stream, false);
    put(",\"version\":", 11);
    put(versionText, versionSize);
    put(",\"type\":", 8);
    putString(type, false);
    put(",\"time\":", 8);
    if (hasTime)
        put(timeText, FastTimeSize);
    else
        put("null", 4);
    put(",\"id\":", 6);
    putString(id, false);
    put(",\"data\":", 8);
    put(dataText.data(), dataText.size());
    put(",\"metadata\":", 12);
    put(metadataText.data(), metadataText.size());
    put(",\"correlationId\":", 17);
    putString(correlationId, true);
    put(",\"causationId\":", 15);
    putString(causationId, true);
    *p++ = '}';
    Q_ASSERT(p == out.constData() + start + total);
    return true;
}

void RawEvent::appendJsonLine(QByteArray& out) const
{
    if (appendPlainJsonLine(out))
        return;
    out.append("{\"position\":", 12);
    appendNumberOrNull(out, position);
    out.append(",\"stream\":", 10);
    appendText(out, stream, false);
    out.append(",\"version\":", 11);
    appendNumberOrNull(out, version);
    out.append(",\"type\":", 8);
    if (type.isNull())
        out.append("null", 4);
    else
        appendText(out, type, false);
    out.append(",\"time\":", 8);
    if (time.isNull())
        out.append("null", 4);
    else
        appendJsonTime(out, time);
    out.append(",\"id\":", 6);
    if (id.isNull())
        out.append("null", 4);
    else
        appendText(out, id, false);
    out.append(",\"data\":", 8);
    appendJsonPayload(out, data, dataEncoding);
    out.append(",\"metadata\":", 12);
    appendJsonPayload(out, metadata, metadataEncoding);
    out.append(",\"correlationId\":", 17);
    appendText(out, correlationId, true);
    out.append(",\"causationId\":", 15);
    appendText(out, causationId, true);
    const bool dataOdd = dataEncoding != Payload::Encoding::Null && dataEncoding != Payload::Encoding::Json;
    const bool metaOdd = metadataEncoding != Payload::Encoding::Null && metadataEncoding != Payload::Encoding::Json;
    if (dataOdd || metaOdd) {
        auto name = [](Payload::Encoding e) {
            return e == Payload::Encoding::Text ? QByteArrayView("\"text\"") : QByteArrayView("\"base64\"");
        };
        out.append(",\"encoding\":{");
        if (dataOdd)
            out.append("\"data\":").append(name(dataEncoding));
        if (metaOdd)
            out.append(dataOdd ? ",\"metadata\":" : "\"metadata\":").append(name(metadataEncoding));
        out.append('}');
    }
    out.append('}');
}

} // namespace es
