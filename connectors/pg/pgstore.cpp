#include "pg/pgstore.h"
#include "pg/pgconnection_p.h"

#include "layouts/layoutdetector.h"
#include "sql/sqlbuilder.h"
#include "sql/storerows_p.h"

#include <QHash>
#include <QMutex>
#include <QThread>

#include <pqxx/pqxx>

#include <unordered_map>

namespace es {

bool PgStore::acceptsAddress(const QString& address)
{
    return PgAddress::looksLikeAddress(address);
}

namespace {

QByteArray unescapeBytea(const char* text, size_t size)
{
    if (size >= 2 && text[0] == '\\' && text[1] == 'x')
        return QByteArray::fromHex(QByteArray::fromRawData(text + 2, qsizetype(size - 2)));
    return QByteArray(text, qsizetype(size));
}

SqlValueKind kindOfType(const QString& type)
{
    if (type == QLatin1String("jsonb") || type == QLatin1String("json"))
        return SqlValueKind::Json;
    if (type == QLatin1String("bytea"))
        return SqlValueKind::Bytes;
    if (type.startsWith(QLatin1String("timestamp")) || type == QLatin1String("date"))
        return SqlValueKind::Timestamp;
    if (type == QLatin1String("bigint") || type == QLatin1String("integer") || type == QLatin1String("numeric")
        || type == QLatin1String("double precision") || type == QLatin1String("smallint")
        || type == QLatin1String("real"))
        return SqlValueKind::Number;
    if (type.isEmpty())
        return SqlValueKind::Unknown;
    return SqlValueKind::Text;
}

constexpr int FetchRows = 10000;

} // namespace

// Reads rows of one statement; a field is text, or raw bytes for bytea.
class PgStore::Rows {
public:
    explicit Rows(const pqxx::row& row)
        : m_row(row)
    { }
    bool isNull(int col) const { return m_row[col].is_null(); }
    qint64 integer(int col, qint64 nullValue = -1) const
    {
        return isNull(col) ? nullValue : qint64(std::strtoll(m_row[col].c_str(), nullptr, 10));
    }
    QString text(int col) const
    {
        return isNull(col) ? QString() : QString::fromUtf8(m_row[col].c_str(), qsizetype(m_row[col].size()));
    }
    QByteArray bytes(int col, bool bytea) const
    {
        if (isNull(col))
            return {};
        const pqxx::field f = m_row[col];
        return bytea ? unescapeBytea(f.c_str(), f.size()) : QByteArray(f.c_str(), qsizetype(f.size()));
    }
    QDateTime time(int col) const
    {
        return isNull(col) ? QDateTime()
                           : parseStoreTime(QByteArrayView(m_row[col].c_str(), qsizetype(m_row[col].size())));
    }

private:
    const pqxx::row& m_row;
};

namespace {

QMutex& cancelMutex()
{
    static QMutex mutex;
    return mutex;
}

constexpr size_t MaxPreparedStatements = 64;

} // namespace

// Runs one statement, collecting rows through `each`. Values travel as untyped text parameters. A prepared
// statement skips parsing and planning on every call after the first few.
void PgStore::execute(pqxx::transaction_base& tx, const SqlStatement& st, bool prepared,
    const std::function<void(const pqxx::row&)>& each)
{
    std::vector<std::string> params;
    params.reserve(size_t(st.values.size()));
    for (const QVariant& v : st.values)
        params.push_back(toParam(v));
    std::string sql = SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString();
    pqxx::result r;
    if (prepared) {
        auto it = m_prepared.find(sql);
        if (it == m_prepared.end()) {
            if (m_prepared.size() >= MaxPreparedStatements) {
                for (const auto& [text, name] : m_prepared)
                    m_conn->conn.unprepare(name);
                m_prepared.clear();
            }
            const std::string name = "es_" + std::to_string(++m_preparedCount);
            m_conn->conn.prepare(name, sql);
            it = m_prepared.emplace(std::move(sql), name).first;
        }
        r = tx.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(params));
    } else {
        r = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    }
    for (const pqxx::row& row : r)
        each(row);
}

PgStore::PgStore(PgAddress address, const OpenOptions& options, const Settings& settings)
    : m_address(std::move(address))
    , m_shownAddress(m_address.redacted())
    , m_options(options)
    , m_settings(settings)
{
    if (options.statementTimeoutMs >= 0)
        m_settings.statementTimeoutMs = options.statementTimeoutMs;
}

