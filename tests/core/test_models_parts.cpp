#include <catch2/catch.hpp>

// The parts of the event table on their own: row <-> key mapping, the page cache, the request queue and the locator.

#include "models/eventlocator.h"
#include "models/eventpagecache.h"
#include "models/pagerequests.h"
#include "models/rowkeymap.h"
#include "store/storeregistry.h"
#include "test_models_support.h"

#include <QTemporaryDir>

using namespace es;
using es::test::emmett::Spec;

namespace {

using Mode = RowKeyMap::Mode;
using Action = EventLocator::Step::Action;

ScopeStats stats(qint64 count, qint64 first, qint64 last)
{
    ScopeStats s;
    s.count = count;
    s.firstKey = first;
    s.lastKey = last;
    return s;
}

RowKeyMap dense(qint64 count, qint64 first, Qt::SortOrder order = Qt::AscendingOrder, int pageSize = 10)
{
    RowKeyMap map(Mode::Dense, order, pageSize);
    map.setStats(stats(count, first, first + count - 1));
    map.setRows(count);
    return map;
}

// Events with these positions (versions -1), as a page of the cache.
EventPageCache::Page page(std::initializer_list<qint64> positions, int offset = 0)
{
    EventPageCache::Page p;
    p.offset = offset;
    for (const qint64 k : positions) {
        Event e;
        e.position = k;
        p.events.push_back(e);
    }
    p.complete = true;
    return p;
}

EventList events(qint64 first, qint64 n)
{
    EventList out;
    for (qint64 k = first; k < first + n; ++k) {
        Event e;
        e.position = k;
        out.push_back(e);
    }
    return out;
}

} // namespace

TEST_CASE("RowKeyMap: dense scopes map rows to keys without reading", "[models][parts]")
{
    const RowKeyMap up = dense(25, 100);
    CHECK(up.slotOfRow(7) == 7);
    CHECK(up.pageOfRow(24) == 2);
    CHECK(up.knownKeyOfRow(13) == 113);
    CHECK(up.canLoad(2));
    CHECK_FALSE(up.canLoad(3));
    CHECK_FALSE(up.waitsForAnchors());
    const EventQuery q = up.pageQuery(2, {});
    CHECK(q.from == 120);
    CHECK(q.to == 124); // the last page stops at the last key
    CHECK(q.limit == 10);
    CHECK_FALSE(q.backward);
    CHECK(up.rowsOfPage(2) == std::pair<qint64, qint64>(20, 24));
    CHECK(up.rowsOfPage(3).first > up.rowsOfPage(3).second);

    // Descending: row 0 is the last key; pages are still in key order, read forward.
    const RowKeyMap down = dense(25, 100, Qt::DescendingOrder);
    CHECK(down.slotOfRow(0) == 24);
    CHECK(down.rowOfSlot(24) == 0);
    CHECK(down.knownKeyOfRow(0) == 124);
    CHECK(down.pageOfRow(0) == 2);
    CHECK(down.rowsOfPage(2) == std::pair<qint64, qint64>(0, 4));
    CHECK(down.rowsOfPage(0) == std::pair<qint64, qint64>(15, 24));
    CHECK_FALSE(down.pageQuery(0, {}).backward);

    RowKeyMap anchored(Mode::Anchored, Qt::AscendingOrder, 10);
    CHECK(anchored.knownKeyOfRow(3) == -1);
}

TEST_CASE("RowKeyMap: sparse scopes seek to anchors; growing scopes find theirs", "[models][parts]")
{
    RowKeyMap map(Mode::Anchored, Qt::AscendingOrder, 10);
    map.setStats(stats(30, 10, 95));
    map.setRows(30);
    CHECK(map.waitsForAnchors());
    CHECK_FALSE(map.canLoad(0));
    map.setAnchors({ 10, 50, 90 });
    CHECK_FALSE(map.waitsForAnchors());
    CHECK(map.canLoad(2));
    CHECK_FALSE(map.canLoad(3));
    CHECK(map.pageQuery(1, {}).from == 50);
    CHECK(map.pageQuery(1, {}).to == -1);
    CHECK(map.anchorPageOf(5) == 0);
    CHECK(map.anchorPageOf(10) == 0);
    CHECK(map.anchorPageOf(49) == 0);
    CHECK(map.anchorPageOf(50) == 1);
    CHECK(map.anchorPageOf(1000) == 2);
    const auto shared = map.sharedAnchors();
    map.setAnchors({ 10, 50, 90, 130 });
    CHECK(shared->size() == 3); // a reader's copy never changes under it

    RowKeyMap back(Mode::Growing, Qt::DescendingOrder, 10);
    back.appendAnchor(100);
    back.appendAnchor(60);
    back.appendAnchor(20);
    back.setRows(25);
    CHECK(back.readsBackward());
    CHECK(back.slotOfRow(3) == 3); // rows are slots: they grow in display order
    CHECK(back.totalSlots() == 25);
    CHECK(back.pageQuery(1, {}).backward);
    CHECK(back.pageQuery(1, {}).from == 60);
    CHECK(back.anchorPageOf(150) == 0);
    CHECK(back.anchorPageOf(70) == 0);
    CHECK(back.anchorPageOf(60) == 1);
    CHECK(back.anchorPageOf(5) == 2);
    CHECK(back.canLoad(2));
    CHECK_FALSE(back.canLoad(3));
}

