// PgStore's checkpoints, lag (one statement per poll where an index allows) and the live tail's heads.
#include "pg/pgrows_p.h"
#include "pg/pgstore.h"

#include "sql/checkpointsql.h"
#include "sql/sqlbuilder.h"
#include "sql/storerows_p.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace es {

namespace {

QString paren(const QString& expr)
{
    return SqlBuilder::paren(expr);
}

qint64 toKey(const std::optional<QString>& field, qint64 nullValue = -1)
{
    return field ? field->toLongLong() : nullValue;
}

QDateTime toTime(const std::optional<QString>& field)
{
    if (!field)
        return {};
    const QByteArray utf8 = field->toUtf8();
    return parseStoreTime(QByteArrayView(utf8));
}

} // namespace

CheckpointSet PgStore::checkpoints()
{
    CheckpointSet set;
    if (m_profile.checkpoints.empty()) {
        set.note = noCheckpointsNote(m_profile, m_missingCheckpointTables);
        return set;
    }
    m_session.run([&] {
        query(checkpointsStatement(*m_sql),
            [&](const Rows& r) { set.rows.push_back(checkpointFromRow(r, m_profile.checkpoints)); });
        return 0;
    });
    return set;
}

std::optional<QString> PgStore::categoryIndex()
{
    // Indexes change only with DDL; one catalog probe per store is enough.
    if (m_categoryIndexProbed)
        return m_categoryIndex;
    m_categoryIndexProbed = true;
    const Profile::Events& e = m_profile.events;
    static const QRegularExpression plainTable(QStringLiteral("^(\"[^\"]+\"|\\w+)(\\.(\"[^\"]+\"|\\w+))?$"));
    if (!plainTable.match(e.table).hasMatch())
        return {};
    SqlStatement probe { QStringLiteral("SELECT pg_get_indexdef(i.indexrelid, 1, false) FROM pg_index i WHERE "
                                        "i.indrelid = to_regclass(%1) AND i.indnatts >= 2 AND i.indisvalid")
                             .arg(SqlBuilder::param()),
        { e.table } };
    const QRegularExpression categoryKey(
        QStringLiteral("^(\\S+\\.)?category\\(\\(*%1\\b").arg(QRegularExpression::escape(e.stream)));
    readText(probe, 1, [&](const std::vector<std::optional<QString>>& f) {
        if (!m_categoryIndex && f[0] && categoryKey.match(*f[0]).hasMatch())
            m_categoryIndex = f[0];
    });
    return m_categoryIndex;
}

// An exact count of millions of events is not a cheap poll. The last kExactWindow keys of a scope are read (one
// index walk from the head): lags inside that window are exact; further behind, the lag and the total are
// extrapolated with the scope's density over the window and flagged as estimates.
constexpr int kExactWindow = 500;

namespace {

// What the statements of a lag poll read for one scope.
struct ScopeRead {
    std::vector<qint64> window; // the scope's last keys, descending
    QDateTime headTime;
    std::optional<qint64> top; // highest key read so far, while rows arrive in no set order
    std::optional<qint64> first; // the scope's first key (read when the window is full)
    std::vector<std::pair<qint64, QDateTime>> probes; // position, time of the event at or before it
};

ScopeProgress progressFrom(const ScopeRead& read)
{
    const std::vector<qint64>& window = read.window;
    ScopeProgress out;
    out.headKey = window.empty() ? -1 : window.front();
    out.headTime = read.headTime;
    const bool complete = qsizetype(window.size()) < kExactWindow;
    // Events per key below the window, from the window itself.
    double density = 1.0;
    if (!complete) {
        const qint64 span = window.front() - window.back();
        density = span > 0 ? std::min(1.0, double(window.size() - 1) / double(span)) : 1.0;
        out.total = qint64(window.size())
            + std::llround(double(std::max<qint64>(0, window.back() - read.first.value_or(window.back()))) * density);
        out.totalEstimated = true;
    } else {
        out.total = qint64(window.size());
    }
    for (const auto& [position, time] : read.probes) {
        ScopeProgress::Probe probe;
        probe.position = position;
        probe.time = time;
        // window is descending: the keys above the probe are its prefix.
        const auto above
            = std::partition_point(window.begin(), window.end(), [&probe](qint64 k) { return k > probe.position; });
        probe.after = qint64(above - window.begin());
        if (!complete && above == window.end() && probe.position < window.back()) {
            probe.after += std::llround(double(window.back() - 1 - probe.position) * density);
            probe.estimated = true;
        }
        out.probes.push_back(probe);
    }
    return out;
}

QString bigintArray(const std::vector<qint64>& values)
{
    QStringList list;
    for (const qint64 v : values)
        list.append(QString::number(v));
    return u'{' + list.join(u',') + u'}';
}

QString textArray(const QStringList& values)
{
    QStringList list;
    for (QString v : values)
        list.append(u'"' + v.replace(u'\\', QLatin1String("\\\\")).replace(u'"', QLatin1String("\\\"")) + u'"');
    return u'{' + list.join(u',') + u'}';
}

} // namespace

