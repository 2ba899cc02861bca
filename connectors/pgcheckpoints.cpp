// PgStore's checkpoint, lag and tail-head reads; the rest of PgStore is in pgstore.cpp.
#include "pgstore.h"

#include "sqlbuilder.h"

#include <algorithm>

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

ScopeProgress PgStore::scopeProgress(const EventFilter& scope, const std::vector<qint64>& positions)
{
    ScopeProgress out;
    const ScopeStats stats = scopeStats(scope);
    out.total = stats.count;
    out.headKey = stats.count > 0 ? stats.lastKey : -1;
    const QString key = m_sql->keyExpr(scope);
    const Profile::Events& e = m_profile.events;
    const QString time = e.time.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("(%1)::text").arg(paren(e.time));
    if (out.headKey >= 0 && !e.time.isEmpty()) {
        SqlWhere w = m_sql->baseWhere(scope, true);
        w.add(paren(key) + QStringLiteral(" = ") + SqlBuilder::param(), { QString::number(out.headKey) });
        SqlStatement st { QStringLiteral("SELECT %1 FROM %2%3 LIMIT 1").arg(time, e.table, w.sql()), w.values };
        readText(st, 1, [&](const std::vector<std::optional<QString>>& f) { out.headTime = toTime(f[0]); });
    }
    if (positions.empty())
        return out;
    QStringList list;
    for (const qint64 p : positions)
        list.append(QString::number(p));
    const SqlWhere w = m_sql->baseWhere(scope, true);
    const QString where = w.sql().isEmpty() ? QStringLiteral(" WHERE ") : w.sql() + QStringLiteral(" AND ");
    // Times: one index probe each, in one statement; the positions travel as one bound array.
    SqlStatement st;
    st.sql = QStringLiteral("SELECT es_key, (SELECT %3 FROM %1%2%4 <= es_key ORDER BY %4 DESC LIMIT 1) "
                            "FROM unnest(%5::bigint[]) WITH ORDINALITY AS es_probe(es_key, es_n) ORDER BY es_n")
                 .arg(e.table, where, time, paren(key), SqlBuilder::param());
    st.values.append(w.values);
    st.values.append(QString(u'{' + list.join(u',') + u'}'));
    readText(st, 2, [&](const std::vector<std::optional<QString>>& f) {
        ScopeProgress::Probe probe;
        probe.position = toKey(f[0]);
        probe.time = toTime(f[1]);
        out.probes.push_back(probe);
    });
    // Counts: ONE scan of the keys above the lowest probe, bucketed by the sorted probes (width_bucket counts the
    // thresholds p + 1 at or below a key, i.e. the probes below it); suffix sums give "events after" for each.
    std::vector<qint64> sorted(positions.begin(), positions.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    QStringList thresholds;
    for (const qint64 p : sorted)
        thresholds.append(QString::number(p + 1));
    SqlStatement counts;
    counts.sql = QStringLiteral("SELECT width_bucket(%3, %4::bigint[]), count(*) FROM %1%2%3 > %4 GROUP BY 1")
                     .arg(e.table, where, paren(key), SqlBuilder::param());
    // Markers in text order: the thresholds, the scope's values, the lowest probe.
    counts.values.append(QString(u'{' + thresholds.join(u',') + u'}'));
    counts.values.append(w.values);
    counts.values.append(QString::number(sorted.front()));
    std::vector<qint64> inBucket(sorted.size() + 1, 0);
    readText(counts, 2, [&](const std::vector<std::optional<QString>>& f) {
        const qint64 b = toKey(f[0], 0);
        if (b >= 0 && b < qint64(inBucket.size()))
            inBucket[size_t(b)] += toKey(f[1], 0);
    });
    // after(sorted[j]) = keys in buckets j + 1 and up.
    std::vector<qint64> after(sorted.size(), 0);
    qint64 sum = 0;
    for (size_t j = sorted.size(); j-- > 0;) {
        sum += inBucket[j + 1];
        after[j] = sum;
    }
    for (ScopeProgress::Probe& probe : out.probes) {
        const auto it = std::lower_bound(sorted.begin(), sorted.end(), probe.position);
        if (it != sorted.end() && *it == probe.position)
            probe.after = after[size_t(it - sorted.begin())];
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
