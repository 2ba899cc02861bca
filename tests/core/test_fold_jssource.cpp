// JsSource: the reading of reducer source behind JsFold's choices (recompiling, reusing event objects).
#include <catch2/catch.hpp>

#include "fold/js/jssource.h"

#include <QString>
#include <QStringList>

#include <string>

using namespace es;

namespace {

// The tokens, separated by spaces.
std::string texts(const QString& source)
{
    const JsSource reading(source);
    REQUIRE(reading.isReadable());
    QStringList out;
    for (const JsSource::Token& t : reading.tokens())
        out.append(t.text.toString());
    return out.join(u' ').toStdString();
}

std::string identifiers(const QString& source)
{
    const JsSource reading(source);
    QStringList out;
    for (const JsSource::Token& t : reading.tokens()) {
        if (t.kind == JsSource::Token::Identifier)
            out.append(t.text.toString());
    }
    return out.join(u' ').toStdString();
}

} // namespace

TEST_CASE("js source: identifiers and punctuators, without comments, literals and numbers", "[fold][jssource]")
{
    CHECK(texts(QStringLiteral("a.b(c, \"s, t\", 'u', 42, 1.5e3) // x y\n/* z */ d >>>= e?.f ?? g => h"))
        == "a . b ( c , , , , ) d >>>= e ?. f ?? g => h");
    CHECK(identifiers(QStringLiteral("$init _x caf\u00e9 x1")) == "$init _x caf\u00e9 x1");
    CHECK(texts(QStringLiteral("a ... b === c !== d ** e")) == "a ... b === c !== d ** e");
    CHECK(texts(QStringLiteral("'it\\'s' + \"a \\\"q\\\"\"")) == "+");
}

TEST_CASE("js source: a slash divides after a value and starts a regular expression elsewhere", "[fold][jssource]")
{
    CHECK(texts(QStringLiteral("x = a / b / c")) == "x = a / b / c");
    CHECK(texts(QStringLiteral("(a) / 2")) == "( a ) /");
    CHECK(texts(QStringLiteral("return /e[)/]\\//g.test(s)")) == "return . test ( s )");
    CHECK(texts(QStringLiteral("f(/a b/, 1)")) == "f ( , )");
}

TEST_CASE("js source: template substitutions read as code in parentheses", "[fold][jssource]")
{
    CHECK(texts(QStringLiteral("`a ${b + `c ${d}`} e`")) == "( b + ( d ) )");
    CHECK(texts(QStringLiteral("`${ { x: 1 }.x }` + y")) == "( { x : } . x ) + y");
    CHECK(texts(QStringLiteral("`no ${'}'} end`")) == "( )");
}

TEST_CASE("js source: what this reading cannot follow makes it unreadable and cautious", "[fold][jssource]")
{
    for (const QString& source : { QStringLiteral("'abc"), QStringLiteral("a /* b"), QStringLiteral("`abc"),
             QStringLiteral("`${a`"), QStringLiteral("a\\u0065"), QStringLiteral("x = /ab\nc/") }) {
        INFO(source.toStdString());
        const JsSource reading(source);
        CHECK_FALSE(reading.isReadable());
        CHECK(reading.tokens().empty());
        CHECK(reading.usesThis());
        CHECK(reading.mayKeepEvents());
    }
}

TEST_CASE("js source: `this` is found as a word, not in strings, comments or longer names", "[fold][jssource]")
{
    CHECK(JsSource(u"this.k = 1;").usesThis());
    CHECK(JsSource(u"x = `${this}`").usesThis());
    CHECK_FALSE(JsSource(u"x = 'this'; // this\n/* this */ thisValue").usesThis());
}
