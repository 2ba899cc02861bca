#include "models/rowkeymap.h"

#include <algorithm>
#include <functional>

namespace es {

void ScanProgress::advance(const EventPage& result, qint64 found, bool backward)
{
    const qint64 previous = nextKey;
    if (result.next >= 0)
        nextKey = result.next;
    else if (lastKey >= 0)
        nextKey = backward ? lastKey - 1 : lastKey + 1;
    if (result.atEnd || (found == 0 && (result.next < 0 || (result.next == previous && !result.windowExhausted)))
        || nextKey < 0)
        atEnd = true;
}

RowKeyMap::RowKeyMap(Mode mode, Qt::SortOrder order, int pageSize)
    : m_mode(mode)
    , m_order(order)
    , m_pageSize(std::max(1, pageSize))
    , m_anchors(std::make_shared<std::vector<qint64>>())
{ }

void RowKeyMap::setAnchors(std::vector<qint64> anchors)
{
    m_anchors = std::make_shared<std::vector<qint64>>(std::move(anchors));
    m_anchorsReady = true;
}

void RowKeyMap::appendAnchor(qint64 key)
{
    Q_ASSERT(m_mode == Mode::Growing);
    m_anchors->push_back(key);
}

qint64 RowKeyMap::slotOfRow(qint64 row) const
{
    if (m_mode == Mode::Growing || m_order == Qt::AscendingOrder)
        return row;
    return m_stats.count - 1 - row;
}

qint64 RowKeyMap::totalSlots() const
{
    return m_mode == Mode::Growing ? m_rows : m_stats.count;
}

std::pair<qint64, qint64> RowKeyMap::rowsOfPage(qint64 page) const
{
    const qint64 firstSlot = page * m_pageSize;
    const qint64 lastSlot = std::min(firstSlot + m_pageSize, totalSlots()) - 1;
    if (lastSlot < firstSlot)
        return { 0, -1 };
    qint64 first = rowOfSlot(firstSlot);
    qint64 last = rowOfSlot(lastSlot);
    if (first > last)
        std::swap(first, last);
    return { std::max<qint64>(first, 0), std::min(last, m_rows - 1) };
}

qint64 RowKeyMap::knownKeyOfRow(qint64 row) const
{
    return m_mode == Mode::Dense ? m_stats.firstKey + slotOfRow(row) : -1;
}

bool RowKeyMap::canLoad(qint64 page) const
{
    switch (m_mode) {
    case Mode::Counting:
        return false;
    case Mode::Dense:
        return page * m_pageSize < m_stats.count;
    case Mode::Anchored:
        return m_anchorsReady && page < qint64(m_anchors->size());
    case Mode::Growing:
        return page < qint64(m_anchors->size());
    }
    return false;
}

EventQuery RowKeyMap::pageQuery(qint64 page, const EventFilter& filter) const
{
    EventQuery query;
    query.filter = filter;
    query.limit = m_pageSize;
    if (m_mode == Mode::Dense) {
        query.from = m_stats.firstKey + page * m_pageSize;
        query.to = std::min(query.from + m_pageSize - 1, m_stats.lastKey);
    } else {
        query.from = (*m_anchors)[std::size_t(page)];
        query.backward = readsBackward();
    }
    return query;
}

qint64 RowKeyMap::anchorPageOf(qint64 key) const
{
    const std::vector<qint64>& a = *m_anchors;
    const auto it = readsBackward() ? std::upper_bound(a.begin(), a.end(), key, std::greater<qint64>())
                                    : std::upper_bound(a.begin(), a.end(), key);
    return std::max<qint64>(0, (it - a.begin()) - 1);
}

} // namespace es
