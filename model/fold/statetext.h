#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonValue>

#include <optional>
#include <vector>

namespace es {

// Values read from a folded state's compact JSON text where they lie, without building the document.

// The value at `path` (steps as parseJsonPathText gives them) in a state's compact JSON text, read where it lies:
// exactly valueAtPath(parseJsonValue(json), path), without building the document, for the common case of an object
// state and a leaf that is a string without escapes, an integer of at most 15 digits, a boolean or null (a container
// or another number is parsed on its own). Nullopt where it cannot tell cheaply (no object at the top, escaped keys,
// a key twice, text that is not as a fold writes it): the caller then parses the whole state.
std::optional<QJsonValue> valueAtPathInText(QByteArrayView json, const QJsonArray& path);

// The state's value at each path: valueAtPath(parseJsonValue(state), path) for each, the state parsed only when a
// path cannot be read where it lies.
std::vector<QJsonValue> valuesAtPaths(const QByteArray& state, const std::vector<QJsonArray>& paths);

// One JSON value's text (a scalar, or an object or array) as QJsonDocument reads it; nullopt when it is not JSON.
std::optional<QJsonValue> jsonValueFromText(QByteArrayView text);

} // namespace es
