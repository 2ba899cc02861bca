#pragma once

#include "export/exporter.h"

#include <QHash>

#include <limits>
#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace es {

// The "sqlite" export format: a new store in the Emmett SQLite layout (connectors/emmettschema.h) holding the
// exported events with their global positions, stream versions, ids, times and payloads as they were, so EventScope
// (or Emmett) opens it again. JSON payloads are stored as text, text as text, binary as a BLOB; a missing payload
// becomes JSON null (the columns are NOT NULL), and a missing version continues the stream's numbering.
class SqliteExportSink : public ExportSink {
public:
    // path: a new, empty file (the exporter's temporary name). Throws StoreError.
    explicit SqliteExportSink(const QString& path);
    ~SqliteExportSink() override;
    SqliteExportSink(const SqliteExportSink&) = delete;
    SqliteExportSink& operator=(const SqliteExportSink&) = delete;

    void write(const Event& event) override;
    void finish() override;
    qint64 bytesWritten() const override { return m_bytes; }

    static void registerFormat();

private:
    void exec(const char* sql);
    [[noreturn]] void fail(const QString& what) const;

    QString m_path;
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_insert = nullptr;
    QHash<QString, qint64> m_lastVersion; // only for events without a version
    qint64 m_bytes = 0;
    qint64 m_rows = 0;
    qint64 m_createdSecond = std::numeric_limits<qint64>::min();
    QByteArray m_created;
};

} // namespace es
