#include "flow/flowfinder.h"

#include "store/job.h"

#include <QElapsedTimer>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>

namespace es {

namespace {

using Kind = LinkQuery::Kind;

constexpr int MaxRounds = 256;
// Lookups no index serves read chunks of positions: the first of FirstChunk on each side of the start, later ones
// sized from the rate measured so far to take about ChunkMs, so the budget is looked at often and a cancel loses
// little.
constexpr qint64 FirstChunk = 8192;
constexpr qint64 MaxChunk = 4000000;
constexpr double ChunkMs = 150.0;
// A side of the window stops growing once no event of the flow lies within max(QuietPositions, QuietGaps x the widest
// gap between consecutive events of the flow) positions of its edge.
constexpr qint64 QuietPositions = 32768;
constexpr qint64 QuietGaps = 4;

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
    plan.wholeLog = !plan.allIndexed() && request.window < 0;
    return plan;
}

void appendValues(LinkQuery& to, LinkQuery from)
{
    for (const Kind kind : { Kind::Correlation, Kind::Causation, Kind::Id, Kind::Position })
        to.values(kind) += from.values(kind);
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
    void lookUp(Kind kind, const QStringList& values);
    void drain();
    void readRange(LinkQuery query, qint64 from, qint64 to);
    bool grow();
    void setUpWindow();
    void describeWindow();
    void buildGraph();
    qint64 chunkSize() const;
    double estimateMs(qint64 positions) const;
    qint64 quietMargin() const;
    bool overLimit() const { return int(m_known.size()) > m_request.limit; }
    bool windowEmpty() const { return m_hi < m_lo; }
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
    FlowPlan m_plan;
    Flow m_flow;
    std::map<qint64, Event> m_known; // by position
    QSet<QString> m_refs; // causation refs of the known events
    QSet<QString> m_seenCorrelations, m_seenCauses, m_seenEffects;
    QStringList m_pendingCorrelations, m_pendingCauses, m_pendingEffects;
    QString m_correlation;

    // The window: [m_lo, m_hi] read so far (empty while m_hi < m_lo), growing from m_center within the log's ends,
    // at least to [m_reachLo, m_reachHi].
    QElapsedTimer m_clock;
    qint64 m_center = -1;
    qint64 m_lo = 0, m_hi = -1;
    qint64 m_limitLo = 0, m_limitHi = -1;
    qint64 m_reachLo = 0, m_reachHi = -1;
    // Every value looked up in the window. Those found after part of it was read are also owed a lookup in
    // [m_debtLo, m_debtHi] (the window as it was then), paid in one pass before the reading ends.
    LinkQuery m_windowValues;
    LinkQuery m_debt;
    qint64 m_debtLo = 0, m_debtHi = -1;
    qint64 m_readPositions = 0; // by windowed statements, for the rate
    double m_readMs = 0;
    int m_readStatements = 0;
    double m_lookUpMs = 0; // indexed statements, for what the end of the lookup costs
    int m_lookUps = 0;
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

void Finder::lookUp(Kind kind, const QStringList& values)
{
    if (values.isEmpty())
        return;
    checkCancel();
    LinkQuery q;
    q.values(kind) = values;
    q.limit = rowBudget();
    ++m_flow.scan.statements;
    QElapsedTimer clock;
    clock.start();
    for (const Event& e : m_store.linkedEvents(q))
        add(e);
    m_lookUpMs += double(clock.nsecsElapsed()) / 1e6;
    ++m_lookUps;
}

// Follows the pending values: indexed kinds at once (an OR would keep the planner off the indexes), until nothing new
// comes; the others join the window's values, owed a lookup in the part already read.
void Finder::drain()
{
    for (int round = 0; round < MaxRounds && !overLimit(); ++round) {
        if (m_pendingCorrelations.isEmpty() && m_pendingCauses.isEmpty() && m_pendingEffects.isEmpty())
            return;
        const QStringList correlations = std::exchange(m_pendingCorrelations, {});
        QStringList causes;
        for (const QString& c : std::exchange(m_pendingCauses, {})) {
            if (!m_refs.contains(c))
                causes.append(c);
        }
        const QStringList effects = std::exchange(m_pendingEffects, {});
        LinkQuery fresh;
        auto route = [&](Kind kind, const QStringList& values, bool indexed) {
            if (indexed)
                lookUp(kind, values);
            else
                fresh.values(kind) += values;
        };
        route(Kind::Correlation, correlations, m_plan.correlationIndexed);
        route(causeKind(), causes, m_plan.causeIndexed);
        route(Kind::Causation, effects, m_plan.effectIndexed);
        if (!fresh.isEmpty()) {
            appendValues(m_windowValues, fresh);
            if (!windowEmpty()) {
                appendValues(m_debt, fresh);
                m_debtLo = m_debtHi < m_debtLo ? m_lo : std::min(m_debtLo, m_lo);
                m_debtHi = std::max(m_debtHi, m_hi);
            }
        }
        if (m_control)
            m_control->progress(qint64(m_known.size()), -1, QStringLiteral("Following links"));
    }
}

qint64 Finder::chunkSize() const
{
    if (m_readPositions < FirstChunk || m_readMs <= 0)
        return FirstChunk;
    return std::clamp(qint64(double(m_readPositions) / m_readMs * ChunkMs), FirstChunk, MaxChunk);
}

// What reading `positions` more would cost at the rate and the cost per statement measured so far (statements have a
// fixed cost too, large on a busy machine).
double Finder::estimateMs(qint64 positions) const
{
    if (positions <= 0 || m_readPositions <= 0 || m_readStatements == 0)
        return 0;
    const double statements = std::ceil(double(positions) / double(chunkSize()));
    return std::max(double(positions) * m_readMs / double(m_readPositions), statements * m_readMs / m_readStatements);
}

qint64 Finder::quietMargin() const
{
    qint64 gap = 0;
    qint64 previous = -1;
    for (const auto& entry : m_known) {
        if (previous >= 0)
            gap = std::max(gap, entry.first - previous);
        previous = entry.first;
    }
    return std::max(QuietPositions, QuietGaps * gap);
}

void Finder::readRange(LinkQuery query, qint64 from, qint64 to)
{
    while (from <= to && !overLimit()) {
        checkCancel();
        const qint64 n = std::min(to - from + 1, chunkSize());
        query.fromPosition = from;
        query.toPosition = from + n - 1;
        query.limit = rowBudget();
        ++m_flow.scan.statements;
        QElapsedTimer clock;
        clock.start();
        for (const Event& e : m_store.linkedEvents(query))
            add(e);
        m_readMs += double(clock.nsecsElapsed()) / 1e6;
        m_readPositions += n;
        ++m_readStatements;
        from += n;
        if (m_control)
            m_control->progress(m_hi - m_lo + 1, -1,
                QStringLiteral("Read positions %1 to %2 (%3 s)")
                    .arg(std::min(m_lo, query.fromPosition))
                    .arg(std::max(m_hi, query.toPosition))
                    .arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1));
    }
}

// Reads one more chunk next to the window, on the side that has read less; false when the window is done growing
// (m_flow.scan.stop says why).
bool Finder::grow()
{
    FlowScan& s = m_flow.scan;
    const bool lowOpen = m_lo > m_limitLo;
    const bool highOpen = m_hi < m_limitHi;
    if (!lowOpen && !highOpen) {
        s.stop = FlowScan::Stop::Edges;
        return false;
    }
    const bool lowMust = lowOpen && m_lo > m_reachLo;
    const bool highMust = highOpen && m_hi < m_reachHi;
    bool low = lowMust;
    bool high = highMust;
    const qint64 n = chunkSize();
    if (!lowMust && !highMust) {
        if (m_request.budgetMs <= 0) {
            s.stop = FlowScan::Stop::Window;
            return false;
        }
        const qint64 margin = quietMargin();
        const qint64 first = m_known.empty() ? m_lo : m_known.begin()->first;
        const qint64 last = m_known.empty() ? m_hi : std::prev(m_known.end())->first;
        low = lowOpen && (m_known.empty() || first - m_lo < margin);
        high = highOpen && (m_known.empty() || m_hi - last < margin);
        if (!low && !high) {
            s.stop = FlowScan::Stop::Quiet;
            s.quietMargin = margin;
            return false;
        }
        // The chunk, the pass owed over the window read so far (with this chunk: what it finds is owed there too),
        // and what ends the lookup: a round of indexed lookups for what those find, and the two reads of the edges'
        // times.
        const qint64 owed = m_debt.isEmpty() ? 0 : m_debtHi - m_debtLo + 1;
        const double perStatement = std::max(
            m_readStatements > 0 ? m_readMs / m_readStatements : 0.0, m_lookUps > 0 ? m_lookUpMs / m_lookUps : 0.0);
        const double ending = 3 * perStatement;
        if (double(m_clock.elapsed()) + estimateMs(n) + estimateMs(owed + n) + ending > double(m_request.budgetMs)) {
            s.stop = FlowScan::Stop::Budget;
            return false;
        }
    }
    // A side at most doubles its extent per chunk: the window grows outward, and stops near where the flow ends.
    const qint64 lowExtent = m_center - m_lo + 1;
    const qint64 highExtent = m_hi - m_center;
    const bool takeLow = low && (!high || lowExtent <= highExtent);
    if (takeLow) {
        const qint64 from
            = std::max(m_lo - std::min(n, std::max(FirstChunk, lowExtent)), lowMust ? m_reachLo : m_limitLo);
        readRange(m_windowValues, from, m_lo - 1);
        m_lo = from;
    } else {
        const qint64 to
            = std::min(m_hi + std::min(n, std::max(FirstChunk, highExtent)), highMust ? m_reachHi : m_limitHi);
        readRange(m_windowValues, m_hi + 1, to);
        m_hi = to;
    }
    return true;
}

void Finder::setUpWindow()
{
    m_limitLo = std::max<qint64>(0, m_info.firstPosition);
    m_limitHi = std::max(m_limitLo, m_info.headPosition);
    m_center = m_request.position >= 0 ? std::clamp(m_request.position, m_limitLo, m_limitHi) : m_limitHi;
    m_lo = m_center + 1;
    m_hi = m_center;
    // With a budget the first chunk on each side is always read, however short the budget.
    const qint64 reach = m_request.budgetMs > 0 ? std::max(m_request.window, FirstChunk) : m_request.window;
    if (m_request.window < 0) {
        m_reachLo = m_limitLo;
        m_reachHi = m_limitHi;
    } else {
        m_reachLo = std::max(m_limitLo, m_center - reach);
        m_reachHi = std::min(m_limitHi, m_center + reach);
    }
}

void Finder::describeWindow()
{
    FlowScan& s = m_flow.scan;
    if (windowEmpty())
        return;
    s.center = m_center;
    s.windowFrom = m_lo;
    s.windowTo = m_hi;
    s.wholeLog = m_lo <= m_limitLo && m_hi >= m_limitHi;
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
    m_clock.start();
    m_flow.limit = m_request.limit;
    m_flow.startPosition = m_request.position;
    FlowScan& s = m_flow.scan;
    m_plan = planWith(m_store, m_request, m_links);
    s.correlationIndexed = m_plan.correlationIndexed;
    s.causeIndexed = m_plan.causeIndexed;
    s.effectIndexed = m_plan.effectIndexed;
    s.budgetMs = m_request.budgetMs;

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
    if (!m_plan.allIndexed())
        setUpWindow();

    for (;;) {
        drain();
        if (overLimit()) {
            if (!m_windowValues.isEmpty())
                s.stop = FlowScan::Stop::Limit;
            break;
        }
        if (m_windowValues.isEmpty())
            break; // every value so far had an index
        if (grow())
            continue;
        if (m_debt.isEmpty())
            break;
        const LinkQuery owed = std::exchange(m_debt, {});
        const qint64 from = std::exchange(m_debtLo, 0);
        const qint64 to = std::exchange(m_debtHi, -1);
        readRange(owed, from, to);
    }
    describeWindow();
    buildGraph();
    s.elapsedMs = m_clock.elapsed();
    return std::move(m_flow);
}

void Finder::buildGraph()
{
    if (overLimit()) {
        m_flow.truncated = true;
        // The first events by position, and always the one it was opened from.
        while (overLimit()) {
            auto last = std::prev(m_known.end());
            m_known.erase(last->first == m_request.position ? std::prev(last) : last);
        }
    }
    // A cause no index serves was looked up only in the window, unless that is the whole log.
    const bool causesEverywhere = m_plan.causeIndexed || m_flow.scan.wholeLog;

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
            p.searchedEverywhere = causesEverywhere;
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
