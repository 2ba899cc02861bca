#pragma once

#include "store/eventstore.h"

#include <Qt>

#include <memory>
#include <utility>
#include <vector>

namespace es {

// The key of an event in a scope: its version when the scope is one stream, else its global position.
inline qint64 scopeKey(const EventFilter& scope, const Event& event)
{
    return scope.isStream() ? event.version : event.position;
}

// How far a growing scope has read: where the next read starts, the key of the last row found, and whether there is
// nothing more (or the read failed).
struct ScanProgress {
    qint64 nextKey = -1; // -1: the start (the end reading backward)
    qint64 lastKey = -1;
    bool atEnd = false;
    bool failed = false;

    // After a read that found `found` rows (lastKey already the last of them): where the next read starts, and
    // whether the scope is exhausted. A read may stop at its scan window with nothing found and go on from there.
    void advance(const EventPage& result, qint64 found, bool backward);
};

// How the event table's rows map to keys (positions, or versions in stream scope) and to cache pages. A row maps to
// a slot, its index in ascending key order, so cached pages survive a change of sort order and rows appended at
// either end; page = slot / pageSize. The modes:
// - Counting: the count is not known yet; only rows read from the head exist;
// - Dense (count == last - first + 1): key = first + slot, so any page is one keyset seek;
// - Anchored: every pageSize-th key (an anchor) is read in the background, a page is a seek to its anchor;
// - Growing (filters with predicates): rows are appended as reads find them, in display order (rows and slots are
//   the same), and the first key of each page is its anchor.
class RowKeyMap {
public:
    enum class Mode { Counting, Dense, Anchored, Growing };

    explicit RowKeyMap(Mode mode = Mode::Counting, Qt::SortOrder order = Qt::AscendingOrder, int pageSize = 256);

    Mode mode() const { return m_mode; }
    void setMode(Mode mode) { m_mode = mode; }
    Qt::SortOrder order() const { return m_order; }
    void setOrder(Qt::SortOrder order) { m_order = order; }
    // Growing scopes in descending order read backward; counted scopes always read pages forward.
    bool readsBackward() const { return m_mode == Mode::Growing && m_order == Qt::DescendingOrder; }
    int pageSize() const { return m_pageSize; }

    // The table's row count.
    qint64 rows() const { return m_rows; }
    void setRows(qint64 rows) { m_rows = rows; }
    const ScopeStats& stats() const { return m_stats; }
    void setStats(const ScopeStats& stats) { m_stats = stats; }

    bool anchorsReady() const { return m_anchorsReady; }
    const std::vector<qint64>& anchors() const { return *m_anchors; }
    // For reads on other threads: setAnchors() replaces the vector, so a counted scope's anchors never change under
    // a reader (a growing scope appends to its own and shares none).
    std::shared_ptr<const std::vector<qint64>> sharedAnchors() const { return m_anchors; }
    void setAnchors(std::vector<qint64> anchors);
    // Growing: the first key of the page that starts at the current end.
    void appendAnchor(qint64 key);

    qint64 slotOfRow(qint64 row) const;
    qint64 rowOfSlot(qint64 slot) const { return slotOfRow(slot); }
    qint64 totalSlots() const;
    qint64 pageOfRow(qint64 row) const { return slotOfRow(row) / m_pageSize; }
    // Rows of a page, clamped to the table: [first, last], first > last when it has none.
    std::pair<qint64, qint64> rowsOfPage(qint64 page) const;
    // The key of a row known without reading it (dense scopes only), else -1.
    qint64 knownKeyOfRow(qint64 row) const;

    // Whether a page can be read now, and the read.
    bool canLoad(qint64 page) const;
    bool waitsForAnchors() const { return m_mode == Mode::Anchored && !m_anchorsReady; }
    EventQuery pageQuery(qint64 page, const EventFilter& filter) const;

    // The page whose anchor is the last at or before key (at or after, reading backward); 0 when key is before all.
    qint64 anchorPageOf(qint64 key) const;

private:
    Mode m_mode;
    Qt::SortOrder m_order;
    int m_pageSize;
    qint64 m_rows = 0;
    ScopeStats m_stats;
    bool m_anchorsReady = false;
    std::shared_ptr<std::vector<qint64>> m_anchors;
};

} // namespace es
