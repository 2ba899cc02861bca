#include "fold/reducer.h"

#include "fold/statetext.h"

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
    case Kind::Memory:
        return QStringLiteral("out of memory budget");
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

ReducerError Fold::memoryError(qint64 bytes) const
{
    ReducerError error;
    error.kind = ReducerError::Kind::Memory;
    error.message = QStringLiteral("the state grew to %1 of JSON, past the memory budget of %2 "
                                   "(raise it in the settings, or with --memory-limit)")
                        .arg(formatBytes(bytes), formatBytes(m_memoryBudget));
    return error;
}

void Fold::foldStreams(const Event* events, const qsizetype* ends, qsizetype streams, std::vector<StreamState>& out,
    const std::vector<QJsonArray>* paths)
{
    out.resize(std::size_t(streams));
    qsizetype start = 0;
    for (qsizetype i = 0; i < streams; ++i) {
        StreamState& s = out[std::size_t(i)];
        s.error = reset();
        if (!s.error && ends[i] > start) {
            FoldResult result = apply(events + start, ends[i] - start);
            s.error = std::move(result.error);
        }
        s.state = stateJson();
        if (paths) {
            s.values = valuesAtPaths(s.state, *paths);
            s.state.clear();
        } else {
            s.values.clear();
        }
        start = ends[i];
    }
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 bytes").arg(bytes);
    const char* const units[] = { "KB", "MB", "GB", "TB" };
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', value < 10 ? 1 : 0).arg(QLatin1String(units[unit]));
}

qint64 parseByteSize(const QString& text)
{
    QString t = text.trimmed().toUpper();
    if (t.endsWith(QLatin1Char('B')))
        t.chop(1);
    double factor = 1;
    if (!t.isEmpty()) {
        const QChar unit = t.back();
        const int shift = unit == QLatin1Char('K') ? 10
            : unit == QLatin1Char('M')             ? 20
            : unit == QLatin1Char('G')             ? 30
            : unit == QLatin1Char('T')             ? 40
                                                   : 0;
        if (shift) {
            factor = double(1LL << shift);
            t.chop(1);
        }
    }
    bool ok = false;
    const double value = t.trimmed().toDouble(&ok);
    if (!ok || value < 0 || value * factor > 9.0e18)
        return -1;
    return qint64(value * factor);
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
