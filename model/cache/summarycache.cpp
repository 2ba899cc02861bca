#include "cache/summarycache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QStandardPaths>

#include <sqlite3.h>

namespace es {

namespace {

// One prepared statement, finalized when it goes out of scope.
class Statement {
public:
    Statement(sqlite3* db, const char* sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return m_stmt != nullptr; }
    Statement& bind(int i, const QString& text)
    {
        const QByteArray utf8 = text.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, qint64 value)
    {
        sqlite3_bind_int64(m_stmt, i, value);
        return *this;
    }
    Statement& bindBlob(int i, const QByteArray& value)
    {
        sqlite3_bind_blob(m_stmt, i, value.constData(), int(value.size()), SQLITE_TRANSIENT);
        return *this;
    }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return m_stmt ? sqlite3_step(m_stmt) : SQLITE_ERROR; }
    qint64 integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    QString text(int col) const
    {
        return QString::fromUtf8(
            reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col)), sqlite3_column_bytes(m_stmt, col));
    }
    QByteArray blob(int col) const
    {
        return QByteArray(
            static_cast<const char*>(sqlite3_column_blob(m_stmt, col)), sqlite3_column_bytes(m_stmt, col));
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

// A write transaction taken at once (BEGIN IMMEDIATE), so two writers queue on the busy timeout instead of one
// failing at its first write; rolled back unless committed.
class WriteTransaction {
public:
    explicit WriteTransaction(sqlite3* db)
        : m_db(db)
        , m_open(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK)
    { }
    ~WriteTransaction()
    {
        if (m_open)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool isOpen() const { return m_open; }
    bool commit()
    {
        m_open = false;
        return sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    }

private:
    sqlite3* m_db;
    bool m_open;
};

constexpr int busyTimeoutMs = 10000;

} // namespace

namespace {

// The folder chosen for this process: read by jobs on other threads while the GUI may change it.
QMutex chosenMutex;
QString chosenFolder;

} // namespace

void SummaryCache::setFolder(const QString& folder)
{
    const QMutexLocker lock(&chosenMutex);
    chosenFolder = folder.isEmpty() ? QString() : QDir::cleanPath(folder);
}

QString SummaryCache::folder()
{
    {
        const QMutexLocker lock(&chosenMutex);
        if (!chosenFolder.isEmpty())
            return chosenFolder;
    }
    QString folder = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (folder.isEmpty())
        folder = QDir::tempPath();
    return folder + QStringLiteral("/eventscope");
}

QString SummaryCache::defaultPath()
{
    const QString overridden = qEnvironmentVariable("ES_SUMMARY_CACHE");
    if (!overridden.isEmpty())
        return overridden;
    return folder() + QStringLiteral("/summaries.sqlite");
}

SummaryCache::SummaryCache(const QString& path)
    : m_path(path)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        m_error = QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close_v2(db);
        return;
    }
    m_db = db;
    sqlite3_busy_timeout(m_db, busyTimeoutMs);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS stores(store TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, head INTEGER NOT NULL, "
         "head_id TEXT NOT NULL)");
    exec("CREATE TABLE IF NOT EXISTS entries(store TEXT NOT NULL, key TEXT NOT NULL, head INTEGER NOT NULL, "
         "value BLOB NOT NULL, PRIMARY KEY(store, key))");
    if (!m_error.isEmpty()) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

SummaryCache::~SummaryCache()
{
    sqlite3_close_v2(m_db);
}

void SummaryCache::exec(const char* sql)
{
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK && m_error.isEmpty())
        m_error = QString::fromUtf8(message ? message : "unknown error");
    sqlite3_free(message);
}

bool SummaryCache::fail(const QString& context)
{
    m_error = context + QStringLiteral(": ") + QString::fromUtf8(sqlite3_errmsg(m_db));
    return false;
}

QString SummaryCache::storeKey(const StoreIdentity& identity)
{
    return identity.engine + u'|' + identity.address;
}

std::optional<StoreMark> SummaryCache::mark(const QString& store)
{
    if (!m_db)
        return std::nullopt;
    Statement st(m_db, "SELECT fingerprint, head, head_id FROM stores WHERE store = ?");
    st.bind(1, store);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return StoreMark { st.text(0), st.integer(1), st.text(2) };
}

