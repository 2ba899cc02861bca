#pragma once

#include "store/tablereader.h"

#include <QJsonValue>

namespace es {

// How a read model's cell is compared with a replayed state's value (the rules README.md states):
// - SQL NULL equals a missing path and a JSON null; a value never equals a missing path.
// - Numbers by value: an integer, real or numeric cell (or text that reads as a number) equals a JSON number, or a
//   JSON string that reads as a number, of the same value (10 = 10.0 = "10.00"); integers exactly, others as doubles.
// - Booleans: a boolean cell, or an integer 0/1 (SQLite has no boolean), equals false/true.
// - Times as instants: a timestamp cell, or text that reads as an ISO 8601 date and time, equals a string that reads
//   as the same instant (a time without zone is UTC): "2024-03-04 05:06:07+00" = "2024-03-04T05:06:07.000Z".
// - JSON deep-equal: a json/jsonb cell, or text holding a JSON object or array, equals the value when both parse to
//   the same JSON (object keys in any order, numbers by value).
// - Text equals a string of the same characters; anything else differs.
bool cellEquals(const TableCell& cell, const QJsonValue& replayed);
// Two JSON values under the same rules (numbers by value, objects in any key order, undefined = null).
bool jsonDeepEquals(const QJsonValue& a, const QJsonValue& b);
// The cell as a report shows it: null, a number, a bool, text, or the parsed JSON of a JSON cell.
QJsonValue cellToJson(const TableCell& cell);
// A key as the table holds it, from the value at the key path: a string as is, an integral number without a fraction.
QString keyText(const QJsonValue& value);

} // namespace es
