// The exact catalog's statements over ranges of positions: sized by time, and a range the server stops at its
// statement timeout read again in halves, with the same catalog as one read of everything.
#include <catch2/catch.hpp>

#include "catalog/catalogscan.h"
#include "store/storeregistry.h"
#include "test_forwarding_store.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

// 300 events of three types; OrderPlaced changes its shape at position 151 (a field added, one turned to a string).
void writeOrders(const QString& path)
{
    EmmettWriter w(path);
    for (int i = 1; i <= 300; ++i) {
        const QString stream = QStringLiteral("order-%1").arg(i % 37);
        QString type;
        QByteArray data;
        if (i % 3 == 0) {
            type = QStringLiteral("OrderShipped");
            data = QStringLiteral(R"({"carrier":"c%1"})").arg(i % 4).toUtf8();
        } else if (i % 3 == 1) {
            type = QStringLiteral("OrderPlaced");
            data = i <= 150 ? QStringLiteral(R"({"total":%1})").arg(i).toUtf8()
                            : QStringLiteral(R"({"total":"%1","currency":"EUR"})").arg(i).toUtf8();
        } else {
            type = QStringLiteral("OrderPaid");
            data = QStringLiteral(R"({"amount":%1,"ok":true})").arg(i).toUtf8();
        }
        w.append(stream, { { type, data } });
    }
}

// Forwards to a store; the statements that add up over ranges (counts, fields, shapes) fail with the server's
// statement timeout when their range holds more than `most` positions, as a busy server would.
class Busy : public ForwardingStore {
public:
    Busy(EventStore& store, qint64 most, StoreError::Kind kind = StoreError::Kind::Timeout)
        : ForwardingStore(store)
        , m_most(most)
        , m_kind(kind)
    { }
    std::vector<CatalogRequest> ran; // the statements that ran to the end
    int timeouts = 0;

    CatalogRows catalogRows(const CatalogRequest& request) override
    {
        const bool ranged = request.part == CatalogPart::Fields || request.part == CatalogPart::Shapes
            || (request.part == CatalogPart::Types && !request.withStreams);
        if (ranged && request.ranges.size() == 1 && request.ranges[0].to - request.ranges[0].from + 1 > m_most) {
            ++timeouts;
            throw StoreError(QStringLiteral("The query took longer than 30 s"), m_kind);
        }
        CatalogRows rows = m_store.catalogRows(request);
        ran.push_back(request);
        return rows;
    }
    // The ranges of the statements of one part that ran, in order.
    std::vector<PositionRange> ranges(CatalogPart part) const
    {
        std::vector<PositionRange> out;
        for (const CatalogRequest& q : ran) {
            if (q.part == part && (part != CatalogPart::Types || !q.withStreams) && q.ranges.size() == 1)
                out.push_back(q.ranges[0]);
        }
        return out;
    }

private:
    qint64 m_most;
    StoreError::Kind m_kind;
};

// The ranges adjoin and cover first..last exactly once.
void checkCovers(const std::vector<PositionRange>& ranges, qint64 first, qint64 last)
{
    REQUIRE_FALSE(ranges.empty());
    CHECK(ranges.front().from == first);
    CHECK(ranges.back().to == last);
    for (size_t i = 1; i < ranges.size(); ++i)
        CHECK(ranges[i].from == ranges[i - 1].to + 1);
}

// Every figure that the exact catalog adds up over ranges, as text.
QString exactText(const TypeCatalog& c)
{
    QStringList out;
    for (const TypeSummary& t : c.types) {
        out << QStringLiteral("%1 %2 %3-%4").arg(t.type).arg(t.count).arg(t.firstPosition).arg(t.lastPosition);
        for (const ShapeStats& s : t.shapes)
            out << QStringLiteral("  shape %1 %2 %3-%4")
                       .arg(s.fields.join(u','))
                       .arg(s.count)
                       .arg(s.firstPosition)
                       .arg(s.lastPosition);
        for (const FieldStats& f : t.fields) {
            QString types;
            for (const auto& [name, stats] : f.types)
                types += QStringLiteral(" %1:%2:%3-%4")
                             .arg(name)
                             .arg(stats.count)
                             .arg(stats.firstPosition)
                             .arg(stats.lastPosition);
            out << QStringLiteral("  field %1 %2%3").arg(f.path).arg(f.count).arg(types);
        }
    }
    return out.join(u'\n');
}

