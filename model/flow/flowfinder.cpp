#include "flow/flowfinder.h"

#include "store/job.h"

#include <QSet>

#include <algorithm>
#include <map>

namespace es {

namespace {

using Kind = LinkQuery::Kind;

// Unindexed lookups read their window in chunks of positions: progress between them, and a cancel loses little.
constexpr qint64 ChunkPositions = 1000000;
constexpr int MaxRounds = 256;

QString categoryOf(const QString& stream)
{
    const qsizetype dash = stream.indexOf(u'-');
    return dash > 0 ? stream.left(dash) : stream;
}

FlowPlan planWith(EventStore& store, const FlowRequest& request, const EventLinks& links)
{
    FlowPlan plan;
    plan.correlationIndexed = store.linkIndexed(Kind::Correlation);
    plan.causeIndexed = store.linkIndexed(
        links.causationTarget == EventLinks::CausationTarget::GlobalPosition ? Kind::Position : Kind::Id);
    plan.effectIndexed = store.linkIndexed(Kind::Causation);
    const bool allIndexed = plan.correlationIndexed && plan.causeIndexed && plan.effectIndexed;
    plan.wholeLog = !allIndexed && (request.position < 0 || request.window <= 0);
    return plan;
}

class Finder {
public:
    Finder(EventStore& store, const FlowRequest& request, JobControl* control)
        : m_store(store)
        , m_request(request)
        , m_control(control)
        , m_info(store.info(false))
        , m_links(m_info.links)
    { }

    Flow run();

private:
    Kind causeKind() const
    {
        return m_links.causationTarget == EventLinks::CausationTarget::GlobalPosition ? Kind::Position : Kind::Id;
    }
    void add(const Event& e);
    void lookUp(Kind kind, const QStringList& values, bool indexed);
    void lookUpWindowed(LinkQuery query);
    void windowAround(qint64 position);
    void checkCancel() const
    {
        if (m_control)
            m_control->throwIfCancelled();
    }
    // Rows a statement may return: one past the limit in new events, whatever known ones come back with them.
    int rowBudget() const { return m_request.limit + 1 + int(m_known.size()); }

