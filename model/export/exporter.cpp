#include "export/exporter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include <unistd.h>

namespace es {

namespace {

constexpr qsizetype BlockSize = 1 << 20;

// A new file written in large blocks; the exporter owns its name and its removal.
class FileOutput {
public:
    explicit FileOutput(const QString& path)
        : m_file(path)
    {
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
            throw StoreError(QStringLiteral("Cannot write %1: %2").arg(path, m_file.errorString()));
        m_buffer.reserve(BlockSize + 65536);
    }
    QByteArray& buffer() { return m_buffer; }
    void maybeFlush()
    {
        if (m_buffer.size() >= BlockSize)
            flush();
    }
    void flush()
    {
        if (m_buffer.isEmpty())
            return;
        if (m_file.write(m_buffer) != m_buffer.size())
            throw StoreError(QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        m_written += m_buffer.size();
        m_buffer.truncate(0); // keeps the allocation, where clear() would free it
    }
    void close()
    {
        flush();
        // No fsync: it doubled the time of large exports; the rename still guarantees no half file on cancel or
        // failure, only a power loss right after the rename could leave a short one.
        if (!m_file.flush())
            throw StoreError(QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        m_file.close();
    }
    qint64 bytes() const { return m_written + m_buffer.size(); }

private:
    QFile m_file;
    QByteArray m_buffer;
    qint64 m_written = 0;
};

class JsonLinesSink : public ExportSink {
public:
    explicit JsonLinesSink(const QString& path)
        : m_out(path)
    { }
    void write(const Event& event) override
    {
        m_out.buffer().append(event.toJsonLine()).append('\n');
        m_out.maybeFlush();
    }
    void writeRaw(const RawEvent& event) override
    {
        event.appendJsonLine(m_out.buffer());
        m_out.buffer().append('\n');
        m_out.maybeFlush();
    }
    void finish() override { m_out.close(); }
    qint64 bytesWritten() const override { return m_out.bytes(); }

private:
    FileOutput m_out;
};

// One JSON array, one event per line so the file stays readable and diffable.
class JsonArraySink : public ExportSink {
public:
    explicit JsonArraySink(const QString& path)
        : m_out(path)
    {
        m_out.buffer().append('[');
    }
    void write(const Event& event) override
    {
        m_out.buffer().append(m_first ? "\n" : ",\n").append(event.toJsonLine());
        m_first = false;
        m_out.maybeFlush();
    }
    void writeRaw(const RawEvent& event) override
    {
        m_out.buffer().append(m_first ? "\n" : ",\n");
        event.appendJsonLine(m_out.buffer());
        m_first = false;
        m_out.maybeFlush();
    }
    void finish() override
    {
        m_out.buffer().append(m_first ? "]\n" : "\n]\n");
        m_out.close();
    }
    qint64 bytesWritten() const override { return m_out.bytes(); }

private:
    FileOutput m_out;
    bool m_first = true;
};

// RFC 4180: CRLF line ends, fields with a quote, comma or line break quoted and their quotes doubled. UTF-8 without
// a byte order mark. data and metadata are JSON text; text and binary payloads are JSON strings (binary in base64)
// and the encoding column says so, as the JSON formats' "encoding" key does.
class CsvSink : public ExportSink {
public:
    explicit CsvSink(const QString& path)
        : m_out(path)
    {
        m_out.buffer().append(
            "position,stream,version,type,time,id,data,metadata,correlationId,causationId,encoding\r\n");
    }
    void write(const Event& e) override
    {
        QByteArray& out = m_out.buffer();
        if (e.position >= 0)
            out.append(QByteArray::number(e.position));
        out.append(',');
        field(out, e.stream.toUtf8());
        out.append(',');
        if (e.version >= 0)
            out.append(QByteArray::number(e.version));
        out.append(',');
        field(out, e.type.toUtf8());
        out.append(',');
        if (e.time.isValid())
            out.append(Event::timeToIso(e.time).toLatin1());
        out.append(',');
        field(out, e.id.toUtf8());
        out.append(',');
        m_cell.clear();
        if (!e.data.isNull())
            e.data.appendJson(m_cell);
        field(out, m_cell);
        out.append(',');
        m_cell.clear();
        if (!e.metadata.isNull())
            e.metadata.appendJson(m_cell);
        field(out, m_cell);
        out.append(',');
        field(out, e.correlationId.toUtf8());
        out.append(',');
        field(out, e.causationId.toUtf8());
        out.append(',');
        const bool dataOdd = !e.data.isNull() && !e.data.isJson();
        const bool metaOdd = !e.metadata.isNull() && !e.metadata.isJson();
        if (dataOdd || metaOdd) {
            m_cell = "{";
            if (dataOdd)
                m_cell.append("\"data\":\"").append(e.data.encodingName().toLatin1()).append('"');
            if (metaOdd)
                m_cell.append(dataOdd ? ",\"metadata\":\"" : "\"metadata\":\"")
                    .append(e.metadata.encodingName().toLatin1())
                    .append('"');
            m_cell.append('}');
            field(out, m_cell);
        }
        out.append("\r\n");
        m_out.maybeFlush();
    }
    void finish() override { m_out.close(); }
    qint64 bytesWritten() const override { return m_out.bytes(); }

    static void field(QByteArray& out, const QByteArray& value)
    {
        bool quote = false;
        for (const char c : value) {
            if (c == '"' || c == ',' || c == '\n' || c == '\r') {
                quote = true;
                break;
            }
        }
        if (!quote) {
            out.append(value);
            return;
        }
        out.append('"');
        qsizetype run = 0;
        for (qsizetype i = 0; i < value.size(); ++i) {
            if (value[i] == '"') {
                out.append(value.constData() + run, i - run + 1).append('"');
                run = i + 1;
            }
        }
        out.append(value.constData() + run, value.size() - run).append('"');
    }

private:
    FileOutput m_out;
    QByteArray m_cell;
};

template <typename Row, typename Reached> class RawReceiver : public RawEventReceiver {
public:
    RawReceiver(Row& row, Reached& reached)
        : m_row(row)
        , m_reached(reached)
    { }
    bool row(const RawEvent& event) override { return m_row(event); }
    bool reached(qint64 key) override { return m_reached(key); }

private:
    Row& m_row;
    Reached& m_reached;
};

struct FormatRegistry {
    std::mutex mutex;
    std::map<QString, Exporter::SinkFactory> factories;

    FormatRegistry()
    {
        factories[QStringLiteral("jsonl")] = [](const QString& p) { return std::make_unique<JsonLinesSink>(p); };
        factories[QStringLiteral("json")] = [](const QString& p) { return std::make_unique<JsonArraySink>(p); };
        factories[QStringLiteral("csv")] = [](const QString& p) { return std::make_unique<CsvSink>(p); };
    }
};

FormatRegistry& registry()
{
    static FormatRegistry r;
    return r;
}

QByteArray compactJson(const QJsonValue& v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

bool redactValue(QJsonValue& v, const QStringList& keys, qsizetype i, QStringList* originals)
{
    if (i == keys.size()) {
        if (v.isString())
            originals->append(v.toString());
        v = Redactor::hashValue(compactJson(v));
        return true;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        const auto it = o.constFind(keys.at(i));
        if (it == o.constEnd())
            return false;
        QJsonValue child = *it;
        if (!redactValue(child, keys, i + 1, originals))
            return false;
        o.insert(keys.at(i), child);
        v = o;
        return true;
    }
    if (v.isArray()) {
        bool ok = false;
        const int index = keys.at(i).toInt(&ok);
        QJsonArray a = v.toArray();
        if (!ok || index < 0 || index >= a.size())
            return false;
        QJsonValue child = a.at(index);
        if (!redactValue(child, keys, i + 1, originals))
            return false;
        a.replace(index, child);
        v = a;
        return true;
    }
    return false;
}

// The key most likely to be rare in payload text, quoted as JSON writes it: its absence proves the path is absent.
QByteArray probeFor(const QStringList& keys)
{
    for (auto it = keys.crbegin(); it != keys.crend(); ++it) {
        bool numeric = false;
        it->toInt(&numeric);
        if (!numeric) {
            QByteArray probe;
            appendJsonString(probe, it->toUtf8());
            return probe;
        }
    }
    return {};
}

QString uniqueTempPath(const QFileInfo& target)
{
    const QDir folder = target.absoluteDir();
    for (int i = 0;; ++i) {
        const QString temp
            = folder.filePath(QStringLiteral(".%1.partial-%2-%3").arg(target.fileName()).arg(::getpid()).arg(i));
        QFile f(temp);
        if (f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
            return temp;
        if (!QFileInfo::exists(temp) || i > 1000)
            throw StoreError(QStringLiteral("Cannot create a file in %1: %2").arg(folder.path(), f.errorString()),
                StoreError::Kind::BadAddress);
    }
}

void removeTemp(const QString& temp)
{
    for (const char* suffix : { "", "-journal", "-wal", "-shm" })
        QFile::remove(temp + QLatin1String(suffix));
}

QString storeFilePath(const QString& address)
{
    QString path = address;
    if (path.startsWith(QLatin1String("sqlite://")))
        path = path.mid(9);
    else if (path.startsWith(QLatin1String("sqlite:")) || path.startsWith(QLatin1String("file:")))
        path = path.section(u':', 1);
    path = path.section(u'?', 0, 0);
    return QFileInfo(path).canonicalFilePath();
}

} // namespace

std::optional<Redactor> Redactor::parse(const QStringList& paths, QString* error)
{
    Redactor r;
    for (const QString& text : paths) {
        const QString trimmed = text.trimmed();
        if (trimmed.isEmpty())
            continue;
        QStringList parts = trimmed.split(u'.');
        const QString root = parts.takeFirst();
        if ((root != QLatin1String("data") && root != QLatin1String("metadata")) || parts.isEmpty()
            || parts.contains(QString())) {
            if (error)
                *error = QStringLiteral("\"%1\" is not a field path such as data.email or metadata.userId.").arg(text);
            return std::nullopt;
        }
        r.m_paths.push_back({ root == QLatin1String("metadata"), parts });
    }
    return r;
}

QString Redactor::hashValue(const QByteArray& json)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(json, QCryptographicHash::Sha256).toHex().left(16));
}

bool Redactor::apply(Event& event) const
{
    QStringList originals;
    bool changed = false;
    for (const bool metadata : { false, true }) {
        Payload& payload = metadata ? event.metadata : event.data;
        if (!payload.isJson())
            continue;
        bool mentioned = false;
        for (const Path& p : m_paths) {
            if (p.metadata == metadata && payload.bytes.contains(probeFor(p.keys))) {
                mentioned = true;
                break;
            }
        }
        if (!mentioned)
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(payload.bytes);
        if (doc.isNull())
            continue;
        QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        bool touched = false;
        for (const Path& p : m_paths) {
            if (p.metadata == metadata)
                touched |= redactValue(root, p.keys, 0, &originals);
        }
        if (touched) {
            payload = Payload::json(compactJson(root));
            changed = true;
        }
    }
    // The ids picked out of the metadata would otherwise carry a redacted value past the redaction.
    for (QString* id : { &event.correlationId, &event.causationId }) {
        if (!id->isEmpty() && originals.contains(*id))
            *id = hashValue(compactJson(QJsonValue(*id)));
    }
    return changed;
}

void Exporter::registerFormat(const QString& name, SinkFactory factory)
{
    FormatRegistry& r = registry();
    std::lock_guard lock(r.mutex);
    r.factories[name] = std::move(factory);
}

QStringList Exporter::formats()
{
    FormatRegistry& r = registry();
    std::lock_guard lock(r.mutex);
    QStringList names;
    for (const auto& [name, factory] : r.factories)
        names.append(name);
    return names;
}

QString Exporter::suffixFor(const QString& format)
{
    return format;
}

ExportResult Exporter::run(
    EventStore& store, const ExportOptions& options, const ProgressFn& progress, const std::atomic<bool>* cancel)
{
    QElapsedTimer timer;
    timer.start();
    SinkFactory factory;
    {
        FormatRegistry& r = registry();
        std::lock_guard lock(r.mutex);
        const auto it = r.factories.find(options.format);
        if (it != r.factories.end())
            factory = it->second;
    }
    if (!factory)
        throw StoreError(QStringLiteral("Unknown export format \"%1\" (formats: %2).")
                             .arg(options.format, formats().join(QStringLiteral(", "))));
    QString redactError;
    const std::optional<Redactor> redactor = Redactor::parse(options.redact, &redactError);
    if (!redactor)
        throw StoreError(redactError);

    if (options.path.isEmpty())
        throw StoreError(QStringLiteral("No output file given."), StoreError::Kind::BadAddress);
    const QFileInfo target(options.path);
    if (!target.absoluteDir().exists())
        throw StoreError(
            QStringLiteral("The folder %1 does not exist.").arg(target.absolutePath()), StoreError::Kind::BadAddress);
    if (target.isDir())
        throw StoreError(QStringLiteral("%1 is a folder.").arg(options.path), StoreError::Kind::BadAddress);
    if ((target.exists() || target.isSymLink()) && !options.overwrite)
        throw StoreError(QStringLiteral("%1 already exists (overwrite it with --force).").arg(options.path),
            StoreError::Kind::BadAddress);
    const QString storePath = storeFilePath(store.address());
    if (!storePath.isEmpty() && storePath == target.canonicalFilePath())
        throw StoreError(
            QStringLiteral("%1 is the store being exported; EventScope never writes to it.").arg(options.path),
            StoreError::Kind::BadAddress);

    const EventFilter& filter = options.filter;
    const bool byVersion = filter.isStream();
    auto keyOf = [byVersion](const Event& e) { return byVersion ? e.version : e.position; };

    std::vector<qint64> keys = options.keys;
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    qint64 from = options.from;
    qint64 to = options.to;
    if (!keys.empty()) {
        from = std::max(from, keys.front());
        to = to >= 0 ? std::min(to, keys.back()) : keys.back();
    }

    // The key span of the scope, from two keyset seeks: progress and ETA without counting anything.
    qint64 firstKey = -1;
    qint64 lastKey = -1;
    {
        EventQuery edge;
        edge.filter.stream = filter.stream;
        edge.filter.category = filter.category;
        edge.limit = 1;
        edge.from = from;
        edge.to = to;
        const EventPage head = store.events(edge);
        if (!head.events.empty())
            firstKey = keyOf(head.events.front());
        edge.backward = true;
        edge.from = to;
        edge.to = from;
        const EventPage tail = store.events(edge);
        if (!tail.events.empty())
            lastKey = keyOf(tail.events.front());
    }

    const QString temp = uniqueTempPath(target);
    ExportResult result;
    result.format = options.format;
    try {
        std::unique_ptr<ExportSink> sink = factory(temp);
        EventQuery query;
        query.filter = filter;
        query.from = from;
        query.to = to;
        query.limit = 4096;
        // Filtered reads go in bounded windows so each statement stays short and cancellable.
        query.scanWindow = filter.hasPredicates() ? 1000000 : 0;

        ExportProgress state;
        state.total = keys.empty() ? -1 : qint64(keys.size());
        qint64 lastWritten = -1;
        auto report = [&](qint64 atKey) {
            state.elapsedMs = timer.elapsed();
            state.bytes = sink->bytesWritten();
            if (state.total > 0)
                state.fraction = double(state.events) / double(state.total);
            else if (firstKey >= 0 && lastKey > firstKey && atKey >= 0)
                state.fraction = std::clamp(double(atKey - firstKey) / double(lastKey - firstKey), 0.0, 1.0);
            if (state.fraction > 0.005 && state.elapsedMs > 300)
                state.etaMs = qint64(double(state.elapsedMs) * (1.0 - state.fraction) / state.fraction);
            if (cancel && cancel->load())
                return false;
            return !progress || progress(state);
        };
        auto cancelled = [] { return StoreError(QStringLiteral("Export cancelled."), StoreError::Kind::Cancelled); };
        if (!report(firstKey))
            throw cancelled();

        // The raw path: rows go from the engine to the sink as bytes, with no Event built unless redacting.
        bool stopped = false;
        auto take = [&](const RawEvent& e) {
            const qint64 key = byVersion ? e.version : e.position;
            if (lastWritten >= 0 && key >= 0 && key <= lastWritten)
                return true;
            lastWritten = std::max(lastWritten, key);
            if (!keys.empty() && !std::binary_search(keys.begin(), keys.end(), key))
                return true;
            if (!redactor->isEmpty()) {
                Event copy = e.toEvent();
                if (redactor->apply(copy))
                    ++result.redactedEvents;
                sink->write(copy);
            } else {
                sink->writeRaw(e);
            }
            if (++state.events % 4096 == 0 && !report(key))
                stopped = true;
            return !stopped;
        };
        auto reached = [&](qint64 key) {
            if (!report(key))
                stopped = true;
            return !stopped;
        };
        RawReceiver receiver(take, reached);
        EventQuery rawQuery;
        rawQuery.filter = filter;
        rawQuery.from = from;
        rawQuery.to = to;
        rawQuery.limit = 0;
        const bool raw = firstKey >= 0 && store.readRaw(rawQuery, receiver);
        if (stopped)
            throw cancelled();

        while (firstKey >= 0 && !raw) {
            const EventPage page = store.events(query);
            for (const Event& e : page.events) {
                const qint64 key = keyOf(e);
                if (lastWritten >= 0 && key >= 0 && key <= lastWritten)
                    continue;
                lastWritten = std::max(lastWritten, key);
                if (!keys.empty() && !std::binary_search(keys.begin(), keys.end(), key))
                    continue;
                if (!redactor->isEmpty()) {
                    Event copy = e;
                    if (redactor->apply(copy))
                        ++result.redactedEvents;
                    sink->write(copy);
                } else {
                    sink->write(e);
                }
                ++state.events;
            }
            if (page.atEnd || page.next < 0)
                break;
            const qint64 next = page.events.empty() ? page.next : std::max(page.next, lastWritten + 1);
            if (query.from >= 0 && next <= query.from)
                break;
            query.from = next;
            if (!report(next - 1))
                throw cancelled();
        }
        sink->finish();
        result.bytes = sink->bytesWritten();
        result.events = state.events;
        sink.reset();
        if (cancel && cancel->load())
            throw cancelled();

        const QByteArray from8 = QFile::encodeName(temp);
        const QByteArray to8 = QFile::encodeName(target.absoluteFilePath());
        if (options.overwrite) {
            if (std::rename(from8.constData(), to8.constData()) != 0)
                throw StoreError(
                    QStringLiteral("Cannot move the export to %1.").arg(options.path), StoreError::Kind::BadAddress);
        } else if (::link(from8.constData(), to8.constData()) == 0) {
            // link() fails rather than replace a file that appeared meanwhile.
            QFile::remove(temp);
        } else if (QFileInfo::exists(target.absoluteFilePath()) || !QFile::rename(temp, target.absoluteFilePath())) {
            throw StoreError(QStringLiteral("Cannot move the export to %1 (does it exist now?).").arg(options.path),
                StoreError::Kind::BadAddress);
        }
        if (result.bytes <= 0)
            result.bytes = QFileInfo(target.absoluteFilePath()).size();
    } catch (...) {
        removeTemp(temp);
        throw;
    }
    removeTemp(temp); // journal files a sink may have left
    result.path = target.absoluteFilePath();
    result.elapsedMs = timer.elapsed();
    if (progress) {
        ExportProgress done;
        done.events = result.events;
        done.total = result.events;
        done.fraction = 1.0;
        done.elapsedMs = result.elapsedMs;
        done.etaMs = 0;
        done.bytes = result.bytes;
        progress(done);
    }
    return result;
}

} // namespace es
