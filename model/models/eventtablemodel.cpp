// Over 800 lines on purpose: the item-model surface and the glue that runs the reads of its parts (RowKeyMap,
// EventPageCache, PageRequests, EventLocator) on the session stay together.
#include "models/eventtablemodel.h"

#include "display/timeformat.h"

#include <QLocale>

#include <algorithm>
#include <climits>

namespace es {

namespace {

const QString placeholder = QStringLiteral("…");

QString localTimeText(const QDateTime& t)
{
    return TimeFormat::format(t);
}

} // namespace

EventTableModel::EventTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(0);
    connect(&m_requestTimer, &QTimer::timeout, this, &EventTableModel::processRequests);
}

EventTableModel::~EventTableModel()
{
    cancelJobs();
}

template <typename R>
quint64 EventTableModel::post(StoreSession::Lane lane, std::function<R(EventStore&)> job, std::function<void(R)> done,
    std::function<void(const Failure&)> failed)
{
    Q_ASSERT(m_session);
    const quint64 generation = m_generation.current();
    auto ticket = std::make_shared<quint64>(0);
    *ticket = m_session->run<R>(
        lane, this, std::move(job),
        [this, generation, ticket, done = std::move(done)](R result) {
            finishTicket(*ticket);
            if (m_generation.isCurrent(generation))
                done(std::move(result));
        },
        [this, generation, ticket, failed = std::move(failed)](const Failure& failure) {
            finishTicket(*ticket);
            if (!m_generation.isCurrent(generation))
                return;
            if (failed)
                failed(failure);
            // Every job fails alike when the store cannot be opened: say it once.
            if (failure.message != m_lastError) {
                m_lastError = failure.message;
                Q_EMIT this->failed(failure);
            }
        });
    m_tickets.insert(*ticket);
    updateLoading();
    return *ticket;
}

void EventTableModel::finishTicket(quint64 ticket)
{
    m_tickets.erase(ticket);
    updateLoading();
}

void EventTableModel::updateLoading()
{
    const bool loading = !m_tickets.empty();
    if (loading != m_loading) {
        m_loading = loading;
        Q_EMIT loadingChanged(loading);
    }
}

void EventTableModel::cancelJobs()
{
    if (m_session) {
        for (quint64 ticket : m_tickets)
            m_session->cancel(ticket);
    }
    m_tickets.clear();
}

void EventTableModel::setSession(StoreSession* session)
{
    if (session == m_session && session)
        return;
    cancelJobs();
    m_session = session;
    resetScope();
}

StoreSession* EventTableModel::session() const
{
    return m_session;
}

void EventTableModel::setFilter(const EventFilter& filter)
{
    m_filter = filter;
    resetScope();
}

EventFilter EventTableModel::filter() const
{
    return m_filter;
}

qint64 EventTableModel::keyOf(const Event& event) const
{
    return scopeKey(m_filter, event);
}

void EventTableModel::setPageSize(int rows)
{
    rows = std::max(1, rows);
    if (rows == m_pageSize)
        return;
    m_pageSize = rows;
    resetScope();
}

void EventTableModel::setCacheLimit(int pages)
{
    m_cache.setLimit(pages);
}

void EventTableModel::setScanWindow(qint64 keys)
{
    m_scanWindow = std::max<qint64>(0, keys);
}

bool EventTableModel::isLoading() const
{
    return m_loading;
}

EventTableModel::Scan EventTableModel::scan() const
{
    Scan s;
    s.active = m_session && m_map.mode() == Mode::Growing;
    if (!s.active)
        return s;
    s.complete = m_growth.atEnd;
    s.running = m_growTicket != 0;
    s.toEnd = m_scanToEnd;
    s.failed = m_growth.failed;
    s.found = m_map.rows();
    const bool backward = m_order == Qt::DescendingOrder;
    // nextKey is where the next read starts: everything before it (after it, backward) has been read.
    if (m_growth.nextKey >= 0)
        s.scannedTo = backward ? m_growth.nextKey + 1 : m_growth.nextKey - 1;
    return s;
}

void EventTableModel::scanToEnd()
{
    if (m_map.mode() != Mode::Growing || m_growth.atEnd || m_growth.failed)
        return;
    m_scanToEnd = true;
    startGrow();
    Q_EMIT scanChanged();
}