PgStore::~PgStore()
{
    QMutexLocker lock(&cancelMutex());
    m_conn.reset();
}

void PgStore::connect()
{
    std::unique_ptr<Connection> conn;
    try {
        conn = std::make_unique<Connection>(m_address.text().toStdString());
        // The session settings below must hold on every backend, so libpqxx may not reconnect behind our back.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        conn->conn.inhibit_reactivation(true);
#pragma GCC diagnostic pop
        pqxx::nontransaction tx(conn->conn);
        tx.exec0("SET default_transaction_read_only = on");
        tx.exec0("SET application_name = 'eventscope'");
        tx.exec0("SET TimeZone = 'UTC'");
        // Short interactive statements: JIT compiling them costs far more than it saves (0.5 s of a 10 ms lag poll).
        tx.exec("SELECT set_config('jit', 'off', false) WHERE current_setting('server_version_num')::int >= 110000");
        tx.exec0("SET statement_timeout = " + std::to_string(std::max(0, m_settings.statementTimeoutMs)));
        if (!m_schema.isEmpty())
            tx.exec0("SET search_path TO " + tx.quote_name(m_schema.toStdString()) + ", public");
    } catch (const std::exception& e) {
        throw StoreError(QStringLiteral("Cannot connect to %1: %2")
                             .arg(m_shownAddress, m_address.scrub(QString::fromUtf8(e.what()).trimmed())),
            StoreError::Kind::Disconnected);
    }
    QMutexLocker lock(&cancelMutex());
    m_conn = std::move(conn);
    m_prepared.clear();
}

int PgStore::backendPid() const
{
    return m_conn ? m_conn->conn.backendpid() : 0;
}

void PgStore::interrupt()
{
    QMutexLocker lock(&cancelMutex());
    m_cancelled = true;
    if (m_conn) {
        try {
            m_conn->conn.cancel_query();
        } catch (const std::exception&) {
            // Nothing running, or the connection is gone: either way nothing to stop.
        }
    }
}

// Every read goes through here: reconnects when the last call lost the connection, and turns libpqxx errors into
// StoreError with the password removed.
template <typename F> auto PgStore::call(F&& body)
{
    if (!m_conn) {
        int pauseMs = 100;
        for (int attempt = 1;; ++attempt) {
            try {
                connect();
                break;
            } catch (const StoreError& e) {
                if (attempt >= m_settings.reconnectAttempts)
                    throw StoreError(
                        QStringLiteral("disconnected, retrying: %1").arg(e.message()), StoreError::Kind::Disconnected);
            }
            QThread::msleep(pauseMs);
            pauseMs *= 2;
        }
    }
    m_cancelled = false;
    try {
        return body();
    } catch (const StoreError&) {
        throw;
    } catch (const std::exception&) {
        rethrow(QString());
    }
}

std::unique_ptr<PgStore> PgStore::open(const QString& address, const OpenOptions& options)
{
    return open(address, options, Settings {});
}

std::unique_ptr<PgStore> PgStore::open(const QString& address, const OpenOptions& options, const Settings& settings)
{
    std::unique_ptr<PgStore> store(new PgStore(PgAddress::parse(address), options, settings));
    try {
        store->connect();
    } catch (const StoreError& e) {
        throw StoreError(e.message(), StoreError::Kind::BadAddress);
    }
    store->call([&] {
        store->detectLayout();
        store->buildSql();
        return 0;
    });
    return store;
}

