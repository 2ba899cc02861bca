// PgStore::histogram: events per time bucket and group, counted by the server in one statement; and the estimates
// of issue 18, counted on a sample of position ranges (sql/estimatesql.h).
#include "pg/pgconnection_p.h"
#include "pg/pgstore.h"
#include "sql/estimatesql.h"
#include "sql/histogramsql.h"

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

Histogram PgStore::estimateHistogram(const HistogramQuery& query)
{
    const std::optional<KeySample> sample = planKeySample(*this, query.filter);
    if (!sample)
        return histogram(query);
    // Without the stream index for a category: the planner walks each window on the position index.
    const SqlStatement st = histogramSampleStatement(*m_sql, query, false, *sample);
    return scaleSampledRows(histogramRows(st, false), *sample, query.bucketSeconds, query.topN);
}

CountEstimate PgStore::estimateCount(const EventFilter& filter)
{
    const std::optional<KeySample> sample = planKeySample(*this, filter);
    if (!sample)
        return { scopeStats(filter).count, false };
    qint64 sampled = 0;
    for (const HistogramRow& r : histogramRows(countSampleStatement(*m_sql, filter, false, *sample), false))
        sampled += r.count;
    return { scaleSampledCount(sampled, *sample), true };
}

CategoryEstimate PgStore::estimateCategories()
{
    const std::optional<KeySample> sample = planKeySample(*this, {});
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
