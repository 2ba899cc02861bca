// JsSource: the tokenizer of reducer source and the escape analysis of event parameters on its tokens.
#include "fold/js/jssource.h"

#include <QString>

#include <algorithm>

namespace es {

namespace {

using JsToken = JsSource::Token;

bool isIdentifierStart(QChar c)
{
    return c.isLetter() || c == u'_' || c == u'$' || c.unicode() > 0x7f;
}

bool isIdentifierPart(QChar c)
{
    return isIdentifierStart(c) || c.isDigit();
}

// Identifiers and punctuators of JavaScript source, without comments, literals and numbers. False when the source
// holds something this reading cannot follow (an unterminated literal or comment, an escaped identifier).
bool tokenize(QStringView src, std::vector<JsToken>& out)
{
    static const char* const punctuators[] = { ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>",
        "&&=", "||=", "\?\?=", "=>", "==", "!=", "<=", ">=", "&&", "||", "\?\?", "?.", "++", "--",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>" };
    const qsizetype n = src.size();
    qsizetype i = 0;
    // A slash starts a regular expression unless it follows a value.
    auto slashIsRegex = [&] {
        if (out.empty())
            return true;
        const JsToken& last = out.back();
        if (last.kind == JsToken::Identifier)
            return last.text == u"return" || last.text == u"typeof" || last.text == u"case" || last.text == u"in"
                || last.text == u"of" || last.text == u"void" || last.text == u"delete";
        return last.text != u")" && last.text != u"]" && last.text != u"}";
    };
    bool lastWasValue = false; // a number or string literal just ended
    // Template literals: the text is skipped and each substitution ${...} is read as code in parentheses.
    std::vector<int> substitutions; // brace depth at which each open substitution started
    int braces = 0;
    auto templateText = [&] {
        for (; i < n; ++i) {
            if (src[i] == u'\\') {
                ++i;
            } else if (src[i] == u'`') {
                ++i;
                lastWasValue = true;
                return true;
            } else if (src[i] == u'$' && i + 1 < n && src[i + 1] == u'{') {
                i += 2;
                substitutions.push_back(braces);
                out.push_back({ JsToken::Punctuator, QStringView(u"(") });
                lastWasValue = false;
                return true;
            }
        }
        return false;
    };
    while (i < n) {
        const QChar c = src[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == u'/' && i + 1 < n && src[i + 1] == u'/') {
            while (i < n && src[i] != u'\n')
                ++i;
            continue;
        }
        if (c == u'/' && i + 1 < n && src[i + 1] == u'*') {
            const qsizetype end = src.indexOf(u"*/", i + 2);
            if (end < 0)
                return false;
            i = end + 2;
            continue;
        }
        if (c == u'`') {
            ++i;
            if (!templateText())
                return false;
            continue;
        }
        if (c == u'}' && !substitutions.empty() && substitutions.back() == braces) {
            substitutions.pop_back();
            out.push_back({ JsToken::Punctuator, QStringView(u")") });
            ++i;
            if (!templateText())
                return false;
            continue;
        }
        if (c == u'{')
            ++braces;
        else if (c == u'}')
            --braces;
        if (c == u'"' || c == u'\'') {
            for (++i; i < n && src[i] != c; ++i) {
                if (src[i] == u'\\')
                    ++i;
            }
            if (i >= n)
                return false;
            ++i;
            lastWasValue = true;
            continue;
        }
        if (c == u'/' && !lastWasValue && slashIsRegex()) {
            bool inClass = false;
            for (++i; i < n && (inClass || src[i] != u'/'); ++i) {
                if (src[i] == u'\\')
                    ++i;
                else if (src[i] == u'[')
                    inClass = true;
                else if (src[i] == u']')
                    inClass = false;
                else if (src[i] == u'\n')
                    return false;
            }
            if (i >= n)
                return false;
            ++i;
            while (i < n && isIdentifierPart(src[i]))
                ++i;
            lastWasValue = true;
            continue;
        }
        // An escaped identifier (\u0065 is e) would hide a name from this reading.
        if (c == u'\\')
            return false;
        lastWasValue = false;
        if (c.isDigit() || (c == u'.' && i + 1 < n && src[i + 1].isDigit())) {
            while (i < n && (isIdentifierPart(src[i]) || src[i] == u'.'))
                ++i;
            lastWasValue = true;
            continue;
        }
        if (isIdentifierStart(c)) {
            const qsizetype start = i;
            while (i < n && isIdentifierPart(src[i]))
                ++i;
            out.push_back({ JsToken::Identifier, src.sliced(start, i - start) });
            continue;
        }
        qsizetype len = 1;
        for (const char* p : punctuators) {
            const qsizetype l = qsizetype(qstrlen(p));
            if (src.sliced(i).startsWith(QLatin1String(p, l))) {
                len = l;
                break;
            }
        }
        out.push_back({ JsToken::Punctuator, src.sliced(i, len) });
        i += len;
    }
    return substitutions.empty();
}

bool isPunct(const std::vector<JsToken>& t, qsizetype i, QStringView text)
{
    return i >= 0 && i < qsizetype(t.size()) && t[std::size_t(i)].kind == JsToken::Punctuator
        && t[std::size_t(i)].text == text;
}

bool isAssignment(const JsToken& t)
{
    if (t.kind != JsToken::Punctuator)
        return false;
    const QStringView s = t.text;
    return s == u"++" || s == u"--"
        || (s.endsWith(u'=') && s != u"==" && s != u"===" && s != u"!=" && s != u"!==" && s != u"<=" && s != u">=");
}

// Index of the token that closes the bracket opened at `open`, or -1.
qsizetype matching(const std::vector<JsToken>& t, qsizetype open)
{
    int depth = 0;
    for (qsizetype i = open; i < qsizetype(t.size()); ++i) {
        if (t[std::size_t(i)].kind != JsToken::Punctuator)
            continue;
        const QStringView s = t[std::size_t(i)].text;
        if (s == u"(" || s == u"[" || s == u"{")
            ++depth;
        else if ((s == u")" || s == u"]" || s == u"}") && --depth == 0)
            return i;
    }
    return -1;
}

} // namespace

JsSource::JsSource(QStringView source)
{
    m_readable = tokenize(source, m_tokens);
    if (!m_readable)
        m_tokens.clear();
}

bool JsSource::usesThis() const
{
    if (!m_readable)
        return true;
    return std::any_of(m_tokens.begin(), m_tokens.end(),
        [](const JsToken& tok) { return tok.kind == JsToken::Identifier && tok.text == u"this"; });
}

bool JsSource::mayKeepEvents() const
{
    if (!m_readable)
        return true;
    const std::vector<JsToken>& t = m_tokens;
    const qsizetype n = qsizetype(t.size());
    for (const JsToken& tok : t) {
        if (tok.kind == JsToken::Identifier
            && (tok.text == u"arguments" || tok.text == u"eval" || tok.text == u"Function" || tok.text == u"bind"
                || tok.text == u"apply" || tok.text == u"call" || tok.text == u"with" || tok.text == u"class"))
            return true;
    }
    // Every function's second and later parameters, with where the function's body starts and ends.
    struct Param {
        QStringView name;
        qsizetype declaredAt;
        qsizetype bodyFrom;
        qsizetype bodyTo;
    };
    std::vector<Param> params;
    std::vector<qsizetype> functions; // where each parameter list opens, methods and getters included
    for (qsizetype open = 0; open < n; ++open) {
        if (!isPunct(t, open, u"("))
            continue;
        if (open > 0 && t[std::size_t(open - 1)].kind == JsToken::Identifier) {
            const QStringView before = t[std::size_t(open - 1)].text;
            if (before == u"if" || before == u"while" || before == u"for" || before == u"switch" || before == u"catch")
                continue;
        }
        const qsizetype close = matching(t, open);
        if (close < 0)
            return true;
        qsizetype bodyFrom = close + 1;
        qsizetype bodyTo = -1;
        if (isPunct(t, bodyFrom, u"=>")) {
            ++bodyFrom;
            if (isPunct(t, bodyFrom, u"{")) {
                bodyTo = matching(t, bodyFrom);
            } else {
                // An expression body runs to the first comma or closing bracket outside its own brackets.
                int depth = 0;
                for (bodyTo = bodyFrom; bodyTo < n; ++bodyTo) {
                    const JsToken& b = t[std::size_t(bodyTo)];
                    if (b.kind != JsToken::Punctuator)
                        continue;
                    if (b.text == u"(" || b.text == u"[" || b.text == u"{")
                        ++depth;
                    else if (b.text == u")" || b.text == u"]" || b.text == u"}") {
                        if (--depth < 0)
                            break;
                    } else if (depth == 0 && (b.text == u"," || b.text == u";"))
                        break;
                }
            }
        } else if (isPunct(t, bodyFrom, u"{")) {
            bodyTo = matching(t, bodyFrom);
        } else {
            continue;
        }
        if (bodyTo < 0)
            return true;
        functions.push_back(open);
        int index = 0;
        bool atStart = true;
        int depth = 0;
        for (qsizetype i = open + 1; i < close; ++i) {
            const JsToken& p = t[std::size_t(i)];
            if (p.kind == JsToken::Punctuator) {
                if (p.text == u"(" || p.text == u"[" || p.text == u"{")
                    ++depth;
                else if (p.text == u")" || p.text == u"]" || p.text == u"}")
                    --depth;
                else if (depth == 0 && p.text == u",") {
                    ++index;
                    atStart = true;
                    continue;
                }
                // A destructured parameter copies what it names when the call starts.
                if (atStart && p.text != u"...")
                    atStart = false;
                continue;
            }
            if (atStart && depth == 0 && index > 0)
                params.push_back({ p.text, i, bodyFrom, bodyTo });
            atStart = false;
        }
    }
    // Each such name must only be read through: `name.property` not assigned, and not in a function nested in the
    // function that declares it (the nested function could outlive the call).
    for (const Param& param : params) {
        qsizetype nestedAt = n;
        for (qsizetype i = param.bodyFrom; i < param.bodyTo; ++i) {
            if (isPunct(t, i, u"=>")
                || (t[std::size_t(i)].kind == JsToken::Identifier && t[std::size_t(i)].text == u"function")) {
                nestedAt = i;
                break;
            }
        }
        for (const qsizetype open : functions) {
            if (open > param.bodyFrom && open < param.bodyTo)
                nestedAt = std::min(nestedAt, open);
        }
        for (qsizetype i = 0; i < n; ++i) {
            const JsToken& tok = t[std::size_t(i)];
            if (tok.kind != JsToken::Identifier || tok.text != param.name || isPunct(t, i - 1, u".")
                || std::any_of(params.begin(), params.end(), [i](const Param& p) { return p.declaredAt == i; }))
                continue;
            if (i > nestedAt && i < param.bodyTo)
                return true;
            if (!isPunct(t, i + 1, u".") || i + 2 >= n || t[std::size_t(i + 2)].kind != JsToken::Identifier)
                return true;
            if (i + 3 < n && isAssignment(t[std::size_t(i + 3)]))
                return true;
            if (i > 0
                && (isPunct(t, i - 1, u"++") || isPunct(t, i - 1, u"--")
                    || (t[std::size_t(i - 1)].kind == JsToken::Identifier && t[std::size_t(i - 1)].text == u"delete")))
                return true;
        }
    }
    return false;
}

} // namespace es
