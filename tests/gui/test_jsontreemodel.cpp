#include <catch2/catch.hpp>

#include "models/jsontreemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>

#include "core/jsontext.h"

using namespace es;

TEST_CASE("JsonTreeModel shows keys, values and types and builds filter paths")
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    REQUIRE(model.setJsonText(
        R"({"amount": 120.5, "items": [{"sku": "A-1", "qty": 2}], "odd key": null, "ok": true, "note": "x"})",
        QStringLiteral("data")));

    REQUIRE(model.rowCount() == 5);
    const QModelIndex items = model.indexOfKey(QStringLiteral("items"));
    REQUIRE(items.isValid());
    CHECK(items.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString() == QLatin1String("array"));
    CHECK(items.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() == QLatin1String("[1 item(s)]"));
    REQUIRE(model.rowCount(items) == 1);
    const QModelIndex item = model.index(0, 0, items);
    CHECK(item.data().toString() == QLatin1String("[0]"));
    CHECK(model.parent(item) == items);
    const QModelIndex sku = model.indexOfKey(QStringLiteral("sku"), item);
    REQUIRE(sku.isValid());
    CHECK(model.path(sku) == QLatin1String("data.items[0].sku"));
    CHECK(sku.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() == QLatin1String("A-1"));
    // Keys keep the order of the stored text.
    CHECK(model.jsonText(item) == QLatin1String(R"({"sku":"A-1","qty":2})"));
    CHECK(model.jsonText(item, true) == QLatin1String("{\n    \"sku\": \"A-1\",\n    \"qty\": 2\n}"));

    const QModelIndex odd = model.indexOfKey(QStringLiteral("odd key"));
    CHECK(model.path(odd) == QLatin1String(R"(data["odd key"])"));
    CHECK(odd.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString() == QLatin1String("null"));
    const QModelIndex amount = model.indexOfKey(QStringLiteral("amount"));
    CHECK(amount.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() == QLatin1String("120.5"));
    CHECK(amount.siblingAtColumn(JsonTreeModel::ValueColumn).data(JsonTreeModel::SortRole).toDouble() == 120.5);
    CHECK(model.indexOfKey(QStringLiteral("ok")).siblingAtColumn(JsonTreeModel::TypeColumn).data().toString()
        == QLatin1String("bool"));

    SECTION("text that is not JSON leaves the model empty")
    {
        CHECK_FALSE(model.setJsonText("not json {", QStringLiteral("data")));
        CHECK(model.rowCount() == 0);
        CHECK(model.json().isUndefined());
    }

    SECTION("a scalar document is one row")
    {
        REQUIRE(model.setJsonText("42", QStringLiteral("data")));
        REQUIRE(model.rowCount() == 1);
        CHECK(model.index(0, JsonTreeModel::ValueColumn).data().toString() == QLatin1String("42"));
        CHECK(model.path(model.index(0, 0)) == QLatin1String("data"));
    }

    SECTION("a top-level array")
    {
        model.setJson(QJsonArray { 1, QJsonObject { { QStringLiteral("a"), 2 } } }, QStringLiteral("metadata"));
        REQUIRE(model.rowCount() == 2);
        const QModelIndex a = model.indexOfKey(QStringLiteral("a"), model.index(1, 0));
        CHECK(model.path(a) == QLatin1String("metadata[1].a"));
    }
}

TEST_CASE("JsonTreeModel makes children only when asked, and a long array in chunks", "[jsontree]")
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QByteArray text = R"({"name":"caf\u00e9","items":[)";
    const int items = 2 * JsonTreeModel::ChunkRows + 500;
    for (int i = 0; i < items; ++i)
        text.append(i ? "," : "").append(R"({"i":)").append(QByteArray::number(i)).append(R"(,"tags":["a","b"]})");
    text.append("]}");
    const jsontext::Index index = jsontext::validate(text, 1024);
    REQUIRE(index.ok);
    model.setValidatedJson(text, index, QStringLiteral("data"));

    REQUIRE(model.rowCount() == 2);
    CHECK(model.index(0, JsonTreeModel::ValueColumn).data().toString() == QString::fromUtf8("café"));
    const QModelIndex list = model.indexOfKey(QStringLiteral("items"));
    CHECK(list.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString() == QLatin1String("[2500 item(s)]"));
    CHECK(model.hasChildren(list));
    CHECK(model.rowCount(list) == JsonTreeModel::ChunkRows);
    REQUIRE(model.canFetchMore(list));
    model.fetchMore(list);
    CHECK(model.rowCount(list) == 2 * JsonTreeModel::ChunkRows);
    model.fetchMore(list);
    CHECK(model.rowCount(list) == items);
    CHECK_FALSE(model.canFetchMore(list));

    const QModelIndex last = model.index(items - 1, 0, list);
    CHECK(last.data().toString() == QStringLiteral("[%1]").arg(items - 1));
    const QModelIndex tags = model.indexOfKey(QStringLiteral("tags"), last);
    CHECK(model.path(tags) == QStringLiteral("data.items[%1].tags").arg(items - 1));
    CHECK(model.rowCount(tags) == 2);
    CHECK(model.index(1, JsonTreeModel::ValueColumn, tags).data().toString() == QLatin1String("b"));
    CHECK(model.jsonText(tags) == QLatin1String(R"(["a","b"])"));
    CHECK(model.indexOfKey(QStringLiteral("i"), last)
              .siblingAtColumn(JsonTreeModel::ValueColumn)
              .data(JsonTreeModel::SortRole)
        == QVariant(double(items - 1)));
}
