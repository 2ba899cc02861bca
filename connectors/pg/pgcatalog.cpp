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
        // As for histograms: a scan of millions of rows gains from JIT, which sessions turn off for short statements.
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
