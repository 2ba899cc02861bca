// PgStore::readRaw: scopes with no user-typed predicate (the global log, a position range, one stream or category)
// stream their rows with COPY (SELECT …) TO STDOUT; filtered scopes read a cursor in batches. Each row's fields are
// handed over as views.
//
// Everything runs in one transaction begun READ ONLY, each statement through the extended protocol (one statement per
// call), and the session's read-only default is checked after it (PgSession::guardReadOnly). COPY takes no parameters,
// so its values are spliced in as literals quoted by the connection's own escaping (PQescapeStringConn through
// pqxx::transaction_base::quote, which knows the encoding and standard_conforming_strings): integers we formatted
// ourselves, and for a stream or category its name. Filters with user-typed text (types, payload text, JSON conditions)
// keep the cursor and bound parameters. COPY runs in keyset chunks so that the statement timeout bounds a chunk, not
// the whole export; interrupt() cancels the COPY or FETCH running. The COPY data is received by a thread of its own
// (CopyReader) so the server never waits while rows are formatted and written, and in the binary format when every
// column has a type decoded here (it spares the server the text output and escaping of every field): the timestamp is
// then formatted here as the to_char text events() reads.
#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"
#include "sql/sqlbuilder.h"
#include "sql/streamsql.h"

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <QtEndian>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

namespace es {

namespace {

constexpr int RawFetchRows = 10000;

constexpr int CopyChunkRows = 250000;
constexpr int Columns = 12;
constexpr qsizetype CopyBlockBytes = 1 << 20;
constexpr size_t CopyQueuedBlocks = 8;

// Receives a COPY … TO STDOUT started on `conn` on a thread of its own, so that the server keeps sending while the
// caller formats and writes: rows (each ending in a newline) are gathered into blocks of about a megabyte, with at
// most a few waiting. Only this thread touches the connection until finish() returns.
class CopyReader {
public:
    CopyReader(PGconn* conn, std::function<void()> cancel)
        : m_conn(conn)
        , m_cancel(std::move(cancel))
    {
        m_thread = std::thread([this] { run(); });
    }
    ~CopyReader() { stop(); }
    CopyReader(const CopyReader&) = delete;
    CopyReader& operator=(const CopyReader&) = delete;

    // The next block in `block` (whose buffer is kept for reuse); false when the COPY has ended.
    bool next(QByteArray& block)
    {
        std::unique_lock lock(m_mutex);
        if (!block.isNull()) {
            block.truncate(0);
            m_spare.push_back(std::move(block));
            block = QByteArray();
        }
        m_changed.wait(lock, [this] { return !m_full.empty() || m_done; });
        if (m_full.empty())
            return false;
        block = std::move(m_full.front());
        m_full.pop_front();
        m_changed.notify_all();
        return true;
    }
    // Cancels the statement and waits for its end, dropping what still arrives.
    void stop()
    {
        bool running = false;
        {
            std::lock_guard lock(m_mutex);
            running = !m_done;
            m_stopped = true;
            m_full.clear();
        }
        m_changed.notify_all();
        if (running)
            m_cancel();
        finish();
    }
    // Waits for the end of the COPY.
    void finish()
    {
        if (m_thread.joinable())
            m_thread.join();
    }
    // After finish(): throws what the COPY ended with, as libpqxx would have.
    void check(const std::string& sql) const
    {
        if (m_error.empty())
            return;
        if (m_broken)
            throw pqxx::broken_connection(m_error);
        throw pqxx::sql_error(m_error, sql, m_sqlState.empty() ? nullptr : m_sqlState.c_str());
    }

private:
    void run()
    {
        QByteArray block;
        block.reserve(CopyBlockBytes + 65536);
        char* data = nullptr;
        int n = 0;
        while ((n = PQgetCopyData(m_conn, &data, 0)) > 0) {
            block.append(data, n);
            PQfreemem(data);
            if (block.size() >= CopyBlockBytes)
                hand(block);
        }
        if (n == -2)
            m_error = PQerrorMessage(m_conn);
        while (PGresult* r = PQgetResult(m_conn)) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK && m_error.empty()) {
                m_error = PQresultErrorMessage(r);
                const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                m_sqlState = state ? state : "";
            }
            PQclear(r);
        }
        m_broken = !m_error.empty() && PQstatus(m_conn) == CONNECTION_BAD;
        if (!block.isEmpty())
            hand(block);
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_changed.notify_all();
    }
    // Queues `block` (waiting while the queue is full) and replaces it with an empty one.
    void hand(QByteArray& block)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_full.size() < CopyQueuedBlocks || m_stopped; });
        if (m_stopped) {
            block.truncate(0);
            return;
        }
        m_full.push_back(std::move(block));
        if (!m_spare.empty()) {
            block = std::move(m_spare.back());
            m_spare.pop_back();
        } else {
            block = QByteArray();
            block.reserve(CopyBlockBytes + 65536);
        }
        m_changed.notify_all();
    }

    PGconn* m_conn;
    std::function<void()> m_cancel;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<QByteArray> m_full;
    std::vector<QByteArray> m_spare;
    bool m_done = false;
    bool m_stopped = false;
    // Written by the reading thread before it ends, read after finish().
    std::string m_error;
    std::string m_sqlState;
    bool m_broken = false;
};

