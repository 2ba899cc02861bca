#include <catch2/catch.hpp>

#include "export/exporter.h"
#include "export/exportjob.h"
#include "pg/pgstore.h"
#include "store/storeregistry.h"
#include "test_export_support.h"
#include "test_layout_support.h"
#include "testutils.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <functional>

using namespace es;
using namespace es::test;

// Exports from PostgreSQL stores written the way their clients write (write_message() for Message DB, Hibernate's
// large objects for Axon), read back and compared with what events() returns.

namespace {

// Every format from `store`, compared with events() of the same scope.
void checkRoundTrips(EventStore& store, const EventFilter& filter, const QTemporaryDir& dir)
{
    const EventList events = readAll(store, filter);
    REQUIRE(!events.empty());
    ExportOptions options;
    options.filter = filter;
    options.overwrite = true;

    const QString jsonl = dir.filePath(QStringLiteral("out.jsonl"));
    CHECK(exportTo(store, jsonl, QStringLiteral("jsonl"), options).events == qint64(events.size()));
    const QList<QByteArray> lines = readFile(jsonl).split('\n');
    REQUIRE(lines.size() == qsizetype(events.size()) + 1);
    for (size_t i = 0; i < events.size(); ++i) {
        INFO(lines[qsizetype(i)].toStdString());
        CHECK(lines[qsizetype(i)] == events[i].toJsonLine());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(lines[qsizetype(i)], &error);
        REQUIRE(error.error == QJsonParseError::NoError);
        CHECK(doc.object() == events[i].toJson());
    }

    const QString json = dir.filePath(QStringLiteral("out.json"));
    exportTo(store, json, QStringLiteral("json"), options);
    QJsonParseError error;
    const QJsonArray array = QJsonDocument::fromJson(readFile(json), &error).array();
    REQUIRE(error.error == QJsonParseError::NoError);
    REQUIRE(array.size() == qsizetype(events.size()));
    for (size_t i = 0; i < events.size(); ++i)
        CHECK(array.at(qsizetype(i)).toObject() == events[i].toJson());

    const QString csv = dir.filePath(QStringLiteral("out.csv"));
    exportTo(store, csv, QStringLiteral("csv"), options);
    const std::vector<QStringList> rows = parseCsv(readFile(csv));
    REQUIRE(rows.size() == events.size() + 1);
    for (size_t i = 0; i < events.size(); ++i)
        checkCsvRow(rows[i + 1], events[i]);

    const QString sqlite = dir.filePath(QStringLiteral("out.sqlite"));
    exportTo(store, sqlite, QStringLiteral("sqlite"), options);
    {
        auto copy = StoreRegistry::open(sqlite);
        CHECK(copy->info().layout == QLatin1String("emmett"));
        const EventList back = readAll(*copy);
        REQUIRE(back.size() == events.size());
        for (size_t i = 0; i < events.size(); ++i) {
            INFO(events[i].toJsonLine().toStdString());
            CHECK(back[i].position == events[i].position);
            CHECK(back[i].stream == events[i].stream);
            CHECK(back[i].version == events[i].version);
            CHECK(back[i].type == events[i].type);
            CHECK(back[i].time == events[i].time);
            CHECK(back[i].id == events[i].id);
            CHECK(back[i].data.encoding == events[i].data.encoding);
            CHECK(back[i].data.toJsonValue() == events[i].data.toJsonValue());
            CHECK(back[i].metadata.toJsonValue() == events[i].metadata.toJsonValue());
        }
    }
    CHECK(filesIn(dir).filter(QStringLiteral("partial")).isEmpty());
}

// What readRaw hands over: each row as its export line, and its time text.
class CollectingReceiver : public RawEventReceiver {
public:
    bool row(const RawEvent& event) override
    {
        QByteArray line;
        event.appendJsonLine(line);
        lines.append(line);
        times.append(event.time.isNull() ? QByteArray("<null>") : event.time.toByteArray());
        if (onRow)
            onRow(lines.size());
        return stopAfter < 0 || lines.size() < stopAfter;
    }
    QList<QByteArray> lines;
    QList<QByteArray> times;
    qsizetype stopAfter = -1;
    std::function<void(qsizetype)> onRow;
};

EventQuery everything()
{
    EventQuery q;
    q.limit = 0;
    return q;
}

// One element per line, so that a failed comparison prints readably.
std::string joined(const QList<QByteArray>& lines)
{
    return lines.join('\n').toStdString();
}

QList<QByteArray> eventLines(EventStore& store, const EventFilter& filter = {})
{
    QList<QByteArray> lines;
    for (const Event& e : readAll(store, filter))
        lines.append(e.toJsonLine());
    return lines;
}

// The times as events() reads them (to_char in a UTC session), in position order; `column` is the time column.
QList<QByteArray> serverTimes(const PgTestDatabase& db, const QString& column, const QString& from)
{
    QByteArray out;
    REQUIRE(psql(db.address(),
                { QStringLiteral("-t"), QStringLiteral("-A"), QStringLiteral("-c"),
                    QStringLiteral("SET TimeZone = 'UTC'; SELECT coalesce(to_char(%1, "
                                   "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '<null>') FROM %2")
                        .arg(column, from) },
                &out)
        == 0);
    QList<QByteArray> times = out.trimmed().split('\n');
    return times;
}

} // namespace