TEST_CASE("ScanProgress: where a filtered scan goes on and when it is done", "[models][parts]")
{
    EventPage read;
    read.next = 500;
    ScanProgress p;
    p.lastKey = 420;
    p.advance(read, 3, false);
    CHECK(p.nextKey == 500);
    CHECK_FALSE(p.atEnd);

    read.next = -1;
    p.advance(read, 3, false);
    CHECK(p.nextKey == 421);
    p.advance(read, 3, true);
    CHECK(p.nextKey == 419);
    CHECK_FALSE(p.atEnd);

    // The scan window ran out with nothing found: go on past it, unless the read did not move.
    ScanProgress window;
    read.next = 9000;
    read.windowExhausted = true;
    window.advance(read, 0, false);
    CHECK_FALSE(window.atEnd);
    window.advance(read, 0, false);
    CHECK_FALSE(window.atEnd); // the window was used up: the same start is a new window next time
    read.windowExhausted = false;
    window.advance(read, 0, false);
    CHECK(window.atEnd);

    ScanProgress done;
    read = {};
    read.atEnd = true;
    read.next = 77;
    done.advance(read, 5, false);
    CHECK(done.atEnd);

    ScanProgress belowZero;
    belowZero.lastKey = 0;
    belowZero.advance(EventPage {}, 1, true);
    CHECK(belowZero.atEnd);
}

TEST_CASE("EventPageCache: least recently used pages go first, the pinned one never", "[models][parts]")
{
    EventPageCache cache(2);
    cache.store(0, page({ 1, 2 }));
    cache.store(1, page({ 3, 4 }));
    REQUIRE(cache.event(0, 1));
    CHECK(cache.event(0, 1)->position == 2); // page 0 is now the most recent
    cache.store(2, page({ 5, 6 }));
    CHECK(cache.size() == 2);
    CHECK(cache.find(0));
    CHECK_FALSE(cache.find(1));

    cache.setPinned(0);
    cache.store(3, page({ 7 }));
    cache.store(4, page({ 8 }));
    CHECK(cache.find(0)); // oldest, but pinned
    CHECK(cache.find(4));
    CHECK(cache.size() == 2);

    // A miss inside a cached page does not count as use.
    cache.setPinned(-1);
    CHECK_FALSE(cache.event(4, 5));
    cache.touch(0);
    cache.store(5, page({ 9 }));
    CHECK_FALSE(cache.find(4));
    CHECK(cache.find(0));

    cache.setLimit(1); // at least two
    CHECK(cache.limit() == 2);
    CHECK(cache.isComplete(5));
    cache.find(5)->complete = false;
    CHECK_FALSE(cache.isComplete(5));
    cache.clear();
    CHECK(cache.size() == 0);

    const EventPageCache::Page tail = page({ 40, 41 }, 8);
    CHECK_FALSE(tail.at(7));
    CHECK(tail.at(8)->position == 40);
    CHECK(tail.at(9)->position == 41);
    CHECK_FALSE(tail.at(10));
}

TEST_CASE("EventPageCache: rows read from the head are cut into pages", "[models][parts]")
{
    // Slots 254 .. 553 of 1000 in pages of 256: the tail of page 0, page 1 whole, the head of page 2.
    auto pages = EventPageCache::slice(events(254, 300), 254, 1000, 256);
    REQUIRE(pages.size() == 3);
    CHECK(pages[0].first == 0);
    CHECK(pages[0].second.offset == 254);
    CHECK(pages[0].second.events.size() == 2);
    CHECK_FALSE(pages[0].second.complete);
    CHECK(pages[1].first == 1);
    CHECK(pages[1].second.offset == 0);
    CHECK(pages[1].second.events.size() == 256);
    CHECK(pages[1].second.complete);
    CHECK(pages[1].second.events.front().position == 256);
    CHECK(pages[2].second.events.size() == 42);
    CHECK_FALSE(pages[2].second.complete);

    // The last page of a scope is complete when it is short because the scope ends there.
    pages = EventPageCache::slice(events(512, 88), 512, 600, 256);
    REQUIRE(pages.size() == 1);
    CHECK(pages[0].first == 2);
    CHECK(pages[0].second.complete);
}