void EventTableModel::stopScan()
{
    if (!m_scanToEnd)
        return;
    m_scanToEnd = false;
    Q_EMIT scanChanged();
}

void EventTableModel::resetScope()
{
    beginResetModel();
    cancelJobs();
    if (!m_startingLive)
        m_live.stop();
    m_scope = m_filter;
    if (m_live.isActive())
        m_scope.maxKey = m_live.cap();
    const bool nothingStored = m_live.isActive() && m_live.cap() < 0;
    m_generation.next();
    m_cache.clear();
    m_requests.clear();
    m_head.clear();
    m_map = RowKeyMap(m_filter.hasPredicates() ? Mode::Growing : Mode::Counting, m_order, m_pageSize);
    m_cache.setPinned(m_map.mode() == Mode::Growing ? 0 : -1);
    m_countKnown = false;
    m_refreshing = false;
    m_growth = {};
    m_growTicket = 0;
    m_growGained = 0;
    m_scanToEnd = false;
    m_locator.clear();
    m_scopeFailed = false;
    m_lastError.clear();
    if (nothingStored) {
        // Live with every event of the scope above the cap: the tail brings them all, the store has none to read
        // (settled before the reset ends: views and testers call fetchMore() from modelReset).
        if (m_map.mode() == Mode::Growing)
            m_growth.atEnd = true;
        else
            m_map.setMode(Mode::Dense);
        m_countKnown = true;
    }
    endResetModel();
    if (m_session && nothingStored) {
        Q_EMIT rowCountKnown(0);
    } else if (m_session) {
        if (m_map.mode() == Mode::Growing) {
            startGrow();
        } else {
            startHead();
            startCount();
        }
    }
    updateLoading();
}

// --- Counted scopes -------------------------------------------------------------------------------------------

void EventTableModel::startHead()
{
    EventQuery query;
    query.filter = m_scope;
    query.backward = m_order == Qt::DescendingOrder;
    query.limit = m_pageSize;
    post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this](EventPage page) { onHead(std::move(page)); });
}

void EventTableModel::startCount()
{
    const EventFilter filter = m_scope;
    post<ScopeStats>(
        StoreSession::Lane::Background, [filter](EventStore& store) { return store.scopeStats(filter); },
        [this](ScopeStats stats) { onStats(stats); },
        [this](const Failure&) {
            m_scopeFailed = true;
            m_locator.clear();
        });
}

void EventTableModel::onHead(EventPage page)
{
    m_head = std::move(page.events);
    if (m_countKnown) {
        absorbHead();
        return;
    }
    const qint64 n = qint64(m_head.size());
    if (n > m_map.rows()) {
        const qint64 o = storeOffset();
        beginInsertRows(QModelIndex(), int(o + m_map.rows()), int(o + n - 1));
        m_map.setRows(n);
        endInsertRows();
    }
}

void EventTableModel::onStats(const ScopeStats& stats)
{
    m_map.setStats(stats);
    m_countKnown = true;
    m_map.setMode(stats.dense() || stats.count == 0 ? Mode::Dense : Mode::Anchored);
    absorbHead();
    const qint64 rows = m_map.rows();
    const qint64 o = storeOffset();
    const qint64 limit = INT_MAX - m_live.size();
    if (stats.count > rows) {
        beginInsertRows(QModelIndex(), int(o + rows), int(o + std::min<qint64>(stats.count, limit) - 1));
        m_map.setRows(std::min<qint64>(stats.count, limit));
        endInsertRows();
    } else if (stats.count < rows) {
        beginRemoveRows(QModelIndex(), int(o + stats.count), int(o + rows - 1));
        m_map.setRows(stats.count);
        endRemoveRows();
    }
    Q_EMIT rowCountKnown(stats.count);
    if (m_map.mode() == Mode::Anchored) {
        startAnchors(stats, false);
    } else {
        processRequests();
        resolveLocate();
        resolveTimeLocate();
    }
}

