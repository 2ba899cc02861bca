#include "jsreducer.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
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
    return {
        takeLogs: function () { return logs.splice(0, logs.length); },
        handlers: function (result) {
            if (captured !== null && typeof captured === 'object') return captured;
            var ex = g.module.exports;
            if (ex !== null && typeof ex === 'object' && Object.keys(ex).length > 0) return ex;
            if (ex !== g.exports && g.exports !== null && typeof g.exports === 'object' && Object.keys(g.exports).length > 0)
                return g.exports;
            if (result !== null && typeof result === 'object' && !Array.isArray(result)) return result;
            var found = {};
            Object.getOwnPropertyNames(g).forEach(function (k) {
                if (before.indexOf(k) < 0 && typeof g[k] === 'function') found[k] = g[k];
            });
            return found;
        }
    };
})
)JS";

// The fold loop, inside the engine. A batch is one JSON text [type id, data, type id, data, ...] parsed once; type
// names cross once per fold (addType), so no string is made per event. The state never leaves the engine unless asked.
const char* const driverSource = R"JS(
(function (H) {
    var init = typeof H.$init === 'function' ? H.$init : null;
    var any = typeof H.$any === 'function' ? H.$any : null;
    var map = Object.create(null);
    Object.keys(H).forEach(function (k) {
        if (k.charAt(0) !== '$' && typeof H[k] === 'function') map[k] = H[k];
    });
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
    // small object measured 0.8-1.5 us instead of 0.09 us). A ring of every 16th recent event keeps some object
    // alive in each chunk the fold allocates from, so collections reuse chunks instead of returning them.
    var pins = new Array(256);
    var pinAt = 0;
    // Only type and data are parsed up front; the envelope (stream, position, version, time) and the metadata
    // are parsed for the whole batch the first time a handler reads one of them.
    function Batch(env, meta) { this.envText = env; this.metaText = meta; this.env = null; this.meta = null; }
    Batch.prototype.field = function (i, k) {
        if (this.env === null) this.env = JSON.parse(this.envText);
        return this.env[i * 4 + k];
    };
    Batch.prototype.metadata = function (i) {
        if (this.metaText === null) { D.missed = true; return undefined; }
        if (this.meta === null) this.meta = this.metaText.split('\x1e');
        try { return JSON.parse(this.meta[i]); } catch (x) { return this.meta[i]; }
    };
    function Ev(b, i, t, d) { this._b = b; this._i = i; this.type = t; this.data = d; }
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
        s: {}, err: undefined, saved: 'null', pred: null, ballast: ballast, missed: false,
        at: function () { return cur; },
        addType: function (name) {
            types.push(name);
            var h = name !== null ? map[name] : undefined;
            handlers.push(h === undefined ? any : h);
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
        fold: function (nbuf, text, strs, env, meta, save) {
            this.missed = false;
            var v = new Float64Array(nbuf);
            var a = text.length > 2 ? JSON.parse(text) : null;
            var st = strs.length > 2 ? JSON.parse(strs) : null;
            var b = new Batch(env, meta);
            var s = this.s;
            if (save) this.saved = JSON.stringify(s);
            var pred = this.pred;
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
                    var e = new Ev(b, i, types[t], d);
                    if ((i & 15) === 0) pins[(pinAt++) & 255] = e;
                    var h = handlers[t];
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

void appendNumberOrNull(QByteArray& out, qint64 v)
{
    if (v < 0)
        out.append("null", 4);
    else
        out.append(QByteArray::number(v));
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
    const QJSValue driverFn = m_engine.evaluate(QString::fromUtf8(driverSource), QStringLiteral("es:driver"));
    m_driver = driverFn.call({ handlers });
    if (!m_driver.isObject()) {
        *error = errorFrom(m_driver, ReducerError::Kind::Threw);
        return false;
    }
    m_driver.setProperty(QStringLiteral("prelude"), prelude);
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
            { m_engine.toScriptValue(QByteArray()), QStringLiteral("[]"), QStringLiteral("[]"), QStringLiteral("[]"),
                QString(), false });
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
    m_batch.append('[');
    m_env.append('[');
    m_strings.append('[');
    for (qsizetype i = 0; i < count; ++i) {
        const Event& e = events[i];
        if (i) {
            m_env.append(',');
            if (m_sendMetadata)
                m_meta.append('\x1e');
        }
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

        if (e.stream != m_lastStream) {
            m_lastStream = e.stream;
            m_lastStreamJson.clear();
            appendJsonString(m_lastStreamJson, e.stream);
        }
        m_env.append(m_lastStreamJson);
        m_env.append(',');
        appendNumberOrNull(m_env, e.position);
        m_env.append(',');
        appendNumberOrNull(m_env, e.version);
        m_env.append(',');
        if (e.time.isValid())
            m_env.append(QByteArray::number(e.time.toMSecsSinceEpoch()));
        else
            m_env.append("null", 4);
        // JSON text never holds a raw 0x1E, so it separates the metadata of each event.
        if (m_sendMetadata)
            e.metadata.appendJson(m_meta);
    }
    m_batch.append(']');
    m_env.append(']');
    m_strings.append(']');
}

// Scans JSON text into a shape: the object literal that rebuilds it, with numbers read from the batch's number
// column and strings from its string list; -1 when the payload is better parsed whole (large, deep, unusual).
int JsFold::shapeOf(const QByteArray& json)
{
    if (json.size() > maxShapedBytes)
        return -1;
    m_code.clear();
    const qsizetype numbersBefore = qsizetype(m_numbers.size());
    const qsizetype stringsBefore = m_strings.size();
    int nums = 0;
    int strs = 0;
    const char* p = json.constData();
    const char* const end = p + json.size();
    auto fail = [&] {
        m_numbers.resize(std::size_t(numbersBefore));
        m_strings.truncate(stringsBefore);
        return -1;
    };
    auto skipSpace = [&] {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            ++p;
    };
    // A string token, copied as it is: JSON string syntax is JS string syntax but for U+2028/U+2029.
    auto stringToken = [&](QByteArray& out) {
        const char* start = p++;
        while (p < end && *p != '"') {
            if (*p == '\\')
                ++p;
            else if (uchar(*p) == 0xE2 && p + 2 < end && uchar(p[1]) == 0x80 && (uchar(p[2]) & 0xFE) == 0xA8)
                return false;
            else if (uchar(*p) < 0x20)
                return false;
            ++p;
        }
        if (p >= end)
            return false;
        ++p;
        out.append(start, p - start);
        return true;
    };
    std::function<bool(int)> value = [&](int depth) -> bool {
        skipSpace();
        if (p >= end || depth > 16)
            return false;
        const char c = *p;
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            m_code.append(c);
            ++p;
            skipSpace();
            if (p < end && *p == close) {
                m_code.append(close);
                ++p;
                return true;
            }
            while (true) {
                if (c == '{') {
                    skipSpace();
                    if (p >= end || *p != '"')
                        return false;
                    const qsizetype keyAt = m_code.size();
                    if (!stringToken(m_code))
                        return false;
                    // In a literal, __proto__ sets the prototype; JSON.parse makes it a plain property.
                    if (QByteArrayView(m_code).sliced(keyAt).contains("__proto__"))
                        return false;
                    skipSpace();
                    if (p >= end || *p != ':')
                        return false;
                    ++p;
                    m_code.append(':');
                }
                if (!value(depth + 1))
                    return false;
                skipSpace();
                if (p < end && *p == ',') {
                    m_code.append(',');
                    ++p;
                    continue;
                }
                if (p < end && *p == close) {
                    m_code.append(close);
                    ++p;
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
            m_code.append("s[j+");
            m_code.append(QByteArray::number(strs++));
            m_code.append(']');
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            const char* start = p;
            while (
                p < end && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E'))
                ++p;
            bool ok = false;
            const double d = QByteArrayView(start, p - start).toDouble(&ok);
            if (!ok)
                return false;
            m_numbers.push_back(d);
            m_code.append("n[i+");
            m_code.append(QByteArray::number(nums++));
            m_code.append(']');
            return true;
        }
        for (const char* word : { "true", "false", "null" }) {
            const qsizetype n = qsizetype(qstrlen(word));
            if (end - p >= n && std::memcmp(p, word, std::size_t(n)) == 0) {
                m_code.append(word, n);
                p += n;
                return true;
            }
        }
        return false;
    };
    if (!value(0))
        return fail();
    skipSpace();
    if (p != end)
        return fail();
    auto it = m_shapes.constFind(m_code);
    if (it != m_shapes.constEnd())
        return *it >= 0 ? *it : fail();
    if (m_shapeCount >= maxShapes)
        return fail();
    // A shape the engine cannot compile is remembered as one to parse whole.
    const QJSValue added = m_addShape.callWithInstance(m_driver, { QString::fromUtf8(m_code), nums, strs });
    const int id = added.isError() ? -1 : m_shapeCount++;
    m_shapes.insert(m_code, id);
    return id >= 0 ? id : fail();
}

// Returns the driver's code (0 done, 1 stopped, -1 threw), or -2 when interrupted.
int JsFold::runBatch(const Event* events, qsizetype count, bool save, qsizetype* failedAt, ReducerError* error)
{
    buildBatch(events, count);
    m_watchdog->arm(m_budgetMs);
    const QJSValue code = m_fold.callWithInstance(m_driver,
        { m_engine.toScriptValue(QByteArray(
              reinterpret_cast<const char*>(m_numbers.data()), qsizetype(m_numbers.size() * sizeof(double)))),
            QString::fromUtf8(m_batch), QString::fromUtf8(m_strings), QString::fromUtf8(m_env),
            m_sendMetadata ? QJSValue(QString::fromUtf8(m_meta)) : QJSValue(QJSValue::NullValue), save });
    if (!m_sendMetadata && save && m_driver.property(QStringLiteral("missed")).toBool()) {
        // A handler read metadata, which this batch left out: from now on every batch carries it; this one again.
        m_watchdog->disarm();
        m_engine.setInterrupted(false);
        m_sendMetadata = true;
        m_driver.property(QStringLiteral("restore")).callWithInstance(m_driver);
        return runBatch(events, count, save, failedAt, error);
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
