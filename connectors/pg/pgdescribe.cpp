#include "pg/pgdescribe.h"

#include "pg/pgconnection_p.h"
#include "pg/pgsession.h"

#include <QHash>

namespace es {

namespace {

constexpr int SampleValueChars = 65536;
constexpr qint64 CountedRows = 100000; // tables never analysed are counted up to this many rows

QString text(const pqxx::field& f)
{
    return QString::fromUtf8(f.c_str(), int(f.size()));
}

std::string quoted(pqxx::transaction_base& tx, const QString& name)
{
    return tx.quote_name(name.toStdString());
}

// The relations of the readable schemas: $1 names one schema or is empty for all.
const char* const relations
    = "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
      "AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE "
      "'pg_toast%' AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') AND ($1 = '' OR "
      "n.nspname = $1)";

} // namespace

DatabaseSchema describePg(const QString& address, const OpenOptions& options)
{
    PgSession::Settings settings;
    if (options.statementTimeoutMs >= 0)
        settings.statementTimeoutMs = options.statementTimeoutMs;
    PgSession session(PgAddress::parse(address), settings);
    try {
        session.connect();
    } catch (const StoreError& e) {
        throw StoreError(e.message(),
            e.kind() == StoreError::Kind::Timeout ? StoreError::Kind::Timeout : StoreError::Kind::BadAddress);
    }
    DatabaseSchema schema;
    schema.engine = QStringLiteral("postgresql");
    schema.address = session.shownAddress();
    const std::string only = options.schema.toStdString();
    session.run([&] {
        pqxx::read_transaction tx(session.connection());
        QHash<QString, size_t> byOid;
        for (const pqxx::row& r : tx.exec_params(std::string("SELECT c.oid::text, n.nspname, c.relname, c.relkind IN "
                                                             "('v', 'm'), c.reltuples::bigint ")
                     + relations + " ORDER BY n.nspname, c.relname",
                 only)) {
            DbTable t;
            t.schema = text(r[1]);
            t.name = text(r[2]);
            t.view = r[3].as<bool>();
            t.rowEstimate = r[4].as<long long>();
            byOid.insert(text(r[0]), schema.tables.size());
            schema.tables.push_back(std::move(t));
        }
        for (const pqxx::row& r : tx.exec_params(
                 std::string("SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                             "a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', "
                             "false), coalesce(a.attnum = ANY (k.conkey), false) FROM pg_attribute a JOIN pg_class c "
                             "ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef "
                             "d ON d.adrelid = a.attrelid AND d.adnum = a.attnum LEFT JOIN pg_constraint k ON "
                             "k.conrelid = c.oid AND k.contype = 'p' WHERE a.attnum > 0 AND NOT a.attisdropped AND "
                             "c.oid IN (SELECT c.oid ")
                     + relations + ") ORDER BY a.attrelid, a.attnum",
                 only)) {
            const auto it = byOid.constFind(text(r[0]));
            if (it == byOid.cend())
                continue;
            DbColumn c;
            c.name = text(r[1]);
            c.type = text(r[2]);
            c.notNull = r[3].as<bool>();
            c.generated = r[4].as<bool>();
            c.primaryKey = r[5].as<bool>();
            schema.tables[*it].columns.push_back(std::move(c));
        }
        for (const pqxx::row& r : tx.exec_params(
                 std::string("SELECT i.indrelid::text, i.indisunique, array_to_string(ARRAY(SELECT coalesce(a.attname, "
                             "'') FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) LEFT JOIN pg_attribute a ON "
                             "a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord), chr(31)) FROM pg_index "
                             "i WHERE i.indrelid IN (SELECT c.oid ")
                     + relations + ")",
                 only)) {
            const auto it = byOid.constFind(text(r[0]));
            if (it == byOid.cend())
                continue;
            schema.tables[*it].indexes.push_back({ text(r[2]).split(QChar(31)), r[1].as<bool>() });
        }
        int described = 0;
        for (DbTable& t : schema.tables) {
            if (++described > DatabaseSchema::MostTables)
                break;
            const std::string from = quoted(tx, t.schema) + '.' + quoted(tx, t.name);
            if (t.rowEstimate < 0 && !t.view) {
                const pqxx::row n = tx.exec1(
                    "SELECT count(*) FROM (SELECT 1 FROM " + from + " LIMIT " + std::to_string(CountedRows) + ") x");
                t.rowEstimate = n[0].as<long long>();
            }
            if (t.columns.empty())
                continue;
            std::string select;
            for (const DbColumn& c : t.columns) {
                if (!select.empty())
                    select += ", ";
                select += "left(" + quoted(tx, c.name) + "::text, " + std::to_string(SampleValueChars) + ")";
            }
            for (const pqxx::row& r : tx.exec(
                     "SELECT " + select + " FROM " + from + " LIMIT " + std::to_string(DatabaseSchema::SampleRows))) {
                std::vector<std::optional<QString>> values;
                for (const pqxx::field& f : r)
                    values.push_back(f.is_null() ? std::nullopt : std::optional<QString>(text(f)));
                t.sample.push_back(std::move(values));
            }
        }
        tx.commit();
        return 0;
    });
    return schema;
}

} // namespace es
