// The fold's read path: BatchReader through readRaw against the paged events() path, and Timeline folded while
// reading against the same Timeline built page by page.
#include <catch2/catch.hpp>

#include "test_fold_support.h"
#include "testutils.h"

#include "fold/batchreader.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "fold/timetravelengine.h"
#include "store/storeregistry.h"
#include "store/storesession.h"

#include <QSignalSpy>
#include <QTemporaryDir>

#include <random>

using namespace es;
using namespace es::test;
using es::test::waitFor;

namespace {

// What a reducer reads of an event must match between the two paths.
void checkSameForReducers(const Event& raw, const Event& paged, bool metadata)
{
    INFO("version " << paged.version);
    CHECK(raw.position == paged.position);
    CHECK(raw.version == paged.version);
    CHECK(raw.stream == paged.stream);
    CHECK(raw.type == paged.type);
    CHECK(raw.time == paged.time);
    CHECK(raw.time.toMSecsSinceEpoch() == paged.time.toMSecsSinceEpoch());
    CHECK(Event::timeToIso(raw.time) == Event::timeToIso(paged.time));
    CHECK(raw.data.encoding == paged.data.encoding);
    CHECK(raw.data.bytes == paged.data.bytes);
    if (metadata) {
        CHECK(raw.metadata.encoding == paged.metadata.encoding);
        CHECK(raw.metadata.bytes == paged.metadata.bytes);
    } else {
        CHECK(raw.metadata.isNull());
    }
}

struct Batches {
    EventList events;
    std::vector<qsizetype> sizes;
    BatchReader::Sink sink()
    {
        return [this](const Event* e, qsizetype n) {
            events.insert(events.end(), e, e + n);
            sizes.push_back(n);
            return true;
        };
    }
};

// Payloads SQLite's json_valid() and a quick scan may see differently: the raw path must decide as the SQL does.
std::vector<FixtureEvent> awkwardPayloads()
{
    const QByteArray datas[] = {
        "{\"amount\": 5}",
        "  [1, 2.5, -0.25, true, null]  ",
        "{\"big\": 1e999}",
        "{\"exp\": 2E-3, \"long\": 12345678901234567890}",
        "\"just a string\"",
        "42",
        "not json at all",
        "{\"unterminated\": ",
        "",
        "{\"a\":1}{\"b\":2}",
        "{\"esc\": \"tab\\tquote\\\" \\u00e9 \\ud83d\\ude00\"}",
        "{\"utf8\": \"h\xc3\xa9llo \xe2\x82\xac\"}",
        "\x01\x02 binary \xff\xfe",
        "{\"x\": 01}",
        "{\"deep\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
    };
    std::vector<FixtureEvent> out;
    qint64 t = fixtureStartMs;
    int i = 0;
    for (const QByteArray& d : datas) {
        out.push_back({ i % 3 ? QByteArray("Noted") : QByteArray("Typed\xc3\xa9"), d, t });
        t += 1500;
        ++i;
    }
    return out;
}

} // namespace

TEST_CASE("fold read: store times in the usual forms are read as parseStoreTime reads them", "[fold][read]")
{
    const char* const accepted[] = { "2024-03-04 05:06:07", "2024-03-04T05:06:07", "2024-03-04t05:06:07.5",
        "2024-03-04 05:06:07.123", "2024-03-04T05:06:07.123456Z", "2024-03-04T05:06:07Z", "2024-03-04T05:06:07z",
        "2024-03-04 05:06:07+00", "2024-03-04T05:06:07.9+00:00", "2024-03-04", "2024-03-04 05:06",
        "1970-01-01 00:00:00", "1969-12-31 23:59:59.999", "2000-02-29 12:00:00", "1600-03-01 00:00:00",
        "9999-12-31 23:59:59.999", "2024-03-04 05:06:07,25" };
    for (const char* text : accepted) {
        INFO(text);
        qint64 ms = 0;
        REQUIRE(fastStoreTimeMs(QByteArrayView(text), &ms));
        const QDateTime expected = parseStoreTime(QByteArrayView(text));
        REQUIRE(expected.isValid());
        CHECK(ms == expected.toMSecsSinceEpoch());
    }
    // Other forms are left to parseStoreTime (which may read them, or not).
    const char* const refused[] = { "1709510400", "2024-03-04 05:06:07+02:00", "2024-03-04 05:06:07 UTC",
        " 2024-03-04 05:06:07", "2023-02-29 00:00:00", "2024-13-01 00:00:00", "2024-03-04 24:00:00", "0999-01-01",
        "2024-3-4", "", "garbage" };
    for (const char* text : refused) {
        INFO(text);
        qint64 ms = 0;
        CHECK_FALSE(fastStoreTimeMs(QByteArrayView(text), &ms));
    }
}

