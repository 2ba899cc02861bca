// PgStore's checkpoint, lag and tail-head reads; the rest of PgStore is in pgstore.cpp.
#include "pgstore.h"

#include "sqlbuilder.h"

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
    const std::vector<Profile::Checkpoint>& sources = m_profile.checkpoints;
    if (sources.empty()) {
        // Detection drops the entries whose table is missing: the built-in profile tells which ones it wanted.
        QStringList wanted;
        if (const std::optional<Profile> base = ProfileRegistry::find(m_profile.name, QStringLiteral("postgresql"))) {
            for (const Profile::Checkpoint& c : base->checkpoints) {
                for (const Profile::Table& t : base->tables) {
                    if (c.table.contains(u'{' + t.alias + u'}'))
                        wanted.append(t.names.join(QStringLiteral(" or ")));
                }
            }
        }
        wanted.removeDuplicates();
        set.note = wanted.isEmpty() ? QStringLiteral("the layout %1 keeps no checkpoints").arg(m_profile.title)
                                    : QStringLiteral("no checkpoint table in this store (looked for %1)")
                                          .arg(wanted.join(QStringLiteral(", ")));
        return set;
    }
    QStringList selects;
    for (size_t i = 0; i < sources.size(); ++i) {
        const Profile::Checkpoint& c = sources[i];
        const QString scope = !c.category.isEmpty() ? paren(c.category)
            : !c.stream.isEmpty()                   ? paren(c.stream)
                                                    : QStringLiteral("NULL");
        // name, partition and scope are grouped; raw and position are aggregates in the profiles (or constant per
        // group), as PostgreSQL requires.
        selects.append(QStringLiteral(
            "SELECT %1, %2::text, %3::text, (%4)::text, (%5)::bigint, %6::text FROM %7%8 GROUP BY 2, 3, 6")
                           .arg(qulonglong(i))
                           .arg(paren(c.name), c.partition.isEmpty() ? QStringLiteral("''") : paren(c.partition),
                               c.raw.isEmpty() ? c.position : c.raw, c.position, scope, c.table,
                               c.where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + paren(c.where)));
    }
    SqlStatement st;
    st.sql = selects.join(QStringLiteral(" UNION ALL ")) + QStringLiteral(" ORDER BY 1, 2, 3");
    readText(st, 6, [&](const std::vector<std::optional<QString>>& f) {
        const Profile::Checkpoint& c = sources[size_t(toKey(f[0], 0))];
        CheckpointRow row;
        row.name = f[1].value_or(QString());
        row.partition = f[2].value_or(QString());
        row.hasValue = f[3].has_value();
        row.raw = f[3].value_or(QString());
        row.position = toKey(f[4]);
        if (row.hasValue && !f[4])
            row.error = QStringLiteral("unparseable checkpoint value \"%1\"").arg(row.raw);
        if (!c.category.isEmpty())
            row.scope.category = f[5].value_or(QString());
        else if (!c.stream.isEmpty())
            row.scope.stream = f[5].value_or(QString());
        row.source = c.table;
        row.format = c.format;
        set.rows.push_back(std::move(row));
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

ScopeProgress PgStore::scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions)
{
    // An exact count of millions of events is not a cheap poll. The last kExactWindow keys of the scope are read
    // (one index walk from the head): lags inside that window are exact; further behind, the lag and the total are
    // extrapolated with the scope's density over the window and flagged as estimates.
    constexpr int kExactWindow = 500;
    ScopeProgress out;
    const QString key = paren(m_sql->keyExpr(scope));
    const Profile::Events& e = m_profile.events;
    const QString time = e.time.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("(%1)::text").arg(paren(e.time));
    const SqlWhere w = m_sql->baseWhere(scope, true);

    // A category whose events are sparse near the head costs a long walk down the position index; where the table
    // has an index led by category(<stream>) (Message DB's messages_category) the window is read through it. The
    // category is matched as a one-value range: with `=`, the order by position alone satisfies the ORDER BY and
    // the planner, trusting the category's share of the whole table, may walk the position index backwards through
    // whatever other categories were appended last (seen: 40,000 rows filtered, 500 ms, instead of 1 ms).
    SqlWhere edgeWhere = w;
    QString edgeOrder = key;
    if (!scope.isStream() && !scope.category.isEmpty()) {
        if (const std::optional<QString> indexed = categoryIndex()) {
            edgeWhere = SqlWhere {};
            if (!e.where.isEmpty())
                edgeWhere.add(paren(e.where));
            edgeWhere.add(QStringLiteral("%1 >= %2 AND %1 <= %2").arg(*indexed, SqlBuilder::param()),
                { scope.category, scope.category });
            edgeOrder = *indexed + QStringLiteral(" DESC, ") + key;
        }
    }

    std::vector<qint64> window; // descending
    window.reserve(kExactWindow);
    SqlStatement recent { QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %5 DESC LIMIT %6")
                              .arg(key, time, e.table, edgeWhere.sql(), edgeOrder)
                              .arg(kExactWindow),
        edgeWhere.values };
    readText(recent, 2, [&](const std::vector<std::optional<QString>>& f) {
        if (window.empty())
            out.headTime = toTime(f[1]);
        window.push_back(toKey(f[0]));
    });
    out.headKey = window.empty() ? -1 : window.front();
    const bool complete = qsizetype(window.size()) < kExactWindow;
    // Events per key below the window, from the window itself.
    double density = 1.0;
    if (!complete) {
        const qint64 span = window.front() - window.back();
        density = span > 0 ? std::min(1.0, double(window.size() - 1) / double(span)) : 1.0;
        std::optional<qint64> first;
        const QString ascending = QString(edgeOrder).replace(QStringLiteral(" DESC, "), QStringLiteral(", "));
        SqlStatement edge {
            QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %4 LIMIT 1").arg(key, e.table, edgeWhere.sql(), ascending),
            edgeWhere.values
        };
        readText(edge, 1, [&](const std::vector<std::optional<QString>>& f) { first = toKey(f[0]); });
        out.total = qint64(window.size())
            + std::llround(double(std::max<qint64>(0, window.back() - first.value_or(window.back()))) * density);
        out.totalEstimated = true;
    } else {
        out.total = qint64(window.size());
    }
    if (positions.empty())
        return out;

    QStringList list;
    for (const qint64 p : positions)
        list.append(QString::number(p));
    // Times: one index probe each (through the same index as the window), in one statement; the positions travel
    // as one bound array.
    const QString probeWhere
        = edgeWhere.sql().isEmpty() ? QStringLiteral(" WHERE ") : edgeWhere.sql() + QStringLiteral(" AND ");
    SqlStatement st;
    st.sql = QStringLiteral("SELECT es_key, (SELECT %3 FROM %1%2%4 <= es_key ORDER BY %5 DESC LIMIT 1) "
                            "FROM unnest(%6::bigint[]) WITH ORDINALITY AS es_probe(es_key, es_n) ORDER BY es_n")
                 .arg(e.table, probeWhere, time, key, edgeOrder, SqlBuilder::param());
    st.values.append(edgeWhere.values);
    st.values.append(QString(u'{' + list.join(u',') + u'}'));
    readText(st, 2, [&](const std::vector<std::optional<QString>>& f) {
        ScopeProgress::Probe probe;
        probe.position = toKey(f[0]);
        probe.time = toTime(f[1]);
        // window is descending: the keys above the probe are its prefix.
        const auto above
            = std::partition_point(window.begin(), window.end(), [&probe](qint64 k) { return k > probe.position; });
        probe.after = qint64(above - window.begin());
        if (!complete && above == window.end() && probe.position < window.back()) {
            probe.after += std::llround(double(window.back() - 1 - probe.position) * density);
            probe.estimated = true;
        }
        out.probes.push_back(probe);
    });
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
