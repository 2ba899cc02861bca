#pragma once

#include "catalog/catalogrequest.h"
#include "sql/sqlbuilder.h"

namespace es {

// The type catalog's statements for either dialect, from the layout's profile; every value bound. Columns by part
// (positions as integers; a root is 'data' or 'metadata'; a path is a JSON array of object keys; a JSON type is
// SQLite's json_type — null, true, false, integer, real, text, array, object — or PostgreSQL's jsonb_typeof):
//   Bounds        first position, last position, time of the first, time of the last (of the scope, ranges ignored)
//   Types         type, count, streams (NULL unless request.withStreams), first position, last position, first
//                 time, last time (the earliest and latest times, as the store keeps them)
//   TypeStreams   type, distinct streams (of request.partition of request.partitions: see CatalogRequest)
//   Fields        type, root, path, JSON type, count, first position, last position, least number, greatest number,
//                 shortest string, longest string (per type, root, path and JSON type; objects are descended into,
//                 arrays are not)
//   Shapes        type, payload kind (a JSON type name as jsonb_typeof spells it — object, array, string, number,
//                 boolean, null — or none, xml, yaml, text, binary), shape (the sorted top-level data keys
//                 as a JSON array when data is an object), count, first position, last position, encoding (how
//                 the store keeps the payload: SQLite's storage class — text, blob... —, PostgreSQL's type — jsonb,
//                 json, text, bytea)
//   Sample        a tag ('types', 'fields', 'shapes', 'values') and that part's columns, NULL-padded to 12: Types with
//                 the events inside the ranges after its own; values: type, root, path, 'top' or 'freq', then for 'top'
//                 a value (JSON text) and its count (at most request.limit per path, most frequent first), for 'freq'
//                 a number n and how many values occur n times
//   TypeIndexed   one row: 1 when an index serves reading one type's events in position order, else 0 (the engine
//                 reads the plan of this statement, a probe, rather than running it)
//   Values        value (JSON text), count, streams (a JSON array of stream names), most frequent first
//   Missing       one row: for each of request.missing, the events of request.type without that path (absent, or a
//                 payload that is no JSON object): count, first position, last position
//   TypeStatistics  per most common type of the table: type, its frequency (0..1), the table's row estimate
//                 (reltuples), the rows ANALYZE sampled (300 x the column's statistics target); no rows unless the
//                 scope is the whole table of a plain events table on PostgreSQL with statistics for its type column
// indexStream: let the planner reach a category through the stream index.
SqlStatement catalogStatement(const SqlBuilder& sql, const CatalogRequest& request, bool indexStream);

} // namespace es
