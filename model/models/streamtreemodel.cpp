#include "models/streamtreemodel.h"

#include "display/timeformat.h"

#include <QLocale>

#include <algorithm>

namespace es {

namespace {

constexpr quintptr topLevel = 0;

bool isWildcard(QChar c)
{
    return c == QLatin1Char('*') || c == QLatin1Char('?');
}

QRegularExpression wildcardPattern(const QString& text)
{
    QString re;
    QString literal;
    auto flush = [&]() {
        re += QRegularExpression::escape(literal);
        literal.clear();
    };
    for (const QChar c : text) {
        if (isWildcard(c)) {
            flush();
            re += c == QLatin1Char('*') ? QStringLiteral(".*") : QStringLiteral(".");
        } else {
            literal += c;
        }
    }
    flush();
    return QRegularExpression(QRegularExpression::anchoredPattern(re), QRegularExpression::CaseInsensitiveOption);
}

// The order the database gives streams in, for categories (all loaded at once) and for rows the live tail adds.
// A streams table has no times: each category's last event says when it was last active (one read backwards through
// the position index per category, for a browsable number of categories).
void fillLastActivity(EventStore& store, CategoryList& categories)
{
    constexpr std::size_t maxLookups = 100;
    if (categories.size() > maxLookups)
        return;
    for (CategoryInfo& c : categories) {
        if (c.lastPosition >= 0 || c.name.isEmpty())
            continue;
        EventQuery last;
        last.filter.category = c.name;
        last.backward = true;
        last.limit = 1;
        const EventPage page = store.events(last);
        if (!page.events.empty()) {
            c.lastPosition = page.events.front().position;
            c.lastTime = page.events.front().time;
        }
    }
}

bool categoryBefore(const CategoryInfo& a, const CategoryInfo& b, StreamOrder order, bool descending)
{
    auto byName = [&] { return descending ? b.name < a.name : a.name < b.name; };
    qint64 va = 0;
    qint64 vb = 0;
    if (order == StreamOrder::Events) {
        va = a.events;
        vb = b.events;
    } else if (order == StreamOrder::LastActivity) {
        va = a.lastPosition >= 0 ? a.lastPosition : (a.lastTime.isValid() ? a.lastTime.toMSecsSinceEpoch() : -1);
        vb = b.lastPosition >= 0 ? b.lastPosition : (b.lastTime.isValid() ? b.lastTime.toMSecsSinceEpoch() : -1);
    } else {
        return byName();
    }
    if (va != vb)
        return descending ? va > vb : va < vb;
    return a.name < b.name;
}

} // namespace

StreamTreeModel::StreamTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
    connect(TimeFormat::instance(), &TimeFormat::zoneChanged, this, [this] {
        const int rows = rowCount();
        if (rows > 0)
            Q_EMIT dataChanged(index(0, LastActivityColumn), index(rows - 1, LastActivityColumn));
        for (int c = 0; !isFlat() && c < int(m_categories.size()); ++c) {
            const QModelIndex parent = index(c, 0);
            const int children = rowCount(parent);
            if (children > 0)
                Q_EMIT dataChanged(
                    index(0, LastActivityColumn, parent), index(children - 1, LastActivityColumn, parent));
        }
    });
}

StreamTreeModel::~StreamTreeModel()
{
    cancelJobs();
}

void StreamTreeModel::setSession(StoreSession* session)
{
    if (session == m_session && session)
        return;
    cancelJobs();
    m_session = session;
    reset();
}

StoreSession* StreamTreeModel::session() const
{
    return m_session;
}

void StreamTreeModel::setFilterText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_filterText)
        return;
    m_filterText = trimmed;
    reset();
}

void StreamTreeModel::refresh()
{
    reset();
}

void StreamTreeModel::setPageSize(int streams)
{
    m_pageSize = std::max(1, streams);
}

