#pragma once

#include "cache/categorycounts.h"
#include "store/eventstore.h"
#include "store/storesession.h"

#include <QAbstractItemModel>
#include <QPointer>
#include <QRegularExpression>
#include <QSet>

#include <functional>
#include <set>
#include <vector>

namespace es {

// The stream browser: categories at the top level with their streams as children, fetched lazily in keyset
// pages. With a filter text it becomes a flat list of matching streams: names starting with the text first,
// then names containing it; `*` and `?` are wildcards. sort() orders streams by name, events or last activity in the
// database (ORDER BY with LIMIT, continued by keyset); the categories, all loaded at once, are sorted here. The
// categories' counts come in two steps: within about a second
// an estimate from a sample (or the summary cache's exact answer), then the exact count as a background job, which
// keeps its answer in the summary cache so that the next open is exact at once.
class StreamTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, EventsColumn, LastActivityColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        StreamNameRole = Qt::UserRole + 1, // QString; empty for a category
        CategoryRole, // QString
        IsCategoryRole, // bool
        StreamInfoRole, // QVariant::fromValue<es::StreamInfo>, streams only
        StreamCountRole, // qint64, categories only
        EventCountRole, // qint64, -1 when unknown
        LastTimeRole, // QDateTime, invalid when unknown
        IsOpenRole, // bool: the stream (or the category of the stream) the event table shows
        CountsEstimatedRole, // bool, categories only: the counts are estimated (the exact ones are being counted)
    };
    Q_ENUM(Role)

    explicit StreamTreeModel(QObject* parent = nullptr);
    ~StreamTreeModel() override;

    // nullptr clears the model.
    void setSession(StoreSession* session);
    StoreSession* session() const;
    // Callers debounce typing; an empty text returns to the category tree.
    void setFilterText(const QString& text);
    QString filterText() const { return m_filterText; }
    bool isFlat() const { return !m_filterText.isEmpty(); }
    // Reads the categories again.
    void refresh();
    void setPageSize(int streams);
    int pageSize() const { return m_pageSize; }
    bool isLoading() const { return m_loading; }
    StreamOrder order() const { return m_order; }
    bool isDescending() const { return m_descending; }
    // Marks the open stream (and its category) or the open category; empty names mark nothing.
    void setOpen(const QString& stream, const QString& category);
    // Events the live tail appended: counts and last activity of the streams and categories shown move on, and a
    // stream or category not listed yet appears where the order puts it (or at the end of the loaded part).
    void noteEvents(const EventList& events);
    // Category counts through the summary cache (on by default).
    void setUseCache(bool on) { m_useCache = on; }
    bool countsEstimated() const { return m_countsEstimated; }
    // Whether the exact category counts are being counted after an estimate.
    bool isCounting() const { return m_countTicket != 0; }

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // NameColumn, EventsColumn or LastActivityColumn; reads the streams again in that order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    void countingChanged(bool counting);
    // The categories' counts changed: an estimate came (estimated true) or the exact counts replaced it.
    void countsChanged(bool estimated);
    // The exact count's progress (parts done of total).
    void countProgress(qint64 done, qint64 total);
    void failed(const es::Failure& failure);

private:
    // A keyset-paged list of streams: a category's children, or the flat filtered list.
    struct StreamPager {
        std::vector<StreamQuery> phases; // run one after another
        std::size_t phase = 0;
        QString after;
        qint64 afterValue = -1;
        bool atEnd = false;
        bool fetching = false;
        bool failed = false;
        StreamList streams;
        QSet<QString> seen; // a name found by an earlier phase is not listed twice
    };
    struct CategoryNode {
        CategoryInfo info;
        StreamPager pager;
    };

    void reset();
    void loadCategories();
    void countCategories(quint64 generation);
    void applyCategories(counts::CategoryCounts counts);
    void setCountTicket(quint64 ticket);
    void fetch(int category); // -1: the flat list
    StreamPager* pagerFor(int category);
    void onStreams(int category, StreamList streams, int limit);
    void finishTicket(quint64 ticket);
    void updateLoading();
    void cancelJobs();
    const StreamInfo* streamAt(const QModelIndex& index) const;
    void sortCategories();
    void noteStream(const StreamInfo& info, qint64 count);
    QModelIndex streamIndex(const QString& name) const;
    QModelIndex categoryIndex(const QString& name) const;
    void emitRowChanged(const QModelIndex& index);

    QPointer<StoreSession> m_session;
    QString m_filterText;
    QRegularExpression m_pattern; // set for wildcard filters
    int m_pageSize = 200;
    StreamOrder m_order = StreamOrder::Name;
    bool m_descending = false;
    QString m_openStream;
    QString m_openCategory;
    quint64 m_generation = 0;
    std::vector<CategoryNode> m_categories;
    StreamPager m_flat;
    std::set<quint64> m_tickets;
    bool m_loading = false;
    bool m_useCache = true;
    bool m_countsEstimated = false;
    quint64 m_countTicket = 0;
};

} // namespace es
