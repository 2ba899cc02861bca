// PgStore::catalogRows: the type catalog's statements (sql/catalogsql.h), grouped by the server.
#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"
#include "sql/catalogsql.h"

#include <pqxx/pqxx>

namespace es {

CatalogRows PgStore::catalogRows(const CatalogRequest& request)
{
    const SqlStatement st = catalogStatement(*m_sql, request, true);
    std::vector<std::string> params;
    for (const QVariant& v : st.values)
        params.push_back(v.isNull() ? std::string() : v.toString().toStdString());
    return m_session.run([&] {
        CatalogRows rows;
        pqxx::read_transaction tx(m_session.connection());
        if (request.part == CatalogPart::TypeIndexed) {
            // With sequential scans priced out the plan still scans where no index serves the type; an index that
            // does shows the probed type in its condition (a scan of a whole index with a filter has none).
            tx.exec("SET LOCAL enable_seqscan = off");
            const pqxx::result plan
                = tx.exec_params("EXPLAIN " + SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(),
                    pqxx::prepare::make_dynamic_params(params));
            bool scans = false;
            bool condition = false;
            for (const pqxx::row& row : plan) {
                const QString line = QString::fromUtf8(row[0].c_str()).trimmed();
                scans = scans || line.contains(QLatin1String("Seq Scan"));
                condition = condition
                    || ((line.startsWith(QLatin1String("Index Cond:"))
                            || line.startsWith(QLatin1String("Recheck Cond:")))
                        && line.contains(QLatin1String("eventscope-probe")));
            }
            rows.push_back({ QString(!scans && condition ? QStringLiteral("1") : QStringLiteral("0")) });
            return rows;
        }
        // As for histograms: a scan of millions of rows gains from JIT, which sessions turn off for short statements.
        // Not the sample: a few thousand events, whose recursive CTE the planner prices as millions of rows; compiling
        // it took 2.2 s of a 2.7 s statement on 10M events.
        if (request.part != CatalogPart::Sample)
            tx.exec("SELECT set_config('jit', reset_val, true) FROM pg_settings WHERE name = 'jit'");
        const pqxx::result r = tx.exec_params(
            SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(), pqxx::prepare::make_dynamic_params(params));
        rows.reserve(size_t(r.size()));
        for (const pqxx::row& row : r) {
            CatalogRow out(size_t(row.size()));
            for (pqxx::row::size_type c = 0; c < row.size(); ++c) {
                if (!row[c].is_null())
                    out[size_t(c)] = QString::fromUtf8(row[c].c_str(), int(row[c].size()));
            }
            rows.push_back(std::move(out));
        }
        return rows;
    });
}

} // namespace es
