#include <catch2/catch.hpp>

#include "core/eventfilter.h"
#include "core/jsondiff.h"
#include "core/jsonpath.h"
#include "models/jsontreemodel.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace es;

namespace {

// Keys and values that need quoting or escaping somewhere: every one must come back as it went in.
const QStringList awkward = { QStringLiteral("it's"), QStringLiteral("say \"hi\""), QStringLiteral("a.b"),
    QStringLiteral("x[0]"), QStringLiteral("two words"), QStringLiteral("back\\slash"), QStringLiteral("ends with \\"),
    QStringLiteral("'\"\\.[] mixed"), QStringLiteral("a and b"), QStringLiteral("x && y"), QStringLiteral("größe"),
    QStringLiteral("0"), QStringLiteral("7up"), QStringLiteral("-x"), QStringLiteral(""), QStringLiteral("]") };

} // namespace

TEST_CASE("JSON paths: one text form for keys, indexes and odd keys", "[jsonpath]")
{
    CHECK(JsonPath().key(QStringLiteral("items")).index(3).key(QStringLiteral("sku")).toString()
        == QLatin1String("items[3].sku"));
    CHECK(JsonPath().key(QStringLiteral("items")).index(3).key(QStringLiteral("sku")).toString(QStringLiteral("data"))
        == QLatin1String("data.items[3].sku"));
    CHECK(JsonPath().key(QStringLiteral("odd key")).toString(QStringLiteral("data"))
        == QLatin1String(R"(data["odd key"])"));
    CHECK(JsonPath().key(QStringLiteral("say \"hi\"")).key(QStringLiteral("a\\b")).toString()
        == QLatin1String(R"(["say \"hi\""]["a\\b"])"));
    CHECK(JsonPath().index(0).index(1).toString() == QLatin1String("[0][1]"));
    CHECK(JsonPath().key(QStringLiteral("user-id")).key(QStringLiteral("@type")).toString(QStringLiteral("metadata"))
        == QLatin1String("metadata.user-id.@type"));
    CHECK(JsonPath().key(QStringLiteral("0")).toString() == QLatin1String(R"(["0"])"));
    CHECK(JsonPath().toString(QStringLiteral("data")) == QLatin1String("data"));

    // The diff, the JSON tree and conditions all write through it.
    const QJsonArray array { QStringLiteral("meta"), QStringLiteral("odd key"), 2, QStringLiteral("n") };
    CHECK(jsonPathText(array) == QLatin1String(R"(meta["odd key"][2].n)"));
    CHECK(jsonPathText({}) == QLatin1String("$"));
    CHECK(JsonPath::fromJson(array).toJson() == array);

    JsonTreeModel tree;
    tree.setJson(QJsonDocument::fromJson(R"({"a b":[{"it's":1}]})").object(), QStringLiteral("data"));
    const QModelIndex leaf = tree.index(0, 0, tree.index(0, 0, tree.index(0, 0)));
    REQUIRE(leaf.isValid());
    CHECK(tree.path(leaf) == QLatin1String(R"(data["a b"][0]["it's"])"));
    const auto parsed = JsonCondition::parse(tree.path(leaf) + QStringLiteral(" = 1"));
    REQUIRE(parsed);
    CHECK(parsed->path == JsonPath::objectKeys({ QStringLiteral("a b") }).index(0).key(QStringLiteral("it's")));
}

TEST_CASE("JSON paths: what is written reads back, whatever the keys hold", "[jsonpath]")
{
    for (const QString& key : awkward) {
        INFO("key " << key.toStdString());
        const JsonPath path = JsonPath().key(key).index(12).key(QStringLiteral("plain")).key(key);
        const QString text = path.toString();
        QString error;
        const auto back = JsonPath::parse(text, &error);
        INFO("text " << text.toStdString() << " error " << error.toStdString());
        REQUIRE(back);
        CHECK(*back == path);
        const auto rooted = JsonPath::parse(path.toString(QStringLiteral("data")));
        REQUIRE(rooted);
        CHECK(rooted->steps().front().key == QLatin1String("data"));
    }
}

TEST_CASE("JSON paths: the forms people type", "[jsonpath]")
{
    auto keys = [](const QString& text) {
        QString error;
        const auto p = JsonPath::parse(text, &error);
        INFO(text.toStdString() << ": " << error.toStdString());
        REQUIRE(p);
        return p->toKeys();
    };
    CHECK(keys(QStringLiteral("items[2].sku")) == QStringList { u"items"_qs, u"2"_qs, u"sku"_qs });
    CHECK(keys(QStringLiteral(R"(a."odd key".b)")) == QStringList { u"a"_qs, u"odd key"_qs, u"b"_qs });
    CHECK(keys(QStringLiteral("a['single quoted']")) == QStringList { u"a"_qs, u"single quoted"_qs });
    CHECK(keys(QStringLiteral("a['it''s']")) == QStringList { u"a"_qs, u"it's"_qs });
    CHECK(keys(QStringLiteral("größe.straße")) == QStringList { u"größe"_qs, u"straße"_qs });
    CHECK(keys(QStringLiteral("$")).isEmpty());
    CHECK(JsonPath::parse(QStringLiteral("a[1]"))->steps().back().isIndex());
    CHECK_FALSE(JsonPath::parse(QStringLiteral(R"(a["1"])"))->steps().back().isIndex());

    QString error;
    CHECK_FALSE(JsonPath::parse(QStringLiteral("a[x]"), &error));
    CHECK(error.contains(QLatin1String("array index")));
    CHECK_FALSE(JsonPath::parse(QStringLiteral("a[1"), &error));
    CHECK(error.contains(QLatin1String("']'")));
    CHECK_FALSE(JsonPath::parse(QStringLiteral(R"(a["open)"), &error));
    CHECK(error.contains(QLatin1String("unterminated")));
    CHECK_FALSE(JsonPath::parse(QStringLiteral("a."), &error));
    CHECK_FALSE(JsonPath::parse(QStringLiteral("a b"), &error));
    CHECK(error.contains(QLatin1String("unexpected")));
}

TEST_CASE("JSON paths: SQLite path text", "[jsonpath]")
{
    CHECK(JsonPath::fromKeys({ u"items"_qs, u"2"_qs, u"sku"_qs }).toSqlite() == QLatin1String(R"($."items"[2]."sku")"));
    CHECK(JsonPath().key(QStringLiteral("a.b c")).toSqlite() == QLatin1String(R"($."a.b c")"));
    CHECK(JsonPath::fromKeys({ u"007"_qs }).steps().front().index == 7);
}

TEST_CASE("Filter conditions: toString reads back through parse, quotes and all", "[filter][jsonpath]")
{
    using Op = JsonCondition::Op;
    for (const QString& text : awkward) {
        for (const Op op : { Op::Eq, Op::Ne, Op::Lt, Op::Contains, Op::Exists }) {
            JsonCondition c;
            c.field = JsonCondition::Field::Metadata;
            c.path = JsonPath::objectKeys({ text, QStringLiteral("inner"), text });
            c.op = op;
            if (op != Op::Exists)
                c.value = text;
            const QString written = c.toString();
            INFO("written " << written.toStdString());
            QString error;
            const auto back = JsonCondition::parse(written, &error);
            INFO("error " << error.toStdString());
            REQUIRE(back);
            CHECK(back->field == c.field);
            CHECK(back->path == c.path);
            CHECK(back->op == c.op);
            CHECK(back->value == c.value);

            // Joined with another condition, the quotes keep " and " and "&&" inside them.
            std::vector<JsonCondition> all;
            REQUIRE(EventFilter::parseConditions(written + QStringLiteral(" and data.n >= 2"), &all, &error));
            REQUIRE(all.size() == 2);
            CHECK(all[0].path == c.path);
            CHECK(all[0].value == c.value);
            CHECK(all[1].value.toLongLong() == 2);
        }
    }

    // Typed values come back typed.
    for (const QVariant& value :
        { QVariant(qint64(-42)), QVariant(9.75), QVariant(1e300), QVariant(true), QVariant(false), QVariant() }) {
        JsonCondition c;
        c.path = JsonPath::objectKeys({ QStringLiteral("amount") });
        c.op = Op::Ge;
        c.value = value;
        const auto back = JsonCondition::parse(c.toString());
        REQUIRE(back);
        CHECK(back->value.typeId() == value.typeId());
        CHECK(back->value == value);
    }
    JsonCondition indexed;
    indexed.path = JsonPath::objectKeys({ QStringLiteral("items") }).index(3).key(QStringLiteral("odd key"));
    indexed.op = Op::Eq;
    indexed.value = QStringLiteral("x");
    CHECK(indexed.toString() == QLatin1String(R"(data.items[3]["odd key"] = 'x')"));
    CHECK(JsonCondition::parse(indexed.toString())->sqlitePath() == QLatin1String(R"($."items"[3]."odd key")"));

    // A key of digits typed after a dot is an object key, not an index, and stays one when written back (a fuzzer
    // found `.0555` read back as [555]).
    const auto digits = JsonCondition::parse(QStringLiteral("data.codes.0555 exists"));
    REQUIRE(digits);
    CHECK(digits->sqlitePath() == QLatin1String(R"($."codes"."0555")"));
    const auto again = JsonCondition::parse(digits->toString());
    REQUIRE(again);
    CHECK(again->path == digits->path);
    CHECK(
        JsonCondition::parse(QStringLiteral("data.codes[7] exists"))->sqlitePath() == QLatin1String(R"($."codes"[7])"));
}
