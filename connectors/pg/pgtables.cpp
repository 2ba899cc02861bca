#include "pg/pgtables.h"

#include "pg/pgaddress.h"
#include "pg/pgconnection_p.h"
#include "pg/pgsession.h"
#include "pg/pgstore.h"
#include "sql/tablesql.h"

namespace es {

namespace {

QString fieldText(const pqxx::field& f)
{
    return QString::fromUtf8(f.c_str(), int(f.size()));
}

TableCell cellOf(const pqxx::field& f, const QString& type)
{
    TableCell cell;
    if (f.is_null())
        return cell;
    const QString text = fieldText(f);
    if (type == QLatin1String("smallint") || type == QLatin1String("integer") || type == QLatin1String("bigint")) {
        cell.kind = TableCell::Kind::Integer;
        cell.value = text.toLongLong();
    } else if (type.startsWith(QLatin1String("numeric"))) {
        cell.kind = TableCell::Kind::Numeric;
        cell.value = text;
    } else if (type == QLatin1String("real") || type == QLatin1String("double precision")) {
        cell.kind = TableCell::Kind::Real;
        cell.value = text.toDouble();
    } else if (type == QLatin1String("boolean")) {
        cell.kind = TableCell::Kind::Bool;
        cell.value = text == QLatin1String("t");
    } else if (type == QLatin1String("json") || type == QLatin1String("jsonb")) {
        cell.kind = TableCell::Kind::Json;
        cell.value = text;
    } else if (type.startsWith(QLatin1String("timestamp")) || type == QLatin1String("date")) {
        cell.kind = TableCell::Kind::Time;
        cell.value = text;
    } else if (type == QLatin1String("bytea")) {
        cell.kind = TableCell::Kind::Blob;
        cell.value = text.toUtf8();
    } else {
        cell.kind = TableCell::Kind::Text;
        cell.value = text;
    }
    return cell;
}

} // namespace

std::unique_ptr<PgTableReader> PgTableReader::open(const QString& address)
{
    auto session = std::make_unique<PgSession>(PgAddress::parse(address), PgSession::Settings {});
    try {
        session->connect();
    } catch (const StoreError& e) {
        throw StoreError(e.message(),
            e.kind() == StoreError::Kind::Timeout ? StoreError::Kind::Timeout : StoreError::Kind::BadAddress);
    }
    auto reader = std::make_unique<PgTableReader>(*session);
    reader->m_owned = std::move(session);
    return reader;
}

PgTableReader::PgTableReader(PgSession& session)
    : m_session(session)
{ }

PgTableReader::~PgTableReader() = default;

QStringList PgTableReader::tables()
{
    SqlStatement st;
    st.sql = QStringLiteral(
        "SELECT n.nspname, c.relname, pg_catalog.pg_table_is_visible(c.oid) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
        "AND NOT c.relispartition ORDER BY 3 DESC, 1, 2");
    QStringList out;
    m_session.run([&] {
        m_session.query(st, [&](const pqxx::row& r) {
            const bool visible = r[2].as<bool>();
            out.append(visible ? fieldText(r[1]) : fieldText(r[0]) + u'.' + fieldText(r[1]));
        });
        return 0;
    });
    return out;
}

PgTableReader::Resolved PgTableReader::resolve(const QString& table)
{
    // The name as given, each part quoted, so that to_regclass neither folds case nor reads anything but a name.
    const qsizetype dot = table.indexOf(u'.');
    const QString asked = dot > 0
        ? tablesql::quoteIdentifier(table.left(dot)) + u'.' + tablesql::quoteIdentifier(table.mid(dot + 1))
        : tablesql::quoteIdentifier(table);
    SqlStatement st;
    st.sql = QStringLiteral("SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                            "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                            "WHERE c.oid = pg_catalog.to_regclass(")
        + SqlBuilder::param() + QStringLiteral(") AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    st.values.append(asked);
    Resolved out;
    m_session.run([&] {
        m_session.query(st, [&](const pqxx::row& r) {
            if (out.quoted.isEmpty())
                out.quoted
                    = tablesql::quoteIdentifier(fieldText(r[0])) + u'.' + tablesql::quoteIdentifier(fieldText(r[1]));
            out.columns.push_back({ fieldText(r[2]), fieldText(r[3]) });
        });
        return 0;
    });
    if (out.columns.empty())
        throw StoreError(QStringLiteral("%1 has no table \"%2\".").arg(m_session.shownAddress(), table),
            StoreError::Kind::MissingTable);
    return out;
}

std::vector<TableColumn> PgTableReader::columns(const QString& table)
{
    // Read afresh (a user picking columns may have changed the table), and kept for the rows() that follow.
    const Resolved resolved = resolve(table);
    m_resolved.insert(table, resolved);
    return resolved.columns;
}

std::vector<TableRow> PgTableReader::rows(const TableQuery& query)
{
    auto cached = m_resolved.constFind(query.table);
    if (cached == m_resolved.constEnd())
        cached = m_resolved.insert(query.table, resolve(query.table));
    const Resolved table = *cached;
    const QStringList names = tablesql::checkedColumns(table.columns, query, query.table);
    QStringList types;
    for (const QString& n : names) {
        for (const TableColumn& c : table.columns) {
            if (c.name == n)
                types.append(c.type);
        }
    }
    const SqlStatement st = tablesql::rowsStatement(table.quoted, names.first(), names.mid(1), query);
    std::vector<TableRow> out;
    m_session.run([&] {
        out.clear();
        m_session.query(st, [&](const pqxx::row& r) {
            TableRow row;
            row.key = fieldText(r[0]);
            row.cells.reserve(size_t(names.size() - 1));
            for (int c = 1; c < names.size(); ++c)
                row.cells.push_back(cellOf(r[c], types.at(c)));
            out.push_back(std::move(row));
        });
        return 0;
    });
    return out;
}

TableReader* PgStore::tables()
{
    if (!m_tables)
        m_tables = std::make_unique<PgTableReader>(m_session);
    return m_tables.get();
}

std::function<void()> PgTableReader::interruption()
{
    return m_session.interruption();
}

} // namespace es
