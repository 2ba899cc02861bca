// PgStore's flow reads (issue 14): linked events, whether an index serves a lookup, and many flows grouped by the
// server. Statements from sql/flowsql.h.
#include "pg/pgconnection_p.h"
#include "pg/pgrows_p.h"
#include "pg/pgstore.h"
#include "sql/flowsql.h"
#include "sql/sqlbuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <pqxx/pqxx>

namespace es {

namespace {

constexpr pqxx::oid UuidOid = 2950;

std::vector<std::string> textParams(const SqlStatement& st)
{
    std::vector<std::string> params;
    for (const QVariant& v : st.values)
        params.push_back(v.toString().toStdString());
    return params;
}

bool isUuid(const QString& text)
{
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"));
    return uuid.match(text).hasMatch();
}

} // namespace

FlowSql PgStore::flowSql()
{
    if (!m_flowOptions) {
        FlowSqlOptions o;
        const Profile::Events& e = m_profile.events;
        auto probe = [&](const QString& expr, pqxx::oid* type) {
            try {
                m_session.run([&] {
                    pqxx::read_transaction tx(m_session.connection());
                    const pqxx::result r
                        = tx.exec(QStringLiteral("SELECT %1 FROM %2 WHERE false").arg(expr, e.table).toStdString());
                    if (type)
                        *type = r.column_type(0);
                    return 0;
                });
                return true;
            } catch (const StoreError& error) {
                if (error.kind() == StoreError::Kind::Cancelled || error.kind() == StoreError::Kind::Disconnected)
                    throw;
                return false;
            }
        };
        pqxx::oid idType = 0;
        if (!e.id.isEmpty() && probe(SqlBuilder::paren(e.id), &idType))
            o.idIsUuid = idType == UuidOid;
        o.correlationColumn = !m_profile.correlationColumn.isEmpty() && probe(m_profile.correlationColumn, nullptr);
        o.causationColumn = !m_profile.causationColumn.isEmpty() && probe(m_profile.causationColumn, nullptr);
        m_flowOptions = o;
    }
    return FlowSql(*m_sql, *m_flowOptions);
}

EventList PgStore::linkedEvents(const LinkQuery& request)
{
    const FlowSql sql = flowSql();
    LinkQuery q = request;
    if (m_flowOptions->idIsUuid) {
        // A value that is no uuid names no event here (and would make the whole uuid[] unreadable).
        q.ids.removeIf([](const QString& id) { return !isUuid(id); });
    }
    if (q.isEmpty())
        return {};
    const SqlStatement st = sql.linked(q);
    return m_session.run([&] {
        EventList list;
        query(st, [&](const Rows& r) { list.push_back(readEvent(r)); });
        return list;
    });
}

bool PgStore::linkIndexed(LinkQuery::Kind kind)
{
    if (const auto it = m_linkIndexed.find(int(kind)); it != m_linkIndexed.end())
        return it->second;
    const FlowSql sql = flowSql();
    bool indexed = false;
    if (sql.canLookUp(kind)) {
        LinkQuery probe;
        const QString value = kind == LinkQuery::Kind::Position ? QStringLiteral("1")
            : kind == LinkQuery::Kind::Id && m_flowOptions->idIsUuid
            ? QStringLiteral("00000000-0000-0000-0000-000000000000")
            : QStringLiteral("eventscope-probe");
        probe.values(kind) = QStringList { value };
        // The plan shows the bound array as a literal: an index condition that names it is one on the lookup's own
        // term (not one on the layout's filter, such as Emmett's is_archived or Commanded's stream_id = 0).
        const QString probeArray = u'{' + value + u'}';
        const SqlStatement st = sql.linked(probe);
        const std::vector<std::string> params = textParams(st);
        const QString table = sql.mainTable();
        // With sequential scans priced out, the plan still scans the table only where no index can serve the terms.
        indexed = m_session.run([&] {
            pqxx::read_transaction tx(m_session.connection());
            tx.exec("SET LOCAL enable_seqscan = off");
            const pqxx::result r
                = tx.exec_params("EXPLAIN " + SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(),
                    pqxx::prepare::make_dynamic_params(params));
            // Served: no sequential scan of the table (or of a partition, named after it), and an index condition
            // on the lookup's own term (a scan of a whole index with a filter has none, and one led by another
            // condition reads every row that condition admits). In a layout that joins tables the term may sit on
            // another table than the first (Commanded's events behind stream_events).
            bool scans = false;
            bool condition = false;
            for (const pqxx::row& row : r) {
                const QString line = QString::fromUtf8(row[0].c_str()).trimmed();
                if (line.contains(QLatin1String("Seq Scan on ") + table))
                    scans = true;
                else if ((line.startsWith(QLatin1String("Index Cond:"))
                             || line.startsWith(QLatin1String("Recheck Cond:")))
                    && line.contains(probeArray))
                    condition = true;
            }
            return !scans && condition;
        });
    }
    m_linkIndexed[int(kind)] = indexed;
    return indexed;
}

void PgStore::flowRows(const FlowScanRequest& request, const std::function<void(const FlowRow&)>& each)
{
    const SqlStatement st = flowSql().flowRows(request);
    const std::vector<std::string> params = textParams(st);
    m_session.run([&] {
        pqxx::read_transaction tx(m_session.connection());
        // A grouping of millions of rows gains from JIT, which sessions turn off for short statements.
        tx.exec("SELECT set_config('jit', reset_val, true) FROM pg_settings WHERE name = 'jit'");
        const pqxx::result r = tx.exec_params(
            SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(), pqxx::prepare::make_dynamic_params(params));
        for (const pqxx::row& row : r) {
            const Rows q(row);
            FlowRow f;
            f.correlationId = q.text(0);
            for (const QJsonValue v : QJsonDocument::fromJson(q.bytes(1, false)).array())
                f.types.append(v.toString());
            f.firstPosition = q.integer(2);
            f.firstTime = q.time(3);
            f.lastTime = q.time(4);
            f.events = q.integer(5, 0);
            each(f);
        }
        return 0;
    });
}

} // namespace es
