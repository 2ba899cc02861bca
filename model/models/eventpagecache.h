#pragma once

#include "core/event.h"

#include <unordered_map>
#include <utility>
#include <vector>

namespace es {

// Pages of events by page number, at most limit() of them: when one more is stored, the least recently used page
// goes, except the pinned one. What a page number means (slots of a RowKeyMap) is the caller's business.
class EventPageCache {
public:
    struct Page {
        int offset = 0; // index within the page of events[0]: a page read from the head may hold only its tail
        EventList events;
        bool complete = false; // nothing more to read for this page (short only at the end of the scope)
        quint64 used = 0;

        // The event at index i of the page, nullptr where this entry does not hold it.
        const Event* at(qint64 i) const
        {
            i -= offset;
            return i >= 0 && i < qint64(events.size()) ? &events[std::size_t(i)] : nullptr;
        }
    };

    explicit EventPageCache(int limit = 64);

    // Cuts events holding slots [firstSlot, firstSlot + size) of `total` into page entries; the first and the last
    // may hold part of their page (complete only when whole).
    static std::vector<std::pair<qint64, Page>> slice(EventList events, qint64 firstSlot, qint64 total, int pageSize);

    int limit() const { return m_limit; }
    // At least 2; drops pages beyond it.
    void setLimit(int pages);
    int size() const { return int(m_pages.size()); }
    void clear();
    // A page never dropped (the one a growing scope is filling), -1 for none.
    void setPinned(qint64 page) { m_pinned = page; }

    // The event at index i of a page, marking the page used; nullptr when it is not cached.
    const Event* event(qint64 page, qint64 i);
    Page* find(qint64 page);
    const Page* find(qint64 page) const;
    bool isComplete(qint64 page) const;
    void touch(qint64 page);
    // Stores (replaces) a page as just used and drops the least recently used beyond the limit.
    void store(qint64 page, Page entry);
    // The page to append to, created when absent, marked used; call evict() once it is filled.
    Page& fill(qint64 page);
    void evict();

    const std::unordered_map<qint64, Page>& pages() const { return m_pages; }

private:
    std::unordered_map<qint64, Page> m_pages;
    int m_limit;
    qint64 m_pinned = -1;
    quint64 m_clock = 0;
};

} // namespace es
