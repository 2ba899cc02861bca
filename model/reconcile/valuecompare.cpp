#include "reconcile/valuecompare.h"

#include "core/event.h"
#include "fold/reducer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace es {

namespace {

struct Number {
    bool ok = false;
    bool integral = false;
    qint64 integer = 0;
    double real = 0;
};

Number numberOfText(const QString& text)
{
    Number n;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return n;
    bool ok = false;
    const qint64 i = t.toLongLong(&ok);
    if (ok)
        return { true, true, i, double(i) };
    const double d = t.toDouble(&ok);
    if (!ok || !std::isfinite(d))
        return n;
    n.ok = true;
    n.real = d;
    // "10.00" is the integer 10.
    static const QRegularExpression zeros(QStringLiteral("^[-+]?\\d+\\.0*$"));
    if (zeros.match(t).hasMatch()) {
        const qint64 whole = t.left(t.indexOf(u'.')).toLongLong(&ok);
        if (ok) {
            n.integral = true;
            n.integer = whole;
        }
    }
    return n;
}

Number numberOfJson(const QJsonValue& v)
{
    if (v.isString())
        return numberOfText(v.toString());
    if (!v.isDouble())
        return {};
    const double d = v.toDouble();
    const qint64 i = v.toInteger(std::numeric_limits<qint64>::min());
    if (i != std::numeric_limits<qint64>::min() || d == double(std::numeric_limits<qint64>::min()))
        return { true, true, i, d };
    return { true, false, 0, d };
}

bool sameNumber(const Number& a, const Number& b)
{
    if (!a.ok || !b.ok)
        return false;
    if (a.integral && b.integral)
        return a.integer == b.integer;
    return a.real == b.real;
}

bool looksLikeTime(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"));
    return re.match(text).hasMatch();
}

bool sameInstant(const QString& a, const QString& b)
{
    if (!looksLikeTime(a) || !looksLikeTime(b))
        return false;
    const QDateTime ta = parseStoreTime(a.toUtf8());
    const QDateTime tb = parseStoreTime(b.toUtf8());
    return ta.isValid() && tb.isValid() && ta.toMSecsSinceEpoch() == tb.toMSecsSinceEpoch();
}

bool textEquals(const QString& text, const QJsonValue& v)
{
    if (v.isString()) {
        const QString s = v.toString();
        return s == text || sameInstant(text, s);
    }
    if (v.isDouble())
        return sameNumber(numberOfText(text), numberOfJson(v));
    if (v.isBool())
        return text == (v.toBool() ? QLatin1String("true") : QLatin1String("false"));
    if (v.isObject() || v.isArray()) {
        bool ok = false;
        const QJsonValue parsed = parseJsonValue(text.toUtf8(), &ok);
        return ok && jsonDeepEquals(parsed, v);
    }
    return false;
}

} // namespace

bool jsonDeepEquals(const QJsonValue& a, const QJsonValue& b)
{
    const bool aNull = a.isNull() || a.isUndefined();
    const bool bNull = b.isNull() || b.isUndefined();
    if (aNull || bNull)
        return aNull == bNull;
    if (a.isDouble() && b.isDouble())
        return sameNumber(numberOfJson(a), numberOfJson(b));
    if (a.type() != b.type())
        return false;
    if (a.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        if (oa.size() != ob.size())
            return false;
        for (auto it = oa.begin(); it != oa.end(); ++it) {
            const auto other = ob.constFind(it.key());
            if (other == ob.constEnd() || !jsonDeepEquals(it.value(), other.value()))
                return false;
        }
        return true;
    }
    if (a.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        if (aa.size() != ab.size())
            return false;
        for (qsizetype i = 0; i < aa.size(); ++i) {
            if (!jsonDeepEquals(aa.at(i), ab.at(i)))
                return false;
        }
        return true;
    }
    return a == b;
}

bool cellEquals(const TableCell& cell, const QJsonValue& replayed)
{
    using Kind = TableCell::Kind;
    if (cell.kind == Kind::Null)
        return replayed.isNull() || replayed.isUndefined();
    if (replayed.isUndefined() || replayed.isNull())
        return false;
    switch (cell.kind) {
    case Kind::Integer: {
        const qint64 i = cell.value.toLongLong();
        if (replayed.isBool())
            return (i == 0 || i == 1) && replayed.toBool() == (i == 1);
        return sameNumber({ true, true, i, double(i) }, numberOfJson(replayed));
    }
    case Kind::Real: {
        const double d = cell.value.toDouble();
        return sameNumber({ true, false, 0, d }, numberOfJson(replayed));
    }
    case Kind::Numeric:
        return sameNumber(numberOfText(cell.value.toString()), numberOfJson(replayed));
    case Kind::Bool:
        return replayed.isBool() && replayed.toBool() == cell.value.toBool();
    case Kind::Json: {
        bool ok = false;
        const QJsonValue parsed = parseJsonValue(cell.value.toString().toUtf8(), &ok);
        return ok && jsonDeepEquals(parsed, replayed);
    }
    case Kind::Time:
        return replayed.isString() && sameInstant(cell.value.toString(), replayed.toString());
    case Kind::Text:
        return textEquals(cell.value.toString(), replayed);
    case Kind::Blob:
        return replayed.isString() && cell.value.toByteArray() == replayed.toString().toUtf8();
    case Kind::Null:
        break;
    }
    return false;
}

QJsonValue cellToJson(const TableCell& cell)
{
    using Kind = TableCell::Kind;
    switch (cell.kind) {
    case Kind::Null:
        return QJsonValue::Null;
    case Kind::Integer:
        return QJsonValue(cell.value.toLongLong());
    case Kind::Real:
        return QJsonValue(cell.value.toDouble());
    case Kind::Numeric: {
        const Number n = numberOfText(cell.value.toString());
        if (n.integral)
            return QJsonValue(n.integer);
        if (n.ok && QString::number(n.real, 'g', 17).toDouble() == n.real)
            return QJsonValue(n.real);
        return QJsonValue(cell.value.toString());
    }
    case Kind::Bool:
        return QJsonValue(cell.value.toBool());
    case Kind::Json: {
        bool ok = false;
        const QJsonValue parsed = parseJsonValue(cell.value.toString().toUtf8(), &ok);
        return ok ? parsed : QJsonValue(cell.value.toString());
    }
    case Kind::Blob:
        return QJsonValue(QString::fromLatin1(cell.value.toByteArray().toBase64()));
    case Kind::Text:
    case Kind::Time:
        break;
    }
    return QJsonValue(cell.value.toString());
}

QString keyText(const QJsonValue& value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const Number n = numberOfJson(value);
        return n.integral ? QString::number(n.integer) : QString::number(n.real, 'g', 17);
    }
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

} // namespace es
