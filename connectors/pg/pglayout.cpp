// detectPgLayout: the layout of a PostgreSQL database from its catalog, and its statements from the column types.
#include "pg/pglayout.h"

#include "layouts/layoutdetector.h"
#include "pg/pgconnection_p.h"
#include "pg/pgsession.h"
#include "sql/sqlbuilder.h"

#include <QHash>

#include <pqxx/pqxx>

namespace es {

namespace {

struct Table {
    QString name;
    QStringList columns;
};

// The tables and views of every readable schema (lower-cased column names), the search path, and whether text
// compares bytewise.
struct Catalog {
    QHash<QString, std::vector<Table>> schemas;
    QStringList searchPath;
    bool cCollation = false;
};

Catalog readCatalog(PgConnection& conn)
{
    Catalog catalog;
    pqxx::read_transaction tx(conn);
    const pqxx::result r
        = tx.exec("SELECT n.nspname, c.relname, array_to_string(array_agg(lower(a.attname) ORDER BY a.attnum), ',') "
                  "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                  "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
                  "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
                  "AND has_schema_privilege(n.oid, 'USAGE') "
                  "GROUP BY n.nspname, c.relname ORDER BY n.nspname, c.relname");
    for (const pqxx::row& row : r) {
        const QString schema = QString::fromUtf8(row[0].c_str());
        catalog.schemas[schema].push_back(
            { QString::fromUtf8(row[1].c_str()), QString::fromUtf8(row[2].c_str()).split(u',') });
    }
    const pqxx::result path = tx.exec("SELECT unnest(current_schemas(false))");
    for (const pqxx::row& row : path)
        catalog.searchPath.append(QString::fromUtf8(row[0].c_str()));
    const pqxx::result collation = tx.exec("SELECT datcollate FROM pg_database WHERE datname = current_database()");
    if (!collation.empty()) {
        const QString c = QString::fromUtf8(collation[0][0].c_str());
        catalog.cCollation
            = c == QLatin1String("C") || c == QLatin1String("POSIX") || c.startsWith(QLatin1String("C."));
    }
    tx.commit();
    return catalog;
}

SqlValueKind kindOfType(const QString& type)
{
    if (type == QLatin1String("jsonb") || type == QLatin1String("json"))
        return SqlValueKind::Json;
    if (type == QLatin1String("bytea"))
        return SqlValueKind::Bytes;
    if (type.startsWith(QLatin1String("timestamp")) || type == QLatin1String("date"))
        return SqlValueKind::Timestamp;
    if (type == QLatin1String("bigint") || type == QLatin1String("integer") || type == QLatin1String("numeric")
        || type == QLatin1String("double precision") || type == QLatin1String("smallint")
        || type == QLatin1String("real"))
        return SqlValueKind::Number;
    if (type.isEmpty())
        return SqlValueKind::Unknown;
    return SqlValueKind::Text;
}

} // namespace

PgLayout detectPgLayout(PgSession& session, const OpenOptions& options)
{
    const Catalog catalog = readCatalog(session.connection());
    LayoutDetector detector(QStringLiteral("postgresql"), QStringLiteral("PostgreSQL"), session.shownAddress(),
        [&catalog](const QString& schema, const QString& table) {
            for (const Table& t : catalog.schemas.value(schema)) {
                if (t.name == table)
                    return t.columns;
            }
            return QStringList();
        });
    for (auto it = catalog.schemas.cbegin(); it != catalog.schemas.cend(); ++it) {
        QStringList names;
        for (const Table& t : it.value())
            names.append(t.name);
        detector.addSchema(it.key(), names);
    }
    detector.setSchemaOrder(catalog.searchPath);
    const LayoutDetector::Result found = detector.detect(options);

    PgLayout layout;
    layout.profile = found.chosen.profile;
    layout.schema = found.chosen.schema;
    layout.candidates = found.candidates;
    layout.missingCheckpointTables = found.chosen.missingCheckpointTables;
    for (const LayoutDetector::Match& m : found.others)
        layout.notes.append(
            QStringLiteral("also found: %1 in schema %2 (open it with --profile %1)").arg(m.profile.name, m.schema));
    session.setLayoutName(layout.profile.name);
    // Expressions may call the layout schema's functions unqualified.
    session.setSchema(layout.schema);

    auto run = [&session](const QString& sql, const std::function<void(const pqxx::row&)>& each) {
        session.query({ sql, {} }, each);
    };
    const Profile::Events& e = layout.profile.events;
    SqlBuilder::Kinds kinds;
    kinds.cCollation = catalog.cCollation;
    auto typeOf = [&](const QString& expr) {
        if (expr.isEmpty())
            return SqlValueKind::Unknown;
        QString type;
        run(QStringLiteral("SELECT pg_typeof(s.x)::text FROM (SELECT 1) one LEFT JOIN (SELECT (%1) AS x FROM %2 WHERE "
                           "false) s ON true")
                .arg(expr, e.table),
            [&](const pqxx::row& r) { type = QString::fromUtf8(r[0].c_str()); });
        return kindOfType(type);
    };
    // The profile's optional correlation and causation columns (Marten's are opt-in): kept only where this store has
    // them, so the event columns and the flow lookups may use them.
    for (QString* column : { &layout.profile.correlationColumn, &layout.profile.causationColumn }) {
        if (column->isEmpty())
            continue;
        try {
            typeOf(*column);
        } catch (const pqxx::sql_error& error) {
            if (error.sqlstate() != "42703") // undefined_column
                throw;
            column->clear();
        }
    }
    kinds.time = typeOf(e.time);
    kinds.data = typeOf(e.data);
    kinds.metadata = typeOf(e.metadata);
    layout.sql = std::make_unique<SqlBuilder>(layout.profile, SqlDialect::Postgres, kinds);
    for (const QString& n : layout.sql->notes()) {
        if (!layout.notes.contains(n))
            layout.notes.append(n);
    }
    if (!layout.schema.isEmpty())
        layout.notes.append(QStringLiteral("schema: %1").arg(layout.schema));
    for (const QString& probe : layout.sql->probes())
        run(probe, [](const pqxx::row&) {});
    return layout;
}

} // namespace es
