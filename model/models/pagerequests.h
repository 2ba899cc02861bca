#pragma once

#include <QtGlobal>

#include <functional>
#include <map>
#include <set>
#include <vector>

namespace es {

// The page reads a lazy table wants, runs and has seen fail. Cells ask for their page as they are painted; the asks
// are collected and sent in one batch; at most maxInFlight reads run or wait at once (beyond that the oldest still
// queued is dropped: the view has scrolled past it); a page whose read failed is not asked for again until cleared.
class PageRequests {
public:
    static constexpr std::size_t maxInFlight = 6;

    enum class Decision { Read, Wait, Drop };

    void want(qint64 page) { m_wanted.insert(page); }
    bool isWanted(qint64 page) const { return m_wanted.count(page) > 0; }
    bool hasFailed(qint64 page) const { return m_failed.count(page) > 0; }
    bool isInFlight(qint64 page) const { return m_inFlight.count(page) > 0; }
    std::size_t inFlightCount() const { return m_inFlight.size(); }

    // The wanted pages to read now, in page order, as `decide` says: Read pages are taken, Wait pages stay wanted,
    // Drop pages are forgotten. Pages in flight or failed are forgotten without asking.
    std::vector<qint64> take(const std::function<Decision(qint64)>& decide);
    void started(qint64 page, quint64 ticket) { m_inFlight[page] = ticket; }
    void finished(qint64 page) { m_inFlight.erase(page); }
    void failed(qint64 page);
    // Reads to cancel (their tickets, forgotten here) so that at most maxInFlight remain. Tickets grow with time;
    // the oldest read is probably running already, so the next oldest, still queued, goes first.
    std::vector<quint64> trim();

    void clearWanted() { m_wanted.clear(); }
    void clearFailed() { m_failed.clear(); }
    void clear();

private:
    std::set<qint64> m_wanted;
    std::map<qint64, quint64> m_inFlight; // page -> ticket
    std::set<qint64> m_failed;
};

} // namespace es