qint64 integer(QByteArrayView f)
{
    if (f.data() == nullptr)
        return -1;
    const char* p = f.data();
    const char* end = p + f.size();
    const bool negative = p < end && *p == '-';
    if (negative)
        ++p;
    qint64 v = 0;
    for (; p < end && *p >= '0' && *p <= '9'; ++p)
        v = v * 10 + (*p - '0');
    return negative ? -v : v;
}

QByteArrayView view(const pqxx::field& f)
{
    return f.is_null() ? QByteArrayView() : QByteArrayView(f.c_str(), qsizetype(f.size()));
}

// One field of COPY's text format: \\N is NULL; backslash escapes are decoded into `buffer` only when there are any.
QByteArrayView copyField(const char* begin, const char* end, QByteArray& buffer)
{
    const qsizetype n = end - begin;
    if (n == 2 && begin[0] == '\\' && begin[1] == 'N')
        return QByteArrayView();
    if (!std::memchr(begin, '\\', size_t(n)))
        return QByteArrayView(begin, n);
    buffer.resize(n);
    char* out = buffer.data();
    const char* p = begin;
    auto digit = [](char c, int base) {
        const int d = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'         ? c - 'a' + 10
            : c >= 'A' && c <= 'F'         ? c - 'A' + 10
                                           : 99;
        return d < base ? d : -1;
    };
    while (p < end) {
        char c = *p++;
        if (c == '\\' && p < end) {
            c = *p++;
            switch (c) {
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case 'v':
                c = '\v';
                break;
            case 'x':
                if (p < end && digit(*p, 16) >= 0) {
                    int v = digit(*p++, 16);
                    if (p < end && digit(*p, 16) >= 0)
                        v = v * 16 + digit(*p++, 16);
                    c = char(v);
                }
                break;
            default:
                if (digit(c, 8) >= 0) {
                    int v = digit(c, 8);
                    for (int i = 0; i < 2 && p < end && digit(*p, 8) >= 0; ++i)
                        v = v * 8 + digit(*p++, 8);
                    c = char(v);
                }
                break;
            }
        }
        *out++ = c;
    }
    buffer.truncate(out - buffer.constData());
    return QByteArrayView(buffer.constData(), buffer.size());
}

// Replaces $1, $2… outside quoted literals and identifiers with `literals`.
std::string inlineParams(const std::string& sql, const std::vector<std::string>& literals)
{
    std::string out;
    out.reserve(sql.size() + 64);
    for (size_t i = 0; i < sql.size();) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            const size_t close = sql.find(c, i + 1);
            const size_t stop = close == std::string::npos ? sql.size() : close + 1;
            out.append(sql, i, stop - i);
            i = stop;
        } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            size_t j = i + 1;
            size_t n = 0;
            for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j)
                n = n * 10 + size_t(sql[j] - '0');
            Q_ASSERT(n >= 1 && n <= literals.size());
            out += literals.at(n - 1);
            i = j;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

