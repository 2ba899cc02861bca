// PgStore::readRaw: a cursor over the whole scope, fetched in batches, each row's fields handed over as views.
//
// Why a cursor and not COPY: COPY takes no parameters, so every stream name, type or payload text of a filter would
// have to be spliced into the SQL; a cursor keeps them bound. Each FETCH is its own statement, so the statement
// timeout bounds a batch rather than the whole export, and interrupt() cancels the FETCH running.
#include "pgconnection_p.h"
#include "pgstore.h"
#include "sqlbuilder.h"

#include <pqxx/pqxx>

#include <exception>
#include <future>

namespace es {

namespace {

constexpr int RawFetchRows = 10000;

std::string paramText(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Bool:
        return v.toBool() ? "true" : "false";
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return std::to_string(v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return QString::number(v.toDouble(), 'g', 17).toStdString();
    case QMetaType::QByteArray:
        return v.toByteArray().toStdString();
    default:
        return v.toString().toStdString();
    }
}

qint64 integer(const pqxx::field& f)
{
    if (f.is_null())
        return -1;
    const char* p = f.c_str();
    const bool negative = *p == '-';
    if (negative)
        ++p;
    qint64 v = 0;
    for (; *p >= '0' && *p <= '9'; ++p)
        v = v * 10 + (*p - '0');
    return negative ? -v : v;
}

QByteArrayView view(const pqxx::field& f)
{
    return f.is_null() ? QByteArrayView() : QByteArrayView(f.c_str(), qsizetype(f.size()));
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
    EventQuery scope = query;
    scope.limit = 0;
    scope.scanWindow = 0;
    const SqlStatement st = m_sql->eventsPage(scope, true, std::nullopt);
    const SqlBuilder::Kinds& kinds = m_sql->kinds();
    const Profile::Events& e = m_profile.events;
    QString sql = SqlBuilder::render(st.sql, SqlDialect::Postgres);
    const QString select = SqlBuilder::render(m_sql->selectEvent(), SqlDialect::Postgres);
    if (!e.time.isEmpty() && kinds.time == SqlValueKind::Timestamp && sql.startsWith(select)) {
        // The server's own timestamp text (ISO DateStyle, UTC session) reads the same and costs less than to_char.
        QString columns = select;
        columns.replace(
            QStringLiteral("to_char(%1, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").arg(SqlBuilder::paren(e.time)),
            SqlBuilder::paren(e.time));
        sql = columns + sql.mid(select.size());
    }
    std::vector<std::string> params;
    params.reserve(size_t(st.values.size()));
    for (const QVariant& v : st.values)
        params.push_back(paramText(v));

    const bool pickInClient = kinds.metadata != SqlValueKind::Json
        && !(m_profile.correlationKeys.isEmpty() && m_profile.causationKeys.isEmpty());
    QList<QByteArray> quotedKeys;
    for (const QString& key : m_profile.correlationKeys + m_profile.causationKeys) {
        QByteArray quoted;
        appendJsonString(quoted, QStringView(key));
        quotedKeys.append(quoted);
    }

    std::exception_ptr receiverError;
    m_cancelled = false;
    try {
        if (!m_conn)
            connect();
        pqxx::read_transaction tx(m_conn->conn);
        tx.exec0("SET LOCAL DateStyle = 'ISO, YMD'");
        tx.exec0("SET LOCAL bytea_output = 'hex'");
        tx.exec_params(
            "DECLARE es_raw NO SCROLL CURSOR FOR " + sql.toStdString(), pqxx::prepare::make_dynamic_params(params));
        // A small limit fetches no more than it needs: every row may cost the server (expressions, TOAST).
        qint64 left = query.limit > 0 ? query.limit : -1;
        const int batch = left > 0 && left < RawFetchRows ? int(left) : RawFetchRows;
        const std::string fetch = "FETCH " + std::to_string(batch) + " FROM es_raw";
        QByteArray dataBuffer;
        QByteArray metadataBuffer;
        QByteArray correlation;
        QByteArray causation;
        RawEvent ev;
        // The next batch is fetched while this one is written: the server and the writer work at the same time, as
        // with COPY. Only the fetching thread touches the connection until get() returns.
        auto fetchNext
            = [&tx, &fetch] { return std::async(std::launch::async, [&tx, &fetch] { return tx.exec(fetch); }); };
        std::future<pqxx::result> next = fetchNext();
        bool more = true;
        bool complete = false;
        while (more) {
            const pqxx::result r = next.get();
            more = r.size() == size_t(batch);
            complete = !more;
            if (more)
                next = fetchNext();
            try {
                for (const pqxx::row& row : r) {
                    ev.position = integer(row[0]);
                    ev.stream = view(row[1]);
                    ev.version = integer(row[2]);
                    ev.type = view(row[3]);
                    ev.time = view(row[4]);
                    ev.id = view(row[5]);
                    auto payload = [&](int col, SqlValueKind kind, QByteArray& buffer, QByteArrayView* bytes) {
                        const pqxx::field f = row[col];
                        if (f.is_null()) {
                            *bytes = {};
                            return Payload::Encoding::Null;
                        }
                        *bytes = view(f);
                        if (kind == SqlValueKind::Bytes)
                            *bytes = unescapeBytea(*bytes, buffer);
                        return rawPayloadEncoding(
                            *bytes, kind == SqlValueKind::Json ? RawPayloadHint::Json : RawPayloadHint::Unknown);
                    };
                    ev.dataEncoding = payload(6, kinds.data, dataBuffer, &ev.data);
                    ev.metadataEncoding = payload(8, kinds.metadata, metadataBuffer, &ev.metadata);
                    ev.correlationId = view(row[10]);
                    ev.causationId = view(row[11]);
                    if (pickInClient && ev.metadataEncoding == Payload::Encoding::Json
                        && mentionsAny(ev.metadata, quotedKeys)) {
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
                    if (!receiver.row(ev) || (left > 0 && --left == 0)) {
                        more = false;
                        complete = left == 0;
                        break;
                    }
                }
                if (more && !receiver.reached(query.filter.isStream() ? ev.version : ev.position))
                    more = false;
            } catch (...) {
                receiverError = std::current_exception();
                break;
            }
        }
        if (next.valid())
            next.wait();
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