// Moves the rows read before the count was known into the cache, where rows are addressed by slot.
void EventTableModel::absorbHead()
{
    if (m_head.empty())
        return;
    EventList head = std::move(m_head);
    m_head.clear();
    const bool descending = m_order == Qt::DescendingOrder;
    const ScopeStats& stats = m_map.stats();
    const qint64 n = qint64(head.size());
    const bool valid = stats.count >= n && keyOf(head.front()) == (descending ? stats.lastKey : stats.firstKey);
    if (!valid) {
        if (m_map.rows() > 0) {
            const qint64 o = storeOffset();
            Q_EMIT dataChanged(index(int(o), 0), index(int(o + std::min(n, m_map.rows()) - 1), ColumnCount - 1));
        }
        return;
    }
    if (descending)
        std::reverse(head.begin(), head.end());
    const qint64 firstSlot = descending ? stats.count - n : 0;
    for (auto& [page, entry] : EventPageCache::slice(std::move(head), firstSlot, stats.count, m_pageSize)) {
        if (!m_cache.isComplete(page)) {
            storePage(page, std::move(entry));
            emitPageChanged(page);
        }
    }
}

void EventTableModel::startAnchors(const ScopeStats& stats, bool refreshing)
{
    const EventFilter filter = m_scope;
    const int stride = m_pageSize;
    post<std::vector<qint64>>(
        StoreSession::Lane::Background,
        [filter, stride](EventStore& store) { return store.keyAnchors(filter, stride); },
        [this, stats, refreshing](std::vector<qint64> anchors) {
            m_map.setAnchors(std::move(anchors));
            if (refreshing) {
                m_map.setMode(Mode::Anchored);
                applyCount(stats);
            }
            processRequests();
            resolveLocate();
            resolveTimeLocate();
        },
        [this](const Failure&) { m_refreshing = false; });
}

void EventTableModel::refresh()
{
    if (!m_session)
        return;
    if (m_live.isActive()) {
        // The tail brings new rows while live; asked anyway (F5, or after Follow ended), read the store afresh.
        resetScope();
        return;
    }
    if (m_map.mode() == Mode::Growing) {
        if (m_order == Qt::DescendingOrder) {
            resetScope();
        } else if (m_growth.atEnd || m_growth.failed) {
            m_growth.atEnd = false;
            m_countKnown = false;
            m_growth.failed = false;
            startGrow();
        }
        return;
    }
    if (!m_countKnown || m_refreshing)
        return;
    m_refreshing = true;
    const EventFilter filter = m_scope;
    post<ScopeStats>(
        StoreSession::Lane::Background, [filter](EventStore& store) { return store.scopeStats(filter); },
        [this](ScopeStats stats) { onRefreshStats(stats); }, [this](const Failure&) { m_refreshing = false; });
}

void EventTableModel::onRefreshStats(const ScopeStats& stats)
{
    const ScopeStats old = m_map.stats();
    if (stats.count == old.count && stats.firstKey == old.firstKey && stats.lastKey == old.lastKey) {
        m_refreshing = false;
        return;
    }
    const bool appended
        = old.count > 0 && stats.firstKey == old.firstKey && stats.count > old.count && stats.lastKey > old.lastKey;
    if (!appended) {
        resetScope();
        return;
    }
    if (m_map.mode() == Mode::Dense && stats.dense())
        applyCount(stats);
    else
        startAnchors(stats, true);
}

// Inserts the rows appended since the last count; cached pages stay valid because slots do not move.
void EventTableModel::applyCount(const ScopeStats& stats)
{
    m_refreshing = false;
    const qint64 oldCount = m_map.stats().count;
    const qint64 newCount = std::min<qint64>(stats.count, INT_MAX);
    if (newCount <= oldCount) {
        m_map.setStats(stats);
        return;
    }
    if (EventPageCache::Page* last = m_cache.find((oldCount - 1) / m_pageSize))
        last->complete = false;
    m_requests.clearFailed();
    if (m_order == Qt::AscendingOrder)
        beginInsertRows(QModelIndex(), int(oldCount), int(newCount - 1));
    else
        beginInsertRows(QModelIndex(), 0, int(newCount - oldCount - 1));
    m_map.setStats(stats);
    m_map.setRows(newCount);
    endInsertRows();
    Q_EMIT rowCountKnown(stats.count);
}

// --- Live: the tail's rows after the cap ------------------------------------------------------------------------

