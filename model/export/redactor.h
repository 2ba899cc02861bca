#pragma once

#include "core/event.h"

#include <QByteArray>
#include <QStringList>

#include <optional>
#include <vector>

namespace es {

// Replaces chosen data/metadata fields of exported events with a keyed token: "hmac:" + the first 32 hex digits of
// HMAC-SHA-256(key, the value's compact JSON). Each export gets a fresh random key unless one is given, so equal
// values share a token within one export (joins still work) but tokens cannot be reversed by hashing a dictionary
// of e-mails or PINs, nor matched across exports; a key kept in a file (--redact-key) joins exports on purpose.
//
// Keys are matched after JSON parsing, so escaped spellings ("em\u0061il") are found too; only payloads that can
// neither mention a key nor hold an escape skip the parse. Payloads that are not JSON (text, XML, YAML, binary)
// cannot be looked into: by default the whole payload is replaced by a token, or the export refuses, or keeps them
// as they are when the user says so.
class Redactor {
public:
    enum class NonJson { Redact, Refuse, Keep };

    // Paths start with "data." or "metadata."; array elements by index ("data.items.0.email").
    static std::optional<Redactor> parse(const QStringList& paths, QString* error = nullptr);
    static QByteArray freshKey();
    static std::optional<NonJson> nonJsonFromName(const QString& name);

    bool isEmpty() const { return m_paths.empty(); }
    void setKey(QByteArray key) { m_key = std::move(key); }
    const QByteArray& key() const { return m_key; }
    void setNonJson(NonJson policy) { m_nonJson = policy; }

    // Returns true when the event changed. Throws StoreError for a non-JSON payload under NonJson::Refuse.
    bool apply(Event& event) const;
    // The token for a value given as its compact JSON.
    QString token(const QByteArray& json) const;

private:
    struct Path {
        bool metadata = false;
        QStringList keys;
    };
    bool mayMention(const Payload& payload, bool metadata) const;

    std::vector<Path> m_paths;
    QByteArray m_key = freshKey();
    NonJson m_nonJson = NonJson::Redact;
};

} // namespace es
