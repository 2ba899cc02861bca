// SqliteStore::readRaw and readRawStreams: rows straight from sqlite3_column_* into RawEvent views, for export,
// `events --json`, folds and reconciliation.
#include "sql/sqlbuilder.h"
#include "sql/streamsql.h"
#include "sqlite/sqlitestore.h"
#include "sqlite/sqliteutil_p.h"

#include <sqlite3.h>

#include <QSet>

#include <algorithm>
#include <functional>
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

// Whether json_valid() holds for a column's value, as the statement's data-is-json column would say: certain JSON
// text is decided here, anything else by SQLite itself (a statement of our own, made on the first such value).
class JsonValidity {
public:
    explicit JsonValidity(sqlite3* db)
        : m_db(db)
    { }
    ~JsonValidity() { sqlite3_finalize(m_check); }
    JsonValidity(const JsonValidity&) = delete;
    JsonValidity& operator=(const JsonValidity&) = delete;

    // `type`: the column's type as read before its bytes were (reading them as a blob changes what it says).
    // Throws the SQLite result code of a failure.
    bool operator()(sqlite3_stmt* s, int col, int type, QByteArrayView bytes)
    {
        if (type == SQLITE_TEXT && isCertainlyJson(bytes))
            return true;
        if (bytes.size() > kLargePayloadBytes) // json_valid() would hold a node per token
            return isValidUtf8(QByteArray::fromRawData(bytes.data(), bytes.size())) && isJsonText(bytes);
        if (!m_check) {
            if (const int rc = sqlite3_prepare_v2(m_db, "SELECT json_valid(?1)", -1, &m_check, nullptr);
                rc != SQLITE_OK)
                throw rc;
        }
        sqlite3_bind_value(m_check, 1, sqlite3_column_value(s, col));
        const int rc = sqlite3_step(m_check);
        const bool valid = rc == SQLITE_ROW && sqlite3_column_int64(m_check, 0) == 1;
        sqlite3_reset(m_check);
        sqlite3_clear_bindings(m_check);
        if (rc != SQLITE_ROW)
            throw rc;
        return valid;
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_check = nullptr;
};

// Hands a statement's event rows (SqlBuilder::selectEvent columns) to a receiver as RawEvent views.
class RawRows {
public:
    RawRows(sqlite3* db, const Profile& profile, const EventColumns& columns, bool packed,
        std::function<void(int rc, const QString& context)> fail)
        : m_jsonValid(db)
        , m_columns(columns)
        , m_packed(packed)
        , m_correlationKeys(int(profile.correlationKeys.size()))
        , m_causationKeys(int(profile.causationKeys.size()))
        , m_fail(std::move(fail))
    { }

    // Steps `s` to its end or until the receiver stops (false then), counting the rows read in `rows` and, when
    // `left` > 0, stopping (false) when it reaches 0.
    bool run(sqlite3_stmt* s, RawEventReceiver& receiver, qint64& rows, qint64& left)
    {
        RawEvent& ev = m_event;
        while (true) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE)
                return true;
            if (rc != SQLITE_ROW)
                m_fail(rc, QString::fromUtf8(sqlite3_sql(s)));
            ++rows;
            ev.position = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 0);
            ev.stream = textView(s, 1);
            ev.version = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2);
            ev.type = textView(s, 3);
            ev.time = textView(s, 4);
            ev.id = textView(s, 5);
            bool metaJson = false;
            try {
                const int dataType = sqlite3_column_type(s, 6);
                if (dataType == SQLITE_NULL) {
                    ev.data = {};
                    ev.dataEncoding = Payload::Encoding::Null;
                } else {
                    ev.data = bytesView(s, 6);
                    const bool json = m_columns.jsonChecks && sqlite3_column_type(s, 7) != SQLITE_NULL
                        ? sqlite3_column_int64(s, 7) == 1
                        : m_jsonValid(s, 6, dataType, ev.data);
                    ev.dataEncoding
                        = rawPayloadEncoding(ev.data, json ? RawPayloadHint::Json : RawPayloadHint::NotJson);
                }
                metaJson = m_packed ? sqlite3_column_type(s, 9) != SQLITE_NULL
                                    : m_columns.jsonChecks && sqlite3_column_int64(s, 9) == 1;
                const int metadataType = sqlite3_column_type(s, 8);
                if (metadataType == SQLITE_NULL) {
                    ev.metadata = {};
                    ev.metadataEncoding = Payload::Encoding::Null;
                } else {
                    ev.metadata = bytesView(s, 8);
                    const bool json = m_columns.jsonChecks ? metaJson : m_jsonValid(s, 8, metadataType, ev.metadata);
                    ev.metadataEncoding
                        = rawPayloadEncoding(ev.metadata, json ? RawPayloadHint::Json : RawPayloadHint::NotJson);
                }
            } catch (int rc) {
                m_fail(rc, QStringLiteral("SELECT json_valid(?1)"));
            }
            if (!m_packed) {
                ev.correlationId = textView(s, 10);
                ev.causationId = textView(s, 11);
            } else if (metaJson) {
                const QByteArrayView array = textView(s, 9);
                ev.correlationId = sqliteutil::firstPacked(array, 0, m_correlationKeys,
                    [&](QByteArrayView v) { return sqliteutil::jsonElementUtf8(v, m_correlationScratch); });
                ev.causationId = sqliteutil::firstPacked(array, m_correlationKeys, m_correlationKeys + m_causationKeys,
                    [&](QByteArrayView v) { return sqliteutil::jsonElementUtf8(v, m_causationScratch); });
            } else {
                ev.correlationId = {};
                ev.causationId = {};
            }
            if (!receiver.row(ev) || (left > 0 && --left == 0))
                return false;
        }
    }

