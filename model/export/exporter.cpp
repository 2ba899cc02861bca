#include "export/exporter.h"

#include "export/csvcell.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

namespace es {

namespace {

constexpr qsizetype BlockSize = 1 << 20;

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// After a rename the new name is durable only once the folder itself is on disk.
void syncFolder(const QString& folder, const QString& target)
{
    const int fd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const QString reason = systemError();
        if (fd >= 0)
            ::close(fd);
        throw StoreError(
            QStringLiteral("%1 was written, but its folder could not be synced to disk: %2").arg(target, reason),
            StoreError::Kind::Io);
    }
    ::close(fd);
}

// A new file written in large blocks; the exporter owns its name and its removal.
class FileOutput {
public:
    explicit FileOutput(const QString& path)
        : m_file(path)
    {
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
            throw StoreError(
                QStringLiteral("Cannot write %1: %2").arg(path, m_file.errorString()), StoreError::Kind::Io);
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
        // A short write (the disk filled up, a file size limit) is retried once more for the remainder, which then
        // fails with the system's reason.
        for (qsizetype done = 0; done < m_buffer.size();) {
            const qint64 n = m_file.write(m_buffer.constData() + done, m_buffer.size() - done);
            if (n <= 0)
                throw StoreError(QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()),
                    StoreError::Kind::Io);
            done += n;
        }
        m_written += m_buffer.size();
        m_buffer.truncate(0); // keeps the allocation, where clear() would free it
    }
    // The data reaches the disk before the exporter renames the file into place, so a crash or power loss never
    // leaves a short file under the final name; a failed close (a full disk on NFS) is an error, not a success.
    void close()
    {
        flush();
        if (!m_file.flush())
            throw StoreError(QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()),
                StoreError::Kind::Io);
        if (::fdatasync(m_file.handle()) != 0)
            throw StoreError(
                QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), systemError()), StoreError::Kind::Io);
        m_file.close();
        if (m_file.error() != QFileDevice::NoError)
            throw StoreError(QStringLiteral("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()),
                StoreError::Kind::Io);
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
// A cell that begins with =, +, -, @, a tab or a carriage return would run as a formula in a spreadsheet: unless the
// user opts out, it gets a leading apostrophe and is quoted (OWASP's rule for CSV injection).
class CsvSink : public ExportSink {
public:
    CsvSink(const QString& path, bool neutralise)
        : m_out(path)
        , m_neutralise(neutralise)
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

    void field(QByteArray& out, const QByteArray& value) const { appendCsvCell(out, value, m_neutralise); }

private:
    FileOutput m_out;
    QByteArray m_cell;
    bool m_neutralise;
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
        factories[QStringLiteral("csv")] = [](const QString& p) { return std::make_unique<CsvSink>(p, true); };
    }
};

FormatRegistry& registry()
{
    static FormatRegistry r;
    return r;
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
    if (options.format == QLatin1String("csv") && options.csvKeepFormulas)
        factory = [](const QString& p) { return std::make_unique<CsvSink>(p, false); };
    QString redactError;
    std::optional<Redactor> redactor = Redactor::parse(options.redact, &redactError);
    if (!redactor)
        throw StoreError(redactError);
    if (!options.redactKey.isEmpty())
        redactor->setKey(options.redactKey);
    redactor->setNonJson(options.nonJson);

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
    // The store's own file and its companions (a live -wal holds committed data): never a target, even with --force.
    const QString storePath = storeFilePath(store.address());
    if (!storePath.isEmpty()) {
        const QString targetPath = target.exists() ? target.canonicalFilePath() : target.absoluteFilePath();
        for (const char* suffix : { "", "-wal", "-shm", "-journal" }) {
            if (targetPath == storePath + QLatin1String(suffix))
                throw StoreError(
                    QStringLiteral("%1 belongs to the store being exported; EventScope never writes to it.")
                        .arg(options.path),
                    StoreError::Kind::BadAddress);
        }
    }

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
        syncFolder(target.absolutePath(), options.path);
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
