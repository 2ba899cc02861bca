#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

namespace es {

// A data or metadata payload as the store holds it. JSON stays as text until something needs it parsed.
struct Payload {
    enum class Encoding { Null, Json, Text, Base64 };

    QByteArray bytes; // JSON text, UTF-8 text, or raw bytes (Base64 is how they are shown, not how they are kept)
    Encoding encoding = Encoding::Null;

    static Payload json(QByteArray text) { return { std::move(text), Encoding::Json }; }
    static Payload text(QByteArray utf8) { return { std::move(utf8), Encoding::Text }; }
    static Payload binary(QByteArray raw) { return { std::move(raw), Encoding::Base64 }; }
    // Decides from the bytes: valid JSON, else valid UTF-8 text, else binary.
    static Payload sniff(QByteArray raw);

    bool isNull() const { return encoding == Encoding::Null; }
    bool isJson() const { return encoding == Encoding::Json; }
    // "json", "text", "base64" or "null".
    QString encodingName() const;
    // JSON value for output: parsed JSON, a string for text, base64 string for bytes, null.
    QJsonValue toJsonValue() const;
    // Appends the payload as a JSON value without parsing it when it is already JSON.
    void appendJson(QByteArray& out) const;
    // Human readable text: compact JSON, the text itself, or base64.
    QString displayText() const;
    // The start of the text a viewer shows, costing only what it returns: JSON re-indented from its bytes in stored
    // key order (jsontext::pretty, no parsing), text as it is, binary as base64. At most about maxBytes of UTF-8
    // (all when negative), cut at a line end or a character boundary; *truncated says whether more exists.
    QString displayHead(qsizetype maxBytes, bool* truncated = nullptr) const;
    // A single line for table cells, at most maxChars characters.
    QString preview(int maxChars = 160) const;
};

bool isValidUtf8(const QByteArray& bytes);
bool isValidJson(const QByteArray& bytes);
// Appends s as a JSON string literal (quoted, escaped).
void appendJsonString(QByteArray& out, QStringView s);
void appendJsonString(QByteArray& out, const QByteArray& utf8);
// Appends JSON text on one line, as JSON Lines needs it: a stored document may span lines, so line breaks outside
// strings are dropped.
void appendJsonLine(QByteArray& out, QByteArrayView json);

} // namespace es
