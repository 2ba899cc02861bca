#pragma once

#include "core/eventfilter.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace es {

// One statement of the type catalog, counted by the database (EventStore::catalogRows). Each part's columns are
// listed at connectors/sql/catalogsql.h; the catalog (catalog/typecatalog.h) reads them. Positions are always the
// log's global positions, whatever the scope.
enum class CatalogPart {
    Bounds, // first and last position of the scope, and the times of those two events
    Types, // per event type: count, streams, first and last position and time (exact over `ranges`)
    TypeStreams, // per event type: distinct streams among those of one partition of the stream names
    Fields, // per type, root, JSON path and JSON type: count, positions, number range, string lengths
    Shapes, // per type, payload kind and sorted top-level data keys: count, positions
    Values, // the values of one path of one type: count and the streams they occur in
    Missing, // events of one type that lack paths: for each path, how many, first and last position
    // The planner's statistics of the type column (PostgreSQL's pg_stats most common values with their frequencies),
    // for the whole table only: no rows for a scope, a layout whose table holds other rows, or an engine without them
    TypeStatistics,
    // The sample read once: the events of `ranges` (unless !rangeSample) and, for each of `sampleTypes`, up to
    // `perType` of its first events (outside `ranges` when rangeSample; inside `typeSpan` when set), their types,
    // fields, shapes and values in one statement. Rows tagged by their first column: 'types', 'fields', 'shapes' or
    // 'values', the part's own columns following (Types with one more: the events inside `ranges`; values per type,
    // root and path: 'top' with a value and its count, at most `limit` per path, or 'freq' with a number n and how
    // many values occur n times).
    Sample,
    // One row: 1 when an index of the store serves reading one type's events in order (else 0); probed by the
    // engine from the plan of such a read.
    TypeIndexed,
};

struct PositionRange {
    qint64 from = 0; // inclusive
    qint64 to = 0; // inclusive
    bool operator==(const PositionRange&) const = default;
};

struct CatalogRequest {
    CatalogPart part = CatalogPart::Types;
    EventFilter filter; // the scope: store, category or stream (and types)
    std::vector<PositionRange> ranges; // only events inside these; empty: the whole scope
    // Values: the type, the root ("data" or "metadata") and object keys of the path.
    QString type;
    QString root;
    QStringList path;
    bool duplicates = false; // Values: only values found in more than one stream
    bool withStreams = true; // Types: count distinct streams (else NULL: they do not add up over ranges)
    // TypeStreams: the streams whose name's last character's code point modulo `partitions` is `partition`. Each
    // stream falls in exactly one partition, so the partitions' counts add up to the exact count.
    std::vector<QStringList> missing; // Missing: the paths, each a root ("data", "metadata") then object keys
    int partitions = 1;
    int partition = 0;
    int limit = 0; // Values: at most this many (0: all); Sample: top values per path
    // Sample: the types read by type, how many of each at most, and how (byIndex: one ordered read per type, as an
    // index on the type serves it; else one read of the scope numbering each type's events).
    bool rangeSample = true;
    QStringList sampleTypes;
    int perType = 0;
    bool byIndex = false;
    std::optional<PositionRange> typeSpan;
};

// Rows as text, a missing value (SQL NULL) as nullopt; numbers in the database's text form.
using CatalogRow = std::vector<std::optional<QString>>;
using CatalogRows = std::vector<CatalogRow>;

} // namespace es