void PgStore::rethrow(const QString& context)
{
    const auto clean
        = [this](const std::exception& e) { return m_address.scrub(QString::fromUtf8(e.what()).trimmed()); };
    try {
        throw;
    } catch (const pqxx::broken_connection& e) {
        {
            QMutexLocker lock(&cancelMutex());
            m_conn.reset();
        }
        throw StoreError(QStringLiteral("disconnected, retrying (%1): %2").arg(m_shownAddress, clean(e)),
            StoreError::Kind::Disconnected);
    } catch (const pqxx::in_doubt_error& e) {
        {
            QMutexLocker lock(&cancelMutex());
            m_conn.reset();
        }
        throw StoreError(QStringLiteral("disconnected, retrying (%1): %2").arg(m_shownAddress, clean(e)),
            StoreError::Kind::Disconnected);
    } catch (const pqxx::sql_error& e) {
        const std::string& state = e.sqlstate();
        if (state == "57014") {
            if (m_cancelled)
                throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
            throw StoreError(QStringLiteral("The query took longer than %1 s on %2; raise --statement-timeout (in the "
                                            "GUI: Statement timeout in the PostgreSQL form of File › Open store…).")
                                 .arg(QString::number(m_settings.statementTimeoutMs / 1000.0), m_shownAddress),
                StoreError::Kind::Generic);
        }
        if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
            {
                QMutexLocker lock(&cancelMutex());
                m_conn.reset();
            }
            throw StoreError(QStringLiteral("disconnected, retrying (%1): %2").arg(m_shownAddress, clean(e)),
                StoreError::Kind::Disconnected);
        }
        if (state == "42P01" || state == "42703")
            throw StoreError(QStringLiteral("The database %1 does not match the layout \"%2\": %3")
                                 .arg(m_shownAddress, m_profile.name, clean(e)),
                StoreError::Kind::MissingTable);
        throw StoreError(
            QStringLiteral("PostgreSQL error on %1: %2%3")
                .arg(m_shownAddress, clean(e), context.isEmpty() ? QString() : QStringLiteral(" (in %1)").arg(context)),
            StoreError::Kind::Generic);
    } catch (const std::exception& e) {
        // A failure with no SQL state after the connection died is a lost connection too.
        if (m_conn && !m_conn->conn.is_open()) {
            {
                QMutexLocker lock(&cancelMutex());
                m_conn.reset();
            }
            throw StoreError(QStringLiteral("disconnected, retrying (%1): %2").arg(m_shownAddress, clean(e)),
                StoreError::Kind::Disconnected);
        }
        throw StoreError(QStringLiteral("PostgreSQL error on %1: %2").arg(m_shownAddress, clean(e)));
    }
}

void PgStore::query(const SqlStatement& st, const std::function<void(const Rows&)>& each, bool prepared)
{
    pqxx::nontransaction tx(m_conn->conn);
    try {
        execute(tx, st, prepared, [&](const pqxx::row& row) {
            const Rows rows(row);
            each(rows);
        });
    } catch (const pqxx::data_exception& e) {
        // A typed value (a uuid stream id, say) that does not parse matches nothing.
        if (e.sqlstate() == "22P02")
            return;
        throw;
    }
}

void PgStore::detectLayout()
{
    struct Table {
        QString name;
        QStringList columns;
    };
    QHash<QString, std::vector<Table>> catalog; // schema -> tables
    QStringList schemaOrder;
    {
        pqxx::nontransaction tx(m_conn->conn);
        const pqxx::result r = tx.exec(
            "SELECT n.nspname, c.relname, array_to_string(array_agg(lower(a.attname) ORDER BY a.attnum), ',') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
            "AND has_schema_privilege(n.oid, 'USAGE') "
            "GROUP BY n.nspname, c.relname ORDER BY n.nspname, c.relname");
        for (const pqxx::row& row : r) {
            const QString schema = QString::fromUtf8(row[0].c_str());
            catalog[schema].push_back(
                { QString::fromUtf8(row[1].c_str()), QString::fromUtf8(row[2].c_str()).split(u',') });
        }
        const pqxx::result path = tx.exec("SELECT unnest(current_schemas(false))");
        for (const pqxx::row& row : path)
            schemaOrder.append(QString::fromUtf8(row[0].c_str()));
        const pqxx::result collation = tx.exec("SELECT datcollate FROM pg_database WHERE datname = current_database()");
        if (!collation.empty()) {
            const QString c = QString::fromUtf8(collation[0][0].c_str());
            m_cCollation = c == QLatin1String("C") || c == QLatin1String("POSIX") || c.startsWith(QLatin1String("C."));
        }
    }
    LayoutDetector detector(QStringLiteral("postgresql"), QStringLiteral("PostgreSQL"), m_shownAddress,
        [&catalog](const QString& schema, const QString& table) {
            for (const Table& t : catalog.value(schema)) {
                if (t.name == table)
                    return t.columns;
            }
            return QStringList();
        });
    for (auto it = catalog.cbegin(); it != catalog.cend(); ++it) {
        QStringList names;
        for (const Table& t : it.value())
            names.append(t.name);
        detector.addSchema(it.key(), names);
    }
    detector.setSchemaOrder(schemaOrder);
    const LayoutDetector::Result found = detector.detect(m_options);
    m_profile = found.chosen.profile;
    m_schema = found.chosen.schema;
    m_candidates = found.candidates;
    for (const LayoutDetector::Match& m : found.others)
        m_notes.append(
            QStringLiteral("also found: %1 in schema %2 (open it with --profile %1)").arg(m.profile.name, m.schema));
}

