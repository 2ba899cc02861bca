// Reconciliation reads the mapped paths from a replayed state's JSON text where they lie: every answer must be the
// one a parsed document gives, or none (the caller then parses).
#include <catch2/catch.hpp>

#include "fold/reducer.h"
#include "fold/statepaths.h"
#include "fold/statetext.h"

#include <QJsonDocument>

using namespace es;

TEST_CASE("reconcile state text: values at paths equal those of the parsed state", "[reconcile]")
{
    const char* const states[] = {
        R"({"owner":"Ann","balance":130,"n":-7,"zero":0,"neg0":-0,"big":12345678901234567,"r":1.5,"e":1e3,)"
        R"("t":true,"f":false,"z":null,"esc":"a\"b\\c","uni":"Zoë ✓","items":[{"sku":"x"},{"sku":"y","q":[1,2]}],)"
        R"("o":{"name":"Bo","deep":{"k":[[],{}]}},"empty":{},"arr":[]})",
        R"( { "owner" : "Ann" , "balance" : 130 , "items" : [ 1 , "two" , { "three" : 3 } ] } )",
        R"({"dup":1,"dup":2})",
        R"({"k\"q":1,"plain":2})",
        R"([1,2,3])",
        R"("text")",
        R"(null)",
        R"({})",
    };
    const char* const paths[] = { "owner", "balance", "n", "zero", "neg0", "big", "r", "e", "t", "f", "z", "esc", "uni",
        "items", "items[0]", "items[1].sku", "items[1].q[1]", "items[2]", "items[5]", "items[0].sku.x",
        "items[2].three", "o.name", "o.deep.k[1]", "o.deep.k[0]", "o.missing", "missing", "empty", "arr", "arr[0]",
        "dup", "plain", "[0]", "$", "owner.x", "balance[0]" };
    for (const char* state : states) {
        const QByteArray text(state);
        const QJsonValue parsed = parseJsonValue(text);
        for (const char* p : paths) {
            INFO(state << " at " << p);
            const QJsonArray path = parseJsonPathText(QString::fromUtf8(p));
            const std::optional<QJsonValue> got = valueAtPathInText(text, path);
            if (!got)
                continue;
            const QJsonValue expected = valueAtPath(parsed, path);
            CHECK(got->type() == expected.type());
            CHECK(*got == expected);
            CHECK(got->toVariant() == expected.toVariant());
        }
    }
    // The common case is answered without parsing.
    const QByteArray common(R"({"owner":"Ann","balance":130,"items":[{"sku":"x"}]})");
    CHECK(valueAtPathInText(common, parseJsonPathText(QStringLiteral("owner"))) == QJsonValue(QStringLiteral("Ann")));
    CHECK(valueAtPathInText(common, parseJsonPathText(QStringLiteral("balance"))) == QJsonValue(130));
    CHECK(valueAtPathInText(common, parseJsonPathText(QStringLiteral("items[0].sku")))
        == QJsonValue(QStringLiteral("x")));
    CHECK(valueAtPathInText(common, parseJsonPathText(QStringLiteral("nope")))->isUndefined());
    CHECK(!valueAtPathInText(QByteArray(R"({"dup":1,"dup":2})"), parseJsonPathText(QStringLiteral("dup"))));
}
