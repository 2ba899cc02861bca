// readHandlers: a reading of a JavaScript reducer's source (fold/js/jssource.h tokens) for its handlers and the
// event paths each reads.
#include "catalog/coverage.h"

#include "fold/js/jssource.h"

#include <map>

namespace es {

namespace {

using Token = JsSource::Token;

class Reader {
public:
    Reader(QStringView source, const std::vector<Token>& tokens)
        : m_src(source)
        , m_t(tokens)
    { }

    HandlerReading read()
    {
        HandlerReading out;
        const qsizetype n = size();
        for (qsizetype i = 0; i + 2 < n; ++i) {
            const bool when = id(i, u"when") && p(i + 1, u"(") && p(i + 2, u"{");
            const bool exports = id(i, u"exports") && p(i + 1, u"=") && p(i + 2, u"{");
            if (when || exports) {
                out.found = true;
                readObject(i + 2, out);
                return out;
            }
        }
        // Top-level functions, when the script gives no other form.
        int depth = 0;
        for (qsizetype i = 0; i < n; ++i) {
            if (p(i, u"{") || p(i, u"(") || p(i, u"["))
                ++depth;
            else if (p(i, u"}") || p(i, u")") || p(i, u"]"))
                --depth;
            else if (depth == 0 && id(i, u"function") && isId(i + 1) && p(i + 2, u"(")) {
                out.found = true;
                HandlerReading::Handler h;
                h.key = text(i + 1).toString();
                const qsizetype close = match(i + 2);
                readFunction(i + 2, close, h);
                if (h.key != QLatin1String("$init"))
                    out.handlers.push_back(std::move(h));
                i = skipBody(close + 1);
            }
        }
        if (!out.found)
            out.why = QStringLiteral("no when({...}), module.exports = {...} or top-level handler functions found");
        return out;
    }

private:
    qsizetype size() const { return qsizetype(m_t.size()); }
    bool valid(qsizetype i) const { return i >= 0 && i < size(); }
    QStringView text(qsizetype i) const { return valid(i) ? m_t[size_t(i)].text : QStringView(); }
    bool isId(qsizetype i) const { return valid(i) && m_t[size_t(i)].kind == Token::Identifier; }
    bool id(qsizetype i, QStringView s) const { return isId(i) && text(i) == s; }
    bool p(qsizetype i, QStringView s) const
    {
        return valid(i) && m_t[size_t(i)].kind == Token::Punctuator && text(i) == s;
    }
    bool dot(qsizetype i) const { return p(i, u".") || p(i, u"?."); }

    // The index of the bracket closing the one at `open` (size() when unbalanced).
    qsizetype match(qsizetype open) const
    {
        int depth = 0;
        for (qsizetype i = open; i < size(); ++i) {
            if (p(i, u"(") || p(i, u"[") || p(i, u"{"))
                ++depth;
            else if ((p(i, u")") || p(i, u"]") || p(i, u"}")) && --depth == 0)
                return i;
        }
        return size();
    }
    // The index of the bracket opening the one closing at `close` (-1 when unbalanced).
    qsizetype matchBack(qsizetype close) const
    {
        int depth = 0;
        for (qsizetype i = close; i >= 0; --i) {
            if (p(i, u")") || p(i, u"]") || p(i, u"}"))
                ++depth;
            else if ((p(i, u"(") || p(i, u"[") || p(i, u"{")) && --depth == 0)
                return i;
        }
        return -1;
    }
    // Past a function's body starting at `i` ("{...}"), or past an arrow's expression.
    qsizetype skipBody(qsizetype i) const { return p(i, u"{") ? match(i) : i; }

    // A quoted key: the string literal between the previous token and the ':' at `colon` (the tokens hold no
    // literals).
    QString quotedKey(qsizetype colon) const
    {
        const QStringView c = text(colon);
        const QStringView before = text(colon - 1);
        if (c.data() < m_src.data() || before.data() < m_src.data() || before.data() > c.data())
            return {};
        const qsizetype from = before.data() + before.size() - m_src.data();
        const QStringView gap = m_src.sliced(from, c.data() - m_src.data() - from).trimmed();
        if (gap.size() >= 2 && (gap.front() == u'\'' || gap.front() == u'"') && gap.back() == gap.front()
            && !gap.contains(u'\\'))
            return gap.sliced(1, gap.size() - 2).toString();
        return {};
    }

