// PgStore::histogram: events per time bucket and group, counted by the server in one statement; and the estimates
// of issue 18, counted on a sample of heap pages or of position ranges (sql/estimatesql.h).
#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"
#include "sql/estimatesql.h"
#include "sql/histogramsql.h"

#include <QRegularExpression>

#include <pqxx/pqxx>

namespace es {

std::vector<HistogramRow> PgStore::histogramRows(const SqlStatement& st, bool serverJit)
{
    std::vector<std::string> params;
    for (const QVariant& v : st.values)
        params.push_back(v.isNull() ? std::string() : v.toString().toStdString());
    return m_session.run([&] {
        std::vector<HistogramRow> out;
        pqxx::read_transaction tx(m_session.connection());
        // Sessions run with JIT off (it slows short statements); a scan of millions of rows gains from it, so this
        // transaction goes back to the server's own setting (reset_val: what RESET would restore).
        if (serverJit)
            tx.exec("SELECT set_config('jit', reset_val, true) FROM pg_settings WHERE name = 'jit'");
        const pqxx::result r = tx.exec_params(
            SqlBuilder::render(st.sql, SqlDialect::Postgres).toStdString(), pqxx::prepare::make_dynamic_params(params));
        out.reserve(size_t(r.size()));
        for (const pqxx::row& row : r) {
            if (row[0].is_null())
                continue;
            HistogramRow h;
            h.bucket = row[0].as<qint64>();
            h.other = row[1].is_null();
            h.group = h.other ? QString() : QString::fromUtf8(row[1].c_str(), int(row[1].size()));
            h.count = row[2].as<qint64>();
            out.push_back(std::move(h));
        }
        return out;
    });
}

Histogram PgStore::histogram(const HistogramQuery& query)
{
    const SqlStatement st = histogramStatement(*m_sql, query, true);
    return Histogram::fromRows(histogramRows(st, true), query.bucketSeconds, query.topN);
}

std::optional<KeySample> PgStore::planSample(const EventFilter& filter)
{
    std::optional<KeySample> windows = planKeySample(*this, filter);
    if (!windows)
        return windows;
    if (!m_heapPagesProbed) {
        m_heapPagesProbed = true;
        // Only a plain heap (or materialised view) named by the profile has pages to sample: a partitioned table, a
        // view or a mapping's subquery keeps the windows of positions. The name is bound, never spliced.
        static const QRegularExpression name(
            QStringLiteral(R"(^\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(\s*\.\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?\s*$)"));
        if (name.match(m_profile.events.table).hasMatch()) {
            SqlStatement st;
            st.sql
                = QStringLiteral("SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples, "
                                 "c.relpages FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(")
                + SqlBuilder::param() + QStringLiteral(") AND c.relkind IN ('r', 'm')");
            st.values.append(m_profile.events.table.trimmed());
            try {
                readText(st, 3, [this](const std::vector<std::optional<QString>>& r) {
                    const qint64 pages = r[0].value_or(QString()).toLongLong();
                    const double tuples = r[1].value_or(QString()).toDouble();
                    const double statPages = r[2].value_or(QString()).toDouble();
                    // reltuples is -1 before the first ANALYZE or VACUUM: the windows of positions then.
                    if (pages > 0 && tuples > 0 && statPages > 0)
                        m_heapPages = std::make_pair(pages, tuples / statPages);
                });
            } catch (const StoreError& e) {
                if (e.kind() == StoreError::Kind::Cancelled || e.kind() == StoreError::Kind::Disconnected)
                    throw;
            }
        }
    }
    if (!m_heapPages)
        return windows;
    std::optional<KeySample> pages = KeySample::planPages(m_heapPages->first, m_heapPages->second);
    return pages ? pages : windows;
}

Histogram PgStore::estimateHistogram(const HistogramQuery& query)
{
    const std::optional<KeySample> sample = planSample(query.filter);
    if (!sample)
        return histogram(query);
    // Without the stream index for a category: the planner walks each window on the position index.
    const SqlStatement st = histogramSampleStatement(*m_sql, query, false, *sample);
    return scaleSampledRows(histogramRows(st, false), *sample, query.bucketSeconds, query.topN);
}

CountEstimate PgStore::estimateCount(const EventFilter& filter)
{
    const std::optional<KeySample> sample = planSample(filter);
    if (!sample)
        return { scopeStats(filter).count, false };
    qint64 sampled = 0;
    for (const HistogramRow& r : histogramRows(countSampleStatement(*m_sql, filter, false, *sample), false))
        sampled += r.count;
    return { scaleSampledCount(sampled, *sample), true };
}

CategoryEstimate PgStore::estimateCategories()
{
    const std::optional<KeySample> sample = planSample({});
    if (!sample || m_profile.events.version.isEmpty())
        return { categories(), false };
    return { categoriesFromRows(histogramRows(categoryTallyStatement(*m_sql, sample), false), sample), true };
}

std::optional<CategoryList> PgStore::categoriesBetween(qint64 fromKey, qint64 toKey)
{
    if (m_sql->streamsFromTable() || m_profile.events.version.isEmpty())
        return std::nullopt;
    return categoriesFromRows(histogramRows(categoryTallyStatement(*m_sql, std::nullopt, fromKey, toKey), false), {});
}

} // namespace es
