#include "catalog/catalogscan.h"

#include "core/event.h"
#include "core/jsonpath.h"
#include "store/eventstore.h"
#include "store/job.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace es {

namespace {

qint64 integerAt(const CatalogRows& rows, size_t row, size_t column)
{
    if (row >= rows.size() || column >= rows[row].size() || !rows[row][column])
        return -1;
    bool ok = false;
    const qint64 v = rows[row][column]->toLongLong(&ok);
    return ok ? v : -1;
}

qint64 eventsIn(const CatalogRows& typeRows)
{
    qint64 n = 0;
    for (size_t i = 0; i < typeRows.size(); ++i)
        n += std::max<qint64>(0, integerAt(typeRows, i, 1));
    return n;
}

// A Sample statement's rows, by their tag, as the parts' own rows.
struct SampleRows {
    CatalogRows types;
    CatalogRows fields;
    CatalogRows shapes;
    CatalogRows values;
    qint64 inRanges = 0; // events inside the sample's ranges
};

SampleRows splitSample(const CatalogRows& rows)
{
    SampleRows out;
    for (const CatalogRow& row : rows) {
        if (row.empty() || !row[0])
            continue;
        const QString& tag = *row[0];
        CatalogRow part(row.begin() + 1, row.end());
        if (tag == QLatin1String("types")) {
            out.inRanges += std::max<qint64>(0, integerAt({ part }, 0, 7));
            out.types.push_back(std::move(part));
        } else if (tag == QLatin1String("fields")) {
            out.fields.push_back(std::move(part));
        } else if (tag == QLatin1String("shapes")) {
            out.shapes.push_back(std::move(part));
        } else if (tag == QLatin1String("values")) {
            out.values.push_back(std::move(part));
        }
    }
    return out;
}

void addSample(CatalogAccumulator& acc, const SampleRows& rows)
{
    acc.addTypes(rows.types, false);
    acc.addFields(rows.fields);
    acc.addShapes(rows.shapes);
    acc.addValueSummary(rows.values);
}

// Sizes the ranges of positions of statements that add up over ranges (exact type counts, fields, shapes) by time:
// the next range holds as many positions as the last statement read in about `seconds` (at most four times the last
// range, at least a quarter of it), so that a cancel loses little and no statement comes near a server's statement
// timeout. A range the server stopped at its timeout anyway (a busy server) is read again in halves.
class RangeSizer {
public:
    RangeSizer(qint64 positions, double seconds)
        : m_positions(std::max<qint64>(1, positions))
        , m_seconds(seconds)
    { }

    qint64 next() const { return m_positions; }

    template <class Read> void run(PositionRange range, const Read& read)
    {
        QElapsedTimer clock;
        clock.start();
        try {
            read(range);
        } catch (const StoreError& e) {
            if (e.kind() != StoreError::Kind::Timeout || range.to <= range.from)
                throw;
            const qint64 half = (range.to - range.from + 1) / 2;
            m_positions = std::max<qint64>(1, half / 2);
            run({ range.from, range.from + half - 1 }, read);
            run({ range.from + half, range.to }, read);
            return;
        }
        const double took = std::max(1e-3, double(clock.nsecsElapsed()) / 1e9);
        const qint64 positions = range.to - range.from + 1;
        if (m_seconds > 0) {
            const double fit = double(positions) * m_seconds / took;
            m_positions = std::max<qint64>(
                1, qint64(std::clamp(fit, double(std::max<qint64>(1, positions / 4)), double(positions) * 4)));
        }
    }

private:
    qint64 m_positions;
    double m_seconds;
};

} // namespace

std::vector<PositionRange> sampleRanges(qint64 first, qint64 last, qint64 width, int ranges)
{
    const qint64 span = last - first + 1;
    width = std::max<qint64>(1, width);
    ranges = std::max(1, ranges);
    if (span <= 0)
        return {};
    if (ranges == 1 || width >= span || width > span / ranges)
        return width * ranges >= span || ranges == 1 ? std::vector<PositionRange> { { first, last } }
                                                     : sampleRanges(first, last, span / ranges, ranges);
    std::vector<PositionRange> out;
    const double step = double(span - width) / double(ranges - 1);
    for (int i = 0; i < ranges; ++i) {
        const qint64 from = first + qint64(std::llround(step * i));
        out.push_back({ from, std::min(last, from + width - 1) });
    }
    return out;
}

