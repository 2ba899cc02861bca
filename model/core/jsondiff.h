#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <vector>

namespace es {

// One difference between two JSON values, at the deepest path where they differ. Objects are compared key by key,
// arrays index by index (an element past the shorter array's end is added or removed).
struct JsonChange {
    enum class Kind { Added, Removed, Changed };
    Kind kind = Kind::Changed;
    QJsonArray path; // keys (strings) and array indexes (numbers), from the root
    QJsonValue oldValue; // undefined when added
    QJsonValue newValue; // undefined when removed

    // "balance", "items[2].sku", `meta["odd key"]`; "$" for the root itself.
    QString pathText() const;
    QString kindName() const;
    // {"op": "added"|"removed"|"changed", "path": "...", "old": ..., "new": ...}
    QJsonValue toJson() const;
};

using JsonDiff = std::vector<JsonChange>;

JsonDiff diffJson(const QJsonValue& before, const QJsonValue& after);
QJsonArray diffToJson(const JsonDiff& diff);
// The path as JsonPath writes it; "$" for the root.
QString jsonPathText(const QJsonArray& path);

} // namespace es
