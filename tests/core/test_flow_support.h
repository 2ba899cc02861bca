#pragma once

// Transfers written the way each client writes them, for the flow tests (core and cli): four transfers started by
// TransferRequested — two complete, one stuck after the withdrawal, one failed — plus an unrelated event and an
// audit record caused by a completion under another correlation id.

#include "test_sqlite_support.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace es::test::flows {

struct Row {
    const char* stream;
    const char* type;
    const char* correlation;
    const char* causation; // Emmett: an id Emmett gave an earlier message ("<stream>-msg-<n>"), or a command id
    const char* created; // UTC, as Emmett's CURRENT_TIMESTAMP writes it
};

// Positions 1..15 in order.
inline const std::vector<Row>& emmettRows()
{
    static const std::vector<Row> rows {
        { "transfer-1", "TransferRequested", "corr-1", "cmd-1", "2024-06-01 10:00:00" },
        { "account-A", "MoneyWithdrawn", "corr-1", "transfer-1-msg-1", "2024-06-01 10:00:01" },
        { "account-C", "AccountOpened", "corr-x", "cmd-x", "2024-06-01 10:00:02" },
        { "account-B", "MoneyDeposited", "corr-1", "account-A-msg-1", "2024-06-01 10:00:03" },
        { "transfer-1", "TransferCompleted", "corr-1", "account-B-msg-1", "2024-06-01 10:00:06" },
        { "audit-1", "AuditRecorded", "audit-7", "transfer-1-msg-2", "2024-06-01 10:00:07" },
        { "transfer-2", "TransferRequested", "corr-2", "cmd-2", "2024-06-01 10:10:00" },
        { "account-A", "MoneyWithdrawn", "corr-2", "transfer-2-msg-1", "2024-06-01 10:10:01" },
        { "transfer-3", "TransferRequested", "corr-3", "cmd-3", "2024-06-01 10:20:00" },
        { "account-A", "MoneyWithdrawn", "corr-3", "transfer-3-msg-1", "2024-06-01 10:20:02" },
        { "account-B", "MoneyDeposited", "corr-3", "account-A-msg-3", "2024-06-01 10:20:04" },
        { "transfer-3", "TransferCompleted", "corr-3", "account-B-msg-2", "2024-06-01 10:20:10" },
        { "transfer-4", "TransferRequested", "corr-4", "cmd-4", "2024-06-01 10:28:00" },
        { "account-A", "MoneyWithdrawn", "corr-4", "transfer-4-msg-1", "2024-06-01 10:28:01" },
        { "transfer-4", "TransferFailed", "corr-4", "account-A-msg-4", "2024-06-01 10:28:02" },
    };
    return rows;
}

// Emmett SQLite, appended one message per append through EmmettWriter (Emmett's appendToStream).
inline QString writeEmmett(const QString& path)
{
    EmmettWriter w(path);
    for (const Row& r : emmettRows()) {
        EmmettWriter::Message m { QString::fromUtf8(r.type), R"({"amount":10})", {}, QString::fromUtf8(r.created) };
        w.append(QString::fromUtf8(r.stream), { m }, QString::fromUtf8(r.correlation), QString::fromUtf8(r.causation));
    }
    return path;
}

// The same appends against Emmett's PostgreSQL tables (tests/fixtures/layouts/emmett.sql), as appendToStream.ts
// issues them: the stream row upserted, then the message with the next global position and its transaction id.
inline QString emmettPgSql()
{
    QString sql;
    QHash<QString, int> versions;
    for (const Row& r : emmettRows()) {
        const QString stream = QString::fromUtf8(r.stream);
        const int version = ++versions[stream];
        const QString id = QStringLiteral("%1-msg-%2").arg(stream).arg(version);
        sql += QStringLiteral(
            "BEGIN;\n"
            "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata) VALUES "
            "('%1', %2, 'emt:default', '%3', '{}') ON CONFLICT (stream_id, partition, is_archived) DO UPDATE SET "
            "stream_position = EXCLUDED.stream_position;\n"
            "INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, message_metadata, "
            "message_schema_version, message_type, message_kind, message_id, transaction_id, created) VALUES ('%1', "
            "%2, 'emt:default', '{\"amount\": 10}', '{\"streamName\": \"%1\", \"messageId\": \"%4\", "
            "\"streamPosition\": %2, \"correlationId\": \"%5\", \"causationId\": \"%6\"}', '0', '%7', 'E', '%4', "
            "pg_current_xact_id(), '%8+00');\nCOMMIT;\n")
                   .arg(stream)
                   .arg(version)
                   .arg(stream.section(u'-', 0, 0), id, QString::fromUtf8(r.correlation),
                       QString::fromUtf8(r.causation), QString::fromUtf8(r.type), QString::fromUtf8(r.created));
    }
    return sql;
}

} // namespace es::test::flows
