#pragma once

#include "core/event.h"

#include <Qt>

#include <optional>

namespace es {

// The rows a followed event table gets from the live tail. The table reads the store only up to the tail's safe point
// (the cap: nothing at or below it can still appear) and these rows come after it in the tail's order, each once:
// at the end in ascending order, at the top in descending order. They are held here, since in a transaction order
// no keyset read finds them again; the follower starts over before there are too many.
class LiveRows {
public:
    bool isActive() const { return m_active; }
    // Each start() is a new session; any reset of the table ends it.
    quint64 session() const { return m_active ? m_session : 0; }
    // The safe point the store is read up to; -1: nothing is read from the store (the scope was empty below it).
    qint64 cap() const { return m_cap; }

    void start(qint64 cap);
    void stop();

    qint64 size() const { return qint64(m_events.size()); }
    const EventList& events() const { return m_events; }
    // Table rows above the rows read from the store.
    qint64 before(Qt::SortOrder order) const { return order == Qt::DescendingOrder ? size() : 0; }
    // The live event shown in `row` of a table whose store part has `storeRows` rows; nullptr for a row of that part.
    const Event* at(qint64 row, qint64 storeRows, Qt::SortOrder order) const;
    // The table row of the live event at `index` (in arrival order).
    qint64 rowOf(qint64 index, qint64 storeRows, Qt::SortOrder order) const;
    // The index of the first live event with this key, if any.
    std::optional<qint64> indexOfKey(qint64 key, bool streamScope) const;

    void append(EventList events);

private:
    bool m_active = false;
    quint64 m_session = 0;
    qint64 m_cap = -1;
    EventList m_events;
};

} // namespace es
