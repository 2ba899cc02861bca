#include "samplewriter.h"

#include "eventstore.h"
#include "sampledomain.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <sqlite3.h>

#include <cstdio>

#include <unistd.h>

namespace es {

namespace {

// The Emmett SQLite schema as emmett-sqlite creates it: event-driven-io/emmett,
// src/packages/emmett-sqlite/src/eventStore/schema/tables.ts (0.43), with typing.ts's tags substituted
// ('global' column defaults). Kept verbatim so the file is what a real Emmett application leaves on disk.
constexpr const char* emmettSchema[] = {
    R"(CREATE TABLE IF NOT EXISTS emt_streams(
      stream_id         TEXT                      NOT NULL,
      stream_position   BIGINT                    NOT NULL DEFAULT 0,
      partition         TEXT                      NOT NULL DEFAULT 'global',
      stream_type       TEXT                      NOT NULL,
      stream_metadata   JSONB                     NOT NULL,
      is_archived       BOOLEAN                   NOT NULL DEFAULT FALSE,
      PRIMARY KEY (stream_id, partition, is_archived),
      UNIQUE (stream_id, partition, is_archived)
  );)",
    R"(CREATE TABLE IF NOT EXISTS emt_messages(
      stream_id              TEXT                      NOT NULL,
      stream_position        BIGINT                    NOT NULL,
      partition              TEXT                      NOT NULL DEFAULT 'global',
      message_kind           CHAR(1)                   NOT NULL DEFAULT 'E',
      message_data           JSONB                     NOT NULL,
      message_metadata       JSONB                     NOT NULL,
      message_schema_version TEXT                      NOT NULL,
      message_type           TEXT                      NOT NULL,
      message_id             TEXT                      NOT NULL,
      is_archived            BOOLEAN                   NOT NULL DEFAULT FALSE,
      global_position        INTEGER                   PRIMARY KEY,
      created                DATETIME                  DEFAULT CURRENT_TIMESTAMP,
      UNIQUE (stream_id, stream_position, partition, is_archived)
  ); 
)",
    R"(
  CREATE TABLE IF NOT EXISTS emt_processors(
      processor_id                 TEXT                  NOT NULL,
      version                      INTEGER               NOT NULL DEFAULT 1,
      partition                    TEXT                  NOT NULL DEFAULT 'global',
      status                       TEXT                  NOT NULL DEFAULT 'stopped',
      last_processed_checkpoint    TEXT                  NOT NULL,
      processor_instance_id        TEXT                  DEFAULT 'emt:unknown',
      PRIMARY KEY (processor_id, partition, version)
  );
)",
    R"(
  CREATE TABLE IF NOT EXISTS emt_projections(
      name                         TEXT                  NOT NULL,
      version                      INTEGER               NOT NULL DEFAULT 1,
      partition                    TEXT                  NOT NULL DEFAULT 'global',
      type                         CHAR(1)               NOT NULL,
      kind                         TEXT                  NOT NULL,
      status                       TEXT                  NOT NULL,
      definition                   JSONB                 NOT NULL DEFAULT '{}',
      PRIMARY KEY (name, partition, version)
  );
)",
};

// appendToStream.ts writes rows with the partition defaultTag ('emt:default'), not the column default; since 0.43
// the streams table gets the same value.
constexpr const char* emmettPartition = "emt:default";

class SqliteWriter {
public:
    explicit SqliteWriter(const QString& path)
    {
        if (sqlite3_open_v2(
                QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
            != SQLITE_OK)
            fail(QStringLiteral("Cannot create %1").arg(path));
    }
    ~SqliteWriter()
    {
        for (sqlite3_stmt* s : m_statements)
            sqlite3_finalize(s);
        sqlite3_close(m_db);
    }
    SqliteWriter(const SqliteWriter&) = delete;
    SqliteWriter& operator=(const SqliteWriter&) = delete;

    void exec(const char* sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const QString text = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
            sqlite3_free(message);
            throw StoreError(QStringLiteral("SQLite: %1").arg(text));
        }
    }
    sqlite3_stmt* prepare(const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            fail(QStringLiteral("Cannot prepare a statement"));
        m_statements.push_back(s);
        return s;
    }
    void run(sqlite3_stmt* s)
    {
        if (sqlite3_step(s) != SQLITE_DONE)
            fail(QStringLiteral("Cannot write"));
        sqlite3_reset(s);
    }
    qint64 queryInt(const char* sql)
    {
        sqlite3_stmt* s = prepare(sql);
        const qint64 value = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        return value;
    }
    [[noreturn]] void fail(const QString& what)
    {
        throw StoreError(QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db))));
    }

