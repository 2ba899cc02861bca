#include "nav/eventnavigator.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace es {

namespace {

QJsonObject metadataObject(const Event& e)
{
    if (!e.metadata.isJson())
        return {};
    return QJsonDocument::fromJson(e.metadata.bytes).object();
}

// The value at a top-level key when it reads as `text`: a string equal to it, or a whole number written as it.
QVariant valueAt(const QJsonObject& object, const QString& key, const QString& text)
{
    const QJsonValue v = object.value(key);
    if (v.isString() && v.toString() == text)
        return text;
    if (v.isDouble() && QString::number(v.toInteger()) == text)
        return v.toInteger();
    return {};
}

// Where in the metadata a string value sits, preferring keys whose name contains `hint`: for layouts whose profile
// does not name the key. Returns the path keys.
QStringList findValuePath(const QJsonObject& object, const QString& value, const QString& hint, int depth = 0)
{
    QStringList fallback;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isString() && it.value().toString() == value) {
            if (hint.isEmpty() || it.key().contains(hint, Qt::CaseInsensitive))
                return { it.key() };
            if (fallback.isEmpty())
                fallback = QStringList { it.key() };
        } else if (it.value().isObject() && depth < 2) {
            QStringList inner = findValuePath(it.value().toObject(), value, hint, depth + 1);
            if (!inner.isEmpty() && fallback.isEmpty()) {
                inner.prepend(it.key());
                if (hint.isEmpty() || inner.last().contains(hint, Qt::CaseInsensitive))
                    return inner;
                fallback = inner;
            }
        }
    }
    return fallback;
}

// The metadata condition `path = value` where `path` is the first of `keys` holding `value`, else where a search
// finds it; nullopt when it is nowhere.
std::optional<JsonCondition> metadataEquals(
    const QJsonObject& meta, const QStringList& keys, const QString& value, const QString& hint)
{
    JsonCondition c;
    c.field = JsonCondition::Field::Metadata;
    c.op = JsonCondition::Op::Eq;
    for (const QString& key : keys) {
        const QVariant typed = valueAt(meta, key, value);
        if (typed.isValid()) {
            c.path = JsonPath::objectKeys({ key });
            c.value = typed;
            return c;
        }
    }
    c.path = JsonPath::objectKeys(findValuePath(meta, value, hint));
    if (c.path.isEmpty())
        return std::nullopt;
    c.value = value;
    return c;
}

} // namespace

EventNavigator::EventNavigator(EventLinks links)
    : m_links(std::move(links))
{ }

EventNavigator::Correlation EventNavigator::correlation(const Event& event) const
{
    Correlation out;
    if (event.correlationId.isEmpty())
        return out;
    const auto condition = metadataEquals(
        metadataObject(event), m_links.correlationKeys, event.correlationId, QStringLiteral("correlation"));
    out.kind = condition ? Correlation::Kind::Filter : Correlation::Kind::Unreachable;
    if (condition)
        out.condition = *condition;
    return out;
}

EventNavigator::Causation EventNavigator::causation(const Event& event) const
{
    Causation out;
    if (event.causationId.isEmpty())
        return out;
    if (m_links.causationTarget == EventLinks::CausationTarget::GlobalPosition) {
        bool ok = false;
        out.position = event.causationId.toLongLong(&ok);
        out.kind = ok && out.position >= 0 ? Causation::Kind::Position : Causation::Kind::NotAPosition;
        return out;
    }
    // The causing event carries its id where this event carries its own.
    const auto condition = event.id.isEmpty()
        ? std::nullopt
        : metadataEquals(metadataObject(event), m_links.idKeys, event.id, QStringLiteral("id"));
    if (!condition) {
        out.kind = Causation::Kind::Unreachable;
        return out;
    }
    JsonCondition byId = *condition;
    bool number = false;
    const qint64 n = event.causationId.toLongLong(&number);
    byId.value = number && byId.value.typeId() == QMetaType::LongLong ? QVariant(n) : QVariant(event.causationId);
    out.kind = Causation::Kind::Lookup;
    out.query.filter.conditions.push_back(byId);
    out.query.from = event.position >= 0 ? event.position : -1;
    out.query.backward = true;
    out.query.limit = 1;
    return out;
}

qint64 EventNavigator::locate(EventStore& store, const Causation& causation)
{
    if (causation.kind == Causation::Kind::Position)
        return causation.position;
    if (causation.kind != Causation::Kind::Lookup)
        return -1;
    const EventPage page = store.events(causation.query);
    if (page.events.empty() || page.events.front().position < 0)
        return -1;
    return page.events.front().position;
}

} // namespace es
