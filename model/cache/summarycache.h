#pragma once

#include "store/eventstore.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

struct sqlite3;

namespace es {

// What the cache knows of one store: who it was and the highest head any entry of it was taken at.
struct StoreMark {
    QString fingerprint;
    qint64 head = -1;
    QString headId; // the id of the event at `head`, to notice a store rewritten up to there
};

// One entry: a value (counts, a serialized summary) computed over every event up to `head`.
struct CacheEntry {
    qint64 head = -1;
    QByteArray value;
};

struct CacheStats {
    QString path;
    qint64 bytes = 0; // the database file with its WAL
    qint64 stores = 0;
    qint64 entries = 0;
    qint64 valueBytes = 0; // the entries' values alone
};

// The local summary cache: a small SQLite database in the user's cache folder (never in a store) holding values
// keyed by a store (StoreIdentity without secrets) and a key of the caller's ("activity|…", "count|…"), each with the
// head it covers. It does not know what the values mean: StoreSummaries checks a store against its mark and the
// callers extend entries as the head moves. Safe for several connections and processes at once (WAL, a busy timeout,
// every change in one transaction). One object per thread; it is not shared.
class SummaryCache {
public:
    // summaries.sqlite in the folder setFolder() chose, else in $XDG_CACHE_HOME/eventscope
    // (QStandardPaths::GenericCacheLocation); the file ES_SUMMARY_CACHE names wins over both.
    static QString defaultPath();
    // The folder the cache lives in from now on, for this process (Preferences › Summary cache); empty: the default.
    // The file in the old folder stays as it was (Clear it first to free its space).
    static void setFolder(const QString& folder);
    static QString folder();
    // Opens (creating) the file; on failure isOpen() is false and error() says why: callers then count without it.
    explicit SummaryCache(const QString& path = defaultPath());
    ~SummaryCache();
    SummaryCache(const SummaryCache&) = delete;
    SummaryCache& operator=(const SummaryCache&) = delete;

    bool isOpen() const { return m_db != nullptr; }
    QString error() const { return m_error; }
    QString path() const { return m_path; }

    // The store key: engine and address (no secrets), never the fingerprint, so a changed database replaces its
    // entries.
    static QString storeKey(const StoreIdentity& identity);

    std::optional<StoreMark> mark(const QString& store);
    // Forgets every entry of the store and marks it anew (a different fingerprint, a head gone back).
    void reset(const QString& store, const StoreMark& mark);
    // Raises the store's mark to `mark` when it has the same fingerprint and a higher head; false when the store was
    // reset or marked otherwise meanwhile (by another process), and the caller's entries would not belong.
    bool advance(const QString& store, const StoreMark& mark);

    std::optional<CacheEntry> get(const QString& store, const QString& key);
    // Keys of the store starting with `prefix`.
    QStringList keys(const QString& store, const QString& prefix);
    // Keeps the entry unless one with a higher head is there already (another window got further); only while the
    // store is still marked with `fingerprint`. Returns whether it was written.
    bool put(const QString& store, const QString& fingerprint, const QString& key, const CacheEntry& entry);

    CacheStats stats();
    // Forgets everything (every store); the file stays, small.
    void clear();

private:
    void exec(const char* sql);
    bool fail(const QString& context);

    QString m_path;
    QString m_error;
    sqlite3* m_db = nullptr;
};

} // namespace es
