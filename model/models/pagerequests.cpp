#include "models/pagerequests.h"

namespace es {

std::vector<qint64> PageRequests::take(const std::function<Decision(qint64)>& decide)
{
    std::vector<qint64> out;
    for (auto it = m_wanted.begin(); it != m_wanted.end();) {
        const qint64 page = *it;
        const Decision d = m_inFlight.count(page) || m_failed.count(page) ? Decision::Drop : decide(page);
        if (d == Decision::Wait) {
            ++it;
            continue;
        }
        if (d == Decision::Read)
            out.push_back(page);
        it = m_wanted.erase(it);
    }
    return out;
}

void PageRequests::failed(qint64 page)
{
    m_inFlight.erase(page);
    m_failed.insert(page);
}

std::vector<quint64> PageRequests::trim()
{
    std::vector<quint64> cancelled;
    while (m_inFlight.size() > maxInFlight) {
        quint64 first = 0;
        for (const auto& [page, ticket] : m_inFlight) {
            if (!first || ticket < first)
                first = ticket;
        }
        auto oldest = m_inFlight.end();
        for (auto it = m_inFlight.begin(); it != m_inFlight.end(); ++it) {
            if (it->second != first && (oldest == m_inFlight.end() || it->second < oldest->second))
                oldest = it;
        }
        cancelled.push_back(oldest->second);
        m_inFlight.erase(oldest);
    }
    return cancelled;
}

void PageRequests::clear()
{
    m_wanted.clear();
    m_inFlight.clear();
    m_failed.clear();
}

} // namespace es
