#include "core/eventfilter.h"

#include "core/jsonpath.h"

namespace es {

namespace {

struct Cursor {
    const QString& s;
    qsizetype i = 0;
    void skipSpace()
    {
        while (i < s.size() && s[i].isSpace())
            ++i;
    }
    bool atEnd() const { return i >= s.size(); }
    QChar peek(qsizetype ahead = 0) const { return i + ahead < s.size() ? s[i + ahead] : QChar(); }
};

} // namespace

std::optional<JsonCondition> JsonCondition::parse(const QString& text, QString* error)
{
    auto fail = [error](const QString& message) -> std::optional<JsonCondition> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    Cursor c { text };
    c.skipSpace();
    JsonCondition cond;
    QString root;
    while (!c.atEnd() && (c.peek().isLetter() || c.peek() == u'_'))
        root.append(c.s[c.i++]);
    if (root.compare(QLatin1String("data"), Qt::CaseInsensitive) == 0)
        cond.field = Field::Data;
    else if (root.compare(QLatin1String("metadata"), Qt::CaseInsensitive) == 0
        || root.compare(QLatin1String("meta"), Qt::CaseInsensitive) == 0)
        cond.field = Field::Metadata;
    else
        return fail(QStringLiteral("a condition starts with data. or metadata. (got \"%1\")").arg(text.trimmed()));

    const auto path = JsonPath::read(text, &c.i, error);
    if (!path)
        return std::nullopt;
    cond.path = *path;
    if (cond.path.isEmpty())
        return fail(QStringLiteral("name a field, e.g. %1.amount").arg(root));

    c.skipSpace();
    if (c.atEnd()) {
        cond.op = Op::Exists;
        return cond;
    }
    static const std::pair<const char*, Op> ops[] = { { "==", Op::Eq }, { "!=", Op::Ne }, { "<>", Op::Ne },
        { "<=", Op::Le }, { ">=", Op::Ge }, { "=", Op::Eq }, { "<", Op::Lt }, { ">", Op::Gt }, { "~", Op::Contains } };
    bool found = false;
    for (const auto& [token, op] : ops) {
        const QLatin1String t(token);
        if (QStringView(text).mid(c.i).startsWith(t)) {
            cond.op = op;
            c.i += t.size();
            found = true;
            break;
        }
    }
    // ">>", "=<", "<<" ...: one operator followed by more operator characters is a typo, not a value.
    if (found && !c.atEnd() && QStringView(u"<>=!~").contains(c.peek())) {
        qsizetype end = c.i;
        while (end < text.size() && QStringView(u"<>=!~").contains(text[end]))
            ++end;
        qsizetype start = c.i - 1;
        while (start > 0 && QStringView(u"<>=!~").contains(text[start - 1]))
            --start;
        return fail(QStringLiteral("\"%1\" (column %2 of \"%3\") is not an operator: use = != < <= > >= ~ contains, "
                                   "exists or missing")
                        .arg(text.mid(start, end - start))
                        .arg(start + 1)
                        .arg(text.trimmed()));
    }
    if (!found) {
        const QStringView rest = QStringView(text).mid(c.i);
        if (rest.startsWith(QLatin1String("contains"), Qt::CaseInsensitive)) {
            cond.op = Op::Contains;
            c.i += 8;
        } else if (rest.startsWith(QLatin1String("exists"), Qt::CaseInsensitive)
            || rest.startsWith(QLatin1String("missing"), Qt::CaseInsensitive)) {
            const bool exists = rest.startsWith(QLatin1String("exists"), Qt::CaseInsensitive);
            const QString word = exists ? QStringLiteral("exists") : QStringLiteral("missing");
            c.i += word.size();
            c.skipSpace();
            if (!c.atEnd())
                return fail(QStringLiteral("unexpected text after '%1' in \"%2\"").arg(word, text));
            cond.op = exists ? Op::Exists : Op::Missing;
            return cond;
        } else {
            return fail(
                QStringLiteral("expected an operator (= != < <= > >= ~ contains exists missing) in \"%1\"").arg(text));
        }
    }
    c.skipSpace();
    if (c.atEnd())
        return fail(QStringLiteral("missing a value after the operator in \"%1\"").arg(text));
    if (c.peek() == u'\'' || c.peek() == u'"') {
        QString value;
        if (!JsonPath::unquote(text, &c.i, &value))
            return fail(QStringLiteral("unterminated string in \"%1\"").arg(text));
        cond.value = value;
    } else {
        const QString word = text.mid(c.i).trimmed();
        c.i = text.size();
        for (const QChar ch : word) {
            if (ch.isSpace())
                return fail(QStringLiteral("the value \"%1\" has spaces: quote it, e.g. '%1'").arg(word));
        }
        bool ok = false;
        const qint64 asInt = word.toLongLong(&ok);
        if (ok) {
            cond.value = asInt;
        } else {
            const double asDouble = word.toDouble(&ok);
            if (ok)
                cond.value = asDouble;
            else if (word == QLatin1String("true") || word == QLatin1String("false"))
                cond.value = (word == QLatin1String("true"));
            else if (word == QLatin1String("null"))
                cond.value = QVariant();
            else
                cond.value = word;
        }
    }
    c.skipSpace();
    if (!c.atEnd())
        return fail(QStringLiteral("unexpected text after the value in \"%1\"").arg(text));
    if (cond.op == Op::Contains && cond.value.typeId() != QMetaType::QString)
        cond.value = cond.value.toString();
    return cond;
}

QString JsonCondition::sqlitePath() const
{
    return path.toSqlite();
}

QString JsonCondition::toString() const
{
    QString out = path.toString(field == Field::Data ? QStringLiteral("data") : QStringLiteral("metadata"));
    static const char* names[] = { "=", "!=", "<", "<=", ">", ">=", "~", "exists", "missing" };
    out += u' ' + QLatin1String(names[int(op)]);
    if (op != Op::Exists && op != Op::Missing) {
        if (value.typeId() == QMetaType::QString)
            out += u' ' + JsonPath::quoted(value.toString(), u'\'');
        else if (!value.isValid())
            out += QLatin1String(" null");
        else
            out += u' ' + value.toString();
    }
    return out;
}

bool EventFilter::parseConditions(const QString& text, std::vector<JsonCondition>* out, QString* error)
{
    out->clear();
    if (text.trimmed().isEmpty())
        return true;
    // Split on " and " outside quotes.
    QStringList parts;
    QString current;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!quote.isNull()) {
            current.append(c);
            if (c == u'\\' && i + 1 < text.size())
                current.append(text[++i]);
            else if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == u'\'' || c == u'"') {
            quote = c;
            current.append(c);
            continue;
        }
        if (c.isSpace() && text.mid(i + 1, 4).compare(QLatin1String("and "), Qt::CaseInsensitive) == 0) {
            parts.append(current);
            current.clear();
            i += 4;
            continue;
        }
        if (c == u'&' && text.mid(i, 2) == QLatin1String("&&")) {
            parts.append(current);
            current.clear();
            ++i;
            continue;
        }
        current.append(c);
    }
    parts.append(current);
    for (const QString& part : std::as_const(parts)) {
        auto cond = JsonCondition::parse(part, error);
        if (!cond)
            return false;
        out->push_back(*cond);
    }
    return true;
}

} // namespace es
