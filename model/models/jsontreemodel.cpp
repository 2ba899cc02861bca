#include "models/jsontreemodel.h"

#include "core/jsonpath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace es {

namespace {

// Bytes one chunk may scan on the GUI thread before it stops early (children of a big container are skipped through
// the index, so this bounds only runs of mid-sized siblings).
constexpr qsizetype MaxScanBytes = 4 * 1024 * 1024;

QByteArray serialised(const QJsonValue& v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    // Wrapping a scalar in an array is the only way QJsonDocument serialises it.
    const QByteArray wrapped = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::reset(const QByteArray& text, const jsontext::Index& index, const QString& rootName)
{
    beginResetModel();
    m_rootName = rootName;
    m_root.reset();
    m_text = text;
    m_index = index;
    m_parsed = QJsonValue(QJsonValue::Undefined);
    if (index.ok) {
        auto root = std::make_unique<Node>();
        root->begin = jsontext::skipSpace(m_text, 0);
        root->end = jsontext::skipValue(m_text, root->begin, &root->count, &m_index);
        // A scalar document still shows as one row so it is visible: the root holds it as its only child.
        if (!root->isContainer(m_text))
            root->count = 1;
        m_root = std::move(root);
    } else {
        m_text.clear();
        m_index = {};
    }
    endResetModel();
}

void JsonTreeModel::setJson(const QJsonValue& value, const QString& rootName)
{
    if (value.isUndefined()) {
        reset({}, {}, rootName);
        return;
    }
    const QByteArray text = serialised(value);
    reset(text, jsontext::validate(text), rootName);
}

bool JsonTreeModel::setJsonText(const QByteArray& text, const QString& rootName)
{
    const jsontext::Index index = jsontext::validate(text);
    reset(text, index, rootName);
    return index.ok;
}

void JsonTreeModel::setValidatedJson(const QByteArray& text, const jsontext::Index& index, const QString& rootName)
{
    Q_ASSERT(index.ok);
    reset(text, index, rootName);
}

void JsonTreeModel::clear()
{
    reset({}, {}, m_rootName);
}

QJsonValue JsonTreeModel::json() const
{
    if (!m_root)
        return QJsonValue(QJsonValue::Undefined);
    if (m_parsed.isUndefined()) {
        const QJsonDocument doc = QJsonDocument::fromJson("[" + m_text + "]");
        m_parsed = doc.array().isEmpty() ? QJsonValue(QJsonValue::Undefined) : doc.array().at(0);
    }
    return m_parsed;
}

std::vector<std::unique_ptr<JsonTreeModel::Node>> JsonTreeModel::make(Node* node, int rows) const
{
    std::vector<std::unique_ptr<Node>> made;
    const QByteArrayView t(m_text);
    if (!node->isContainer(m_text)) {
        // The scalar document's one row.
        if (node->scan < 0 && node == m_root.get()) {
            auto child = std::make_unique<Node>();
            child->key = m_rootName;
            child->begin = node->begin;
            child->end = node->end;
            child->parent = node;
            made.push_back(std::move(child));
        }
        node->scan = node->end;
        return made;
    }
    const bool object = node->kind(m_text) == '{';
    if (node->scan < 0)
        node->scan = node->begin + 1;
    const qsizetype start = node->scan;
    const qint64 have = qint64(node->children.size());
    for (int i = 0; i < rows && have + qint64(made.size()) < node->count; ++i) {
        qsizetype pos = jsontext::skipSpace(t, node->scan);
        if (pos < node->end && t[pos] == ',')
            pos = jsontext::skipSpace(t, pos + 1);
        if (pos >= node->end - 1) {
            node->count = have + qint64(made.size()); // only text that is not JSON gets here
            break;
        }
        auto child = std::make_unique<Node>();
        const qint64 row = have + qint64(made.size());
        if (object) {
            const qsizetype keyEnd = jsontext::skipValue(t, pos);
            child->key = jsontext::unescape(t.sliced(pos, keyEnd - pos));
            pos = jsontext::skipSpace(t, keyEnd) + 1; // the colon
            pos = jsontext::skipSpace(t, pos);
        } else {
            child->key = QString::number(row);
            child->arrayIndex = true;
        }
        child->begin = pos;
        child->end = jsontext::skipValue(t, pos, &child->count, &m_index);
        child->parent = node;
        child->row = int(row);
        node->scan = child->end;
        made.push_back(std::move(child));
        if (node->scan - start > MaxScanBytes)
            break;
    }
    return made;
}

const std::vector<std::unique_ptr<JsonTreeModel::Node>>& JsonTreeModel::childrenOf(Node* node) const
{
    if (node->scan < 0) {
        for (auto& child : make(node, ChunkRows))
            node->children.push_back(std::move(child));
    }
    return node->children;
}

bool JsonTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node* n = nodeFor(parent);
    return !m_inserting && n && n->scan >= 0 && !n->complete();
}

void JsonTreeModel::fetchMore(const QModelIndex& parent)
{
    Node* n = nodeFor(parent);
    if (!n || m_inserting)
        return;
    childrenOf(n);
    if (n->complete())
        return;
    auto made = make(n, ChunkRows);
    if (made.empty())
        return;
    const int first = int(n->children.size());
    // A view (or a model tester) that reacts to the signals by fetching again would read from the advanced scan
    // position before these rows are in: no fetching until they are.
    m_inserting = true;
    beginInsertRows(parent, first, first + int(made.size()) - 1);
    for (auto& child : made)
        n->children.push_back(std::move(child));
    endInsertRows();
    m_inserting = false;
}

JsonTreeModel::Node* JsonTreeModel::nodeFor(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QByteArrayView JsonTreeModel::bytes(const Node* node) const
{
    return QByteArrayView(m_text).sliced(node->begin, node->end - node->begin);
}

QString JsonTreeModel::path(const QModelIndex& index) const
{
    if (!m_root || !m_root->isContainer(m_text))
        return m_rootName;
    std::vector<const Node*> chain;
    for (const Node* n = nodeFor(index); n && n != m_root.get(); n = n->parent)
        chain.push_back(n);
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
    if (!n)
        return {};
    return QString::fromUtf8(indented ? jsontext::pretty(bytes(n)) : jsontext::compact(bytes(n)));
}

QModelIndex JsonTreeModel::indexOfKey(const QString& key, const QModelIndex& parent) const
{
    Node* p = nodeFor(parent);
    if (!p)
        return {};
    for (const auto& child : childrenOf(p)) {
        if (child->key == key)
            return createIndex(child->row, 0, child.get());
    }
    return {};
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    Node* p = nodeFor(parent);
    if (!p)
        return {};
    const auto& children = childrenOf(p);
    if (row >= int(children.size()))
        return {};
    return createIndex(row, column, children[size_t(row)].get());
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
    Node* n = nodeFor(parent);
    return n ? int(childrenOf(n).size()) : 0;
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node* n = nodeFor(parent);
    if (!n)
        return false;
    return n == m_root.get() ? n->count > 0 : n->isContainer(m_text) && n->count > 0;
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

QString JsonTreeModel::typeOf(const Node* node) const
{
    switch (node->kind(m_text)) {
    case '{':
        return QStringLiteral("object");
    case '[':
        return QStringLiteral("array");
    case '"':
        return QStringLiteral("string");
    case 'n':
        return QStringLiteral("null");
    case 't':
    case 'f':
        return QStringLiteral("bool");
    default:
        return QStringLiteral("number");
    }
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = nodeFor(index);
    const char kind = n->kind(m_text);
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case KeyColumn:
            return n->arrayIndex ? QVariant(QStringLiteral("[%1]").arg(n->key)) : QVariant(n->key);
        case ValueColumn:
            if (kind == '{')
                return tr("{%n key(s)}", nullptr, int(n->count));
            if (kind == '[')
                return tr("[%n item(s)]", nullptr, int(n->count));
            if (kind == '"') {
                // A cell shows one line; the full text is in the tooltip and the text view.
                if (role == SortRole)
                    return jsontext::unescape(bytes(n));
                QString s = jsontext::unescape(bytes(n), 501);
                if (s.size() > 500)
                    s = s.left(500) + QChar(0x2026);
                return s.replace(QLatin1Char('\n'), QChar(0x21B5));
            }
            if (role == SortRole && kind != 'n' && kind != 't' && kind != 'f')
                return bytes(n).toByteArray().toDouble();
            return QString::fromUtf8(bytes(n));
        case TypeColumn:
            return typeOf(n);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn && kind == '"') {
            const QString s = jsontext::unescape(bytes(n), 4000);
            if (s.size() > 80)
                return s;
        }
        return path(index);
    case PathRole:
        return path(index);
    case JsonRole:
        return QString::fromUtf8(jsontext::compact(bytes(n)));
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
