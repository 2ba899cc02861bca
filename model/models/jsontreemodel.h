#pragma once

#include <QAbstractItemModel>
#include <QJsonValue>

#include <memory>
#include <vector>

namespace es {

// A JSON value as a tree: key, value and type columns. Built once per value; the inspector shows one event at a time.
class JsonTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, // e.g. data.items[0].sku (JsonPath's text), usable in a filter condition
        JsonRole, // the node as compact JSON text
        SortRole,
    };

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    // rootName prefixes paths ("data" or "metadata").
    void setJson(const QJsonValue& value, const QString& rootName = {});
    // Parses JSON text; returns false (and shows nothing) when it is not JSON.
    bool setJsonText(const QByteArray& text, const QString& rootName = {});
    void clear();

    QJsonValue json() const { return m_value; }
    QString rootName() const { return m_rootName; }
    QString path(const QModelIndex& index) const;
    QString jsonText(const QModelIndex& index, bool indented = false) const;
    // Index of the top-level key (or array element) with this name, invalid when absent.
    QModelIndex indexOfKey(const QString& key, const QModelIndex& parent = {}) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;

    static QString typeName(const QJsonValue& value);

private:
    struct Node {
        QString key;
        bool arrayIndex = false;
        QJsonValue value;
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
    };
    static void build(Node* node);
    Node* nodeFor(const QModelIndex& index) const;

    std::unique_ptr<Node> m_root;
    QJsonValue m_value;
    QString m_rootName;
};

} // namespace es
