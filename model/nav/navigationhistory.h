#pragma once

#include "nav/place.h"

#include <QList>

#include <optional>

namespace es {

// Back and Forward across places, as a browser keeps them: visiting a place puts the current one on the back list and
// forgets the forward list; moving the selection within a view only updates the current place.
class NavigationHistory {
public:
    static constexpr int MaxEntries = 100;

    bool hasCurrent() const { return m_current.has_value(); }
    const std::optional<Place>& current() const { return m_current; }

    // A new place. The same view as the current one replaces it (a different selection only, or nothing new).
    void visit(const Place& place);
    // The current place as it is now (the selection moved, a time-travel cursor moved); no new entry.
    void updateCurrent(const Place& place);

    bool canGoBack() const { return !m_back.isEmpty(); }
    bool canGoForward() const { return !m_forward.isEmpty(); }
    // The place gone to, now current; nullopt when there is none that way.
    std::optional<Place> back();
    std::optional<Place> forward();
    // Most recent first.
    const QList<Place>& backList() const { return m_back; }
    const QList<Place>& forwardList() const { return m_forward; }
    void clear();

private:
    std::optional<Place> m_current;
    QList<Place> m_back; // most recent first
    QList<Place> m_forward; // nearest first
};

} // namespace es
