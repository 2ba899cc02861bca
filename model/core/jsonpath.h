#pragma once

#include <QJsonArray>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>
#include <vector>

namespace es {

// A path into a JSON value: object keys and array indexes from the root. Its text is the one form every part of
// EventScope writes and reads (the inspector's paths, filter conditions, time-travel diffs and charts):
//   data.items[3].sku         a plain key (ASCII letters, digits, _ $ @ -, not starting with a digit or -) after '.'
//   data.items[3]["odd key"]  any other key double-quoted in brackets, '\' escaping '"' and '\'
// Without a root the first plain key has no dot ("items[0].sku"). The reader also takes what people type: keys
// quoted after a dot (`data."odd key"`), single quotes, doubled quotes inside quotes, and plain keys of any letters.
class JsonPath {
public:
    struct Step {
        QString key; // an object key, when index < 0
        qint64 index = -1; // an array index
        bool isIndex() const { return index >= 0; }
        bool operator==(const Step& other) const = default;
    };

    JsonPath() = default;
    static JsonPath fromJson(const QJsonArray& path); // strings are keys, numbers indexes
    // Keys as a JsonCondition keeps them: a string of decimal digits is an array index.
    static JsonPath fromKeys(const QStringList& keys);
    // Object keys only, digits or not.
    static JsonPath objectKeys(const QStringList& keys);

    JsonPath& key(const QString& key);
    JsonPath& index(qint64 index);

    const std::vector<Step>& steps() const { return m_steps; }
    bool isEmpty() const { return m_steps.empty(); }
    QJsonArray toJson() const;
    QStringList toKeys() const;

    // The text form after `root` ("data", "metadata", or none).
    QString toString(const QString& root = {}) const;
    // SQLite's JSON path: $."a"[0]
    QString toSqlite() const;

    // A whole path text, e.g. "items[0].sku" or `["odd key"].n`; "$" is the root. Nullopt and *error when not.
    static std::optional<JsonPath> parse(QStringView text, QString* error = nullptr);
    // Reads steps (each starting with '.' or '[') from text at *pos, up to the first character that starts none;
    // *pos ends after the last step. Errors quote `text`.
    static std::optional<JsonPath> read(QStringView text, qsizetype* pos, QString* error = nullptr);

    // `text` in `quote`s, the quote and '\' escaped with '\': what read() and JsonCondition::parse() take back.
    static QString quoted(const QString& text, QChar quote = u'"');
    // The quoted string at text[*pos] (a ' or " there) into *out, *pos after its closing quote; false when it is
    // not closed. '\' escapes any character; a doubled quote is one quote.
    static bool unquote(QStringView text, qsizetype* pos, QString* out);
    // Whether a key is written without quotes.
    static bool isPlainKey(const QString& key);

    bool operator==(const JsonPath& other) const = default;

private:
    std::vector<Step> m_steps;
};

} // namespace es
