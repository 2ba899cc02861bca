// ShapeCompiler: JSON payloads compiled into the object literals that rebuild them inside the engine.
#include <catch2/catch.hpp>

#include "fold/js/shapecompiler.h"

#include <QByteArray>

#include <vector>

using namespace es;

namespace {

struct Compiled {
    bool ok = false;
    QByteArray code;
    std::vector<double> numbers;
    QByteArray strings;
    int numberCount = 0;
    int stringCount = 0;
};

Compiled compile(const QByteArray& json, const QByteArray& strings = "[")
{
    Compiled c;
    c.strings = strings;
    ShapeCompiler compiler(json, c.code, c.numbers, c.strings);
    c.ok = compiler.compile();
    c.numberCount = compiler.numberCount();
    c.stringCount = compiler.stringCount();
    return c;
}

} // namespace

TEST_CASE("shape compiler: numbers and strings become reads of the batch's columns", "[fold][shape]")
{
    const Compiled c = compile(R"({"a": 1, "b": "x", "c": [true, null, -2.5e1, false], "d": {}, "e": []})");
    REQUIRE(c.ok);
    CHECK(c.code == R"({"a":n[i+0],"b":s[j+0],"c":[true,null,n[i+1],false],"d":{},"e":[]})");
    CHECK(c.numbers == std::vector<double> { 1, -25 });
    CHECK(c.strings == R"(["x")");
    CHECK(c.numberCount == 2);
    CHECK(c.stringCount == 1);

    // Payloads that differ only in their numbers and strings have one shape.
    CHECK(compile(R"({"a": 7, "b": "other", "c": [true, null, 3, false], "d": {}, "e": []})").code == c.code);
    CHECK(compile(R"({"a": "7", "b": "other", "c": [true, null, 3, false], "d": {}, "e": []})").code != c.code);
}

TEST_CASE("shape compiler: strings are copied as JSON string tokens after those already in the list", "[fold][shape]")
{
    const Compiled c = compile("{\n  \"k\\u00e9y\" : [ \"caf\\u00e9 \\\"q\\\"\" ,\"\xc3\xa9\" ] \r\n}", R"(["y")");
    REQUIRE(c.ok);
    CHECK(c.code == R"({"k\u00e9y":[s[j+0],s[j+1]]})");
    CHECK(c.strings == "[\"y\",\"caf\\u00e9 \\\"q\\\"\",\"\xc3\xa9\"");
    CHECK(compile(R"("just a string")").code == "s[j+0]");
    CHECK(compile("42").code == "n[i+0]");
    CHECK(compile("null").code == "null");
}

TEST_CASE("shape compiler: payloads better parsed whole are refused", "[fold][shape]")
{
    const QByteArray deep16 = QByteArray(16, '[').append('1').append(QByteArray(16, ']'));
    const QByteArray deep17 = QByteArray(17, '[').append('1').append(QByteArray(17, ']'));
    CHECK(compile(deep16).ok);
    CHECK_FALSE(compile(deep17).ok);

    const QByteArray refused[] = {
        R"({"__proto__": {"x": 1}})",
        "{\"sep\": \"a\xe2\x80\xa8"
        "b\"}",
        "{\"k\xe2\x80\xa9"
        "ey\": 1}",
        "{\"raw\": \"line\nbreak\"}",
        R"({"huge": 1e400})",
        R"({"a": 1)",
        R"({} x)",
        R"({"a" 1})",
        R"({a: 1})",
        "tru",
        "not json",
        "",
        // Not JSON although from_chars or a JS literal would take them (found by tests/fuzz/fuzz_shape).
        "01",
        "[-]",
        "[1.]",
        "[.5]",
        "[1e]",
        "[1e+]",
        "[--1]",
        "[1-2]",
        R"(["\x41"])",
        R"(["\v"])",
        R"(["\0"])",
        R"(["\u12"])",
        R"(["\u12G4"])",
    };
    for (const QByteArray& json : refused) {
        INFO(json.toStdString());
        CHECK_FALSE(compile(json).ok);
    }
    for (const QByteArray json : { "[0, -0, 0.5, -1.25e-3, 1E+2, 10]", R"(["\" \\ \/ \b \f \n \r \t \u00e9"])" }) {
        INFO(json.toStdString());
        CHECK(compile(json).ok);
    }
}