void StreamTreeModel::reset()
{
    beginResetModel();
    cancelJobs();
    ++m_generation;
    m_categories.clear();
    m_countsEstimated = false;
    m_flat = StreamPager();
    m_pattern = QRegularExpression();
    if (isFlat()) {
        if (!std::any_of(m_filterText.begin(), m_filterText.end(), isWildcard)) {
            StreamQuery prefix;
            prefix.prefix = m_filterText;
            StreamQuery contains;
            contains.contains = m_filterText;
            m_flat.phases = { prefix, contains };
        } else {
            // The database narrows by the literal prefix and the longest other literal; the pattern decides.
            StreamQuery query;
            const auto firstWildcard = std::find_if(m_filterText.begin(), m_filterText.end(), isWildcard);
            query.prefix = QString(m_filterText.begin(), firstWildcard - m_filterText.begin());
            QString longest;
            QString literal;
            for (auto it = firstWildcard; it != m_filterText.end(); ++it) {
                if (isWildcard(*it)) {
                    if (literal.size() > longest.size())
                        longest = literal;
                    literal.clear();
                } else {
                    literal += *it;
                }
            }
            if (literal.size() > longest.size())
                longest = literal;
            query.contains = longest;
            m_flat.phases = { query };
            m_pattern = wildcardPattern(m_filterText);
        }
    }
    endResetModel();
    if (m_session) {
        if (isFlat())
            fetch(-1);
        else
            loadCategories();
    }
    updateLoading();
}

void StreamTreeModel::loadCategories()
{
    const quint64 generation = m_generation;
    const bool useCache = m_useCache;
    auto ticket = std::make_shared<quint64>(0);
    // Posted first on the same lane, so the first answer comes before the exact count starts. A failed estimate says
    // nothing: the exact count that follows reports what is wrong.
    *ticket = m_session->run<counts::CategoryCounts>(
        StoreSession::Lane::Background, this,
        [useCache](EventStore& store) {
            counts::CategoryCounts categories = counts::quickCategories(store, useCache);
            fillLastActivity(store, categories.categories);
            return categories;
        },
        [this, generation, ticket](counts::CategoryCounts categories) {
            finishTicket(*ticket);
            if (generation != m_generation)
                return;
            const bool exact = !categories.estimated;
            applyCategories(std::move(categories));
            // Counted, or from the cache: that is the answer, and the exact count need not run.
            if (exact && m_countTicket) {
                m_session->cancel(m_countTicket);
                setCountTicket(0);
            }
        },
        [this, ticket](const Failure&) { finishTicket(*ticket); });
    m_tickets.insert(*ticket);
    countCategories(generation);
    updateLoading();
}

void StreamTreeModel::countCategories(quint64 generation)
{
    const bool useCache = m_useCache;
    JobCallbacks<counts::CategoryCounts> callbacks;
    callbacks.finished = [this, generation](counts::CategoryCounts categories) {
        if (generation != m_generation || !m_countTicket)
            return;
        setCountTicket(0);
        applyCategories(std::move(categories));
    };
    callbacks.failed = [this, generation](const Failure& failure) {
        if (generation != m_generation || !m_countTicket)
            return;
        setCountTicket(0);
        Q_EMIT failed(failure);
    };
    callbacks.cancelled = [this, generation] {
        if (generation == m_generation)
            setCountTicket(0);
    };
    callbacks.progress = [this, generation](const JobProgress& p) {
        if (generation == m_generation)
            Q_EMIT countProgress(p.done, p.total);
    };
    setCountTicket(m_session->run<counts::CategoryCounts>(
        StoreSession::Lane::Background, this,
        [useCache](EventStore& store, JobControl& control) {
            counts::CategoryCounts categories = counts::categories(store, useCache, &control);
            fillLastActivity(store, categories.categories);
            return categories;
        },
        std::move(callbacks)));
}

void StreamTreeModel::setCountTicket(quint64 ticket)
{
    const bool was = m_countTicket != 0;
    m_countTicket = ticket;
    if (was != (ticket != 0))
        Q_EMIT countingChanged(ticket != 0);
}