TEST_CASE("Raw reads give every PostgreSQL layout's rows as events() does", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL raw read test")
    const QStringList fixtures { QStringLiteral("messagedb.sql"), QStringLiteral("marten_guid.sql"),
        QStringLiteral("marten_string.sql"), QStringLiteral("commanded.sql"), QStringLiteral("eventuous.sql"),
        QStringLiteral("axon_jpa.sql"), QStringLiteral("axon_jdbc.sql"), QStringLiteral("cqrs-es.sql"),
        QStringLiteral("railseventstore.sql"), QStringLiteral("eventsourcing.sql"), QStringLiteral("emmett.sql") };
    for (const QString& fixture : fixtures) {
        INFO(fixture.toStdString());
        PgTestDatabase db(QStringLiteral("raw_layouts"), { fixture });
        REQUIRE(db.ok());
        if (fixture == QLatin1String("messagedb.sql"))
            db.sql(messageDbWrite(QStringLiteral("account-1")) + messageDbWrite(QStringLiteral("account-2")));
        auto store = StoreRegistry::open(db.address());
        const QList<QByteArray> expected = eventLines(*store);
        CHECK(!expected.isEmpty());
        CollectingReceiver raw;
        REQUIRE(store->readRaw(everything(), raw));
        CHECK(joined(raw.lines) == joined(expected));
    }
}

TEST_CASE("Raw reads by binary COPY give times as events() does", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL raw read test")
    // Times clients do not write but a column can hold: before 2000 (negative in COPY's binary form), BC, five-digit
    // years, the limits, infinities, and fractions whose trailing zeros the server drops.
    const QStringList times { QStringLiteral("2000-01-01 00:00:00"), QStringLiteral("1999-12-31 23:59:59.999999"),
        QStringLiteral("2024-03-04 12:34:56.5"), QStringLiteral("2024-02-29 23:00:00.00001"),
        QStringLiteral("1970-01-01 00:00:00.000001"), QStringLiteral("1600-03-01 01:02:03.12"),
        QStringLiteral("1900-02-28 23:59:59"), QStringLiteral("0001-01-01 00:00:00"),
        QStringLiteral("0044-03-15 12:00:00.25 BC"), QStringLiteral("4713-11-24 00:00:00 BC"),
        QStringLiteral("12345-06-07 08:09:10.25"), QStringLiteral("294276-12-31 23:59:59.999999"),
        QStringLiteral("infinity"), QStringLiteral("-infinity") };

    SECTION("timestamp (Message DB)")
    {
        PgTestDatabase db(QStringLiteral("raw_times_mdb"), { QStringLiteral("messagedb.sql") });
        REQUIRE(db.ok());
        for (qsizetype i = 0; i < times.size(); ++i) {
            db.sql(messageDbWrite(QStringLiteral("clock-%1").arg(i))
                + QStringLiteral("UPDATE message_store.messages SET time = '%1' WHERE stream_name = 'clock-%2';")
                      .arg(times[i])
                      .arg(i));
        }
        auto store = StoreRegistry::open(db.address());
        CollectingReceiver raw;
        REQUIRE(store->readRaw(everything(), raw));
        CHECK(joined(raw.times)
            == joined(serverTimes(
                db, QStringLiteral("time"), QStringLiteral("message_store.messages ORDER BY global_position"))));
        CHECK(joined(raw.lines) == joined(eventLines(*store)));
    }
    SECTION("timestamptz (Marten)")
    {
        PgTestDatabase db(QStringLiteral("raw_times_marten"), { QStringLiteral("marten_guid.sql") });
        REQUIRE(db.ok());
        db.sql(QStringLiteral(
            "SET TimeZone = 'UTC'; UPDATE mt_events SET timestamp = (ARRAY['%1'])[1 + seq_id % %2]::timestamptz")
                   .arg(times.join(QStringLiteral("','")))
                   .arg(times.size()));
        auto store = StoreRegistry::open(db.address());
        CollectingReceiver raw;
        REQUIRE(store->readRaw(everything(), raw));
        REQUIRE(!raw.times.isEmpty());
        QStringList positions;
        for (const Event& e : readAll(*store))
            positions.append(QString::number(e.position));
        CHECK(joined(raw.times)
            == joined(serverTimes(db, QStringLiteral("timestamp"),
                QStringLiteral("mt_events WHERE seq_id IN (%1) ORDER BY seq_id").arg(positions.join(u',')))));
        CHECK(joined(raw.lines) == joined(eventLines(*store)));
    }
}

