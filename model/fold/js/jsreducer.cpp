#include "fold/js/jsreducer.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

namespace es {

// Interrupts the engine when a call outlives its budget. QJSEngine::setInterrupted is the one engine call that is
// safe from another thread.
class Watchdog {
public:
    explicit Watchdog(QJSEngine* engine)
        : m_engine(engine)
        , m_thread([this] { run(); })
    { }
    ~Watchdog()
    {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    void arm(int ms)
    {
        {
            std::lock_guard lock(m_mutex);
            m_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
            m_armed = true;
            m_fired = false;
        }
        m_wake.notify_one();
    }
    // True when the call was interrupted.
    bool disarm()
    {
        std::lock_guard lock(m_mutex);
        m_armed = false;
        return m_fired;
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            if (!m_armed) {
                m_wake.wait(lock);
                continue;
            }
            const auto deadline = m_deadline;
            if (m_wake.wait_until(lock, deadline) == std::cv_status::timeout && m_armed && m_deadline == deadline) {
                m_engine->setInterrupted(true);
                m_fired = true;
                m_armed = false;
            }
        }
    }

    QJSEngine* m_engine;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::chrono::steady_clock::time_point m_deadline;
    bool m_armed = false;
    bool m_fired = false;
    bool m_quit = false;
    std::thread m_thread;
};

namespace {

// Globals a projection script expects. Nothing here reaches outside the engine; emit/linkTo are accepted and
// ignored because this is a read-only inspector.
const char* const preludeSource = R"JS(
(function (g) {
    var captured = null;
    var logs = [];
    function Query() {}
    Query.prototype.when = function (h) { captured = h; return this; };
    ['outputState', 'partitionBy', 'foreachStream', 'transformBy', 'filterBy', 'outputTo', 'foreach'].forEach(
        function (n) { Query.prototype[n] = function () { return this; }; });
    function from() { return new Query(); }
    g.fromAll = from; g.fromStream = from; g.fromStreams = from; g.fromCategory = from; g.fromCategories = from;
    g.options = function () {};
    g.emit = function () {}; g.linkTo = function () {}; g.copyTo = function () {}; g.linkStreamTo = function () {};
    function log() {
        if (logs.length >= 1000) logs.shift();
        logs.push(Array.prototype.map.call(arguments, function (a) {
            return typeof a === 'string' ? a : JSON.stringify(a); }).join(' '));
    }
    g.log = log;
    g.console = { log: log, info: log, warn: log, error: log, debug: log };
    g.module = { exports: {} };
    g.exports = g.module.exports;
    var before = Object.getOwnPropertyNames(g);
    var form = null;
    function picked(result) {
        if (captured !== null && typeof captured === 'object') { form = 'when'; return captured; }
        var ex = g.module.exports;
        if (ex !== null && typeof ex === 'object' && Object.keys(ex).length > 0) { form = 'exports'; return ex; }
        if (ex !== g.exports && g.exports !== null && typeof g.exports === 'object' && Object.keys(g.exports).length > 0) {
            form = 'exports';
            return g.exports;
        }
        if (result !== null && typeof result === 'object' && !Array.isArray(result)) { form = 'value'; return result; }
        return null;
    }
    function functionKeys(h) {
        return Object.keys(h).filter(function (k) { return typeof h[k] === 'function'; }).sort().join(',');
    }
    return {
        takeLogs: function () { return logs.splice(0, logs.length); },
        handlers: function (result) {
            var h = picked(result);
            if (h !== null) return h;
            form = 'globals';
            var found = {};
            Object.getOwnPropertyNames(g).forEach(function (k) {
                if (before.indexOf(k) < 0 && typeof g[k] === 'function') found[k] = g[k];
            });
            return found;
        },
        // The handlers again, from the source run a second time as the body of a Function (top-level declarations
        // become its locals, and the handlers it declares come back in the form the script gave them); null when
        // that does not give the same handlers. Logs and the projection globals are left as the script left them.
        recompile: function (src, script) {
            var savedLogs = logs.slice(), savedCaptured = captured, savedModule = g.module.exports, savedExports = g.exports;
            var savedForm = form;
            try {
                var body;
                if (form === 'value') body = 'return (' + src.replace(/[\s;]+$/, '') + '\n);';
                else if (form === 'globals') body = src + '\n;return {' + Object.keys(script).map(function (k) {
                    return JSON.stringify(k) + ': ' + k; }).join(', ') + '};';
                else body = src + '\n;';
                captured = null;
                g.module.exports = {};
                g.exports = g.module.exports;
                var result = new Function(body)();
                var h = form === 'globals' ? result : picked(result);
                if (form !== savedForm || h === null || typeof h !== 'object' || functionKeys(h) !== functionKeys(script))
                    return null;
                return h;
            } catch (x) {
                return null;
            } finally {
                logs = savedLogs; captured = savedCaptured; g.module.exports = savedModule; g.exports = savedExports;
                form = savedForm;
            }
        }
    };
})
)JS";

// The fold loop, inside the engine (compiled through the Function constructor, see load()). Type names cross once per
// fold (addType); a batch is a Float64Array of type ids, shape ids and numbers, one of the envelope, and JSON texts of
// strings, unshaped payloads, stream names and metadata. The state never leaves the engine unless asked.
const char* const driverSource = R"JS(
(function (H, F) {
    var init = typeof H.$init === 'function' ? H.$init : null;
    function table(X) {
        var map = Object.create(null);
        Object.keys(X).forEach(function (k) {
            if (k.charAt(0) !== '$' && typeof X[k] === 'function') map[k] = X[k];
        });
        return { map: map, any: typeof X.$any === 'function' ? X.$any : null };
    }
    // F, when given, holds the same handlers compiled with inline caches; H's report errors with their lines.
    var scriptTable = table(H);
    var fastTable = F !== null ? table(F) : scriptTable;
    var scriptHandlers = [];
    var D = null;
    var types = [];
    var handlers = [];
    var shapes = [];
    var shapeNums = [];
    var shapeStrs = [];
    // V4 collects garbage each time the text held by strings grows by 128 KB over what survived the last
    // collection; a long-lived string raises that threshold so a batch does not trigger several collections.
    var ballast = 'x'.repeat(1 << 20);
    // V4 gives a 64 KB chunk back to the system (madvise) as soon as a collection finds it empty, and maps it
    // again on the next allocation; on virtual machines that costs far more than the allocation itself (one
    // small object measured 0.8-1.5 us instead of 0.09 us). A ring of every 16th recent event (or its data) keeps
    // some object alive in each chunk the fold allocates from between two collections (about 6,000 events), so
    // collections reuse chunks instead of returning them: 866 madvise calls per million events became 36.
    var pins = new Array(2048);
    var pinAt = 0;
    // The envelope comes as numbers, [stream index, position, version, time in ms] per event with NaN for none;
    // the batch's stream names and its metadata are parsed the first time a handler reads one of them. Both are
    // left out until some handler asks for them (reading a stream costs a string comparison per event).
    function Batch(env, streams, meta) {
        this.env = env; this.streamsText = streams; this.streams = null; this.metaText = meta; this.meta = null;
    }
    Batch.prototype.field = function (i, k) {
        var x = this.env[i * 4 + k];
        if (k === 0) {
            if (this.streamsText === null) { D.missed = true; return undefined; }
            if (this.streams === null) this.streams = JSON.parse(this.streamsText);
            return this.streams[x];
        }
        return x !== x ? null : x;
    };
    Batch.prototype.metadata = function (i) {
        if (this.metaText === null) { D.missed = true; return undefined; }
        if (this.meta === null) this.meta = this.metaText.split('\x1e');
        try { return JSON.parse(this.meta[i]); } catch (x) { return this.meta[i]; }
    };
    function Ev(b, i, t, d) { this._b = b; this._i = i; this.type = t; this.data = d; this._m = undefined; }
    Object.defineProperties(Ev.prototype, {
        streamId: { get: function () { return this._b.field(this._i, 0); } },
        position: { get: function () { return this._b.field(this._i, 1); } },
        version: { get: function () { return this._b.field(this._i, 2); } },
        time: {
            get: function () { var ms = this._b.field(this._i, 3); return ms === null ? null : new Date(ms).toISOString(); }
        },
        metadata: {
            get: function () {
                if (this._m === undefined) this._m = this._b.metadata(this._i);
                return this._m;
            },
            set: function (v) { this._m = v; }
        },
        body: { get: function () { return this.data; } },
        eventType: { get: function () { return this.type; } },
        sequenceNumber: { get: function () { return this.version; } },
        stream: { get: function () { return this.streamId; } },
        isJson: { get: function () { return this.data !== null && typeof this.data === 'object'; } }
    });
    Ev.prototype.toJSON = function () {
        return { type: this.type, streamId: this.streamId, position: this.position, version: this.version,
                 time: this.time, data: this.data, metadata: this.metadata };
    };
    var cur = 0;
    D = {
        s: {}, err: undefined, saved: 'null', pred: null, ballast: ballast, missed: false, reuse: false,
        at: function () { return cur; },
        addType: function (name) {
            types.push(name);
            var h = name !== null ? scriptTable.map[name] : undefined;
            scriptHandlers.push(h === undefined ? scriptTable.any : h);
            h = name !== null ? fastTable.map[name] : undefined;
            handlers.push(h === undefined ? fastTable.any : h);
        },
        reset: function () {
            this.err = undefined;
            try { var s = init !== null ? init() : undefined; this.s = s === undefined ? {} : s; return true; }
            catch (x) { this.err = x; this.s = null; return false; }
        },
        get: function () { var t = JSON.stringify(this.s); return t === undefined ? 'null' : t; },
        set: function (t) { try { this.s = JSON.parse(t); return true; } catch (x) { return false; } },
        restore: function () { this.s = JSON.parse(this.saved); },
        setPredicate: function (src) {
            if (!src) { this.pred = null; return null; }
            try {
                var f = new Function('state', 'event', 's', 'e',
                    'var r = (' + src + '\n); return typeof r === "function" ? r(state, event) : r;');
                this.pred = f;
                return null;
            } catch (x) { return x; }
        },
        addShape: function (code, nums, strs) {
            shapes.push(new Function('n', 'i', 's', 'j', 'return ' + code + ';'));
            shapeNums.push(nums);
            shapeStrs.push(strs);
        },
        // nbuf holds per event [type id, shape id, the shape's numbers...]; a shape rebuilds the data object from
        // them and from the batch's strings. Data with no shape (-1) comes whole, in order, in the JSON text.
        fold: function (nbuf, text, strs, ebuf, streams, meta, save, script) {
            this.missed = false;
            var v = new Float64Array(nbuf);
            var a = text.length > 2 ? JSON.parse(text) : null;
            var st = strs.length > 2 ? JSON.parse(strs) : null;
            var b = new Batch(new Float64Array(ebuf), streams, meta);
            var s = this.s;
            if (save) this.saved = JSON.stringify(s);
            var pred = this.pred;
            var hs = script ? scriptHandlers : handlers;
            // Building an object with a prototype costs V4 several times what the reducer's own work does.
            var reuse = this.reuse && pred === null;
            var ev = reuse ? new Ev(b, 0, null, null) : null;
            var len = v.length;
            var p = 0, j = 0, k = 0, i = 0;
            try {
                for (; p < len; ++i) {
                    cur = i;
                    // Integer-typed, or V4 indexes the tables below through a number-to-string key.
                    var t = v[p] | 0;
                    var sh = v[p + 1] | 0;
                    var d;
                    if (sh < 0) { d = a[k++]; p += 2; }
                    else { d = shapes[sh](v, p + 2, st, j); p += 2 + shapeNums[sh]; j += shapeStrs[sh]; }
                    var e;
                    if (reuse) {
                        e = ev; e._i = i; e.type = types[t]; e.data = d; e._m = undefined;
                        if ((i & 15) === 0) pins[(pinAt++) & 2047] = d;
                    } else {
                        e = new Ev(b, i, types[t], d);
                        if ((i & 15) === 0) pins[(pinAt++) & 2047] = e;
                    }
                    var h = hs[t];
                    if (h !== null) { var r = h(s, e); if (r !== undefined) s = r; }
                    if (pred !== null && pred(s, e, s, e)) { this.s = s; cur = i + 1; return 1; }
                }
            } catch (x) { this.err = x; this.s = s; return -1; }
            this.s = s;
            cur = i;
            return 0;
        }
    };
    return D;
})
)JS";