void StreamTreeModel::applyCategories(counts::CategoryCounts counts)
{
    CategoryList& list = counts.categories;
    std::stable_sort(list.begin(), list.end(),
        [this](const CategoryInfo& a, const CategoryInfo& b) { return categoryBefore(a, b, m_order, m_descending); });
    m_countsEstimated = counts.estimated;
    const auto makeNode = [&counts](CategoryInfo info) {
        CategoryNode node;
        StreamQuery query;
        query.category = info.name;
        node.pager.phases = { query };
        // An unnamed category cannot be asked for: an empty category means every stream. An estimate of no streams
        // may have missed them.
        node.pager.atEnd = info.name.isEmpty() || (info.streams == 0 && !counts.estimated);
        node.info = std::move(info);
        return node;
    };
    const bool sameNames = list.size() == m_categories.size()
        && std::equal(list.begin(), list.end(), m_categories.begin(),
            [](const CategoryInfo& a, const CategoryNode& b) { return a.name == b.info.name; });
    if (sameNames && !list.empty()) {
        for (size_t i = 0; i < list.size(); ++i) {
            CategoryNode& node = m_categories[i];
            node.info = std::move(list[i]);
            if (!counts.estimated && node.info.streams == 0 && node.pager.streams.empty() && !node.pager.fetching)
                node.pager.atEnd = true;
        }
        Q_EMIT dataChanged(index(0, 0), index(int(m_categories.size()) - 1, ColumnCount - 1));
    } else if (m_categories.empty()) {
        if (!list.empty()) {
            beginInsertRows(QModelIndex(), 0, int(list.size()) - 1);
            m_categories.reserve(list.size());
            for (CategoryInfo& info : list)
                m_categories.push_back(makeNode(std::move(info)));
            endInsertRows();
        }
    } else {
        // The estimate missed a category (or named one the count did not find): the tree is rebuilt, and the pages
        // asked for under the old rows are dropped.
        beginResetModel();
        for (const quint64 ticket : m_tickets)
            m_session->cancel(ticket);
        m_tickets.clear();
        m_categories.clear();
        for (CategoryInfo& info : list)
            m_categories.push_back(makeNode(std::move(info)));
        endResetModel();
        updateLoading();
    }
    Q_EMIT countsChanged(m_countsEstimated);
}

StreamTreeModel::StreamPager* StreamTreeModel::pagerFor(int category)
{
    if (category < 0)
        return isFlat() ? &m_flat : nullptr;
    if (isFlat() || category >= int(m_categories.size()))
        return nullptr;
    return &m_categories[std::size_t(category)].pager;
}

void StreamTreeModel::fetch(int category)
{
    StreamPager* pager = pagerFor(category);
    if (!m_session || !pager || pager->atEnd || pager->fetching || pager->failed || pager->phases.empty())
        return;
    StreamQuery query = pager->phases[pager->phase];
    query.after = pager->after;
    query.afterValue = pager->afterValue;
    query.order = m_order;
    query.descending = m_descending;
    query.withLastTime = true;
    query.limit = m_pageSize;
    pager->fetching = true;
    const quint64 generation = m_generation;
    const int limit = m_pageSize;
    auto ticket = std::make_shared<quint64>(0);
    // A page by events or last activity groups the whole scope in the database: off the lane the table's pages use.
    const StoreSession::Lane lane
        = m_order == StreamOrder::Name ? StoreSession::Lane::Interactive : StoreSession::Lane::Background;
    *ticket = m_session->run<StreamList>(
        lane, this, [query](EventStore& store) { return store.streams(query); },
        [this, generation, ticket, category, limit](StreamList streams) {
            finishTicket(*ticket);
            if (generation == m_generation)
                onStreams(category, std::move(streams), limit);
        },
        [this, generation, ticket, category](const Failure& failure) {
            finishTicket(*ticket);
            if (generation != m_generation)
                return;
            if (StreamPager* pager = pagerFor(category)) {
                pager->fetching = false;
                pager->failed = true;
            }
            Q_EMIT failed(failure);
        });
    m_tickets.insert(*ticket);
    updateLoading();
}

