#include "fold/reducer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace es {

QString ReducerError::kindName() const
{
    switch (kind) {
    case Kind::Syntax:
        return QStringLiteral("syntax error");
    case Kind::Threw:
        return QStringLiteral("threw");
    case Kind::Timeout:
        return QStringLiteral("timed out");
    case Kind::BadPayload:
        return QStringLiteral("bad payload");
    case Kind::BadState:
        return QStringLiteral("bad state");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString ReducerError::toString() const
{
    QString where;
    if (version >= 0)
        where = QStringLiteral("%1 at version %2: ")
                    .arg(eventType.isEmpty() ? QStringLiteral("event") : eventType)
                    .arg(version);
    QString text = where % kindName() % QStringLiteral(": ") % message;
    if (line > 0)
        text += QStringLiteral(" (line %1)").arg(line);
    return text;
}

QJsonValue Fold::state()
{
    return parseJsonValue(stateJson());
}

QJsonValue parseJsonValue(const QByteArray& json, bool* ok)
{
    const QByteArray trimmed = json.trimmed();
    QJsonParseError error;
    if (!trimmed.isEmpty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
        const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &error);
        if (ok)
            *ok = error.error == QJsonParseError::NoError;
        return doc.isObject() ? QJsonValue(doc.object()) : doc.isArray() ? QJsonValue(doc.array()) : QJsonValue();
    }
    const QJsonDocument doc = QJsonDocument::fromJson("[" + trimmed + "]", &error);
    const bool good = error.error == QJsonParseError::NoError && doc.array().size() == 1;
    if (ok)
        *ok = good;
    return good ? doc.array().first() : QJsonValue();
}

QByteArray toJsonText(const QJsonValue& value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    if (value.isUndefined())
        return QByteArrayLiteral("null");
    // QJsonDocument holds only containers: wrap the scalar and take the brackets off.
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace es
