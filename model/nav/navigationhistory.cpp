#include "nav/navigationhistory.h"

namespace es {

void NavigationHistory::visit(const Place& place)
{
    if (m_current && m_current->sameView(place) && (m_current->key() < 0 || m_current->key() == place.key())) {
        m_current = place;
        return;
    }
    if (m_current && *m_current == place)
        return;
    if (m_current) {
        m_back.prepend(*m_current);
        while (m_back.size() > MaxEntries)
            m_back.removeLast();
    }
    m_forward.clear();
    m_current = place;
}

void NavigationHistory::updateCurrent(const Place& place)
{
    m_current = place;
}

std::optional<Place> NavigationHistory::back()
{
    if (m_back.isEmpty())
        return std::nullopt;
    if (m_current)
        m_forward.prepend(*m_current);
    m_current = m_back.takeFirst();
    return m_current;
}

std::optional<Place> NavigationHistory::forward()
{
    if (m_forward.isEmpty())
        return std::nullopt;
    if (m_current)
        m_back.prepend(*m_current);
    m_current = m_forward.takeFirst();
    return m_current;
}

void NavigationHistory::clear()
{
    m_current.reset();
    m_back.clear();
    m_forward.clear();
}

} // namespace es
