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
// A chunk that only completes the quiet margin reads what the margin lacks, but not fewer positions than this.
constexpr qint64 MinChunk = 4096;
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

// Measured cost of one kind of windowed statement: the growing chunks (the values that travel with the window) or the
// catch-up passes (values owed a lookup in part of it).
struct Rate {
    qint64 positions = 0;
    double ms = 0;
    int statements = 0;

    bool known() const { return statements > 0 && positions > 0; }
    // Positions per statement: about ChunkMs at the rate measured so far.
    qint64 chunk() const
    {
        if (positions < FirstChunk || ms <= 0)
            return FirstChunk;
        return std::clamp(qint64(double(positions) / ms * ChunkMs), FirstChunk, MaxChunk);
    }
    // What reading `n` more positions costs at this rate and cost per statement (statements have a fixed cost too,
    // large on a busy machine).
    double estimate(qint64 n) const
    {
        if (n <= 0 || !known())
            return 0;
        const double count = std::ceil(double(n) / double(chunk()));
        return std::max(double(n) * ms / double(positions), count * ms / statements);
    }
    double perStatement() const { return statements > 0 ? ms / statements : 0.0; }
};

// Values looked up in [lo, hi] of the window so far (empty while hi < lo): they are owed the rest of it.
struct Covered {
    LinkQuery values;
    qint64 lo = 0;
    qint64 hi = -1;
};

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
    void promote();
    void readRange(LinkQuery query, qint64 from, qint64 to, Rate& rate);
    bool grow();
    void settle();
    LinkQuery owed(qint64* lowEnd, qint64* highStart) const;
    qint64 owedPositions() const;
    bool windowValuesEmpty() const;
    void setUpWindow();
    void describeWindow();
    void buildGraph();
    void publish();
    void report(const QString& what);
    qint64 quietMargin() const;
    bool overLimit() const { return int(m_known.size()) > m_request.limit; }
    bool windowEmpty() const { return m_hi < m_lo; }
    bool grows(Kind kind) const { return kind == Kind::Correlation || !m_windowedCorrelation; }
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
    qint64 m_deadlineMs = 0;
    qint64 m_center = -1;
    qint64 m_lo = 0, m_hi = -1;
    qint64 m_limitLo = 0, m_limitHi = -1;
    qint64 m_reachLo = 0, m_reachHi = -1;
    // Values of the growing kind (correlation ids; every kind when the flow has no windowed correlation id) are read
    // in every chunk that widens the window. The others (causation references, ids) are owed their lookup and read in
    // catch-up passes over what they miss (settle()): once per window rather than once per chunk, since late ones
    // would be owed the part already read anyway. The cheap growing reads find the flow's extent; the passes make the
    // answer exact for the window.
    LinkQuery m_growing;
    std::vector<Covered> m_covered;
    bool m_windowedCorrelation = false;
    Rate m_growRate, m_settleRate;
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
// comes; the others are windowed, owed a lookup in the whole window read so far.
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
            if (!fresh.correlations.isEmpty())
                m_windowedCorrelation = true;
            m_covered.push_back(Covered { fresh, 0, -1 });
        }
        if (m_control)
            m_control->progress(qint64(m_known.size()), -1, QStringLiteral("Following links"));
    }
}

// Values whose lookups cover the whole window: those of the growing kind travel with it from now on, the others are
// merged into one group (owed only what the window grows by).
void Finder::promote()
{
    Covered whole;
    whole.lo = m_lo;
    whole.hi = m_hi;
    std::vector<Covered> rest;
    for (Covered& c : m_covered) {
        const bool complete = windowEmpty() || (c.lo <= m_lo && c.hi >= m_hi);
        if (!complete) {
            rest.push_back(std::move(c));
            continue;
        }
        for (const Kind kind : { Kind::Correlation, Kind::Causation, Kind::Id, Kind::Position })
            (grows(kind) ? m_growing : whole.values).values(kind) += c.values.values(kind);
    }
    if (!whole.values.isEmpty())
        rest.push_back(std::move(whole));
    m_covered = std::move(rest);
}

bool Finder::windowValuesEmpty() const
{
    return m_growing.isEmpty()
        && std::all_of(m_covered.begin(), m_covered.end(), [](const Covered& c) { return c.values.isEmpty(); });
}

// What the owed values miss, as one read: [m_lo, *lowEnd] and [*highStart, m_hi] (either empty), the union of every
// group's gaps. Reading it for all of them at once costs about what one group's read would (the statement's cost is
// in reading and parsing rows, not in the values compared), and re-reading a part one group covered is harmless.
LinkQuery Finder::owed(qint64* lowEnd, qint64* highStart) const
{
    LinkQuery all;
    *lowEnd = m_lo - 1;
    *highStart = m_hi + 1;
    for (const Covered& c : m_covered) {
        if (c.values.isEmpty() || windowEmpty())
            continue;
        LinkQuery values = c.values;
        for (const Kind kind : { Kind::Correlation, Kind::Causation, Kind::Id, Kind::Position })
            all.values(kind) += values.values(kind);
        if (c.hi < c.lo) {
            *lowEnd = m_hi;
        } else {
            *lowEnd = std::max(*lowEnd, c.lo - 1);
            *highStart = std::min(*highStart, c.hi + 1);
        }
    }
    if (*lowEnd >= *highStart - 1) {
        *lowEnd = m_hi;
        *highStart = m_hi + 1;
    }
    return all;
}

qint64 Finder::owedPositions() const
{
    qint64 lowEnd = 0, highStart = 0;
    if (owed(&lowEnd, &highStart).isEmpty())
        return 0;
    return (lowEnd - m_lo + 1) + (m_hi - highStart + 1);
}

