#pragma once

// The statements of TableReader (model/store/tablereader.h), shared by the SQLite and PostgreSQL readers: names
// checked against the catalog's list before they are quoted as identifiers; keys and bounds are parameters.

#include "sql/sqlbuilder.h"
#include "store/tablereader.h"

namespace es::tablesql {

// "name" with every " doubled: an identifier, never a value.
QString quoteIdentifier(const QString& name);
// The catalog's spelling of `wanted` among `columns`: exact, else the only case-insensitive match; empty when none.
QString catalogName(const std::vector<TableColumn>& columns, const QString& wanted);
// SELECT key, columns… FROM `quotedTable` for the query (columns already checked): parameters in SqlBuilder's marker.
SqlStatement rowsStatement(const QString& quotedTable, const QString& key, const QStringList& columns,
    const TableQuery& query, const QString& keyOrderSuffix = {});
// Throws StoreError(MissingTable) unless every column of the query is in `columns`; returns the checked names in
// the catalog's spelling (key first).
QStringList checkedColumns(const std::vector<TableColumn>& columns, const TableQuery& query, const QString& where);

} // namespace es::tablesql
