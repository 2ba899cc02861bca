#pragma once

// The Emmett SQLite fixture of the reconciliation tests (core and CLI): six accounts written as emmett-sqlite appends
// them, and a read-model table beside them with planted faults.

#include "test_fold_support.h"
#include "testutils.h"

#include <QTemporaryDir>

#include <vector>

namespace es::test {

// An account as the demo's accounts.js reducer folds it: opened, then deposits (+) and withdrawals (-).
inline std::vector<FixtureEvent> account(
    const char* id, const char* owner, const std::vector<qint64>& amounts, qint64 startMs)
{
    std::vector<FixtureEvent> out;
    out.push_back({ "AccountOpened",
        QByteArray("{\"accountId\": \"") + id + "\", \"owner\": \"" + owner
            + "\", \"kind\": \"checking\", \"currency\": \"EUR\"}",
        startMs });
    qint64 t = startMs;
    for (const qint64 a : amounts) {
        t += 60000;
        out.push_back({ a >= 0 ? QByteArray("FundsDeposited") : QByteArray("FundsWithdrawn"),
            "{\"amount\": " + QByteArray::number(a >= 0 ? a : -a) + "}", t });
    }
    return out;
}

// Six accounts written as emmett-sqlite appends them (global positions 1-5, 6-10, 11-15, 16-20, 21-25, 26-27), and
// a summary table beside them, written as an Emmett SQLite projection's SQL writes it, with planted faults.
struct EmmettAccounts {
    QTemporaryDir dir;
    QString path;
    EmmettAccounts()
    {
        path = dir.filePath(QStringLiteral("accounts.sqlite"));
        const qint64 hour = 3600000;
        writeEmmettStream(path, "account-1", account("A1", "Ann", { 100, 50, -30, 10 }, fixtureStartMs));
        writeEmmettStream(path, "account-2", account("A2", "Bob", { 200, -50, 25, 5 }, fixtureStartMs + hour));
        writeEmmettStream(path, "account-3", account("A3", "Cy", { 10, 20, 30, 40 }, fixtureStartMs + 2 * hour));
        writeEmmettStream(path, "account-4", account("A4", "Di", { 5, 5, 5, 5 }, fixtureStartMs + 3 * hour));
        writeEmmettStream(path, "account-5", account("A5", "Ed", { 1, 2, 3, 4 }, fixtureStartMs + 4 * hour));
        writeEmmettStream(path, "account-6", account("A6", "Flo", { 7 }, fixtureStartMs + 5 * hour));
        execSqlite(path,
            QStringLiteral(
                "CREATE TABLE account_summaries (id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC NOT NULL, "
                "transactions INTEGER NOT NULL, opened_at DATETIME NOT NULL, status TEXT NOT NULL, closed_at TEXT);"
                "INSERT INTO account_summaries VALUES ('account-1', 'Ann', 130, 4, '2024-03-04 00:00:00', 'open', "
                "NULL);"
                // lost its last two events
                "INSERT INTO account_summaries VALUES ('account-2', 'Bob', 150, 2, '2024-03-04 01:00:00', 'open', "
                "NULL);"
                // a wrong value no version ever had
                "INSERT INTO account_summaries VALUES ('account-3', 'Cy', 999, 4, '2024-03-04 02:00:00', 'open', NULL);"
                // account-4 has no row; account-5 lags behind the checkpoint (at its version 3)
                "INSERT INTO account_summaries VALUES ('account-5', 'Ed', 3, 2, '2024-03-04 04:00:00', 'open', NULL);"
                // a row with no stream
                "INSERT INTO account_summaries VALUES ('account-9', 'Gus', 0, 0, '2024-03-04 09:00:00', 'open', NULL);"
                // the projection's checkpoint, as Emmett's processors keep it (0.42: the position padded to 19)
                "INSERT INTO emt_processors (processor_id, version, partition, status, last_processed_checkpoint) "
                "VALUES ('account-summaries', 1, 'emt:default', 'running', '0000000000000000023');"));
    }
};

} // namespace es::test
