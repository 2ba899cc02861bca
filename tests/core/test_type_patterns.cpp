#include <catch2/catch.hpp>

#include "core/typepattern.h"
#include "samplewriter.h"
#include "store/storeregistry.h"
#include "test_layout_support.h"
#include "testutils.h"

#include <QSet>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

// Type filters with patterns (Order*, *Deposited, *Fund*) on both engines, checked against the same events filtered
// here by name: the database's answer must be exactly the events whose type matches.

namespace {

bool matches(const TypePattern& p, const QString& type)
{
    switch (p.kind) {
    case TypePattern::Kind::Exact:
        return type == p.text;
    case TypePattern::Kind::Prefix:
        return type.startsWith(p.text);
    case TypePattern::Kind::Suffix:
        return type.endsWith(p.text);
    case TypePattern::Kind::Contains:
        return type.contains(p.text);
    }
    return false;
}

std::vector<qint64> expected(const EventList& all, const QStringList& entries)
{
    std::vector<qint64> out;
    for (const Event& e : all) {
        for (const QString& entry : entries) {
            if (matches(TypePattern::of(entry), e.type)) {
                out.push_back(e.position);
                break;
            }
        }
    }
    return out;
}

std::vector<qint64> positionsOf(const EventList& events)
{
    std::vector<qint64> out;
    for (const Event& e : events)
        out.push_back(e.position);
    return out;
}

void checkPatterns(EventStore& store)
{
    const EventList all = readAll(store);
    REQUIRE(all.size() > 100);
    QSet<QString> types;
    for (const Event& e : all)
        types.insert(e.type);
    REQUIRE(types.size() >= 3);
    const QString some = *types.begin();
    const QList<QStringList> cases {
        { some.left(3) + u'*' },
        { u'*' + some.right(4) },
        { u'*' + some.mid(1, 3) + u'*' },
        { some, u'*' + some.right(2) },
        { QStringLiteral("NoSuch*") },
        { QStringLiteral("*") },
        { some.toLower().left(3) + u'*' }, // case-sensitive: another case finds nothing unless a type has it
        { QStringLiteral("*'; DROP TABLE x; --*") },
    };
    for (const QStringList& entries : cases) {
        INFO(entries.join(QLatin1String(", ")).toStdString());
        EventFilter f;
        f.types = entries;
        CHECK(positionsOf(readAll(store, f)) == expected(all, entries));
        EventFilter inCategory = f;
        inCategory.category = all.front().stream.section(u'-', 0, 0);
        EventFilter plain;
        plain.category = inCategory.category;
        CHECK(positionsOf(readAll(store, inCategory)) == expected(readAll(store, plain), entries));
    }
}

} // namespace

TEST_CASE("TypePattern reads a type filter's entries", "[filter][types]")
{
    CHECK(TypePattern::of(QStringLiteral("OrderPlaced")).kind == TypePattern::Kind::Exact);
    CHECK(TypePattern::of(QStringLiteral("Order*")).kind == TypePattern::Kind::Prefix);
    CHECK(TypePattern::of(QStringLiteral("Order*")).text == QLatin1String("Order"));
    CHECK(TypePattern::of(QStringLiteral("*Placed")).kind == TypePattern::Kind::Suffix);
    CHECK(TypePattern::of(QStringLiteral("*Pay*")).kind == TypePattern::Kind::Contains);
    CHECK(TypePattern::of(QStringLiteral("*Pay*")).text == QLatin1String("Pay"));
    CHECK(TypePattern::of(QStringLiteral("*")).text.isEmpty());
    CHECK(TypePattern::of(QStringLiteral("A*B")).kind == TypePattern::Kind::Exact);
}

TEST_CASE("Type patterns select exactly the matching events on SQLite", "[filter][types]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.sqlite"));
    writeSampleStore(path, SampleOptions { 800, 9, QStringLiteral("emmett") });
    auto store = StoreRegistry::open(path);
    checkPatterns(*store);
}

TEST_CASE("Type patterns select exactly the matching events on PostgreSQL", "[filter][types][pg]")
{
    ES_REQUIRE_PG("type patterns");
    PgTestDatabase db(QStringLiteral("typepat"));
    REQUIRE(db.ok());
    writeSampleStore(db.address(), SampleOptions { 800, 9, QStringLiteral("messagedb") });
    auto store = StoreRegistry::open(db.address());
    checkPatterns(*store);
}
