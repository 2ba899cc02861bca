#pragma once

#include "catalog/typecatalog.h"

#include <functional>

namespace es {

class EventStore;
class JobControl;

struct CatalogOptions {
    EventFilter scope; // store, category or stream (and types)
    bool exact = false; // read fields and shapes over the whole scope, in chunks
    qint64 sampleEvents = 5000; // about this many events in the sample
    int sampleRanges = 16; // spread over the scope, the first and last events included
    qint64 chunkPositions = 1000000; // positions per statement of the exact read
    int topValues = 5;
};

// The stages a scan passes, each handed to `partial` as it is reached:
//  1. the sample: type counts, fields, shapes and values from a set of position ranges (counts not exact);
//  2. exact type counts (fields still from the sample);
//  3. with options.exact, exact fields and shapes, read chunk by chunk.
// Returns the last stage's catalog. Progress: done/total chunks of the exact read. Throws StoreError (Cancelled
// when control is cancelled between statements; the store is interrupted by the job mechanism).
TypeCatalog scanCatalog(EventStore& store, const CatalogOptions& options, JobControl* control = nullptr,
    const std::function<void(const TypeCatalog&)>& partial = {});

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