void StreamTreeModel::onStreams(int category, StreamList streams, int limit)
{
    StreamPager* pager = pagerFor(category);
    if (!pager)
        return;
    const bool dedupe = pager->phases.size() > 1;
    const QString last = streams.empty() ? QString() : streams.back().name;
    const qint64 lastValue = streams.empty() ? -1
        : m_order == StreamOrder::Events     ? streams.back().events
                                             : streams.back().lastPosition;
    StreamList visible;
    for (StreamInfo& s : streams) {
        if (dedupe && pager->seen.contains(s.name))
            continue;
        if (m_pattern.isValid() && !m_pattern.pattern().isEmpty() && !m_pattern.match(s.name).hasMatch())
            continue;
        if (dedupe)
            pager->seen.insert(s.name);
        visible.push_back(std::move(s));
    }
    if (!streams.empty()) {
        pager->after = last;
        pager->afterValue = lastValue;
    }
    if (int(streams.size()) < limit) {
        ++pager->phase;
        pager->after.clear();
        pager->afterValue = -1;
        if (pager->phase >= pager->phases.size())
            pager->atEnd = true;
    }
    // Views and testers call fetchMore() from the insert signals: the pager must be ready for the next page.
    pager->fetching = false;
    if (!visible.empty()) {
        const QModelIndex parent = category < 0 ? QModelIndex() : index(category, 0);
        const int first = int(pager->streams.size());
        beginInsertRows(parent, first, first + int(visible.size()) - 1);
        std::move(visible.begin(), visible.end(), std::back_inserter(pager->streams));
        endInsertRows();
    } else if (category >= 0 && pager->atEnd && pager->streams.empty()) {
        // The category turned out empty: its expander goes away.
        const QModelIndex idx = index(category, 0);
        Q_EMIT dataChanged(idx, idx);
    }
    // A page the pattern filtered away shows nothing, and a view asks for more only when something changed.
    if (visible.empty() && !pager->atEnd)
        fetch(category);
}

void StreamTreeModel::finishTicket(quint64 ticket)
{
    m_tickets.erase(ticket);
    updateLoading();
}

void StreamTreeModel::updateLoading()
{
    const bool loading = !m_tickets.empty();
    if (loading != m_loading) {
        m_loading = loading;
        Q_EMIT loadingChanged(loading);
    }
}

void StreamTreeModel::cancelJobs()
{
    if (m_session) {
        for (quint64 ticket : m_tickets)
            m_session->cancel(ticket);
        if (m_countTicket)
            m_session->cancel(m_countTicket);
    }
    m_tickets.clear();
    setCountTicket(0);
}

QModelIndex StreamTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, topLevel);
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex StreamTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == topLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, topLevel);
}

int StreamTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(isFlat() ? m_flat.streams.size() : m_categories.size());
    if (isFlat() || parent.internalId() != topLevel || parent.column() != 0)
        return 0;
    if (parent.row() < 0 || parent.row() >= int(m_categories.size()))
        return 0;
    return int(m_categories[std::size_t(parent.row())].pager.streams.size());
}

int StreamTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool StreamTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return rowCount(parent) > 0 || canFetchMore(parent);
    if (isFlat() || parent.internalId() != topLevel || parent.column() != 0)
        return false;
    if (parent.row() < 0 || parent.row() >= int(m_categories.size()))
        return false;
    const StreamPager& pager = m_categories[std::size_t(parent.row())].pager;
    return !pager.streams.empty() || (!pager.atEnd && !pager.failed);
}

bool StreamTreeModel::canFetchMore(const QModelIndex& parent) const
{
    const StreamPager* pager = nullptr;
    if (!parent.isValid()) {
        if (isFlat())
            pager = &m_flat;
    } else if (!isFlat() && parent.internalId() == topLevel && parent.column() == 0 && parent.row() >= 0
        && parent.row() < int(m_categories.size())) {
        pager = &m_categories[std::size_t(parent.row())].pager;
    }
    return m_session && pager && !pager->atEnd && !pager->fetching && !pager->failed;
}

void StreamTreeModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    fetch(parent.isValid() ? parent.row() : -1);
}

const StreamInfo* StreamTreeModel::streamAt(const QModelIndex& index) const
{
    const StreamList* list = nullptr;
    if (isFlat()) {
        if (index.internalId() == topLevel)
            list = &m_flat.streams;
    } else if (index.internalId() != topLevel) {
        const std::size_t category = std::size_t(index.internalId() - 1);
        if (category < m_categories.size())
            list = &m_categories[category].pager.streams;
    }
    if (!list || index.row() < 0 || index.row() >= int(list->size()))
        return nullptr;
    return &(*list)[std::size_t(index.row())];
}