CatalogOptions exact()
{
    CatalogOptions o;
    o.exact = true;
    o.sampleEvents = 10;
    o.sampleRanges = 2;
    o.rareEvents = 0;
    return o;
}

} // namespace

TEST_CASE("Exact catalog: a range the server stops at its statement timeout is read again in halves",
    "[catalog][sqlite][ranges]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("orders.sqlite"));
    writeOrders(path);
    auto store = StoreRegistry::open(path);
    CatalogOptions o = exact();
    o.chunkPositions = 300; // the whole scope in the first statement of fields and of shapes
    o.countChunks = 2; // 150 positions per count
    const TypeCatalog plain = scanCatalog(*store, o);
    REQUIRE(plain.fieldsExact);
    REQUIRE(plain.find(QStringLiteral("OrderPlaced")));
    CHECK(plain.find(QStringLiteral("OrderPlaced"))->count == 100);
    CHECK(plain.find(QStringLiteral("OrderPlaced"))->shapes.size() == 2);

    Busy busy(*store, 40);
    const TypeCatalog halved = scanCatalog(busy, o);
    CHECK(busy.timeouts > 0);
    CHECK(halved.countsExact);
    CHECK(halved.fieldsExact);
    CHECK(exactText(halved) == exactText(plain));
    for (CatalogPart part : { CatalogPart::Types, CatalogPart::Fields, CatalogPart::Shapes }) {
        const std::vector<PositionRange> ranges = busy.ranges(part);
        checkCovers(ranges, 1, 300);
        for (const PositionRange& r : ranges)
            CHECK(r.to - r.from + 1 <= 40);
    }

    // Another failure is not retried: it ends the scan. Nor is a timeout on a single position.
    Busy broken(*store, 0, StoreError::Kind::Generic);
    CHECK_THROWS_AS(scanCatalog(broken, o), StoreError);
    CHECK(broken.timeouts == 1);
    Busy stuck(*store, 0);
    try {
        scanCatalog(stuck, o);
        FAIL("a timeout on one position ends the scan");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Timeout);
    }
}

TEST_CASE("Exact catalog: ranges of positions grow while statements are fast", "[catalog][sqlite][ranges]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("orders.sqlite"));
    writeOrders(path);
    auto store = StoreRegistry::open(path);
    CatalogOptions o = exact();
    o.chunkPositions = 5;
    Busy recording(*store, 1000000);
    const TypeCatalog c = scanCatalog(recording, o);
    CHECK(c.fieldsExact);
    const std::vector<PositionRange> fields = recording.ranges(CatalogPart::Fields);
    checkCovers(fields, 1, 300);
    // 5, then four times as many each time (each statement takes far less than statementSeconds): 5, 20, 80, 195.
    REQUIRE(fields.size() == 4);
    CHECK(fields[0].to - fields[0].from + 1 == 5);
    CHECK(fields[1].to - fields[1].from + 1 == 20);
    CHECK(fields[2].to - fields[2].from + 1 == 80);

    // With a time no statement meets, ranges shrink to a quarter each time, down to one position.
    o.statementSeconds = 1e-9;
    o.chunkPositions = 64;
    Busy slow(*store, 1000000);
    scanCatalog(slow, o);
    const std::vector<PositionRange> shrinking = slow.ranges(CatalogPart::Fields);
    checkCovers(shrinking, 1, 300);
    REQUIRE(shrinking.size() > 4);
    CHECK(shrinking[0].to - shrinking[0].from + 1 == 64);
    CHECK(shrinking[1].to - shrinking[1].from + 1 == 16);
    CHECK(shrinking[2].to - shrinking[2].from + 1 == 4);
    CHECK(shrinking[3].to - shrinking[3].from + 1 == 1);
}
