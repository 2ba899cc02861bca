// PgStore::histogram: events per time bucket and group, counted by the server in one statement.
#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"
#include "sql/histogramsql.h"

#include <pqxx/pqxx>

namespace es {

Histogram PgStore::histogram(const HistogramQuery& query)
{
    const SqlStatement st = histogramStatement(*m_sql, query, true);
    std::vector<std::string> params;
    for (const QVariant& v : st.values)
        params.push_back(v.isNull() ? std::string() : v.toString().toStdString());
    const std::vector<HistogramRow> rows = m_session.run([&] {
        std::vector<HistogramRow> out;
        pqxx::read_transaction tx(m_session.connection());
        // Sessions run with JIT off (it slows short statements); a scan of millions of rows gains from it, so this
        // transaction goes back to the server's own setting (reset_val: what RESET would restore).
        tx.exec("SELECT set_config('jit', reset_val, true) FROM pg_settings WHERE name = 'jit'");
        const pqxx::result r = tx.exec_params(
            SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(), pqxx::prepare::make_dynamic_params(params));
        out.reserve(size_t(r.size()));
        for (const pqxx::row& row : r) {
            if (row[0].is_null())
                continue;
            HistogramRow h;
            h.bucket = row[0].as<qint64>();
            h.other = row[1].is_null();
            h.group = h.other ? QString() : QString::fromUtf8(row[1].c_str(), int(row[1].size()));
            h.count = row[2].as<qint64>();
            out.push_back(std::move(h));
        }
        return out;
    });
    return Histogram::fromRows(rows, query.bucketSeconds, query.topN);
}

} // namespace es
