#pragma once

// The prepared statements of one PostgreSQL connection: a statement run often with values that do not change its
// plan (the log, one stream) is prepared once per backend and then skips parsing and planning.

#include <QtGlobal>

#include <string>
#include <unordered_map>
#include <vector>

namespace pqxx {
class connection_base;
class result;
class transaction_base;
} // namespace pqxx

namespace es {

class PgStatementCache {
public:
    // Runs `sql` in `tx` with untyped text parameters: prepared on `conn` (on first use) when `prepared`, else
    // parsed and planned with its values.
    pqxx::result run(pqxx::connection_base& conn, pqxx::transaction_base& tx, std::string sql,
        const std::vector<std::string>& params, bool prepared);
    // Forgets every statement: the backend that knew them is gone.
    void clear();

private:
    std::unordered_map<std::string, std::string> m_names; // SQL -> statement name on the connection
    quint64 m_count = 0;
};

} // namespace es