quint64 EventTableModel::startLive(qint64 cap)
{
    m_live.start(cap);
    m_startingLive = true;
    resetScope();
    m_startingLive = false;
    return m_live.session();
}

void EventTableModel::appendLive(EventList events)
{
    if (!m_live.isActive() || events.empty())
        return;
    const qint64 rows = m_map.rows() + m_live.size();
    const qint64 n = std::min<qint64>(qint64(events.size()), INT_MAX - rows);
    if (n <= 0)
        return;
    events.resize(std::size_t(n));
    if (m_order == Qt::AscendingOrder)
        beginInsertRows(QModelIndex(), int(rows), int(rows + n - 1));
    else
        beginInsertRows(QModelIndex(), 0, int(n - 1));
    m_live.append(std::move(events));
    endInsertRows();
}

// --- Filtered scopes: rows grow as they are found -------------------------------------------------------------

void EventTableModel::startGrow()
{
    if (!m_session || m_map.mode() != Mode::Growing || m_growTicket || m_growth.atEnd || m_growth.failed)
        return;
    EventQuery query;
    query.filter = m_scope;
    query.from = m_growth.nextKey;
    query.backward = m_order == Qt::DescendingOrder;
    query.limit = int(m_pageSize - m_map.rows() % m_pageSize);
    query.scanWindow = m_scanWindow;
    m_growTicket = post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this](EventPage page) { onGrown(std::move(page)); },
        [this](const Failure&) {
            m_growTicket = 0;
            m_growth.failed = true;
            m_scanToEnd = false;
            m_scopeFailed = m_map.rows() == 0;
            Q_EMIT scanChanged();
        });
    Q_EMIT scanChanged();
}

void EventTableModel::onGrown(EventPage result)
{
    // m_growTicket stays set until the rows are in: views and testers call fetchMore() from the insert signals.
    const bool backward = m_order == Qt::DescendingOrder;
    const qint64 n = qint64(result.events.size());
    const qint64 rows = m_map.rows();
    if (n > 0 && rows + n + m_live.size() <= INT_MAX) {
        const qint64 page = rows / m_pageSize;
        if (rows % m_pageSize == 0) {
            Q_ASSERT(qint64(m_map.anchors().size()) == page);
            m_map.appendAnchor(keyOf(result.events.front()));
        }
        const qint64 o = storeOffset();
        beginInsertRows(QModelIndex(), int(o + rows), int(o + rows + n - 1));
        EventPageCache::Page& entry = m_cache.fill(page);
        entry.complete = true;
        std::move(result.events.begin(), result.events.end(), std::back_inserter(entry.events));
        m_map.setRows(rows + n);
        endInsertRows();
        m_growth.lastKey = keyOf(entry.events.back());
        // The page being filled is never dropped: it is the only copy of the rows found so far.
        m_cache.setPinned(m_map.rows() / m_pageSize);
        m_cache.evict();
    }
    m_growth.advance(result, n, backward);
    m_growGained += n;
    m_growTicket = 0;
    if (m_growth.atEnd) {
        m_growGained = 0;
        m_countKnown = true;
        m_scanToEnd = false;
        Q_EMIT rowCountKnown(m_map.rows());
    } else if (m_scanToEnd) {
        m_growGained = 0;
        startGrow();
    } else {
        const auto& pending = m_locator.pendingKey();
        const bool locateNeedsMore
            = pending && (m_map.rows() == 0 || (backward ? *pending < m_growth.lastKey : *pending > m_growth.lastKey));
        if (m_growGained < m_pageSize || locateNeedsMore)
            startGrow();
        else
            m_growGained = 0;
    }
    Q_EMIT scanChanged();
    resolveLocate();
}

bool EventTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_session && m_map.mode() == Mode::Growing && !m_growth.atEnd && !m_growth.failed
        && !m_growTicket;
}

void EventTableModel::fetchMore(const QModelIndex& parent)
{
    if (parent.isValid())
        return;
    m_growGained = 0;
    startGrow();
}

// --- Rows and pages --------------------------------------------------------------------------------------------

