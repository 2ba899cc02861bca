#include "models/liverows.h"

#include <iterator>

namespace es {

void LiveRows::start(qint64 cap)
{
    m_active = true;
    ++m_session;
    m_cap = cap;
    m_events.clear();
}

void LiveRows::stop()
{
    m_active = false;
    m_cap = -1;
    m_events.clear();
}

const Event* LiveRows::at(qint64 row, qint64 storeRows, Qt::SortOrder order) const
{
    const qint64 n = size();
    qint64 index = -1;
    if (order == Qt::DescendingOrder)
        index = row < n ? n - 1 - row : -1;
    else
        index = row >= storeRows ? row - storeRows : -1;
    return index >= 0 && index < n ? &m_events[std::size_t(index)] : nullptr;
}

qint64 LiveRows::rowOf(qint64 index, qint64 storeRows, Qt::SortOrder order) const
{
    return order == Qt::DescendingOrder ? size() - 1 - index : storeRows + index;
}

std::optional<qint64> LiveRows::indexOfKey(qint64 key, bool streamScope) const
{
    for (std::size_t i = 0; i < m_events.size(); ++i) {
        if ((streamScope ? m_events[i].version : m_events[i].position) == key)
            return qint64(i);
    }
    return std::nullopt;
}

void LiveRows::append(EventList events)
{
    std::move(events.begin(), events.end(), std::back_inserter(m_events));
}

} // namespace es