struct JsToken {
    enum Kind { Identifier, Punctuator } kind;
    QStringView text;
};

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

bool usesThis(QStringView source)
{
    std::vector<JsToken> t;
    if (!tokenize(source, t))
        return true;
    return std::any_of(
        t.begin(), t.end(), [](const JsToken& tok) { return tok.kind == JsToken::Identifier && tok.text == u"this"; });
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

JsReducer::JsReducer(QString source, QString fileName, int budgetMs)
    : m_source(std::move(source))
    , m_fileName(std::move(fileName))
    , m_budgetMs(budgetMs)
{ }

std::shared_ptr<JsReducer> JsReducer::fromFile(const QString& path, QString* error, int budgetMs)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        return nullptr;
    }
    return std::make_shared<JsReducer>(QString::fromUtf8(file.readAll()), path, budgetMs);
}

QString JsReducer::name() const
{
    return QFileInfo(m_fileName).completeBaseName();
}

std::unique_ptr<Fold> JsReducer::createFold(ReducerError* error) const
{
    auto fold = std::make_unique<JsFold>(m_budgetMs);
    ReducerError local;
    if (!fold->load(m_source, m_fileName, error ? error : &local))
        return nullptr;
    return fold;
}

std::optional<ReducerError> JsReducer::check() const
{
    ReducerError error;
    if (!createFold(&error))
        return error;
    return std::nullopt;
}

