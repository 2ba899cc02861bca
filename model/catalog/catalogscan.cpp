#include "catalog/catalogscan.h"

#include "core/event.h"
#include "core/jsonpath.h"
#include "store/eventstore.h"
#include "store/job.h"

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

    // The sample: ranges of positions, widened while they hold too few of the scope's events (a category spread
    // thinly over the log).
    const int rangeCount = std::max(1, options.sampleRanges);
    qint64 width = std::max<qint64>(1, options.sampleEvents / rangeCount);
    std::vector<PositionRange> ranges = sampleRanges(first, last, width, rangeCount);
    CatalogRows sampleTypes;
    for (int attempt = 0;; ++attempt) {
        request.part = CatalogPart::Types;
        request.ranges = ranges;
        sampleTypes = store.catalogRows(request);
        check();
        const qint64 found = eventsIn(sampleTypes);
        const bool whole = ranges.size() == 1 && ranges.front().from <= first && ranges.front().to >= last;
        if (whole || found >= options.sampleEvents / 2 || attempt == 4)
            break;
        width *= std::clamp<qint64>(options.sampleEvents / std::max<qint64>(1, found), 2, 64);
        ranges = sampleRanges(first, last, width, rangeCount);
    }
    const bool whole = ranges.size() == 1 && ranges.front().from <= first && ranges.front().to >= last;
    if (whole)
        ranges.clear();
    acc.addTypes(sampleTypes, false);
    if (whole)
        acc.addTypes(sampleTypes, true);
    request.ranges = ranges;
    for (const CatalogPart part : { CatalogPart::Fields, CatalogPart::Shapes, CatalogPart::ValueSummary }) {
        request.part = part;
        const CatalogRows rows = store.catalogRows(request);
        check();
        if (part == CatalogPart::Fields)
            acc.addFields(rows);
        else if (part == CatalogPart::Shapes)
            acc.addShapes(rows);
        else
            acc.addValueSummary(rows);
    }
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
        // Exact counts, positions and times by ranges of positions: they add up over ranges (streams do not).
        const qint64 chunks = std::clamp<qint64>(options.countChunks, 1, span);
        const qint64 step = (span + chunks - 1) / chunks;
        request.part = CatalogPart::Types;
        request.withStreams = false;
        request.ranges.clear();
        CatalogRows counted;
        for (qint64 i = 0; i < chunks; ++i) {
            const qint64 from = first + i * step;
            if (from > last)
                break;
            request.ranges = { { from, std::min(last, from + step - 1) } };
            const CatalogRows rows = store.catalogRows(request);
            counted.insert(counted.end(), rows.begin(), rows.end());
            check();
            tell(i + 1, chunks, QStringLiteral("Counting types"));
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
        if (!options.exact) {
            TypeCatalog done = acc.result(catalog);
            report(done);
            return done;
        }
        report(acc.result(catalog));
    }

    // Exact fields and shapes, a chunk of positions per statement.
    acc.clearFields();
    const qint64 chunk = std::max<qint64>(1, options.chunkPositions);
    const qint64 chunks = (last - first) / chunk + 1;
    request.partitions = 1;
    for (qint64 i = 0; i < chunks; ++i) {
        const qint64 from = first + i * chunk;
        request.ranges = { { from, std::min(last, from + chunk - 1) } };
        request.part = CatalogPart::Fields;
        acc.addFields(store.catalogRows(request));
        check();
        request.part = CatalogPart::Shapes;
        acc.addShapes(store.catalogRows(request));
        check();
        tell(i + 1, chunks, QStringLiteral("Reading fields and shapes"));
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
