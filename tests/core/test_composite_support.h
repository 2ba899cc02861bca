#pragma once

// A store whose streams are keyed by two columns, as TypeScript event-sourcing libraries write them (Castore's
// PostgreSQL adapter, many in-house stores): one `events` table with the aggregate's name and id, a version per
// aggregate from 0, the payload and metadata as JSON, and a table of projection checkpoints. It is read through a
// mapping written from such a library's README: stream = aggregate_name || '-' || aggregate_id, category = the
// aggregate_name column (which may itself hold the separator: "order-line"), and expressions for the version, the
// id and the time too.

#include "testutils.h"

#include <QFile>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace es::test {

struct CompositeEvent {
    const char* aggregate;
    const char* id;
    int version; // from 0, as the library writes it
    const char* type;
    const char* payload;
    const char* metadata;
    const char* occurred; // UTC
};

// Positions 1..7 in this order.
inline const std::vector<CompositeEvent>& compositeEvents()
{
    static const std::vector<CompositeEvent> events {
        { "Order", "3f1c2a50-0000-4000-8000-000000000001", 0, "OrderPlaced", R"({"total": 10, "customer": "ann"})",
            R"({"correlationId": "c-1", "causationId": null})", "2024-03-01 10:00:00" },
        { "Order", "3f1c2a50-0000-4000-8000-000000000001", 1, "OrderPaid", R"({"amount": 10})",
            R"({"correlationId": "c-1", "causationId": "3f1c2a50-0000-4000-8000-000000000001:0"})",
            "2024-03-01 10:00:05" },
        { "order-line", "3f1c2a50-0000-4000-8000-000000000009", 0, "LineAdded", R"({"sku": "a-1"})",
            R"({"correlationId": "c-2"})", "2024-03-01 10:01:00" },
        { "Order", "3f1c2a50-0000-4000-8000-000000000002", 0, "OrderPlaced", R"({"total": 25, "customer": "bob"})",
            R"({"correlationId": "c-3"})", "2024-03-01 11:00:00" },
        { "Invoice", "3f1c2a50-0000-4000-8000-000000000003", 0, "InvoiceIssued", R"({"total": 10})",
            R"({"correlationId": "c-1"})", "2024-03-01 11:30:00" },
        { "Order", "3f1c2a50-0000-4000-8000-000000000001", 2, "OrderShipped", R"({"carrier": "dhl"})",
            R"({"correlationId": "c-1"})", "2024-03-02 09:00:00" },
        { "order-line", "3f1c2a50-0000-4000-8000-000000000009", 1, "LineRemoved", R"({"sku": "a-1"})",
            R"({"correlationId": "c-2"})", "2024-03-02 09:30:00" },
    };
    return events;
}

inline QString compositeStream(const CompositeEvent& e)
{
    return QString::fromLatin1(e.aggregate) + u'-' + QString::fromLatin1(e.id);
}

// The DDL and the appends, each statement its own transaction: one per append, as the library's adapter writes (its
// INSERT names the columns; the position comes from the table's key).
inline QStringList compositeStoreSql(bool postgres)
{
    QStringList out;
    if (postgres) {
        out.append(QStringLiteral(
            "CREATE TABLE events (id bigserial PRIMARY KEY, aggregate_name text NOT NULL, aggregate_id uuid NOT NULL, "
            "version integer NOT NULL, type text NOT NULL, payload jsonb NOT NULL, metadata jsonb, occurred_at "
            "timestamptz, recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (aggregate_name, aggregate_id, "
            "version));"));
        out.append(QStringLiteral("CREATE TABLE projections (name text PRIMARY KEY, last_id bigint);"));
    } else {
        out.append(QStringLiteral(
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, aggregate_name TEXT NOT NULL, aggregate_id "
            "TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, metadata TEXT, "
            "occurred_at TEXT, recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE "
            "(aggregate_name, aggregate_id, version));"));
        out.append(QStringLiteral("CREATE TABLE projections (name TEXT PRIMARY KEY, last_id INTEGER);"));
    }
    auto quoted = [](const char* text) {
        return QString(u'\'' + QString::fromUtf8(text).replace(u'\'', QLatin1String("''")) + u'\'');
    };
    for (const CompositeEvent& e : compositeEvents()) {
        const QString occurred = postgres
            ? QString(quoted(e.occurred) + QStringLiteral("::timestamptz"))
            : QString(u'\'' + QString::fromLatin1(e.occurred).replace(u' ', u'T') + QStringLiteral(".000Z'"));
        out.append(QStringLiteral("INSERT INTO events (aggregate_name, aggregate_id, version, type, payload, "
                                  "metadata, occurred_at) VALUES (%1, %2, %3, %4, %5, %6, %7);")
                       .arg(quoted(e.aggregate), quoted(e.id))
                       .arg(e.version)
                       .arg(quoted(e.type), quoted(e.payload), quoted(e.metadata), occurred));
    }
    out.append(QStringLiteral("INSERT INTO projections (name, last_id) VALUES ('orders-view', 5), ('fresh', NULL);"));
    return out;
}

// The mapping file; `extra` is merged into "events" (e.g. a "where").
inline QString compositeMappingJson(const QString& eventsExtra = {})
{
    return QStringLiteral(R"json({
  "name": "ts-aggregates",
  "title": "aggregate-keyed events (a TypeScript library)",
  "detect": { "tables": [
    { "as": "e", "names": ["events"], "columns": ["aggregate_name", "aggregate_id", "version"] },
    { "as": "p", "names": ["projections"], "optional": true } ] },
  "events": {
    "table": "{e}",
    "position": "id",
    "stream": "aggregate_name || '-' || aggregate_id",
    "version": "version + 1",
    "firstVersion": 1,
    "type": "type",
    "time": "coalesce(occurred_at, recorded_at)",
    "id": "aggregate_id || ':' || version",
    "data": "payload",
    "metadata": "metadata"%1
  },
  "category": { "expression": "aggregate_name" },
  "correlation": { "correlation": ["correlationId"], "causation": ["causationId"] },
  "checkpoints": [ { "table": "{p}", "name": "name", "position": "max(last_id)" } ]
})json")
        .arg(eventsExtra);
}

inline QString writeCompositeMapping(const QTemporaryDir& dir, const QString& eventsExtra = {})
{
    const QString path = tempPath(dir, QStringLiteral("aggregates.json"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(compositeMappingJson(eventsExtra).toUtf8());
    return path;
}

} // namespace es::test
