#pragma once

#include "flow/linkquery.h"
#include "sql/sqlbuilder.h"

namespace es {

// The statements of flows (issue 14) for either dialect, from the layout's profile ("correlation": metadata keys,
// optional columns, what a causation reference names); every value bound. A LinkQuery's lists are OR-ed terms of
// one statement: PostgreSQL compares `= ANY($n::text[])`, SQLite `IN (SELECT value FROM json_each(?))`, so an
// index on the expression (a column, or an expression index on the metadata key) can serve each term.
struct FlowSqlOptions {
    bool idIsUuid = false; // PostgreSQL: the id expression is a uuid, compared as uuid[] (its unique index)
    bool correlationColumn = false; // the profile's optional correlation column exists in this store
    bool causationColumn = false;
};

class FlowSql {
public:
    using Options = FlowSqlOptions;

    FlowSql(const SqlBuilder& sql, Options options);

    // SqlBuilder::selectEvent() columns, in position order.
    SqlStatement linked(const LinkQuery& query) const;
    // Columns: correlation id, the types as a JSON array in position order, first position, first time, last time
    // (as events carry times), events.
    SqlStatement flowRows(const FlowScanRequest& request) const;
    // The table the events come from, unquoted, as plans name it (the first of the profile's events.table).
    QString mainTable() const;
    // Its alias in events.table (empty when none): SQLite's plans name a table by it.
    QString mainAlias() const;
    // Whether the lookup of this kind can be expressed at all (the layout keeps the value somewhere SQL reaches).
    bool canLookUp(LinkQuery::Kind kind) const { return !expressions(kind).isEmpty(); }

    // A list bound as one parameter: a PostgreSQL text[] literal, or a JSON array for SQLite (digit strings appear as
    // text and as numbers, since json_extract returns numbers as numbers).
    QString listParameter(const QStringList& values, bool numbers) const;

private:
    // At most this many values of a SQLite metadata key are looked for in the raw text before the JSON is parsed.
    static constexpr qsizetype MaxPrefilterValues = 2;

    QStringList expressions(LinkQuery::Kind kind) const;
    QStringList metadataKeyExpressions(LinkQuery::Kind kind) const;
    QString keyExpression(const QString& key) const;
    QString term(LinkQuery::Kind kind, const QStringList& values, QVariantList& bound) const;
    QString correlationGroup() const;
    QString timeAggregate(const char* fn) const;

    const SqlBuilder& m_sql;
    Options m_options;
};

} // namespace es