// A bytea field decoded by libpq into `buffer`. Cursor rows end in a NUL; a COPY text field of bytea always holds
// backslashes, so copyField() has decoded it into a buffer of its own, which does too.
QByteArrayView decodeBytea(QByteArrayView text, QByteArray& buffer)
{
    if (text.data()[text.size()] == '\0') {
        unescapeBytea(text.data(), buffer);
    } else {
        const QByteArray terminated(text.data(), text.size());
        unescapeBytea(terminated.constData(), buffer);
    }
    return QByteArrayView(buffer.constData(), buffer.size());
}

// Whether `json` could hold one of the keys at all: pickCorrelation() parses the document only when it does.
bool mentionsAny(QByteArrayView json, const QList<QByteArray>& quotedKeys)
{
    for (const QByteArray& key : quotedKeys) {
        if (json.contains(key))
            return true;
    }
    return false;
}

// How readRaw decodes each column of COPY's binary format; columns of any other type make it read text instead.
enum class BinaryField { Skip, Integer, Text, Bytes, Timestamp };

std::optional<std::array<BinaryField, Columns>> binaryFields(const pqxx::result& r)
{
    // Type OIDs as fixed in PostgreSQL's pg_type.dat.
    constexpr pqxx::oid Bytea = 17, Name = 19, Int8 = 20, Int2 = 21, Int4 = 23, Text = 25, Json = 114, Bpchar = 1042,
                        Varchar = 1043, Timestamp = 1114, TimestampTz = 1184;
    if (r.columns() != Columns)
        return std::nullopt;
    std::array<BinaryField, Columns> fields {};
    for (int c = 0; c < Columns; ++c) {
        const pqxx::oid type = r.column_type(c);
        BinaryField& f = fields[size_t(c)];
        if (c == 7 || c == 9)
            f = BinaryField::Skip;
        else if (type == Int8 || type == Int4 || type == Int2)
            f = c == 0 || c == 2 ? BinaryField::Integer : BinaryField::Skip;
        else if (type == Text || type == Varchar || type == Bpchar || type == Name || type == Json)
            f = c == 0 || c == 2 ? BinaryField::Skip : BinaryField::Text;
        else if (type == Bytea && (c == 6 || c == 8))
            f = BinaryField::Bytes;
        else if ((type == Timestamp || type == TimestampTz) && c == 4)
            f = BinaryField::Timestamp; // the same microseconds; the session is in UTC
        if (f == BinaryField::Skip && c != 7 && c != 9)
            return std::nullopt;
    }
    return fields;
}

void appendDigits(QByteArray& out, qint64 v, int width)
{
    char buf[24];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = char('0' + v % 10);
        v /= 10;
    } while (v > 0 || end - p < width);
    out.append(p, end - p);
}

// The proleptic Gregorian date of a day counted from 1970-01-01, year 0 being 1 BC as PostgreSQL counts. std::chrono's
// calendar covers the years -32767..32767 and PostgreSQL's timestamps reach 294276, so the day is first moved by whole
// 400-year cycles (146097 days each, after which the calendar repeats) into the years 1970..2369.
std::chrono::year_month_day civilDay(qint64 daysSince1970, qint64* cycleYears)
{
    constexpr qint64 CycleDays = 146097;
    qint64 cycles = daysSince1970 / CycleDays;
    if (daysSince1970 % CycleDays < 0)
        --cycles;
    *cycleYears = cycles * 400;
    return std::chrono::year_month_day { std::chrono::sys_days {
        std::chrono::days { daysSince1970 - cycles * CycleDays } } };
}