QVariant StreamTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (role == Qt::TextAlignmentRole)
        return int((index.column() == EventsColumn ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);

    const bool isCategory = !isFlat() && index.internalId() == topLevel;
    if (isCategory) {
        if (index.row() >= int(m_categories.size()))
            return {};
        const CategoryInfo& info = m_categories[std::size_t(index.row())].info;
        const QString name = info.name.isEmpty() ? tr("(no category)") : info.name;
        const bool open = !m_openCategory.isEmpty() && info.name == m_openCategory;
        const QString approx = m_countsEstimated ? QStringLiteral("≈") : QString();
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == NameColumn)
                return QStringLiteral("%1 (%2%3)").arg(name, approx, QLocale().toString(info.streams));
            if (index.column() == LastActivityColumn)
                return TimeFormat::format(info.lastTime, TimeFormat::Precision::Seconds);
            if (info.events < 0)
                return {};
            return m_countsEstimated ? QVariant(approx + QLocale().toString(info.events)) : QVariant(info.events);
        case Qt::ToolTipRole: {
            QString tip = info.events >= 0
                ? tr("%1: %2 streams, %3 events")
                      .arg(name, approx + QLocale().toString(info.streams), approx + QLocale().toString(info.events))
                : tr("%1: %2 streams").arg(name, approx + QLocale().toString(info.streams));
            if (m_countsEstimated)
                tip += QLatin1Char('\n') + tr("Estimated from a sample; the exact counts follow.");
            return tip;
        }
        case CountsEstimatedRole:
            return m_countsEstimated;
        case StreamNameRole:
            return QString();
        case CategoryRole:
            return info.name;
        case IsCategoryRole:
            return true;
        case StreamCountRole:
            return info.streams;
        case EventCountRole:
            return info.events;
        case LastTimeRole:
            return info.lastTime;
        case IsOpenRole:
            return open;
        }
        return {};
    }

    const StreamInfo* s = streamAt(index);
    if (!s)
        return {};
    const bool open = !m_openStream.isEmpty() && s->name == m_openStream;
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn)
            return s->name;
        if (index.column() == LastActivityColumn)
            return TimeFormat::format(s->lastTime, TimeFormat::Precision::Seconds);
        return s->events >= 0 ? QVariant(s->events) : QVariant();
    case Qt::ToolTipRole: {
        QString tip = s->name;
        if (s->events >= 0)
            tip += QLatin1Char('\n') + tr("%1 events, version %2").arg(QLocale().toString(s->events)).arg(s->version);
        if (s->firstTime.isValid() && s->lastTime.isValid())
            tip += QLatin1Char('\n') + TimeFormat::format(s->firstTime) + QStringLiteral(" – ")
                + TimeFormat::format(s->lastTime) + u' ' + TimeFormat::zoneLabel();
        else if (s->lastTime.isValid())
            tip += QLatin1Char('\n')
                + tr("last event %1 %2").arg(TimeFormat::format(s->lastTime), TimeFormat::zoneLabel());
        return tip;
    }
    case StreamNameRole:
        return s->name;
    case CategoryRole:
        return s->category;
    case IsCategoryRole:
        return false;
    case StreamInfoRole:
        return QVariant::fromValue(*s);
    case EventCountRole:
        return s->events;
    case LastTimeRole:
        return s->lastTime;
    case IsOpenRole:
        return open;
    }
    return {};
}

QVariant StreamTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        if (section == NameColumn)
            return tr("Name");
        if (section == EventsColumn)
            return tr("Events");
        if (section == LastActivityColumn)
            return tr("Last activity");
    }
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        if (section == LastActivityColumn)
            return tr("Time of the stream's last event (%1); click to sort, most recent first")
                .arg(TimeFormat::zoneLabel());
        if (section == EventsColumn)
            return tr("Events in the stream; click to sort, most first");
        return tr("Click to sort by name");
    }
    // A first click on a count or a time sorts the largest or the latest first.
    if (orientation == Qt::Horizontal && role == Qt::InitialSortOrderRole)
        return int(section == NameColumn ? Qt::AscendingOrder : Qt::DescendingOrder);
    return QAbstractItemModel::headerData(section, orientation, role);
}