const Event* EventTableModel::lookup(qint64 row) const
{
    if (const Event* e = m_live.at(row, m_map.rows(), m_order))
        return e;
    row -= storeOffset();
    if (row < 0 || row >= m_map.rows())
        return nullptr;
    if (m_map.mode() == Mode::Counting)
        return row < qint64(m_head.size()) ? &m_head[std::size_t(row)] : nullptr;
    const qint64 slot = m_map.slotOfRow(row);
    const qint64 page = slot / m_pageSize;
    return m_cache.event(page, slot - page * m_pageSize);
}

void EventTableModel::request(qint64 page) const
{
    if (m_map.mode() == Mode::Counting || m_requests.hasFailed(page) || m_cache.isComplete(page))
        return;
    m_requests.want(page);
    if (!m_requestTimer.isActive())
        m_requestTimer.start();
}

void EventTableModel::processRequests()
{
    if (!m_session) {
        m_requests.clearWanted();
        return;
    }
    const auto ready = m_requests.take([this](qint64 page) {
        if (m_cache.isComplete(page))
            return PageRequests::Decision::Drop;
        if (!m_map.canLoad(page)) // sparse scopes wait for their anchors; anything else is out of range
            return m_map.waitsForAnchors() ? PageRequests::Decision::Wait : PageRequests::Decision::Drop;
        return PageRequests::Decision::Read;
    });
    for (const qint64 page : ready) {
        const EventQuery query = m_map.pageQuery(page, m_scope);
        m_requests.started(page,
            post<EventPage>(
                StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
                [this, page](EventPage result) { onPage(page, std::move(result)); },
                [this, page](const Failure&) { m_requests.failed(page); }));
    }
    for (const quint64 ticket : m_requests.trim()) {
        m_session->cancel(ticket);
        m_tickets.erase(ticket);
    }
    updateLoading();
}

void EventTableModel::onPage(qint64 page, EventPage result)
{
    m_requests.finished(page);
    if (page * m_pageSize >= m_map.totalSlots())
        return;
    EventPageCache::Page entry;
    entry.events = std::move(result.events);
    entry.complete = true;
    storePage(page, std::move(entry));
    emitPageChanged(page);
}

void EventTableModel::storePage(qint64 page, EventPageCache::Page entry)
{
    m_cache.store(page, std::move(entry));
}

void EventTableModel::emitPageChanged(qint64 page)
{
    const auto [first, last] = m_map.rowsOfPage(page);
    const qint64 o = storeOffset();
    if (first <= last)
        Q_EMIT dataChanged(index(int(o + first), 0), index(int(o + last), ColumnCount - 1));
}

// --- Locating rows --------------------------------------------------------------------------------------------

void EventTableModel::locateKey(qint64 key)
{
    if (!m_session) {
        Q_EMIT errorOccurred(tr("No store is open."));
        return;
    }
    if (m_scopeFailed) {
        Q_EMIT errorOccurred(tr("The events could not be read."));
        return;
    }
    if (const auto index = m_live.indexOfKey(key, m_filter.isStream())) {
        const quint64 generation = m_generation.current();
        const quint64 session = m_live.session();
        QMetaObject::invokeMethod(
            this,
            [this, generation, session, key, i = *index]() {
                if (m_generation.isCurrent(generation) && m_live.session() == session)
                    Q_EMIT keyLocated(key, int(m_live.rowOf(i, m_map.rows(), m_order)));
            },
            Qt::QueuedConnection);
        return;
    }
    m_locator.locateKey(key);
    resolveLocate();
}

QString EventTableModel::failureText(EventLocator::Failure failure) const
{
    return failure == EventLocator::Failure::NoMatch ? tr("No events match the filter.")
                                                     : tr("There are no events here.");
}

void EventTableModel::resolveLocate()
{
    const EventLocator::Step step = m_locator.resolveKey(m_map, m_growth);
    switch (step.action) {
    case EventLocator::Step::Action::Wait:
        return;
    case EventLocator::Step::Action::Grow:
        startGrow();
        return;
    case EventLocator::Step::Action::ReadPage:
        locateInPage(step.key, step.page);
        return;
    case EventLocator::Step::Action::Found:
    case EventLocator::Step::Action::Fail:
        finishLocate(step);
        return;
    }
}

