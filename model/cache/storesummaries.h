#pragma once

#include "cache/summarycache.h"
#include "store/eventstore.h"

#include <memory>

namespace es {

// One store's entries in the summary cache, checked against the store itself: open it on the store's thread before a
// count. Entries are dropped, never trusted, when the store's fingerprint differs (another or a restored database
// under the address, another layout), its head went back, or the event at the head last seen is gone or another.
// Counts are kept up to head(): the store's settled head, below which no event can still appear (PostgreSQL
// transactions commit out of position order; the tail strategy says how far is safe).
class StoreSummaries {
public:
    // nullptr when the store has no identity, the cache cannot be opened, the store is empty, or transactions still
    // open may add events below the head: then callers count without the cache.
    static std::unique_ptr<StoreSummaries> open(
        EventStore& store, const QString& cachePath = SummaryCache::defaultPath());

    qint64 head() const { return m_mark.head; }
    qint64 firstKey() const { return m_firstKey; }
    QDateTime firstTime() const { return m_firstTime; }
    QDateTime lastTime() const { return m_lastTime; }
    // Whether entries were dropped as this object was opened (and why).
    bool dropped() const { return !m_dropReason.isEmpty(); }
    QString dropReason() const { return m_dropReason; }

    std::optional<CacheEntry> get(const QString& key) { return m_cache.get(m_store, key); }
    QStringList keys(const QString& prefix) { return m_cache.keys(m_store, prefix); }
    // Keeps `value` as counted up to head().
    bool put(const QString& key, const QByteArray& value)
    {
        return m_cache.put(m_store, m_mark.fingerprint, key, { m_mark.head, value });
    }

private:
    explicit StoreSummaries(const QString& cachePath);

    SummaryCache m_cache;
    QString m_store;
    StoreMark m_mark;
    qint64 m_firstKey = -1;
    QDateTime m_firstTime;
    QDateTime m_lastTime;
    QString m_dropReason;
};

} // namespace es
