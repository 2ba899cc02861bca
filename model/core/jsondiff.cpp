#include "core/jsondiff.h"

#include "core/jsonpath.h"

#include <QJsonObject>

namespace es {

namespace {

void walk(const QJsonValue& a, const QJsonValue& b, QJsonArray& path, JsonDiff& out)
{
    if (a.isObject() && b.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        // QJsonObject keeps keys sorted, so one merge pass finds removed, common and added keys in order.
        auto ia = oa.begin();
        auto ib = ob.begin();
        while (ia != oa.end() || ib != ob.end()) {
            const bool takeA = ib == ob.end() || (ia != oa.end() && ia.key() < ib.key());
            const bool takeB = ia == oa.end() || (ib != ob.end() && ib.key() < ia.key());
            if (takeA) {
                path.append(ia.key());
                out.push_back({ JsonChange::Kind::Removed, path, ia.value(), QJsonValue(QJsonValue::Undefined) });
                path.removeLast();
                ++ia;
            } else if (takeB) {
                path.append(ib.key());
                out.push_back({ JsonChange::Kind::Added, path, QJsonValue(QJsonValue::Undefined), ib.value() });
                path.removeLast();
                ++ib;
            } else {
                path.append(ia.key());
                walk(ia.value(), ib.value(), path, out);
                path.removeLast();
                ++ia;
                ++ib;
            }
        }
        return;
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        const qsizetype common = qMin(aa.size(), ab.size());
        for (qsizetype i = 0; i < common; ++i) {
            path.append(i);
            walk(aa.at(i), ab.at(i), path, out);
            path.removeLast();
        }
        for (qsizetype i = common; i < aa.size(); ++i) {
            path.append(i);
            out.push_back({ JsonChange::Kind::Removed, path, aa.at(i), QJsonValue(QJsonValue::Undefined) });
            path.removeLast();
        }
        for (qsizetype i = common; i < ab.size(); ++i) {
            path.append(i);
            out.push_back({ JsonChange::Kind::Added, path, QJsonValue(QJsonValue::Undefined), ab.at(i) });
            path.removeLast();
        }
        return;
    }
    if (a == b)
        return;
    if (a.isUndefined())
        out.push_back({ JsonChange::Kind::Added, path, a, b });
    else if (b.isUndefined())
        out.push_back({ JsonChange::Kind::Removed, path, a, b });
    else
        out.push_back({ JsonChange::Kind::Changed, path, a, b });
}

} // namespace

QString jsonPathText(const QJsonArray& path)
{
    return path.isEmpty() ? QStringLiteral("$") : JsonPath::fromJson(path).toString();
}

QString JsonChange::pathText() const
{
    return jsonPathText(path);
}

QString JsonChange::kindName() const
{
    switch (kind) {
    case Kind::Added:
        return QStringLiteral("added");
    case Kind::Removed:
        return QStringLiteral("removed");
    case Kind::Changed:
        return QStringLiteral("changed");
    }
    return {};
}

QJsonValue JsonChange::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("op"), kindName());
    o.insert(QStringLiteral("path"), pathText());
    if (kind != Kind::Added)
        o.insert(QStringLiteral("old"), oldValue);
    if (kind != Kind::Removed)
        o.insert(QStringLiteral("new"), newValue);
    return o;
}

JsonDiff diffJson(const QJsonValue& before, const QJsonValue& after)
{
    JsonDiff out;
    QJsonArray path;
    walk(before, after, path, out);
    return out;
}

QJsonArray diffToJson(const JsonDiff& diff)
{
    QJsonArray out;
    for (const auto& change : diff)
        out.append(change.toJson());
    return out;
}

} // namespace es
