// JsReducer and its fold: the C++ side of a JavaScript reducer, which feeds events in batches to driver.js.
#include "fold/js/jsreducer.h"

#include "fold/js/jssource.h"
#include "fold/js/shapecompiler.h"
#include "fold/statetext.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <limits>

namespace es {

namespace {

// A script compiled into the library (model/fold/js/*.js), read once per process.
QString readScript(const QString& name)
{
    QFile file(QStringLiteral(":/reducer-js/") % name);
    [[maybe_unused]] const bool opened = file.open(QIODevice::ReadOnly);
    Q_ASSERT(opened);
    return QString::fromUtf8(file.readAll());
}

const QString& preludeSource()
{
    static const QString text = readScript(QStringLiteral("prelude.js"));
    return text;
}

const QString& driverSource()
{
    static const QString text = readScript(QStringLiteral("driver.js"));
    return text;
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
    return JsSource(source).mayKeepEvents();
}

JsFold::JsFold(int budgetMs)
    : m_budgetMs(budgetMs)
{ }

JsFold::~JsFold() = default;

template <typename Calls> bool JsFold::budgeted(Calls&& calls)
{
    m_watchdog.arm(m_budgetMs);
    calls();
    return !interrupted();
}

bool JsFold::interrupted()
{
    const bool fired = m_watchdog.disarm() || m_engine.isInterrupted();
    m_engine.setInterrupted(false);
    return fired;
}

ReducerError JsFold::timeout(const QString& what) const
{
    return ReducerError { ReducerError::Kind::Timeout,
        QStringLiteral("%1 took longer than %2 ms").arg(what).arg(m_budgetMs), -1, -1, -1, {} };
}

// Back to the state at the start of the last batch.
bool JsFold::restore()
{
    return budgeted([this] { m_restore.callWithInstance(m_driver); });
}

ReducerError JsFold::errorFrom(const QJSValue& thrown, ReducerError::Kind kind)
{
    ReducerError error;
    error.kind = kind;
    // What was thrown may have getters, a toString or a proxy of the reducer's own.
    const bool read = budgeted([&] {
        if (thrown.isError() || thrown.isObject()) {
            const QString name = thrown.property(QStringLiteral("name")).toString();
            const QString message = thrown.property(QStringLiteral("message")).toString();
            error.message = name.isEmpty() || name == QLatin1String("undefined")
                ? thrown.toString()
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
    });
    if (!read)
        return timeout(QStringLiteral("reading what the reducer threw"));
    return error;
}

bool JsFold::load(const QString& source, const QString& fileName, ReducerError* error)
{
    m_fileName = fileName;
    // Metadata is the bulk of most events and few reducers read it: it crosses only once a handler asks for it.
    m_sendMetadata = source.contains(QLatin1String("metadata"));
    m_sendStreams = source.contains(QLatin1String("streamId")) || source.contains(QLatin1String(".stream"));
    // The prelude and the driver are compiled before the reducer's source runs: nothing it redefines reaches them.
    m_prelude = m_engine.evaluate(preludeSource(), QStringLiteral("es:prelude")).call({ m_engine.globalObject() });
    Q_ASSERT(m_prelude.isObject());
    const QJSValue driverFn
        = m_prelude.property(QStringLiteral("compile")).callWithInstance(m_prelude, { driverSource() });
    Q_ASSERT(driverFn.isCallable());

    QJSValue result;
    if (!budgeted([&] { result = m_engine.evaluate(source, fileName, 1); })) {
        *error = timeout(QStringLiteral("loading the script"));
        return false;
    }
    if (result.isError()) {
        *error = errorFrom(result, ReducerError::Kind::Threw);
        return false;
    }
    const auto handlersTimeout = [this] { return timeout(QStringLiteral("finding the reducer's handlers")); };
    QJSValue handlers;
    if (!budgeted([&] { handlers = m_prelude.property(QStringLiteral("handlers")).call({ result }); })) {
        *error = handlersTimeout();
        return false;
    }
    // The handlers run from a second compilation, with inline caches, unless the source reads `this` (top-level
    // `this` differs between a script and a function body) or the recompiled source does not give the same handlers.
    const JsSource reading(source);
    QJSValue fast(QJSValue::NullValue);
    if (!reading.usesThis()) {
        QJSValue again;
        const auto recompile = [&] {
            again = m_prelude.property(QStringLiteral("recompile")).call({ source, handlers });
        };
        if (budgeted(recompile) && again.isObject())
            fast = again;
    }
    m_recompiled = fast.isObject();
    if (!budgeted([&] { m_driver = driverFn.call({ handlers, fast }); })) {
        *error = handlersTimeout();
        return false;
    }
    if (!m_driver.isObject()) {
        *error = errorFrom(m_driver, ReducerError::Kind::Threw);
        return false;
    }
    m_driver.setProperty(QStringLiteral("reuse"), !reading.mayKeepEvents());
    m_fold = m_driver.property(QStringLiteral("fold"));
    m_foldEach = m_driver.property(QStringLiteral("foldEach"));
    m_at = m_driver.property(QStringLiteral("at"));
    m_restore = m_driver.property(QStringLiteral("restore"));
    m_get = m_driver.property(QStringLiteral("get"));
    m_set = m_driver.property(QStringLiteral("set"));
    m_reset = m_driver.property(QStringLiteral("reset"));
    m_setPredicate = m_driver.property(QStringLiteral("setPredicate"));
    m_addType = m_driver.property(QStringLiteral("addType"));
    m_addShape = m_driver.property(QStringLiteral("addShape"));
    // V4 compiles a function to machine code only after a few calls and cannot switch a running loop over, so
    // the batch loop, called rarely but hot, would stay interpreted: call it empty until it is compiled.
    const bool warmed = budgeted([this] {
        for (int i = 0; i < 4; ++i)
            m_fold.callWithInstance(m_driver,
                { m_engine.toScriptValue(QByteArray()), QStringLiteral("[]"), QStringLiteral("[]"),
                    m_engine.toScriptValue(QByteArray()), QStringLiteral("[]"), QString(), false, false });
    });
    if (!warmed) {
        *error = timeout(QStringLiteral("preparing the fold"));
        return false;
    }
    if (auto initError = reset()) {
        *error = *initError;
        return false;
    }
    return true;
}

std::optional<ReducerError> JsFold::reset()
{
    QJSValue ok;
    if (!budgeted([&] { ok = m_reset.callWithInstance(m_driver); })) {
        ReducerError error = timeout(QStringLiteral("$init"));
        error.eventType = QStringLiteral("$init");
        return error;
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
    // JSON.stringify runs the state's toJSON methods and getters.
    QByteArray json;
    const bool done = budgeted([&] {
        const QJSValue text = m_get.callWithInstance(m_driver);
        if (!text.isError())
            json = text.toString().toUtf8();
    });
    return done && !json.isNull() ? json : QByteArrayLiteral("null");
}

bool JsFold::setStateJson(const QByteArray& json)
{
    bool ok = false;
    return budgeted([&] { ok = m_set.callWithInstance(m_driver, { QString::fromUtf8(json) }).toBool(); }) && ok;
}

bool JsFold::setStopPredicate(const QString& source, ReducerError* error)
{
    if (source.contains(QLatin1String("metadata")))
        m_sendMetadata = true;
    if (source.contains(QLatin1String("stream")))
        m_sendStreams = true;
    QJSValue thrown;
    if (!budgeted([&] { thrown = m_setPredicate.callWithInstance(m_driver, { source.trimmed() }); })) {
        if (error)
            *error = timeout(QStringLiteral("breakpoint: compiling it"));
        return false;
    }
    if (thrown.isNull() || thrown.isUndefined())
        return true;
    if (error) {
        *error = errorFrom(thrown, ReducerError::Kind::Syntax);
        if (error->kind != ReducerError::Kind::Timeout)
            error->kind = ReducerError::Kind::Syntax;
        error->line = -1;
        error->message = QStringLiteral("breakpoint: ") % error->message;
    }
    return false;
}

QStringList JsFold::takeLog()
{
    QStringList out;
    const bool read = budgeted([&] {
        const QJSValue logs = m_prelude.property(QStringLiteral("takeLogs")).call();
        const int n = logs.property(QStringLiteral("length")).toInt();
        for (int i = 0; i < n; ++i)
            out.append(logs.property(quint32(i)).toString());
    });
    if (!read)
        out.clear();
    return out;
}

// Called while building a batch, under its budget. A type whose registration failed (the engine was interrupted)
// is registered again, under the same id, the next time it comes.
int JsFold::typeId(const QString& type)
{
    if (m_lastTypeId >= 0 && type.isNull() == m_lastType.isNull() && type == m_lastType)
        return m_lastTypeId;
    int id = type.isNull() ? m_nullTypeId : m_typeIds.value(type, -1);
    if (id < 0) {
        id = m_typeCount;
        const QJSValue added = m_addType.callWithInstance(
            m_driver, { id, type.isNull() ? QJSValue(QJSValue::NullValue) : QJSValue(type) });
        if (added.isError())
            return id;
        ++m_typeCount;
        if (type.isNull())
            m_nullTypeId = id;
        else
            m_typeIds.insert(type, id);
    }
    m_lastType = type;
    m_lastTypeId = id;
    return id;
}

// Runs under the batch's budget: new types and shapes are registered in the engine on the way.
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
    ShapeCompiler compiler(json, m_code, m_numbers, m_strings);
    if (!compiler.compile())
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
    // A shape the engine cannot compile is remembered as one to parse whole; one it could not compile in time
    // (the batch then stops) is compiled again, under the same id, the next time it comes.
    const QJSValue added = m_addShape.callWithInstance(
        m_driver, { m_shapeCount, QString::fromUtf8(m_code), compiler.numberCount(), compiler.stringCount() });
    if (added.isError() && m_engine.isInterrupted())
        return fail();
    const int id = added.isError() ? -1 : m_shapeCount++;
    m_shapes.insert(m_code, id);
    return id >= 0 ? id : fail();
}

// Returns the driver's code (0 done, 1 stopped, -1 threw), or -2 when interrupted.
int JsFold::runBatch(
    const Event* events, qsizetype count, bool save, qsizetype* failedAt, ReducerError* error, bool scriptHandlers)
{
    // The budget covers building the batch, which may call into the engine.
    m_watchdog.arm(m_budgetMs);
    if (m_memoryBudget != m_sentMemoryBudget) {
        m_driver.setProperty(QStringLiteral("limit"), double(m_memoryBudget));
        m_sentMemoryBudget = m_memoryBudget;
    }
    buildBatch(events, count);
    const auto doubles = [this](const std::vector<double>& v) {
        return m_engine.toScriptValue(
            QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(double))));
    };
    const QJSValue code = m_fold.callWithInstance(m_driver,
        { doubles(m_numbers), QString::fromUtf8(m_batch), QString::fromUtf8(m_strings), doubles(m_envNumbers),
            m_sendStreams ? QJSValue(QString::fromUtf8(m_env)) : QJSValue(QJSValue::NullValue),
            m_sendMetadata ? QJSValue(QString::fromUtf8(m_meta)) : QJSValue(QJSValue::NullValue), save,
            scriptHandlers });
    bool timedOut = true;
    if ((!m_sendMetadata || !m_sendStreams) && save && m_driver.property(QStringLiteral("missed")).toBool()) {
        // A handler read metadata or a stream name, which this batch left out: from now on every batch carries
        // them; this one again.
        interrupted();
        m_sendMetadata = true;
        m_sendStreams = true;
        if (restore())
            return runBatch(events, count, save, failedAt, error, scriptHandlers);
    } else {
        // A watchdog that fires just as a batch completes must not turn a finished batch into a timeout.
        timedOut = interrupted() && !code.isNumber();
    }
    const qsizetype at = m_at.callWithInstance(m_driver).toInt();
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
    if (result == 2) {
        *failedAt = qBound<qsizetype>(0, at, count - 1);
        *error = memoryError(qint64(m_driver.property(QStringLiteral("over")).toNumber()));
        return -1;
    }
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
        restore();
        if (at > 0) {
            qsizetype again = 0;
            ReducerError ignored;
            if (runBatch(events + done, at, false, &again, &ignored) != 0)
                restore();
        }
        if (code == -1 && m_recompiled && error.kind != ReducerError::Kind::Memory) {
            // Errors from the recompiled handlers carry no file or line: the script's own handler throws again.
            qsizetype again = 0;
            ReducerError own;
            if (runBatch(events + done + at, 1, true, &again, &own, true) == -1)
                error = own;
            restore();
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

void JsFold::foldStreams(const Event* events, const qsizetype* ends, qsizetype streams, std::vector<StreamState>& out,
    const std::vector<QJsonArray>* paths)
{
    out.clear();
    out.resize(std::size_t(streams));
    const qsizetype count = streams > 0 ? ends[streams - 1] : 0;
    if (streams <= 1 || count > m_batchSize) {
        Fold::foldStreams(events, ends, streams, out, paths);
        return;
    }
    // The budget covers building the batch, which may call into the engine.
    m_watchdog.arm(m_budgetMs);
    if (m_memoryBudget != m_sentMemoryBudget) {
        m_driver.setProperty(QStringLiteral("limit"), double(m_memoryBudget));
        m_sentMemoryBudget = m_memoryBudget;
    }
    if (!paths) {
        m_pathsValue = QJSValue(QJSValue::NullValue);
        m_sentPaths.clear();
    } else if (m_pathsValue.isNull() || m_pathsValue.isUndefined() || m_sentPaths != *paths) {
        m_sentPaths = *paths;
        m_pathsValue = m_engine.newArray(quint32(paths->size()));
        for (size_t i = 0; i < paths->size(); ++i)
            m_pathsValue.setProperty(quint32(i), m_engine.toScriptValue((*paths)[i]));
    }
    buildBatch(events, count);
    m_ends.clear();
    for (qsizetype i = 0; i < streams; ++i)
        m_ends.push_back(double(ends[i]));
    const auto doubles = [this](const std::vector<double>& v) {
        return m_engine.toScriptValue(
            QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(double))));
    };
    const QJSValue states = m_foldEach.callWithInstance(m_driver,
        { doubles(m_numbers), QString::fromUtf8(m_batch), QString::fromUtf8(m_strings), doubles(m_envNumbers),
            m_sendStreams ? QJSValue(QString::fromUtf8(m_env)) : QJSValue(QJSValue::NullValue),
            m_sendMetadata ? QJSValue(QString::fromUtf8(m_meta)) : QJSValue(QJSValue::NullValue), doubles(m_ends),
            m_pathsValue });
    if ((!m_sendMetadata || !m_sendStreams) && m_driver.property(QStringLiteral("missed")).toBool()) {
        // A handler read metadata or a stream name, which this batch left out: from now on every batch carries them.
        interrupted();
        m_sendMetadata = true;
        m_sendStreams = true;
        foldStreams(events, ends, streams, out, paths);
        return;
    }
    // Interrupted, or a stop predicate is set (the driver then folds nothing): every stream on its own.
    const bool timedOut = interrupted() && !states.isString();
    if (timedOut || !states.isString()) {
        Fold::foldStreams(events, ends, streams, out, paths);
        return;
    }
    // The streams, separated by 0x1E (JSON text never holds a raw control character); an empty one for a stream that
    // failed. With paths, a stream's values follow a 0x1C, separated by 0x1F, an empty one where the state has none;
    // without the 0x1C it is the whole state.
    const QByteArray text = states.toString().toUtf8();
    qsizetype from = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i < streams; ++i) {
        qsizetype to = text.indexOf('\x1e', from);
        if (to < 0)
            to = text.size();
        StreamState& s = out[std::size_t(i)];
        bool read = to > from;
        if (read && !paths) {
            s.state = text.mid(from, to - from);
        } else if (read && text[from] != '\x1c') {
            s.values = valuesAtPaths(text.mid(from, to - from), *paths);
        } else if (read) {
            s.values.reserve(paths->size());
            qsizetype at = from + 1;
            for (size_t p = 0; read && p < paths->size(); ++p) {
                qsizetype next = text.indexOf('\x1f', at);
                if (next < 0 || next > to)
                    next = to;
                std::optional<QJsonValue> v = next == at
                    ? QJsonValue(QJsonValue::Undefined)
                    : jsonValueFromText(QByteArrayView(text.constData() + at, next - at));
                read = v.has_value();
                if (read)
                    s.values.push_back(std::move(*v));
                at = next + 1;
            }
        }
        if (!read) {
            // Folded again alone: its error, line and state exactly as apply() gives them.
            const qsizetype one = ends[i] - start;
            std::vector<StreamState> alone;
            Fold::foldStreams(events + start, &one, 1, alone, paths);
            s = std::move(alone.front());
        }
        from = to + 1;
        start = ends[i];
    }
}

} // namespace es
