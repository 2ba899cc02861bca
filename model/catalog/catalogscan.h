#pragma once

#include "catalog/typecatalog.h"

#include <functional>

namespace es {

class EventStore;
class JobControl;

struct CatalogOptions {
    EventFilter scope; // store, category or stream (and types)
    bool exact = false; // read fields and shapes over the whole scope, in chunks
    bool exactCounts = true; // count every type exactly (in chunks), after the estimate and the sample
    qint64 sampleEvents = 2000; // about this many events in the sample
    int sampleRanges = 16; // spread over the scope, the first and last events included
    // Positions in the first statement of the exact fields and shapes; the next ones are sized by statementSeconds.
    qint64 chunkPositions = 65536;
    int countChunks = 8; // at least this many statements of the exact type counts, by ranges of positions
    // About how long one statement of the exact counts, fields or shapes should take: ranges of positions are sized
    // by the time the last one took (a range the server stops at its statement timeout is read again in halves).
    double statementSeconds = 4;
    int streamPartitions = 4; // statements of the exact streams per type, by partitions of the stream names
    int rateBuckets = 60; // about this many buckets of each type's rate over time (0: none)
    int topValues = 5;
    // A type the sample would hold fewer than this many events of is read by its type as well: up to this many of
    // its events, in the first answer where an index on the type serves that read or the scope spans at most
    // rareScanPositions positions, else once its exact count is known. Every type present gets a sample.
    int rareEvents = 50;
    qint64 rareScanPositions = 262144;
    bool useCache = false; // CatalogJob: through the summary cache (scanCatalogCached)
};

// The stages a scan passes, each handed to `partial` as it is reached:
//  1. the first answer: type counts estimated from the planner's statistics where the scope is the whole table and
//     they are recent (CatalogPart::TypeStatistics), else from 256 narrow ranges of positions (a small scope's
//     counted with its rates by EventStore::estimateHistogram), each estimate with its margin; fields, shapes and
//     values from a small sample of position ranges, read in one statement with the first events of each type the
//     sample would hold few of (options.rareEvents); a large scope's rates (estimateHistogram) follow as a stage of
//     their own;
//  2. with options.exactCounts, exact type counts, positions and times, by ranges of positions;
//  3. then exact streams per type, by partitions of the stream names; then, without options.exact, a sample of each
//     type the sample still holds few events of (by its type, in chunks of positions where no index serves it);
//  4. with options.exact, exact fields and shapes, read range by range (ranges sized by options.statementSeconds).
// Every statement stays short (a cancel or a statement timeout loses little) and progress is told between them.
// Returns the last stage's catalog. Progress goes to `progress` when given, else to control. Throws StoreError
// (Cancelled when control is cancelled between statements; the store is interrupted by the job mechanism).
using CatalogProgress = std::function<void(qint64 done, qint64 total, const QString& what)>;
TypeCatalog scanCatalog(EventStore& store, const CatalogOptions& options, JobControl* control = nullptr,
    const std::function<void(const TypeCatalog&)>& partial = {}, const CatalogProgress& progress = {});

// The sample ranges for a scope of positions first..last: `ranges` ranges of `width` positions spread evenly, the
// first starting at `first`, the last ending at `last`; one range when they would cover the scope.
std::vector<PositionRange> sampleRanges(qint64 first, qint64 last, qint64 width, int ranges);

struct PathValue {
    QString value; // JSON text
    qint64 count = 0;
    QStringList streams;
};

struct ValuesQuery {
    EventFilter scope;
    QString type;
    QString path; // "data.email", as the catalog prints paths
    bool duplicates = false; // only values seen in more than one stream
    int limit = 0;
};

// Parses a catalog path ("data.address.zip", "metadata.userId") into its root and object keys; false when it is
// not one (then *error says why).
bool parseCatalogPath(const QString& path, QString* root, QStringList* keys, QString* error);
// The distinct values of one path of one type, most frequent first, counted by the database. Throws StoreError.
std::vector<PathValue> pathValues(EventStore& store, const ValuesQuery& query);

} // namespace es