// Reads the owed values in what they miss of the window; then they all cover it.
void Finder::settle()
{
    qint64 lowEnd = 0, highStart = 0;
    const LinkQuery all = owed(&lowEnd, &highStart);
    if (all.isEmpty())
        return;
    readRange(all, m_lo, lowEnd, m_settleRate);
    readRange(all, highStart, m_hi, m_settleRate);
    if (overLimit())
        return;
    m_covered = { Covered { all, m_lo, m_hi } };
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

void Finder::report(const QString& what)
{
    if (!m_control)
        return;
    JobProgress p;
    p.what = what;
    p.done = m_hi - m_lo + 1;
    m_control->progress(std::move(p));
}

void Finder::readRange(LinkQuery query, qint64 from, qint64 to, Rate& rate)
{
    if (query.isEmpty())
        return;
    while (from <= to && !overLimit()) {
        checkCancel();
        const qint64 n = std::min(to - from + 1, rate.chunk());
        query.fromPosition = from;
        query.toPosition = from + n - 1;
        query.limit = rowBudget();
        ++m_flow.scan.statements;
        QElapsedTimer clock;
        clock.start();
        for (const Event& e : m_store.linkedEvents(query))
            add(e);
        rate.ms += double(clock.nsecsElapsed()) / 1e6;
        rate.positions += n;
        ++rate.statements;
        from += n;
        report(QStringLiteral("Read positions %1 to %2 (%3 s)")
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
    qint64 n = m_growRate.chunk();
    qint64 lowNeed = n, highNeed = n; // what a side still lacks of the quiet margin
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
        if (!m_known.empty()) {
            lowNeed = std::max(margin - (first - m_lo), MinChunk);
            highNeed = std::max(margin - (m_hi - last), MinChunk);
        }
        if (!low && !high) {
            s.stop = FlowScan::Stop::Quiet;
            s.quietMargin = margin;
            return false;
        }
        // The chunk, the catch-up pass it leaves owed (the events a chunk finds owe their references a read of the
        // whole window, so the pass is counted over all of it), and what ends the lookup: a round of indexed lookups
        // for what those find, and the two reads of the edges' times. Until a pass has run its rate is taken as twice
        // the chunks'.
        const bool owes
            = std::any_of(m_covered.begin(), m_covered.end(), [](const Covered& c) { return !c.values.isEmpty(); });
        const qint64 owed = owes ? (m_hi - m_lo + 1) + n : 0;
        const double settleMs = m_settleRate.known() ? m_settleRate.estimate(owed) : 2 * m_growRate.estimate(owed);
        const double perStatement = std::max(
            { m_growRate.perStatement(), m_settleRate.perStatement(), m_lookUps > 0 ? m_lookUpMs / m_lookUps : 0.0 });
        const double ending = 3 * perStatement;
        if (double(m_clock.elapsed()) + m_growRate.estimate(n) + settleMs + ending > double(m_deadlineMs)) {
            s.stop = FlowScan::Stop::Budget;
            return false;
        }
    }
    // A side at most doubles its extent per chunk: the window grows outward, and stops near where the flow ends.
    const qint64 lowExtent = m_center - m_lo + 1;
    const qint64 highExtent = m_hi - m_center;
    const bool takeLow = low && (!high || lowExtent <= highExtent);
    if (takeLow) {
        const qint64 from = std::max(
            m_lo - std::min({ n, lowNeed, std::max(FirstChunk, lowExtent) }), lowMust ? m_reachLo : m_limitLo);
        readRange(m_growing, from, m_lo - 1, m_growRate);
        m_lo = from;
    } else {
        const qint64 to = std::min(
            m_hi + std::min({ n, highNeed, std::max(FirstChunk, highExtent) }), highMust ? m_reachHi : m_limitHi);
        readRange(m_growing, m_hi + 1, to, m_growRate);
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

// The flow as found so far (the reading goes on), sent to the caller as a progress report that carries it.
void Finder::publish()
{
    const std::map<qint64, Event> known = m_known;
    const Flow before = m_flow;
    describeWindow();
    buildGraph();
    Flow partial = std::exchange(m_flow, before);
    m_known = known;
    partial.scan.elapsedMs = m_clock.elapsed();
    partial.scan.partial = true;
    m_flow.scan.firstAnswerMs = partial.scan.elapsedMs;
    m_flow.scan.firstAnswerEvents = partial.eventCount();
    if (m_control) {
        JobProgress p;
        p.what = QStringLiteral("Found %1 events in %2 s; reading further")
                     .arg(partial.eventCount())
                     .arg(double(partial.scan.elapsedMs) / 1000.0, 0, 'f', 1);
        p.done = m_hi - m_lo + 1;
        p.detail = QVariant::fromValue(partial);
        m_control->publish(std::move(p));
    }
}

Flow Finder::run()
{
    m_clock.start();
    m_deadlineMs = m_request.budgetMs;
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
        promote();
        if (overLimit()) {
            if (!windowValuesEmpty())
                s.stop = FlowScan::Stop::Limit;
            break;
        }
        if (windowValuesEmpty())
            break; // every value so far had an index
        // One early pass once the first chunks are read measures what the passes cost, for the budget.
        const bool reached = m_lo <= m_reachLo && m_hi >= m_reachHi;
        if (reached && !m_settleRate.known() && owedPositions() > 0) {
            settle();
            continue;
        }
        if (grow())
            continue;
        if (owedPositions() > 0) {
            settle();
            continue;
        }
        // The budget ran out: the flow as found so far is the first answer; reading goes on until followMs.
        if (s.stop == FlowScan::Stop::Budget && m_request.followMs > m_deadlineMs) {
            publish();
            m_deadlineMs = m_request.followMs;
            continue;
        }
        break;
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
