#include "catalog/typecatalog.h"

#include "core/event.h"
#include "core/jsonpath.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace es {

namespace {

qint64 integer(const CatalogRow& row, size_t column, qint64 fallback = -1)
{
    if (column >= row.size() || !row[column])
        return fallback;
    bool ok = false;
    const qint64 v = row[column]->toLongLong(&ok);
    return ok ? v : fallback;
}

QString text(const CatalogRow& row, size_t column)
{
    return column < row.size() && row[column] ? *row[column] : QString();
}

std::optional<double> number(const CatalogRow& row, size_t column)
{
    if (column >= row.size() || !row[column])
        return std::nullopt;
    bool ok = false;
    const double v = row[column]->toDouble(&ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

QStringList keysOf(const QString& json)
{
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array())
        out.append(v.toString());
    return out;
}

void widen(qint64& first, qint64& last, qint64 from, qint64 to)
{
    if (from >= 0 && (first < 0 || from < first))
        first = from;
    if (to >= 0 && to > last)
        last = to;
}

QDateTime time(const CatalogRow& row, size_t column)
{
    const QString t = text(row, column);
    return t.isEmpty() ? QDateTime() : parseStoreTime(t.toUtf8());
}

} // namespace

QString driftKindName(DriftFlag::Kind kind)
{
    switch (kind) {
    case DriftFlag::Kind::FieldAppeared:
        return QStringLiteral("fieldAppeared");
    case DriftFlag::Kind::FieldVanished:
        return QStringLiteral("fieldVanished");
    case DriftFlag::Kind::PathTypeChanged:
        return QStringLiteral("pathTypeChanged");
    case DriftFlag::Kind::PathTypeMixed:
        return QStringLiteral("pathTypeMixed");
    case DriftFlag::Kind::LateShape:
        return QStringLiteral("lateShape");
    case DriftFlag::Kind::TypeStopped:
        return QStringLiteral("typeStopped");
    }
    return {};
}

QString jsonTypeName(const QString& engineType)
{
    if (engineType == QLatin1String("integer") || engineType == QLatin1String("real"))
        return QStringLiteral("number");
    if (engineType == QLatin1String("true") || engineType == QLatin1String("false"))
        return QStringLiteral("boolean");
    if (engineType == QLatin1String("text"))
        return QStringLiteral("string");
    return engineType;
}

qint64 FieldStats::firstPosition() const
{
    qint64 first = -1;
    for (const auto& [name, t] : types) {
        if (t.firstPosition >= 0 && (first < 0 || t.firstPosition < first))
            first = t.firstPosition;
    }
    return first;
}

qint64 FieldStats::lastPosition() const
{
    qint64 last = -1;
    for (const auto& [name, t] : types)
        last = std::max(last, t.lastPosition);
    return last;
}

const TypeSummary* TypeCatalog::find(const QString& type) const
{
    const auto it = std::lower_bound(
        types.begin(), types.end(), type, [](const TypeSummary& t, const QString& name) { return t.type < name; });
    return it != types.end() && it->type == type ? &*it : nullptr;
}

CatalogAccumulator::TypeAcc& CatalogAccumulator::type(const QString& name)
{
    TypeAcc& t = m_types[name];
    t.summary.type = name;
    return t;
}

void CatalogAccumulator::addTypes(const CatalogRows& rows, bool exact)
{
    for (const CatalogRow& row : rows) {
        TypeAcc& t = type(text(row, 0));
        TypeSummary& s = t.summary;
        const qint64 count = integer(row, 1, 0);
        const qint64 streams = integer(row, 2);
        if (!exact) {
            s.sampledEvents += count;
            t.sampleStreams += std::max<qint64>(0, streams);
            if (t.exact)
                continue;
        } else if (!t.exact) {
            // Exact counts replace the sample's.
            s.count = 0;
            s.streams = -1;
            s.firstPosition = s.lastPosition = -1;
            s.firstTime = s.lastTime = {};
            t.exact = true;
        }
        s.count += count;
        if (exact && streams >= 0) {
            // Counted over the whole scope in one statement: exact.
            s.streams = std::max<qint64>(0, s.streams) + streams;
            s.streamsExact = true;
        }
        widen(s.firstPosition, s.lastPosition, integer(row, 3), integer(row, 4));
        const QDateTime first = time(row, 5);
        const QDateTime last = time(row, 6);
        if (first.isValid() && (!s.firstTime.isValid() || first < s.firstTime))
            s.firstTime = first;
        if (last.isValid() && (!s.lastTime.isValid() || last > s.lastTime))
            s.lastTime = last;
    }
}

void CatalogAccumulator::addTypeStreams(const CatalogRows& rows)
{
    for (const CatalogRow& row : rows)
        type(text(row, 0)).partitionStreams += integer(row, 1, 0);
}

void CatalogAccumulator::streamsDone()
{
    for (auto& [name, t] : m_types) {
        t.summary.streams = t.partitionStreams;
        t.summary.streamsExact = true;
    }
    m_streamsExact = true;
}

void CatalogAccumulator::addEstimate(const CatalogRows& rows, double scale)
{
    for (const CatalogRow& row : rows) {
        TypeAcc& t = type(text(row, 0));
        const qint64 sampled = integer(row, 1, 0);
        t.estimate = std::max<qint64>(0, t.estimate) + std::llround(double(sampled) * scale);
        t.margin = std::llround(2.0 * scale * std::sqrt(double(std::max<qint64>(1, sampled))));
    }
}

bool CatalogAccumulator::addStatistics(const CatalogRows& rows, qint64 positions)
{
    if (rows.empty() || positions <= 0)
        return false;
    const std::optional<double> tuples = number(rows.front(), 2);
    const double sampled = std::max<double>(1.0, double(integer(rows.front(), 3, 30000)));
    if (!tuples || *tuples < 0.9 * double(positions) || *tuples > 1.1 * double(positions))
        return false;
    const double n = std::min(*tuples, double(positions));
    const double sample = std::min(sampled, n);
    double common = 0;
    for (const CatalogRow& row : rows) {
        const std::optional<double> f = number(row, 1);
        if (!row[0] || !f)
            continue;
        TypeAcc& t = type(*row[0]);
        const double p = std::clamp(*f, 0.0, 1.0);
        common += p;
        t.estimate = std::llround(p * n);
        // With the finite population correction: a table ANALYZE read whole has exact frequencies.
        const double se = std::sqrt(p * (1.0 - p) / sample * std::max(0.0, 1.0 - sample / n));
        t.margin = std::llround(2.0 * n * se + p * (double(positions) - n));
    }
    // A type the sample finds that ANALYZE's did not: its share is below about 3 / sample (95%), and at most what the
    // most common ones leave.
    const double rest = std::max(0.0, 1.0 - common);
    m_statsRare = 0;
    m_statsRareMargin = std::llround(std::min(rest, 3.0 / sample) * n);
    return true;
}

void CatalogAccumulator::addRate(const Histogram& histogram)
{
    m_rateBucketSeconds = histogram.bucketSeconds;
    m_rateEstimated = histogram.estimated;
    for (auto& [name, t] : m_types)
        t.rate.clear();
    for (int g = 0; g < histogram.groups.size(); ++g) {
        if (histogram.hasOther && g == histogram.groups.size() - 1)
            continue;
        TypeAcc& t = type(histogram.groups.at(g));
        qint64 total = 0;
        for (size_t b = 0; b < histogram.buckets.size(); ++b) {
            const qint64 n = histogram.counts[b][size_t(g)];
            if (n > 0)
                t.rate[histogram.buckets[b]] += n;
            total += n;
        }
        // The first answer's estimate (key ranges or statistics) comes with its margin: it stays until the exact
        // counts replace it.
        if (t.estimate < 0) {
            t.estimate = total;
            t.margin = histogram.estimated ? -1 : 0;
        }
    }
}

void CatalogAccumulator::addFields(const CatalogRows& rows)
{
    for (const CatalogRow& row : rows) {
        TypeAcc& t = type(text(row, 0));
        const QString root = text(row, 1);
        const QString pathJson = text(row, 2);
        FieldAcc& f = t.fields[{ root, QStringList(keysOf(pathJson)).join(QChar(0)) }];
        FieldStats& s = f.stats;
        if (s.path.isEmpty()) {
            s.root = root;
            s.keys = keysOf(pathJson);
            s.path = JsonPath::objectKeys(s.keys).toString(root);
        }
        const qint64 count = integer(row, 4, 0);
        s.count += count;
        JsonTypeStats& j = s.types[jsonTypeName(text(row, 3))];
        j.count += count;
        widen(j.firstPosition, j.lastPosition, integer(row, 5), integer(row, 6));
        if (const auto v = number(row, 7); v && (!s.minNumber || *v < *s.minNumber))
            s.minNumber = v;
        if (const auto v = number(row, 8); v && (!s.maxNumber || *v > *s.maxNumber))
            s.maxNumber = v;
        if (const qint64 v = integer(row, 9); v >= 0 && (s.minLength < 0 || v < s.minLength))
            s.minLength = v;
        s.maxLength = std::max(s.maxLength, integer(row, 10));
    }
}

void CatalogAccumulator::addShapes(const CatalogRows& rows)
{
    for (const CatalogRow& row : rows) {
        TypeAcc& t = type(text(row, 0));
        const QString kind = text(row, 1);
        const qint64 count = integer(row, 3, 0);
        const qint64 first = integer(row, 4);
        const qint64 last = integer(row, 5);
        PayloadKindStats& k = t.payloads[kind + QChar(0) + text(row, 6)];
        k.kind = kind;
        k.encoding = text(row, 6);
        k.count += count;
        widen(k.firstPosition, k.lastPosition, first, last);
        if (!row[2])
            continue;
        const QStringList fields = keysOf(*row[2]);
        ShapeStats& s = t.shapes[fields.join(QChar(0))];
        s.fields = fields;
        s.count += count;
        widen(s.firstPosition, s.lastPosition, first, last);
    }
}

void CatalogAccumulator::addValueSummary(const CatalogRows& rows)
{
    for (const CatalogRow& row : rows) {
        TypeAcc& t = type(text(row, 0));
        const QString root = text(row, 1);
        const QStringList keys = keysOf(text(row, 2));
        FieldAcc& f = t.fields[{ root, keys.join(QChar(0)) }];
        if (f.stats.path.isEmpty()) {
            f.stats.root = root;
            f.stats.keys = keys;
            f.stats.path = JsonPath::objectKeys(keys).toString(root);
        }
        if (text(row, 3) == QLatin1String("top")) {
            f.stats.topValues.push_back({ text(row, 4), integer(row, 5, 0) });
        } else {
            const qint64 n = integer(row, 4, 0);
            const qint64 values = integer(row, 5, 0);
            f.frequencies[n] += values;
            f.observed += n * values;
        }
    }
}

void CatalogAccumulator::clearFields()
{
    for (auto& [name, t] : m_types) {
        for (auto& [key, f] : t.fields) {
            FieldStats kept;
            kept.root = f.stats.root;
            kept.keys = f.stats.keys;
            kept.path = f.stats.path;
            kept.topValues = f.stats.topValues;
            f.stats = kept;
        }
        t.shapes.clear();
        t.payloads.clear();
    }
}

void CatalogAccumulator::clearSample(const QString& name)
{
    const auto it = m_types.find(name);
    if (it == m_types.end())
        return;
    TypeAcc& t = it->second;
    t.summary.sampledEvents = 0;
    t.sampleStreams = 0;
    t.fields.clear();
    t.shapes.clear();
    t.payloads.clear();
}

TypeCatalog CatalogAccumulator::result(TypeCatalog catalog) const
{
    catalog.types.clear();
    catalog.streamsExact = catalog.streamsExact || m_streamsExact;
    catalog.rateBucketSeconds = m_rateBucketSeconds;
    catalog.rateEstimated = m_rateEstimated;
    catalog.rateBuckets.clear();
    if (m_rateBucketSeconds > 0 && catalog.firstTime.isValid() && catalog.lastTime.isValid()) {
        // Every bucket of the scope's span, empty ones included, so the sparklines share one time axis.
        qint64 b = histogram::bucketStart(catalog.firstTime.toSecsSinceEpoch(), m_rateBucketSeconds);
        const qint64 end = catalog.lastTime.toSecsSinceEpoch();
        while (b <= end && catalog.rateBuckets.size() < 10000) {
            catalog.rateBuckets.push_back(b);
            b = histogram::bucketEnd(b, m_rateBucketSeconds);
        }
    }
    for (const auto& [name, t] : m_types) {
        // Once counted, a type the statistics named but no event of the scope has is gone.
        if (catalog.countsExact && !t.exact)
            continue;
        TypeSummary s = t.summary;
        s.sampled = !catalog.fieldsExact;
        if (!t.exact && t.estimate < 0 && m_statsRare >= 0) {
            s.count = std::max(m_statsRare, s.count);
            s.countEstimated = true;
            s.countMargin = m_statsRareMargin;
        } else if (!t.exact && t.estimate >= 0) {
            s.count = std::max(t.estimate, s.count);
            s.countEstimated = true;
            s.countMargin = t.margin;
        }
        if (!s.streamsExact) {
            // Streams per event as in the sample, times the events: about right when a stream holds few events of
            // the type; never fewer than the sample saw.
            s.streams = s.sampledEvents > 0
                ? std::max(t.sampleStreams, qint64(std::llround(double(t.sampleStreams) * s.count / s.sampledEvents)))
                : -1;
        }
        if (!catalog.rateBuckets.empty()) {
            s.rate.assign(catalog.rateBuckets.size(), 0);
            size_t i = 0;
            for (const auto& [bucket, n] : t.rate) {
                while (i < catalog.rateBuckets.size() && catalog.rateBuckets[i] < bucket)
                    ++i;
                if (i < catalog.rateBuckets.size() && catalog.rateBuckets[i] == bucket)
                    s.rate[i] += n;
            }
        }
        // Occurrences of a path in the whole scope, estimated from the sample, for the distinct estimate (GEE,
        // Charikar et al. 2000: sqrt(N/n) * values seen once + values seen more often).
        const double scale = s.sampledEvents > 0 && s.count > s.sampledEvents ? double(s.count) / s.sampledEvents : 1.0;
        for (const auto& [key, f] : t.fields) {
            FieldStats field = f.stats;
            std::sort(field.topValues.begin(), field.topValues.end(), [](const ValueCount& a, const ValueCount& b) {
                return a.count != b.count ? a.count > b.count : a.value < b.value;
            });
            if (f.observed > 0) {
                qint64 once = 0;
                qint64 more = 0;
                for (const auto& [n, values] : f.frequencies)
                    (n == 1 ? once : more) += values;
                const double total
                    = std::max<double>(double(f.observed), double(field.count) * (catalog.fieldsExact ? 1.0 : scale));
                const double estimate
                    = catalog.valuesExact ? double(once + more) : std::sqrt(total / f.observed) * once + more;
                field.distinctEstimate = qint64(std::llround(std::min(estimate, total)));
            }
            if (field.types.empty() && field.topValues.empty())
                continue;
            s.fields.push_back(std::move(field));
        }
        std::sort(
            s.fields.begin(), s.fields.end(), [](const FieldStats& a, const FieldStats& b) { return a.path < b.path; });
        for (const auto& [key, shape] : t.shapes)
            s.shapes.push_back(shape);
        std::sort(s.shapes.begin(), s.shapes.end(), [](const ShapeStats& a, const ShapeStats& b) {
            return a.firstPosition != b.firstPosition ? a.firstPosition < b.firstPosition : a.fields < b.fields;
        });
        for (const auto& [kind, k] : t.payloads)
            s.payloads.push_back(k);
        std::sort(s.payloads.begin(), s.payloads.end(), [](const PayloadKindStats& a, const PayloadKindStats& b) {
            return a.count != b.count ? a.count > b.count : a.kind < b.kind;
        });
        s.drift = computeDrift(s, catalog.firstPosition, catalog.lastPosition);
        catalog.types.push_back(std::move(s));
    }
    return catalog;
}

std::vector<DriftFlag> computeDrift(const TypeSummary& type, qint64 scopeFirst, qint64 scopeLast)
{
    std::vector<DriftFlag> flags;
    const qint64 first = type.firstPosition;
    const qint64 last = type.lastPosition;
    for (const FieldStats& f : type.fields) {
        if (f.root == QLatin1String("data") && f.keys.size() == 1 && !type.shapes.empty()) {
            const qint64 from = f.firstPosition();
            const qint64 to = f.lastPosition();
            // Every event of the type within the field's span carries it: no shape without it overlaps the span.
            const bool steady = std::none_of(type.shapes.begin(), type.shapes.end(), [&](const ShapeStats& s) {
                return !s.fields.contains(f.keys.front()) && s.lastPosition >= from && s.firstPosition <= to;
            });
            if (steady && from > first) {
                flags.push_back({ DriftFlag::Kind::FieldAppeared, f.path, {}, from,
                    QStringLiteral("%1 appeared at position %2; earlier %3 events lack it")
                        .arg(f.path, QString::number(from), type.type) });
            }
            if (steady && to >= 0 && to < last) {
                flags.push_back({ DriftFlag::Kind::FieldVanished, f.path, {}, to,
                    QStringLiteral("%1 last seen at position %2; later %3 events lack it")
                        .arg(f.path, QString::number(to), type.type) });
            }
        }
        if (f.types.size() >= 2) {
            std::vector<std::pair<QString, JsonTypeStats>> spans(f.types.begin(), f.types.end());
            std::sort(spans.begin(), spans.end(),
                [](const auto& a, const auto& b) { return a.second.firstPosition < b.second.firstPosition; });
            bool ordered = true;
            for (size_t i = 1; i < spans.size(); ++i)
                ordered = ordered && spans[i].second.firstPosition > spans[i - 1].second.lastPosition;
            QStringList parts;
            for (const auto& [name, t] : spans)
                parts.append(QStringLiteral("%1 %2-%3").arg(name).arg(t.firstPosition).arg(t.lastPosition));
            const qint64 at = ordered ? spans.back().second.firstPosition : spans[1].second.firstPosition;
            flags.push_back(
                { ordered ? DriftFlag::Kind::PathTypeChanged : DriftFlag::Kind::PathTypeMixed, f.path, {}, at,
                    QStringLiteral("%1 %2: %3")
                        .arg(f.path, ordered ? QStringLiteral("changed type") : QStringLiteral("has mixed types"),
                            parts.join(QStringLiteral(", "))) });
        }
    }
    if (type.shapes.size() >= 2 && last > first) {
        for (const ShapeStats& s : type.shapes) {
            if (s.firstPosition > first + (last - first) / 2) {
                flags.push_back({ DriftFlag::Kind::LateShape, {}, s.fields, s.firstPosition,
                    QStringLiteral("shape {%1} first seen at position %2, late in %3's span %4-%5")
                        .arg(s.fields.join(QStringLiteral(", ")), QString::number(s.firstPosition), type.type,
                            QString::number(first), QString::number(last)) });
            }
        }
    }
    if (last >= 0 && scopeLast > last && scopeLast > scopeFirst) {
        const double meanGap = type.count > 1 ? double(last - first) / double(type.count - 1) : 0.0;
        const double quiet = double(scopeLast - last);
        if (quiet > 0.1 * double(scopeLast - scopeFirst) && quiet > 10.0 * meanGap) {
            flags.push_back({ DriftFlag::Kind::TypeStopped, {}, {}, last,
                QStringLiteral("%1 last written at position %2; the scope goes on to %3")
                    .arg(type.type, QString::number(last), QString::number(scopeLast)) });
        }
    }
    std::stable_sort(
        flags.begin(), flags.end(), [](const DriftFlag& a, const DriftFlag& b) { return a.position < b.position; });
    return flags;
}

} // namespace es