private:
    JsonValidity m_jsonValid;
    EventColumns m_columns;
    bool m_packed;
    int m_correlationKeys;
    int m_causationKeys;
    std::function<void(int rc, const QString& context)> m_fail;
    QByteArray m_correlationScratch;
    QByteArray m_causationScratch;
    RawEvent m_event;
};

// A reader without ids (a fold) gets a lighter statement: no ids, metadata only when it reads it, and JSON told apart
// here rather than by json_valid() on every row (most payloads are plainly JSON).
EventColumns columnsFor(const RawEventReceiver& receiver)
{
    EventColumns columns;
    columns.ids = receiver.wantsIds();
    columns.metadata = columns.ids || receiver.wantsMetadata();
    columns.jsonChecks = columns.ids;
    return columns;
}

void bindRawValues(sqlite3_stmt* s, const QVariantList& values, const std::function<void(int, const QString&)>& fail)
{
    int index = 1;
    for (const QVariant& v : values) {
        if (const int rc = sqliteutil::bind(s, index++, v); rc != SQLITE_OK)
            fail(rc, QStringLiteral("binding a value"));
    }
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
    const EventColumns columns = columnsFor(receiver);
    const auto fail = [this](int rc, const QString& context) { throwSqlite(rc, context); };
    RawRows rawRows(m_db, m_profile, columns, columns.ids && m_sql->packedMetadata(), fail);
    qint64 left = query.limit > 0 ? query.limit : -1;
    qint64 span = FirstSpan;
    while (start <= end) {
        // A category read through the stream index is one statement: windows would walk that index again each time.
        const qint64 windowEnd = indexStream || end - start < span ? end : start + span - 1;
        EventQuery window;
        window.filter = filter;
        window.from = start;
        window.to = windowEnd;
        window.limit = 0;
        const SqlStatement st = m_sql->eventsPage(window, indexStream, std::nullopt, columns);
        Statement statement(prepare(st.sql));
        bindRawValues(statement.get(), st.values, fail);
        qint64 rows = 0;
        if (!rawRows.run(statement.get(), receiver, rows, left))
            return true;
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

namespace {

// Passes on the rows of the wanted streams only, and notes which of them came and how many rows it skipped.
class WantedStreams : public RawEventReceiver {
public:
    WantedStreams(RawEventReceiver& to, const QSet<QByteArray>& wanted)
        : m_to(to)
        , m_wanted(wanted)
    { }
    bool row(const RawEvent& event) override
    {
        if (m_current.isNull() || m_current != event.stream) {
            m_current = QByteArray(event.stream.data(), event.stream.size());
            m_passing = m_wanted.contains(m_current);
            if (m_passing)
                seen.insert(m_current);
        }
        if (!m_passing) {
            // A range that brings more rows of other streams than of the named ones stops: the names it has not
            // brought yet are read by name.
            wasteful = ++skipped > passed + 1024;
            return !wasteful;
        }
        ++passed;
        stopped = !m_to.row(event);
        return !stopped;
    }
    bool wantsIds() const override { return m_to.wantsIds(); }
    bool wantsMetadata() const override { return m_to.wantsMetadata(); }

    QSet<QByteArray> seen;
    qint64 passed = 0;
    qint64 skipped = 0;
    bool stopped = false; // by the receiver
    bool wasteful = false; // by the skipped rows

private:
    RawEventReceiver& m_to;
    const QSet<QByteArray>& m_wanted;
    QByteArray m_current;
    bool m_passing = false;
};

} // namespace

void SqliteStore::readRawStreams(const QStringList& streams, RawEventReceiver& receiver)
{
    if (streams.isEmpty())
        return;
    const EventColumns columns = columnsFor(receiver);
    const auto fail = [this](int rc, const QString& context) { throwSqlite(rc, context); };
    RawRows rawRows(m_db, m_profile, columns, columns.ids && m_sql->packedMetadata(), fail);
    qint64 rows = 0;
    qint64 left = -1;
    QStringList byName = streams;
    // A page of names that lie together (the names of a category or a prefix, as the stream list pages them) is read
    // as ONE range of the stream index: one seek instead of one per name, which saves about a tenth of the read. The
    // rows of other streams in the range are skipped; a name the range did not bring (another collation orders it
    // elsewhere, it has no events, or the range stopped because it skipped more rows than it kept) is read by name
    // after; once a range has stopped so, names only.
    if (streams.size() >= 8 && !m_rangesWasteful) {
        QSet<QByteArray> wanted;
        QByteArray first, last;
        for (const QString& name : streams) {
            const QByteArray bytes = name.toUtf8();
            if (first.isNull() || bytes < first)
                first = bytes;
            if (last.isNull() || bytes > last)
                last = bytes;
            wanted.insert(bytes);
        }
        WantedStreams filter(receiver, wanted);
        const SqlStatement st
            = streamRangeEventsSql(*m_sql, QString::fromUtf8(first), QString::fromUtf8(last), columns);
        {
            Statement statement(prepare(st.sql));
            bindRawValues(statement.get(), st.values, fail);
            rawRows.run(statement.get(), filter, rows, left);
        }
        if (filter.stopped)
            return;
        if (filter.wasteful)
            m_rangesWasteful = true;
        byName.clear();
        for (const QString& name : streams) {
            if (!filter.seen.contains(name.toUtf8()))
                byName.append(name);
        }
        if (byName.isEmpty())
            return;
    }
    const SqlStatement st = streamsEventsSql(*m_sql, byName, columns);
    Statement statement(prepare(st.sql));
    bindRawValues(statement.get(), st.values, fail);
    rawRows.run(statement.get(), receiver, rows, left);
}

} // namespace es
