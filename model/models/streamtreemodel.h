#pragma once

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
// then names containing it; `*` and `?` are wildcards.
class StreamTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, EventsColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        StreamNameRole = Qt::UserRole + 1, // QString; empty for a category
        CategoryRole, // QString
        IsCategoryRole, // bool
        StreamInfoRole, // QVariant::fromValue<es::StreamInfo>, streams only
        StreamCountRole, // qint64, categories only
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

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    void failed(const es::Failure& failure);

private:
    // A keyset-paged list of streams: a category's children, or the flat filtered list.
    struct StreamPager {
        std::vector<StreamQuery> phases; // run one after another
        std::size_t phase = 0;
        QString after;
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
    void fetch(int category); // -1: the flat list
    StreamPager* pagerFor(int category);
    void onStreams(int category, StreamList streams, int limit);
    void finishTicket(quint64 ticket);
    void updateLoading();
    void cancelJobs();
    const StreamInfo* streamAt(const QModelIndex& index) const;

    QPointer<StoreSession> m_session;
    QString m_filterText;
    QRegularExpression m_pattern; // set for wildcard filters
    int m_pageSize = 200;
    quint64 m_generation = 0;
    std::vector<CategoryNode> m_categories;
    StreamPager m_flat;
    std::set<quint64> m_tickets;
    bool m_loading = false;
};

} // namespace es