void SummaryCache::reset(const QString& store, const StoreMark& mark)
{
    if (!m_db)
        return;
    WriteTransaction tx(m_db);
    if (!tx.isOpen()) {
        fail(QStringLiteral("reset"));
        return;
    }
    Statement drop(m_db, "DELETE FROM entries WHERE store = ?");
    drop.bind(1, store);
    Statement set(m_db, "INSERT OR REPLACE INTO stores(store, fingerprint, head, head_id) VALUES (?, ?, ?, ?)");
    set.bind(1, store).bind(2, mark.fingerprint).bind(3, mark.head).bind(4, mark.headId);
    if (drop.step() != SQLITE_DONE || set.step() != SQLITE_DONE || !tx.commit())
        fail(QStringLiteral("reset"));
}

bool SummaryCache::advance(const QString& store, const StoreMark& mark)
{
    if (!m_db)
        return false;
    WriteTransaction tx(m_db);
    if (!tx.isOpen())
        return fail(QStringLiteral("advance"));
    const std::optional<StoreMark> now = this->mark(store);
    if (!now || now->fingerprint != mark.fingerprint)
        return false;
    if (now->head < mark.head) {
        Statement set(m_db, "UPDATE stores SET head = ?, head_id = ? WHERE store = ?");
        set.bind(1, mark.head).bind(2, mark.headId).bind(3, store);
        if (set.step() != SQLITE_DONE)
            return fail(QStringLiteral("advance"));
    }
    return tx.commit() || fail(QStringLiteral("advance"));
}

std::optional<CacheEntry> SummaryCache::get(const QString& store, const QString& key)
{
    if (!m_db)
        return std::nullopt;
    Statement st(m_db, "SELECT head, value FROM entries WHERE store = ? AND key = ?");
    st.bind(1, store).bind(2, key);
    if (st.step() != SQLITE_ROW)
        return std::nullopt;
    return CacheEntry { st.integer(0), st.blob(1) };
}

QStringList SummaryCache::keys(const QString& store, const QString& prefix)
{
    QStringList out;
    if (!m_db)
        return out;
    Statement st(m_db, "SELECT key FROM entries WHERE store = ? AND substr(key, 1, length(?)) = ? ORDER BY key");
    st.bind(1, store).bind(2, prefix).bind(3, prefix);
    while (st.step() == SQLITE_ROW)
        out.append(st.text(0));
    return out;
}

bool SummaryCache::put(const QString& store, const QString& fingerprint, const QString& key, const CacheEntry& entry)
{
    if (!m_db)
        return false;
    WriteTransaction tx(m_db);
    if (!tx.isOpen())
        return fail(QStringLiteral("put"));
    const std::optional<StoreMark> now = mark(store);
    // Reset meanwhile by a window that found another database, or taken past a head that went back since.
    if (!now || now->fingerprint != fingerprint || entry.head > now->head)
        return false;
    Statement st(m_db,
        "INSERT INTO entries(store, key, head, value) VALUES (?, ?, ?, ?) ON CONFLICT(store, key) DO UPDATE SET "
        "head = excluded.head, value = excluded.value WHERE excluded.head >= entries.head");
    st.bind(1, store).bind(2, key).bind(3, entry.head).bindBlob(4, entry.value);
    if (st.step() != SQLITE_DONE)
        return fail(QStringLiteral("put"));
    const bool written = sqlite3_changes(m_db) > 0;
    return tx.commit() ? written : fail(QStringLiteral("put"));
}

CacheStats SummaryCache::stats()
{
    CacheStats s;
    s.path = m_path;
    for (const QString& file : QStringList { m_path, m_path + QStringLiteral("-wal") })
        s.bytes += QFileInfo(file).size();
    if (!m_db)
        return s;
    Statement st(m_db, "SELECT (SELECT count(*) FROM stores), count(*), coalesce(sum(length(value)), 0) FROM entries");
    if (st.step() == SQLITE_ROW) {
        s.stores = st.integer(0);
        s.entries = st.integer(1);
        s.valueBytes = st.integer(2);
    }
    return s;
}

void SummaryCache::clear()
{
    if (!m_db)
        return;
    {
        WriteTransaction tx(m_db);
        if (!tx.isOpen()) {
            fail(QStringLiteral("clear"));
            return;
        }
        exec("DELETE FROM entries");
        exec("DELETE FROM stores");
        if (!tx.commit())
            fail(QStringLiteral("clear"));
    }
    // Give the space back: the file shrinks to its empty tables and the WAL to nothing.
    exec("VACUUM");
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

} // namespace es