TEST_CASE("Raw reads of a column type COPY's binary form is not decoded for fall back to text", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL raw read test")
    // A user's own table mapped with --mapping; its time is a date, which the binary reader does not decode.
    PgTestDatabase db(QStringLiteral("raw_text_copy"));
    REQUIRE(db.ok());
    db.sql(QStringLiteral(
        R"(CREATE TABLE ledger (seq bigint PRIMARY KEY, stream text NOT NULL, ver integer NOT NULL, kind text NOT NULL,
  booked date NOT NULL, ref text, body jsonb, meta jsonb);
INSERT INTO ledger VALUES
  (1, E'o''b\\r-1', 0, 'Booked', '2024-05-01', 'r-1', '{"note": "tab\there, line\nbreak, back\\slash \"q\""}', '{"by": "Zoë"}'),
  (2, E'o''b\\r-1', 1, E'Ty\tpe', '0044-03-15 BC', NULL, '[1, 2.5, null]', NULL),
  (3, 'plain-2', 0, 'Booked', 'infinity', 'r-3', NULL, '{}');)"));
    QTemporaryDir dir;
    const QString mapping = dir.filePath(QStringLiteral("ledger.json"));
    {
        QFile f(mapping);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(R"({"name": "ledger", "title": "Ledger", "engines": ["postgresql"],
  "detect": {"tables": [{"as": "ledger", "names": ["ledger"],
    "columns": ["seq", "stream", "ver", "kind", "booked", "ref", "body", "meta"]}]},
  "events": {"table": "{ledger}", "position": "seq", "stream": "stream", "version": "ver", "firstVersion": 0,
    "type": "kind", "time": "booked", "timeFilter": "timestamp", "id": "ref", "data": "body", "metadata": "meta"},
  "category": {"separator": "-"}})");
    }
    OpenOptions options;
    options.mappingFile = mapping;
    auto store = StoreRegistry::open(db.address(), options);
    const QList<QByteArray> expected = eventLines(*store);
    REQUIRE(expected.size() == 3);
    CollectingReceiver raw;
    REQUIRE(store->readRaw(everything(), raw));
    CHECK(joined(raw.lines) == joined(expected));
    EventFilter f;
    f.stream = QStringLiteral("o'b\\r-1");
    CollectingReceiver stream;
    EventQuery q = everything();
    q.filter = f;
    REQUIRE(store->readRaw(q, stream));
    CHECK(stream.lines.size() == 2);
    CHECK(joined(stream.lines) == joined(eventLines(*store, f)));
}