    EventStore& m_store;
    FlowRequest m_request;
    JobControl* m_control;
    StoreInfo m_info;
    EventLinks m_links;
    Flow m_flow;
    std::map<qint64, Event> m_known; // by position
    QSet<QString> m_refs; // causation refs of the known events
    QSet<QString> m_seenCorrelations, m_seenCauses, m_seenEffects;
    QStringList m_pendingCorrelations, m_pendingCauses, m_pendingEffects;
    QString m_correlation;
};

void Finder::add(const Event& e)
{
    if (e.position < 0 || m_known.count(e.position))
        return;
    m_known.emplace(e.position, e);
    const QString ref = causationRef(e, m_links);
    if (!ref.isEmpty()) {
        m_refs.insert(ref);
        if (!m_seenEffects.contains(ref)) {
            m_seenEffects.insert(ref);
            m_pendingEffects.append(ref);
        }
    }
    if (!e.causationId.isEmpty() && !m_seenCauses.contains(e.causationId)) {
        m_seenCauses.insert(e.causationId);
        m_pendingCauses.append(e.causationId);
    }
}

void Finder::lookUp(Kind kind, const QStringList& values, bool indexed)
{
    if (values.isEmpty())
        return;
    LinkQuery q;
    q.values(kind) = values;
    if (!indexed) {
        lookUpWindowed(q);
        return;
    }
    checkCancel();
    q.limit = rowBudget();
    ++m_flow.scan.statements;
    for (const Event& e : m_store.linkedEvents(q))
        add(e);
}

void Finder::lookUpWindowed(LinkQuery query)
{
    const FlowScan& s = m_flow.scan;
    for (qint64 from = s.windowFrom; from <= s.windowTo; from += ChunkPositions) {
        checkCancel();
        query.fromPosition = from;
        query.toPosition = std::min(s.windowTo, from + ChunkPositions - 1);
        query.limit = rowBudget();
        ++m_flow.scan.statements;
        for (const Event& e : m_store.linkedEvents(query))
            add(e);
        if (m_control)
            m_control->progress(query.toPosition - s.windowFrom + 1, s.windowTo - s.windowFrom + 1,
                QStringLiteral("Scanning positions %1 to %2").arg(s.windowFrom).arg(s.windowTo));
        if (int(m_known.size()) > m_request.limit)
            return;
    }
}

void Finder::windowAround(qint64 position)
{
    const qint64 first = std::max<qint64>(0, m_info.firstPosition);
    const qint64 head = std::max(first, m_info.headPosition);
    FlowScan& s = m_flow.scan;
    if (position < 0 || m_request.window <= 0) {
        s.wholeLog = true;
        s.windowFrom = first;
        s.windowTo = head;
    } else {
        s.windowFrom = std::max(first, position - m_request.window);
        s.windowTo = std::min(head, position + m_request.window);
        s.wholeLog = s.windowFrom <= first && s.windowTo >= head;
    }
    // The times at the window's edges, for the user: the first event at or after each edge (two key lookups).
    auto timeAt = [&](qint64 key, bool backward) {
        EventQuery q;
        q.from = key;
        q.backward = backward;
        q.limit = 1;
        const EventPage page = m_store.events(q);
        return page.events.empty() ? QDateTime() : page.events.front().time;
    };
    s.windowFromTime = timeAt(s.windowFrom, false);
    s.windowToTime = timeAt(s.windowTo, true);
}

Flow Finder::run()
{
    m_flow.limit = m_request.limit;
    m_flow.startPosition = m_request.position;
    FlowScan& s = m_flow.scan;
    const FlowPlan plan = planWith(m_store, m_request, m_links);
    s.correlationIndexed = plan.correlationIndexed;
    s.causeIndexed = plan.causeIndexed;
    s.effectIndexed = plan.effectIndexed;

    m_correlation = m_request.correlationId;
    if (m_request.position >= 0) {
        LinkQuery start;
        start.positions = QStringList { QString::number(m_request.position) };
        ++s.statements;
        const EventList found = m_store.linkedEvents(start);
        if (found.empty())
            throw StoreError(QStringLiteral("no event at position %1").arg(m_request.position));
        add(found.front());
        if (m_correlation.isEmpty())
            m_correlation = found.front().correlationId;
    }
    m_flow.correlationId = m_correlation;
    if (!m_correlation.isEmpty()) {
        m_seenCorrelations.insert(m_correlation);
        m_pendingCorrelations.append(m_correlation);
    }
    if (!plan.correlationIndexed || !plan.causeIndexed || !plan.effectIndexed)
        windowAround(m_request.position);

    QSet<QString> searchedInWindowOnly;
    for (int round = 0; round < MaxRounds && int(m_known.size()) <= m_request.limit; ++round) {
        if (m_pendingCorrelations.isEmpty() && m_pendingCauses.isEmpty() && m_pendingEffects.isEmpty())
            break;
        const QStringList correlations = std::exchange(m_pendingCorrelations, {});
        QStringList causes;
        for (const QString& c : std::exchange(m_pendingCauses, {})) {
            if (!m_refs.contains(c))
                causes.append(c);
        }
        const QStringList effects = std::exchange(m_pendingEffects, {});
        // Indexed kinds run on their own (an OR would keep the planner off the indexes); the others share one pass
        // over the window.
        LinkQuery windowed;
        auto route = [&](Kind kind, const QStringList& values, bool indexed) {
            if (indexed)
                lookUp(kind, values, true);
            else
                windowed.values(kind) += values;
        };
        route(Kind::Correlation, correlations, plan.correlationIndexed);
        route(causeKind(), causes, plan.causeIndexed);
        route(Kind::Causation, effects, plan.effectIndexed);
        if (!windowed.isEmpty())
            lookUpWindowed(windowed);
        if (!plan.causeIndexed && !s.wholeLog) {
            for (const QString& c : causes)
                searchedInWindowOnly.insert(c);
        }
        if (m_control)
            m_control->progress(qint64(m_known.size()), -1, QStringLiteral("Following links"));
    }

    if (int(m_known.size()) > m_request.limit) {
        m_flow.truncated = true;
        // Keep the events nearest the start (or the first ones).
        // The first events by position, and always the one it was opened from.
        while (int(m_known.size()) > m_request.limit) {
            auto last = std::prev(m_known.end());
            m_known.erase(last->first == m_request.position ? std::prev(last) : last);
        }
    }

    std::map<QString, int> byRef;
    for (const auto& [position, e] : m_known) {
        FlowNode n;
        n.event = e;
        n.ref = causationRef(e, m_links);
        n.category = categoryOf(e.stream);
        if (!n.ref.isEmpty())
            byRef.emplace(n.ref, int(m_flow.nodes.size()));
        m_flow.nodes.push_back(std::move(n));
    }
    const int events = int(m_flow.nodes.size());
    for (int i = 0; i < events; ++i) {
        const QString cause = m_flow.nodes[size_t(i)].event.causationId;
        if (cause.isEmpty())
            continue;
        auto it = byRef.find(cause);
        if (it == byRef.end()) {
            if (m_refs.contains(cause))
                continue; // a cause cut off by the limit, not a missing one
            FlowNode p;
            p.placeholder = true;
            p.ref = cause;
            p.event.id = cause;
            p.searchedEverywhere = !searchedInWindowOnly.contains(cause);
            it = byRef.emplace(cause, int(m_flow.nodes.size())).first;
            m_flow.nodes.push_back(std::move(p));
        }
        if (it->second == i)
            continue; // an event naming itself as its cause
        FlowEdge edge;
        edge.cause = it->second;
        edge.effect = i;
        const FlowNode& c = m_flow.nodes[size_t(edge.cause)];
        const FlowNode& e = m_flow.nodes[size_t(i)];
        if (!c.placeholder && c.event.time.isValid() && e.event.time.isValid())
            edge.ms = c.event.time.msecsTo(e.event.time);
        m_flow.edges.push_back(edge);
    }
    QDateTime first, last;
    for (int i = 0; i < events; ++i) {
        const QDateTime& t = m_flow.nodes[size_t(i)].event.time;
        if (!t.isValid())
            continue;
        if (!first.isValid() || t < first)
            first = t;
        if (!last.isValid() || t > last)
            last = t;
    }
    if (first.isValid())
        m_flow.durationMs = first.msecsTo(last);
    for (size_t i = 0; i < m_flow.edges.size(); ++i) {
        if (m_flow.edges[i].ms >= 0
            && (m_flow.slowestEdge < 0 || m_flow.edges[i].ms > m_flow.edges[size_t(m_flow.slowestEdge)].ms))
            m_flow.slowestEdge = int(i);
    }
    return std::move(m_flow);
}

} // namespace

QString causationRef(const Event& event, const EventLinks& links)
{
    if (links.causationTarget == EventLinks::CausationTarget::GlobalPosition)
        return event.position >= 0 ? QString::number(event.position) : QString();
    return event.id;
}

FlowPlan flowPlan(EventStore& store, const FlowRequest& request)
{
    return planWith(store, request, store.info(false).links);
}

Flow findFlow(EventStore& store, const FlowRequest& request, JobControl* control)
{
    if (request.position < 0 && request.correlationId.isEmpty())
        throw StoreError(QStringLiteral("a flow starts from an event or a correlation id"));
    return Finder(store, request, control).run();
}

} // namespace es
