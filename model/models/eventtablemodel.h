#pragma once

#include "core/eventfilter.h"
#include "models/eventlocator.h"
#include "models/eventpagecache.h"
#include "models/liverows.h"
#include "models/pagerequests.h"
#include "models/rowkeymap.h"
#include "store/eventstore.h"
#include "store/job.h"
#include "store/storesession.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>
#include <set>

namespace es {

// The event table for the global log, a category, a stream or any filter. Serves millions of rows without loading
// them: data() never blocks; it answers from a bounded LRU cache of pages (EventPageCache) or returns a placeholder
// and asks for the page (PageRequests: batched by a 0-ms timer, a few reads in flight). Rows map to keys as RowKeyMap
// says: one keyset seek per page in dense scopes, anchors read in the background in sparse ones, and for filters with
// predicates no count up front: rows grow with fetchMore() in scan-window reads. EventLocator finds the row of a key
// or a time. The model composes these parts and runs their reads on the session.
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

    // A filter with predicates is not counted up front: its rows are found by scanning (see fetchMore). Where that
    // scan stands, so a view can say "412 found so far, scanned to position 1,204,000" rather than "counting…".
    struct Scan {
        bool active = false; // the scope is scanned (Growing), not counted
        bool complete = false; // the scan reached the end of the scope: found is the count
        bool running = false; // a read is in flight
        bool toEnd = false; // scanToEnd() is in progress
        bool failed = false;
        qint64 found = 0;
        qint64 scannedTo = -1; // the key the scan has read up to (positions, or versions in a stream); -1: none yet
    };
    Scan scan() const;
    // Scans on until the end of the scope (a read at a time, cancellable with stopScan()); emits scanChanged() as it
    // goes and rowCountKnown() at the end.
    void scanToEnd();
    void stopScan();
    Qt::SortOrder sortOrder() const { return m_order; }

    void setPageSize(int rows);
    int pageSize() const { return m_pageSize; }
    void setCacheLimit(int pages);
    int cacheLimit() const { return m_cache.limit(); }
    // Span of keys one filtered read may examine before it returns.
    void setScanWindow(qint64 keys);
    int cachedPageCount() const { return m_cache.size(); }

    // Counts again; rows appended at the end of the log are inserted, anything else resets. While live, reads the
    // store afresh and ends the live rows (the follower starts its tail over).
    void refresh();

    // Follow: the store is read only up to `cap`, the live tail's safe point (nothing at or below it can still
    // appear; -1: nothing is read from the store), and appendLive() adds the tail's events after it, each once, in
    // the tail's order (at the end, or at the top in descending order). Resets the model; any later reset (filter,
    // sort, session) ends it. Returns the live session, which liveSession() reports while it lasts (0 when not live).
    quint64 startLive(qint64 cap);
    void appendLive(EventList events);
    quint64 liveSession() const { return m_live.session(); }
    qint64 liveRowCount() const { return m_live.size(); }

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
    void scanChanged();

private:
    using Mode = RowKeyMap::Mode;

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

    const Event* lookup(qint64 row) const;
    void request(qint64 page) const;
    void processRequests();
    void onPage(qint64 page, EventPage result);
    void storePage(qint64 page, EventPageCache::Page entry);
    void emitPageChanged(qint64 page);

    void resolveLocate();
    void locateInPage(qint64 key, qint64 page);
    void finishLocate(const EventLocator::Step& step);
    void resolveTimeLocate();
    QString failureText(EventLocator::Failure failure) const;
    // Table rows above the rows read from the store (live rows in descending order).
    qint64 storeOffset() const { return m_live.before(m_order); }

    QPointer<StoreSession> m_session;
    EventFilter m_filter;
    EventFilter m_scope; // what the store is read for: m_filter, capped while live
    LiveRows m_live;
    bool m_startingLive = false;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    int m_pageSize = 256;
    qint64 m_scanWindow = 100000;

    Generation m_generation;
    RowKeyMap m_map;
    bool m_countKnown = false;
    EventList m_head; // first rows in display order, until the count is known
    bool m_refreshing = false;
    QString m_lastError;
    bool m_scopeFailed = false; // the count or the first read failed: locating has nothing to go on

    // Growing mode.
    ScanProgress m_growth;
    bool m_scanToEnd = false;
    quint64 m_growTicket = 0;
    qint64 m_growGained = 0;

    mutable EventPageCache m_cache;
    mutable PageRequests m_requests;
    mutable QTimer m_requestTimer;
    std::set<quint64> m_tickets;
    bool m_loading = false;

    EventLocator m_locator;
};

} // namespace es