void PgStore::buildSql()
{
    {
        // Expressions may call the layout schema's functions unqualified.
        pqxx::nontransaction tx(m_conn->conn);
        tx.exec0("SET search_path TO " + tx.quote_name(m_schema.toStdString()) + ", public");
    }
    const Profile::Events& e = m_profile.events;
    SqlBuilder::Kinds kinds;
    kinds.cCollation = m_cCollation;
    auto typeOf = [&](const QString& expr) {
        if (expr.isEmpty())
            return SqlValueKind::Unknown;
        QString type;
        query({ QStringLiteral("SELECT pg_typeof(s.x)::text FROM (SELECT 1) one LEFT JOIN (SELECT (%1) AS x FROM %2 "
                               "WHERE false) s ON true")
                      .arg(expr, e.table),
                  {} },
            [&](const Rows& r) { type = r.text(0); });
        return kindOfType(type);
    };
    kinds.time = typeOf(e.time);
    kinds.data = typeOf(e.data);
    kinds.metadata = typeOf(e.metadata);
    m_sql = std::make_unique<SqlBuilder>(m_profile, SqlDialect::Postgres, kinds);
    const QStringList notes = m_sql->notes();
    for (const QString& n : notes) {
        if (!m_notes.contains(n))
            m_notes.append(n);
    }
    if (!m_schema.isEmpty())
        m_notes.append(QStringLiteral("schema: %1").arg(m_schema));
    // Compile every expression once so a layout that does not fit fails at open with the name of what is missing.
    for (const QString& probe : m_sql->probes())
        query({ probe, {} }, [](const Rows&) {});
}

Event PgStore::readEvent(const Rows& q) const
{
    const SqlBuilder::Kinds& kinds = m_sql->kinds();
    Event ev;
    envelopeFromRow(q, ev);
    auto payload = [&q](int col, SqlValueKind kind) -> Payload {
        if (q.isNull(col))
            return {};
        QByteArray bytes = q.bytes(col, kind == SqlValueKind::Bytes);
        if (kind == SqlValueKind::Json)
            return Payload::json(std::move(bytes));
        return Payload::sniff(std::move(bytes));
    };
    ev.data = payload(6, kinds.data);
    ev.metadata = payload(8, kinds.metadata);
    ev.correlationId = q.text(10);
    ev.causationId = q.text(11);
    if (kinds.metadata != SqlValueKind::Json && ev.metadata.isJson())
        pickCorrelation(ev, m_profile.correlationKeys, m_profile.causationKeys);
    return ev;
}

void PgStore::readText(
    const SqlStatement& st, int columns, const std::function<void(const std::vector<std::optional<QString>>&)>& each)
{
    call([&] {
        query(st, [&](const Rows& r) {
            std::vector<std::optional<QString>> fields;
            for (int i = 0; i < columns; ++i)
                fields.push_back(r.isNull(i) ? std::nullopt : std::optional<QString>(r.text(i)));
            each(fields);
        });
        return 0;
    });
}

std::optional<qint64> PgStore::single(const SqlStatement& st, bool prepared)
{
    std::optional<qint64> out;
    query(
        st,
        [&](const Rows& r) {
            if (!r.isNull(0))
                out = r.integer(0);
        },
        prepared);
    return out;
}

EventPage PgStore::events(const EventQuery& q)
{
    // The log, one stream: plans that do not depend on the values, so they are prepared once. Category and
    // predicate reads are planned with their values each time (a generic plan may pick the wrong index).
    const bool prepared = !q.filter.hasPredicates() && q.filter.category.isEmpty();
    return call([&] {
        return m_sql->readPage(
            q, true, [this, prepared](const SqlStatement& st) { return single(st, prepared); },
            [this, prepared](const SqlStatement& st) {
                EventList list;
                query(
                    st, [&](const Rows& r) { list.push_back(readEvent(r)); }, prepared);
                return list;
            });
    });
}

