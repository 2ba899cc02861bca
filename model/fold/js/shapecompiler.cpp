// ShapeCompiler: JSON text in, the object literal that rebuilds it out.
#include "fold/js/shapecompiler.h"

#include <QByteArrayView>

#include <charconv>
#include <cstring>

namespace es {

namespace {

void appendIndex(QByteArray& out, int n)
{
    char digits[12];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end - digits);
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (from_chars also takes "01", "1." and "1e").
bool isJsonNumber(const char* p, const char* end)
{
    const auto digits = [&] {
        const char* start = p;
        while (p < end && *p >= '0' && *p <= '9')
            ++p;
        return p > start;
    };
    if (p < end && *p == '-')
        ++p;
    if (p < end && *p == '0')
        ++p;
    else if (!digits())
        return false;
    if (p < end && *p == '.') {
        ++p;
        if (!digits())
            return false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-'))
            ++p;
        if (!digits())
            return false;
    }
    return p == end;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

ShapeCompiler::ShapeCompiler(
    const QByteArray& json, QByteArray& code, std::vector<double>& numbers, QByteArray& strings)
    : m_p(json.constData())
    , m_end(json.constData() + json.size())
    , m_code(code)
    , m_numbers(numbers)
    , m_strings(strings)
{ }

bool ShapeCompiler::compile()
{
    if (!value(0))
        return false;
    skipSpace();
    return m_p == m_end;
}

void ShapeCompiler::skipSpace()
{
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
        ++m_p;
}

// A string token, copied as it is: JSON string syntax is JS string syntax but for U+2028/U+2029.
bool ShapeCompiler::stringToken(QByteArray& out)
{
    const char* start = m_p++;
    while (m_p < m_end && *m_p != '"') {
        if (*m_p == '\\') {
            // Only JSON's escapes: \" \\ \/ \b \f \n \r \t and \uXXXX (JS would also take \x41, \v, \0).
            if (++m_p >= m_end)
                return false;
            if (*m_p == 'u') {
                if (m_end - m_p < 5 || !isHex(m_p[1]) || !isHex(m_p[2]) || !isHex(m_p[3]) || !isHex(m_p[4]))
                    return false;
                m_p += 4;
            } else if (!std::strchr("\"\\/bfnrt", *m_p) || *m_p == '\0') {
                return false;
            }
        } else if (uchar(*m_p) == 0xE2 && m_p + 2 < m_end && uchar(m_p[1]) == 0x80 && (uchar(m_p[2]) & 0xFE) == 0xA8)
            return false;
        else if (uchar(*m_p) < 0x20)
            return false;
        ++m_p;
    }
    if (m_p >= m_end)
        return false;
    ++m_p;
    out.append(start, m_p - start);
    return true;
}

bool ShapeCompiler::value(int depth)
{
    skipSpace();
    if (m_p >= m_end || depth > 16)
        return false;
    const char c = *m_p;
    if (c == '{' || c == '[') {
        const char close = c == '{' ? '}' : ']';
        m_code.append(c);
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == close) {
            m_code.append(close);
            ++m_p;
            return true;
        }
        while (true) {
            if (c == '{') {
                skipSpace();
                if (m_p >= m_end || *m_p != '"')
                    return false;
                const qsizetype keyAt = m_code.size();
                if (!stringToken(m_code))
                    return false;
                // In a literal, __proto__ sets the prototype; JSON.parse makes it a plain property.
                if (QByteArrayView(m_code).sliced(keyAt).contains("__proto__"))
                    return false;
                skipSpace();
                if (m_p >= m_end || *m_p != ':')
                    return false;
                ++m_p;
                m_code.append(':');
            }
            if (!value(depth + 1))
                return false;
            skipSpace();
            if (m_p < m_end && *m_p == ',') {
                m_code.append(',');
                ++m_p;
                continue;
            }
            if (m_p < m_end && *m_p == close) {
                m_code.append(close);
                ++m_p;
                return true;
            }
            return false;
        }
    }
    if (c == '"') {
        if (m_strings.size() > 1)
            m_strings.append(',');
        if (!stringToken(m_strings))
            return false;
        m_code.append("s[j+", 4);
        appendIndex(m_code, m_strs++);
        m_code.append(']');
        return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char* start = m_p;
        while (m_p < m_end
            && ((*m_p >= '0' && *m_p <= '9') || *m_p == '-' || *m_p == '+' || *m_p == '.' || *m_p == 'e'
                || *m_p == 'E'))
            ++m_p;
        // Out of range (1e400, 1e-400) fails here, and the payload goes whole to JSON.parse.
        if (!isJsonNumber(start, m_p))
            return false;
        double d = 0;
        const auto [end, ec] = std::from_chars(start, m_p, d);
        if (ec != std::errc() || end != m_p)
            return false;
        m_numbers.push_back(d);
        m_code.append("n[i+", 4);
        appendIndex(m_code, m_nums++);
        m_code.append(']');
        return true;
    }
    for (const QByteArrayView word : { QByteArrayView("true"), QByteArrayView("false"), QByteArrayView("null") }) {
        if (m_end - m_p >= word.size() && std::memcmp(m_p, word.data(), std::size_t(word.size())) == 0) {
            m_code.append(word);
            m_p += word.size();
            return true;
        }
    }
    return false;
}

} // namespace es