private:
    sqlite3* m_db = nullptr;
    std::vector<sqlite3_stmt*> m_statements;
};

void bindText(sqlite3_stmt* s, int column, const QByteArray& text)
{
    sqlite3_bind_text(s, column, text.constData(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bindText(sqlite3_stmt* s, int column, const char* text)
{
    sqlite3_bind_text(s, column, text, -1, SQLITE_STATIC);
}

// What CURRENT_TIMESTAMP writes: 'YYYY-MM-DD HH:MM:SS', UTC.
void formatSqliteTime(qint64 unixSeconds, char* out)
{
    qint64 days = unixSeconds / 86400;
    qint64 rest = unixSeconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 doe = days - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    std::snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", static_cast<int>(year), static_cast<int>(month),
        static_cast<int>(day), static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
        static_cast<int>(rest % 60));
}

// message_metadata as appendToStream.ts builds it: streamName, messageId, streamPosition (the index within the
// append, 1-based, a bigint serialised as a string by Emmett's JSON serializer), correlationId, causationId, then the
// application's own keys. traceId/spanId are undefined without tracing and so omitted by JSON.stringify.
void buildMetadata(QByteArray& out, const SampleEvent& e)
{
    out.clear();
    out.append("{\"streamName\":\"").append(e.stream);
    out.append("\",\"messageId\":\"").append(e.messageId);
    out.append("\",\"streamPosition\":\"").append(QByteArray::number(e.appendIndex));
    out.append("\",\"correlationId\":\"").append(e.correlationId);
    out.append("\",\"causationId\":\"").append(e.causationId);
    out.append("\",\"userId\":\"").append(e.userId);
    out.append("\",\"tenant\":\"").append(e.tenant);
    out.append("\"}");
}

QString checkpoint(qint64 position)
{
    // Emmett 0.42+ SQLite checkpoint text: the global position left-padded with zeros to 19 digits.
    return QStringLiteral("%1").arg(position, 19, 10, QLatin1Char('0'));
}

void writeEmmett(SqliteWriter& db, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    // Bulk-load settings; the file is private until renamed into place, so durability during the load buys nothing.
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
            "PRAGMA cache_size=-65536;");
    db.exec("BEGIN");
    for (const char* ddl : emmettSchema)
        db.exec(ddl);

    sqlite3_stmt* insert
        = db.prepare("INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
                     "message_metadata, message_schema_version, message_type, message_id, is_archived, created) "
                     "VALUES (?1, ?2, ?3, 'E', ?4, ?5, ?6, ?7, ?8, 0, ?9)");
    bindText(insert, 3, emmettPartition);

    SampleDomain domain(options.seed, options.events);
    SampleEvent e;
    QByteArray metadata;
    QByteArray schemaVersion;
    char created[32] = {};
    qint64 createdSecond = -1;
    constexpr qint64 progressEvery = 16384;
    constexpr qint64 commitEvery = 1000000;
    while (domain.next(e)) {
        buildMetadata(metadata, e);
        // appendToStream.ts stores the stream's expected version (its position before the append) in this column.
        schemaVersion = QByteArray::number(e.appendBase);
        const qint64 second = e.timeMs / 1000;
        if (second != createdSecond) {
            formatSqliteTime(second, created);
            createdSecond = second;
        }
        bindText(insert, 1, e.stream);
        sqlite3_bind_int64(insert, 2, e.version);
        bindText(insert, 4, e.data);
        bindText(insert, 5, metadata);
        bindText(insert, 6, schemaVersion);
        bindText(insert, 7, e.type);
        bindText(insert, 8, e.messageId);
        sqlite3_bind_text(insert, 9, created, 19, SQLITE_STATIC);
        db.run(insert);

        const qint64 done = domain.produced();
        if (done % progressEvery == 0 && progress && !progress(done, options.events))
            throw StoreError(QStringLiteral("Cancelled."), StoreError::Kind::Cancelled);
        if (done % commitEvery == 0)
            db.exec("COMMIT; BEGIN");
    }

    // One row per stream as appendToStream.ts leaves it after the last append: stream_position = the last position,
    // stream_type = the name before the first '-' (SQLiteEventStore.ts), or 'emt:unknown' without one.
    sqlite3_stmt* streams = db.prepare(
        "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived) "
        "SELECT stream_id, MAX(stream_position), ?1, "
        "CASE WHEN instr(stream_id, '-') > 1 THEN substr(stream_id, 1, instr(stream_id, '-') - 1) "
        "ELSE 'emt:unknown' END, '[]', 0 FROM emt_messages GROUP BY stream_id");
    bindText(streams, 1, emmettPartition);
    db.run(streams);

    const qint64 head = db.queryInt("SELECT COALESCE(MAX(global_position), 0) FROM emt_messages");
    struct Processor {
        const char* id;
        const char* status;
        qint64 position;
    };
    // Projections at different checkpoints; the reporting export stalled long ago.
    const Processor processors[] = {
        { "account-balances", "running", head },
        { "order-history", "running", head - head / 400 },
        { "shipment-tracking", "running", head - head / 40 },
        { "reporting-export", "running", head * 3 / 10 },
    };
    SampleRandom random(options.seed ^ 0x5eedULL);
    sqlite3_stmt* processor
        = db.prepare("INSERT INTO emt_processors (processor_id, version, partition, status, last_processed_checkpoint, "
                     "processor_instance_id) VALUES (?1, 1, ?2, ?3, ?4, ?5)");
    for (const Processor& p : processors) {
        const QByteArray position = checkpoint(std::max<qint64>(0, p.position)).toLatin1();
        const QByteArray instance = random.uuid7(SampleDomain::startTimeMs + SampleDomain::spanMs);
        bindText(processor, 1, p.id);
        bindText(processor, 2, emmettPartition);
        bindText(processor, 3, p.status);
        bindText(processor, 4, position);
        bindText(processor, 5, instance);
        db.run(processor);
    }
    db.exec("COMMIT");
    db.exec("PRAGMA journal_mode=DELETE");
    if (progress)
        progress(options.events, options.events);
}

} // namespace

