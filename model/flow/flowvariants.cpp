#include "flow/flowvariants.h"

#include "store/job.h"

#include <algorithm>
#include <cmath>

namespace es {

namespace {

double percentile(std::vector<double> sorted, double p)
{
    if (sorted.empty())
        return -1;
    const size_t rank = size_t(std::max(1.0, std::ceil(p / 100.0 * double(sorted.size()))));
    return sorted[std::min(sorted.size(), rank) - 1];
}

} // namespace

FlowVariantBuilder::FlowVariantBuilder(QString startType)
    : m_startType(std::move(startType))
{ }

void FlowVariantBuilder::add(const FlowRow& row)
{
    ++m_flows;
    const QString key = row.types.join(QChar(0x1f));
    auto it = m_index.find(key);
    if (it == m_index.end()) {
        it = m_index.insert(key, int(m_groups.size()));
        Group g;
        g.types = row.types;
        g.exampleCorrelation = row.correlationId;
        g.examplePosition = row.firstPosition;
        m_groups.push_back(std::move(g));
    }
    Group& g = m_groups[size_t(*it)];
    ++g.count;
    if (row.firstTime.isValid() && row.lastTime.isValid())
        g.seconds.push_back(double(row.firstTime.msecsTo(row.lastTime)) / 1000.0);
    if (row.lastTime.isValid() && (!m_newest.isValid() || row.lastTime > m_newest))
        m_newest = row.lastTime;
    m_rows.push_back(row);
}

FlowVariants FlowVariantBuilder::result(qint64 incompleteAfterSeconds, const QDateTime& reference, bool complete) const
{
    FlowVariants out;
    out.startType = m_startType;
    out.flows = m_flows;
    out.complete = complete;
    out.reference = reference.isValid() ? reference : m_newest;
    QHash<QString, qint64> lastTypes;
    for (const Group& g : m_groups) {
        FlowVariant v;
        v.types = g.types;
        v.count = g.count;
        std::vector<double> sorted = g.seconds;
        std::sort(sorted.begin(), sorted.end());
        v.p50Seconds = percentile(sorted, 50);
        v.p95Seconds = percentile(sorted, 95);
        v.p99Seconds = percentile(sorted, 99);
        v.exampleCorrelation = g.exampleCorrelation;
        v.examplePosition = g.examplePosition;
        out.variants.push_back(std::move(v));
        if (!g.types.isEmpty())
            lastTypes[g.types.last()] += g.count;
    }
    std::stable_sort(out.variants.begin(), out.variants.end(),
        [](const FlowVariant& a, const FlowVariant& b) { return a.count > b.count; });
    qint64 best = -1;
    for (auto it = lastTypes.begin(); it != lastTypes.end(); ++it) {
        if (it.value() > best || (it.value() == best && it.key() < out.usualEnd)) {
            best = it.value();
            out.usualEnd = it.key();
        }
    }
    if (complete && !out.usualEnd.isEmpty()) {
        const QDateTime cutoff = out.reference.isValid() ? out.reference.addSecs(-incompleteAfterSeconds) : QDateTime();
        for (const FlowRow& r : m_rows) {
            if (r.types.contains(out.usualEnd))
                continue;
            if (cutoff.isValid() && r.firstTime.isValid() && r.firstTime > cutoff)
                continue; // still young: it may yet end
            IncompleteFlow f;
            f.correlationId = r.correlationId;
            f.types = r.types;
            f.firstPosition = r.firstPosition;
            f.firstTime = r.firstTime;
            f.lastTime = r.lastTime;
            out.incomplete.push_back(std::move(f));
        }
        std::sort(out.incomplete.begin(), out.incomplete.end(),
            [](const IncompleteFlow& a, const IncompleteFlow& b) { return a.firstPosition < b.firstPosition; });
    }
    return out;
}

FlowVariants scanFlows(EventStore& store, const FlowsRequest& request, JobControl* control,
    const std::function<void(const FlowVariants&)>& partial, int partialEvery)
{
    if (request.startType.isEmpty())
        throw StoreError(QStringLiteral("many flows start from an event type"));
    const QDateTime reference = store.info(false).lastTime;
    FlowVariantBuilder builder(request.startType);
    FlowScanRequest scan;
    scan.startType = request.startType;
    scan.fromPosition = request.fromPosition;
    scan.toPosition = request.toPosition;
    if (control)
        control->progress(0, -1, QStringLiteral("Grouping flows in the database"));
    store.flowRows(scan, [&](const FlowRow& row) {
        builder.add(row);
        if (control && builder.flows() % 1024 == 0) {
            control->throwIfCancelled();
            control->progress(builder.flows(), -1, QStringLiteral("Reading flows"));
        }
        if (partial && partialEvery > 0 && builder.flows() % partialEvery == 0)
            partial(builder.result(request.incompleteAfterSeconds, reference, false));
    });
    return builder.result(request.incompleteAfterSeconds, reference, true);
}

} // namespace es