TEST_CASE("A raw read stopped or interrupted mid-COPY ends the server's COPY", "[export][pg][cancel]")
{
    ES_REQUIRE_PG("PostgreSQL raw read test")
    PgTestDatabase db(QStringLiteral("raw_stop"), { QStringLiteral("messagedb.sql") });
    REQUIRE(db.ok());
    // About 40 MB: far more than the reader queues and the socket holds, so the COPY is still running when stopped.
    db.sql(QStringLiteral("SET search_path TO message_store, public; SELECT write_message(gen_random_uuid()::text, "
                          "'bulk-' || (i % 50), 'Bulk', jsonb_build_object('i', i, 'text', repeat('x', 1000)), NULL) "
                          "FROM generate_series(1, 40000) i"));
    auto store = StoreRegistry::open(db.address());
    auto* pg = dynamic_cast<PgStore*>(store.get());
    REQUIRE(pg);
    auto backendState = [&] {
        QByteArray out;
        REQUIRE(psql(db.address(),
                    { QStringLiteral("-t"), QStringLiteral("-A"), QStringLiteral("-c"),
                        QStringLiteral("SELECT state || ' ' || query FROM pg_stat_activity WHERE pid = %1")
                            .arg(pg->backendPid()) },
                    &out)
            == 0);
        return out.trimmed();
    };

    SECTION("the receiver wants no more")
    {
        CollectingReceiver raw;
        raw.stopAfter = 1000;
        REQUIRE(store->readRaw(everything(), raw));
        CHECK(raw.lines.size() == 1000);
        CHECK(backendState().startsWith("idle"));
    }
    SECTION("interrupt() from outside")
    {
        CollectingReceiver raw;
        raw.onRow = [&](qsizetype n) {
            if (n == 1000)
                store->interrupt();
        };
        try {
            store->readRaw(everything(), raw);
            FAIL("not interrupted");
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::Cancelled);
        }
        CHECK(raw.lines.size() >= 1000);
        CHECK(raw.lines.size() < 40007);
        CHECK(backendState().startsWith("idle"));
    }
    SECTION("the receiver throws")
    {
        CollectingReceiver raw;
        raw.onRow = [](qsizetype n) {
            if (n == 1000)
                throw StoreError(QStringLiteral("disk full"));
        };
        try {
            store->readRaw(everything(), raw);
            FAIL("no error");
        } catch (const StoreError& e) {
            CHECK(e.message() == QStringLiteral("disk full"));
        }
        CHECK(backendState().startsWith("idle"));
    }
    // The connection is usable again, and a whole read still gets every row.
    CollectingReceiver all;
    REQUIRE(store->readRaw(everything(), all));
    CHECK(all.lines.size() == 40007); // with the fixture's own seven
}

TEST_CASE("Export from Message DB round trips every format", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL export test")
    PgTestDatabase db(QStringLiteral("export_mdb"), { QStringLiteral("messagedb.sql") });
    REQUIRE(db.ok());
    db.sql(QStringLiteral(
        R"(SET search_path TO message_store, public;
SELECT write_message('7a6a3c1e-0000-4000-8000-000000000101', 'note-1', 'NoteAdded', '{"note": "say \"hi\", then, leave", "lines": "one\ntwo\r\nthree", "tab": "a\tb"}', '{"correlationStreamName": "order-\"q\",1", "causationMessageGlobalPosition": 3}');
SELECT write_message('7a6a3c1e-0000-4000-8000-000000000102', 'note-1', 'Named', '{"name": "Zoë Ørsted – 名前 🎉", "nested": {"a": [1, 2.5, null, true]}}', '{"correlationStreamName": ""}');
SELECT write_message('7a6a3c1e-0000-4000-8000-000000000103', 'user,"odd"-2', 'Scalar', '"just a string, with \"quotes\""', NULL);
SELECT write_message('7a6a3c1e-0000-4000-8000-000000000104', 'user,"odd"-2', 'Empty', '{}', '{"correlationStreamName": "Zoë-1"}');)"));
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->info().layout == QLatin1String("messagedb"));
    QTemporaryDir dir;

    SECTION("the whole log")
    {
        checkRoundTrips(*store, {}, dir);
    }
    SECTION("one stream, its name bound")
    {
        EventFilter f;
        f.stream = QStringLiteral("user,\"odd\"-2");
        checkRoundTrips(*store, f, dir);
    }
    SECTION("a category and types with quotes")
    {
        EventFilter f;
        f.category = QStringLiteral("note");
        f.types = QStringList { QStringLiteral("Named"), QStringLiteral("x'); DROP TABLE message_store.messages; --") };
        checkRoundTrips(*store, f, dir);
        CHECK(readAll(*store).size() == 11);
    }
}