TEST_CASE("fold read: the raw path hands over what the paged path does, in the same batches", "[fold][read]")
{
    std::mt19937_64 random(3);
    std::vector<qint64> amounts;
    for (int i = 0; i < 1234; ++i)
        amounts.push_back(qint64(random() % 200) - 90);
    StreamStore store(ledger(amounts));
    EventQuery query;
    query.filter.stream = QStringLiteral("account-1");
    for (const bool metadata : { true, false }) {
        INFO("metadata " << metadata);
        Batches raw;
        Batches paged;
        BatchReader rawReader(*store.store, 100);
        rawReader.setMetadata(metadata);
        REQUIRE(rawReader.read(query, raw.sink()));
        CHECK(rawReader.readRawly());
        CHECK(rawReader.eventsRead() == 1234);
        BatchReader pagedReader(*store.store, 100, BatchReader::Path::Pages);
        REQUIRE(pagedReader.read(query, paged.sink()));
        CHECK_FALSE(pagedReader.readRawly());
        CHECK(raw.sizes == paged.sizes);
        CHECK(raw.sizes.size() == 13);
        CHECK(raw.sizes.back() == 34);
        REQUIRE(raw.events.size() == paged.events.size());
        for (std::size_t i = 0; i < raw.events.size(); ++i) {
            checkSameForReducers(raw.events[i], paged.events[i], metadata);
            CHECK(paged.events[i].id == store.events[i].id);
            CHECK(raw.events[i].id.isEmpty());
        }
    }

    SECTION("a range, and a sink that stops the read")
    {
        EventQuery range = query;
        range.from = 200;
        range.to = 450;
        Batches raw;
        BatchReader reader(*store.store, 64);
        REQUIRE(reader.read(range, raw.sink()));
        REQUIRE(raw.events.size() == 251);
        CHECK(raw.events.front().version == 200);
        CHECK(raw.events.back().version == 450);
        qsizetype seen = 0;
        CHECK_FALSE(reader.read(query, [&](const Event*, qsizetype n) {
            seen += n;
            return seen < 128;
        }));
        CHECK(seen == 128);
    }
}

TEST_CASE("fold read: payload encodings on the raw path are decided as json_valid() decides them", "[fold][read]")
{
    StreamStore store(awkwardPayloads());
    EventQuery query;
    query.filter.stream = QStringLiteral("account-1");
    Batches raw;
    BatchReader reader(*store.store, 4);
    REQUIRE(reader.read(query, raw.sink()));
    REQUIRE(raw.events.size() == store.events.size());
    for (std::size_t i = 0; i < raw.events.size(); ++i)
        checkSameForReducers(raw.events[i], store.events[i], true);
    // The fixture does hold both kinds, and encodings the quick scan cannot decide alone.
    CHECK(store.events[2].data.isJson()); // 1e999: JSON to SQLite
    CHECK(store.events[6].data.encoding == Payload::Encoding::Text);
    CHECK(store.events[12].data.encoding == Payload::Encoding::Base64);
}

TEST_CASE("fold read: a timeline folded while reading equals one built page by page", "[fold][read][timeline]")
{
    std::mt19937_64 random(5);
    std::vector<qint64> amounts;
    for (int i = 0; i < 2600; ++i)
        amounts.push_back(qint64(random() % 200) - 90);
    StreamStore store(ledger(amounts));
    const ReducerPtr js = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ b: 0, n: 0, t: 0, m: null }), $any: (s, e) => { s.b += e.data.amount; "
                       "s.n++; s.t = e.time; s.m = e.metadata.streamName; } })"),
        QStringLiteral("any.js"));
    const ReducerPtr merge = std::make_shared<MergeReducer>(MergeReducer::Mode::ByType);
    for (const ReducerPtr& reducer : { js, merge }) {
        for (const bool whatIf : { false, true }) {
            INFO(reducer->name().toStdString() << (whatIf ? " what-if" : ""));
            TimelineOptions options;
            options.pageSize = 300;
            options.minInterval = options.maxInterval = 53;
            if (whatIf) {
                options.skipTypes = QStringList { QStringLiteral("FundsWithdrawn") };
                options.skipVersions = { 7, 8, 1000 };
            }
            TimelineOptions pagedOptions = options;
            pagedOptions.readPath = BatchReader::Path::Pages;
            Timeline raw(*store.store, QStringLiteral("account-1"), reducer, options);
            Timeline paged(*store.store, QStringLiteral("account-1"), reducer, pagedOptions);
            REQUIRE(raw.build());
            REQUIRE(paged.build());
            REQUIRE(raw.count() == paged.count());
            CHECK(raw.types() == paged.types());
            CHECK(raw.snapshotCount() == paged.snapshotCount());
            for (qint64 i = 0; i < raw.count(); ++i) {
                REQUIRE(raw.versionAt(i) == paged.versionAt(i));
                REQUIRE(raw.positionAt(i) == paged.positionAt(i));
                REQUIRE(raw.timeAt(i) == paged.timeAt(i));
                REQUIRE(raw.typeIdAt(i) == paged.typeIdAt(i));
            }
            for (const qint64 v : { qint64(0), qint64(1), qint64(53), qint64(999), qint64(1777), qint64(2600) }) {
                INFO("version " << v);
                CHECK(raw.stateJsonAt(v) == paged.stateJsonAt(v));
            }
            // A long replay goes through the raw path too.
            CHECK(raw.stateJsonAt(2600) == paged.stateJsonAt(2600));
            CHECK(raw.diff(3, 2500).size() == paged.diff(3, 2500).size());
        }
    }
}