void EventTableModel::locateInPage(qint64 key, qint64 page)
{
    auto find = [this, key, page]() {
        const EventPageCache::Page* entry = m_cache.find(page);
        Q_ASSERT(entry);
        finishLocate(EventLocator::findInPage(m_map, m_scope, page, *entry, key));
    };
    if (m_cache.isComplete(page)) {
        m_cache.touch(page);
        find();
        return;
    }
    const EventQuery query = m_map.pageQuery(page, m_scope);
    post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this, page, find](EventPage result) {
            onPage(page, std::move(result));
            if (m_cache.find(page))
                find();
        });
}

void EventTableModel::finishLocate(const EventLocator::Step& step)
{
    if (step.action == EventLocator::Step::Action::Fail) {
        Q_EMIT errorOccurred(failureText(step.failure));
        return;
    }
    // Always later, never from inside locateKey(): callers connect after calling, and spies wait for a new signal.
    const quint64 generation = m_generation.current();
    const qint64 key = step.key;
    const qint64 row = step.row;
    QMetaObject::invokeMethod(
        this,
        [this, generation, key, row]() {
            if (m_generation.isCurrent(generation) && row >= 0 && row < m_map.rows())
                Q_EMIT keyLocated(key, int(row + storeOffset()));
        },
        Qt::QueuedConnection);
}

void EventTableModel::locateTime(const QDateTime& time)
{
    if (!m_session) {
        Q_EMIT errorOccurred(tr("No store is open."));
        return;
    }
    if (m_scopeFailed) {
        Q_EMIT errorOccurred(tr("The events could not be read."));
        return;
    }
    if (!time.isValid()) {
        Q_EMIT errorOccurred(tr("Not a valid time."));
        return;
    }
    m_locator.locateTime(time.toUTC());
    resolveTimeLocate();
}

void EventTableModel::resolveTimeLocate()
{
    const EventLocator::TimeStep step = m_locator.resolveTime(m_map, m_scope);
    auto located = [this](qint64 key) { locateKey(key); };
    switch (step.action) {
    case EventLocator::TimeStep::Action::Wait:
        return;
    case EventLocator::TimeStep::Action::Fail:
        Q_EMIT errorOccurred(failureText(step.failure));
        return;
    case EventLocator::TimeStep::Action::ReadFirst: {
        const EventQuery query = step.first;
        post<qint64>(
            StoreSession::Lane::Background, [query](EventStore& store) { return EventLocator::firstKey(store, query); },
            located);
        return;
    }
    case EventLocator::TimeStep::Action::Search: {
        const EventLocator::TimeSearch search = step.search;
        post<qint64>(
            StoreSession::Lane::Background,
            [search](EventStore& store) { return EventLocator::keyAtTime(store, search); }, located);
        return;
    }
    }
}

// --- QAbstractItemModel ---------------------------------------------------------------------------------------

std::optional<Event> EventTableModel::eventAt(int row) const
{
    if (const Event* e = lookup(row))
        return *e;
    const qint64 storeRow = row - storeOffset();
    if (storeRow >= 0 && storeRow < m_map.rows() && m_map.mode() != Mode::Counting)
        request(m_map.pageOfRow(storeRow));
    return std::nullopt;
}

int EventTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_map.rows() + m_live.size());
}

int EventTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = column == PositionColumn || column == VersionColumn;
        return int((numeric ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    }
    if (role == Qt::SizeHintRole)
        return {};

    const Event* e = lookup(row);
    if (role == LoadedRole)
        return e != nullptr;
    if (!e) {
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == EventRole || role == KeyRole
            || role == SortRole) {
            const qint64 storeRow = row - storeOffset(); // live rows are always loaded
            const qint64 page = m_map.pageOfRow(storeRow);
            const bool known = m_cache.isComplete(page);
            if (!known)
                request(page);
            if (role == KeyRole && m_map.mode() == Mode::Dense)
                return m_map.knownKeyOfRow(storeRow);
            if (role == Qt::DisplayRole && column == PositionColumn && !known)
                return placeholder;
        }
        return {};
    }

    switch (role) {
    case EventRole:
        return QVariant::fromValue(*e);
    case KeyRole:
        return keyOf(*e);
    case SortRole:
        switch (column) {
        case PositionColumn:
            return keyOf(*e);
        case TimeColumn:
            return e->time;
        case VersionColumn:
            return e->version;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (column) {
        case PositionColumn:
            return e->position >= 0 ? QString::number(e->position) : QString();
        case TimeColumn:
            return localTimeText(e->time);
        case StreamColumn:
            return e->stream;
        case VersionColumn:
            return e->version >= 0 ? QString::number(e->version) : QString();
        case TypeColumn:
            return e->type.isEmpty() ? tr("(no type)") : e->type;
        case DataColumn:
            return e->data.preview();
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case TimeColumn:
            return e->time.isValid() ? Event::timeToIso(e->time) : tr("This store keeps no event times.");
        case TypeColumn:
            return e->type.isEmpty() ? tr("The event has no type.") : e->type;
        case DataColumn:
            return e->data.preview(2000);
        default:
            return {};
        }
    }
    return {};
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case PositionColumn:
            return tr("Position");
        case TimeColumn:
            return tr("Time");
        case StreamColumn:
            return tr("Stream");
        case VersionColumn:
            return tr("Version");
        case TypeColumn:
            return tr("Type");
        case DataColumn:
            return tr("Data");
        }
    } else if (role == Qt::ToolTipRole && section == TimeColumn) {
        return tr("Times in %1 (View › Times in UTC); the cell's tooltip shows ISO 8601 UTC")
            .arg(TimeFormat::zoneLabel());
    }
    return {};
}

Qt::ItemFlags EventTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

void EventTableModel::sort(int column, Qt::SortOrder order)
{
    if (column != PositionColumn || order == m_order)
        return;
    if (m_map.mode() == Mode::Growing || m_map.mode() == Mode::Counting) {
        m_order = order;
        resetScope();
        return;
    }
    // Cached pages are addressed by slot and stay valid; only the row mapping flips.
    beginResetModel();
    m_order = order;
    m_map.setOrder(order);
    m_requests.clearWanted();
    m_locator.clearKey();
    endResetModel();
}

QModelIndexList EventTableModel::match(
    const QModelIndex& start, int role, const QVariant& value, int hits, Qt::MatchFlags flags) const
{
    QModelIndexList result;
    if (!start.isValid() || start.model() != this)
        return result;
    std::vector<qint64> rows;
    const qint64 o = storeOffset();
    if (m_map.mode() == Mode::Counting) {
        for (qint64 r = 0; r < qint64(m_head.size()); ++r)
            rows.push_back(o + r);
    } else {
        for (const auto& [page, entry] : m_cache.pages()) {
            for (std::size_t i = 0; i < entry.events.size(); ++i) {
                const qint64 row = m_map.rowOfSlot(page * m_pageSize + entry.offset + qint64(i));
                if (row >= 0 && row < m_map.rows())
                    rows.push_back(o + row);
            }
        }
    }
    for (qint64 i = 0; i < m_live.size(); ++i)
        rows.push_back(m_live.rowOf(i, m_map.rows(), m_order));
    std::sort(rows.begin(), rows.end());
    if (rows.empty())
        return result;
    const Qt::CaseSensitivity cs = flags & Qt::MatchCaseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    const uint how = uint(flags & 0x0F);
    const QString text = value.toString();
    auto matches = [&](const QVariant& v) {
        switch (how) {
        case Qt::MatchExactly:
            return v == value;
        case Qt::MatchContains:
            return v.toString().contains(text, cs);
        case Qt::MatchEndsWith:
            return v.toString().endsWith(text, cs);
        case Qt::MatchFixedString:
            return v.toString().compare(text, cs) == 0;
        default:
            return v.toString().startsWith(text, cs);
        }
    };
    auto begin = std::lower_bound(rows.begin(), rows.end(), qint64(start.row()));
    std::vector<qint64> order(begin, rows.end());
    if (flags & Qt::MatchWrap)
        order.insert(order.end(), rows.begin(), begin);
    for (qint64 row : order) {
        const QModelIndex idx = this->index(int(row), start.column());
        if (matches(data(idx, role))) {
            result.append(idx);
            if (hits != -1 && result.size() >= hits)
                break;
        }
    }
    return result;
}

QHash<int, QByteArray> EventTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(EventRole, "event");
    names.insert(KeyRole, "key");
    names.insert(LoadedRole, "loaded");
    names.insert(SortRole, "sortValue");
    return names;
}

} // namespace es
