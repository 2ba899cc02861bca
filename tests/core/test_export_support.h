#pragma once

// Helpers for the export tests: run an export, read back what it wrote, and compare a CSV row with its event.

#include "core/event.h"
#include "export/exporter.h"
#include "store/eventstore.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

namespace es::test {

inline QByteArray readFile(const QString& path)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    return f.readAll();
}

inline QStringList filesIn(const QTemporaryDir& dir)
{
    return QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

// A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records.
inline std::vector<QStringList> parseCsv(const QByteArray& bytes)
{
    std::vector<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool quoted = false;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (quoted) {
            if (c == '"' && i + 1 < bytes.size() && bytes[i + 1] == '"') {
                field.append('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field.append(c);
            }
        } else if (c == '"') {
            REQUIRE(field.isEmpty());
            quoted = true;
        } else if (c == ',') {
            row.append(QString::fromUtf8(field));
            field.clear();
        } else if (c == '\r') {
            REQUIRE(i + 1 < bytes.size());
            REQUIRE(bytes[i + 1] == '\n');
            ++i;
            row.append(QString::fromUtf8(field));
            field.clear();
            rows.push_back(row);
            row.clear();
        } else {
            REQUIRE(c != '\n');
            field.append(c);
        }
    }
    REQUIRE(!quoted);
    REQUIRE(field.isEmpty());
    REQUIRE(row.isEmpty());
    return rows;
}

inline QJsonValue parseJsonValue(const QString& text)
{
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text.toUtf8() + "]");
    REQUIRE(doc.isArray());
    return doc.array().first();
}

inline ExportResult exportTo(EventStore& store, const QString& path, const QString& format, ExportOptions options = {})
{
    options.path = path;
    options.format = format;
    return Exporter::run(store, options);
}

struct CancelledExport {
    qint64 seen = 0; // events done when the export was stopped
    bool sawTempFile = false; // more than `filesBefore` files were in the folder while it ran
};

// Runs an export that its progress callback cancels once `stopAt` events are done, and checks that it says so.
inline CancelledExport cancelExportAt(
    EventStore& store, const ExportOptions& options, const QTemporaryDir& dir, qint64 stopAt, qsizetype filesBefore = 0)
{
    CancelledExport r;
    try {
        Exporter::run(store, options, [&](const ExportProgress& p) {
            r.seen = p.events;
            r.sawTempFile = r.sawTempFile || filesIn(dir).size() > filesBefore;
            return p.events < stopAt;
        });
        FAIL("not cancelled");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Cancelled);
    }
    return r;
}

// One CSV record against the event it stands for: payloads are JSON text cells, a missing payload an empty cell.
inline void checkCsvRow(const QStringList& row, const Event& event)
{
    const QJsonObject expected = event.toJson();
    INFO(row.join(QStringLiteral(" | ")).toStdString());
    REQUIRE(row.size() == 11);
    CHECK(row[0].toLongLong() == event.position);
    CHECK(row[1] == event.stream);
    CHECK(row[2].toLongLong() == event.version);
    CHECK(row[3] == event.type);
    CHECK(row[4] == Event::timeToIso(event.time));
    CHECK(row[5] == event.id);
    for (const auto& [cell, key] : { std::pair { row[6], "data" }, std::pair { row[7], "metadata" } }) {
        const QJsonValue value = expected.value(QLatin1String(key));
        if (value.isNull())
            CHECK(cell.isEmpty());
        else
            CHECK(parseJsonValue(cell) == value);
    }
    CHECK(row[8] == event.correlationId);
    CHECK(row[9] == event.causationId);
    if (expected.contains(QStringLiteral("encoding")))
        CHECK(parseJsonValue(row[10]) == expected.value(QStringLiteral("encoding")));
    else
        CHECK(row[10].isEmpty());
}

} // namespace es::test