void StreamTreeModel::sort(int column, Qt::SortOrder order)
{
    const StreamOrder wanted = column == EventsColumn ? StreamOrder::Events
        : column == LastActivityColumn                ? StreamOrder::LastActivity
                                                      : StreamOrder::Name;
    const bool descending = order == Qt::DescendingOrder;
    if (wanted == m_order && descending == m_descending)
        return;
    m_order = wanted;
    m_descending = descending;
    reset();
}

void StreamTreeModel::setOpen(const QString& stream, const QString& category)
{
    if (stream == m_openStream && category == m_openCategory)
        return;
    const QModelIndex oldStream = streamIndex(m_openStream);
    const QModelIndex oldCategory = categoryIndex(m_openCategory);
    m_openStream = stream;
    m_openCategory = category;
    for (const QModelIndex& i : { oldStream, oldCategory, streamIndex(m_openStream), categoryIndex(m_openCategory) })
        emitRowChanged(i);
}

QModelIndex StreamTreeModel::streamIndex(const QString& name) const
{
    if (name.isEmpty())
        return {};
    auto find = [&](const StreamList& list, const QModelIndex& parent) -> QModelIndex {
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].name == name)
                return index(int(i), 0, parent);
        }
        return {};
    };
    if (isFlat())
        return find(m_flat.streams, {});
    for (std::size_t c = 0; c < m_categories.size(); ++c) {
        const QModelIndex found = find(m_categories[c].pager.streams, index(int(c), 0));
        if (found.isValid())
            return found;
    }
    return {};
}

QModelIndex StreamTreeModel::categoryIndex(const QString& name) const
{
    if (name.isEmpty() || isFlat())
        return {};
    for (std::size_t c = 0; c < m_categories.size(); ++c) {
        if (m_categories[c].info.name == name)
            return index(int(c), 0);
    }
    return {};
}

void StreamTreeModel::emitRowChanged(const QModelIndex& index)
{
    if (index.isValid())
        Q_EMIT dataChanged(index.siblingAtColumn(0), index.siblingAtColumn(ColumnCount - 1));
}

void StreamTreeModel::noteEvents(const EventList& events)
{
    // Per stream: how many events, the last one.
    std::vector<std::pair<QString, std::pair<qint64, const Event*>>> byStream;
    QHash<QString, std::size_t> slot;
    for (const Event& e : events) {
        if (e.stream.isEmpty())
            continue;
        auto it = slot.find(e.stream);
        if (it == slot.end()) {
            slot.insert(e.stream, byStream.size());
            byStream.push_back({ e.stream, { 1, &e } });
        } else {
            auto& entry = byStream[*it].second;
            ++entry.first;
            entry.second = &e;
        }
    }
    auto bump = [](auto& info, qint64 count, const Event& last) {
        if (info.events >= 0)
            info.events += count;
        if (last.time.isValid())
            info.lastTime = last.time;
        if (last.position >= 0)
            info.lastPosition = last.position;
    };
    QList<QPair<QString, qint64>> unknown; // streams not listed here: their category is asked for
    for (const auto& [name, entry] : byStream) {
        const auto& [count, last] = entry;
        const QModelIndex row = streamIndex(name);
        StreamInfo* info = row.isValid() ? const_cast<StreamInfo*>(streamAt(row)) : nullptr;
        if (info) {
            bump(*info, count, *last);
            info->version = std::max(info->version, last->version);
            emitRowChanged(row);
        }
        if (isFlat())
            continue;
        if (!info) {
            unknown.append({ name, count });
            continue;
        }
        const QModelIndex category = categoryIndex(info->category);
        if (category.isValid()) {
            bump(m_categories[std::size_t(category.row())].info, count, *last);
            emitRowChanged(category);
        }
    }
    if (unknown.isEmpty() || !m_session)
        return;
    // A stream not listed (its category folded, or new): the store names its category. At most a page of them.
    if (unknown.size() > m_pageSize)
        unknown.resize(m_pageSize);
    QHash<QString, Event> lastOf;
    for (const auto& [name, entry] : byStream)
        lastOf.insert(name, *entry.second);
    QStringList names;
    for (const auto& u : unknown)
        names.append(u.first);
    const quint64 generation = m_generation;
    auto ticket = std::make_shared<quint64>(0);
    *ticket = m_session->run<StreamList>(
        StoreSession::Lane::Background, this,
        [names](EventStore& store) {
            StreamList found;
            for (const QString& name : names) {
                if (std::optional<StreamInfo> info = store.stream(name))
                    found.push_back(std::move(*info));
            }
            return found;
        },
        [this, generation, ticket, unknown, lastOf](StreamList found) {
            finishTicket(*ticket);
            if (generation != m_generation || isFlat())
                return;
            for (StreamInfo& info : found) {
                qint64 count = 0;
                for (const auto& u : unknown) {
                    if (u.first == info.name)
                        count = u.second;
                }
                const Event last = lastOf.value(info.name);
                if (!info.lastTime.isValid())
                    info.lastTime = last.time;
                info.lastPosition = last.position;
                noteStream(info, count);
            }
        },
        [this, ticket](const Failure&) { finishTicket(*ticket); });
    m_tickets.insert(*ticket);
    updateLoading();
}