    void readObject(qsizetype open, HandlerReading& out)
    {
        const qsizetype close = match(open);
        qsizetype i = open + 1;
        while (i < close) {
            HandlerReading::Handler h;
            qsizetype value = -1;
            if (isId(i) && p(i + 1, u":")) {
                h.key = text(i).toString();
                value = i + 2;
            } else if (isId(i) && p(i + 1, u"(")) {
                h.key = text(i).toString();
                value = i + 1; // method shorthand: the parameters
            } else if (p(i, u":")) {
                h.key = quotedKey(i);
                value = i + 1;
            }
            if (h.key.isEmpty()) {
                out.why = QStringLiteral("a handler whose name this reading cannot tell (a computed key or an escaped "
                                         "string)");
                h.sound = false;
                h.why = out.why;
            }
            qsizetype end = value < 0 ? i : value;
            if (value >= 0) {
                if (id(value, u"async"))
                    ++value;
                if (id(value, u"function")) {
                    const qsizetype params = isId(value + 1) ? value + 2 : value + 1;
                    end = readFunction(params, match(params), h);
                } else if (p(value, u"(")) {
                    const qsizetype closeParams = match(value);
                    end = readFunction(value, closeParams, h);
                } else if (isId(value) && p(value + 1, u"=>")) {
                    m_event.clear(); // one parameter: the state, no event
                    m_aliases.clear();
                    end = readArrowBody(value + 2, h);
                } else {
                    h.sound = false;
                    h.why = QStringLiteral("the %1 handler is not a function written in place").arg(h.key);
                }
            }
            // On to the member after the next comma at this level.
            qsizetype j = end;
            while (j < close && !p(j, u",")) {
                if (p(j, u"(") || p(j, u"[") || p(j, u"{"))
                    j = match(j);
                ++j;
            }
            i = j + 1;
            if (h.key != QLatin1String("$init") && h.key != QLatin1String("$initShared"))
                out.handlers.push_back(std::move(h));
        }
    }

    // From the parameters "(...)" at `open` to `close`, then "{...}" or "=> ...": the event's reads. Returns the
    // index past the function.
    qsizetype readFunction(qsizetype open, qsizetype close, HandlerReading::Handler& h)
    {
        // The second parameter is the event.
        std::vector<std::pair<qsizetype, qsizetype>> params;
        qsizetype from = open + 1;
        for (qsizetype i = open + 1; i <= close && i < size(); ++i) {
            if (p(i, u"(") || p(i, u"[") || p(i, u"{")) {
                i = match(i);
                continue;
            }
            if (i == close || p(i, u",")) {
                if (i > from)
                    params.push_back({ from, i });
                from = i + 1;
            }
        }
        m_event.clear();
        m_aliases.clear();
        if (params.size() >= 2) {
            const auto [a, b] = params[1];
            if (b == a + 1 && isId(a))
                m_event = text(a).toString();
            else if (p(a, u"{"))
                readPattern(a, match(a), QString(), h);
            else {
                h.sound = false;
                h.why = QStringLiteral("the %1 handler's event parameter is not a plain name or pattern").arg(h.key);
            }
        }
        qsizetype body = close + 1;
        if (p(body, u"=>"))
            return readArrowBody(body + 1, h);
        if (!p(body, u"{"))
            return body;
        const qsizetype end = match(body);
        readBody(body + 1, end, h);
        return end + 1;
    }

    qsizetype readArrowBody(qsizetype at, HandlerReading::Handler& h)
    {
        if (p(at, u"{")) {
            const qsizetype end = match(at);
            readBody(at + 1, end, h);
            return end + 1;
        }
        qsizetype j = at;
        while (j < size() && !p(j, u",") && !p(j, u"}") && !p(j, u")")) {
            if (p(j, u"(") || p(j, u"[") || p(j, u"{"))
                j = match(j);
            ++j;
        }
        readBody(at, j, h);
        return j;
    }

    // A destructuring pattern "{...}" from `open` to `close` of a value at `prefix` ("" for the event itself).
    void readPattern(qsizetype open, qsizetype close, const QString& prefix, HandlerReading::Handler& h)
    {
        qsizetype i = open + 1;
        while (i < close) {
            if (p(i, u"...")) {
                if (prefix.isEmpty() || !prefix.contains(u'.')) {
                    h.sound = false;
                    h.why = QStringLiteral("the %1 handler takes the rest of %2 whole")
                                .arg(h.key, prefix.isEmpty() ? QStringLiteral("the event") : prefix);
                }
            } else if (isId(i)) {
                const QString name = text(i).toString();
                const QString path = prefix.isEmpty() ? name : prefix + u'.' + name;
                const bool root = prefix.isEmpty();
                if (p(i + 1, u":") && p(i + 2, u"{")) {
                    if (!root || name == QLatin1String("data") || name == QLatin1String("metadata"))
                        readPattern(i + 2, match(i + 2), path, h);
                } else {
                    const QString bound = p(i + 1, u":") && isId(i + 2) ? text(i + 2).toString() : name;
                    if (!root || name == QLatin1String("data") || name == QLatin1String("metadata")) {
                        m_aliases[bound] = path;
                        if (!root)
                            addRead(h, path, p(i + 1, u"=") || p(i + 3, u"="));
                    }
                }
            } else if (!p(i, u",")) {
                h.sound = false;
                h.why = QStringLiteral("the %1 handler destructures its event with a computed key").arg(h.key);
            }
            // On to the next entry.
            while (i < close && !p(i, u",")) {
                if (p(i, u"(") || p(i, u"[") || p(i, u"{"))
                    i = match(i);
                ++i;
            }
            ++i;
        }
    }