std::string PgStore::scopeSignature(const EventFilter& filter) const
{
    const SqlStatement st = m_sql->keys(filter, true, -1);
    std::string key = st.sql.toStdString();
    for (const QVariant& v : st.values)
        key += '\x1f' + std::to_string(v.typeId()) + ':' + toParam(v);
    return key;
}

// Counts and anchors hold while the log's head stays where it was when they were read: stores append, so a new
// event moves the head and the next call counts again. Rows archived or deleted in place need a new connection.
PgStore::ScopeCache& PgStore::scopeCache(const EventFilter& filter)
{
    const qint64 head = single(m_sql->edgeKey(EventFilter {}, true), true).value_or(-1);
    if (m_scopes.size() > 256)
        m_scopes.clear();
    ScopeCache& cache = m_scopes[scopeSignature(filter)];
    if (cache.head != head) {
        cache = {};
        cache.head = head;
    }
    return cache;
}

ScopeStats PgStore::scopeStats(const EventFilter& filter)
{
    return call([&] {
        ScopeCache& cache = scopeCache(filter);
        if (cache.counted)
            return cache.stats;
        ScopeStats stats;
        query(m_sql->scopeStats(filter, true, -1), [&](const Rows& r) {
            stats.count = r.integer(0, 0);
            stats.firstKey = r.integer(1);
            stats.lastKey = r.integer(2);
        });
        cache.stats = stats;
        cache.counted = true;
        return stats;
    });
}

std::vector<qint64> PgStore::keyAnchors(const EventFilter& filter, int stride)
{
    if (stride <= 0)
        return {};
    return call([&] {
        ScopeCache& cache = scopeCache(filter);
        if (cache.anchorStride == stride)
            return cache.anchors;
        std::vector<qint64> anchors;
        const SqlStatement st = m_sql->keys(filter, true, -1);
        std::vector<std::string> params;
        for (const QVariant& v : st.values)
            params.push_back(toParam(v));
        // A cursor streams the keys; the result is never held whole.
        pqxx::read_transaction tx(m_conn->conn);
        tx.exec_params(
            "DECLARE es_keys NO SCROLL CURSOR FOR " + SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(),
            pqxx::prepare::make_dynamic_params(params));
        qint64 index = 0;
        while (true) {
            const pqxx::result r = tx.exec("FETCH " + std::to_string(FetchRows) + " FROM es_keys");
            for (const pqxx::row& row : r) {
                if (index % stride == 0)
                    anchors.push_back(row[0].as<long long>());
                ++index;
            }
            if (r.size() < size_t(FetchRows))
                break;
        }
        tx.commit();
        cache.anchorStride = stride;
        cache.anchors = anchors;
        return anchors;
    });
}

void PgStore::fillStreamStats(StreamInfo& info)
{
    query(m_sql->streamCounts(info.name), [&](const Rows& r) { streamCountsFromRow(r, info); });
    if (m_profile.events.time.isEmpty() || info.events <= 0)
        return;
    for (const bool last : { false, true })
        query(m_sql->streamTime(info.name, last),
            [&](const Rows& r) { (last ? info.lastTime : info.firstTime) = r.time(0); });
}

StreamList PgStore::streams(const StreamQuery& q)
{
    return call([&] {
        StreamList out;
        const bool fromTable = m_sql->streamsFromTable();
        query(m_sql->streams(q), [&](const Rows& r) { out.push_back(streamFromRow(r, m_profile, fromTable)); });
        if (q.withStats) {
            for (StreamInfo& info : out)
                fillStreamStats(info);
        }
        return out;
    });
}

std::optional<StreamInfo> PgStore::stream(const QString& name)
{
    return call([&]() -> std::optional<StreamInfo> {
        StreamInfo info;
        info.name = name;
        fillStreamStats(info);
        if (info.events <= 0)
            return std::nullopt;
        if (const std::optional<QString> category = categoryFromName(m_profile, name))
            info.category = *category;
        else
            query(m_sql->streamCategoryOf(name), [&](const Rows& r) { info.category = r.text(0); });
        return info;
    });
}

