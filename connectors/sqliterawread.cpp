// SqliteStore::readRaw: rows straight from sqlite3_column_* into RawEvent views, for export and `events --json`.
#include "sqlbuilder.h"
#include "sqlitestore.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>

namespace es {

namespace {

// Keys examined per statement: windows keep each read short (a writer in rollback-journal mode waits for it) and
// cancellable; the span adapts so sparse scopes do not cost one statement per few rows.
constexpr qint64 FirstSpan = 65536;
constexpr qint64 FewRows = 16384;
constexpr qint64 ManyRows = 262144;

class Statement {
public:
    explicit Statement(sqlite3_stmt* s)
        : m_s(s)
    { }
    ~Statement()
    {
        sqlite3_reset(m_s);
        sqlite3_clear_bindings(m_s);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return m_s; }

private:
    sqlite3_stmt* m_s;
};

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

QByteArrayView textView(sqlite3_stmt* s, int col)
{
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return {};
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
    return QByteArrayView(data ? data : "", sqlite3_column_bytes(s, col));
}

// Bytes as stored (text columns unconverted); an empty value is an empty view, not a null one.
QByteArrayView bytesView(sqlite3_stmt* s, int col)
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(s, col));
    return QByteArrayView(data ? data : "", sqlite3_column_bytes(s, col));
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

// One element of the packed metadata array as SqliteStore::readEvent() reads it (json_extract's text of it), as
// UTF-8; plain strings stay views into the row, escaped ones are decoded into `scratch`. Null view: SQL NULL.
QByteArrayView elementText(QByteArrayView v, QByteArray& scratch)
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
    QString out;
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
    scratch = out.toUtf8();
    return QByteArrayView(scratch.constData() ? scratch.constData() : "", scratch.size());
}

QByteArrayView firstPacked(QByteArrayView packed, int from, int to, QByteArray& scratch)
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
            const QByteArrayView text = elementText(QByteArrayView(start, p - start), scratch);
            if (!text.isNull())
                return text;
        }
    }
    return {};
}

} // namespace

bool SqliteStore::readRaw(const EventQuery& query, RawEventReceiver& receiver)
{
    if (query.backward)
        return false;
    const EventFilter& filter = query.filter;
    const bool indexStream = useCategoryIndex(filter);
    const std::optional<qint64> first = edgeKey(filter, false);
    const std::optional<qint64> last = edgeKey(filter, true);
    if (!first || !last)
        return true;
    qint64 start = std::max(query.from, *first);
    const qint64 end = query.to >= 0 ? std::min(query.to, *last) : *last;
    const bool packed = m_sql->packedMetadata();
    const int correlationKeys = int(m_profile.correlationKeys.size());
    const int causationKeys = int(m_profile.causationKeys.size());
    QByteArray correlationScratch;
    QByteArray causationScratch;
    qint64 left = query.limit > 0 ? query.limit : -1;
    qint64 span = FirstSpan;
    RawEvent ev;
    while (start <= end) {
        // A category read through the stream index is one statement: windows would walk that index again each time.
        const qint64 windowEnd = indexStream || end - start < span ? end : start + span - 1;
        EventQuery window;
        window.filter = filter;
        window.from = start;
        window.to = windowEnd;
        window.limit = 0;
        const SqlStatement st = m_sql->eventsPage(window, indexStream, std::nullopt);
        Statement statement(prepare(st.sql));
        sqlite3_stmt* s = statement.get();
        int index = 1;
        for (const QVariant& v : st.values) {
            if (const int rc = bind(s, index++, v); rc != SQLITE_OK)
                throwSqlite(rc, QStringLiteral("binding a value"));
        }
        qint64 rows = 0;
        while (true) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW)
                throwSqlite(rc, QString::fromUtf8(sqlite3_sql(s)));
            ++rows;
            ev.position = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 0);
            ev.stream = textView(s, 1);
            ev.version = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2);
            ev.type = textView(s, 3);
            ev.time = textView(s, 4);
            ev.id = textView(s, 5);
            if (sqlite3_column_type(s, 6) == SQLITE_NULL) {
                ev.data = {};
                ev.dataEncoding = Payload::Encoding::Null;
            } else {
                const bool json = sqlite3_column_int64(s, 7) == 1;
                ev.data = bytesView(s, 6);
                ev.dataEncoding = rawPayloadEncoding(ev.data, json ? RawPayloadHint::Json : RawPayloadHint::NotJson);
            }
            const bool metaJson = packed ? sqlite3_column_type(s, 9) != SQLITE_NULL : sqlite3_column_int64(s, 9) == 1;
            if (sqlite3_column_type(s, 8) == SQLITE_NULL) {
                ev.metadata = {};
                ev.metadataEncoding = Payload::Encoding::Null;
            } else {
                ev.metadata = bytesView(s, 8);
                ev.metadataEncoding
                    = rawPayloadEncoding(ev.metadata, metaJson ? RawPayloadHint::Json : RawPayloadHint::NotJson);
            }
            if (!packed) {
                ev.correlationId = textView(s, 10);
                ev.causationId = textView(s, 11);
            } else if (metaJson) {
                const QByteArrayView array = textView(s, 9);
                ev.correlationId = firstPacked(array, 0, correlationKeys, correlationScratch);
                ev.causationId = firstPacked(array, correlationKeys, correlationKeys + causationKeys, causationScratch);
            } else {
                ev.correlationId = {};
                ev.causationId = {};
            }
            if (!receiver.row(ev) || (left > 0 && --left == 0))
                return true;
        }
        if (windowEnd >= end)
            break;
        start = windowEnd + 1;
        if (rows < FewRows && span < std::numeric_limits<qint64>::max() / 4)
            span *= 2;
        else if (rows > ManyRows && span > 1024)
            span /= 2;
        if (!receiver.reached(windowEnd))
            return true;
    }
    return true;
}

} // namespace es
