#include "models/eventlocator.h"

#include <algorithm>

namespace es {

void EventLocator::clear()
{
    m_key.reset();
    m_time.reset();
}

EventLocator::Step EventLocator::resolveKey(const RowKeyMap& map, const ScanProgress& growth)
{
    using Action = Step::Action;
    if (!m_key)
        return {};
    const qint64 key = *m_key;
    const ScopeStats& stats = map.stats();
    switch (map.mode()) {
    case RowKeyMap::Mode::Counting:
        return {};
    case RowKeyMap::Mode::Dense: {
        m_key.reset();
        if (stats.count <= 0)
            return { Action::Fail, -1, -1, -1, Failure::NoEvents };
        const qint64 slot = std::clamp<qint64>(key - stats.firstKey, 0, stats.count - 1);
        return { Action::Found, stats.firstKey + slot, map.rowOfSlot(slot) };
    }
    case RowKeyMap::Mode::Anchored:
        if (!map.anchorsReady())
            return {};
        m_key.reset();
        if (map.anchors().empty())
            return { Action::Fail, -1, -1, -1, Failure::NoEvents };
        return { Action::ReadPage, key, -1, map.anchorPageOf(key) };
    case RowKeyMap::Mode::Growing: {
        if (map.rows() == 0) {
            if (growth.atEnd || growth.failed) {
                m_key.reset();
                return { Action::Fail, -1, -1, -1, Failure::NoMatch };
            }
            return { Action::Grow };
        }
        const bool beyond = map.readsBackward() ? key < growth.lastKey : key > growth.lastKey;
        if (beyond && !growth.atEnd && !growth.failed)
            return { Action::Grow };
        m_key.reset();
        return { Action::ReadPage, key, -1, map.anchorPageOf(key) };
    }
    }
    return {};
}

EventLocator::Step EventLocator::findInPage(
    const RowKeyMap& map, const EventFilter& scope, qint64 page, const EventPageCache::Page& entry, qint64 key)
{
    using Action = Step::Action;
    const bool backward = map.readsBackward();
    const qint64 firstSlot = page * map.pageSize() + entry.offset;
    for (std::size_t i = 0; i < entry.events.size(); ++i) {
        const qint64 k = scopeKey(scope, entry.events[i]);
        if (backward ? k <= key : k >= key)
            return { Action::Found, k, map.rowOfSlot(firstSlot + qint64(i)) };
    }
    if (page + 1 < qint64(map.anchors().size()))
        return { Action::Found, map.anchors()[std::size_t(page + 1)], map.rowOfSlot((page + 1) * map.pageSize()) };
    if (!entry.events.empty())
        return { Action::Found, scopeKey(scope, entry.events.back()),
            map.rowOfSlot(firstSlot + qint64(entry.events.size()) - 1) };
    return { Action::Fail, -1, -1, -1, Failure::NoEvents };
}

EventLocator::TimeStep EventLocator::resolveTime(const RowKeyMap& map, const EventFilter& scope)
{
    TimeStep step;
    if (!m_time)
        return step;
    const QDateTime time = *m_time;
    if (map.mode() == RowKeyMap::Mode::Growing) {
        m_time.reset();
        step.action = TimeStep::Action::ReadFirst;
        step.first.filter = scope;
        if (!step.first.filter.fromTime.isValid() || step.first.filter.fromTime < time)
            step.first.filter.fromTime = time;
        step.first.limit = 1;
        return step;
    }
    if (map.mode() == RowKeyMap::Mode::Counting || map.waitsForAnchors())
        return step;
    m_time.reset();
    if (map.stats().count <= 0) {
        step.action = TimeStep::Action::Fail;
        step.failure = Failure::NoEvents;
        return step;
    }
    step.action = TimeStep::Action::Search;
    step.search.dense = map.mode() == RowKeyMap::Mode::Dense;
    step.search.anchors = map.sharedAnchors();
    step.search.firstKey = map.stats().firstKey;
    step.search.count = map.stats().count;
    step.search.pageSize = map.pageSize();
    step.search.filter = scope;
    step.search.time = time;
    return step;
}

qint64 EventLocator::firstKey(EventStore& store, const EventQuery& query)
{
    const EventPage page = store.events(query);
    if (page.events.empty())
        throw StoreError(tr("No event at or after %1.").arg(Event::timeToIso(query.filter.fromTime)));
    return scopeKey(query.filter, page.events.front());
}

// Times grow with keys (near enough), so a binary search over page starts finds the page in log2(pages) seeks; the
// page itself is then scanned.
qint64 EventLocator::keyAtTime(EventStore& store, const TimeSearch& s)
{
    const QString noTimes = tr("This store keeps no event times.");
    const qint64 pages = s.dense ? (s.count + s.pageSize - 1) / s.pageSize : qint64(s.anchors->size());
    auto keyOfPage = [&](qint64 p) { return s.dense ? s.firstKey + p * s.pageSize : (*s.anchors)[std::size_t(p)]; };
    auto read = [&](qint64 p, int limit) {
        EventQuery query;
        query.filter = s.filter;
        query.from = keyOfPage(p);
        query.limit = limit;
        return store.events(query).events;
    };
    auto timeOfPage = [&](qint64 p) {
        const EventList events = read(p, 1);
        if (events.empty() || !events.front().time.isValid())
            throw StoreError(noTimes);
        return events.front().time;
    };
    qint64 p = 0;
    if (timeOfPage(0) < s.time) {
        qint64 lo = 0;
        qint64 hi = pages - 1;
        if (timeOfPage(hi) < s.time) {
            lo = hi;
        } else {
            while (hi - lo > 1) {
                const qint64 mid = lo + (hi - lo) / 2;
                if (timeOfPage(mid) < s.time)
                    lo = mid;
                else
                    hi = mid;
            }
        }
        p = lo;
    }
    const EventList events = read(p, s.pageSize);
    for (const Event& e : events) {
        if (e.time.isValid() && e.time >= s.time)
            return scopeKey(s.filter, e);
    }
    if (p + 1 < pages)
        return keyOfPage(p + 1);
    if (events.empty())
        throw StoreError(noTimes);
    return scopeKey(s.filter, events.back());
}

} // namespace es
