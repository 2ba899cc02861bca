#include "models/streamtreemodel.h"

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

} // namespace

StreamTreeModel::StreamTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

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
        [useCache](EventStore& store) { return counts::quickCategories(store, useCache); },
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
        [useCache](EventStore& store, JobControl& control) { return counts::categories(store, useCache, &control); },
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
    query.limit = m_pageSize;
    pager->fetching = true;
    const quint64 generation = m_generation;
    const int limit = m_pageSize;
    auto ticket = std::make_shared<quint64>(0);
    *ticket = m_session->run<StreamList>(
        StoreSession::Lane::Interactive, this, [query](EventStore& store) { return store.streams(query); },
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
    if (!streams.empty())
        pager->after = last;
    if (int(streams.size()) < limit) {
        ++pager->phase;
        pager->after.clear();
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
        const QString approx = m_countsEstimated ? QStringLiteral("≈") : QString();
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == NameColumn)
                return QStringLiteral("%1 (%2%3)").arg(name, approx, QLocale().toString(info.streams));
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
        }
        return {};
    }

    const StreamInfo* s = streamAt(index);
    if (!s)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn)
            return s->name;
        return s->events >= 0 ? QVariant(s->events) : QVariant();
    case Qt::ToolTipRole: {
        QString tip = s->name;
        if (s->events >= 0)
            tip += QLatin1Char('\n') + tr("%1 events, version %2").arg(QLocale().toString(s->events)).arg(s->version);
        if (s->firstTime.isValid() && s->lastTime.isValid())
            tip += QLatin1Char('\n') + Event::timeToIso(s->firstTime) + QStringLiteral(" – ")
                + Event::timeToIso(s->lastTime);
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
    }
    return QAbstractItemModel::headerData(section, orientation, role);
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
    names.insert(CountsEstimatedRole, "countsEstimated");
    return names;
}

} // namespace es
