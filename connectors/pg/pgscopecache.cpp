// PgScopeCache: scope counts and anchors kept per log head, at most MaxScopes scopes.
#include "pg/pgscopecache.h"

#include "pg/pgconnection_p.h"
#include "sql/sqlbuilder.h"

namespace es {

namespace {

constexpr size_t MaxScopes = 256;

} // namespace

std::string PgScopeCache::signature(const SqlStatement& keys)
{
    std::string key = keys.sql.toStdString();
    for (const QVariant& v : keys.values)
        key += '\x1f' + std::to_string(v.typeId()) + ':' + toParam(v);
    return key;
}

PgScopeCache::Entry& PgScopeCache::entry(const std::string& signature, qint64 head)
{
    if (m_entries.size() > MaxScopes)
        m_entries.clear();
    Entry& e = m_entries[signature];
    if (e.head != head) {
        e = {};
        e.head = head;
    }
    return e;
}

} // namespace es
