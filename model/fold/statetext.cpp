#include "fold/statetext.h"

#include "core/jsontext.h"
#include "fold/reducer.h"
#include "fold/statepaths.h"

#include <QString>

namespace es {

namespace {

using jsontext::skipSpace;
using jsontext::skipValue;

// The end of the string token at pos (one past its closing quote), or -1 when it holds an escape or is not closed.
qsizetype plainStringEnd(QByteArrayView text, qsizetype pos)
{
    for (qsizetype i = pos + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"')
            return i + 1;
        if (c == '\\')
            return -1;
    }
    return -1;
}

// The scalar or container at [pos, end) as QJsonDocument reads it.
std::optional<QJsonValue> leaf(QByteArrayView text, qsizetype pos, qsizetype end)
{
    const QByteArrayView token = text.sliced(pos, end - pos);
    if (token.isEmpty())
        return std::nullopt;
    const char c = token.front();
    if (c == '"') {
        if (plainStringEnd(token, 0) != token.size())
            return parseJsonValue(token.toByteArray());
        return QJsonValue(QString::fromUtf8(token.sliced(1, token.size() - 2)));
    }
    if (token == "true")
        return QJsonValue(true);
    if (token == "false")
        return QJsonValue(false);
    if (token == "null")
        return QJsonValue(QJsonValue::Null);
    const qsizetype digits = token.size() - (c == '-' ? 1 : 0);
    bool integral = digits >= 1 && digits <= 15;
    for (qsizetype i = c == '-' ? 1 : 0; integral && i < token.size(); ++i)
        integral = token[i] >= '0' && token[i] <= '9';
    if (integral && !(token[c == '-' ? 1 : 0] == '0' && (digits > 1 || c == '-'))) {
        bool ok = false;
        const qint64 n = token.toByteArray().toLongLong(&ok);
        if (ok)
            return QJsonValue(n);
    }
    bool ok = false;
    const QJsonValue v = parseJsonValue(token.toByteArray(), &ok);
    if (!ok)
        return std::nullopt;
    return v;
}

} // namespace

std::optional<QJsonValue> valueAtPathInText(QByteArrayView json, const QJsonArray& path)
{
    qsizetype pos = skipSpace(json, 0);
    if (path.isEmpty() || pos >= json.size() || json[pos] != '{')
        return std::nullopt;
    for (const QJsonValue& step : path) {
        if (pos >= json.size())
            return std::nullopt;
        const char open = json[pos];
        if (step.isString() && open == '{') {
            const QByteArray key = step.toString().toUtf8();
            qsizetype found = -1;
            pos = skipSpace(json, pos + 1);
            while (pos < json.size() && json[pos] != '}') {
                if (json[pos] != '"')
                    return std::nullopt;
                const qsizetype keyEnd = plainStringEnd(json, pos);
                if (keyEnd < 0)
                    return std::nullopt;
                const bool match = json.sliced(pos + 1, keyEnd - pos - 2) == QByteArrayView(key);
                pos = skipSpace(json, keyEnd);
                if (pos >= json.size() || json[pos] != ':')
                    return std::nullopt;
                pos = skipSpace(json, pos + 1);
                if (match) {
                    if (found >= 0)
                        return std::nullopt; // a key twice: which one the document keeps is its business
                    found = pos;
                }
                pos = skipSpace(json, skipValue(json, pos));
                if (pos < json.size() && json[pos] == ',')
                    pos = skipSpace(json, pos + 1);
            }
            if (pos >= json.size())
                return std::nullopt;
            if (found < 0)
                return QJsonValue(QJsonValue::Undefined);
            pos = found;
        } else if (step.isDouble() && open == '[') {
            const qint64 index = step.toInteger();
            if (index < 0)
                return QJsonValue(QJsonValue::Undefined);
            pos = skipSpace(json, pos + 1);
            for (qint64 i = 0; i < index; ++i) {
                if (pos >= json.size() || json[pos] == ']')
                    return QJsonValue(QJsonValue::Undefined);
                pos = skipSpace(json, skipValue(json, pos));
                if (pos < json.size() && json[pos] == ',')
                    pos = skipSpace(json, pos + 1);
            }
            if (pos >= json.size())
                return std::nullopt;
            if (json[pos] == ']')
                return QJsonValue(QJsonValue::Undefined);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return leaf(json, pos, skipValue(json, pos));
}

std::vector<QJsonValue> valuesAtPaths(const QByteArray& state, const std::vector<QJsonArray>& paths)
{
    std::vector<QJsonValue> values;
    values.reserve(paths.size());
    std::optional<QJsonValue> parsed;
    for (const QJsonArray& path : paths) {
        if (std::optional<QJsonValue> v = valueAtPathInText(state, path)) {
            values.push_back(std::move(*v));
            continue;
        }
        if (!parsed)
            parsed = parseJsonValue(state);
        values.push_back(valueAtPath(*parsed, path));
    }
    return values;
}

std::optional<QJsonValue> jsonValueFromText(QByteArrayView text)
{
    const qsizetype start = skipSpace(text, 0);
    qsizetype end = text.size();
    while (end > start
        && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' || text[end - 1] == '\r'))
        --end;
    return leaf(text, start, end);
}

} // namespace es