QStringList sampleLayouts()
{
    return { QStringLiteral("emmett") };
}

void writeSampleStore(
    const QString& path, const SampleOptions& options, const std::function<bool(qint64, qint64)>& progress)
{
    if (!sampleLayouts().contains(options.layout))
        throw StoreError(QStringLiteral("Cannot write a sample store in layout \"%1\" (available: %2).")
                             .arg(options.layout, sampleLayouts().join(QStringLiteral(", "))),
            StoreError::Kind::UnknownLayout);
    if (options.events < 1)
        throw StoreError(QStringLiteral("A sample store needs at least one event."));
    const QFileInfo target(path);
    if (target.exists() || target.isSymLink())
        throw StoreError(QStringLiteral("%1 already exists; the sample writer only creates new files.").arg(path),
            StoreError::Kind::BadAddress);
    const QDir folder = target.absoluteDir();
    if (!folder.exists())
        throw StoreError(
            QStringLiteral("The folder %1 does not exist.").arg(folder.path()), StoreError::Kind::BadAddress);

    QString temp;
    for (int i = 0; temp.isEmpty() || QFileInfo::exists(temp); ++i)
        temp = folder.filePath(QStringLiteral(".%1.partial-%2-%3").arg(target.fileName()).arg(::getpid()).arg(i));

    auto removeTemp = [&temp] {
        QFile::remove(temp);
        QFile::remove(temp + QStringLiteral("-journal"));
    };
    try {
        SqliteWriter db(temp);
        writeEmmett(db, options, progress);
    } catch (...) {
        removeTemp();
        throw;
    }
    // QFile::rename never replaces an existing file, so a file created meanwhile is kept.
    if (!QFile::rename(temp, target.absoluteFilePath())) {
        removeTemp();
        throw StoreError(QStringLiteral("Cannot move the new store to %1.").arg(path), StoreError::Kind::BadAddress);
    }
}

} // namespace es
