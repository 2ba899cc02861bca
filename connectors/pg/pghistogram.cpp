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
    m_cancelled = false;
    std::vector<HistogramRow> rows;
    try {
        if (!m_conn)
            connect();
        pqxx::read_transaction tx(m_conn->conn);
        // Sessions run with JIT off (it slows short statements); a scan of millions of rows gains from it, so this
        // transaction goes back to the server's own setting (reset_val: what RESET would restore).
        tx.exec("SELECT set_config('jit', reset_val, true) FROM pg_settings WHERE name = 'jit'");
        const pqxx::result r = tx.exec_params(
            SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(), pqxx::prepare::make_dynamic_params(params));
        rows.reserve(size_t(r.size()));
        for (const pqxx::row& row : r) {
            if (row[0].is_null())
                continue;
            HistogramRow h;
            h.bucket = row[0].as<qint64>();
            h.group = row[1].is_null() ? QString() : QString::fromUtf8(row[1].c_str(), int(row[1].size()));
            h.count = row[2].as<qint64>();
            rows.push_back(std::move(h));
        }
    } catch (const StoreError&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        m_conn.reset();
        throw StoreError(m_address.scrub(QString::fromUtf8(e.what()).trimmed()), StoreError::Kind::Disconnected);
    } catch (const std::exception& e) {
        if (m_cancelled)
            throw StoreError(QStringLiteral("The read was cancelled."), StoreError::Kind::Cancelled);
        throw StoreError(m_address.scrub(QString::fromUtf8(e.what()).trimmed()));
    }
    return Histogram::fromRows(rows, query.bucketSeconds, query.topN);
}

} // namespace es
