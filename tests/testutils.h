#pragma once

#include "testconfig.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>

namespace es::test {

// A temporary folder that lives for one test.
QString tempPath(const QTemporaryDir& dir, const QString& name);

// Runs a program to completion; returns its exit code and fills stdout/stderr.
int runProcess(const QString& program, const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr,
    int timeoutMs = 120000);

// Runs SQL statements on a new SQLite file the way a client would (read-write, one transaction).
void execSqlite(const QString& path, const QString& sql);

// Spins the event loop until pred() holds or timeoutMs passes; returns pred().
bool waitFor(const std::function<bool()>& pred, int timeoutMs = 10000);

// The address of the test PostgreSQL server (ES_TEST_PG), empty when none runs.
QString postgresAddress();

} // namespace es::test
