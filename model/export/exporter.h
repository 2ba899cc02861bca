#pragma once

#include "export/redactor.h"
#include "store/eventstore.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace es {

// Receives the exported events in order and writes them to a new file (the exporter's temporary name).
class ExportSink {
public:
    virtual ~ExportSink() = default;
    virtual void write(const Event& event) = 0;
    // The same for a raw row (see EventStore::readRaw); sinks that can write the bytes as they are override it.
    virtual void writeRaw(const RawEvent& event) { write(event.toEvent()); }
    // Completes the file; the exporter renames it into place afterwards.
    virtual void finish() = 0;
    // Bytes written so far (for progress); 0 where unknown.
    virtual qint64 bytesWritten() const { return 0; }
};

struct ExportOptions {
    QString format = QStringLiteral("jsonl"); // jsonl, json, csv, sqlite (see Exporter::formats())
    QString path; // the file to create
    bool overwrite = false; // replace an existing file
    EventFilter filter;
    qint64 from = -1; // inclusive key (a position, or a version when the filter names a stream)
    qint64 to = -1; // inclusive key
    std::vector<qint64> keys; // when not empty: only these keys (a selection), within the filter
    QStringList redact; // JSON paths such as data.email or metadata.user.id
    QByteArray redactKey; // HMAC key for redaction tokens; empty = a fresh random key for this export
    Redactor::NonJson nonJson = Redactor::NonJson::Redact; // payloads redaction cannot look into
    bool csvKeepFormulas = false; // CSV: write cells starting with = + - @ tab CR as they are
};

struct ExportProgress {
    qint64 events = 0; // written so far
    qint64 total = -1; // events in the scope when known cheaply, else -1
    double fraction = -1; // of the key range covered, 0..1; -1 when unknown
    qint64 elapsedMs = 0;
    qint64 etaMs = -1; // -1 until there is enough to estimate
    qint64 bytes = 0;
};

struct ExportResult {
    QString path;
    QString format;
    qint64 events = 0;
    qint64 bytes = 0;
    qint64 elapsedMs = 0;
    qint64 redactedEvents = 0; // events that had at least one field replaced
};

// Writes what an EventStore selects to a file in one of the export formats, streaming page by page: never more
// than a page of events in memory. The file appears under its name only when complete.
class Exporter {
public:
    using SinkFactory = std::function<std::unique_ptr<ExportSink>(const QString& tempPath)>;
    // progress returning false cancels, as does *cancel becoming true.
    using ProgressFn = std::function<bool(const ExportProgress&)>;

    // Formats written by other libraries (the sqlite format lives in connectors/) register here.
    static void registerFormat(const QString& name, SinkFactory factory);
    static QStringList formats();
    // The usual file suffix of a format ("jsonl", "json", "csv", "sqlite").
    static QString suffixFor(const QString& format);

    // Throws StoreError: BadAddress for a target that exists (without overwrite) or cannot be written,
    // Cancelled when cancelled, and whatever the store throws. No file is left behind unless it succeeds.
    static ExportResult run(EventStore& store, const ExportOptions& options, const ProgressFn& progress = {},
        const std::atomic<bool>* cancel = nullptr);
};

} // namespace es