TEST_CASE("Export from Axon large objects keeps XML, invalid UTF-8 and binary payloads", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL export test")
    PgTestDatabase db(QStringLiteral("export_axon"), { QStringLiteral("axon_jpa.sql") });
    REQUIRE(db.ok());
    // Axon's JacksonSerializer writes JSON payloads and metadata as UTF-8 bytes in large objects.
    db.sql(QStringLiteral(R"(begin;
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-10',
  lo_from_bytea(0, convert_to('{"traceId":"trace-\"10\"","correlationId":"cmd-10","user":"Zoë"}', 'UTF8')),
  lo_from_bytea(0, convert_to(E'{\n  "note": "say \\"hi\\", then, leave",\n  "lines": "one\\ntwo"\n}', 'UTF8')),
  null, 'com.example.Noted', '2024-07-03T10:00:00.125Z', 'note-1', 0, 'Note');
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-11', null,
  lo_from_bytea(0, convert_to(E'<note text="a, \\"b\\"">line one\nline two, 名前</note>', 'UTF8')),
  null, 'com.example.Texty', '2024-07-03T10:00:01Z', 'note-1', 1, 'Note');
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-12',
  lo_from_bytea(0, '\x636166e920fffe'::bytea),
  lo_from_bytea(0, '\x636166e920fffe'::bytea),
  null, 'com.example.Broken', '2024-07-03T10:00:02Z', 'note-1', 2, 'Note');
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-13', null,
  lo_from_bytea(0, '\x0001028368656c6c6f000a0d2c22'::bytea),
  null, 'com.example.Blob', '2024-07-03T10:00:03Z', 'blob-1', 0, 'Blob');
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-14',
  lo_from_bytea(0, convert_to('{"traceId":42}', 'UTF8')),
  lo_from_bytea(0, convert_to('{"big": 1.5e3, "name": "Zoë Ørsted – 名前 🎉"}', 'UTF8')),
  null, 'com.example.Odd', '2024-07-03T10:00:04Z', 'blob-1', 1, 'Blob');
insert into domain_event_entry values (nextval('hibernate_sequence'), 'ev-15', null,
  lo_from_bytea(0, convert_to('  "a scalar"  ', 'UTF8')),
  null, 'com.example.Scalar', '2024-07-03T10:00:05Z', 'blob-1', 2, 'Blob');
commit;)"));
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->info().layout.startsWith(QLatin1String("axon")));
    const EventList all = readAll(*store);
    REQUIRE(all.size() == 9);
    CHECK(all[3].correlationId == QStringLiteral("trace-\"10\""));
    CHECK(all[3].data.encoding == Payload::Encoding::Json);
    CHECK(all[4].data.encoding == Payload::Encoding::Text);
    CHECK(all[5].data.encoding == Payload::Encoding::Base64);
    CHECK(all[6].data.encoding == Payload::Encoding::Base64);
    CHECK(all[7].data.encoding == Payload::Encoding::Json);
    CHECK(all[7].correlationId == QStringLiteral("42"));
    CHECK(all[8].data.encoding == Payload::Encoding::Json);
    QTemporaryDir dir;
    checkRoundTrips(*store, {}, dir);
}

