#include "catalog/coverage.h"

#include "fold/js/jsreducer.h"
#include "fold/reducercatalog.h"
#include "store/eventstore.h"
#include "store/job.h"

#include <algorithm>

namespace es {

namespace {

qint64 cell(const CatalogRow& row, size_t column)
{
    if (column >= row.size() || !row[column])
        return -1;
    bool ok = false;
    const qint64 v = row[column]->toLongLong(&ok);
    return ok ? v : -1;
}

// The reads of one type's handler (and $any's) that some of its events lack, counted by the database.
std::vector<MissingRead> missingReads(EventStore& store, const TypeCatalog& catalog, const QString& type,
    const std::vector<HandlerReading::Read>& reads, bool sampled)
{
    CatalogRequest request;
    request.part = CatalogPart::Missing;
    request.filter = catalog.scope;
    request.type = type;
    if (sampled)
        request.ranges = catalog.sample;
    for (const HandlerReading::Read& r : reads)
        request.missing.push_back(r.path.split(u'.'));
    std::vector<MissingRead> out;
    if (request.missing.empty())
        return out;
    const CatalogRows rows = store.catalogRows(request);
    if (rows.empty())
        return out;
    for (size_t i = 0; i < reads.size(); ++i) {
        MissingRead m;
        m.path = reads[i].path;
        m.guarded = reads[i].guarded;
        m.events = std::max<qint64>(0, cell(rows[0], 3 * i));
        m.firstPosition = cell(rows[0], 3 * i + 1);
        m.lastPosition = cell(rows[0], 3 * i + 2);
        if (m.events == 0)
            continue;
        m.description = QStringLiteral("the reducer reads %1%2; %3%4 %5 event%6 since position %7 %8 no %1")
                            .arg(m.path, m.guarded ? QStringLiteral(" where present") : QString(),
                                sampled ? QStringLiteral("in the sample, ") : QString(), QString::number(m.events),
                                type, m.events == 1 ? QString() : QStringLiteral("s"), QString::number(m.firstPosition),
                                m.events == 1 ? QStringLiteral("has") : QStringLiteral("have"));
        out.push_back(std::move(m));
    }
    return out;
}

void replay(EventStore& store, const TypeCatalog& catalog, const Reducer& reducer, int perType, JobControl* control,
    ReducerCoverage& out)
{
    ReducerError error;
    std::unique_ptr<Fold> fold = reducer.createFold(&error);
    if (!fold)
        throw StoreError(error.toString());
    qint64 done = 0;
    for (TypeCoverage& t : out.types) {
        EventQuery q;
        q.filter = catalog.scope;
        q.filter.types = QStringList { t.type };
        q.limit = std::max(1, perType);
        const EventPage page = store.events(q);
        for (const Event& e : page.events) {
            if (fold->reset())
                break;
            const QByteArray before = fold->stateJson();
            const FoldResult r = fold->apply(&e, 1);
            ++t.replayed;
            if (!r.ok()) {
                // A handler that threw ran for it; a payload the fold cannot read says nothing of the handlers.
                if (r.error->kind != ReducerError::Kind::Threw && r.error->kind != ReducerError::Kind::Timeout)
                    continue;
                if (t.failed++ == 0)
                    t.error = r.error->toString();
            } else if (fold->stateJson() != before) {
                ++t.changed;
            }
        }
        t.handled = t.changed > 0 || t.failed > 0;
        t.handler = t.handled ? t.type : QString();
        if (control) {
            control->throwIfCancelled();
            control->progress(++done, qint64(out.types.size()), QStringLiteral("Replaying a sample"));
        }
    }
}

} // namespace

QString coverageMethodName(ReducerCoverage::Method method)
{
    switch (method) {
    case ReducerCoverage::Method::Merge:
        return QStringLiteral("merge");
    case ReducerCoverage::Method::Source:
        return QStringLiteral("source");
    case ReducerCoverage::Method::Replay:
        return QStringLiteral("replay");
    }
    return {};
}

ReducerCoverage reducerCoverage(
    EventStore& store, const TypeCatalog& catalog, const CoverageOptions& options, JobControl* control)
{
    Failure failure;
    const ReducerPtr reducer = ReducerCatalog::load(options.reducerKey, &failure, ReducerCatalog::Check::Yes);
    if (!reducer)
        throw StoreError(failure.message);
    ReducerCoverage out;
    out.reducer = reducer->name();
    for (const TypeSummary& t : catalog.types) {
        TypeCoverage c;
        c.type = t.type;
        c.events = t.count;
        out.types.push_back(std::move(c));
    }
    const auto* js = dynamic_cast<const JsReducer*>(reducer.get());
    if (!js) {
        // The merge reducers take every event's data as it comes: every type is handled, no field is required.
        out.method = ReducerCoverage::Method::Merge;
        for (TypeCoverage& t : out.types) {
            t.handled = true;
            t.handler = QStringLiteral("(merge)");
        }
        return out;
    }
    const QString source = js->source();
    const HandlerReading reading = readHandlers(source);
    if (!reading.sound()) {
        out.method = ReducerCoverage::Method::Replay;
        out.why = reading.why;
        out.sampled = true;
        replay(store, catalog, *reducer, options.replayEvents, control, out);
        return out;
    }
    out.method = ReducerCoverage::Method::Source;
    out.sampled = !catalog.fieldsExact && !catalog.sample.empty();
    out.ranges = out.sampled ? catalog.sample : std::vector<PositionRange> {};
    const HandlerReading::Handler* any = reading.find(QStringLiteral("$any"));
    qint64 done = 0;
    for (TypeCoverage& t : out.types) {
        const HandlerReading::Handler* own = reading.find(t.type);
        std::vector<HandlerReading::Read> reads;
        for (const HandlerReading::Handler* h : { own, any }) {
            if (!h)
                continue;
            for (const HandlerReading::Read& r : h->reads) {
                if (std::none_of(reads.begin(), reads.end(), [&](const auto& x) { return x.path == r.path; }))
                    reads.push_back(r);
            }
        }
        t.handled = own || any;
        t.handler = own ? own->key : any ? any->key : QString();
        for (const HandlerReading::Read& r : reads)
            t.reads.append(r.path);
        t.missing = missingReads(store, catalog, t.type, reads, out.sampled);
        if (control) {
            control->throwIfCancelled();
            control->progress(++done, qint64(out.types.size()), QStringLiteral("Counting missing fields"));
        }
    }
    for (const HandlerReading::Handler& h : reading.handlers) {
        if (h.key != QLatin1String("$any") && !catalog.find(h.key))
            out.unknownHandlers.append(h.key);
    }
    return out;
}

} // namespace es