// A timestamp's binary value (microseconds from 2000-01-01) as events() reads it, the text of
// to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') in a UTC session: years at least four digits and without BC, six
// fraction digits; false for the infinities, where to_char gives NULL.
bool appendToCharTimestamp(QByteArray& out, qint64 us)
{
    using namespace std::chrono;
    if (us == std::numeric_limits<qint64>::max() || us == std::numeric_limits<qint64>::min())
        return false;
    constexpr sys_days PgEpoch = 2000y / January / 1;
    const microseconds t { us };
    const days wholeDays = floor<days>(t);
    qint64 cycleYears = 0;
    const year_month_day date = civilDay((PgEpoch + wholeDays).time_since_epoch().count(), &cycleYears);
    const qint64 year = int(date.year()) + cycleYears;
    const hh_mm_ss<microseconds> clock { t - wholeDays };
    appendDigits(out, year > 0 ? year : 1 - year, 4);
    out.append('-');
    appendDigits(out, unsigned(date.month()), 2);
    out.append('-');
    appendDigits(out, unsigned(date.day()), 2);
    out.append('T');
    appendDigits(out, clock.hours().count(), 2);
    out.append(':');
    appendDigits(out, clock.minutes().count(), 2);
    out.append(':');
    appendDigits(out, clock.seconds().count(), 2);
    out.append('.');
    appendDigits(out, clock.subseconds().count(), 6);
    out.append('Z');
    return true;
}

} // namespace

bool PgStore::readRaw(const EventQuery& query, RawEventReceiver& receiver)
{
    if (query.backward)
        return false;
    return readRawRows(query, nullptr, receiver);
}

// A page of streams: one statement with the names bound as parameters, read through the cursor.
void PgStore::readRawStreams(const QStringList& streams, RawEventReceiver& receiver)
{
    EventQuery all;
    all.limit = 0;
    if (!streams.isEmpty())
        readRawRows(all, &streams, receiver);
}

