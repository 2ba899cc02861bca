#pragma once

// Emmett SQLite stores for the model tests, written the way Emmett's appendToStream writes them
// (see connectors/samplewriter.cpp for the column-by-column notes).

#include "sql/emmettschema.h"
#include "testutils.h"

#include <QDateTime>
#include <QString>
#include <QTimeZone>

#include <vector>

namespace es::test::emmett {

// The Emmett tables, as the sample writer and the sqlite export create them.
inline QString ddl()
{
    QString sql;
    for (const char* statement : es::emmett::sqliteSchema)
        sql += QLatin1String(statement) + u'\n';
    return sql;
}

// Event i (0-based) goes to stream i % streams with version i / streams + 1 and gets global position i + 1.
// Streams s with s % archiveEvery == 1 are archived (hidden by the profile), which leaves gaps in positions.
struct Spec {
    int events = 0;
    int streams = 100;
    int archiveEvery = 0;
    int firstEvent = 0; // for appends: the index of the first event written
    int emptyTypeEvery = 0; // events i with i % emptyTypeEvery == 5 get an empty type (Emmett does not refuse one)

    static QString category(int s)
    {
        static const char* const names[] = { "order", "account", "shipment", "reorder" };
        return QLatin1String(names[s % 4]);
    }
    QString streamOf(int i) const
    {
        const int s = i % streams;
        return category(s) + QStringLiteral("-%1").arg(s, 5, 10, QLatin1Char('0'));
    }
    qint64 versionOf(int i) const { return i / streams + 1; }
    QString typeOf(int i) const
    {
        static const char* const types[] = { "OrderPlaced", "OrderPaid", "ItemAdded", "OrderShipped" };
        if (emptyTypeEvery > 0 && i % emptyTypeEvery == 5)
            return QString();
        return QLatin1String(types[i % 4]);
    }
    static QDateTime timeOf(int i)
    {
        return QDateTime(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::utc()).addSecs(qint64(i) * 60);
    }
    bool archived(int i) const { return archiveEvery > 0 && (i % streams) % archiveEvery == 1; }
    // Indexes of the events the profile shows, in position order.
    std::vector<int> visible() const
    {
        std::vector<int> out;
        for (int i = 0; i < firstEvent + events; ++i) {
            if (!archived(i))
                out.push_back(i);
        }
        return out;
    }

    // Placeholders are {NAME} rather than %N: the SQL is full of printf/strftime percent signs.
    QString insertSql() const
    {
        QString stream = QStringLiteral(
            "(CASE (i % {S}) % 4 WHEN 0 THEN 'order' WHEN 1 THEN 'account' WHEN 2 THEN 'shipment' ELSE 'reorder' END "
            "|| '-' || printf('%05d', i % {S}))");
        QString archivedExpr = archiveEvery > 0 ? QStringLiteral("CASE WHEN (i % {S}) % {A} = 1 THEN 1 ELSE 0 END")
                                                : QStringLiteral("0");
        QString sql = QStringLiteral(
            "WITH RECURSIVE n(i) AS (SELECT {FIRST} UNION ALL SELECT i + 1 FROM n WHERE i < {LAST})\n"
            "INSERT INTO emt_messages(stream_id, stream_position, partition, message_kind, message_data, "
            "message_metadata, message_schema_version, message_type, message_id, is_archived, global_position, "
            "created)\n"
            "SELECT {STREAM}, i / {S} + 1, 'global', 'E', json_object('seq', i, 'amount', i % 1000), "
            "json_object('streamName', {STREAM}, 'messageId', printf('%08x-0000-4000-8000-%012x', i, i), "
            "'streamPosition', '1', 'correlationId', 'c-' || (i / 7), 'causationId', "
            "printf('%08x-0000-4000-8000-%012x', "
            "i - 1, i - 1)), CAST(i / {S} AS TEXT), "
            "CASE WHEN {E} > 0 AND i % {E} = 5 THEN '' WHEN i % 4 = 0 THEN 'OrderPlaced' WHEN i % 4 = 1 THEN "
            "'OrderPaid' "
            "WHEN i % 4 = 2 THEN 'ItemAdded' ELSE 'OrderShipped' END, printf('%08x-0000-4000-8000-%012x', i, i), "
            "{ARCHIVED}, i + 1, "
            "strftime('%Y-%m-%d %H:%M:%S', 1704067200 + i * 60, 'unixepoch') FROM n;\n");
        sql.replace(QStringLiteral("{STREAM}"), stream);
        sql.replace(QStringLiteral("{ARCHIVED}"), archivedExpr);
        sql.replace(QStringLiteral("{FIRST}"), QString::number(firstEvent));
        sql.replace(QStringLiteral("{LAST}"), QString::number(firstEvent + events - 1));
        sql.replace(QStringLiteral("{S}"), QString::number(streams));
        sql.replace(QStringLiteral("{A}"), QString::number(archiveEvery));
        sql.replace(QStringLiteral("{E}"), QString::number(emptyTypeEvery));
        return sql;
    }

    QString streamsSql() const
    {
        return QStringLiteral(
            "DELETE FROM emt_streams;\n"
            "INSERT INTO emt_streams(stream_id, stream_position, partition, stream_type, stream_metadata, is_archived) "
            "SELECT stream_id, MAX(stream_position), 'global', substr(stream_id, 1, instr(stream_id, '-') - 1), '[]', "
            "MAX(is_archived) FROM emt_messages GROUP BY stream_id ORDER BY MIN(global_position);\n");
    }
};

inline QString write(const QString& path, const Spec& spec)
{
    execSqlite(path, ddl() + spec.insertSql() + spec.streamsSql());
    return path;
}

// Appends spec.events more events starting at spec.firstEvent, as a writer would while the store is open.
inline void append(const QString& path, const Spec& spec)
{
    execSqlite(path, spec.insertSql() + spec.streamsSql());
}

} // namespace es::test::emmett