TEST_CASE("PageRequests: batches, waits, failures and the cap on reads in flight", "[models][parts]")
{
    PageRequests r;
    for (const qint64 p : { 4, 1, 3, 2 })
        r.want(p);
    int asked = 0;
    auto ready = r.take([&](qint64 p) {
        ++asked;
        return p == 2 ? PageRequests::Decision::Wait
            : p == 3  ? PageRequests::Decision::Drop
                      : PageRequests::Decision::Read;
    });
    CHECK(ready == std::vector<qint64> { 1, 4 });
    CHECK(asked == 4);
    CHECK(r.isWanted(2));
    CHECK_FALSE(r.isWanted(3));

    r.started(1, 10);
    r.failed(4);
    CHECK(r.hasFailed(4));
    CHECK_FALSE(r.isInFlight(4));
    r.want(1);
    r.want(4);
    asked = 0;
    ready = r.take([&](qint64) {
        ++asked;
        return PageRequests::Decision::Wait;
    });
    CHECK(asked == 1); // page 2 only: 1 is in flight, 4 failed
    CHECK(ready.empty());
    CHECK_FALSE(r.isWanted(1));
    r.clearFailed();
    CHECK_FALSE(r.hasFailed(4));

    // Eight reads: the two next-oldest are dropped, the oldest (probably running) and the newest stay.
    PageRequests many;
    for (qint64 p = 0; p < 8; ++p)
        many.started(p, quint64(10 + p));
    CHECK(many.trim() == std::vector<quint64> { 11, 12 });
    CHECK(many.inFlightCount() == PageRequests::maxInFlight);
    CHECK(many.isInFlight(0));
    CHECK_FALSE(many.isInFlight(1));
    CHECK(many.trim().empty());
    many.finished(0);
    CHECK_FALSE(many.isInFlight(0));
}

TEST_CASE("EventLocator: what to do for a key in each mapping", "[models][parts]")
{
    EventLocator locator;
    const ScanProgress none;

    RowKeyMap counting(Mode::Counting);
    locator.locateKey(5);
    CHECK(locator.resolveKey(counting, none).action == Action::Wait);
    CHECK(locator.pendingKey() == 5);

    // Dense: clamped to the scope, found at once.
    auto step = locator.resolveKey(dense(25, 100), none);
    CHECK(step.action == Action::Found);
    CHECK(step.key == 100);
    CHECK(step.row == 0);
    CHECK_FALSE(locator.pendingKey());
    locator.locateKey(110);
    step = locator.resolveKey(dense(25, 100, Qt::DescendingOrder), none);
    CHECK(step.key == 110);
    CHECK(step.row == 14);
    locator.locateKey(110);
    step = locator.resolveKey(dense(0, -1), none);
    CHECK(step.action == Action::Fail);
    CHECK(step.failure == EventLocator::Failure::NoEvents);

    RowKeyMap anchored(Mode::Anchored, Qt::AscendingOrder, 10);
    anchored.setStats(stats(30, 10, 95));
    locator.locateKey(60);
    CHECK(locator.resolveKey(anchored, none).action == Action::Wait);
    anchored.setAnchors({ 10, 50, 90 });
    step = locator.resolveKey(anchored, none);
    CHECK(step.action == Action::ReadPage);
    CHECK(step.page == 1);
    CHECK_FALSE(locator.pendingKey());
    anchored.setAnchors({});
    locator.locateKey(60);
    CHECK(locator.resolveKey(anchored, none).action == Action::Fail);

    // Growing: read further until the key is within what was found.
    RowKeyMap growing(Mode::Growing, Qt::AscendingOrder, 10);
    ScanProgress growth;
    locator.locateKey(60);
    CHECK(locator.resolveKey(growing, growth).action == Action::Grow);
    growth.atEnd = true;
    step = locator.resolveKey(growing, growth);
    CHECK(step.action == Action::Fail);
    CHECK(step.failure == EventLocator::Failure::NoMatch);
    growing.appendAnchor(10);
    growing.appendAnchor(40);
    growing.setRows(20);
    growth = {};
    growth.lastKey = 55;
    locator.locateKey(60);
    CHECK(locator.resolveKey(growing, growth).action == Action::Grow);
    CHECK(locator.pendingKey() == 60);
    growth.lastKey = 70;
    step = locator.resolveKey(growing, growth);
    CHECK(step.action == Action::ReadPage);
    CHECK(step.page == 1);
    locator.locateKey(99);
    growth.atEnd = true; // beyond the end: the last page tells
    CHECK(locator.resolveKey(growing, growth).page == 1);
}

