#include "activity/zoomstack.h"

namespace es {

bool ZoomStack::push(const QDateTime& from, const QDateTime& to)
{
    if (!from.isValid() || !to.isValid() || to <= from)
        return false;
    m_ranges.push_back({ from.toUTC(), to.toUTC() });
    return true;
}

bool ZoomStack::pop()
{
    if (m_ranges.empty())
        return false;
    m_ranges.pop_back();
    return true;
}

bool ZoomStack::reset()
{
    if (m_ranges.empty())
        return false;
    m_ranges.clear();
    return true;
}

std::optional<ZoomStack::Range> ZoomStack::current() const
{
    if (m_ranges.empty())
        return std::nullopt;
    return m_ranges.back();
}

} // namespace es
