#pragma once

#include "core/jsontext.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QJsonValue>

#include <memory>
#include <vector>

namespace es {

// A JSON value as a tree: key, value and type columns, read lazily from the JSON text itself. No document is built:
// a node is a byte range, a container's children are made when the view first asks for them (when it is expanded),
// and a container with many children hands them out in chunks through canFetchMore()/fetchMore(), so a 500 MB array
// costs one chunk of rows, not millions. Keys keep the order they have in the text.
class JsonTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, // e.g. data.items[0].sku (JsonPath's text), usable in a filter condition
        JsonRole, // the node as compact JSON text
        SortRole,
    };
    // Children made at once for one container; fetchMore() adds as many again.
    static constexpr int ChunkRows = 1000;

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    // rootName prefixes paths ("data" or "metadata").
    void setJson(const QJsonValue& value, const QString& rootName = {});
    // Checks JSON text; returns false (and shows nothing) when it is not JSON. Validates on the calling thread: for
    // big text validate elsewhere (jsontext::validate) and use setValidatedJson().
    bool setJsonText(const QByteArray& text, const QString& rootName = {});
    // Text that jsontext::validate() accepted, with its index.
    void setValidatedJson(const QByteArray& text, const jsontext::Index& index, const QString& rootName = {});
    void clear();

    bool hasJson() const { return m_root != nullptr; }
    // The whole value parsed into a QJsonValue (undefined when empty): builds a document on first use, so for small
    // values only.
    QJsonValue json() const;
    // The JSON text shown, as it was given.
    QByteArray text() const { return m_text; }
    QString rootName() const { return m_rootName; }
    QString path(const QModelIndex& index) const;
    QString jsonText(const QModelIndex& index, bool indented = false) const;
    // Index of the key (or array element) with this name among the children made so far, invalid when absent.
    QModelIndex indexOfKey(const QString& key, const QModelIndex& parent = {}) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    static QString typeName(const QJsonValue& value);

private:
    struct Node {
        QString key;
        bool arrayIndex = false;
        qsizetype begin = 0; // the value's bytes in m_text
        qsizetype end = 0;
        qint64 count = 0; // children of a container
        qsizetype scan = -1; // where the next child starts; -1 before the first scan
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;

        char kind(const QByteArray& text) const { return text.at(begin); }
        bool isContainer(const QByteArray& text) const { return kind(text) == '{' || kind(text) == '['; }
        bool complete() const { return scan >= 0 && qint64(children.size()) >= count; }
    };
    void reset(const QByteArray& text, const jsontext::Index& index, const QString& rootName);
    // Up to `rows` more children of node, read from the text; the caller adds them (with signals once a view knows
    // the node).
    std::vector<std::unique_ptr<Node>> make(Node* node, int rows) const;
    // The children shown so far, making the first chunk the first time a view asks.
    const std::vector<std::unique_ptr<Node>>& childrenOf(Node* node) const;
    Node* nodeFor(const QModelIndex& index) const;
    QByteArrayView bytes(const Node* node) const;
    QString typeOf(const Node* node) const;

    QByteArray m_text;
    jsontext::Index m_index;
    std::unique_ptr<Node> m_root; // null when there is no value
    QString m_rootName;
    mutable QJsonValue m_parsed; // json(), once asked
    bool m_inserting = false;
};

} // namespace es
