#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QStringList>

namespace es {

// Paths into a folded state, as jsonPathText() writes them ("balance", "items[2].sku", `meta["odd key"].n`).

// The value at `path`; undefined when a step is missing or of the wrong kind.
QJsonValue valueAtPath(QJsonValue value, const QJsonArray& path);
// jsonPathText() read back into steps: "$" is the root (an empty array); so is text that does not parse.
QJsonArray parseJsonPathText(const QString& text);
// The paths of the numbers in a state, for picking what to chart: at most ~200, six levels deep, the first 20
// elements of each array.
QStringList numericPaths(const QJsonValue& state);

} // namespace es