TEST_CASE("EventLocator: the row of a key within a page", "[models][parts]")
{
    RowKeyMap map(Mode::Anchored, Qt::AscendingOrder, 4);
    map.setStats(stats(10, 10, 40));
    map.setRows(10);
    map.setAnchors({ 10, 18, 30 });
    const EventPageCache::Page p1 = page({ 18, 20, 22, 26 });
    auto step = EventLocator::findInPage(map, {}, 1, p1, 21);
    CHECK(step.action == Action::Found);
    CHECK(step.key == 22);
    CHECK(step.row == 6);
    step = EventLocator::findInPage(map, {}, 1, p1, 28); // past the page: the next page's first row
    CHECK(step.key == 30);
    CHECK(step.row == 8);
    step = EventLocator::findInPage(map, {}, 2, page({ 30, 40 }), 99); // past the end: the last row
    CHECK(step.key == 40);
    CHECK(step.row == 9);
    CHECK(EventLocator::findInPage(map, {}, 2, page({}), 99).action == Action::Fail);

    map.setOrder(Qt::DescendingOrder);
    step = EventLocator::findInPage(map, {}, 1, p1, 21);
    CHECK(step.row == 3); // slot 6 of 10, shown from the end

    // One stream: keys are versions.
    EventFilter stream;
    stream.stream = QStringLiteral("s-1");
    EventPageCache::Page versions = page({ 900, 901 });
    versions.events[0].version = 3;
    versions.events[1].version = 4;
    step = EventLocator::findInPage(dense(10, 1, Qt::AscendingOrder, 2), stream, 1, versions, 4);
    CHECK(step.key == 4);
    CHECK(step.row == 3);
}

TEST_CASE("EventLocator: times resolve against the mapping and a real store", "[models][parts]")
{
    EventLocator locator;
    const QDateTime base = Spec::timeOf(0);
    EventFilter filter;
    filter.types = { QStringLiteral("OrderPaid") };
    filter.fromTime = base.addSecs(60 * 3000);

    RowKeyMap growing(Mode::Growing);
    locator.locateTime(base.addSecs(60 * 10));
    auto step = locator.resolveTime(growing, filter);
    CHECK(step.action == EventLocator::TimeStep::Action::ReadFirst);
    CHECK(step.first.filter.fromTime == filter.fromTime); // the later of the two
    CHECK(step.first.limit == 1);
    CHECK_FALSE(locator.pendingTime());

    locator.locateTime(base);
    CHECK(locator.resolveTime(RowKeyMap(Mode::Counting), {}).action == EventLocator::TimeStep::Action::Wait);
    CHECK(locator.resolveTime(RowKeyMap(Mode::Anchored), {}).action == EventLocator::TimeStep::Action::Wait);
    CHECK(locator.pendingTime());
    CHECK(locator.resolveTime(dense(0, -1), {}).action == EventLocator::TimeStep::Action::Fail);

    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    Spec spec;
    spec.events = 3000;
    spec.archiveEvery = 7; // gaps in positions: the sparse scope needs anchors
    const QString path = es::test::emmett::write(es::test::tempPath(dir, QStringLiteral("s.sqlite")), spec);
    auto store = StoreRegistry::open(path);
    const std::vector<int> visible = spec.visible();
    const ScopeStats scope = store->scopeStats({});
    REQUIRE(scope.count == qint64(visible.size()));

    RowKeyMap sparse(Mode::Anchored, Qt::AscendingOrder, 64);
    sparse.setStats(scope);
    sparse.setAnchors(store->keyAnchors({}, 64));
    auto keyAt = [&](const QDateTime& t) {
        EventLocator l;
        l.locateTime(t);
        const auto s = l.resolveTime(sparse, {});
        REQUIRE(s.action == EventLocator::TimeStep::Action::Search);
        return EventLocator::keyAtTime(*store, s.search);
    };
    // Event i is at minute i and position i + 1: the first visible event at or after the time.
    for (const int minute : { 0, 1, 500, 1234, 2990 }) {
        const auto it = std::lower_bound(visible.begin(), visible.end(), minute);
        REQUIRE(it != visible.end());
        CHECK(keyAt(base.addSecs(60 * minute - 30)) == *it + 1);
    }
    CHECK(keyAt(base.addSecs(-3600)) == visible.front() + 1);
    CHECK(keyAt(base.addDays(30)) == visible.back() + 1); // after everything: the last event

    EventQuery first;
    first.filter.fromTime = base.addSecs(60 * 1000 + 1);
    first.limit = 1;
    const auto after = std::upper_bound(visible.begin(), visible.end(), 1000);
    CHECK(EventLocator::firstKey(*store, first) == *after + 1);
    first.filter.fromTime = base.addDays(30);
    CHECK_THROWS_AS(EventLocator::firstKey(*store, first), StoreError);
}