bool PgStore::readRawRows(const EventQuery& query, const QStringList* streams, RawEventReceiver& receiver)
{
    const SqlBuilder::Kinds& kinds = m_sql->kinds();
    const Profile::Events& e = m_profile.events;
    // A reader without ids (a fold) gets no ids, and metadata only when it reads it.
    EventColumns columns;
    columns.ids = receiver.wantsIds();
    columns.metadata = columns.ids || receiver.wantsMetadata();
    const bool withIds = columns.ids;
    const QString select = SqlBuilder::render(m_sql->selectEvent(columns), SqlDialect::Postgres);
    const QString timeText = m_sql->timeText();
    // `rawTime`: the timestamp column itself in place of its to_char text, for the binary COPY.
    auto statement = [&](const EventQuery& scope, std::vector<QVariant>* values, bool rawTime) {
        const SqlStatement st = streams ? streamsEventsSql(*m_sql, *streams, columns)
                                        : m_sql->eventsPage(scope, true, std::nullopt, columns);
        QString sql = SqlBuilder::render(st.sql, SqlDialect::Postgres);
        if (rawTime && !e.time.isEmpty() && kinds.time == SqlValueKind::Timestamp && sql.startsWith(select)) {
            QString columns = select;
            columns.replace(timeText, SqlBuilder::paren(e.time));
            sql = columns + sql.mid(select.size());
        }
        values->assign(st.values.begin(), st.values.end());
        return sql.toStdString();
    };
    EventQuery scope = query;
    scope.limit = 0;
    scope.scanWindow = 0;
    std::vector<QVariant> values;
    const std::string sql = statement(scope, &values, false);

    // Only our own integers and, for a stream or category, its name go into a COPY.
    bool copy = !streams && query.limit <= 0 && !query.filter.hasPredicates();
    for (const QVariant& v : values) {
        switch (v.typeId()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
        case QMetaType::QString:
            break;
        default:
            copy = false;
        }
    }

    const bool pickInClient = withIds && kinds.metadata != SqlValueKind::Json
        && !(m_profile.correlationKeys.isEmpty() && m_profile.causationKeys.isEmpty());
    QList<QByteArray> quotedKeys;
    for (const QString& key : m_profile.correlationKeys + m_profile.causationKeys) {
        QByteArray quoted;
        appendJsonString(quoted, QStringView(key));
        quotedKeys.append(quoted);
    }

    QByteArray dataBuffer;
    QByteArray metadataBuffer;
    QByteArray correlation;
    QByteArray causation;
    RawEvent ev;
    // Fills `ev` from one row's columns and hands it over; false when the receiver wants no more.
    // `binary`: integers and bytea come from COPY's binary format (the views at 0 and 2 are unused).
    auto deliver = [&](const std::array<QByteArrayView, Columns>& col, qint64 position, qint64 version, bool binary) {
        ev.position = binary ? position : integer(col[0]);
        ev.stream = col[1];
        ev.version = binary ? version : integer(col[2]);
        ev.type = col[3];
        ev.time = col[4];
        ev.id = col[5];
        auto payload = [&](int c, SqlValueKind kind, QByteArray& buffer, QByteArrayView* bytes) {
            if (col[c].data() == nullptr) {
                *bytes = {};
                return Payload::Encoding::Null;
            }
            *bytes = col[c];
            if (kind == SqlValueKind::Bytes && !binary)
                *bytes = decodeBytea(*bytes, buffer);
            return rawPayloadEncoding(
                *bytes, kind == SqlValueKind::Json ? RawPayloadHint::Json : RawPayloadHint::Unknown);
        };
        ev.dataEncoding = payload(6, kinds.data, dataBuffer, &ev.data);
        ev.metadataEncoding = payload(8, kinds.metadata, metadataBuffer, &ev.metadata);
        ev.correlationId = col[10];
        ev.causationId = col[11];
        if (pickInClient && ev.metadataEncoding == Payload::Encoding::Json && mentionsAny(ev.metadata, quotedKeys)) {
            Event picked;
            picked.metadata = Payload::json(QByteArray(ev.metadata.data(), ev.metadata.size()));
            picked.correlationId = QString::fromUtf8(ev.correlationId);
            picked.causationId = QString::fromUtf8(ev.causationId);
            pickCorrelation(picked, m_profile.correlationKeys, m_profile.causationKeys);
            correlation = picked.correlationId.toUtf8();
            causation = picked.causationId.toUtf8();
            ev.correlationId = correlation;
            ev.causationId = causation;
        }
        return receiver.row(ev);
    };
    const bool byVersion = query.filter.isStream();
    auto keyOf = [&] { return byVersion ? ev.version : ev.position; };

    std::exception_ptr receiverError;
    m_session.clearCancelled();
    const std::shared_ptr<void> running = m_session.markRunning();
    try {
        if (!m_session.isConnected())
            m_session.connect();
        m_session.guardReadOnly();
        pqxx::read_transaction tx(m_session.connection());
        tx.exec0("SET LOCAL DateStyle = 'ISO, YMD'");
        tx.exec0("SET LOCAL bytea_output = 'hex'");
        bool complete = false;
        if (copy) {
            std::array<QByteArray, Columns> buffers;
            std::array<QByteArrayView, Columns> col;
            QByteArray block;
            QByteArray carry; // the start of a row that continues in the next block
            EventQuery chunk = scope;
            chunk.limit = CopyChunkRows;
            auto cancelCopy = [this] {
                if (const std::function<void()> cancel = m_session.canceller())
                    cancel();
            };
            std::optional<std::array<BinaryField, Columns>> binary;
            bool described = false;
            qint64 count = 0;
            bool stopped = false;
            auto take = [&](qint64 position, qint64 version) {
                ++count;
                try {
                    stopped = !deliver(col, position, version, binary.has_value())
                        || (count % 10000 == 0 && !receiver.reached(keyOf()));
                } catch (...) {
                    receiverError = std::current_exception();
                    stopped = true;
                }
            };
            // Each parser hands over the whole rows at the front of [p, end) and returns where the rest begins.
            auto parseText = [&](const char* p, const char* end) {
                while (!stopped && p < end) {
                    // Newlines inside fields are escaped, so the next one ends the row.
                    const char* newline = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
                    if (!newline)
                        break;
                    for (int c = 0; c < Columns; ++c) {
                        const char* tab = c + 1 < Columns
                            ? static_cast<const char*>(std::memchr(p, '\t', size_t(newline - p)))
                            : nullptr;
                        const char* stop = tab ? tab : newline;
                        col[size_t(c)] = copyField(p, stop, buffers[size_t(c)]);
                        p = tab ? tab + 1 : newline;
                    }
                    p = newline + 1;
                    take(-1, -1);
                }
                return p;
            };
            bool header = true;
            bool trailer = false;
            auto parseBinary = [&](const char* p, const char* end) {
                static constexpr char Signature[] = "PGCOPY\n\377\r\n";
                if (header) {
                    if (end - p < 19)
                        return p;
                    const qint32 extension = qFromBigEndian<qint32>(p + 15);
                    if (std::memcmp(p, Signature, 11) != 0 || extension < 0)
                        throw pqxx::internal_error("unexpected COPY binary header");
                    if (end - p < 19 + extension)
                        return p;
                    p += 19 + extension;
                    header = false;
                }
                while (!stopped && !trailer && end - p >= 2) {
                    const qint16 fields = qFromBigEndian<qint16>(p);
                    if (fields == -1) {
                        trailer = true;
                        return end;
                    }
                    if (fields != Columns)
                        throw pqxx::internal_error("unexpected COPY binary row");
                    const char* q = p + 2;
                    qint64 position = -1;
                    qint64 version = -1;
                    bool whole = true;
                    for (int c = 0; c < Columns && whole; ++c) {
                        if (end - q < 4) {
                            whole = false;
                            break;
                        }
                        const qint32 n = qFromBigEndian<qint32>(q);
                        q += 4;
                        if (n > end - q) {
                            whole = false;
                            break;
                        }
                        QByteArrayView& v = col[size_t(c)];
                        if (n < 0) {
                            v = QByteArrayView();
                            continue;
                        }
                        v = QByteArrayView(q, n);
                        switch ((*binary)[size_t(c)]) {
                        case BinaryField::Integer: {
                            const qint64 i = n == 8 ? qFromBigEndian<qint64>(q)
                                : n == 4            ? qFromBigEndian<qint32>(q)
                                : n == 2            ? qFromBigEndian<qint16>(q)
                                                    : -1;
                            (c == 0 ? position : version) = i;
                            break;
                        }
                        case BinaryField::Timestamp: {
                            QByteArray& text = buffers[size_t(c)];
                            text.truncate(0);
                            v = n == 8 && appendToCharTimestamp(text, qFromBigEndian<qint64>(q))
                                ? QByteArrayView(text.constData(), text.size())
                                : QByteArrayView();
                            break;
                        }
                        case BinaryField::Skip:
                        case BinaryField::Text:
                        case BinaryField::Bytes:
                            break;
                        }
                        q += n;
                    }
                    if (!whole)
                        break;
                    p = q;
                    take(position, version);
                }
                return p;
            };
            bool more = true;
            while (more) {
                auto rowsSql = [&](bool rawTime) {
                    std::vector<std::string> literals;
                    const std::string chunkSql = statement(chunk, &values, rawTime);
                    for (const QVariant& v : values) {
                        // What pqxx's quote() does: PQescapeStringConn knows the encoding and
                        // standard_conforming_strings.
                        std::string literal(1, '\'');
                        literal += tx.esc(toParam(v));
                        literal += '\'';
                        literals.push_back(std::move(literal));
                    }
                    return inlineParams(chunkSql, literals);
                };
                // The binary format spares the server its text output and escaping of every field, and us the
                // unescaping; it is used when every column has a type decoded here.
                // Both go through the extended protocol (PQexecParams), which runs exactly one statement: a ';' in a
                // mapping expression cannot smuggle in a second one (a COMMIT ending the read-only transaction, say).
                if (!described) {
                    binary = binaryFields(tx.exec_params("SELECT * FROM (" + rowsSql(true) + ") es_raw LIMIT 0"));
                    described = true;
                }
                const std::string copySql = binary ? "COPY (" + rowsSql(true) + ") TO STDOUT (FORMAT binary)"
                                                   : "COPY (" + rowsSql(false) + ") TO STDOUT";
                tx.exec_params(copySql);
                CopyReader reader(m_session.connection().rawHandle(), cancelCopy);
                const qint64 countBefore = count;
                header = true;
                trailer = false;
                carry.truncate(0);
                while (!stopped && reader.next(block)) {
                    const QByteArray& data = carry.isEmpty() ? block : carry.append(block);
                    const char* end = data.constData() + data.size();
                    const char* rest = binary ? parseBinary(data.constData(), end) : parseText(data.constData(), end);
                    if (rest == end)
                        carry.truncate(0);
                    else if (&data == &carry)
                        carry.remove(0, rest - carry.constData());
                    else
                        carry = QByteArray(rest, end - rest);
                }
                if (stopped) {
                    // The rest is not wanted: cancel the COPY rather than read it to the end.
                    reader.stop();
                    break;
                }
                reader.finish();
                reader.check(copySql);
                if (!carry.isEmpty() || (binary && !trailer))
                    throw pqxx::internal_error("COPY data ended inside a row");
                const qint64 rows = count - countBefore;
                more = rows >= CopyChunkRows;
                if (more) {
                    chunk.from = keyOf() + 1;
                    more = receiver.reached(keyOf());
                }
                complete = !more;
            }
        } else {
            std::vector<std::string> params;
            params.reserve(values.size());
            for (const QVariant& v : values)
                params.push_back(toParam(v));
            tx.exec_params("DECLARE es_raw NO SCROLL CURSOR FOR " + sql, pqxx::prepare::make_dynamic_params(params));
            // A small limit fetches no more than it needs: every row may cost the server (expressions, TOAST).
            qint64 left = query.limit > 0 ? query.limit : -1;
            const int batch = left > 0 && left < RawFetchRows ? int(left) : RawFetchRows;
            const std::string fetch = "FETCH " + std::to_string(batch) + " FROM es_raw";
            // The next batch is fetched while this one is written: the server and the writer work at the same time,
            // as with COPY. Only the fetching thread touches the connection until get() returns.
            auto fetchNext
                = [&tx, &fetch] { return std::async(std::launch::async, [&tx, &fetch] { return tx.exec(fetch); }); };
            std::future<pqxx::result> next = fetchNext();
            std::array<QByteArrayView, Columns> col;
            bool more = true;
            while (more) {
                const pqxx::result r = next.get();
                more = r.size() == size_t(batch);
                complete = !more;
                if (more)
                    next = fetchNext();
                try {
                    for (const pqxx::row& row : r) {
                        for (int c = 0; c < Columns; ++c)
                            col[size_t(c)] = view(row[c]);
                        if (!deliver(col, -1, -1, false) || (left > 0 && --left == 0)) {
                            more = false;
                            complete = left == 0;
                            break;
                        }
                    }
                    if (more && !receiver.reached(keyOf()))
                        more = false;
                } catch (...) {
                    receiverError = std::current_exception();
                    break;
                }
            }
            if (next.valid())
                next.wait();
        }
        // A read stopped early ends with the transaction's abort (it wrote nothing).
        if (complete && !receiverError)
            tx.commit();
    } catch (const StoreError&) {
        throw;
    } catch (const std::exception&) {
        m_session.rethrow();
    }
    // Outside the transaction: it closes the connection when an expression switched the read-only default off.
    m_session.guardReadOnly();
    if (receiverError)
        std::rethrow_exception(receiverError);
    return true;
}

} // namespace es