    void addRead(HandlerReading::Handler& h, const QString& path, bool guarded)
    {
        for (HandlerReading::Read& r : h.reads) {
            if (r.path == path) {
                r.guarded = r.guarded && guarded; // read unguarded anywhere: unguarded
                return;
            }
        }
        h.reads.push_back({ path, guarded });
    }

    // Whether the read ending before `end` and starting at `start` only tests the value.
    bool guarded(qsizetype start, qsizetype end) const
    {
        if (id(start - 1, u"typeof") || p(start - 1, u"!") || p(start - 1, u"??") || id(start - 1, u"in"))
            return true;
        static const char16_t* const tests[] = { u"&&", u"||", u"??", u"?", u"!=", u"!==", u"==", u"===" };
        for (const char16_t* t : tests) {
            if (p(end, t))
                return true;
        }
        if (p(end, u")") && p(start - 1, u"(")) {
            const qsizetype open = start - 1;
            return id(open - 1, u"if") || id(open - 1, u"while");
        }
        return false;
    }

    void readBody(qsizetype from, qsizetype to, HandlerReading::Handler& h)
    {
        for (qsizetype k = from; k < to; ++k) {
            if (!isId(k) || dot(k - 1))
                continue;
            const QString name = text(k).toString();
            if (name == QLatin1String("arguments") || name == QLatin1String("eval")) {
                h.sound = false;
                h.why = QStringLiteral("the %1 handler uses %2").arg(h.key, name);
                continue;
            }
            QString path;
            if (!m_event.isEmpty() && name == m_event) {
                if (!dot(k + 1) || !isId(k + 2)) {
                    if (p(k - 1, u"=") && p(k - 2, u"}")) {
                        readPattern(matchBack(k - 2), k - 2, QString(), h);
                        continue;
                    }
                    h.sound = false;
                    h.why = QStringLiteral("the %1 handler passes its event on or indexes it").arg(h.key);
                    continue;
                }
                const QStringView member = text(k + 2);
                if (member != u"data" && member != u"metadata") {
                    k += 2; // the envelope: type, streamId, position...
                    continue;
                }
                path = member.toString();
                k += 2;
            } else if (const auto a = m_aliases.find(name); a != m_aliases.end()) {
                path = a->second;
            } else {
                continue;
            }
            const qsizetype start = k - (path.count(u'.') == 0 && !m_aliases.contains(name) ? 2 : 0);
            qsizetype m = k + 1;
            while (dot(m) && isId(m + 1)) {
                path += u'.' + text(m + 1).toString();
                m += 2;
            }
            // A method called on the value (e.data.name.trim()) or its length reads the value, not a member.
            if (path.count(u'.') >= 2 && (p(m, u"(") || path.endsWith(QLatin1String(".length"))))
                path.truncate(path.lastIndexOf(u'.'));
            const bool root = !path.contains(u'.');
            if (root && p(m, u"[")) {
                h.sound = false;
                h.why = QStringLiteral("the %1 handler reads %2 by a computed key").arg(h.key, path);
            } else if (p(start - 1, u"=") && isId(start - 2)
                && (id(start - 3, u"const") || id(start - 3, u"let") || id(start - 3, u"var"))) {
                m_aliases[text(start - 2).toString()] = path;
                if (!root)
                    addRead(h, path, false);
            } else if (p(start - 1, u"=") && p(start - 2, u"}")) {
                readPattern(matchBack(start - 2), start - 2, path, h);
                if (!root)
                    addRead(h, path, false);
            } else if (root) {
                h.sound = false;
                h.why = QStringLiteral("the %1 handler takes %2 whole").arg(h.key, path);
            } else {
                addRead(h, path, guarded(start, m));
            }
            k = m - 1;
        }
    }

    QStringView m_src;
    const std::vector<Token>& m_t;
    QString m_event; // the event parameter of the handler being read
    std::map<QString, QString> m_aliases; // a local name -> the event path it holds ("data", "data.address")
};

} // namespace

bool HandlerReading::sound() const
{
    if (!found)
        return false;
    for (const Handler& h : handlers) {
        if (!h.sound)
            return false;
    }
    return true;
}

const HandlerReading::Handler* HandlerReading::find(const QString& key) const
{
    for (const Handler& h : handlers) {
        if (h.key == key)
            return &h;
    }
    return nullptr;
}

HandlerReading readHandlers(QStringView source)
{
    const JsSource js(source);
    if (!js.isReadable()) {
        HandlerReading out;
        out.why = QStringLiteral("the source holds something this reading cannot follow");
        return out;
    }
    HandlerReading out = Reader(source, js.tokens()).read();
    if (out.found && out.why.isEmpty()) {
        for (const HandlerReading::Handler& h : out.handlers) {
            if (!h.sound) {
                out.why = h.why;
                break;
            }
        }
    }
    return out;
}

} // namespace es
