#pragma once

#include "catalog/catalogscan.h"

#include <QByteArray>

#include <optional>

namespace es {

// How scanCatalogCached answered.
struct CatalogCacheUse {
    bool used = false; // the summary cache could be used for this store and scope
    bool hit = false; // the answer came from it: exact at once
    qint64 cachedHead = -1; // the head the entry covered (-1: none)
    qint64 head = -1; // the store's settled head now
    bool extended = false; // the head had moved: only the appended events were read, streams recounted
};

namespace catalogcache {

// Whether a scope's catalog can be kept in the summary cache: the log or a category (no stream, type, time, payload
// or key condition).
bool cacheable(const EventFilter& scope);

// The catalog as a cache value, and back (nullopt for a value of another format).
QByteArray encode(const TypeCatalog& catalog);
std::optional<TypeCatalog> decode(const QByteArray& value);

// `appended`, a catalog of the positions after `base`'s last (both exact in the same parts), added to `base`: counts,
// positions, times, fields, shapes and payload kinds add up; streams do not (a stream may hold events on both sides),
// so they are marked estimated (base's plus appended's, at most) until counted again. Drift flags are derived anew.
TypeCatalog merge(const TypeCatalog& base, const TypeCatalog& appended);

// Keeps a catalog that scanCatalog read over catalog.scope of `store`, as scanCatalogCached keeps one after a miss:
// when the scope can be kept, its counts and streams are exact and it covers the events up to the settled head.
// Returns whether it was kept. Throws StoreError.
bool keep(EventStore& store, const TypeCatalog& catalog);

} // namespace catalogcache

// scanCatalog through the local summary cache (cache/storesummaries.h) where the scope allows: an exact catalog kept
// at the store's settled head answers at once; when the head has moved, only the events appended since are read
// (exactly, as scanCatalog reads a scope), merged, each type's rate extended, and the streams counted again; the
// result is kept. Otherwise, or when options.exact wants fields the entry does not have exactly, scanCatalog, whose
// exact result is kept for the next time. Stages go to `partial` as scanCatalog's do. Throws StoreError.
TypeCatalog scanCatalogCached(EventStore& store, const CatalogOptions& options, JobControl* control = nullptr,
    const std::function<void(const TypeCatalog&)>& partial = {}, const CatalogProgress& progress = {},
    CatalogCacheUse* use = nullptr);

} // namespace es