TypeCatalog scanCatalog(EventStore& store, const CatalogOptions& options, JobControl* control,
    const std::function<void(const TypeCatalog&)>& partial, const CatalogProgress& progress)
{
    auto check = [control] {
        if (control)
            control->throwIfCancelled();
    };
    auto report = [&partial](const TypeCatalog& catalog) {
        if (partial)
            partial(catalog);
    };
    auto tell = [&](qint64 done, qint64 total, const QString& what) {
        if (progress)
            progress(done, total, what);
        else if (control)
            control->progress(done, total, what);
    };
    CatalogRequest request;
    request.filter = options.scope;
    request.limit = options.topValues;
    request.part = CatalogPart::Bounds;
    const CatalogRows bounds = store.catalogRows(request);
    TypeCatalog catalog;
    catalog.scope = options.scope;
    catalog.firstPosition = integerAt(bounds, 0, 0);
    catalog.lastPosition = integerAt(bounds, 0, 1);
    if (catalog.firstPosition < 0 || catalog.lastPosition < catalog.firstPosition) {
        catalog.countsExact = catalog.fieldsExact = catalog.valuesExact = catalog.streamsExact = true;
        catalog.firstPosition = catalog.lastPosition = -1;
        report(catalog);
        return catalog;
    }
    if (!bounds.empty() && bounds[0].size() > 3) {
        if (bounds[0][2])
            catalog.firstTime = parseStoreTime(bounds[0][2]->toUtf8());
        if (bounds[0][3])
            catalog.lastTime = parseStoreTime(bounds[0][3]->toUtf8());
    }
    const qint64 first = catalog.firstPosition;
    const qint64 last = catalog.lastPosition;
    check();
    CatalogAccumulator acc;

    // Counts first. A small scope's rates are counted outright (EventStore::estimateHistogram counts below 65,536
    // positions) and come with the first answer; a large one's counts are estimated from 256 narrow key ranges (a
    // page or two each), its rates from the engine's finer key-range sample right after the first answer.
    const qint64 span = last - first + 1;
    const bool small = span < 65536;
    auto readRates = [&] {
        if (options.rateBuckets <= 0 || !catalog.firstTime.isValid() || !catalog.lastTime.isValid())
            return;
        HistogramQuery q;
        q.filter = options.scope;
        q.groupBy = HistogramQuery::GroupBy::Type;
        q.topN = 100000;
        q.bucketSeconds = histogram::chooseBucketSeconds(
            std::max<qint64>(1, catalog.firstTime.secsTo(catalog.lastTime)), options.rateBuckets);
        try {
            acc.addRate(store.estimateHistogram(q));
        } catch (const StoreError& e) {
            if (e.kind() == StoreError::Kind::Cancelled)
                throw;
            // An engine without histograms: no rates; counts from the sample until they are exact.
        }
        check();
    };
    if (small) {
        readRates();
    } else {
        // The whole table of a store with planner statistics (PostgreSQL's pg_stats): its most common types and
        // their frequencies, read from the catalog in a few milliseconds. Else 256 narrow ranges of positions.
        if (options.scope.isEmpty() && options.scope.minKey < 0 && options.scope.maxKey < 0) {
            request.part = CatalogPart::TypeStatistics;
            catalog.countsFromStatistics = acc.addStatistics(store.catalogRows(request), span);
            check();
        }
        if (!catalog.countsFromStatistics) {
            request.part = CatalogPart::Types;
            request.withStreams = false;
            request.ranges = sampleRanges(first, last, 32, 256);
            qint64 positions = 0;
            for (const PositionRange& r : request.ranges)
                positions += r.to - r.from + 1;
            acc.addEstimate(store.catalogRows(request), double(span) / double(std::max<qint64>(1, positions)));
            request.withStreams = true;
            request.ranges.clear();
            check();
        }
    }

    // Whether an index on the type serves reading one type's events (probed once, when a rare type needs it).
    std::optional<bool> typeIndexed;
    auto indexed = [&] {
        if (!typeIndexed) {
            CatalogRequest probe;
            probe.part = CatalogPart::TypeIndexed;
            probe.filter = options.scope;
            const CatalogRows rows = store.catalogRows(probe);
            typeIndexed = integerAt(rows, 0, 0) == 1;
            check();
        }
        return *typeIndexed;
    };

    // Rare types: those the estimate expects fewer than options.rareEvents of in the sample. Read by their type as
    // well, in the same statement, where that read is cheap: through an index on the type, or in a small scope.
    QStringList rare;
    {
        const TypeCatalog estimated = acc.result(catalog);
        qint64 total = 0;
        for (const TypeSummary& t : estimated.types)
            total += std::max<qint64>(0, t.count);
        for (const TypeSummary& t : estimated.types) {
            if (t.count > 0
                && double(t.count) * double(options.sampleEvents) < double(options.rareEvents) * double(total))
                rare.append(t.type);
        }
        if (!rare.isEmpty() && options.rareEvents > 0) {
            request.byIndex = indexed();
            if (!request.byIndex && span > options.rareScanPositions)
                rare.clear(); // read once the exact counts are known
        }
    }

    // The sample: ranges of positions, widened while they hold too few of the scope's events (a category spread
    // thinly over the log). One statement reads the events once for their types, fields, shapes and values.
    const int rangeCount = std::max(1, options.sampleRanges);
    qint64 width = std::max<qint64>(1, options.sampleEvents / rangeCount);
    std::vector<PositionRange> ranges = sampleRanges(first, last, width, rangeCount);
    SampleRows sampleRows;
    for (int attempt = 0;; ++attempt) {
        const bool whole = ranges.size() == 1 && ranges.front().from <= first && ranges.front().to >= last;
        request.part = CatalogPart::Sample;
        request.ranges = whole ? std::vector<PositionRange> {} : ranges;
        request.rangeSample = true;
        request.sampleTypes = whole ? QStringList() : rare;
        request.perType = options.rareEvents;
        sampleRows = splitSample(store.catalogRows(request));
        check();
        if (whole || sampleRows.inRanges >= options.sampleEvents / 2 || attempt == 4)
            break;
        width *= std::clamp<qint64>(options.sampleEvents / std::max<qint64>(1, sampleRows.inRanges), 2, 64);
        ranges = sampleRanges(first, last, width, rangeCount);
    }
    const bool whole = ranges.size() == 1 && ranges.front().from <= first && ranges.front().to >= last;
    if (whole)
        ranges.clear();
    addSample(acc, sampleRows);
    if (whole)
        acc.addTypes(sampleRows.types, true);
    request.sampleTypes.clear();
    request.perType = 0;
    request.ranges = ranges;
    const CatalogRows& sampleTypes = sampleRows.types;
    catalog.sample = ranges;
    catalog.sampleEvents = eventsIn(sampleTypes);
    catalog.countsExact = catalog.fieldsExact = catalog.valuesExact = catalog.streamsExact = whole;
    catalog.countsEstimated = !whole;
    report(acc.result(catalog));
    if (!small) {
        readRates();
        report(acc.result(catalog));
    }
    if (whole || (!options.exactCounts && !options.exact))
        return acc.result(catalog);

    if (options.exactCounts) {
        // Exact counts, positions and times by ranges of positions: they add up over ranges (streams do not). At least
        // options.countChunks statements, more where one would take longer than options.statementSeconds.
        const qint64 chunks = std::clamp<qint64>(options.countChunks, 1, span);
        const qint64 step = (span + chunks - 1) / chunks;
        RangeSizer sizer(step, options.statementSeconds);
        request.part = CatalogPart::Types;
        request.withStreams = false;
        request.ranges.clear();
        CatalogRows counted;
        for (qint64 from = first; from <= last;) {
            const PositionRange range { from, std::min(last, from + std::min(step, sizer.next()) - 1) };
            sizer.run(range, [&](const PositionRange& r) {
                request.ranges = { r };
                const CatalogRows rows = store.catalogRows(request);
                counted.insert(counted.end(), rows.begin(), rows.end());
                check();
            });
            from = range.to + 1;
            tell(range.to - first + 1, span, QStringLiteral("Counting types"));
        }
        acc.addTypes(counted, true);
        request.withStreams = true;
        catalog.countsExact = true;
        catalog.countsEstimated = catalog.countsFromStatistics = false;
        report(acc.result(catalog));

        // Exact streams per type, a partition of the stream names per statement.
        request.part = CatalogPart::TypeStreams;
        request.ranges.clear();
        request.partitions = std::max(1, options.streamPartitions);
        for (int k = 0; k < request.partitions; ++k) {
            request.partition = k;
            acc.addTypeStreams(store.catalogRows(request));
            check();
            tell(k + 1, request.partitions, QStringLiteral("Counting streams"));
        }
        acc.streamsDone();
        catalog.streamsExact = true;
        if (!options.exact && options.rareEvents > 0) {
            // Types the sample still holds few events of, now that their counts and spans are known: each read by
            // its type alone, its sample replaced.
            // Few: under a fifth of options.rareEvents (and of its count); each such type gets up to rareEvents.
            const qint64 few = std::max(1, options.rareEvents / 5);
            QStringList needy;
            qint64 from = -1;
            qint64 to = -1;
            for (const TypeSummary& t : acc.result(catalog).types) {
                if (t.sampledEvents < std::min<qint64>(t.count, few)) {
                    needy.append(t.type);
                    acc.clearSample(t.type);
                    from = from < 0 ? t.firstPosition : std::min(from, t.firstPosition);
                    to = std::max(to, t.lastPosition);
                }
            }
            if (!needy.isEmpty() && from >= 0) {
                request.part = CatalogPart::Sample;
                request.rangeSample = false;
                request.ranges.clear();
                request.perType = options.rareEvents;
                request.byIndex = indexed();
                // Without an index, in chunks of positions across the types' span (each statement stays short),
                // until each type has its sample.
                const qint64 step = request.byIndex || to - from < options.rareScanPositions
                    ? to - from + 1
                    : std::max<qint64>(
                        options.rareScanPositions, (span + options.countChunks - 1) / options.countChunks);
                std::map<QString, qint64> got;
                for (qint64 at = from; at <= to && !needy.isEmpty(); at += step) {
                    request.sampleTypes = needy;
                    request.typeSpan = PositionRange { at, std::min(to, at + step - 1) };
                    const SampleRows rows = splitSample(store.catalogRows(request));
                    addSample(acc, rows);
                    check();
                    for (const CatalogRow& row : rows.types)
                        got[row[0].value_or(QString())] += std::max<qint64>(0, integerAt({ row }, 0, 1));
                    const TypeCatalog now = acc.result(catalog);
                    needy.removeIf([&](const QString& type) {
                        const TypeSummary* t = now.find(type);
                        return !t || got[type] >= std::min<qint64>(t->count, few);
                    });
                    tell(std::min(to, at + step - 1) - from + 1, to - from + 1, QStringLiteral("Sampling rare types"));
                }
                request.typeSpan.reset();
                request.sampleTypes.clear();
                request.perType = 0;
                request.rangeSample = true;
            }
        }
        if (!options.exact) {
            TypeCatalog done = acc.result(catalog);
            report(done);
            return done;
        }
        report(acc.result(catalog));
    }

    // Exact fields and shapes, a range of positions per statement, sized by time from options.chunkPositions.
    acc.clearFields();
    request.partitions = 1;
    // Each statement sized by its own times (fields cost several times what shapes do), the range by the slower.
    RangeSizer fieldsSizer(options.chunkPositions, options.statementSeconds);
    RangeSizer shapesSizer(options.chunkPositions, options.statementSeconds);
    for (qint64 from = first; from <= last;) {
        const PositionRange range { from, std::min(last, from + std::min(fieldsSizer.next(), shapesSizer.next()) - 1) };
        request.part = CatalogPart::Fields;
        fieldsSizer.run(range, [&](const PositionRange& r) {
            request.ranges = { r };
            acc.addFields(store.catalogRows(request));
            check();
        });
        request.part = CatalogPart::Shapes;
        shapesSizer.run(range, [&](const PositionRange& r) {
            request.ranges = { r };
            acc.addShapes(store.catalogRows(request));
            check();
        });
        from = range.to + 1;
        tell(range.to - first + 1, span, QStringLiteral("Reading fields and shapes"));
    }
    catalog.fieldsExact = true;
    TypeCatalog done = acc.result(catalog);
    report(done);
    return done;
}

