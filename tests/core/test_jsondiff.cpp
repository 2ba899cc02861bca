#include <catch2/catch.hpp>

#include "core/jsondiff.h"
#include "fold/reducer.h"

#include <QJsonObject>

using namespace es;

namespace {

QJsonValue j(const char* text)
{
    bool ok = false;
    const QJsonValue v = parseJsonValue(QByteArray(text), &ok);
    REQUIRE(ok);
    return v;
}

const JsonChange* find(const JsonDiff& diff, const QString& path)
{
    for (const auto& c : diff) {
        if (c.pathText() == path)
            return &c;
    }
    return nullptr;
}

} // namespace

TEST_CASE("jsondiff: equal values have no changes", "[jsondiff]")
{
    CHECK(diffJson(j(R"({"a":1,"b":{"c":[1,2,{"d":null}]}})"), j(R"({"b":{"c":[1,2,{"d":null}]},"a":1})")).empty());
    CHECK(diffJson(j("3"), j("3")).empty());
}

TEST_CASE("jsondiff: nested objects report the deepest changed paths", "[jsondiff]")
{
    const auto diff
        = diffJson(j(R"({"balance":10,"owner":{"name":"Ann","address":{"city":"Oslo","zip":"0150"}},"old":true})"),
            j(R"({"balance":25,"owner":{"name":"Ann","address":{"city":"Bergen"},"email":"a@x"},"new":[1]})"));
    REQUIRE(diff.size() == 6);
    const JsonChange* balance = find(diff, QStringLiteral("balance"));
    REQUIRE(balance);
    CHECK(balance->kind == JsonChange::Kind::Changed);
    CHECK(balance->oldValue.toInt() == 10);
    CHECK(balance->newValue.toInt() == 25);
    const JsonChange* city = find(diff, QStringLiteral("owner.address.city"));
    REQUIRE(city);
    CHECK(city->oldValue.toString() == QStringLiteral("Oslo"));
    CHECK(city->newValue.toString() == QStringLiteral("Bergen"));
    const JsonChange* zip = find(diff, QStringLiteral("owner.address.zip"));
    REQUIRE(zip);
    CHECK(zip->kind == JsonChange::Kind::Removed);
    CHECK(zip->newValue.isUndefined());
    const JsonChange* email = find(diff, QStringLiteral("owner.email"));
    REQUIRE(email);
    CHECK(email->kind == JsonChange::Kind::Added);
    CHECK(find(diff, QStringLiteral("old"))->kind == JsonChange::Kind::Removed);
    const JsonChange* added = find(diff, QStringLiteral("new"));
    REQUIRE(added);
    CHECK(added->kind == JsonChange::Kind::Added);
    CHECK(added->newValue.isArray());
    CHECK(find(diff, QStringLiteral("owner.name")) == nullptr);
}

TEST_CASE("jsondiff: arrays compare by index, growing and shrinking", "[jsondiff]")
{
    const auto grow = diffJson(j(R"({"items":[{"sku":"A","q":1},{"sku":"B","q":1}]})"),
        j(R"({"items":[{"sku":"A","q":2},{"sku":"B","q":1},{"sku":"C","q":5}]})"));
    REQUIRE(grow.size() == 2);
    CHECK(grow[0].pathText() == QStringLiteral("items[0].q"));
    CHECK(grow[0].kind == JsonChange::Kind::Changed);
    CHECK(grow[0].oldValue.toInt() == 1);
    CHECK(grow[0].newValue.toInt() == 2);
    CHECK(grow[1].pathText() == QStringLiteral("items[2]"));
    CHECK(grow[1].kind == JsonChange::Kind::Added);
    CHECK(grow[1].newValue.toObject().value(QStringLiteral("sku")).toString() == QStringLiteral("C"));

    const auto shrink = diffJson(j("[[1,2],[3]]"), j("[[1]]"));
    REQUIRE(shrink.size() == 2);
    CHECK(shrink[0].pathText() == QStringLiteral("[0][1]"));
    CHECK(shrink[0].kind == JsonChange::Kind::Removed);
    CHECK(shrink[0].oldValue.toInt() == 2);
    CHECK(shrink[1].pathText() == QStringLiteral("[1]"));
    CHECK(shrink[1].kind == JsonChange::Kind::Removed);
}

TEST_CASE("jsondiff: a change of kind is one change with both values", "[jsondiff]")
{
    const auto diff = diffJson(
        j(R"({"a":{"x":1},"b":[1],"c":null,"weird key":1})"), j(R"({"a":5,"b":{"0":1},"c":0,"weird key":2})"));
    REQUIRE(diff.size() == 4);
    CHECK(find(diff, QStringLiteral("a"))->oldValue.isObject());
    CHECK(find(diff, QStringLiteral("a"))->newValue.toInt() == 5);
    CHECK(find(diff, QStringLiteral("b"))->newValue.isObject());
    CHECK(find(diff, QStringLiteral("c"))->oldValue.isNull());
    CHECK(find(diff, QStringLiteral("[\"weird key\"]")) != nullptr);

    const auto root = diffJson(j("1"), j("\"x\""));
    REQUIRE(root.size() == 1);
    CHECK(root[0].pathText() == QStringLiteral("$"));
    const QJsonObject o = root[0].toJson().toObject();
    CHECK(o.value(QStringLiteral("op")).toString() == QStringLiteral("changed"));
    CHECK(o.value(QStringLiteral("old")).toInt() == 1);
    CHECK(o.value(QStringLiteral("new")).toString() == QStringLiteral("x"));
}
