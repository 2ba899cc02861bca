#pragma once

#include "export/exporter.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace es {

// A place kept in a case file: a bookmark on an event (kind "event": position, stream, version), a stream ("stream"),
// a filtered view ("filter") or a time-travel state ("timetravel": stream, version), with the user's note.
struct CasePlace {
    QString kind = QStringLiteral("event");
    qint64 position = -1;
    QString stream;
    qint64 version = -1;
    QString filter; // filter text as the filter bar takes it
    QString note;
    bool operator==(const CasePlace& o) const = default;
};

// A saved view as its owner serialised it (name + JSON text); a case file keeps it without reading it.
struct CaseView {
    QString name;
    QString json;
    bool operator==(const CaseView& o) const = default;
};

// What a case file holds besides its events. docs/CASEFILE.md describes the tables.
struct CaseContents {
    QString title;
    QString source; // the inspected store's address, without secrets
    QDateTime created;
    QStringList redacted; // the paths redacted in its events
    qint64 events = 0;
    std::vector<CasePlace> places;
    std::vector<CaseView> views;
    QString reducerName; // the reducer used, when there was one
    QString reducerSource;
};

struct CaseOptions {
    QString path; // the file to create
    bool overwrite = false;
    // The events: the export's scope, selection and redaction (format and path are the case writer's).
    ExportOptions selection;
    CaseContents contents;
};

// A case file: the chosen events of a store in a new SQLite store in the Emmett layout (written by the exporter's
// "sqlite" format, so EventScope or Emmett open it like any other store; the profile eventscope-case recognises it),
// plus tables of its own for the places, notes, saved views and reducer. Written only to a new file, never to the
// inspected store; it appears under its name only when complete.
class CaseFile {
public:
    // The engine side (connectors/sqlite): adds the case tables to a finished export / reads them back. Throw
    // StoreError.
    using TableWriter = std::function<void(const QString& path, const CaseContents& contents)>;
    using TableReader = std::function<CaseContents(const QString& path)>;
    static void registerEngine(TableWriter writer, TableReader reader);

    // The layout name of a case file, as StoreInfo::layout says it.
    static QString layoutName() { return QStringLiteral("eventscope-case"); }

    // Throws StoreError (BadAddress for a target that exists without overwrite, or is the store's own file;
    // Cancelled). No file is left behind unless it succeeds.
    static ExportResult write(EventStore& store, const CaseOptions& options, const Exporter::ProgressFn& progress = {},
        const std::atomic<bool>* cancel = nullptr);
    // The contents of a case file (a path or sqlite:// address). Throws StoreError.
    static CaseContents read(const QString& address);

    // Keeps the reducer a ReducerCatalog key names in *contents: a merge reducer by its key, a JavaScript reducer (a
    // compiled-in sample or a file) by its file name and source. False and *error when the source cannot be read.
    static bool takeReducer(const QString& key, CaseContents* contents, QString* error = nullptr);
    // The ReducerCatalog key for a case's reducer: a merge key as it is, or a JavaScript reducer's source put (once)
    // in the user's cache folder under its name, never in the case file's folder nor the user's reducers. Empty when
    // the case has no reducer or the cache folder cannot be written (*error).
    static QString reducerKey(const CaseContents& contents, QString* error = nullptr);
};

} // namespace es

Q_DECLARE_METATYPE(es::CaseContents)