bool parseCatalogPath(const QString& path, QString* root, QStringList* keys, QString* error)
{
    const QStringView text(path);
    QString r;
    if (text.startsWith(QLatin1String("data")))
        r = QStringLiteral("data");
    else if (text.startsWith(QLatin1String("metadata")))
        r = QStringLiteral("metadata");
    qsizetype pos = r.size();
    if (r.isEmpty() || pos >= text.size() || (text[pos] != u'.' && text[pos] != u'[')) {
        *error
            = QStringLiteral("\"%1\" is not a path of data or metadata (e.g. data.email, metadata.userId)").arg(path);
        return false;
    }
    const std::optional<JsonPath> parsed = JsonPath::read(text, &pos, error);
    if (!parsed)
        return false;
    if (pos != text.size()) {
        *error = QStringLiteral("\"%1\": unexpected text after the path").arg(path);
        return false;
    }
    QStringList out;
    for (const JsonPath::Step& s : parsed->steps()) {
        if (s.isIndex()) {
            *error = QStringLiteral("\"%1\": the catalog's paths name object keys only, not array elements").arg(path);
            return false;
        }
        out.append(s.key);
    }
    *root = r;
    *keys = out;
    return true;
}

std::vector<PathValue> pathValues(EventStore& store, const ValuesQuery& query)
{
    CatalogRequest request;
    request.part = CatalogPart::Values;
    request.filter = query.scope;
    request.type = query.type;
    request.duplicates = query.duplicates;
    request.limit = query.limit;
    QString error;
    if (!parseCatalogPath(query.path, &request.root, &request.path, &error))
        throw StoreError(error);
    std::vector<PathValue> out;
    for (const CatalogRow& row : store.catalogRows(request)) {
        PathValue v;
        v.value = row.size() > 0 && row[0] ? *row[0] : QString();
        v.count = row.size() > 1 && row[1] ? row[1]->toLongLong() : 0;
        if (row.size() > 2 && row[2]) {
            for (const QJsonValue& s : QJsonDocument::fromJson(row[2]->toUtf8()).array())
                v.streams.append(s.toString());
            v.streams.sort();
        }
        out.push_back(std::move(v));
    }
    return out;
}

} // namespace es