// A stream the live tail wrote to that was not listed: its category's figures move on, and a new stream is listed
// where the order puts it when that part of the category is loaded.
void StreamTreeModel::noteStream(const StreamInfo& info, qint64 count)
{
    if (streamIndex(info.name).isValid())
        return;
    const bool isNew = info.events >= 0 && info.events <= count;
    QModelIndex category = categoryIndex(info.category);
    if (!category.isValid()) {
        CategoryInfo c;
        c.name = info.category;
        c.streams = 0;
        c.events = 0;
        CategoryNode node;
        StreamQuery query;
        query.category = c.name;
        node.pager.phases = { query };
        node.pager.atEnd = true; // its streams are the ones the tail brings
        node.info = c;
        auto at = std::find_if(m_categories.begin(), m_categories.end(),
            [&](const CategoryNode& n) { return categoryBefore(c, n.info, m_order, m_descending); });
        const int row = int(at - m_categories.begin());
        beginInsertRows(QModelIndex(), row, row);
        m_categories.insert(at, std::move(node));
        endInsertRows();
        category = index(row, 0);
    }
    CategoryNode& node = m_categories[std::size_t(category.row())];
    if (node.info.events >= 0)
        node.info.events += count;
    node.info.lastTime = info.lastTime;
    node.info.lastPosition = info.lastPosition;
    if (isNew)
        ++node.info.streams;
    emitRowChanged(category);
    if (!isNew)
        return;
    StreamPager& pager = node.pager;
    int row = -1;
    if (m_order == StreamOrder::Name) {
        auto at = std::find_if(pager.streams.begin(), pager.streams.end(),
            [&](const StreamInfo& s) { return m_descending ? info.name > s.name : info.name < s.name; });
        if (at != pager.streams.end() || pager.atEnd)
            row = int(at - pager.streams.begin());
    } else if (m_order == StreamOrder::LastActivity && m_descending) {
        row = 0;
    } else if (pager.atEnd) {
        row = int(pager.streams.size());
    }
    if (row < 0)
        return;
    beginInsertRows(category, row, row);
    pager.streams.insert(pager.streams.begin() + row, info);
    endInsertRows();
}

Qt::ItemFlags StreamTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (isFlat() || index.internalId() != topLevel)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QHash<int, QByteArray> StreamTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(StreamNameRole, "streamName");
    names.insert(CategoryRole, "category");
    names.insert(IsCategoryRole, "isCategory");
    names.insert(StreamInfoRole, "streamInfo");
    names.insert(StreamCountRole, "streamCount");
    names.insert(EventCountRole, "eventCount");
    names.insert(LastTimeRole, "lastTime");
    names.insert(IsOpenRole, "isOpen");
    names.insert(CountsEstimatedRole, "countsEstimated");
    return names;
}

} // namespace es