bool JsFold::mayKeepEvents(QStringView source)
{
    std::vector<JsToken> t;
    if (!tokenize(source, t))
        return true;
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

JsFold::JsFold(int budgetMs)
    : m_budgetMs(budgetMs)
{
    m_watchdog = std::make_unique<Watchdog>(&m_engine);
}

JsFold::~JsFold()
{
    m_watchdog.reset();
}

ReducerError JsFold::errorFrom(const QJSValue& thrown, ReducerError::Kind kind) const
{
    ReducerError error;
    error.kind = kind;
    if (thrown.isError() || thrown.isObject()) {
        const QString name = thrown.property(QStringLiteral("name")).toString();
        const QString message = thrown.property(QStringLiteral("message")).toString();
        error.message = name.isEmpty() || name == QLatin1String("undefined") ? thrown.toString()
                                                                             : name % QStringLiteral(": ") % message;
        const QJSValue line = thrown.property(QStringLiteral("lineNumber"));
        const QJSValue file = thrown.property(QStringLiteral("fileName"));
        // Lines only mean something in the user's file, not in the driver's.
        if (line.isNumber() && (file.isUndefined() || file.toString().endsWith(QFileInfo(m_fileName).fileName())))
            error.line = line.toInt();
        if (name == QLatin1String("SyntaxError") && kind == ReducerError::Kind::Threw)
            error.kind = ReducerError::Kind::Syntax;
    } else {
        error.message = QStringLiteral("threw ") % thrown.toString();
    }
    return error;
}

bool JsFold::load(const QString& source, const QString& fileName, ReducerError* error)
{
    m_fileName = fileName;
    // Metadata is the bulk of most events and few reducers read it: it crosses only once a handler asks for it.
    m_sendMetadata = source.contains(QLatin1String("metadata"));
    m_sendStreams = source.contains(QLatin1String("streamId")) || source.contains(QLatin1String(".stream"));
    const QJSValue preludeFn = m_engine.evaluate(QString::fromUtf8(preludeSource), QStringLiteral("es:prelude"));
    QJSValue prelude = preludeFn.call({ m_engine.globalObject() });
    Q_ASSERT(prelude.isObject());
    m_driver = prelude; // keeps takeLogs reachable through m_driver's "prelude" property below

    m_watchdog->arm(m_budgetMs);
    const QJSValue result = m_engine.evaluate(source, fileName, 1);
    const bool timedOut = m_watchdog->disarm();
    if (timedOut || m_engine.isInterrupted()) {
        m_engine.setInterrupted(false);
        *error = ReducerError { ReducerError::Kind::Timeout,
            QStringLiteral("loading the script took longer than %1 ms").arg(m_budgetMs), -1, -1, -1, {} };
        return false;
    }
    if (result.isError()) {
        *error = errorFrom(result, ReducerError::Kind::Syntax);
        if (result.property(QStringLiteral("name")).toString() != QLatin1String("SyntaxError"))
            error->kind = ReducerError::Kind::Threw;
        return false;
    }
    const QJSValue handlers = prelude.property(QStringLiteral("handlers")).call({ result });
    // QJSEngine::evaluate compiles without V4's inline caches for property access (it lets scripts see an outer
    // context); code made by the Function constructor has them, which makes the batch loop about twice as fast.
    const QJSValue driverFn
        = m_engine
              .evaluate(QStringLiteral("(function (src) { return new Function('return (' + src + ')')(); })"),
                  QStringLiteral("es:driver"))
              .call({ QString::fromUtf8(driverSource) });
    // The handlers run from a second compilation, with inline caches, unless the source reads `this` (top-level
    // `this` differs between a script and a function body) or the recompiled source does not give the same handlers.
    QJSValue fast(QJSValue::NullValue);
    if (!usesThis(source)) {
        m_watchdog->arm(m_budgetMs);
        fast = prelude.property(QStringLiteral("recompile")).call({ source, handlers });
        if (m_watchdog->disarm() || m_engine.isInterrupted() || !fast.isObject())
            fast = QJSValue(QJSValue::NullValue);
        m_engine.setInterrupted(false);
    }
    m_recompiled = fast.isObject();
    m_driver = driverFn.call({ handlers, fast });
    if (!m_driver.isObject()) {
        *error = errorFrom(m_driver, ReducerError::Kind::Threw);
        return false;
    }
    m_driver.setProperty(QStringLiteral("prelude"), prelude);
    m_driver.setProperty(QStringLiteral("reuse"), !mayKeepEvents(source));
    m_fold = m_driver.property(QStringLiteral("fold"));
    m_get = m_driver.property(QStringLiteral("get"));
    m_set = m_driver.property(QStringLiteral("set"));
    m_reset = m_driver.property(QStringLiteral("reset"));
    m_setPredicate = m_driver.property(QStringLiteral("setPredicate"));
    m_addType = m_driver.property(QStringLiteral("addType"));
    m_addShape = m_driver.property(QStringLiteral("addShape"));
    // V4 compiles a function to machine code only after a few calls and cannot switch a running loop over, so
    // the batch loop, called rarely but hot, would stay interpreted: call it empty until it is compiled.
    for (int i = 0; i < 4; ++i)
        m_fold.callWithInstance(m_driver,
            { m_engine.toScriptValue(QByteArray()), QStringLiteral("[]"), QStringLiteral("[]"),
                m_engine.toScriptValue(QByteArray()), QStringLiteral("[]"), QString(), false, false });
    if (auto initError = reset()) {
        *error = *initError;
        return false;
    }
    return true;
}

std::optional<ReducerError> JsFold::reset()
{
    m_watchdog->arm(m_budgetMs);
    const QJSValue ok = m_reset.callWithInstance(m_driver);
    const bool timedOut = m_watchdog->disarm();
    if (timedOut || m_engine.isInterrupted()) {
        m_engine.setInterrupted(false);
        return ReducerError { ReducerError::Kind::Timeout,
            QStringLiteral("$init took longer than %1 ms").arg(m_budgetMs), -1, -1, -1, QStringLiteral("$init") };
    }
    if (!ok.toBool()) {
        ReducerError error = errorFrom(m_driver.property(QStringLiteral("err")), ReducerError::Kind::Threw);
        error.eventType = QStringLiteral("$init");
        return error;
    }
    return std::nullopt;
}

QByteArray JsFold::stateJson()
{
    const QJSValue text = m_get.callWithInstance(m_driver);
    if (text.isError())
        return QByteArrayLiteral("null");
    return text.toString().toUtf8();
}

bool JsFold::setStateJson(const QByteArray& json)
{
    return m_set.callWithInstance(m_driver, { QString::fromUtf8(json) }).toBool();
}

bool JsFold::setStopPredicate(const QString& source, ReducerError* error)
{
    if (source.contains(QLatin1String("metadata")))
        m_sendMetadata = true;
    if (source.contains(QLatin1String("stream")))
        m_sendStreams = true;
    const QJSValue thrown = m_setPredicate.callWithInstance(m_driver, { source.trimmed() });
    if (thrown.isNull() || thrown.isUndefined())
        return true;
    if (error) {
        *error = errorFrom(thrown, ReducerError::Kind::Syntax);
        error->kind = ReducerError::Kind::Syntax;
        error->line = -1;
        error->message = QStringLiteral("breakpoint: ") % error->message;
    }
    return false;
}

QStringList JsFold::takeLog()
{
    const QJSValue logs = m_driver.property(QStringLiteral("prelude")).property(QStringLiteral("takeLogs")).call();
    QStringList out;
    const int n = logs.property(QStringLiteral("length")).toInt();
    for (int i = 0; i < n; ++i)
        out.append(logs.property(quint32(i)).toString());
    return out;
}

int JsFold::typeId(const QString& type)
{
    if (m_lastTypeId >= 0 && type.isNull() == m_lastType.isNull() && type == m_lastType)
        return m_lastTypeId;
    int id;
    if (type.isNull()) {
        if (m_nullTypeId < 0) {
            m_nullTypeId = m_typeCount++;
            m_addType.callWithInstance(m_driver, { QJSValue(QJSValue::NullValue) });
        }
        id = m_nullTypeId;
    } else {
        auto it = m_typeIds.constFind(type);
        if (it == m_typeIds.constEnd()) {
            it = m_typeIds.insert(type, m_typeCount++);
            m_addType.callWithInstance(m_driver, { type });
        }
        id = *it;
    }
    m_lastType = type;
    m_lastTypeId = id;
    return id;
}

void JsFold::buildBatch(const Event* events, qsizetype count)
{
    // resize(0) keeps the buffers' capacity from batch to batch.
    m_batch.resize(0);
    m_env.resize(0);
    m_meta.resize(0);
    m_strings.resize(0);
    m_numbers.clear();
    m_envNumbers.clear();
    m_batch.append('[');
    m_env.append('[');
    m_strings.append('[');
    int streams = 0;
    constexpr double none = std::numeric_limits<double>::quiet_NaN();
    for (qsizetype i = 0; i < count; ++i) {
        const Event& e = events[i];
        if (i && m_sendMetadata)
            m_meta.append('\x1e');
        m_numbers.push_back(typeId(e.type));
        const std::size_t shapeAt = m_numbers.size();
        m_numbers.push_back(-1);
        const int shape = e.data.isJson() ? shapeOf(e.data.bytes) : -1;
        m_numbers[shapeAt] = shape;
        if (shape < 0) {
            if (m_batch.size() > 1)
                m_batch.append(',');
            e.data.appendJson(m_batch);
        }

        if (m_sendStreams && (i == 0 || e.stream != m_lastStream)) {
            m_lastStream = e.stream;
            if (streams)
                m_env.append(',');
            appendJsonString(m_env, e.stream);
            ++streams;
        }
        m_envNumbers.push_back(streams - 1);
        m_envNumbers.push_back(e.position < 0 ? none : double(e.position));
        m_envNumbers.push_back(e.version < 0 ? none : double(e.version));
        m_envNumbers.push_back(e.time.isValid() ? double(e.time.toMSecsSinceEpoch()) : none);
        // JSON text never holds a raw 0x1E, so it separates the metadata of each event.
        if (m_sendMetadata)
            e.metadata.appendJson(m_meta);
    }
    m_batch.append(']');
    m_env.append(']');
    m_strings.append(']');
}

namespace {

void appendIndex(QByteArray& out, int n)
{
    char digits[12];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end - digits);
}

// Scans JSON text into the object literal that rebuilds it: numbers go to a number column and are read back as
// n[i+k], strings go (as JSON string tokens) to a list and are read back as s[j+k].
class ShapeScanner {
public:
    ShapeScanner(const QByteArray& json, QByteArray& code, std::vector<double>& numbers, QByteArray& strings)
        : m_p(json.constData())
        , m_end(json.constData() + json.size())
        , m_code(code)
        , m_numbers(numbers)
        , m_strings(strings)
    { }

    bool scan()
    {
        if (!value(0))
            return false;
        skipSpace();
        return m_p == m_end;
    }
    int nums = 0;
    int strs = 0;

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    // A string token, copied as it is: JSON string syntax is JS string syntax but for U+2028/U+2029.
    bool stringToken(QByteArray& out)
    {
        const char* start = m_p++;
        while (m_p < m_end && *m_p != '"') {
            if (*m_p == '\\')
                ++m_p;
            else if (uchar(*m_p) == 0xE2 && m_p + 2 < m_end && uchar(m_p[1]) == 0x80 && (uchar(m_p[2]) & 0xFE) == 0xA8)
                return false;
            else if (uchar(*m_p) < 0x20)
                return false;
            ++m_p;
        }
        if (m_p >= m_end)
            return false;
        ++m_p;
        out.append(start, m_p - start);
        return true;
    }
    bool value(int depth)
    {
        skipSpace();
        if (m_p >= m_end || depth > 16)
            return false;
        const char c = *m_p;
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            m_code.append(c);
            ++m_p;
            skipSpace();
            if (m_p < m_end && *m_p == close) {
                m_code.append(close);
                ++m_p;
                return true;
            }
            while (true) {
                if (c == '{') {
                    skipSpace();
                    if (m_p >= m_end || *m_p != '"')
                        return false;
                    const qsizetype keyAt = m_code.size();
                    if (!stringToken(m_code))
                        return false;
                    // In a literal, __proto__ sets the prototype; JSON.parse makes it a plain property.
                    if (QByteArrayView(m_code).sliced(keyAt).contains("__proto__"))
                        return false;
                    skipSpace();
                    if (m_p >= m_end || *m_p != ':')
                        return false;
                    ++m_p;
                    m_code.append(':');
                }
                if (!value(depth + 1))
                    return false;
                skipSpace();
                if (m_p < m_end && *m_p == ',') {
                    m_code.append(',');
                    ++m_p;
                    continue;
                }
                if (m_p < m_end && *m_p == close) {
                    m_code.append(close);
                    ++m_p;
                    return true;
                }
                return false;
            }
        }
        if (c == '"') {
            if (m_strings.size() > 1)
                m_strings.append(',');
            if (!stringToken(m_strings))
                return false;
            m_code.append("s[j+", 4);
            appendIndex(m_code, strs++);
            m_code.append(']');
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            const char* start = m_p;
            while (m_p < m_end
                && ((*m_p >= '0' && *m_p <= '9') || *m_p == '-' || *m_p == '+' || *m_p == '.' || *m_p == 'e'
                    || *m_p == 'E'))
                ++m_p;
            // Out of range (1e400, 1e-400) fails here, and the payload goes whole to JSON.parse.
            double d = 0;
            const auto [end, ec] = std::from_chars(start, m_p, d);
            if (ec != std::errc() || end != m_p)
                return false;
            m_numbers.push_back(d);
            m_code.append("n[i+", 4);
            appendIndex(m_code, nums++);
            m_code.append(']');
            return true;
        }
        for (const QByteArrayView word : { QByteArrayView("true"), QByteArrayView("false"), QByteArrayView("null") }) {
            if (m_end - m_p >= word.size() && std::memcmp(m_p, word.data(), std::size_t(word.size())) == 0) {
                m_code.append(word);
                m_p += word.size();
                return true;
            }
        }
        return false;
    }

    const char* m_p;
    const char* const m_end;
    QByteArray& m_code;
    std::vector<double>& m_numbers;
    QByteArray& m_strings;
};

} // namespace

