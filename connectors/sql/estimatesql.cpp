#include "sql/estimatesql.h"

#include "sql/histogramsql.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace es {

namespace {

constexpr qint64 smallestSampled = 65536; // fewer are counted in well under a second

// FROM and WHERE of a sampled statement: the window numbers joined to the events table on its positions, then the
// filter. The window numbers come first so the engine reads each window as one range of its position index.
struct SampledFrom {
    QString with; // before SELECT
    QString from; // after SELECT <columns>
    QVariantList values;
};

SampledFrom sampledFrom(const SqlBuilder& sql, const EventFilter& filter, bool indexStream, const KeySample& sample)
{
    const Profile::Events& e = sql.profile().events;
    const QString p = SqlBuilder::param();
    const QString n = QStringLiteral("CAST(%1 AS bigint)").arg(p);
    SampledFrom out;
    if (sample.pages) {
        // The tuple ids of every sampled page, built on the server: TID Scan reads each page once, in page order.
        const QString i = QStringLiteral("CAST(%1 AS integer)").arg(p);
        QStringList terms { QStringLiteral("ctid = ANY(ARRAY(SELECT format('(%s,%s)', %1 + es_page.k * %1, es_tuple.o)"
                                           "::tid FROM generate_series(0, %1 - 1) AS es_page(k) CROSS JOIN "
                                           "generate_series(1, %2) AS es_tuple(o)))")
                                .arg(n, i) };
        out.values.append({ sample.first, sample.stride, sample.windows, sample.tuplesPerPage });
        const SqlWhere w = sql.baseWhere(filter, indexStream);
        terms.append(w.terms);
        out.values.append(w.values);
        out.from = QStringLiteral(" FROM %1 WHERE %2").arg(e.table, terms.join(QLatin1String(" AND ")));
        return out;
    }
    QString series;
    if (sql.dialect() == SqlDialect::Postgres) {
        series = QStringLiteral("generate_series(0, %1 - 1) AS es_sample(k)").arg(n);
    } else {
        out.with = QStringLiteral("WITH RECURSIVE es_sample(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM es_sample "
                                  "WHERE k + 1 < %1) ")
                       .arg(n);
        series = QStringLiteral("es_sample");
    }
    out.values.append(sample.windows);
    const QString position = SqlBuilder::paren(e.position);
    const QString start = QStringLiteral("%1 + es_sample.k * %1").arg(n);
    QStringList terms { QStringLiteral("%1 >= %2").arg(position, start),
        QStringLiteral("%1 < %2 + %3").arg(position, start, n) };
    out.values.append({ sample.first, sample.stride, sample.first, sample.stride, sample.width });
    const SqlWhere w = sql.baseWhere(filter, indexStream);
    terms.append(w.terms);
    out.values.append(w.values);
    // CROSS JOIN: SQLite keeps the windows as the outer loop; PostgreSQL can only join on the range by a nested loop.
    out.from
        = QStringLiteral(" FROM %1 CROSS JOIN %2 WHERE %3").arg(series, e.table, terms.join(QLatin1String(" AND ")));
    return out;
}

} // namespace

std::optional<KeySample> KeySample::plan(
    qint64 first, qint64 last, qint64 rows, qint64 maxWindows, qint64 rowsPerWindow)
{
    const qint64 span = last - first + 1;
    if (first < 0 || span < smallestSampled)
        return std::nullopt;
    // Many narrow windows: a bucket's error is about a stride at each edge, and each window costs a page or two.
    rows = std::max<qint64>(1, std::min(rows, span / 8));
    KeySample s;
    s.first = first;
    const qint64 most = std::max<qint64>(1, maxWindows);
    const qint64 windows
        = std::clamp<qint64>(rows / std::max<qint64>(1, rowsPerWindow), std::min({ qint64(64), rows, most }), most);
    s.width = std::max<qint64>(1, rows / windows);
    s.stride = (span + windows - 1) / windows;
    s.windows = (span + s.stride - 1) / s.stride;
    return s;
}

