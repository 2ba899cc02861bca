#pragma once

#include "sql/emmettschema.h"

// Writes fixture stores the way the real clients write them (DDL and statements taken from their sources).

#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QVariant>

#include <sqlite3.h>
#include <stdexcept>
#include <string>

namespace es::test {

class Db {
public:
    explicit Db(const QString& path)
    {
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
            != SQLITE_OK)
            throw std::runtime_error("cannot open " + path.toStdString());
        sqlite3_busy_timeout(m_db, 5000);
    }
    ~Db() { sqlite3_close_v2(m_db); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(const QString& sql, const QVariantList& values = {})
    {
        sqlite3_stmt* stmt = nullptr;
        const QByteArray utf8 = sql.toUtf8();
        if (sqlite3_prepare_v2(m_db, utf8.constData(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(m_db) + " in " + utf8.toStdString());
        int i = 1;
        for (const QVariant& v : values) {
            switch (v.typeId()) {
            case QMetaType::UnknownType:
                sqlite3_bind_null(stmt, i);
                break;
            case QMetaType::Int:
            case QMetaType::LongLong:
            case QMetaType::Bool:
                sqlite3_bind_int64(stmt, i, v.toLongLong());
                break;
            case QMetaType::Double:
                sqlite3_bind_double(stmt, i, v.toDouble());
                break;
            case QMetaType::QByteArray: {
                const QByteArray b = v.toByteArray();
                sqlite3_bind_blob(stmt, i, b.constData(), int(b.size()), SQLITE_TRANSIENT);
                break;
            }
            default: {
                const QByteArray s = v.toString().toUtf8();
                sqlite3_bind_text(stmt, i, s.constData(), int(s.size()), SQLITE_TRANSIENT);
            }
            }
            ++i;
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) { }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE)
            throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(m_db) + " in " + utf8.toStdString());
    }
    qint64 scalar(const QString& sql)
    {
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &stmt, nullptr);
        qint64 v = -1;
        if (sqlite3_step(stmt) == SQLITE_ROW)
            v = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return v;
    }

private:
    sqlite3* m_db = nullptr;
};

// Emmett's SQLite event store: DDL from emmett-sqlite schema/tables.ts, appends as in schema/appendToStream.ts
// (stream row inserted or its position bumped, then the messages, in one transaction).
class EmmettWriter {
public:
    explicit EmmettWriter(const QString& path, bool wal = false)
        : m_db(path)
    {
        if (wal)
            m_db.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        m_db.exec(QStringLiteral("BEGIN"));
        for (const char* ddl : emmett::sqliteSchema)
            m_db.exec(QString::fromUtf8(ddl));
        m_db.exec(QStringLiteral("COMMIT"));
    }

    struct Message {
        QString type;
        QByteArray data; // JSON text as the client serialises it
        QJsonObject extraMetadata = {};
        QString created = {}; // empty: the column default (CURRENT_TIMESTAMP)
        QByteArray rawMetadata = {}; // replaces the metadata the client would build (bad-input tests)
        bool command = false;
        bool rawBytes = false; // store data as a BLOB of these bytes (bad-input tests)
    };

    // Returns the global position of the last message.
    qint64 append(const QString& streamId, const std::vector<Message>& messages, const QString& correlationId = {},
        const QString& causationId = {})
    {
        m_db.exec(QStringLiteral("BEGIN IMMEDIATE"));
        const qint64 current = streamPosition(streamId);
        const QString partition = QStringLiteral("emt:default");
        if (current == 0) {
            m_db.exec(QStringLiteral("INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, "
                                     "stream_metadata, is_archived) VALUES (?, ?, ?, ?, '[]', false)"),
                { streamId, qint64(messages.size()), partition, streamId.section(u'-', 0, 0) });
        } else {
            m_db.exec(QStringLiteral("UPDATE emt_streams SET stream_position = stream_position + ? WHERE stream_id = ? "
                                     "AND stream_position = ? AND partition = ? AND is_archived = false"),
                { qint64(messages.size()), streamId, current, partition });
        }
        qint64 i = 0;
        for (const Message& m : messages) {
            ++i;
            const QString messageId = QStringLiteral("%1-msg-%2").arg(streamId).arg(current + i);
            QJsonObject meta { { QStringLiteral("streamName"), streamId }, { QStringLiteral("messageId"), messageId },
                { QStringLiteral("streamPosition"), current + i } };
            if (!correlationId.isEmpty())
                meta.insert(QStringLiteral("correlationId"), correlationId);
            if (!causationId.isEmpty())
                meta.insert(QStringLiteral("causationId"), causationId);
            for (auto it = m.extraMetadata.begin(); it != m.extraMetadata.end(); ++it)
                meta.insert(it.key(), it.value());
            const QByteArray metaText
                = m.rawMetadata.isNull() ? QJsonDocument(meta).toJson(QJsonDocument::Compact) : m.rawMetadata;
            QString sql
                = QStringLiteral("INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, "
                                 "message_data, message_metadata, message_schema_version, message_type, "
                                 "message_id, is_archived%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?%2)");
            QVariantList values { streamId, current + i, partition,
                m.command ? QStringLiteral("C") : QStringLiteral("E"), QString::fromUtf8(m.data),
                QString::fromUtf8(metaText), current, m.type, messageId, 0 };
            if (m.created.isEmpty()) {
                sql = sql.arg(QString(), QString());
            } else {
                sql = sql.arg(QStringLiteral(", created"), QStringLiteral(", ?"));
                values.append(m.created);
            }
            if (m.rawBytes)
                values[4] = m.data;
            m_db.exec(sql, values);
        }
        m_db.exec(QStringLiteral("COMMIT"));
        return m_db.scalar(QStringLiteral("SELECT max(global_position) FROM emt_messages"));
    }

    qint64 streamPosition(const QString& streamId)
    {
        QString escaped = streamId;
        escaped.replace(QLatin1String("'"), QLatin1String("''"));
        const qint64 v = m_db.scalar(
            QStringLiteral("SELECT stream_position FROM emt_streams WHERE stream_id = '%1'").arg(escaped));
        return v < 0 ? 0 : v;
    }

    Db& db() { return m_db; }

private:
    Db m_db;
};

inline QByteArray fileDigest(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace es::test
