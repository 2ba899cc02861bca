#include "core/jsonpath.h"

namespace es {

namespace {

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'$' || c == u'-' || c == u'@';
}

bool isDigits(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

} // namespace

bool JsonPath::unquote(QStringView text, qsizetype* i, QString* out)
{
    const QChar quote = text[*i];
    ++*i;
    out->clear();
    while (*i < text.size()) {
        const QChar ch = text[(*i)++];
        if (ch == u'\\' && *i < text.size()) {
            out->append(text[(*i)++]);
            continue;
        }
        if (ch == quote) {
            if (*i < text.size() && text[*i] == quote) {
                out->append(quote);
                ++*i;
                continue;
            }
            return true;
        }
        out->append(ch);
    }
    return false;
}

namespace {

QString readIdent(QStringView text, qsizetype* i)
{
    const qsizetype start = *i;
    while (*i < text.size() && isIdentChar(text[*i]))
        ++*i;
    return text.mid(start, *i - start).toString();
}

} // namespace

JsonPath JsonPath::fromJson(const QJsonArray& path)
{
    JsonPath p;
    for (const QJsonValue& part : path) {
        if (part.isDouble())
            p.index(part.toInteger());
        else
            p.key(part.toString());
    }
    return p;
}

JsonPath JsonPath::fromKeys(const QStringList& keys)
{
    JsonPath p;
    for (const QString& k : keys) {
        bool ok = false;
        const qint64 n = isDigits(k) ? k.toLongLong(&ok) : -1;
        if (ok)
            p.index(n);
        else
            p.key(k);
    }
    return p;
}

JsonPath JsonPath::objectKeys(const QStringList& keys)
{
    JsonPath p;
    for (const QString& k : keys)
        p.key(k);
    return p;
}

JsonPath& JsonPath::key(const QString& key)
{
    m_steps.push_back({ key, -1 });
    return *this;
}

JsonPath& JsonPath::index(qint64 index)
{
    Q_ASSERT(index >= 0);
    m_steps.push_back({ {}, index });
    return *this;
}

QJsonArray JsonPath::toJson() const
{
    QJsonArray out;
    for (const Step& s : m_steps) {
        if (s.isIndex())
            out.append(s.index);
        else
            out.append(s.key);
    }
    return out;
}

QStringList JsonPath::toKeys() const
{
    QStringList out;
    for (const Step& s : m_steps)
        out.append(s.isIndex() ? QString::number(s.index) : s.key);
    return out;
}

bool JsonPath::isPlainKey(const QString& key)
{
    if (key.isEmpty())
        return false;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const QChar c = key.at(i);
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || c == u'$' || c == u'@';
        const bool inner = (c >= u'0' && c <= u'9') || c == u'-';
        if (!(letter || (i > 0 && inner)))
            return false;
    }
    return true;
}

QString JsonPath::quoted(const QString& text, QChar quote)
{
    QString out;
    out.reserve(text.size() + 2);
    out += quote;
    for (const QChar c : text) {
        if (c == u'\\' || c == quote)
            out += u'\\';
        out += c;
    }
    out += quote;
    return out;
}

QString JsonPath::toString(const QString& root) const
{
    QString out = root;
    for (const Step& s : m_steps) {
        if (s.isIndex()) {
            out += u'[' + QString::number(s.index) + u']';
        } else if (isPlainKey(s.key)) {
            if (!out.isEmpty())
                out += u'.';
            out += s.key;
        } else {
            out += u'[' + quoted(s.key) + u']';
        }
    }
    return out;
}

QString JsonPath::toSqlite() const
{
    QString out = QStringLiteral("$");
    for (const Step& s : m_steps) {
        if (s.isIndex()) {
            out += u'[' + QString::number(s.index) + u']';
        } else {
            // SQLite 3.40 reads a quoted label up to the next '"'; a key holding one cannot be named.
            QString key = s.key;
            key.replace(QLatin1String("\""), QLatin1String("\\\""));
            out += QLatin1String(".\"") + key + u'"';
        }
    }
    return out;
}

std::optional<JsonPath> JsonPath::read(QStringView text, qsizetype* pos, QString* error)
{
    auto fail = [&](const QString& message) -> std::optional<JsonPath> {
        if (error)
            *error = message.arg(text);
        return std::nullopt;
    };
    JsonPath path;
    qsizetype& i = *pos;
    while (i < text.size()) {
        const QChar ch = text[i];
        if (ch == u'.') {
            ++i;
            QString key;
            if (i < text.size() && (text[i] == u'"' || text[i] == u'\'')) {
                if (!unquote(text, &i, &key))
                    return fail(QStringLiteral("unterminated quoted key in \"%1\""));
            } else {
                key = readIdent(text, &i);
            }
            if (key.isEmpty())
                return fail(QStringLiteral("empty key after '.' in \"%1\""));
            path.key(key);
        } else if (ch == u'[') {
            ++i;
            if (i < text.size() && (text[i] == u'"' || text[i] == u'\'')) {
                QString key;
                if (!unquote(text, &i, &key))
                    return fail(QStringLiteral("unterminated quoted key in \"%1\""));
                path.key(key);
            } else {
                const qsizetype start = i;
                while (i < text.size() && text[i] >= u'0' && text[i] <= u'9')
                    ++i;
                bool ok = false;
                const qint64 n = text.mid(start, i - start).toLongLong(&ok);
                if (!ok)
                    return fail(QStringLiteral("expected an array index in \"%1\""));
                path.index(n);
            }
            if (i >= text.size() || text[i] != u']')
                return fail(QStringLiteral("missing ']' in \"%1\""));
            ++i;
        } else {
            break;
        }
    }
    return path;
}

std::optional<JsonPath> JsonPath::parse(QStringView text, QString* error)
{
    if (text == u"$")
        return JsonPath();
    qsizetype i = 0;
    const QString first = readIdent(text, &i);
    auto rest = read(text, &i, error);
    if (!rest)
        return std::nullopt;
    if (i < text.size()) {
        if (error)
            *error = QStringLiteral("unexpected \"%1\" in the path \"%2\"").arg(text.mid(i), text);
        return std::nullopt;
    }
    if (first.isEmpty())
        return rest;
    JsonPath path;
    path.key(first);
    for (const Step& s : rest->steps())
        path.m_steps.push_back(s);
    return path;
}

} // namespace es