// The shape of a payload: -1 when it is better parsed whole (large, deep, unusual).
int JsFold::shapeOf(const QByteArray& json)
{
    if (json.size() > maxShapedBytes)
        return -1;
    m_code.resize(0);
    const qsizetype numbersBefore = qsizetype(m_numbers.size());
    const qsizetype stringsBefore = m_strings.size();
    auto fail = [&] {
        m_numbers.resize(std::size_t(numbersBefore));
        m_strings.truncate(stringsBefore);
        return -1;
    };
    ShapeScanner scanner(json, m_code, m_numbers, m_strings);
    if (!scanner.scan())
        return fail();
    // Most streams repeat one shape: a comparison with the last one spares the hash lookup.
    if (m_lastShape >= 0 && m_code == m_lastShapeCode)
        return m_lastShape;
    auto it = m_shapes.constFind(m_code);
    if (it != m_shapes.constEnd()) {
        if (*it < 0)
            return fail();
        // Copied, not shared, so that m_code stays unshared and keeps its buffer.
        m_lastShapeCode.resize(0);
        m_lastShapeCode.append(m_code.constData(), m_code.size());
        m_lastShape = *it;
        return *it;
    }
    if (m_shapeCount >= maxShapes)
        return fail();
    // A shape the engine cannot compile is remembered as one to parse whole.
    const QJSValue added
        = m_addShape.callWithInstance(m_driver, { QString::fromUtf8(m_code), scanner.nums, scanner.strs });
    const int id = added.isError() ? -1 : m_shapeCount++;
    m_shapes.insert(m_code, id);
    return id >= 0 ? id : fail();
}

