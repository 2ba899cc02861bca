#pragma once

// Private to the SQLite connector: value binding and the packed-metadata reading shared by sqlitestore.cpp and
// sqliterawread.cpp.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QVariant>

struct sqlite3_stmt;

namespace es {
namespace sqliteutil {

// Binds a QVariant by its type; returns SQLite's result code.
int bind(sqlite3_stmt* s, int index, const QVariant& v);

// Skips one JSON value of the compact array SQLite renders; returns the end of the value.
const char* skipJsonValue(const char* p, const char* end);

// The element as json_extract with one path would give it as text: strings unescaped, true/false as 1/0,
// null as a null string, anything else as its JSON text.
QString jsonElementText(QByteArrayView v);

// The same as UTF-8: plain strings stay views into `v`, escaped ones are decoded into `scratch`. Null view: SQL NULL.
QByteArrayView jsonElementUtf8(QByteArrayView v, QByteArray& scratch);

// The first element in [from, to) of a packed metadata array whose text (by `textOf`) is not null.
template <typename TextOf>
auto firstPacked(QByteArrayView packed, int from, int to, TextOf textOf) -> decltype(textOf(packed))
{
    const char* p = packed.data();
    const char* end = p + packed.size();
    if (p < end && *p == '[')
        ++p;
    for (int i = 0; i < to && p < end; ++i) {
        while (p < end && (*p == ' ' || *p == ','))
            ++p;
        const char* start = p;
        p = skipJsonValue(p, end);
        if (i >= from) {
            auto text = textOf(QByteArrayView(start, p - start));
            if (!text.isNull())
                return text;
        }
    }
    return {};
}

} // namespace sqliteutil
} // namespace es