ScopeProgress PgStore::scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions)
{
    if (!scope.isStream() && !scope.category.isEmpty() && categoryIndex()) {
        ScopeProgress out = scopesProgress({ { scope, positions } }).front();
        if (!out.error.isEmpty())
            throw StoreError(out.error);
        return out;
    }
    const QString key = paren(m_sql->keyExpr(scope));
    const Profile::Events& e = m_profile.events;
    const QString time = e.time.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("(%1)::text").arg(paren(e.time));
    const SqlWhere edgeWhere = m_sql->baseWhere(scope, true);

    ScopeRead read;
    read.window.reserve(kExactWindow);
    SqlStatement recent { QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %5 DESC LIMIT %6")
                              .arg(key, time, e.table, edgeWhere.sql(), key)
                              .arg(kExactWindow),
        edgeWhere.values };
    readText(recent, 2, [&](const std::vector<std::optional<QString>>& f) {
        if (read.window.empty())
            read.headTime = toTime(f[1]);
        read.window.push_back(toKey(f[0]));
    });
    if (qsizetype(read.window.size()) >= kExactWindow) {
        SqlStatement edge {
            QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %1 LIMIT 1").arg(key, e.table, edgeWhere.sql()),
            edgeWhere.values
        };
        readText(edge, 1, [&](const std::vector<std::optional<QString>>& f) { read.first = toKey(f[0]); });
    }
    if (!positions.empty()) {
        // Times: one index probe each, in one statement; the positions travel as one bound array.
        const QString probeWhere
            = edgeWhere.sql().isEmpty() ? QStringLiteral(" WHERE ") : edgeWhere.sql() + QStringLiteral(" AND ");
        SqlStatement st;
        st.sql = QStringLiteral("SELECT es_key, (SELECT %3 FROM %1%2%4 <= es_key ORDER BY %4 DESC LIMIT 1) "
                                "FROM unnest(%5::bigint[]) WITH ORDINALITY AS es_probe(es_key, es_n) ORDER BY es_n")
                     .arg(e.table, probeWhere, time, key, SqlBuilder::param());
        st.values.append(edgeWhere.values);
        st.values.append(bigintArray(positions));
        readText(st, 2,
            [&](const std::vector<std::optional<QString>>& f) { read.probes.emplace_back(toKey(f[0]), toTime(f[1])); });
    }
    return progressFrom(read);
}