CategoryList PgStore::categories()
{
    return call([&] {
        CategoryList out;
        query(m_sql->categories(), [&](const Rows& r) { out.push_back(categoryFromRow(r)); });
        return out;
    });
}

StoreInfo PgStore::info(bool withCounts)
{
    return call([&] {
        StoreInfo info;
        info.address = m_shownAddress;
        info.engine = QStringLiteral("postgresql");
        info.layout = m_profile.name;
        info.layoutTitle = m_profile.title;
        info.candidateLayouts = m_candidates;
        info.notes = m_notes;
        info.links = m_profile.links();
        for (const bool last : { false, true }) {
            query(m_sql->logEdge(last), [&](const Rows& r) {
                (last ? info.headPosition : info.firstPosition) = r.integer(0);
                (last ? info.lastTime : info.firstTime) = r.time(1);
            });
        }
        if (!withCounts)
            return info;
        if (m_sql->streamsFromTable()) {
            query(m_sql->streamTableCounts(), [&](const Rows& r) {
                info.streamCount = r.integer(0, 0);
                if (m_profile.streams.versionIsCount)
                    info.eventCount = r.integer(1, 0);
            });
        }
        if (info.eventCount < 0 || info.streamCount < 0) {
            query(m_sql->logCounts(), [&](const Rows& r) {
                if (info.eventCount < 0)
                    info.eventCount = r.integer(0, 0);
                if (info.streamCount < 0)
                    info.streamCount = r.integer(1, 0);
            });
        }
        return info;
    });
}

EventList PgStore::eventsByTransaction(
    const EventFilter& scope, qint64 fromPosition, int limit, QString& afterTx, qint64& afterPosition)
{
    const Profile::Events& e = m_profile.events;
    const QString tx = SqlBuilder::paren(m_profile.tail.transaction);
    const QString position = SqlBuilder::paren(e.position);
    const QString p = SqlBuilder::param();
    SqlWhere w = m_sql->baseWhere(scope, true);
    // As the layout's own readers do: a transaction below the snapshot's xmin has ended, and every transaction still
    // to end is at or above it, so nothing can still appear behind the cursor in this order.
    w.add(QStringLiteral("(%1, %2) > (%3::xid8, %3::bigint)").arg(tx, position, p),
        { afterTx.isEmpty() ? QStringLiteral("0") : afterTx, afterPosition });
    w.add(tx + QStringLiteral(" < pg_snapshot_xmin(pg_current_snapshot())"));
    if (fromPosition >= 0)
        w.add(position + QStringLiteral(" >= ") + p, { fromPosition });
    QString select = m_sql->selectEvent();
    const QString from = QStringLiteral(" FROM ") + e.table;
    Q_ASSERT(select.endsWith(from));
    select.chop(from.size());
    SqlStatement st;
    st.sql = select + QStringLiteral(", %1::text").arg(tx) + from + w.sql()
        + QStringLiteral(" ORDER BY %1, %2 LIMIT %3").arg(tx, position, p);
    st.values = w.values;
    st.values.append(qint64(limit));
    return call([&] {
        EventList list;
        query(st, [&](const Rows& r) {
            list.push_back(readEvent(r));
            afterTx = r.text(12);
            afterPosition = list.back().position;
        });
        return list;
    });
}

std::pair<qint64, qint64> PgStore::transactionHeads()
{
    const SqlStatement head = m_sql->edgeKey(EventFilter {}, true);
    SqlWhere w = m_sql->baseWhere(EventFilter {}, true);
    w.add(
        SqlBuilder::paren(m_profile.tail.transaction) + QStringLiteral(" >= pg_snapshot_xmin(pg_current_snapshot())"));
    SqlStatement st;
    st.sql = QStringLiteral("SELECT (%1), (SELECT min(%2)::bigint FROM %3%4)")
                 .arg(head.sql, SqlBuilder::paren(m_profile.events.position), m_profile.events.table, w.sql());
    st.values = head.values + w.values;
    std::pair<qint64, qint64> out { -1, -1 };
    readText(st, 2, [&](const std::vector<std::optional<QString>>& f) {
        out = { f[0] ? f[0]->toLongLong() : -1, f[1] ? f[1]->toLongLong() : -1 };
    });
    return out;
}

} // namespace es
