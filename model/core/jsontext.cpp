#include "core/jsontext.h"

#include <cstring>
#include <vector>

namespace es::jsontext {

namespace {

constexpr size_t MaxDepth = 100000;

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The four hex digits at p as a number, or -1.
int hex4(const char* p)
{
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hexValue(p[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

class Validator {
public:
    Validator(QByteArrayView text, qsizetype bigContainer, const std::atomic<bool>* cancel)
        : m_p(text.data())
        , m_n(text.size())
        , m_bigContainer(bigContainer)
        , m_cancel(cancel)
    { }

    Index run()
    {
        Index index;
        auto big = std::make_shared<std::unordered_map<qsizetype, Container>>();
        m_big = big.get();
        index.ok = document();
        if (!index.ok) {
            index.cancelled = m_cancelled;
            index.error = m_error;
        }
        index.big = std::move(big);
        return index;
    }

private:
    struct Frame {
        qsizetype begin;
        qint64 count;
        char close;
    };

    bool fail(const char* what)
    {
        m_error = QStringLiteral("%1 at byte %2").arg(QLatin1String(what)).arg(m_pos);
        return false;
    }

    void space()
    {
        while (m_pos < m_n && isSpace(m_p[m_pos]))
            ++m_pos;
    }

    bool string()
    {
        ++m_pos; // the opening quote
        while (m_pos < m_n) {
            const unsigned char c = static_cast<unsigned char>(m_p[m_pos]);
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return fail("a control character in a string");
            if (c == '\\') {
                if (m_pos + 1 >= m_n)
                    break;
                const char e = m_p[m_pos + 1];
                if (e == 'u') {
                    if (m_pos + 6 > m_n || hex4(m_p + m_pos + 2) < 0)
                        return fail("a bad \\u escape");
                    m_pos += 6;
                    continue;
                }
                if (!std::strchr("\"\\/bfnrt", e) || e == 0)
                    return fail("a bad escape");
                m_pos += 2;
                continue;
            }
            ++m_pos;
        }
        return fail("an unterminated string");
    }

    bool number()
    {
        if (m_p[m_pos] == '-')
            ++m_pos;
        if (m_pos >= m_n || !isDigit(m_p[m_pos]))
            return fail("a bad number");
        if (m_p[m_pos] == '0')
            ++m_pos;
        else
            while (m_pos < m_n && isDigit(m_p[m_pos]))
                ++m_pos;
        if (m_pos < m_n && m_p[m_pos] == '.') {
            ++m_pos;
            if (m_pos >= m_n || !isDigit(m_p[m_pos]))
                return fail("a bad number");
            while (m_pos < m_n && isDigit(m_p[m_pos]))
                ++m_pos;
        }
        if (m_pos < m_n && (m_p[m_pos] == 'e' || m_p[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_n && (m_p[m_pos] == '+' || m_p[m_pos] == '-'))
                ++m_pos;
            if (m_pos >= m_n || !isDigit(m_p[m_pos]))
                return fail("a bad number");
            while (m_pos < m_n && isDigit(m_p[m_pos]))
                ++m_pos;
        }
        return true;
    }

    bool literal(const char* word)
    {
        const qsizetype len = qsizetype(std::strlen(word));
        if (m_n - m_pos < len || std::memcmp(m_p + m_pos, word, size_t(len)) != 0)
            return fail("an unexpected character");
        m_pos += len;
        return true;
    }

    // After '{' or ',' in an object: "key" :
    bool key()
    {
        space();
        if (m_pos >= m_n || m_p[m_pos] != '"')
            return fail("a missing key");
        if (!string())
            return false;
        space();
        if (m_pos >= m_n || m_p[m_pos] != ':')
            return fail("a missing colon");
        ++m_pos;
        return true;
    }

    bool cancelled()
    {
        if ((++m_steps & 0xFFFF) == 0 && m_cancel && m_cancel->load(std::memory_order_relaxed)) {
            m_cancelled = true;
            m_error = QStringLiteral("Cancelled");
            return true;
        }
        return false;
    }

    bool document()
    {
        std::vector<Frame> stack;
        bool wantValue = true;
        while (true) {
            if (cancelled())
                return false;
            space();
            if (wantValue) {
                if (m_pos >= m_n)
                    return fail("an unexpected end");
                const char c = m_p[m_pos];
                if (c == '{' || c == '[') {
                    if (stack.size() >= MaxDepth)
                        return fail("nesting too deep");
                    const char close = c == '{' ? '}' : ']';
                    stack.push_back({ m_pos, 0, close });
                    ++m_pos;
                    space();
                    if (m_pos < m_n && m_p[m_pos] == close) {
                        ++m_pos;
                        stack.pop_back();
                        wantValue = false;
                        continue;
                    }
                    if (c == '{' && !key())
                        return false;
                    stack.back().count = 1;
                    continue;
                }
                bool ok;
                if (c == '"')
                    ok = string();
                else if (c == '-' || isDigit(c))
                    ok = number();
                else if (c == 't')
                    ok = literal("true");
                else if (c == 'f')
                    ok = literal("false");
                else if (c == 'n')
                    ok = literal("null");
                else
                    ok = fail("an unexpected character");
                if (!ok)
                    return false;
                wantValue = false;
                continue;
            }
            if (stack.empty())
                return m_pos == m_n || fail("text after the value");
            if (m_pos >= m_n)
                return fail("an unexpected end");
            Frame& f = stack.back();
            const char c = m_p[m_pos];
            if (c == ',') {
                ++m_pos;
                if (f.close == '}' && !key())
                    return false;
                ++f.count;
                wantValue = true;
            } else if (c == f.close) {
                ++m_pos;
                if (m_pos - f.begin >= m_bigContainer)
                    m_big->emplace(f.begin, Container { m_pos, f.count });
                stack.pop_back();
            } else {
                return fail("a missing comma or bracket");
            }
        }
    }

    const char* m_p;
    qsizetype m_n;
    qsizetype m_pos = 0;
    qsizetype m_bigContainer;
    const std::atomic<bool>* m_cancel;
    std::unordered_map<qsizetype, Container>* m_big = nullptr;
    QString m_error;
    bool m_cancelled = false;
    quint64 m_steps = 0;
};

qsizetype skipString(const char* p, qsizetype n, qsizetype pos)
{
    ++pos;
    while (pos < n) {
        const void* hit = std::memchr(p + pos, '"', size_t(n - pos));
        if (!hit)
            return n;
        qsizetype q = static_cast<const char*>(hit) - p;
        qsizetype slashes = 0;
        while (q - 1 - slashes >= pos && p[q - 1 - slashes] == '\\')
            ++slashes;
        if (slashes % 2 == 0)
            return q + 1;
        pos = q + 1;
    }
    return n;
}

void appendUtf8(QByteArray& out, uint cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

// The code point of a \u escape at p (a surrogate pair read as one), how many bytes it used, or 0 when it is not a
// character to write as UTF-8 (ASCII, a lone surrogate, a bad escape).
uint escapedCodePoint(const char* p, qsizetype available, qsizetype* used)
{
    if (available < 6)
        return 0;
    const int hi = hex4(p + 2);
    if (hi < 0x80)
        return 0;
    if (hi < 0xD800 || hi > 0xDFFF) {
        *used = 6;
        return uint(hi);
    }
    if (hi > 0xDBFF || available < 12 || p[6] != '\\' || p[7] != 'u')
        return 0;
    const int lo = hex4(p + 8);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    *used = 12;
    return 0x10000 + ((uint(hi) - 0xD800) << 10) + (uint(lo) - 0xDC00);
}

} // namespace

Index validate(QByteArrayView text, qsizetype bigContainer, const std::atomic<bool>* cancel)
{
    return Validator(text, bigContainer, cancel).run();
}

qsizetype skipSpace(QByteArrayView text, qsizetype pos)
{
    while (pos < text.size() && isSpace(text[pos]))
        ++pos;
    return pos;
}

qsizetype skipValue(QByteArrayView text, qsizetype pos, qint64* count, const Index* index)
{
    const char* p = text.data();
    const qsizetype n = text.size();
    if (count)
        *count = 0;
    if (pos >= n)
        return n;
    const char c = p[pos];
    if (c == '"')
        return skipString(p, n, pos);
    if (c != '{' && c != '[') {
        while (pos < n && !isSpace(p[pos]) && p[pos] != ',' && p[pos] != ']' && p[pos] != '}')
            ++pos;
        return pos;
    }
    if (index && index->big) {
        const auto it = index->big->find(pos);
        if (it != index->big->end()) {
            if (count)
                *count = it->second.count;
            return it->second.end;
        }
    }
    int depth = 0;
    qint64 children = 0;
    bool seen = false; // something at depth 1
    for (; pos < n; ++pos) {
        const char ch = p[pos];
        if (ch == '"') {
            if (depth == 1)
                seen = true;
            pos = skipString(p, n, pos) - 1;
        } else if (ch == '{' || ch == '[') {
            if (depth == 1)
                seen = true;
            ++depth;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) {
                if (count)
                    *count = seen ? children + 1 : 0;
                return pos + 1;
            }
        } else if (depth == 1) {
            if (ch == ',')
                ++children;
            else if (!isSpace(ch))
                seen = true;
        }
    }
    return n;
}

QByteArray pretty(QByteArrayView json, qsizetype maxBytes, bool* truncated)
{
    const char* p = json.data();
    const qsizetype n = json.size();
    QByteArray out;
    out.reserve(maxBytes >= 0 ? std::min<qsizetype>(maxBytes + 1024, n * 2 + 16) : n + n / 2 + 16);
    int indent = 0;
    auto newline = [&] {
        out.append('\n');
        out.append(QByteArray(qsizetype(indent) * 4, ' '));
    };
    if (truncated)
        *truncated = false;
    // Cuts at the last line end, or inside a long string at a character boundary.
    auto stop = [&] {
        qsizetype cut = out.lastIndexOf('\n', std::min(out.size(), maxBytes));
        if (cut < maxBytes / 2) {
            cut = std::min(out.size(), maxBytes);
            while (cut > 0 && cut < out.size() && (static_cast<unsigned char>(out.at(cut)) & 0xC0) == 0x80)
                --cut;
        }
        out.truncate(std::max<qsizetype>(cut, 0));
        if (truncated)
            *truncated = true;
        return out;
    };
    for (qsizetype i = 0; i < n; ++i) {
        if (maxBytes >= 0 && out.size() >= maxBytes)
            return stop();
        const char c = p[i];
        switch (c) {
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            break;
        case '"': {
            const qsizetype end = skipString(p, n, i);
            // A string longer than what is left to write is read only as far as needed.
            const qsizetype last = maxBytes >= 0 ? std::min(end, i + (maxBytes - out.size()) + 16) : end;
            if (last < end) {
                qsizetype run = i;
                for (qsizetype k = i + 1; k < last; ++k) {
                    qsizetype used = 0;
                    const uint cp = p[k] == '\\' && p[k + 1] == 'u' ? escapedCodePoint(p + k, end - 1 - k, &used) : 0;
                    if (cp) {
                        out.append(p + run, k - run);
                        appendUtf8(out, cp);
                        run = k + used;
                        k += used - 1;
                    } else if (p[k] == '\\') {
                        ++k;
                    }
                }
                out.append(p + run, std::max<qsizetype>(0, last - run));
                return stop();
            }
            qsizetype run = i;
            for (qsizetype k = i + 1; k < end - 1; ++k) {
                if (p[k] != '\\')
                    continue;
                qsizetype used = 0;
                const uint cp = p[k + 1] == 'u' ? escapedCodePoint(p + k, end - 1 - k, &used) : 0;
                if (cp) {
                    out.append(p + run, k - run);
                    appendUtf8(out, cp);
                    run = k + used;
                    k += used - 1;
                } else if (p[k + 1] == '/') {
                    out.append(p + run, k - run);
                    run = k + 1;
                    ++k;
                } else {
                    ++k;
                }
            }
            out.append(p + run, end - run);
            i = end - 1;
            break;
        }
        case '{':
        case '[': {
            const qsizetype next = skipSpace(json, i + 1);
            if (next < n && p[next] == (c == '{' ? '}' : ']')) {
                out.append(c).append(p[next]);
                i = next;
                break;
            }
            out.append(c);
            ++indent;
            newline();
            break;
        }
        case '}':
        case ']':
            indent = std::max(0, indent - 1);
            newline();
            out.append(c);
            break;
        case ',':
            out.append(',');
            newline();
            break;
        case ':':
            out.append(": ", 2);
            break;
        default:
            out.append(c);
        }
    }
    return out;
}

QByteArray compact(QByteArrayView json)
{
    const char* p = json.data();
    const qsizetype n = json.size();
    QByteArray out;
    out.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const char c = p[i];
        if (c == '"') {
            const qsizetype end = skipString(p, n, i);
            out.append(p + i, end - i);
            i = end - 1;
        } else if (!isSpace(c)) {
            out.append(c);
        }
    }
    return out;
}

QString unescape(QByteArrayView token, qsizetype maxChars)
{
    const char* p = token.data();
    qsizetype n = token.size();
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
        ++p;
        n -= 2;
    }
    // Four UTF-8 bytes at most per character: a head this long holds maxChars characters.
    if (maxChars >= 0 && n > maxChars * 6 + 12)
        n = maxChars * 6 + 12;
    if (!std::memchr(p, '\\', size_t(n))) {
        QString s = QString::fromUtf8(p, n);
        if (maxChars >= 0 && s.size() > maxChars)
            s.truncate(maxChars);
        return s;
    }
    QByteArray utf8;
    utf8.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        if (p[i] != '\\' || i + 1 >= n) {
            utf8.append(p[i]);
            continue;
        }
        const char e = p[++i];
        switch (e) {
        case 'b':
            utf8.append('\b');
            break;
        case 'f':
            utf8.append('\f');
            break;
        case 'n':
            utf8.append('\n');
            break;
        case 'r':
            utf8.append('\r');
            break;
        case 't':
            utf8.append('\t');
            break;
        case 'u': {
            qsizetype used = 0;
            const uint cp = escapedCodePoint(p + i - 1, n - (i - 1), &used);
            if (cp) {
                appendUtf8(utf8, cp);
                i += used - 2;
            } else if (i + 5 <= n) {
                const int v = hex4(p + i + 1);
                appendUtf8(utf8, v < 0 ? 0xFFFD : (v >= 0xD800 && v <= 0xDFFF ? 0xFFFD : uint(v)));
                i += 4;
            }
            break;
        }
        default:
            utf8.append(e);
        }
    }
    QString s = QString::fromUtf8(utf8);
    if (maxChars >= 0 && s.size() > maxChars)
        s.truncate(maxChars);
    return s;
}

} // namespace es::jsontext
