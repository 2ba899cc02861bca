// PgStore::readRaw: scopes with no user-typed predicate (the global log, a position range, one stream or category)
// stream their rows with COPY (SELECT …) TO STDOUT; filtered scopes read a cursor in batches. Each row's fields are
// handed over as views.
//
// COPY takes no parameters, so its values are spliced in as literals quoted by the connection's own escaping
// (PQescapeStringConn through pqxx::transaction_base::quote, which knows the encoding and standard_conforming_strings):
// integers we formatted ourselves, and for a stream or category its name. Filters with user-typed text (types, payload
// text, JSON conditions) keep the cursor and bound parameters. COPY runs in keyset chunks so that the statement
// timeout bounds a chunk, not the whole export; interrupt() cancels the COPY or FETCH running.
#include "pgconnection_p.h"
#include "pgstore.h"
#include "sqlbuilder.h"

#include <pqxx/pqxx>

#include <array>
#include <cstring>
#include <exception>
#include <future>

namespace es {

namespace {

constexpr int RawFetchRows = 10000;

constexpr int CopyChunkRows = 250000;
constexpr int Columns = 12;

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

// bytea in the hex output form (set for the transaction), decoded into `buffer`.
QByteArrayView unescapeBytea(QByteArrayView text, QByteArray& buffer)
{
    if (text.size() < 2 || text[0] != '\\' || text[1] != 'x')
        return text;
    buffer = QByteArray::fromHex(QByteArray::fromRawData(text.data() + 2, text.size() - 2));
    return QByteArrayView(buffer.constData() ? buffer.constData() : "", buffer.size());
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

} // namespace

bool PgStore::readRaw(const EventQuery& query, RawEventReceiver& receiver)
{
    if (query.backward)
        return false;
    const SqlBuilder::Kinds& kinds = m_sql->kinds();
    const Profile::Events& e = m_profile.events;
    const QString select = SqlBuilder::render(m_sql->selectEvent(), SqlDialect::Postgres);
    const QString timeText
        = QStringLiteral("to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").arg(SqlBuilder::paren(e.time));
    auto statement = [&](const EventQuery& scope, std::vector<QVariant>* values) {
        const SqlStatement st = m_sql->eventsPage(scope, true, std::nullopt);
        QString sql = SqlBuilder::render(st.sql, SqlDialect::Postgres);
        if (!e.time.isEmpty() && kinds.time == SqlValueKind::Timestamp && sql.startsWith(select)) {
            // The server's own timestamp text (ISO DateStyle, UTC session) reads the same and costs less than to_char.
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
    const std::string sql = statement(scope, &values);

    // Only our own integers and, for a stream or category, its name go into a COPY.
    bool copy = query.limit <= 0 && !query.filter.hasPredicates();
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

    const bool pickInClient = kinds.metadata != SqlValueKind::Json
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
    auto deliver = [&](const std::array<QByteArrayView, Columns>& col) {
        ev.position = integer(col[0]);
        ev.stream = col[1];
        ev.version = integer(col[2]);
        ev.type = col[3];
        ev.time = col[4];
        ev.id = col[5];
        auto payload = [&](int c, SqlValueKind kind, QByteArray& buffer, QByteArrayView* bytes) {
            if (col[c].data() == nullptr) {
                *bytes = {};
                return Payload::Encoding::Null;
            }
            *bytes = col[c];
            if (kind == SqlValueKind::Bytes)
                *bytes = unescapeBytea(*bytes, buffer);
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
    m_cancelled = false;
    try {
        if (!m_conn)
            connect();
        pqxx::read_transaction tx(m_conn->conn);
        tx.exec0("SET LOCAL DateStyle = 'ISO, YMD'");
        tx.exec0("SET LOCAL bytea_output = 'hex'");
        bool complete = false;
        if (copy) {
            std::array<QByteArray, Columns> buffers;
            std::array<QByteArrayView, Columns> col;
            std::string line;
            EventQuery chunk = scope;
            chunk.limit = CopyChunkRows;
            bool more = true;
            while (more) {
                std::vector<std::string> literals;
                const std::string chunkSql = statement(chunk, &values);
                for (const QVariant& v : values) {
                    // What pqxx's quote() does: PQescapeStringConn knows the encoding and standard_conforming_strings.
                    std::string literal(1, '\'');
                    literal += tx.esc(toParam(v));
                    literal += '\'';
                    literals.push_back(std::move(literal));
                }
                std::string copySql(1, '(');
                copySql += inlineParams(chunkSql, literals);
                copySql += ')';
                // stream_from runs "COPY <name> TO STDOUT": a parenthesised query in place of the table.
                pqxx::stream_from rows(tx, copySql);
                qint64 count = 0;
                bool stopped = false;
                while (!stopped && rows.get_raw_line(line)) {
                    const char* p = line.data();
                    // Newlines inside fields are escaped, so a last one ends the row.
                    const char* end = p + line.size() - (!line.empty() && line.back() == '\n' ? 1 : 0);
                    for (int c = 0; c < Columns; ++c) {
                        const char* tab = c + 1 < Columns
                            ? static_cast<const char*>(std::memchr(p, '\t', size_t(end - p)))
                            : nullptr;
                        const char* stop = tab ? tab : end;
                        col[size_t(c)] = copyField(p, stop, buffers[size_t(c)]);
                        p = tab ? tab + 1 : end;
                    }
                    ++count;
                    try {
                        stopped = !deliver(col) || (count % 10000 == 0 && !receiver.reached(keyOf()));
                    } catch (...) {
                        receiverError = std::current_exception();
                        stopped = true;
                    }
                }
                if (stopped) {
                    // The rest is not wanted: cancel the COPY rather than read it to the end.
                    try {
                        m_conn->conn.cancel_query();
                        while (rows.get_raw_line(line)) { }
                    } catch (const std::exception&) { }
                    break;
                }
                rows.complete();
                more = count >= CopyChunkRows;
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
                        if (!deliver(col) || (left > 0 && --left == 0)) {
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
        rethrow(QString());
    }
    if (receiverError)
        std::rethrow_exception(receiverError);
    return true;
}

} // namespace es
