// SqliteStore's flow reads (issue 14): linked events, whether an index serves a lookup, and many flows grouped by
// SQLite. Statements from sql/flowsql.h.
#include "sql/flowsql.h"
#include "sqlite/sqlitequery_p.h"
#include "sqlite/sqlitestore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace es {

EventList SqliteStore::linkedEvents(const LinkQuery& query)
{
    if (query.isEmpty())
        return {};
    const SqlStatement st = FlowSql(*m_sql, {}).linked(query);
    EventList list;
    Query q(this, st.sql, st.values);
    while (q.next())
        list.push_back(readEvent(q));
    return list;
}

bool SqliteStore::linkIndexed(LinkQuery::Kind kind)
{
    if (const auto it = m_linkIndexed.find(int(kind)); it != m_linkIndexed.end())
        return it->second;
    const FlowSql sql(*m_sql, {});
    bool indexed = false;
    if (sql.canLookUp(kind)) {
        LinkQuery probe;
        probe.values(kind) = QStringList { QStringLiteral("1") };
        const SqlStatement st = sql.linked(probe);
        // The plan names the table SCAN where it reads every row, SEARCH where an index (or the rowid) leads.
        const QStringList names { sql.mainTable(), sql.mainAlias() };
        Query plan(this, QStringLiteral("EXPLAIN QUERY PLAN ") + st.sql, st.values);
        bool scans = false;
        while (plan.next()) {
            const QString detail = plan.text(3);
            if (detail.startsWith(QLatin1String("SCAN ")) && names.contains(detail.section(u' ', 1, 1)))
                scans = true;
        }
        indexed = !scans;
    }
    m_linkIndexed[int(kind)] = indexed;
    return indexed;
}

void SqliteStore::flowRows(const FlowScanRequest& request, const std::function<void(const FlowRow&)>& each)
{
    const SqlStatement st = FlowSql(*m_sql, {}).flowRows(request);
    Query q(this, st.sql, st.values);
    while (q.next()) {
        FlowRow f;
        f.correlationId = q.text(0);
        for (const QJsonValue v : QJsonDocument::fromJson(q.bytes(1)).array())
            f.types.append(v.toString());
        f.firstPosition = q.integer(2);
        f.firstTime = q.time(3);
        f.lastTime = q.time(4);
        f.events = q.integer(5, 0);
        each(f);
    }
}

} // namespace es
