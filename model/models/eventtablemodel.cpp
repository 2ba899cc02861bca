#include "models/eventtablemodel.h"

#include <QLocale>

#include <algorithm>
#include <climits>

namespace es {

namespace {

// More queued page reads than this and the oldest are dropped: the view has scrolled past them.
constexpr std::size_t maxPagesInFlight = 6;

const QString placeholder = QStringLiteral("…");

QString localTimeText(const QDateTime& t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) : QString();
}

} // namespace

EventTableModel::EventTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_anchors(std::make_shared<std::vector<qint64>>())
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
    const quint64 generation = m_generation;
    auto ticket = std::make_shared<quint64>(0);
    *ticket = m_session->run<R>(
        lane, this, std::move(job),
        [this, generation, ticket, done = std::move(done)](R result) {
            finishTicket(*ticket);
            if (generation == m_generation)
                done(std::move(result));
        },
        [this, generation, ticket, failed = std::move(failed)](const Failure& failure) {
            finishTicket(*ticket);
            if (generation != m_generation)
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
    return m_filter.isStream() ? event.version : event.position;
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
    m_cacheLimit = std::max(2, pages);
    evict();
}

void EventTableModel::setScanWindow(qint64 keys)
{
    m_scanWindow = std::max<qint64>(0, keys);
}

bool EventTableModel::isLoading() const
{
    return m_loading;
}

void EventTableModel::resetScope()
{
    beginResetModel();
    cancelJobs();
    ++m_generation;
    m_cache.clear();
    m_wanted.clear();
    m_inFlight.clear();
    m_failed.clear();
    m_head.clear();
    m_anchors = std::make_shared<std::vector<qint64>>();
    m_anchorsReady = false;
    m_stats = {};
    m_rows = 0;
    m_countKnown = false;
    m_refreshing = false;
    m_nextKey = -1;
    m_atEnd = false;
    m_growFailed = false;
    m_growTicket = 0;
    m_growGained = 0;
    m_lastGrownKey = -1;
    m_pendingKey.reset();
    m_pendingTime.reset();
    m_scopeFailed = false;
    m_lastError.clear();
    m_mode = m_filter.hasPredicates() ? Mode::Growing : Mode::Counting;
    endResetModel();
    if (m_session) {
        if (m_mode == Mode::Growing) {
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
    query.filter = m_filter;
    query.backward = m_order == Qt::DescendingOrder;
    query.limit = m_pageSize;
    post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this](EventPage page) { onHead(std::move(page)); });
}

void EventTableModel::startCount()
{
    const EventFilter filter = m_filter;
    post<ScopeStats>(
        StoreSession::Lane::Background, [filter](EventStore& store) { return store.scopeStats(filter); },
        [this](ScopeStats stats) { onStats(stats); },
        [this](const Failure&) {
            m_scopeFailed = true;
            m_pendingKey.reset();
            m_pendingTime.reset();
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
    if (n > m_rows) {
        beginInsertRows(QModelIndex(), int(m_rows), int(n - 1));
        m_rows = n;
        endInsertRows();
    }
}

void EventTableModel::onStats(const ScopeStats& stats)
{
    m_stats = stats;
    m_countKnown = true;
    m_mode = stats.dense() || stats.count == 0 ? Mode::Dense : Mode::Anchored;
    absorbHead();
    if (stats.count > m_rows) {
        beginInsertRows(QModelIndex(), int(m_rows), int(std::min<qint64>(stats.count, INT_MAX) - 1));
        m_rows = std::min<qint64>(stats.count, INT_MAX);
        endInsertRows();
    } else if (stats.count < m_rows) {
        beginRemoveRows(QModelIndex(), int(stats.count), int(m_rows - 1));
        m_rows = stats.count;
        endRemoveRows();
    }
    Q_EMIT rowCountKnown(stats.count);
    if (m_mode == Mode::Anchored) {
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
    const qint64 n = qint64(head.size());
    const bool valid = m_stats.count >= n && keyOf(head.front()) == (descending ? m_stats.lastKey : m_stats.firstKey);
    if (!valid) {
        if (m_rows > 0)
            Q_EMIT dataChanged(index(0, 0), index(int(std::min(n, m_rows) - 1), ColumnCount - 1));
        return;
    }
    if (descending)
        std::reverse(head.begin(), head.end());
    const qint64 firstSlot = descending ? m_stats.count - n : 0;
    qint64 i = 0;
    while (i < n) {
        const qint64 slot = firstSlot + i;
        const qint64 page = slot / m_pageSize;
        const qint64 pageEnd = std::min<qint64>((page + 1) * m_pageSize, m_stats.count);
        const qint64 take = std::min(n - i, pageEnd - slot);
        auto existing = m_cache.find(page);
        if (existing == m_cache.end() || !existing->second.complete) {
            Page entry;
            entry.offset = int(slot - page * m_pageSize);
            entry.events.assign(head.begin() + i, head.begin() + i + take);
            entry.complete = entry.offset == 0 && slot + take == pageEnd;
            storePage(page, std::move(entry));
            emitPageChanged(page);
        }
        i += take;
    }
}

void EventTableModel::startAnchors(const ScopeStats& stats, bool refreshing)
{
    const EventFilter filter = m_filter;
    const int stride = m_pageSize;
    post<std::vector<qint64>>(
        StoreSession::Lane::Background,
        [filter, stride](EventStore& store) { return store.keyAnchors(filter, stride); },
        [this, stats, refreshing](std::vector<qint64> anchors) {
            m_anchors = std::make_shared<std::vector<qint64>>(std::move(anchors));
            m_anchorsReady = true;
            if (refreshing) {
                m_mode = Mode::Anchored;
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
    if (m_mode == Mode::Growing) {
        if (m_order == Qt::DescendingOrder) {
            resetScope();
        } else if (m_atEnd || m_growFailed) {
            m_atEnd = false;
            m_countKnown = false;
            m_growFailed = false;
            startGrow();
        }
        return;
    }
    if (!m_countKnown || m_refreshing)
        return;
    m_refreshing = true;
    const EventFilter filter = m_filter;
    post<ScopeStats>(
        StoreSession::Lane::Background, [filter](EventStore& store) { return store.scopeStats(filter); },
        [this](ScopeStats stats) { onRefreshStats(stats); }, [this](const Failure&) { m_refreshing = false; });
}

void EventTableModel::onRefreshStats(const ScopeStats& stats)
{
    const ScopeStats old = m_stats;
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
    if (m_mode == Mode::Dense && stats.dense())
        applyCount(stats);
    else
        startAnchors(stats, true);
}

// Inserts the rows appended since the last count; cached pages stay valid because slots do not move.
void EventTableModel::applyCount(const ScopeStats& stats)
{
    m_refreshing = false;
    const qint64 oldCount = m_stats.count;
    const qint64 newCount = std::min<qint64>(stats.count, INT_MAX);
    if (newCount <= oldCount) {
        m_stats = stats;
        return;
    }
    auto last = m_cache.find((oldCount - 1) / m_pageSize);
    if (last != m_cache.end())
        last->second.complete = false;
    m_failed.clear();
    if (m_order == Qt::AscendingOrder)
        beginInsertRows(QModelIndex(), int(oldCount), int(newCount - 1));
    else
        beginInsertRows(QModelIndex(), 0, int(newCount - oldCount - 1));
    m_stats = stats;
    m_rows = newCount;
    endInsertRows();
    Q_EMIT rowCountKnown(stats.count);
}

// --- Filtered scopes: rows grow as they are found -------------------------------------------------------------

void EventTableModel::startGrow()
{
    if (!m_session || m_mode != Mode::Growing || m_growTicket || m_atEnd || m_growFailed)
        return;
    EventQuery query;
    query.filter = m_filter;
    query.from = m_nextKey;
    query.backward = m_order == Qt::DescendingOrder;
    query.limit = int(m_pageSize - m_rows % m_pageSize);
    query.scanWindow = m_scanWindow;
    m_growTicket = post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this](EventPage page) { onGrown(std::move(page)); },
        [this](const Failure&) {
            m_growTicket = 0;
            m_growFailed = true;
            m_scopeFailed = m_rows == 0;
        });
}

void EventTableModel::onGrown(EventPage result)
{
    // m_growTicket stays set until the rows are in: views and testers call fetchMore() from the insert signals.
    const bool backward = m_order == Qt::DescendingOrder;
    const qint64 n = qint64(result.events.size());
    if (n > 0 && m_rows + n <= INT_MAX) {
        const qint64 page = m_rows / m_pageSize;
        if (m_rows % m_pageSize == 0) {
            Q_ASSERT(qint64(m_anchors->size()) == page);
            m_anchors->push_back(keyOf(result.events.front()));
        }
        beginInsertRows(QModelIndex(), int(m_rows), int(m_rows + n - 1));
        Page& entry = m_cache[page];
        entry.complete = true;
        entry.used = ++m_clock;
        std::move(result.events.begin(), result.events.end(), std::back_inserter(entry.events));
        m_rows += n;
        endInsertRows();
        m_lastGrownKey = keyOf(entry.events.back());
        evict();
    }
    const qint64 previous = m_nextKey;
    if (result.next >= 0)
        m_nextKey = result.next;
    else if (m_lastGrownKey >= 0)
        m_nextKey = backward ? m_lastGrownKey - 1 : m_lastGrownKey + 1;
    if (result.atEnd || (n == 0 && (result.next < 0 || (result.next == previous && !result.windowExhausted)))
        || m_nextKey < 0)
        m_atEnd = true;
    m_growGained += n;
    m_growTicket = 0;
    if (m_atEnd) {
        m_growGained = 0;
        m_countKnown = true;
        Q_EMIT rowCountKnown(m_rows);
    } else {
        const bool locateNeedsMore = m_pendingKey
            && (m_rows == 0 || (backward ? *m_pendingKey < m_lastGrownKey : *m_pendingKey > m_lastGrownKey));
        if (m_growGained < m_pageSize || locateNeedsMore)
            startGrow();
        else
            m_growGained = 0;
    }
    resolveLocate();
}

bool EventTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_session && m_mode == Mode::Growing && !m_atEnd && !m_growFailed && !m_growTicket;
}

void EventTableModel::fetchMore(const QModelIndex& parent)
{
    if (parent.isValid())
        return;
    m_growGained = 0;
    startGrow();
}

// --- Rows, slots and pages ------------------------------------------------------------------------------------

// A slot is a row's index in key order (ascending), so cached pages survive a change of sort order and rows
// appended at either end. In growing mode rows and slots are the same.
qint64 EventTableModel::slotOfRow(qint64 row) const
{
    if (m_mode == Mode::Growing || m_order == Qt::AscendingOrder)
        return row;
    return m_stats.count - 1 - row;
}

qint64 EventTableModel::rowOfSlot(qint64 slot) const
{
    return slotOfRow(slot);
}

qint64 EventTableModel::totalSlots() const
{
    return m_mode == Mode::Growing ? m_rows : m_stats.count;
}

const Event* EventTableModel::lookup(qint64 row) const
{
    if (row < 0 || row >= m_rows)
        return nullptr;
    if (m_mode == Mode::Counting)
        return row < qint64(m_head.size()) ? &m_head[std::size_t(row)] : nullptr;
    const qint64 slot = slotOfRow(row);
    const qint64 page = slot / m_pageSize;
    auto it = m_cache.find(page);
    if (it == m_cache.end())
        return nullptr;
    const qint64 i = slot - page * m_pageSize - it->second.offset;
    if (i < 0 || i >= qint64(it->second.events.size()))
        return nullptr;
    it->second.used = ++m_clock;
    return &it->second.events[std::size_t(i)];
}

void EventTableModel::request(qint64 page) const
{
    if (m_mode == Mode::Counting || m_failed.count(page))
        return;
    auto it = m_cache.find(page);
    if (it != m_cache.end() && it->second.complete)
        return;
    m_wanted.insert(page);
    if (!m_requestTimer.isActive())
        m_requestTimer.start();
}

bool EventTableModel::canLoad(qint64 page) const
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

EventQuery EventTableModel::pageQuery(qint64 page) const
{
    EventQuery query;
    query.filter = m_filter;
    query.limit = m_pageSize;
    if (m_mode == Mode::Dense) {
        query.from = m_stats.firstKey + page * m_pageSize;
        query.to = std::min(query.from + m_pageSize - 1, m_stats.lastKey);
    } else {
        query.from = (*m_anchors)[std::size_t(page)];
        query.backward = m_mode == Mode::Growing && m_order == Qt::DescendingOrder;
    }
    return query;
}

void EventTableModel::processRequests()
{
    if (!m_session) {
        m_wanted.clear();
        return;
    }
    for (auto it = m_wanted.begin(); it != m_wanted.end();) {
        const qint64 page = *it;
        auto cached = m_cache.find(page);
        if ((cached != m_cache.end() && cached->second.complete) || m_inFlight.count(page) || m_failed.count(page)) {
            it = m_wanted.erase(it);
            continue;
        }
        if (!canLoad(page)) {
            // Sparse scopes wait for their anchors; anything else is out of range.
            if (m_mode == Mode::Anchored && !m_anchorsReady)
                ++it;
            else
                it = m_wanted.erase(it);
            continue;
        }
        const EventQuery query = pageQuery(page);
        m_inFlight[page] = post<EventPage>(
            StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
            [this, page](EventPage result) { onPage(page, std::move(result)); },
            [this, page](const Failure&) {
                m_inFlight.erase(page);
                m_failed.insert(page);
            });
        it = m_wanted.erase(it);
    }
    while (m_inFlight.size() > maxPagesInFlight) {
        // The oldest read is probably running already; drop the next oldest, still queued.
        auto oldest = m_inFlight.end();
        quint64 first = 0;
        for (auto it = m_inFlight.begin(); it != m_inFlight.end(); ++it) {
            if (!first || it->second < first)
                first = it->second;
        }
        for (auto it = m_inFlight.begin(); it != m_inFlight.end(); ++it) {
            if (it->second != first && (oldest == m_inFlight.end() || it->second < oldest->second))
                oldest = it;
        }
        m_session->cancel(oldest->second);
        m_tickets.erase(oldest->second);
        m_inFlight.erase(oldest);
    }
    updateLoading();
}

void EventTableModel::onPage(qint64 page, EventPage result)
{
    m_inFlight.erase(page);
    if (page * m_pageSize >= totalSlots())
        return;
    Page entry;
    entry.events = std::move(result.events);
    entry.complete = true;
    storePage(page, std::move(entry));
    emitPageChanged(page);
}

void EventTableModel::storePage(qint64 page, Page entry)
{
    entry.used = ++m_clock;
    m_cache[page] = std::move(entry);
    evict();
}

void EventTableModel::evict()
{
    // In growing mode the page being filled is never dropped: it is the only copy of the rows found so far.
    const qint64 pinned = m_mode == Mode::Growing ? m_rows / m_pageSize : -1;
    while (m_cache.size() > std::size_t(m_cacheLimit)) {
        auto victim = m_cache.end();
        for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
            if (it->first != pinned && (victim == m_cache.end() || it->second.used < victim->second.used))
                victim = it;
        }
        if (victim == m_cache.end())
            break;
        m_cache.erase(victim);
    }
}

void EventTableModel::emitPageChanged(qint64 page)
{
    const qint64 firstSlot = page * m_pageSize;
    const qint64 lastSlot = std::min(firstSlot + m_pageSize, totalSlots()) - 1;
    if (lastSlot < firstSlot)
        return;
    qint64 first = rowOfSlot(firstSlot);
    qint64 last = rowOfSlot(lastSlot);
    if (first > last)
        std::swap(first, last);
    first = std::max<qint64>(first, 0);
    last = std::min(last, m_rows - 1);
    if (first <= last)
        Q_EMIT dataChanged(index(int(first), 0), index(int(last), ColumnCount - 1));
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
    m_pendingKey = key;
    resolveLocate();
}

void EventTableModel::resolveLocate()
{
    if (!m_pendingKey)
        return;
    const qint64 key = *m_pendingKey;
    switch (m_mode) {
    case Mode::Counting:
        return;
    case Mode::Dense: {
        m_pendingKey.reset();
        if (m_stats.count <= 0) {
            Q_EMIT errorOccurred(tr("There are no events here."));
            return;
        }
        const qint64 slot = std::clamp<qint64>(key - m_stats.firstKey, 0, m_stats.count - 1);
        finishLocate(m_stats.firstKey + slot, rowOfSlot(slot));
        return;
    }
    case Mode::Anchored: {
        if (!m_anchorsReady)
            return;
        if (m_anchors->empty()) {
            m_pendingKey.reset();
            Q_EMIT errorOccurred(tr("There are no events here."));
            return;
        }
        const auto it = std::upper_bound(m_anchors->begin(), m_anchors->end(), key);
        locateInPage(key, std::max<qint64>(0, (it - m_anchors->begin()) - 1));
        return;
    }
    case Mode::Growing: {
        const bool backward = m_order == Qt::DescendingOrder;
        if (m_rows == 0) {
            if (m_atEnd || m_growFailed) {
                m_pendingKey.reset();
                Q_EMIT errorOccurred(tr("No events match the filter."));
            } else {
                startGrow();
            }
            return;
        }
        const bool beyond = backward ? key < m_lastGrownKey : key > m_lastGrownKey;
        if (beyond && !m_atEnd && !m_growFailed) {
            startGrow();
            return;
        }
        qint64 page = 0;
        if (backward) {
            const auto it = std::upper_bound(m_anchors->begin(), m_anchors->end(), key, std::greater<qint64>());
            page = (it - m_anchors->begin()) - 1;
        } else {
            const auto it = std::upper_bound(m_anchors->begin(), m_anchors->end(), key);
            page = (it - m_anchors->begin()) - 1;
        }
        locateInPage(key, std::max<qint64>(0, page));
        return;
    }
    }
}

void EventTableModel::locateInPage(qint64 key, qint64 page)
{
    m_pendingKey.reset();
    auto find = [this, key, page]() {
        auto it = m_cache.find(page);
        Q_ASSERT(it != m_cache.end());
        const Page& entry = it->second;
        const bool backward = m_mode == Mode::Growing && m_order == Qt::DescendingOrder;
        for (std::size_t i = 0; i < entry.events.size(); ++i) {
            const qint64 k = keyOf(entry.events[i]);
            if (backward ? k <= key : k >= key) {
                finishLocate(k, rowOfSlot(page * m_pageSize + entry.offset + qint64(i)));
                return;
            }
        }
        if (page + 1 < qint64(m_anchors->size())) {
            finishLocate((*m_anchors)[std::size_t(page + 1)], rowOfSlot((page + 1) * m_pageSize));
        } else if (!entry.events.empty()) {
            const qint64 slot = page * m_pageSize + entry.offset + qint64(entry.events.size()) - 1;
            finishLocate(keyOf(entry.events.back()), rowOfSlot(slot));
        } else {
            Q_EMIT errorOccurred(tr("There are no events here."));
        }
    };
    auto cached = m_cache.find(page);
    if (cached != m_cache.end() && cached->second.complete) {
        cached->second.used = ++m_clock;
        find();
        return;
    }
    const EventQuery query = pageQuery(page);
    post<EventPage>(
        StoreSession::Lane::Interactive, [query](EventStore& store) { return store.events(query); },
        [this, page, find](EventPage result) {
            onPage(page, std::move(result));
            if (m_cache.count(page))
                find();
        });
}

void EventTableModel::finishLocate(qint64 key, qint64 row)
{
    // Always later, never from inside locateKey(): callers connect after calling, and spies wait for a new signal.
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation, key, row]() {
            if (generation == m_generation && row >= 0 && row < m_rows)
                Q_EMIT keyLocated(key, int(row));
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
    m_pendingTime = time.toUTC();
    resolveTimeLocate();
}

void EventTableModel::resolveTimeLocate()
{
    if (!m_pendingTime)
        return;
    const QDateTime time = *m_pendingTime;
    const EventFilter filter = m_filter;
    auto located = [this](qint64 key) { locateKey(key); };

    if (m_mode == Mode::Growing) {
        m_pendingTime.reset();
        EventQuery query;
        query.filter = filter;
        if (!query.filter.fromTime.isValid() || query.filter.fromTime < time)
            query.filter.fromTime = time;
        query.limit = 1;
        post<qint64>(
            StoreSession::Lane::Background,
            [query](EventStore& store) -> qint64 {
                const EventPage page = store.events(query);
                if (page.events.empty())
                    throw StoreError(tr("No event at or after %1.").arg(Event::timeToIso(query.filter.fromTime)));
                const Event& e = page.events.front();
                return query.filter.isStream() ? e.version : e.position;
            },
            located);
        return;
    }
    if (m_mode == Mode::Counting || (m_mode == Mode::Anchored && !m_anchorsReady))
        return;
    m_pendingTime.reset();
    if (m_stats.count <= 0) {
        Q_EMIT errorOccurred(tr("There are no events here."));
        return;
    }

    // Times grow with keys (near enough), so a binary search over page starts finds the page in
    // log2(pages) seeks; the page itself is then scanned.
    const bool dense = m_mode == Mode::Dense;
    const std::shared_ptr<const std::vector<qint64>> anchors = m_anchors;
    const qint64 first = m_stats.firstKey;
    const qint64 count = m_stats.count;
    const int pageSize = m_pageSize;
    const QString noTimes = tr("This store keeps no event times.");
    post<qint64>(
        StoreSession::Lane::Background,
        [dense, anchors, first, count, pageSize, filter, time, noTimes](EventStore& store) -> qint64 {
            const qint64 pages = dense ? (count + pageSize - 1) / pageSize : qint64(anchors->size());
            auto keyOfPage = [&](qint64 p) { return dense ? first + p * pageSize : (*anchors)[std::size_t(p)]; };
            auto keyOfEvent = [&](const Event& e) { return filter.isStream() ? e.version : e.position; };
            auto read = [&](qint64 p, int limit) {
                EventQuery query;
                query.filter = filter;
                query.from = keyOfPage(p);
                query.limit = limit;
                return store.events(query).events;
            };
            auto timeOfPage = [&](qint64 p) {
                const EventList events = read(p, 1);
                if (events.empty() || !events.front().time.isValid())
                    throw StoreError(noTimes);
                return events.front().time;
            };
            qint64 p = 0;
            if (timeOfPage(0) < time) {
                qint64 lo = 0;
                qint64 hi = pages - 1;
                if (timeOfPage(hi) < time) {
                    lo = hi;
                } else {
                    while (hi - lo > 1) {
                        const qint64 mid = lo + (hi - lo) / 2;
                        if (timeOfPage(mid) < time)
                            lo = mid;
                        else
                            hi = mid;
                    }
                }
                p = lo;
            }
            const EventList events = read(p, pageSize);
            for (const Event& e : events) {
                if (e.time.isValid() && e.time >= time)
                    return keyOfEvent(e);
            }
            if (p + 1 < pages)
                return keyOfPage(p + 1);
            if (events.empty())
                throw StoreError(noTimes);
            return keyOfEvent(events.back());
        },
        located);
}

// --- QAbstractItemModel ---------------------------------------------------------------------------------------

std::optional<Event> EventTableModel::eventAt(int row) const
{
    if (const Event* e = lookup(row))
        return *e;
    if (row >= 0 && row < m_rows && m_mode != Mode::Counting)
        request(slotOfRow(row) / m_pageSize);
    return std::nullopt;
}

int EventTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows);
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
            const qint64 slot = slotOfRow(row);
            const qint64 page = slot / m_pageSize;
            auto it = m_cache.find(page);
            const bool known = it != m_cache.end() && it->second.complete;
            if (!known)
                request(page);
            if (role == KeyRole && m_mode == Mode::Dense)
                return m_stats.firstKey + slot;
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
        return tr("Local time; the cell's tooltip shows UTC");
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
    if (m_mode == Mode::Growing || m_mode == Mode::Counting) {
        m_order = order;
        resetScope();
        return;
    }
    // Cached pages are addressed by slot and stay valid; only the row mapping flips.
    beginResetModel();
    m_order = order;
    m_wanted.clear();
    m_pendingKey.reset();
    endResetModel();
}

QModelIndexList EventTableModel::match(
    const QModelIndex& start, int role, const QVariant& value, int hits, Qt::MatchFlags flags) const
{
    QModelIndexList result;
    if (!start.isValid() || start.model() != this)
        return result;
    std::vector<qint64> rows;
    if (m_mode == Mode::Counting) {
        for (qint64 r = 0; r < qint64(m_head.size()); ++r)
            rows.push_back(r);
    } else {
        for (const auto& [page, entry] : m_cache) {
            for (std::size_t i = 0; i < entry.events.size(); ++i) {
                const qint64 row = rowOfSlot(page * m_pageSize + entry.offset + qint64(i));
                if (row >= 0 && row < m_rows)
                    rows.push_back(row);
            }
        }
        std::sort(rows.begin(), rows.end());
    }
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
