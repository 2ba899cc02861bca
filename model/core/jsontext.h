#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <atomic>
#include <memory>
#include <unordered_map>

namespace es {

// JSON text read where it lies, without building a document: a 500 MB payload as a QJsonDocument costs several GB
// and minutes, while these passes need only the bytes and a small index. They serve the inspector's lazy tree and its
// text view.
namespace jsontext {

// Where a big container ends and how many children it has, so the tree skips it in one step.
struct Container {
    qsizetype end = 0; // one past the closing bracket
    qint64 count = 0;
};

// The result of validate(): whether the text is JSON and, for containers of at least bigContainer bytes, a shortcut
// from their start offset to their end.
struct Index {
    bool ok = false;
    bool cancelled = false; // stopped by the cancel flag: not an answer about the text (error says "Cancelled")
    QString error; // why it is not JSON, with the byte offset
    std::shared_ptr<const std::unordered_map<qsizetype, Container>> big;
};

// Checks JSON text (RFC 8259, any value at the top level, surrounding white space allowed) in one pass. Stops with
// ok false and cancelled true when *cancel becomes true.
Index validate(QByteArrayView text, qsizetype bigContainer = 64 * 1024, const std::atomic<bool>* cancel = nullptr);

// The first offset at or after pos that is not JSON white space.
qsizetype skipSpace(QByteArrayView text, qsizetype pos);
// One past the end of the (valid) value at pos; *count gets a container's number of children.
qsizetype skipValue(QByteArrayView text, qsizetype pos, qint64* count = nullptr, const Index* index = nullptr);

// Re-indented JSON text as QJsonDocument::Indented writes it (four spaces, "key": value), in the stored key order and
// without parsing: \u escapes of non-ASCII characters become UTF-8, everything else is kept. Stops at a line end once
// maxBytes (when not negative) are written, and sets *truncated.
QByteArray pretty(QByteArrayView json, qsizetype maxBytes = -1, bool* truncated = nullptr);
// The same value on one line, white space outside strings dropped.
QByteArray compact(QByteArrayView json);
// The text of a JSON string token (quotes included), at most maxChars characters when not negative.
QString unescape(QByteArrayView token, qsizetype maxChars = -1);

} // namespace jsontext

} // namespace es
