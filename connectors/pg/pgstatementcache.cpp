// PgStatementCache: prepared statements of one connection, at most MaxStatements at a time.
#include "pg/pgstatementcache.h"

#include <pqxx/pqxx>

namespace es {

namespace {

constexpr size_t MaxStatements = 64;

} // namespace

pqxx::result PgStatementCache::run(pqxx::connection_base& conn, pqxx::transaction_base& tx, std::string sql,
    const std::vector<std::string>& params, bool prepared)
{
    if (!prepared)
        return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    auto it = m_names.find(sql);
    if (it == m_names.end()) {
        if (m_names.size() >= MaxStatements) {
            for (const auto& [text, name] : m_names)
                conn.unprepare(name);
            m_names.clear();
        }
        const std::string name = "es_" + std::to_string(++m_count);
        conn.prepare(name, sql);
        it = m_names.emplace(std::move(sql), name).first;
    }
    return tx.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(params));
}

void PgStatementCache::clear()
{
    m_names.clear();
}

} // namespace es