// Returns the driver's code (0 done, 1 stopped, -1 threw), or -2 when interrupted.
int JsFold::runBatch(
    const Event* events, qsizetype count, bool save, qsizetype* failedAt, ReducerError* error, bool scriptHandlers)
{
    buildBatch(events, count);
    m_watchdog->arm(m_budgetMs);
    const auto doubles = [this](const std::vector<double>& v) {
        return m_engine.toScriptValue(
            QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(double))));
    };
    const QJSValue code = m_fold.callWithInstance(m_driver,
        { doubles(m_numbers), QString::fromUtf8(m_batch), QString::fromUtf8(m_strings), doubles(m_envNumbers),
            m_sendStreams ? QJSValue(QString::fromUtf8(m_env)) : QJSValue(QJSValue::NullValue),
            m_sendMetadata ? QJSValue(QString::fromUtf8(m_meta)) : QJSValue(QJSValue::NullValue), save,
            scriptHandlers });
    if ((!m_sendMetadata || !m_sendStreams) && save && m_driver.property(QStringLiteral("missed")).toBool()) {
        // A handler read metadata or a stream name, which this batch left out: from now on every batch carries
        // them; this one again.
        m_watchdog->disarm();
        m_engine.setInterrupted(false);
        m_sendMetadata = true;
        m_sendStreams = true;
        m_driver.property(QStringLiteral("restore")).callWithInstance(m_driver);
        return runBatch(events, count, save, failedAt, error, scriptHandlers);
    }
    // A watchdog that fires just as a batch completes must not turn a finished batch into a timeout.
    const bool timedOut = (m_watchdog->disarm() || m_engine.isInterrupted()) && !code.isNumber();
    m_engine.setInterrupted(false);
    const qsizetype at = m_driver.property(QStringLiteral("at")).callWithInstance(m_driver).toInt();
    if (timedOut) {
        *failedAt = qMin(at, count - 1);
        *error = ReducerError { ReducerError::Kind::Timeout,
            QStringLiteral("the reducer ran longer than its budget of %1 ms and was stopped").arg(m_budgetMs), -1, -1,
            -1, {} };
        return -2;
    }
    if (code.isError()) {
        *failedAt = qMin(at, count - 1);
        *error = errorFrom(code, ReducerError::Kind::Threw);
        return -1;
    }
    const int result = code.toInt();
    if (result == -1) {
        *failedAt = at;
        *error = errorFrom(m_driver.property(QStringLiteral("err")), ReducerError::Kind::Threw);
        if (error->kind == ReducerError::Kind::Syntax)
            error->kind = ReducerError::Kind::Threw;
    } else if (result == 1) {
        *failedAt = at;
    }
    return result;
}

