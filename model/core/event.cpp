#include "core/event.h"

#include <QJsonDocument>
#include <QTimeZone>

#include <cstdio>

namespace es {

QString Event::timeToIso(const QDateTime& t)
{
    if (!t.isValid())
        return {};
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject Event::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("position"), position >= 0 ? QJsonValue(position) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("stream"), stream);
    o.insert(QStringLiteral("version"), version >= 0 ? QJsonValue(version) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("type"), type.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(type));
    o.insert(QStringLiteral("time"), time.isValid() ? QJsonValue(timeToIso(time)) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("id"), id.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(id));
    o.insert(QStringLiteral("data"), data.toJsonValue());
    o.insert(QStringLiteral("metadata"), metadata.toJsonValue());
    o.insert(QStringLiteral("correlationId"),
        correlationId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(correlationId));
    o.insert(
        QStringLiteral("causationId"), causationId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(causationId));
    QJsonObject encoding;
    if (!data.isNull() && !data.isJson())
        encoding.insert(QStringLiteral("data"), data.encodingName());
    if (!metadata.isNull() && !metadata.isJson())
        encoding.insert(QStringLiteral("metadata"), metadata.encodingName());
    if (!encoding.isEmpty())
        o.insert(QStringLiteral("encoding"), encoding);
    return o;
}

namespace {

void appendNumberOrNull(QByteArray& out, qint64 v)
{
    if (v < 0)
        out.append("null", 4);
    else
        out.append(QByteArray::number(v));
}

void appendStringOrNull(QByteArray& out, const QString& s)
{
    if (s.isNull())
        out.append("null", 4);
    else
        appendJsonString(out, QStringView(s));
}

} // namespace

QByteArray Event::toJsonLine() const
{
    QByteArray out;
    out.reserve(160 + data.bytes.size() + metadata.bytes.size());
    out.append("{\"position\":");
    appendNumberOrNull(out, position);
    out.append(",\"stream\":");
    appendJsonString(out, QStringView(stream));
    out.append(",\"version\":");
    appendNumberOrNull(out, version);
    out.append(",\"type\":");
    appendStringOrNull(out, type);
    out.append(",\"time\":");
    if (time.isValid())
        appendJsonString(out, timeToIso(time).toLatin1());
    else
        out.append("null");
    out.append(",\"id\":");
    appendStringOrNull(out, id);
    out.append(",\"data\":");
    data.appendJson(out);
    out.append(",\"metadata\":");
    metadata.appendJson(out);
    out.append(",\"correlationId\":");
    appendStringOrNull(out, correlationId.isEmpty() ? QString() : correlationId);
    out.append(",\"causationId\":");
    appendStringOrNull(out, causationId.isEmpty() ? QString() : causationId);
    const bool dataOdd = !data.isNull() && !data.isJson();
    const bool metaOdd = !metadata.isNull() && !metadata.isJson();
    if (dataOdd || metaOdd) {
        out.append(",\"encoding\":{");
        if (dataOdd) {
            out.append("\"data\":");
            appendJsonString(out, data.encodingName().toLatin1());
        }
        if (metaOdd) {
            if (dataOdd)
                out.append(',');
            out.append("\"metadata\":");
            appendJsonString(out, metadata.encodingName().toLatin1());
        }
        out.append('}');
    }
    out.append('}');
    return out;
}

void pickCorrelation(Event& e, const QStringList& correlationKeys, const QStringList& causationKeys)
{
    if (!e.metadata.isJson() || (correlationKeys.isEmpty() && causationKeys.isEmpty()))
        return;
    const QJsonObject meta = QJsonDocument::fromJson(e.metadata.bytes).object();
    auto pick = [&meta](const QStringList& keys) -> QString {
        for (const QString& key : keys) {
            const QJsonValue v = meta.value(key);
            if (v.isString() && !v.toString().isEmpty())
                return v.toString();
            if (v.isDouble())
                return QString::number(v.toInteger());
        }
        return {};
    };
    if (e.correlationId.isEmpty())
        e.correlationId = pick(correlationKeys);
    if (e.causationId.isEmpty())
        e.causationId = pick(causationKeys);
}

namespace {

bool digits(QByteArrayView s, qsizetype at, int n, int* out)
{
    if (at + n > s.size())
        return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
        const char c = s[at + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

} // namespace

QDateTime parseStoreTime(QByteArrayView text)
{
    QByteArrayView s = text.trimmed();
    if (s.isEmpty())
        return {};
    // Epoch numbers: seconds, milliseconds or microseconds, told apart by magnitude.
    bool allDigits = true;
    for (const char c : s) {
        if ((c < '0' || c > '9') && c != '.' && c != '-') {
            allDigits = false;
            break;
        }
    }
    if (allDigits && !s.contains('-')) {
        bool ok = false;
        const double v = QByteArray(s.data(), s.size()).toDouble(&ok);
        if (!ok)
            return {};
        double ms;
        if (v > 1e17)
            ms = v / 1e6;
        else if (v > 1e14)
            ms = v / 1e3;
        else if (v > 1e11)
            ms = v;
        else
            ms = v * 1e3;
        // Beyond ±100,000,000 days from the epoch (ECMAScript's Date range) a number is not a time.
        constexpr double kLimitMs = 8.64e15;
        if (!(ms <= kLimitMs))
            return {};
        return QDateTime::fromMSecsSinceEpoch(qint64(ms), QTimeZone::utc());
    }
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, &month) || s[7] != '-'
        || !digits(s, 8, 2, &day))
        return {};
    qsizetype i = 10;
    int msec = 0;
    if (i < s.size() && (s[i] == 'T' || s[i] == ' ' || s[i] == 't')) {
        ++i;
        if (!digits(s, i, 2, &hour) || i + 2 >= s.size() || s[i + 2] != ':' || !digits(s, i + 3, 2, &minute))
            return {};
        i += 5;
        if (i < s.size() && s[i] == ':') {
            if (!digits(s, i + 1, 2, &second))
                return {};
            i += 3;
        }
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            int scale = 100;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                msec += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
        }
    }
    int offsetSeconds = 0;
    while (i < s.size() && s[i] == ' ')
        ++i;
    if (i < s.size()) {
        const char z = s[i];
        if (z == 'Z' || z == 'z') {
            ++i;
        } else if (z == '+' || z == '-') {
            int oh = 0, om = 0;
            if (!digits(s, i + 1, 2, &oh))
                return {};
            qsizetype j = i + 3;
            if (j < s.size() && s[j] == ':')
                ++j;
            if (j < s.size())
                digits(s, j, 2, &om);
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else if (s.sliced(i) == QByteArrayView("UTC") || s.sliced(i) == QByteArrayView("GMT")) {
            i += 3;
        } else {
            return {};
        }
    }
    const QDate date(year, month, day);
    const QTime tod(hour, minute, second, msec);
    if (!date.isValid() || !tod.isValid())
        return {};
    QDateTime dt(date, tod, QTimeZone::utc());
    return offsetSeconds ? dt.addSecs(-offsetSeconds) : dt;
}

} // namespace es
