#include "activity/activitycache.h"

#include "activity/activity.h"
#include "cache/storesummaries.h"

#include <QDataStream>
#include <QHash>
#include <QIODevice>

#include <algorithm>
#include <limits>
#include <map>

namespace es::activity {

namespace {

constexpr qint64 Day = 86400;
constexpr quint32 formatVersion = 1;

bool alignedTo(const QDateTime& t, qint64 bucketSeconds)
{
    if (!t.isValid())
        return true;
    const qint64 s = t.toSecsSinceEpoch();
    return histogram::bucketStart(s, bucketSeconds) == s && t.time().msec() == 0;
}

QString scopePrefix(const HistogramQuery& q)
{
    // \x1f cannot be in a category or type name as stores write them; the key stays unambiguous.
    return QStringLiteral("activity/1|c=%1|t=%2|g=%3|b=")
        .arg(q.filter.category, q.filter.types.join(QChar(0x1f)))
        .arg(int(q.groupBy));
}

} // namespace

bool cacheable(const HistogramQuery& q)
{
    const EventFilter& f = q.filter;
    return f.stream.isEmpty() && f.text.isEmpty() && f.conditions.empty() && !f.fromTime.isValid()
        && !f.toTime.isValid() && f.maxKey < 0 && f.minKey < 0 && q.fromKey < 0 && q.toKey < 0
        && q.groupBy != HistogramQuery::GroupBy::Stream && alignedTo(q.from, q.bucketSeconds)
        && alignedTo(q.to, q.bucketSeconds);
}

qint64 baseBucketFor(qint64 bucketSeconds, qint64 spanSeconds)
{
    // A month is whole days (UTC).
    const qint64 target = bucketSeconds > 0 ? bucketSeconds : Day;
    const qint64 span = std::max<qint64>(1, spanSeconds);
    for (const qint64 step : histogram::bucketSteps()) {
        if (target % step == 0 && span / step <= baseBucketLimit)
            return step;
    }
    return target;
}

QByteArray encodeRows(const std::vector<HistogramRow>& rows)
{
    QHash<QString, qint32> index;
    QStringList groups;
    for (const HistogramRow& r : rows) {
        if (!index.contains(r.group)) {
            index.insert(r.group, qint32(groups.size()));
            groups.append(r.group);
        }
    }
    QByteArray raw;
    QDataStream out(&raw, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << formatVersion << groups << quint64(rows.size());
    for (const HistogramRow& r : rows)
        out << r.bucket << index.value(r.group) << r.count << r.other;
    return qCompress(raw);
}

std::vector<HistogramRow> decodeRows(const QByteArray& value, bool* ok)
{
    std::vector<HistogramRow> rows;
    const QByteArray raw = qUncompress(value);
    QDataStream in(raw);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0;
    QStringList groups;
    quint64 n = 0;
    in >> version >> groups >> n;
    bool good = version == formatVersion && in.status() == QDataStream::Ok;
    if (good) {
        rows.reserve(size_t(std::min<quint64>(n, quint64(raw.size()))));
        for (quint64 i = 0; i < n && good; ++i) {
            HistogramRow r;
            qint32 g = 0;
            in >> r.bucket >> g >> r.count >> r.other;
            good = in.status() == QDataStream::Ok && g >= 0 && g < groups.size();
            if (good) {
                r.group = groups.at(g);
                rows.push_back(std::move(r));
            }
        }
    }
    if (ok)
        *ok = good;
    if (!good)
        rows.clear();
    return rows;
}

std::vector<HistogramRow> mergeRows(std::vector<HistogramRow> rows)
{
    std::map<std::tuple<qint64, QString, bool>, qint64> sums;
    for (HistogramRow& r : rows)
        sums[{ r.bucket, std::move(r.group), r.other }] += r.count;
    std::vector<HistogramRow> out;
    out.reserve(sums.size());
    for (auto& [key, count] : sums)
        out.push_back({ std::get<0>(key), std::get<1>(key), count, std::get<2>(key) });
    return out;
}

std::optional<Histogram> cachedHistogram(
    EventStore& store, StoreSummaries& summaries, const HistogramQuery& q, JobControl* control, bool onlyCovered)
{
    Q_ASSERT(cacheable(q));
    const QString prefix = scopePrefix(q);
    const qint64 target = q.bucketSeconds > 0 ? q.bucketSeconds : Day;
    // An entry at a size dividing the request's serves it; the freshest, then the coarsest (fewest rows) wins.
    QString key;
    std::optional<CacheEntry> entry;
    qint64 base = 0;
    for (const QString& k : summaries.keys(prefix)) {
        const qint64 size = k.mid(prefix.size()).toLongLong();
        if (size <= 0 || target % size != 0)
            continue;
        std::optional<CacheEntry> e = summaries.get(k);
        if (e && (!entry || e->head > entry->head || (e->head == entry->head && size > base))) {
            entry = std::move(e);
            key = k;
            base = size;
        }
    }
    std::vector<HistogramRow> rows;
    bool ok = false;
    if (entry)
        rows = decodeRows(entry->value, &ok);
    if (onlyCovered && (!ok || summaries.head() - entry->head >= shortExtension))
        return std::nullopt;
    HistogramQuery count = q;
    count.from = {};
    count.to = {};
    count.topN = 1 << 20;
    if (!ok) {
        const qint64 span = summaries.firstTime().isValid() && summaries.lastTime().isValid()
            ? summaries.firstTime().secsTo(summaries.lastTime())
            : 0;
        base = baseBucketFor(q.bucketSeconds, span);
        key = prefix + QString::number(base);
        count.bucketSeconds = base;
        rows = mergeRows(countRows(store, count, -1, summaries.head(), control));
        summaries.put(key, encodeRows(rows));
    } else if (entry->head < summaries.head()) {
        count.bucketSeconds = base;
        std::vector<HistogramRow> added = countRows(store, count, entry->head + 1, summaries.head(), control);
        rows.insert(rows.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
        rows = mergeRows(std::move(rows));
        summaries.put(key, encodeRows(rows));
    }
    const qint64 from = q.from.isValid() ? q.from.toSecsSinceEpoch() : std::numeric_limits<qint64>::min();
    const qint64 to = q.to.isValid() ? q.to.toSecsSinceEpoch() : std::numeric_limits<qint64>::max();
    std::vector<HistogramRow> wanted;
    wanted.reserve(rows.size());
    for (const HistogramRow& r : rows) {
        if (r.bucket < from || r.bucket >= to)
            continue;
        wanted.push_back({ histogram::bucketStart(r.bucket, q.bucketSeconds), r.group, r.count, r.other });
    }
    Histogram h = Histogram::fromRows(wanted, q.bucketSeconds, q.topN);
    h.rowsFetched = 0;
    return h;
}

} // namespace es::activity
