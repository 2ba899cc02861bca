#include <catch2/catch.hpp>

#include "core/jsontext.h"
#include "core/payload.h"

#include <QJsonDocument>
#include <QJsonParseError>

using namespace es;

namespace {

bool qtAccepts(const QByteArray& text)
{
    QJsonParseError error;
    QJsonDocument::fromJson("[" + text + "]", &error);
    return error.error == QJsonParseError::NoError;
}

} // namespace

TEST_CASE("jsontext::validate accepts JSON (RFC 8259) and says where other text goes wrong", "[jsontext]")
{
    const char* good[] = { R"({"a":1,"b":[true,false,null],"c":{"d":"x\"y\\z\u00e9\/"}})", "42", "-0.5e+3", "0",
        R"("s")", " [ ] ", "{}", R"(["\ud83d\ude00"])", "\n\t[1E5, -1.25e-2, 0.0]\r\n" };
    for (const char* c : good) {
        INFO(c);
        CHECK(jsontext::validate(QByteArray(c)).ok);
        CHECK(qtAccepts(QByteArray(c)));
    }
    const char* bad[] = { "[1,2,", R"({"a" 1})", "[01]", "tru", R"("a\x")", "[1] 2", "", "  ", R"({"a":[1,{"b":2}]]})",
        "[1.]", "[-]", "[1e]", R"({"a":1 "b":2})", "[1 2]", R"({1:2})", "[\"a\nb\"]", R"(["\u12"])", "{\"a\":1,}" };
    for (const char* c : bad) {
        INFO(c);
        const jsontext::Index index = jsontext::validate(QByteArray(c));
        CHECK_FALSE(index.ok);
        CHECK_FALSE(index.cancelled);
        CHECK(index.error.contains(QStringLiteral("at byte")));
    }
    std::atomic<bool> cancel { true };
    const QByteArray many = QByteArray("[") + QByteArray("1,").repeated(200000) + QByteArray("1]");
    const jsontext::Index cancelled = jsontext::validate(many, 64 * 1024, &cancel);
    CHECK_FALSE(cancelled.ok);
    CHECK(cancelled.cancelled);
    CHECK(cancelled.error == QLatin1String("Cancelled"));
}

TEST_CASE("jsontext::validate indexes big containers and skipValue uses the index", "[jsontext]")
{
    const QByteArray text = R"({"small":[1,2],"big":[{"x":1},{"x":2},{"x":3},"s,]"],"tail":{}})";
    const jsontext::Index index = jsontext::validate(text, 20);
    REQUIRE(index.ok);
    const qsizetype big = text.indexOf("[{");
    REQUIRE(index.big->count(big) == 1);
    CHECK(index.big->at(big).count == 4);
    CHECK(index.big->at(big).end == text.indexOf(R"(,"tail")"));
    CHECK(index.big->count(0) == 1); // the whole object
    CHECK(index.big->count(text.indexOf("[1,2]")) == 0);

    qint64 count = -1;
    CHECK(jsontext::skipValue(text, big, &count) == text.indexOf(R"(,"tail")"));
    CHECK(count == 4);
    CHECK(jsontext::skipValue(text, 0, &count, &index) == text.size());
    CHECK(count == 3);
    CHECK(jsontext::skipValue(text, text.indexOf("{}"), &count) == text.size() - 1);
    CHECK(count == 0);
    CHECK(jsontext::skipValue(QByteArray(R"("a\"b" ,)"), 0) == 6);
    CHECK(jsontext::skipValue(QByteArray("-12.5e3,"), 0) == 7);
}

TEST_CASE("jsontext::pretty lays JSON out as QJsonDocument::Indented does, and stops at a line end", "[jsontext]")
{
    // Keys already in Qt's order, so both layouts can be compared byte for byte.
    const QByteArray text
        = R"( {"a": 1, "b":[1,2,{"c":"x, \"y\" \u00e9 \ud83d\ude00 \n \/"}],"d":{"e":null,"f":true}} )";
    const QByteArray qt = QJsonDocument::fromJson(text).toJson(QJsonDocument::Indented).trimmed();
    CHECK(jsontext::pretty(text.trimmed()) == qt);
    CHECK(jsontext::pretty(R"({"a":[],"b":{ }})") == "{\n    \"a\": [],\n    \"b\": {}\n}");

    bool truncated = false;
    const QByteArray whole = jsontext::pretty(text.trimmed(), -1, &truncated);
    CHECK_FALSE(truncated);
    const QByteArray head = jsontext::pretty(text.trimmed(), 30, &truncated);
    CHECK(truncated);
    CHECK(head.size() <= 30 + 16);
    CHECK(whole.startsWith(head));
    CHECK(whole.at(head.size()) == '\n');

    // A long string is cut inside, at a character boundary, without reading all of it.
    const QByteArray longString = "[\"" + QByteArray(1000, 'a') + "\u00e9\"]";
    const QByteArray cut = jsontext::pretty(longString, 100, &truncated);
    CHECK(truncated);
    CHECK(cut.size() <= 100);
    CHECK(cut.startsWith("[\n    \"aaa"));
}

TEST_CASE("jsontext::compact and unescape", "[jsontext]")
{
    CHECK(jsontext::compact(" { \"a b\" : [ 1 , \"x y\" ] } ") == R"({"a b":[1,"x y"]})");
    CHECK(jsontext::unescape(R"("plain")") == QLatin1String("plain"));
    CHECK(jsontext::unescape(R"("caf\u00e9 \"q\" a\\b\n\ud83d\ude00")")
        == QString::fromUtf8("café \"q\" a\\b\n\xF0\x9F\x98\x80"));
    CHECK(jsontext::unescape(R"("abcdef")", 3) == QLatin1String("abc"));
    CHECK(jsontext::unescape(R"("lone \ud800 x")") == QString::fromUtf8("lone \xEF\xBF\xBD x"));
}

TEST_CASE("Payload::displayHead shows the start of big payloads of every encoding", "[jsontext]")
{
    bool truncated = true;
    CHECK(Payload::json(R"({"a":1})").displayHead(1000, &truncated) == QLatin1String("{\n    \"a\": 1\n}"));
    CHECK_FALSE(truncated);

    const QByteArray words = QByteArray("é").repeated(100); // two bytes each
    const QString head = Payload::text(words).displayHead(51, &truncated);
    CHECK(truncated);
    CHECK(head == QString::fromUtf8(QByteArray("é").repeated(25)));

    const QByteArray raw(300, '\xff');
    const QString b64 = Payload::binary(raw).displayHead(40, &truncated);
    CHECK(truncated);
    CHECK(b64 == QString::fromLatin1(raw.left(30).toBase64()));
    CHECK(Payload::binary(raw).displayHead(-1, &truncated) == QString::fromLatin1(raw.toBase64()));
    CHECK_FALSE(truncated);
}
