// PgStore: opening a database, and the reads of the EventStore interface over the session (pages, streams,
// categories, counts and anchors, the live tail's reads). Raw reads are in pgrawread.cpp, histograms in
// pghistogram.cpp, checkpoints and lag in pgcheckpoints.cpp.
#include "pg/pgstore.h"

#include "pg/pgconnection_p.h"
#include "pg/pglayout.h"
#include "pg/pgrows_p.h"
#include "sql/sqlbuilder.h"
#include "sql/storerows_p.h"

#include <pqxx/pqxx>

namespace es {

namespace {

constexpr int FetchRows = 10000;

PgSession::Settings withOptions(PgSession::Settings settings, const OpenOptions& options)
{
    if (options.statementTimeoutMs >= 0)
        settings.statementTimeoutMs = options.statementTimeoutMs;
    return settings;
}

} // namespace

bool PgStore::acceptsAddress(const QString& address)
{
    return PgAddress::looksLikeAddress(address);
}

std::unique_ptr<PgStore> PgStore::open(const QString& address, const OpenOptions& options)
{
    return open(address, options, Settings {});
}

std::unique_ptr<PgStore> PgStore::open(const QString& address, const OpenOptions& options, const Settings& settings)
{
    std::unique_ptr<PgStore> store(new PgStore(PgAddress::parse(address), options, settings));
    try {
        store->m_session.connect();
    } catch (const StoreError& e) {
        // A refused connection or login is the address's fault; a server that never answered is a Timeout, and a
        // password asked for or refused stays Unauthorized.
        const bool kept = e.kind() == StoreError::Kind::Timeout || e.kind() == StoreError::Kind::Unauthorized;
        throw StoreError(e.message(), kept ? e.kind() : StoreError::Kind::BadAddress);
    }
    PgLayout layout = store->m_session.run([&] { return detectPgLayout(store->m_session, options); });
    store->m_profile = std::move(layout.profile);
    store->m_schema = layout.schema;
    store->m_candidates = layout.candidates;
    store->m_notes = layout.notes;
    store->m_missingCheckpointTables = layout.missingCheckpointTables;
    store->m_sql = std::move(layout.sql);
    return store;
}

PgStore::PgStore(PgAddress address, const OpenOptions& options, const Settings& settings)
    : m_session(std::move(address), withOptions(settings, options))
{ }

PgStore::~PgStore() = default;

std::function<void()> PgStore::interruption()
{
    return m_session.interruption();
}

void PgStore::query(const SqlStatement& st, const std::function<void(const Rows&)>& each, bool prepared)
{
    m_session.query(
        st,
        [&](const pqxx::row& row) {
            const Rows rows(row);
            each(rows);
        },
        prepared);
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
    m_session.run([&] {
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
    return m_session.run([&] {
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

PgScopeCache::Entry& PgStore::scopeCache(const EventFilter& filter)
{
    const qint64 head = single(m_sql->edgeKey(EventFilter {}, true), true).value_or(-1);
    return m_scopes.entry(PgScopeCache::signature(m_sql->keys(filter, true, -1)), head);
}

ScopeStats PgStore::scopeStats(const EventFilter& filter)
{
    return m_session.run([&] {
        PgScopeCache::Entry& cache = scopeCache(filter);
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
    return m_session.run([&] {
        PgScopeCache::Entry& cache = scopeCache(filter);
        if (cache.anchorStride == stride)
            return cache.anchors;
        std::vector<qint64> anchors;
        const SqlStatement st = m_sql->keys(filter, true, -1);
        std::vector<std::string> params;
        for (const QVariant& v : st.values)
            params.push_back(toParam(v));
        // A cursor streams the keys; the result is never held whole.
        pqxx::read_transaction tx(m_session.connection());
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
    return m_session.run([&] {
        StreamList out;
        const bool fromTable = !m_sql->streamsGrouped(q);
        query(m_sql->streams(q), [&](const Rows& r) { out.push_back(streamFromRow(r, m_profile, fromTable)); });
        if (q.withStats) {
            for (StreamInfo& info : out)
                fillStreamStats(info);
        } else if (q.withLastTime && fromTable && !m_profile.events.time.isEmpty()) {
            for (StreamInfo& info : out)
                query(m_sql->streamTime(info.name, true), [&](const Rows& r) { info.lastTime = r.time(0); });
        }
        return out;
    });
}

std::optional<StreamInfo> PgStore::stream(const QString& name)
{
    return m_session.run([&]() -> std::optional<StreamInfo> {
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
    return m_session.run([&] {
        CategoryList out;
        query(m_sql->categories(), [&](const Rows& r) { out.push_back(categoryFromRow(r)); });
        return out;
    });
}

// The cluster's system identifier (new for every initdb, kept by a physical restore) and the database's oid (new for
// every CREATE DATABASE, so also for a dump restored into a new database), with the layout that reads it.
StoreIdentity PgStore::identity()
{
    StoreIdentity id;
    id.engine = QStringLiteral("postgresql");
    id.address = m_session.shownAddress();
    m_session.run([&] {
        query({ QStringLiteral("SELECT (SELECT system_identifier::text FROM pg_control_system()), oid::text FROM "
                               "pg_database WHERE datname = current_database()"),
                  {} },
            [&](const Rows& r) {
                id.fingerprint = QStringLiteral("system=%1;database=%2;schema=%3;layout=%4;table=%5")
                                     .arg(r.text(0), r.text(1), m_schema, m_profile.name, m_profile.events.table);
            });
        return 0;
    });
    return id;
}

StoreInfo PgStore::info(bool withCounts)
{
    return m_session.run([&] {
        StoreInfo info
            = layoutInfo(m_profile, m_session.shownAddress(), QStringLiteral("postgresql"), m_candidates, m_notes);
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
    return m_session.run([&] {
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