TEST_CASE("fold read: a reducer error and a memory budget stop both paths at the same event", "[fold][read][timeline]")
{
    std::vector<qint64> amounts(900, 5);
    StreamStore store(ledger(amounts));
    const ReducerPtr throwing = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ n: 0 }), $any: (s, e) => { if (e.version === 613) throw new "
                       "Error('boom'); s.n++; } })"),
        QStringLiteral("throws.js"));
    const ReducerPtr growing = std::make_shared<JsReducer>(
        QStringLiteral("({ $init: () => ({ list: [] }), $any: (s, e) => { s.list.push('x'.repeat(40)); } })"),
        QStringLiteral("grows.js"));
    for (const ReducerPtr& reducer : { throwing, growing }) {
        INFO(reducer->name().toStdString());
        TimelineOptions options;
        options.pageSize = 128;
        options.memoryBudgetBytes = 20000;
        TimelineOptions pagedOptions = options;
        pagedOptions.readPath = BatchReader::Path::Pages;
        Timeline raw(*store.store, QStringLiteral("account-1"), reducer, options);
        Timeline paged(*store.store, QStringLiteral("account-1"), reducer, pagedOptions);
        REQUIRE(raw.build());
        REQUIRE(paged.build());
        REQUIRE(raw.reducerError());
        REQUIRE(paged.reducerError());
        CHECK(raw.reducerError()->version == paged.reducerError()->version);
        CHECK(raw.reducerError()->kind == paged.reducerError()->kind);
        CHECK(raw.count() == 900);
        CHECK(raw.stateJsonAt(900) == paged.stateJsonAt(900));
    }
}

TEST_CASE("fold read: the state at the last event comes with the load, as a state request computes it",
    "[fold][read][timetravel]")
{
    std::vector<qint64> amounts;
    for (int i = 0; i < 5000; ++i)
        amounts.push_back(i % 7 - 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("last.sqlite"));
    writeEmmettStream(path, "account-1", ledger(amounts));
    StoreSession session(StoreOpener { path, {} });
    TimeTravelEngine engine(&session, QStringLiteral("account-1"));
    QSignalSpy loaded(&engine, &TimeTravelEngine::loaded);
    QSignalSpy states(&engine, &TimeTravelEngine::stateReady);
    engine.load(std::make_shared<MergeReducer>(MergeReducer::Mode::ByType));
    REQUIRE(waitFor([&] { return loaded.count() == 1; }, 60000));
    const qint64 last = loaded.first().at(0).value<TimelineIndexPtr>()->lastVersion();
    REQUIRE(last == 5000);

    // Answered from the load: after the call returns, with the ticket it returned.
    const quint64 first = engine.requestState(last);
    CHECK(states.isEmpty());
    REQUIRE(waitFor([&] { return states.count() == 1; }, 60000));
    const CursorState fromLoad = states.takeFirst().at(0).value<CursorState>();
    CHECK(fromLoad.ticket == first);

    // Elsewhere and back: computed by jobs on the lane, the same answer.
    engine.requestState(last - 10);
    REQUIRE(waitFor([&] { return states.count() == 1; }, 60000));
    states.clear();
    engine.requestState(last);
    REQUIRE(waitFor([&] { return states.count() == 1; }, 60000));
    const CursorState computed = states.takeFirst().at(0).value<CursorState>();
    CHECK_FALSE(fromLoad.failure);
    CHECK(fromLoad.version == last);
    CHECK(fromLoad.stateJson == computed.stateJson);
    CHECK(fromLoad.changes.size() == computed.changes.size());
    CHECK_FALSE(fromLoad.changes.empty());
    REQUIRE(fromLoad.event);
    REQUIRE(computed.event);
    CHECK(fromLoad.event->version == last);
    CHECK(fromLoad.event->id == computed.event->id);
}