std::optional<KeySample> KeySample::planPages(qint64 relationPages, double rowsPerPage, qint64 samples)
{
    // At least four pages per sample: with fewer the windows of positions read about as many pages.
    samples = std::min(samples, relationPages / 4);
    if (samples < 256 || !(rowsPerPage > 0))
        return std::nullopt;
    KeySample s;
    s.pages = true;
    s.stride = relationPages / samples;
    s.windows = samples;
    s.width = 1;
    // Four times the mean and some: rows vary in size, and a page holds at most 291 tuples (MaxHeapTuplesPerPage at 8
    // KiB). Asking for more ids costs only their parsing, asking for fewer would miss rows.
    s.tuplesPerPage = int(std::clamp<double>(std::ceil(rowsPerPage * 4) + 16, 96, 291));
    return s;
}

std::optional<KeySample> planKeySample(
    EventStore& store, const EventFilter& filter, qint64 rows, qint64 maxWindows, qint64 rowsPerWindow)
{
    if (filter.isStream())
        return std::nullopt;
    const StoreInfo info = store.info(false);
    if (info.firstPosition < 0 || info.headPosition < info.firstPosition)
        return std::nullopt;
    return KeySample::plan(info.firstPosition, info.headPosition, rows, maxWindows, rowsPerWindow);
}

SqlStatement histogramSampleStatement(
    const SqlBuilder& sql, const HistogramQuery& query, bool indexStream, const KeySample& sample)
{
    const SampledFrom f = sampledFrom(sql, histogramFilter(sql, query), indexStream, sample);
    return { f.with
            + QStringLiteral("SELECT %1, COALESCE(%2, ''), count(*)")
                  .arg(histogramBucketExpr(sql, query.bucketSeconds), histogramGroupExpr(sql, query.groupBy))
            + f.from + QStringLiteral(" GROUP BY 1, 2"),
        f.values };
}

SqlStatement countSampleStatement(
    const SqlBuilder& sql, const EventFilter& filter, bool indexStream, const KeySample& sample)
{
    const SampledFrom f = sampledFrom(sql, filter, indexStream, sample);
    return { f.with + QStringLiteral("SELECT 0, '', count(*)") + f.from, f.values };
}

SqlStatement categoryTallyStatement(
    const SqlBuilder& sql, const std::optional<KeySample>& sample, qint64 fromKey, qint64 toKey)
{
    const Profile::Events& e = sql.profile().events;
    const QString columns = QStringLiteral("SELECT CASE WHEN %1 = %2 THEN 1 ELSE 0 END, COALESCE(%3, ''), count(*)")
                                .arg(SqlBuilder::paren(e.version))
                                .arg(e.firstVersion)
                                .arg(histogramGroupExpr(sql, HistogramQuery::GroupBy::Category));
    if (sample) {
        const SampledFrom f = sampledFrom(sql, {}, false, *sample);
        return { f.with + columns + f.from + QStringLiteral(" GROUP BY 1, 2"), f.values };
    }
    SqlWhere w = sql.baseWhere({}, false);
    if (fromKey >= 0)
        w.add(SqlBuilder::paren(e.position) + QStringLiteral(" >= ") + SqlBuilder::param(), { fromKey });
    if (toKey >= 0)
        w.add(SqlBuilder::paren(e.position) + QStringLiteral(" <= ") + SqlBuilder::param(), { toKey });
    return { columns + QStringLiteral(" FROM ") + e.table + w.sql() + QStringLiteral(" GROUP BY 1, 2"), w.values };
}

CategoryList categoriesFromRows(const std::vector<HistogramRow>& rows, const std::optional<KeySample>& sample)
{
    std::map<QString, CategoryInfo> byName;
    for (const HistogramRow& r : rows) {
        CategoryInfo& c = byName[r.group];
        c.name = r.group;
        const qint64 n = sample ? scaleSampledCount(r.count, *sample) : r.count;
        c.events = std::max<qint64>(c.events, 0) + n;
        if (r.bucket == 1)
            c.streams += n;
    }
    CategoryList out;
    out.reserve(byName.size());
    for (auto& [name, c] : byName)
        out.push_back(std::move(c));
    return out;
}

qint64 scaleSampledCount(qint64 sampled, const KeySample& sample)
{
    return std::llround(double(sampled) * sample.scale());
}

Histogram scaleSampledRows(std::vector<HistogramRow> rows, const KeySample& sample, qint64 bucketSeconds, int topN)
{
    for (HistogramRow& r : rows)
        r.count = scaleSampledCount(r.count, sample);
    Histogram h = Histogram::fromRows(rows, bucketSeconds, topN);
    h.estimated = true;
    return h;
}

} // namespace es
