#pragma once

// A PostgreSQL address as libpq itself reads it: keyword strings ("host=... dbname=...") and postgresql:// or
// postgres:// URIs go through PQconninfoParse, and are written back as keyword strings. What counts as a secret is
// what libpq hides in a connect dialog (dispchar "*": password, sslpassword).

#include <QString>

#include <optional>
#include <vector>

namespace es {

class PgAddress {
public:
    struct Option {
        QString keyword;
        QString value;
    };

    // Throws StoreError(BadAddress) with libpq's reason, from which every part of the address but its option names
    // is blanked out (an address that does not parse may still hold a password).
    static PgAddress parse(const QString& text);
    // nullopt, and the reason parse() would give, when libpq cannot read the address.
    static std::optional<PgAddress> tryParse(const QString& text, QString* reason = nullptr);
    // Whether an address is meant for PostgreSQL: a postgresql:// or postgres:// URI, or text that is no existing file
    // and opens like a keyword string ("word="). Whether libpq can read it is for parse() to say.
    static bool looksLikeAddress(const QString& text);
    // A keyword value as libpq reads it back: as it is when plain, else in single quotes with ' and \ escaped.
    static QString quote(const QString& value);
    // A keyword string of the options in their order, leaving out those with an empty value.
    static QString compose(const std::vector<Option>& options);
    // The address without secrets, as a keyword string; an address libpq cannot read shows as a placeholder.
    static QString redact(const QString& text);

    // The address as given (what libpq connects with).
    QString text() const { return m_text; }
    // The value given for a keyword ("dbname", "host", ...); empty when the address leaves it to libpq.
    QString value(const QString& keyword) const;
    QString database() const { return value(QStringLiteral("dbname")); }
    // The same address naming another database.
    PgAddress withDatabase(const QString& database) const;
    // Every option given, as a keyword string for libpq: host, hostaddr, port, dbname and user first, then the others
    // in libpq's order.
    QString toString() const;
    // toString() without the secret options.
    QString redacted() const;
    // What libpq connects with: toString() plus, for each option of defaults() the address does not set (nor, for
    // connect_timeout, PGCONNECT_TIMEOUT), EventScope's value, so that a server that never answers, or a network that
    // drops a connection, ends a read within about half a minute instead of hanging it.
    QString connectionString() const;
    // The options connectionString() adds: connect_timeout 10 s (a silent server fails then), TCP keepalives after
    // 10 s idle every 5 s, 3 unanswered probes ending the connection, and tcp_user_timeout 25 s for data the peer never
    // acknowledges (a connection that drops mid-read ends in about 25 s instead of the kernel's ~15 minutes).
    static const std::vector<Option>& connectionDefaults();
    // The connect_timeout libpq applies to this address, in seconds (0: none).
    int connectTimeoutSeconds() const;
    // A message (libpq may quote the connection string back) with the address as given replaced by redacted() and every
    // secret value by ****.
    QString scrub(const QString& message) const;

private:
    struct Entry {
        Option option;
        bool secret = false;
    };
    PgAddress() = default;
    QString keywordString(bool withSecrets) const;

    QString m_text; // as given
    std::vector<Entry> m_entries; // in toString() order
};

} // namespace es
