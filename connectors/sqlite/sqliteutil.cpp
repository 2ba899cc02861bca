#include "sqlite/sqliteutil_p.h"

#include <sqlite3.h>

#include <algorithm>

namespace es {
namespace sqliteutil {

namespace {

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

} // namespace

int bind(sqlite3_stmt* s, int index, const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        return sqlite3_bind_null(s, index);
    case QMetaType::Bool:
        return sqlite3_bind_int(s, index, v.toBool() ? 1 : 0);
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return sqlite3_bind_int64(s, index, v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return sqlite3_bind_double(s, index, v.toDouble());
    case QMetaType::QByteArray: {
        const QByteArray b = v.toByteArray();
        return sqlite3_bind_blob64(s, index, b.constData(), sqlite3_uint64(b.size()), SQLITE_TRANSIENT);
    }
    default: {
        const QByteArray utf8 = v.toString().toUtf8();
        return sqlite3_bind_text64(
            s, index, utf8.constData(), sqlite3_uint64(utf8.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    }
}

const char* skipJsonValue(const char* p, const char* end)
{
    if (p >= end)
        return end;
    if (*p == '"') {
        for (++p; p < end; ++p) {
            if (*p == '\\')
                ++p;
            else if (*p == '"')
                return p + 1;
        }
        return end;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; p < end; ++p) {
            if (*p == '"') {
                p = skipJsonValue(p, end) - 1;
            } else if (*p == '{' || *p == '[') {
                ++depth;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0)
                    return p + 1;
            }
        }
        return end;
    }
    while (p < end && *p != ',' && *p != ']' && *p != ' ')
        ++p;
    return p;
}

QString jsonElementText(QByteArrayView v)
{
    if (v.isEmpty() || v == "null")
        return {};
    if (v == "true")
        return QStringLiteral("1");
    if (v == "false")
        return QStringLiteral("0");
    if (v.front() != '"' || v.size() < 2)
        return QString::fromUtf8(v);
    const QByteArrayView body = v.sliced(1, v.size() - 2);
    if (!body.contains('\\'))
        return QString::fromUtf8(body);
    QString out;
    out.reserve(body.size());
    const char* p = body.data();
    const char* end = p + body.size();
    const char* run = p;
    while (p < end) {
        if (*p != '\\' || p + 1 >= end) {
            ++p;
            continue;
        }
        out += QString::fromUtf8(run, p - run);
        const char c = p[1];
        p += 2;
        switch (c) {
        case 'b':
            out += u'\b';
            break;
        case 'f':
            out += u'\f';
            break;
        case 'n':
            out += u'\n';
            break;
        case 'r':
            out += u'\r';
            break;
        case 't':
            out += u'\t';
            break;
        case 'u': {
            char16_t unit = 0;
            for (int i = 0; i < 4 && p < end; ++i, ++p)
                unit = char16_t((unit << 4) | std::max(0, hexValue(*p)));
            out += QChar(unit);
            break;
        }
        default:
            out += QLatin1Char(c);
            break;
        }
        run = p;
    }
    out += QString::fromUtf8(run, p - run);
    return out;
}

QByteArrayView jsonElementUtf8(QByteArrayView v, QByteArray& scratch)
{
    if (v.isEmpty() || v == "null")
        return {};
    if (v == "true")
        return "1";
    if (v == "false")
        return "0";
    if (v.front() != '"' || v.size() < 2)
        return v;
    const QByteArrayView body = v.sliced(1, v.size() - 2);
    if (!body.contains('\\'))
        return body;
    scratch = jsonElementText(v).toUtf8();
    return QByteArrayView(scratch.constData() ? scratch.constData() : "", scratch.size());
}

} // namespace sqliteutil
} // namespace es