FoldResult JsFold::apply(const Event* events, qsizetype count)
{
    FoldResult out;
    qsizetype done = 0;
    while (done < count) {
        const qsizetype n = qMin<qsizetype>(m_batchSize, count - done);
        qsizetype at = 0;
        ReducerError error;
        const int code = runBatch(events + done, n, true, &at, &error);
        if (code == 0) {
            done += n;
            continue;
        }
        if (code == 1) {
            out.applied = done + at;
            out.stopped = true;
            return out;
        }
        // A handler may have mutated the state before failing: go back to the batch's start and replay the
        // events before the failing one, so the state is exactly as of the event before.
        m_driver.property(QStringLiteral("restore")).callWithInstance(m_driver);
        if (at > 0) {
            qsizetype again = 0;
            ReducerError ignored;
            if (runBatch(events + done, at, false, &again, &ignored) != 0)
                m_driver.property(QStringLiteral("restore")).callWithInstance(m_driver);
        }
        if (code == -1 && m_recompiled) {
            // Errors from the recompiled handlers carry no file or line: the script's own handler throws again.
            qsizetype again = 0;
            ReducerError own;
            if (runBatch(events + done + at, 1, true, &again, &own, true) == -1)
                error = own;
            m_driver.property(QStringLiteral("restore")).callWithInstance(m_driver);
        }
        const Event& bad = events[done + at];
        error.version = bad.version;
        error.position = bad.position;
        error.eventType = bad.type;
        out.applied = done + at;
        out.error = std::move(error);
        return out;
    }
    out.applied = count;
    return out;
}

} // namespace es
