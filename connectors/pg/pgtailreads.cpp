// The PgStore reads behind the live tail (pgtail.cpp): heads, the start window, and who can still commit events.
#include "pg/pgstore.h"

#include "sql/sqlbuilder.h"

#include <algorithm>

namespace es {

qint64 PgStore::tailHead(const EventFilter& scope)
{
    std::optional<qint64> head;
    readText(m_sql->edgeKey(scope, true), 1, [&](const std::vector<std::optional<QString>>& f) {
        if (f[0])
            head = f[0]->toLongLong();
    });
    return head.value_or(-1);
}

std::vector<qint64> PgStore::recentKeys(const EventFilter& scope, int n)
{
    SqlStatement st = m_sql->keys(scope, true, -1);
    Q_ASSERT(st.sql.endsWith(m_sql->keyExpr(scope)));
    st.sql += QStringLiteral(" DESC LIMIT ") + SqlBuilder::param();
    st.values.append(qint64(std::max(n, 0)));
    std::vector<qint64> keys;
    readText(st, 1, [&](const std::vector<std::optional<QString>>& f) {
        if (f[0])
            keys.push_back(f[0]->toLongLong());
    });
    std::reverse(keys.begin(), keys.end());
    return keys;
}

std::vector<PgStore::Writer> PgStore::tailWriters()
{
    SqlStatement st;
    const QString holder = QStringLiteral(
        "SELECT DISTINCT ON (l.virtualtransaction) l.virtualtransaction, coalesce(a.pid, 0), "
        "coalesce(a.application_name, ''), "
        "coalesce(extract(epoch FROM clock_timestamp() - coalesce(a.xact_start, px.prepared))::float8, -1) "
        "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "LEFT JOIN pg_prepared_xacts px ON l.pid IS NULL AND px.transaction::text = split_part(l.virtualtransaction, "
        "'/', 2) ");
    const QString ours = QStringLiteral("AND l.pid IS DISTINCT FROM pg_backend_pid() ORDER BY l.virtualtransaction");
    if (m_profile.tail.tables.isEmpty()) {
        // A layout without named tables (a mapping over a view, say): any open transaction of the database may write.
        st.sql = holder
            + QStringLiteral("WHERE l.locktype = 'virtualxid' AND l.granted AND a.datname = current_database() ")
            + ours;
    } else {
        // The tables themselves, the sequences tied to them (serial, identity, a column default's nextval) and the
        // profile's own: a writer that took a position holds a lock on one of them until it ends.
        const QString p = SqlBuilder::param();
        st.sql
            = QStringLiteral("WITH rel AS (SELECT to_regclass(n) AS oid FROM unnest(string_to_array(%1, E'\\n')) n), "
                             "target AS (SELECT oid FROM rel WHERE oid IS NOT NULL "
                             "UNION SELECT d.objid FROM pg_depend d JOIN rel ON d.refobjid = rel.oid "
                             "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
                             "AND d.deptype IN ('a', 'i') "
                             "UNION SELECT d.refobjid FROM pg_attrdef ad JOIN rel ON ad.adrelid = rel.oid "
                             "JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid "
                             "AND d.refclassid = 'pg_class'::regclass "
                             "UNION SELECT to_regclass(n) FROM unnest(string_to_array(%1, E'\\n')) n "
                             "WHERE to_regclass(n) IS NOT NULL AND n <> '') ")
                  .arg(p)
            + holder
            + QStringLiteral("JOIN target t ON l.relation = t.oid WHERE l.locktype = 'relation' AND l.granted "
                             "AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', "
                             "'AccessExclusiveLock') "
                             "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ")
            + ours;
        st.values = { m_profile.tail.tables.join(u'\n'), m_profile.tail.sequences.join(u'\n') };
    }
    std::vector<Writer> out;
    readText(st, 4, [&](const std::vector<std::optional<QString>>& f) {
        Writer w;
        w.transaction = f[0].value_or(QString());
        w.holder.pid = f[1] ? f[1]->toInt() : 0;
        w.holder.application = f[2].value_or(QString());
        w.holder.transactionSeconds = f[3] ? f[3]->toDouble() : -1;
        out.push_back(std::move(w));
    });
    std::stable_sort(out.begin(), out.end(),
        [](const Writer& a, const Writer& b) { return a.holder.transactionSeconds > b.holder.transactionSeconds; });
    return out;
}

bool PgStore::inRecovery()
{
    bool recovery = false;
    readText({ QStringLiteral("SELECT pg_is_in_recovery()::text"), {} }, 1,
        [&](const std::vector<std::optional<QString>>& f) { recovery = f[0] == QLatin1String("true"); });
    return recovery;
}

std::pair<qint64, QString> PgStore::snapshotHead(const EventFilter& scope)
{
    const SqlStatement head = m_sql->edgeKey(scope, true);
    SqlStatement st;
    st.sql = QStringLiteral("SELECT (%1)::text, pg_snapshot_xmax(pg_current_snapshot())::text").arg(head.sql);
    st.values = head.values;
    std::pair<qint64, QString> out { -1, {} };
    readText(st, 2, [&](const std::vector<std::optional<QString>>& f) {
        out = { f[0] ? f[0]->toLongLong() : -1, f[1].value_or(QString()) };
    });
    return out;
}

bool PgStore::snapshotPassed(const QString& xmax)
{
    bool passed = false;
    readText(
        { QStringLiteral("SELECT (pg_snapshot_xmin(pg_current_snapshot()) >= %1::xid8)::text").arg(SqlBuilder::param()),
            { xmax } },
        1, [&](const std::vector<std::optional<QString>>& f) { passed = f[0] == QLatin1String("true"); });
    return passed;
}

} // namespace es
