#include "sql/estimatesql.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_map>

namespace es {

namespace {

// SQLite would rather build an automatic index over the whole table for the layout's row filter than walk each
// window on the rowid: off while a sample runs (a setting of this read-only connection, not a write).
class NoAutomaticIndex {
public:
    explicit NoAutomaticIndex(sqlite3* db)
        : m_db(db)
    {
        if (sqlite3_exec(m_db, "PRAGMA automatic_index = OFF", nullptr, nullptr, nullptr) != SQLITE_OK)
            throw StoreError(QStringLiteral("Cannot turn SQLite's automatic indexes off for an estimate: %1")
                                 .arg(QString::fromUtf8(sqlite3_errmsg(m_db))));
    }
    ~NoAutomaticIndex() { sqlite3_exec(m_db, "PRAGMA automatic_index = ON", nullptr, nullptr, nullptr); }
    NoAutomaticIndex(const NoAutomaticIndex&) = delete;
    NoAutomaticIndex& operator=(const NoAutomaticIndex&) = delete;

private:
    sqlite3* m_db;
};

} // namespace

Histogram SqliteStore::histogram(const HistogramQuery& query)
{
    const bool indexStream = useCategoryIndex(query.filter);
    if (query.groupBy == HistogramQuery::GroupBy::Stream) {
        const SqlStatement st = histogramStatement(*m_sql, query, indexStream);
        return Histogram::fromRows(histogramRows(st), query.bucketSeconds, query.topN);
    }
    // Counted here as the rows are read: SQLite's GROUP BY sorts every row (a temporary B-tree) before it counts,
    // which costs about as much again as reading them; the (bucket, group) pairs are few (bench_cache).
    return Histogram::fromRows(
        countScannedRows(histogramScanStatement(*m_sql, query, indexStream)), query.bucketSeconds, query.topN);
}

Histogram SqliteStore::estimateHistogram(const HistogramQuery& query)
{
    // 4,096 windows of 2 positions: on a cold cache each window costs a leaf page read, and each row more of a large
    // one, so the windows stay as many as before (a bucket's error is about a stride at each edge: 1.2% on the days
    // of the 10M sample store) but hold a quarter of the rows (3.7 s from disk before, 1.4 s after).
    const std::optional<KeySample> sample = planKeySample(*this, query.filter, 8192, 4096, 2);
    if (!sample)
        return histogram(query);
    // The category index would read the whole category; the windows read the position ranges instead.
    const SqlStatement st = histogramSampleStatement(*m_sql, query, false, *sample);
    const NoAutomaticIndex noIndex(m_db);
    return scaleSampledRows(histogramRows(st), *sample, query.bucketSeconds, query.topN);
}

CountEstimate SqliteStore::estimateCount(const EventFilter& filter)
{
    const std::optional<KeySample> sample = planKeySample(*this, filter);
    if (!sample)
        return { scopeStats(filter).count, false };
    const NoAutomaticIndex noIndex(m_db);
    qint64 sampled = 0;
    for (const HistogramRow& r : histogramRows(countSampleStatement(*m_sql, filter, false, *sample)))
        sampled += r.count;
    return { scaleSampledCount(sampled, *sample), true };
}

CategoryEstimate SqliteStore::estimateCategories()
{
    const std::optional<KeySample> sample = planKeySample(*this, {});
    if (!sample || m_profile.events.version.isEmpty())
        return { categories(), false };
    const NoAutomaticIndex noIndex(m_db);
    return { categoriesFromRows(histogramRows(categoryTallyStatement(*m_sql, sample)), sample), true };
}

std::optional<CategoryList> SqliteStore::categoriesBetween(qint64 fromKey, qint64 toKey)
{
    if (m_sql->streamsFromTable() || m_profile.events.version.isEmpty())
        return std::nullopt;
    return categoriesFromRows(histogramRows(categoryTallyStatement(*m_sql, std::nullopt, fromKey, toKey)), {});
}

namespace {

struct ResetStatement {
    sqlite3_stmt* s;
    ~ResetStatement()
    {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

// A (bucket, group) pair of countScannedRows: the group by its index in the order first seen.
struct BucketGroup {
    qint64 bucket;
    qsizetype group;
    bool operator==(const BucketGroup&) const = default;
};

struct BucketGroupHash {
    size_t operator()(const BucketGroup& k) const noexcept
    {
        return std::hash<qint64>()(k.bucket) ^ (std::hash<qsizetype>()(k.group) * 0x9e3779b97f4a7c15ULL);
    }
};

} // namespace

std::vector<HistogramRow> SqliteStore::countScannedRows(const SqlStatement& st)
{
    sqlite3_stmt* stmt = prepare(st.sql);
    const ResetStatement reset { stmt };
    bindAll(stmt, st);
    std::unordered_map<BucketGroup, qint64, BucketGroupHash> counts;
    std::vector<QByteArray> groups;
    QByteArray lastName;
    qsizetype lastGroup = -1;
    while (true) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            throwSqlite(rc, st.sql);
        if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
            continue; // no time, or one SQLite cannot read
        const qint64 bucket = sqlite3_column_int64(stmt, 0);
        const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, 1));
        const QByteArrayView name(text, sqlite3_column_bytes(stmt, 1));
        // Rows of one group tend to come together; the few names are searched only when it changes.
        if (lastGroup < 0 || name != QByteArrayView(lastName)) {
            const auto found = std::find_if(
                groups.begin(), groups.end(), [&name](const QByteArray& g) { return QByteArrayView(g) == name; });
            if (found == groups.end()) {
                groups.emplace_back(name.data(), name.size());
                lastGroup = qsizetype(groups.size()) - 1;
            } else {
                lastGroup = found - groups.begin();
            }
            lastName = groups[size_t(lastGroup)];
        }
        ++counts[{ bucket, lastGroup }];
    }
    std::vector<HistogramRow> rows;
    rows.reserve(counts.size());
    for (const auto& [key, n] : counts)
        rows.push_back({ key.bucket, QString::fromUtf8(groups[size_t(key.group)]), n, false });
    return rows;
}

void SqliteStore::bindAll(sqlite3_stmt* stmt, const SqlStatement& st)
{
    int index = 1;
    for (const QVariant& v : st.values) {
        int rc = SQLITE_OK;
        switch (v.typeId()) {
        case QMetaType::UnknownType:
            rc = sqlite3_bind_null(stmt, index);
            break;
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::Bool:
            rc = sqlite3_bind_int64(stmt, index, v.toLongLong());
            break;
        case QMetaType::Double:
            rc = sqlite3_bind_double(stmt, index, v.toDouble());
            break;
        default: {
            const QByteArray text = v.toString().toUtf8();
            rc = sqlite3_bind_text(stmt, index, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            break;
        }
        }
        if (rc != SQLITE_OK)
            throwSqlite(rc, st.sql);
        ++index;
    }
}

std::vector<HistogramRow> SqliteStore::histogramRows(const SqlStatement& st)
{
    sqlite3_stmt* stmt = prepare(st.sql);
    const ResetStatement reset { stmt };
    bindAll(stmt, st);
    std::vector<HistogramRow> rows;
    while (true) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            throwSqlite(rc, st.sql);
        if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
            continue; // no time, or one SQLite cannot read
        HistogramRow row;
        row.bucket = sqlite3_column_int64(stmt, 0);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
        row.other = !text;
        row.group = text ? QString::fromUtf8(text, sqlite3_column_bytes(stmt, 1)) : QString();
        row.count = sqlite3_column_int64(stmt, 2);
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace es