TEST_CASE("A cancelled export from PostgreSQL leaves no file", "[export][pg][cancel]")
{
    ES_REQUIRE_PG("PostgreSQL export test")
    PgTestDatabase db(QStringLiteral("export_cancel"), { QStringLiteral("messagedb.sql") });
    REQUIRE(db.ok());
    db.sql(
        QStringLiteral("SET search_path TO message_store, public; SELECT write_message(gen_random_uuid()::text, "
                       "'bulk-' || (i % 50), 'Bulk', "
                       "jsonb_build_object('i', i, 'text', repeat('x', 100)), NULL) FROM generate_series(1, 12000) i"));
    auto store = StoreRegistry::open(db.address());
    QTemporaryDir dir;
    for (const QString& format : Exporter::formats()) {
        DYNAMIC_SECTION("format " << format.toStdString())
        {
            ExportOptions options;
            options.path = dir.filePath(QStringLiteral("big.") + format);
            options.format = format;
            const CancelledExport cancelled = cancelExportAt(*store, options, dir, 4000);
            CHECK(cancelled.seen >= 4000);
            CHECK(cancelled.seen < 12007);
            CHECK(cancelled.sawTempFile);
            CHECK(filesIn(dir).isEmpty());

            const ExportResult r = Exporter::run(*store, options);
            CHECK(r.events == 12007);
            CHECK(filesIn(dir).size() == 1);
            QFile::remove(options.path);
        }
    }

    ExportOptions options;
    options.path = dir.filePath(QStringLiteral("job.jsonl"));
    StoreSession session(StoreOpener { db.address(), {} });
    {
        ExportJob job(&session, options);
        QSignalSpy cancelled(&job, &ExportJob::cancelled);
        QSignalSpy finished(&job, &ExportJob::finished);
        job.start();
        job.cancel();
        REQUIRE(cancelled.wait(60000));
        CHECK(finished.isEmpty());
    }
    CHECK(filesIn(dir).isEmpty());
}

TEST_CASE("Export of one stream or category by COPY quotes the name it splices in", "[export][pg]")
{
    ES_REQUIRE_PG("PostgreSQL export test")
    PgTestDatabase db(QStringLiteral("export_copy_quote"), { QStringLiteral("messagedb.sql") });
    REQUIRE(db.ok());
    // Names that differ only in quotes and backslashes: a name spliced in unquoted or quoted with the wrong rules
    // matches another stream, or none, or breaks the statement.
    const QStringList streams { QStringLiteral("o'b\\r-1"), QStringLiteral("o''b\\r-1"), QStringLiteral("o'b\\\\r-1"),
        QStringLiteral("o'b\\r-2"), QStringLiteral("o'b\\'r-1"), QStringLiteral("x\\'); SELECT 1; --'-1") };
    for (int i = 0; i < streams.size(); ++i) {
        for (int n = 0; n <= i; ++n) {
            db.sql(QStringLiteral(
                "SET search_path TO message_store, public; SELECT write_message(gen_random_uuid()::text, "
                "$q$%1$q$, 'T%2', '{\"n\": %3, \"s\": \"a\\\\b\\tc\"}', NULL)")
                       .arg(streams[i])
                       .arg(i)
                       .arg(n));
        }
    }
    auto check = [&](const QString& address) {
        auto store = StoreRegistry::open(address);
        QTemporaryDir dir;
        for (int i = 0; i < streams.size(); ++i) {
            EventFilter f;
            f.stream = streams[i];
            const EventList events = readAll(*store, f);
            REQUIRE(events.size() == size_t(i + 1));
            for (const Event& e : events)
                CHECK(e.stream == streams[i]);
            checkRoundTrips(*store, f, dir);
        }
        EventFilter category;
        category.category = QStringLiteral("o'b\\r");
        const EventList events = readAll(*store, category);
        REQUIRE(events.size() == 1 + 4);
        checkRoundTrips(*store, category, dir);

        ExportOptions options;
        options.overwrite = true;
        options.from = events[1].position;
        options.to = events[3].position;
        const QString path = dir.filePath(QStringLiteral("range.jsonl"));
        const QList<QByteArray> lines = [&] {
            exportTo(*store, path, QStringLiteral("jsonl"), options);
            return readFile(path).split('\n');
        }();
        EventList inRange;
        for (const Event& e : readAll(*store)) {
            if (e.position >= options.from && e.position <= options.to)
                inRange.push_back(e);
        }
        REQUIRE(inRange.size() >= 3);
        REQUIRE(lines.size() == qsizetype(inRange.size()) + 1);
        for (size_t i = 0; i < inRange.size(); ++i)
            CHECK(lines[qsizetype(i)] == inRange[i].toJsonLine());
    };
    SECTION("standard conforming strings")
    {
        check(db.address());
    }
    SECTION("backslash escapes in literals")
    {
        db.sql(QStringLiteral("ALTER DATABASE \"%1\" SET standard_conforming_strings = off").arg(db.name()));
        check(db.address());
    }
}
