#include "sqlite/sqliteexport.h"

#include "sql/emmettschema.h"

#include <QFile>
#include <QTimeZone>

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace es {

namespace {

// A full disk, a file size limit or a failing device: the same kind as the file sinks' write errors.
StoreError::Kind kindOf(sqlite3* db)
{
    switch (sqlite3_errcode(db)) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return StoreError::Kind::Io;
    default:
        return StoreError::Kind::Generic;
    }
}

} // namespace

SqliteExportSink::SqliteExportSink(const QString& path)
    : m_path(path)
{
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
        const QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StoreError(QStringLiteral("Cannot create %1: %2").arg(path, message), StoreError::Kind::BadAddress);
    }
    // The file is private until renamed into place, so durability during the load buys nothing.
    exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
         "PRAGMA cache_size=-65536; BEGIN");
    for (const char* ddl : emmett::sqliteSchema)
        exec(ddl);
    if (sqlite3_prepare_v3(m_db,
            "INSERT INTO emt_messages (global_position, stream_id, stream_position, partition, message_kind, "
            "message_data, message_metadata, message_schema_version, message_type, message_id, is_archived, created) "
            "VALUES (?1, ?2, ?3, ?4, 'E', ?5, ?6, ?7, ?8, ?9, 0, ?10)",
            -1, SQLITE_PREPARE_PERSISTENT, &m_insert, nullptr)
        != SQLITE_OK)
        fail(QStringLiteral("Cannot prepare the insert"));
    sqlite3_bind_text(m_insert, 4, emmett::defaultPartition, -1, SQLITE_STATIC);
}

SqliteExportSink::~SqliteExportSink()
{
    sqlite3_finalize(m_insert);
    sqlite3_close(m_db);
}

void SqliteExportSink::exec(const char* sql)
{
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const QString text = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
        sqlite3_free(message);
        throw StoreError(QStringLiteral("SQLite export: %1").arg(text), kindOf(m_db));
    }
}

void SqliteExportSink::fail(const QString& what) const
{
    throw StoreError(
        QStringLiteral("SQLite export: %1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db))), kindOf(m_db));
}

namespace {

void bindPayload(sqlite3_stmt* s, int column, const Payload& p)
{
    switch (p.encoding) {
    case Payload::Encoding::Null:
        sqlite3_bind_text(s, column, "null", 4, SQLITE_STATIC);
        break;
    case Payload::Encoding::Json:
    case Payload::Encoding::Text:
        sqlite3_bind_text(s, column, p.bytes.constData(), int(p.bytes.size()), SQLITE_STATIC);
        break;
    case Payload::Encoding::Base64:
        sqlite3_bind_blob(s, column, p.bytes.constData(), int(p.bytes.size()), SQLITE_STATIC);
        break;
    }
}

} // namespace

void SqliteExportSink::write(const Event& e)
{
    if (e.position >= 0)
        sqlite3_bind_int64(m_insert, 1, e.position);
    else
        sqlite3_bind_null(m_insert, 1);
    const QByteArray stream = e.stream.toUtf8();
    sqlite3_bind_text(m_insert, 2, stream.constData(), int(stream.size()), SQLITE_STATIC);
    qint64 version = e.version;
    if (version < 0) {
        qint64& last = m_lastVersion[e.stream];
        version = ++last;
    }
    sqlite3_bind_int64(m_insert, 3, version);
    bindPayload(m_insert, 5, e.data);
    bindPayload(m_insert, 6, e.metadata);
    // appendToStream.ts keeps the stream's expected version (its position before the append) here.
    const QByteArray expected = QByteArray::number(std::max<qint64>(0, version - 1));
    sqlite3_bind_text(m_insert, 7, expected.constData(), int(expected.size()), SQLITE_STATIC);
    const QByteArray type = e.type.toUtf8();
    sqlite3_bind_text(m_insert, 8, type.constData(), int(type.size()), SQLITE_STATIC);
    const QByteArray id = e.id.toUtf8();
    sqlite3_bind_text(m_insert, 9, id.constData(), int(id.size()), SQLITE_STATIC);
    if (e.time.isValid()) {
        // CURRENT_TIMESTAMP's form, UTC, with milliseconds only when there are some.
        const qint64 ms = e.time.toMSecsSinceEpoch();
        const qint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
        if (second != m_createdSecond) {
            m_createdSecond = second;
            m_created = QDateTime::fromSecsSinceEpoch(second, QTimeZone::utc())
                            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                            .toLatin1();
        }
        const int fraction = int(ms - second * 1000);
        char text[40];
        int size = std::snprintf(text, sizeof text, "%s", m_created.constData());
        if (fraction != 0)
            size += std::snprintf(text + size, sizeof text - size_t(size), ".%03d", fraction);
        sqlite3_bind_text(m_insert, 10, text, size, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(m_insert, 10);
    }
    const int rc = sqlite3_step(m_insert);
    sqlite3_reset(m_insert);
    if (rc != SQLITE_DONE)
        fail(QStringLiteral("Cannot write event %1 of %2").arg(e.position).arg(e.stream));
    m_bytes += stream.size() + type.size() + id.size() + e.data.bytes.size() + e.metadata.bytes.size() + 48;
    if (++m_rows % 1000000 == 0)
        exec("COMMIT; BEGIN");
}

void SqliteExportSink::finish()
{
    // One row per stream as appendToStream.ts leaves it: stream_type is the name before the first '-'.
    sqlite3_stmt* streams = nullptr;
    if (sqlite3_prepare_v2(m_db,
            "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, "
            "is_archived) SELECT stream_id, MAX(stream_position), ?1, CASE WHEN instr(stream_id, '-') > 1 THEN "
            "substr(stream_id, 1, instr(stream_id, '-') - 1) ELSE 'emt:unknown' END, '[]', 0 FROM emt_messages "
            "GROUP BY stream_id",
            -1, &streams, nullptr)
        != SQLITE_OK)
        fail(QStringLiteral("Cannot prepare the stream rows"));
    sqlite3_bind_text(streams, 1, emmett::defaultPartition, -1, SQLITE_STATIC);
    const int rc = sqlite3_step(streams);
    sqlite3_finalize(streams);
    if (rc != SQLITE_DONE)
        fail(QStringLiteral("Cannot write the stream rows"));
    exec("COMMIT");
    exec("PRAGMA journal_mode=DELETE");
    sqlite3_finalize(m_insert);
    m_insert = nullptr;
    if (sqlite3_close(m_db) != SQLITE_OK)
        fail(QStringLiteral("Cannot close the export"));
    m_db = nullptr;
    // The load ran with synchronous=OFF: the file reaches the disk here, before the exporter renames it into place.
    const int fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const QString reason = QString::fromLocal8Bit(std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        throw StoreError(QStringLiteral("SQLite export: cannot sync %1: %2").arg(m_path, reason), StoreError::Kind::Io);
    }
    ::close(fd);
}

void SqliteExportSink::registerFormat()
{
    Exporter::registerFormat(
        QStringLiteral("sqlite"), [](const QString& path) { return std::make_unique<SqliteExportSink>(path); });
}

} // namespace es
