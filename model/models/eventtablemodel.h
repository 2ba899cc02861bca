#pragma once

#include "core/eventfilter.h"
#include "store/eventstore.h"
#include "store/storesession.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace es {

// The event table for the global log, a category, a stream or any filter. Serves millions of rows
// without loading them: data() never blocks, pages are fetched on demand and kept in a bounded LRU cache.
//
// Rows map to keys (positions, or versions in stream scope) in one of three ways:
// - dense scope (count == last - first + 1): key = first + row, so any row is one keyset seek;
// - sparse scope: every pageSize-th key (an anchor) is read in the background, a page is a seek to its anchor;
// - filters with predicates: no count up front; rows grow with fetchMore() in scan-window reads and the
//   anchors are discovered on the way.
class EventTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { PositionColumn, TimeColumn, StreamColumn, VersionColumn, TypeColumn, DataColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        EventRole = Qt::UserRole + 1, // QVariant::fromValue<es::Event>
        KeyRole, // qint64: position, or version in stream scope
        LoadedRole, // bool
        SortRole,
    };
    Q_ENUM(Role)

    explicit EventTableModel(QObject* parent = nullptr);
    ~EventTableModel() override;

    // nullptr clears the model.
    void setSession(StoreSession* session);
    StoreSession* session() const;

    // Resets the model and starts counting in the background.
    void setFilter(const EventFilter& filter);
    EventFilter filter() const;

    // The event of a row when it is loaded; otherwise schedules its page and returns nullopt.
    std::optional<Event> eventAt(int row) const;
    qint64 keyOf(const Event& event) const;

    // Finds the row of a key (or the nearest row after it) and emits keyLocated(key of that row, row).
    void locateKey(qint64 key);
    // Finds the first row at or after a time and emits keyLocated.
    void locateTime(const QDateTime& time);

    bool isLoading() const;
    bool isRowCountKnown() const { return m_countKnown; }
    Qt::SortOrder sortOrder() const { return m_order; }

    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    void setCacheLimit(int pages);
    int cacheLimit() const { return m_cacheLimit; }
    // Span of keys one filtered read may examine before it returns.
    void setScanWindow(qint64 keys);
    int cachedPageCount() const { return int(m_cache.size()); }

    // Counts again; rows appended at the end of the log are inserted, anything else resets.
    void refresh();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    // Only PositionColumn sorts.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Searches loaded rows only: a keyboard search must not load the whole store.
    QModelIndexList match(const QModelIndex& start, int role, const QVariant& value, int hits = 1,
        Qt::MatchFlags flags = Qt::MatchFlags(Qt::MatchStartsWith | Qt::MatchWrap)) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    void rowCountKnown(qint64 rows);
    // A notice for the user ("No events match the filter.").
    void errorOccurred(const QString& message);
    // A read failed; its kind says why (the session itself reports disconnects).
    void failed(const es::Failure& failure);
    void keyLocated(qint64 key, int row);

private:
    enum class Mode { Counting, Dense, Anchored, Growing };

    struct Page {
        int offset = 0; // index within the page of events[0]
        EventList events;
        bool complete = false; // nothing more to read for this page (short only at the end of the scope)
        quint64 used = 0;
    };

    template <typename R>
    quint64 post(StoreSession::Lane lane, std::function<R(EventStore&)> job, std::function<void(R)> done,
        std::function<void(const Failure&)> failed = {});
    void finishTicket(quint64 ticket);
    void updateLoading();
    void cancelJobs();

    void resetScope();
    void startHead();
    void startCount();
    void startAnchors(const ScopeStats& stats, bool refreshing);
    void onHead(EventPage page);
    void onStats(const ScopeStats& stats);
    void onRefreshStats(const ScopeStats& stats);
    void applyCount(const ScopeStats& stats);
    void absorbHead();

    void startGrow();
    void onGrown(EventPage page);

    qint64 slotOfRow(qint64 row) const;
    qint64 rowOfSlot(qint64 slot) const;
    qint64 totalSlots() const;
    const Event* lookup(qint64 row) const;
    void request(qint64 page) const;
    void processRequests();
    bool canLoad(qint64 page) const;
    EventQuery pageQuery(qint64 page) const;
    void onPage(qint64 page, EventPage result);
    void storePage(qint64 page, Page entry);
    void evict();
    void emitPageChanged(qint64 page);

    void resolveLocate();
    void locateInPage(qint64 key, qint64 page);
    void finishLocate(qint64 key, qint64 row);
    void resolveTimeLocate();

    QPointer<StoreSession> m_session;
    EventFilter m_filter;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    int m_pageSize = 256;
    int m_cacheLimit = 64;
    qint64 m_scanWindow = 100000;

    quint64 m_generation = 0;
    Mode m_mode = Mode::Counting;
    qint64 m_rows = 0;
    bool m_countKnown = false;
    ScopeStats m_stats;
    bool m_anchorsReady = false;
    std::shared_ptr<std::vector<qint64>> m_anchors;
    EventList m_head; // first rows in display order, until the count is known
    bool m_refreshing = false;
    QString m_lastError;
    bool m_scopeFailed = false; // the count or the first read failed: locating has nothing to go on

    // Growing mode.
    qint64 m_nextKey = -1;
    bool m_atEnd = false;
    bool m_growFailed = false;
    quint64 m_growTicket = 0;
    qint64 m_growGained = 0;
    qint64 m_lastGrownKey = -1;

    mutable std::unordered_map<qint64, Page> m_cache;
    mutable quint64 m_clock = 0;
    mutable std::set<qint64> m_wanted;
    mutable QTimer m_requestTimer;
    std::map<qint64, quint64> m_inFlight; // page -> ticket
    std::set<qint64> m_failed;
    std::set<quint64> m_tickets;
    bool m_loading = false;

    std::optional<qint64> m_pendingKey;
    std::optional<QDateTime> m_pendingTime;
};

} // namespace es
