#include "models/jsontreemodel.h"

#include "core/jsonpath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace es {

namespace {

QString compactJson(const QJsonValue& v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    // Wrapping a scalar in an array is the only way QJsonDocument serialises it.
    const QByteArray wrapped = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QString indentedJson(const QJsonValue& v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return compactJson(v);
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{ }

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::build(Node* node)
{
    if (node->value.isObject()) {
        const QJsonObject obj = node->value.toObject();
        node->children.reserve(obj.size());
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            auto child = std::make_unique<Node>();
            child->key = it.key();
            child->value = it.value();
            child->parent = node;
            child->row = int(node->children.size());
            build(child.get());
            node->children.push_back(std::move(child));
        }
    } else if (node->value.isArray()) {
        const QJsonArray arr = node->value.toArray();
        node->children.reserve(arr.size());
        for (qsizetype i = 0; i < arr.size(); ++i) {
            auto child = std::make_unique<Node>();
            child->key = QString::number(i);
            child->arrayIndex = true;
            child->value = arr.at(i);
            child->parent = node;
            child->row = int(i);
            build(child.get());
            node->children.push_back(std::move(child));
        }
    }
}

void JsonTreeModel::setJson(const QJsonValue& value, const QString& rootName)
{
    beginResetModel();
    m_value = value;
    m_rootName = rootName;
    m_root = std::make_unique<Node>();
    m_root->value = value;
    if (value.isObject() || value.isArray()) {
        build(m_root.get());
    } else if (!value.isUndefined()) {
        // A scalar document still shows as one row so it is visible.
        auto child = std::make_unique<Node>();
        child->key = rootName;
        child->value = value;
        child->parent = m_root.get();
        m_root->children.push_back(std::move(child));
    }
    endResetModel();
}

bool JsonTreeModel::setJsonText(const QByteArray& text, const QString& rootName)
{
    // Wrapping lets QJsonDocument accept scalar documents such as 42 or "x".
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1) {
        clear();
        return false;
    }
    setJson(doc.array().at(0), rootName);
    return true;
}

void JsonTreeModel::clear()
{
    setJson(QJsonValue(QJsonValue::Undefined), m_rootName);
}

JsonTreeModel::Node* JsonTreeModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QString JsonTreeModel::path(const QModelIndex& index) const
{
    std::vector<const Node*> chain;
    for (const Node* n = nodeFor(index); n && n != m_root.get(); n = n->parent)
        chain.push_back(n);
    const bool scalarRoot = !m_value.isObject() && !m_value.isArray();
    if (scalarRoot)
        return m_rootName;
    JsonPath path;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if ((*it)->arrayIndex)
            path.index((*it)->key.toLongLong());
        else
            path.key((*it)->key);
    }
    return path.toString(m_rootName);
}

QString JsonTreeModel::jsonText(const QModelIndex& index, bool indented) const
{
    const Node* n = nodeFor(index);
    return indented ? indentedJson(n->value) : compactJson(n->value);
}

QModelIndex JsonTreeModel::indexOfKey(const QString& key, const QModelIndex& parent) const
{
    const Node* p = nodeFor(parent);
    for (const auto& child : p->children) {
        if (child->key == key)
            return createIndex(child->row, 0, child.get());
    }
    return {};
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    const Node* p = nodeFor(parent);
    if (row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[row].get());
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Node* n = nodeFor(child);
    if (!n->parent || n->parent == m_root.get())
        return {};
    return createIndex(n->parent->row, 0, n->parent);
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QString JsonTreeModel::typeName(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = nodeFor(index);
    const QJsonValue& v = n->value;
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case KeyColumn:
            return n->arrayIndex ? QVariant(QStringLiteral("[%1]").arg(n->key)) : QVariant(n->key);
        case ValueColumn:
            if (v.isObject())
                return tr("{%n key(s)}", nullptr, int(v.toObject().size()));
            if (v.isArray())
                return tr("[%n item(s)]", nullptr, int(v.toArray().size()));
            if (v.isString()) {
                // A cell shows one line; the full text is in the tooltip and the text view.
                QString s = v.toString();
                if (role == Qt::DisplayRole && s.size() > 500)
                    s = s.left(500) + QChar(0x2026);
                return role == Qt::DisplayRole ? s.replace(QLatin1Char('\n'), QChar(0x21B5)) : s;
            }
            if (v.isDouble() && role == SortRole)
                return v.toDouble();
            return compactJson(v);
        case TypeColumn:
            return typeName(v);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn && v.isString() && v.toString().size() > 80)
            return v.toString().left(4000);
        return path(index);
    case PathRole:
        return path(index);
    case JsonRole:
        return compactJson(v);
    default:
        break;
    }
    return {};
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

} // namespace es
