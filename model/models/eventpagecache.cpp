#include "models/eventpagecache.h"

#include <algorithm>
#include <iterator>

namespace es {

EventPageCache::EventPageCache(int limit)
    : m_limit(std::max(2, limit))
{ }

std::vector<std::pair<qint64, EventPageCache::Page>> EventPageCache::slice(
    EventList events, qint64 firstSlot, qint64 total, int pageSize)
{
    std::vector<std::pair<qint64, Page>> out;
    const qint64 n = qint64(events.size());
    qint64 i = 0;
    while (i < n) {
        const qint64 slot = firstSlot + i;
        const qint64 page = slot / pageSize;
        const qint64 pageEnd = std::min<qint64>((page + 1) * pageSize, total);
        const qint64 take = std::min(n - i, pageEnd - slot);
        if (take <= 0)
            break;
        Page entry;
        entry.offset = int(slot - page * pageSize);
        entry.events.assign(
            std::make_move_iterator(events.begin() + i), std::make_move_iterator(events.begin() + i + take));
        entry.complete = entry.offset == 0 && slot + take == pageEnd;
        out.emplace_back(page, std::move(entry));
        i += take;
    }
    return out;
}

void EventPageCache::setLimit(int pages)
{
    m_limit = std::max(2, pages);
    evict();
}

void EventPageCache::clear()
{
    m_pages.clear();
}

const Event* EventPageCache::event(qint64 page, qint64 i)
{
    auto it = m_pages.find(page);
    if (it == m_pages.end())
        return nullptr;
    const Event* e = it->second.at(i);
    if (e)
        it->second.used = ++m_clock;
    return e;
}

EventPageCache::Page* EventPageCache::find(qint64 page)
{
    auto it = m_pages.find(page);
    return it == m_pages.end() ? nullptr : &it->second;
}

const EventPageCache::Page* EventPageCache::find(qint64 page) const
{
    auto it = m_pages.find(page);
    return it == m_pages.end() ? nullptr : &it->second;
}

bool EventPageCache::isComplete(qint64 page) const
{
    const Page* p = find(page);
    return p && p->complete;
}

void EventPageCache::touch(qint64 page)
{
    if (Page* p = find(page))
        p->used = ++m_clock;
}

void EventPageCache::store(qint64 page, Page entry)
{
    entry.used = ++m_clock;
    m_pages[page] = std::move(entry);
    evict();
}

EventPageCache::Page& EventPageCache::fill(qint64 page)
{
    Page& entry = m_pages[page];
    entry.used = ++m_clock;
    return entry;
}

void EventPageCache::evict()
{
    while (m_pages.size() > std::size_t(m_limit)) {
        auto victim = m_pages.end();
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
            if (it->first != m_pinned && (victim == m_pages.end() || it->second.used < victim->second.used))
                victim = it;
        }
        if (victim == m_pages.end())
            break;
        m_pages.erase(victim);
    }
}

} // namespace es
