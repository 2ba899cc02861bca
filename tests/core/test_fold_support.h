#pragma once

#include "sql/emmettschema.h"

// Fixture stores for the fold and timeline tests, written the way emmett-sqlite writes them
// (event-driven-io/emmett src/packages/emmett-sqlite/src/eventStore/schema/{tables,appendToStream}.ts).

#include "store/storeregistry.h"
#include "testconfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QUuid>

#include <memory>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace es::test {

class FoldDb {
public:
    explicit FoldDb(const QString& path, bool write = false)
    {
        const int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, flags, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path.toStdString());
    }
    ~FoldDb() { sqlite3_close_v2(m_db); }
    FoldDb(const FoldDb&) = delete;
    FoldDb& operator=(const FoldDb&) = delete;

    sqlite3_stmt* prepare(const char* sql)
    {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(m_db, sql, -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(m_db));
        return stmt;
    }
    void exec(const char* sql)
    {
        char* msg = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            const std::string error = msg ? msg : "?";
            sqlite3_free(msg);
            throw std::runtime_error("sqlite: " + error);
        }
    }
    // First column of the first row, as text; binds `arg` to ?1 when given.
    QByteArray text(const char* sql, const QByteArray& arg = {}, qint64 arg2 = -1)
    {
        sqlite3_stmt* stmt = prepare(sql);
        if (!arg.isNull())
            sqlite3_bind_text(stmt, 1, arg.constData(), int(arg.size()), SQLITE_TRANSIENT);
        if (arg2 >= 0)
            sqlite3_bind_int64(stmt, 2, arg2);
        QByteArray out;
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
            out = QByteArray(
                reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), sqlite3_column_bytes(stmt, 0));
        sqlite3_finalize(stmt);
        return out;
    }
    qint64 integer(const char* sql, const QByteArray& arg = {}, qint64 arg2 = -1)
    {
        return text(sql, arg, arg2).toLongLong();
    }

private:
    sqlite3* m_db = nullptr;
};

struct FixtureEvent {
    QByteArray type;
    QByteArray data; // stored as is: JSON text, or anything else
    qint64 timeMs = 0;
};

// One stream in a new Emmett SQLite store, one append per event.
inline void writeEmmettStream(const QString& path, const QByteArray& stream, const std::vector<FixtureEvent>& events)
{
    FoldDb db(path, true);
    db.exec("PRAGMA journal_mode=WAL; BEGIN;");
    for (const char* ddl : emmett::sqliteSchema)
        db.exec(ddl);
    sqlite3_stmt* insert
        = db.prepare("INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
                     "message_metadata, message_schema_version, message_type, message_id, is_archived, created) "
                     "VALUES (?1, ?2, 'emt:default', 'E', ?3, ?4, ?5, ?6, ?7, 0, ?8)");
    qint64 version = 0;
    for (const auto& e : events) {
        const QByteArray id = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        const QByteArray metadata
            = "{\"streamName\":\"" + stream + "\",\"messageId\":\"" + id + "\",\"streamPosition\":\"1\"}";
        const QByteArray created = QDateTime::fromMSecsSinceEpoch(e.timeMs, QTimeZone::utc())
                                       .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                       .toLatin1();
        const QByteArray schemaVersion = QByteArray::number(version);
        ++version;
        sqlite3_bind_text(insert, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 2, version);
        sqlite3_bind_text(insert, 3, e.data.constData(), int(e.data.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, metadata.constData(), int(metadata.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, schemaVersion.constData(), int(schemaVersion.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 6, e.type.constData(), int(e.type.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 7, id.constData(), int(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 8, created.constData(), int(created.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(insert) != SQLITE_DONE)
            throw std::runtime_error("insert failed");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_stmt* streamRow = db.prepare("INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                                         "stream_metadata, is_archived) VALUES (?1, ?2, 'emt:default', ?3, '[]', 0)");
    sqlite3_bind_text(streamRow, 1, stream.constData(), int(stream.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(streamRow, 2, version);
    const QByteArray type = stream.left(stream.indexOf('-'));
    sqlite3_bind_text(streamRow, 3, type.constData(), int(type.size()), SQLITE_TRANSIENT);
    sqlite3_step(streamRow);
    sqlite3_finalize(streamRow);
    db.exec("COMMIT;");
}

inline QString reducerPath(const char* name)
{
    return QStringLiteral(ES_SOURCE_DIR "/resources/reducers/") + QLatin1String(name);
}

constexpr qint64 fixtureStartMs = 1709510400000; // 2024-03-04 00:00:00 UTC

// A ledger: deposits and withdrawals with data.amount, one minute apart.
inline std::vector<FixtureEvent> ledger(const std::vector<qint64>& amounts)
{
    std::vector<FixtureEvent> out;
    qint64 t = fixtureStartMs;
    for (const qint64 a : amounts) {
        out.push_back({ a >= 0 ? QByteArray("FundsDeposited") : QByteArray("FundsWithdrawn"),
            "{\"amount\": " + QByteArray::number(a >= 0 ? a : -a) + ", \"note\": {\"n\": " + QByteArray::number(a)
                + "}}",
            t });
        t += 60000;
    }
    return out;
}

// One stream, account-1, written as Emmett writes it into a temporary SQLite store, and its events read back.
struct StreamStore {
    QTemporaryDir dir;
    std::unique_ptr<EventStore> store;
    EventList events;
    explicit StreamStore(const std::vector<FixtureEvent>& fixture)
    {
        const QString path = dir.filePath(QStringLiteral("stream.sqlite"));
        writeEmmettStream(path, "account-1", fixture);
        store = StoreRegistry::open(path);
        EventQuery q;
        q.filter.stream = QStringLiteral("account-1");
        q.limit = 100000;
        events = store->events(q).events;
    }
};

} // namespace es::test
