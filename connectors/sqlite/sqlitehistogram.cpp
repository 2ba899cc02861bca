#include "sql/estimatesql.h"
#include "sql/histogramsql.h"
#include "sqlite/sqlitestore.h"

#include <sqlite3.h>

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
    const SqlStatement st = histogramStatement(*m_sql, query, useCategoryIndex(query.filter));
    return Histogram::fromRows(histogramRows(st), query.bucketSeconds, query.topN);
}

Histogram SqliteStore::estimateHistogram(const HistogramQuery& query)
{
    const std::optional<KeySample> sample = planKeySample(*this, query.filter);
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

std::vector<HistogramRow> SqliteStore::histogramRows(const SqlStatement& st)
{
    sqlite3_stmt* stmt = prepare(st.sql);
    struct Reset {
        sqlite3_stmt* s;
        ~Reset()
        {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
        }
    } reset { stmt };
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
