#include "export/redactor.h"

#include "core/payload.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace es {

namespace {

QByteArray compactJson(const QJsonValue& v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

bool redactValue(QJsonValue& v, const QStringList& keys, qsizetype i, const Redactor& redactor, QStringList* originals)
{
    if (i == keys.size()) {
        if (v.isString())
            originals->append(v.toString());
        v = redactor.token(compactJson(v));
        return true;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        const auto it = o.constFind(keys.at(i));
        if (it == o.constEnd())
            return false;
        QJsonValue child = *it;
        if (!redactValue(child, keys, i + 1, redactor, originals))
            return false;
        o.insert(keys.at(i), child);
        v = o;
        return true;
    }
    if (v.isArray()) {
        bool ok = false;
        const int index = keys.at(i).toInt(&ok);
        QJsonArray a = v.toArray();
        if (!ok || index < 0 || index >= a.size())
            return false;
        QJsonValue child = a.at(index);
        if (!redactValue(child, keys, i + 1, redactor, originals))
            return false;
        a.replace(index, child);
        v = a;
        return true;
    }
    return false;
}

// The key most likely to be rare in payload text, quoted as JSON writes it without escapes.
QByteArray probeFor(const QStringList& keys)
{
    for (auto it = keys.crbegin(); it != keys.crend(); ++it) {
        bool numeric = false;
        it->toInt(&numeric);
        if (!numeric) {
            QByteArray probe;
            appendJsonString(probe, it->toUtf8());
            return probe;
        }
    }
    return {};
}

} // namespace

std::optional<Redactor> Redactor::parse(const QStringList& paths, QString* error)
{
    Redactor r;
    for (const QString& text : paths) {
        const QString trimmed = text.trimmed();
        if (trimmed.isEmpty())
            continue;
        QStringList parts = trimmed.split(u'.');
        const QString root = parts.takeFirst();
        if ((root != QLatin1String("data") && root != QLatin1String("metadata")) || parts.isEmpty()
            || parts.contains(QString())) {
            if (error)
                *error = QStringLiteral("\"%1\" is not a field path such as data.email or metadata.userId.").arg(text);
            return std::nullopt;
        }
        r.m_paths.push_back({ root == QLatin1String("metadata"), parts });
    }
    return r;
}

QByteArray Redactor::freshKey()
{
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(key.data()), key.size() / 4);
    return key;
}

std::optional<Redactor::NonJson> Redactor::nonJsonFromName(const QString& name)
{
    if (name == QLatin1String("redact"))
        return NonJson::Redact;
    if (name == QLatin1String("refuse"))
        return NonJson::Refuse;
    if (name == QLatin1String("keep"))
        return NonJson::Keep;
    return std::nullopt;
}

QString Redactor::token(const QByteArray& json) const
{
    const QByteArray mac = QMessageAuthenticationCode::hash(json, m_key, QCryptographicHash::Sha256);
    return QStringLiteral("hmac:") + QString::fromLatin1(mac.toHex().left(32));
}

// A payload without the key's plain spelling and without any escape cannot hold the key: no need to parse it.
bool Redactor::mayMention(const Payload& payload, bool metadata) const
{
    if (payload.bytes.contains('\\'))
        return true;
    for (const Path& p : m_paths) {
        if (p.metadata == metadata && payload.bytes.contains(probeFor(p.keys)))
            return true;
    }
    return false;
}

bool Redactor::apply(Event& event) const
{
    if (isEmpty())
        return false;
    QStringList originals;
    bool changed = false;
    for (const bool metadata : { false, true }) {
        Payload& payload = metadata ? event.metadata : event.data;
        if (payload.isNull())
            continue;
        bool wanted = false;
        for (const Path& p : m_paths)
            wanted |= p.metadata == metadata;
        if (!wanted)
            continue;
        if (!payload.isJson()) {
            switch (m_nonJson) {
            case NonJson::Keep:
                continue;
            case NonJson::Refuse:
                throw StoreError(QStringLiteral("The %1 of event %2 is %3, not JSON: redaction cannot look inside it. "
                                                "Choose to redact such payloads whole, or to keep them.")
                                     .arg(metadata ? QStringLiteral("metadata") : QStringLiteral("data"),
                                         event.position >= 0 ? QString::number(event.position)
                                                             : event.stream + u'@' + QString::number(event.version),
                                         payload.encodingName()));
            case NonJson::Redact:
                payload = Payload::json(compactJson(QJsonValue(token(payload.bytes))));
                changed = true;
                continue;
            }
        }
        if (!mayMention(payload, metadata))
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(payload.bytes);
        if (doc.isNull())
            continue;
        QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        bool touched = false;
        for (const Path& p : m_paths) {
            if (p.metadata == metadata)
                touched |= redactValue(root, p.keys, 0, *this, &originals);
        }
        if (touched) {
            payload = Payload::json(compactJson(root));
            changed = true;
        }
    }
    // The ids picked out of the metadata would otherwise carry a redacted value past the redaction.
    for (QString* id : { &event.correlationId, &event.causationId }) {
        if (!id->isEmpty() && originals.contains(*id))
            *id = token(compactJson(QJsonValue(*id)));
    }
    return changed;
}

} // namespace es