std::vector<ScopeProgress> PgStore::scopesProgress(const std::vector<ScopeRequest>& requests)
{
    // Categories read through an index led by category(<stream>) (Message DB's messages_category) are answered
    // together in one statement however many there are; other scopes one by one.
    const std::optional<QString> indexed = categoryIndex();
    std::vector<size_t> batched;
    std::vector<ScopeRequest> single;
    std::vector<size_t> singleAt;
    for (size_t i = 0; i < requests.size(); ++i) {
        const EventFilter& scope = requests[i].scope;
        if (indexed && !scope.isStream() && !scope.category.isEmpty()) {
            batched.push_back(i);
        } else {
            single.push_back(requests[i]);
            singleAt.push_back(i);
        }
    }
    std::vector<ScopeProgress> out(requests.size());
    const std::vector<ScopeProgress> others = EventStore::scopesProgress(single);
    for (size_t j = 0; j < others.size(); ++j)
        out[singleAt[j]] = others[j];
    if (batched.empty())
        return out;

    // The category is matched as a one-value range: with `=`, the order by position alone satisfies the ORDER BY
    // and the planner, trusting the category's share of the whole table, may walk the position index backwards
    // through whatever other categories were appended last (seen: 40,000 rows filtered, 500 ms, instead of 1 ms).
    const Profile::Events& e = m_profile.events;
    const QString key = paren(m_sql->keyExpr(EventFilter {}));
    const QString time = e.time.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("(%1)::text").arg(paren(e.time));
    const QString where = (e.where.isEmpty() ? QString() : paren(e.where) + QStringLiteral(" AND "))
        + QStringLiteral("%1 >= es_s.c AND %1 <= es_s.c").arg(*indexed);
    const QString down = QStringLiteral("%1 DESC, %2 DESC").arg(*indexed, key);
    const QString up = QStringLiteral("%1, %2").arg(*indexed, key);
    QStringList categories;
    std::vector<qint64> probeScope;
    std::vector<qint64> probePosition;
    for (size_t b = 0; b < batched.size(); ++b) {
        categories.append(requests[batched[b]].scope.category);
        for (const qint64 p : requests[batched[b]].positions) {
            probeScope.push_back(qint64(b + 1));
            probePosition.push_back(p);
        }
    }
    // Rows: (0, scope, key, time) for each scope's window, (1, scope, first key) and (2, scope, position, time).
    SqlStatement st;
    st.sql = QStringLiteral(
        "WITH es_s(c, n) AS (SELECT * FROM unnest(%1::text[]) WITH ORDINALITY), "
        "es_p(n, k) AS (SELECT * FROM unnest(%2::bigint[], %3::bigint[])) "
        "SELECT 0, es_s.n, w.k, w.t FROM es_s CROSS JOIN LATERAL "
        "(SELECT %4 AS k, %5 AS t FROM %6 WHERE %7 ORDER BY %8 LIMIT %9) w "
        "UNION ALL SELECT 1, es_s.n, (SELECT %4 FROM %6 WHERE %7 ORDER BY %10 LIMIT 1), NULL FROM es_s "
        "UNION ALL SELECT 2, es_s.n, es_p.k, (SELECT %5 FROM %6 WHERE %7 AND %4 <= es_p.k ORDER BY %8 LIMIT 1) "
        "FROM es_p JOIN es_s ON es_s.n = es_p.n")
                 .arg(SqlBuilder::param(), SqlBuilder::param(), SqlBuilder::param(), key, time, e.table, where, down)
                 .arg(kExactWindow)
                 .arg(up);
    st.values = { textArray(categories), bigintArray(probeScope), bigintArray(probePosition) };
    std::vector<ScopeRead> reads(batched.size());
    readText(st, 4, [&](const std::vector<std::optional<QString>>& f) {
        const qint64 n = toKey(f[1]);
        if (n < 1 || n > qint64(reads.size()))
            return;
        ScopeRead& read = reads[size_t(n - 1)];
        switch (toKey(f[0])) {
        case 0: {
            const qint64 k = toKey(f[2]);
            if (!read.top || k > *read.top) {
                read.top = k;
                read.headTime = toTime(f[3]);
            }
            read.window.push_back(k);
            break;
        }
        case 1:
            if (f[2])
                read.first = toKey(f[2]);
            break;
        default:
            read.probes.emplace_back(toKey(f[2]), toTime(f[3]));
        }
    });
    for (size_t b = 0; b < batched.size(); ++b) {
        std::sort(reads[b].window.begin(), reads[b].window.end(), std::greater<>());
        out[batched[b]] = progressFrom(reads[b]);
    }
    return out;
}

qint64 PgStore::visibleHead()
{
    std::optional<qint64> head;
    const SqlStatement st = m_sql->edgeKey(EventFilter {}, true);
    readText(st, 1, [&](const std::vector<std::optional<QString>>& f) { head = toKey(f[0]); });
    return head.value_or(-1);
}

QStringList PgStore::openTransactions()
{
    // Live lock table, not MVCC: whatever is open when this runs (after visibleHead's snapshot) is listed.
    SqlStatement st;
    st.sql = QStringLiteral(
        "SELECT l.virtualxid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted "
        "AND a.datname = current_database() AND l.pid <> pg_backend_pid() "
        "UNION ALL SELECT 'prepared:' || md5(gid) FROM pg_prepared_xacts WHERE database = current_database()");
    QStringList out;
    readText(st, 1, [&](const std::vector<std::optional<QString>>& f) {
        if (f[0])
            out.append(*f[0]);
    });
    return out;
}

} // namespace es
