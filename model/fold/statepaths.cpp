#include "fold/statepaths.h"

#include "core/jsondiff.h"

#include <QJsonObject>

namespace es {

namespace {

void collectNumericPaths(const QJsonValue& v, const QJsonArray& path, QStringList& out, int depth)
{
    if (out.size() > 200 || depth > 6)
        return;
    if (v.isDouble()) {
        out.append(jsonPathText(path));
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonArray p = path;
            p.append(it.key());
            collectNumericPaths(it.value(), p, out, depth + 1);
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < qMin<qsizetype>(a.size(), 20); ++i) {
            QJsonArray p = path;
            p.append(i);
            collectNumericPaths(a.at(i), p, out, depth + 1);
        }
    }
}

} // namespace

QJsonValue valueAtPath(QJsonValue value, const QJsonArray& path)
{
    for (const QJsonValue& step : path) {
        if (step.isDouble() && value.isArray()) {
            const QJsonArray a = value.toArray();
            const qsizetype i = qsizetype(step.toInteger());
            if (i < 0 || i >= a.size())
                return QJsonValue(QJsonValue::Undefined);
            value = a.at(i);
        } else if (step.isString() && value.isObject()) {
            value = value.toObject().value(step.toString());
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return value;
}

QJsonArray parseJsonPathText(const QString& text)
{
    QJsonArray path;
    qsizetype i = 0;
    const qsizetype n = text.size();
    if (text == QLatin1String("$"))
        return path;
    while (i < n) {
        if (text.at(i) == u'.') {
            ++i;
        } else if (text.at(i) == u'[') {
            if (i + 1 < n && text.at(i + 1) == u'"') {
                QString key;
                i += 2;
                while (i < n && text.at(i) != u'"') {
                    if (text.at(i) == u'\\' && i + 1 < n)
                        ++i;
                    key += text.at(i++);
                }
                i += 2; // closing quote and bracket
                path.append(key);
            } else {
                const qsizetype close = text.indexOf(u']', i);
                if (close < 0)
                    return {};
                bool ok = false;
                const int index = text.mid(i + 1, close - i - 1).toInt(&ok);
                if (!ok)
                    return {};
                path.append(index);
                i = close + 1;
            }
        } else {
            qsizetype end = i;
            while (end < n && text.at(end) != u'.' && text.at(end) != u'[')
                ++end;
            path.append(text.mid(i, end - i));
            i = end;
        }
    }
    return path;
}

QStringList numericPaths(const QJsonValue& state)
{
    QStringList out;
    collectNumericPaths(state, {}, out, 0);
    return out;
}

} // namespace es
