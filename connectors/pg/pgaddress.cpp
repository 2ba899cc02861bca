// PgAddress: PostgreSQL addresses read by libpq's PQconninfoParse, written back as keyword strings, redacted.
#include "pg/pgaddress.h"

#include "store/eventstore.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>

namespace es {

namespace {

bool isUri(const QString& text)
{
    return text.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

// Where toString() puts a keyword: the ones people read first, then libpq's order (`index`, from 0).
int rankOf(const char* keyword, int index)
{
    static const char* const first[] = { "host", "hostaddr", "port", "dbname", "user" };
    for (int i = 0; i < int(std::size(first)); ++i) {
        if (std::strcmp(keyword, first[i]) == 0)
            return i;
    }
    return int(std::size(first)) + index;
}

bool isSecret(const PQconninfoOption& o)
{
    return (o.dispchar && std::strchr(o.dispchar, '*')) || std::strcmp(o.keyword, "password") == 0
        || std::strcmp(o.keyword, "sslpassword") == 0;
}

// libpq's reason for not reading an address may quote any part of it, a password too (a URI's user info, a word
// left without "="). Every part that is not an option name (a word followed by "=") is blanked out; the reason may be
// translated, so quotes cannot be relied on to find them.
QString withoutAddressParts(QString reason, const QString& address)
{
    static const QRegularExpression separators(QStringLiteral("[\\s:/@?&=,;'\"\\[\\]\\\\]+"));
    QStringList parts;
    qsizetype from = 0;
    auto take = [&](qsizetype end, const QString& separator) {
        const QString part = address.mid(from, end - from);
        if (!part.isEmpty() && !separator.trimmed().startsWith(u'='))
            parts.append(part);
    };
    for (auto it = separators.globalMatch(address); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        take(m.capturedStart(), m.captured());
        from = m.capturedEnd();
    }
    take(address.size(), QString());
    std::sort(parts.begin(), parts.end(), [](const QString& a, const QString& b) { return a.size() > b.size(); });
    for (const QString& part : parts) {
        const QRegularExpression whole(QStringLiteral("(?<!\\w)%1(?!\\w)").arg(QRegularExpression::escape(part)));
        reason.replace(whole, QStringLiteral("…"));
    }
    return reason;
}

struct OptionsFree {
    void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

} // namespace

std::optional<PgAddress> PgAddress::tryParse(const QString& text, QString* reason)
{
    const QString trimmed = text.trimmed();
    char* error = nullptr;
    const std::unique_ptr<PQconninfoOption, OptionsFree> options(PQconninfoParse(trimmed.toUtf8().constData(), &error));
    if (!options) {
        if (reason) {
            const QString why = error ? QString::fromUtf8(error).trimmed() : QStringLiteral("out of memory");
            *reason = withoutAddressParts(why, trimmed);
        }
        PQfreemem(error);
        return std::nullopt;
    }
    PgAddress address;
    address.m_text = trimmed;
    std::vector<std::pair<int, Entry>> ranked;
    int index = 0;
    for (const PQconninfoOption* o = options.get(); o->keyword; ++o, ++index) {
        if (o->val)
            ranked.push_back({ rankOf(o->keyword, index),
                { { QString::fromUtf8(o->keyword), QString::fromUtf8(o->val) }, isSecret(*o) } });
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [rank, entry] : ranked)
        address.m_entries.push_back(std::move(entry));
    return address;
}

PgAddress PgAddress::parse(const QString& text)
{
    QString reason;
    std::optional<PgAddress> address = tryParse(text, &reason);
    if (!address)
        throw StoreError(
            QStringLiteral("Not a valid PostgreSQL address: %1").arg(reason), StoreError::Kind::BadAddress);
    return std::move(*address);
}

bool PgAddress::looksLikeAddress(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (isUri(trimmed))
        return true;
    static const QRegularExpression keywordStart(QStringLiteral("^[A-Za-z_]+\\s*="));
    return keywordStart.match(trimmed).hasMatch() && !QFileInfo::exists(trimmed);
}

QString PgAddress::quote(const QString& value)
{
    const bool plain = !value.isEmpty()
        && std::none_of(value.begin(), value.end(), [](QChar c) { return c.isSpace() || c == u'\'' || c == u'\\'; });
    if (plain)
        return value;
    QString quoted;
    quoted.reserve(value.size() + 2);
    quoted += u'\'';
    for (const QChar c : value) {
        if (c == u'\'' || c == u'\\')
            quoted += u'\\';
        quoted += c;
    }
    quoted += u'\'';
    return quoted;
}

QString PgAddress::compose(const std::vector<Option>& options)
{
    QStringList parts;
    for (const Option& o : options) {
        if (!o.value.isEmpty())
            parts.append(o.keyword + u'=' + quote(o.value));
    }
    return parts.join(u' ');
}

QString PgAddress::redact(const QString& text)
{
    const std::optional<PgAddress> address = tryParse(text);
    return address ? address->redacted() : QStringLiteral("(a PostgreSQL address libpq cannot read)");
}

QString PgAddress::value(const QString& keyword) const
{
    for (const Entry& e : m_entries) {
        if (e.option.keyword == keyword)
            return e.option.value;
    }
    return {};
}

PgAddress PgAddress::withDatabase(const QString& database) const
{
    PgAddress out = *this;
    const auto it = std::find_if(
        out.m_entries.begin(), out.m_entries.end(), [](const Entry& e) { return e.option.keyword == u"dbname"; });
    if (it != out.m_entries.end()) {
        it->option.value = database;
    } else {
        // After host, hostaddr and port: where toString() ranks it.
        const auto before = std::find_if(out.m_entries.begin(), out.m_entries.end(),
            [](const Entry& e) { return rankOf(e.option.keyword.toUtf8().constData(), 0) > rankOf("dbname", 0); });
        out.m_entries.insert(before, Entry { { QStringLiteral("dbname"), database }, false });
    }
    out.m_text = out.toString();
    return out;
}

QString PgAddress::keywordString(bool withSecrets) const
{
    QStringList parts;
    for (const Entry& e : m_entries) {
        if (withSecrets || !e.secret)
            parts.append(e.option.keyword + u'=' + quote(e.option.value));
    }
    return parts.join(u' ');
}

QString PgAddress::toString() const
{
    return keywordString(true);
}

QString PgAddress::redacted() const
{
    return keywordString(false);
}

const std::vector<PgAddress::Option>& PgAddress::connectionDefaults()
{
    static const std::vector<Option> defaults { { QStringLiteral("connect_timeout"), QStringLiteral("10") },
        { QStringLiteral("keepalives"), QStringLiteral("1") },
        { QStringLiteral("keepalives_idle"), QStringLiteral("10") },
        { QStringLiteral("keepalives_interval"), QStringLiteral("5") },
        { QStringLiteral("keepalives_count"), QStringLiteral("3") },
        { QStringLiteral("tcp_user_timeout"), QStringLiteral("25000") } };
    return defaults;
}

QString PgAddress::connectionString() const
{
    QStringList parts { toString() };
    for (const Option& o : connectionDefaults()) {
        if (!value(o.keyword).isEmpty())
            continue;
        if (o.keyword == u"connect_timeout" && !qEnvironmentVariableIsEmpty("PGCONNECT_TIMEOUT"))
            continue;
        parts.append(o.keyword + u'=' + quote(o.value));
    }
    parts.removeAll(QString());
    return parts.join(u' ');
}

int PgAddress::connectTimeoutSeconds() const
{
    QString given = value(QStringLiteral("connect_timeout"));
    if (given.isEmpty())
        given = qEnvironmentVariable("PGCONNECT_TIMEOUT");
    if (given.isEmpty())
        given = connectionDefaults().front().value;
    // As libpq reads it: an integer; below 2 (but not 0) counts as 2.
    const int seconds = given.trimmed().toInt();
    return seconds <= 0 ? 0 : std::max(seconds, 2);
}

QString PgAddress::scrub(const QString& message) const
{
    QString out = message;
    for (const QString& form : { m_text, connectionString(), toString() }) {
        if (!form.isEmpty())
            out.replace(form, redacted());
    }
    for (const Entry& e : m_entries) {
        if (e.secret && !e.option.value.isEmpty())
            out.replace(e.option.value, QStringLiteral("****"));
    }
    return out;
}

} // namespace es
