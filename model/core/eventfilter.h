#pragma once

#include "core/jsonpath.h"

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>
#include <vector>

namespace es {

// A comparison on a JSON path of data or metadata, e.g. `data.amount > 100` or `metadata.userId = 'u-7'`, or a test
// whether the path is there: `data.name exists`, `data.name missing` (absent, or the payload is no JSON object with
// that path; a JSON null is there).
struct JsonCondition {
    enum class Field { Data, Metadata };
    enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Contains, Exists, Missing };

    Field field = Field::Data;
    JsonPath path; // object keys and array indexes: a key of digits stays a key (`data.codes."0555"`)
    Op op = Op::Exists;
    QVariant value; // double, qint64, QString, bool or null QVariant

    // Parses one condition; on failure returns nullopt and sets *error.
    static std::optional<JsonCondition> parse(const QString& text, QString* error = nullptr);
    // SQLite JSON path text: $.a.b[0]
    QString sqlitePath() const;
    QString toString() const;
};

// What to read. Every field is optional; an empty filter is the whole log.
struct EventFilter {
    QString stream; // one stream: keys are versions, not positions
    QString category; // streams of one category
    QStringList types; // any of these types
    QDateTime fromTime; // inclusive, UTC
    QDateTime toTime; // exclusive, UTC
    QString text; // payload (data or metadata) contains this text
    std::vector<JsonCondition> conditions; // all must hold
    // Only keys up to this one (inclusive; -1: no bound). A followed view caps its rows at the tail's safe point.
    qint64 maxKey = -1;
    // Only keys from this one (inclusive; -1: no bound). How a count kept elsewhere is extended over appended events.
    qint64 minKey = -1;

    bool isStream() const { return !stream.isEmpty(); }
    // True when the filter narrows the log beyond one stream or category.
    bool hasPredicates() const
    {
        return !types.isEmpty() || fromTime.isValid() || toTime.isValid() || !text.isEmpty() || !conditions.empty();
    }
    bool isEmpty() const { return stream.isEmpty() && category.isEmpty() && !hasPredicates(); }
    // Parses "conditions" separated by " and " / " AND " (see JsonCondition::parse).
    static bool parseConditions(const QString& text, std::vector<JsonCondition>* out, QString* error);
};

} // namespace es
