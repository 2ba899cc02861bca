#include "test_export_support.h"
#include "test_layout_support.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include "export/exporter.h"
#include "export/exportjob.h"
#include "samplewriter.h"
#include "store/storeregistry.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimeZone>

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/resource.h>

using namespace es;
using namespace es::test;

namespace {

using Msg = EmmettWriter::Message;

// Payloads that break naive exporters, written the way emmett-sqlite writes them.
QString trickyStore(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("tricky.sqlite"));
    EmmettWriter w(path);
    Msg quoted { QStringLiteral("NoteAdded"),
        R"({"note":"say \"hi\", then, leave","lines":"one\ntwo\r\nthree","email":"alice@example.com"})" };
    quoted.created = QStringLiteral("2024-05-01 10:00:00");
    Msg pretty { QStringLiteral("Pretty"), "{\n  \"a\": [1, 2,\n 3],\n  \"b\": {\"c\": null}\n}" };
    pretty.created = QStringLiteral("2024-05-01 10:00:01.250");
    Msg unicode { QStringLiteral("Named"),
        QStringLiteral(R"({"name":"Zoë Ørsted – 名前 🎉","email":"bob@example.com"})").toUtf8(),
        { { QStringLiteral("userId"), QStringLiteral("u-7") } } };
    Msg text { QStringLiteral("Texty"), "plain text, with \"quotes\"\nand a second line" };
    Msg invalidUtf8 { QStringLiteral("Broken"), QByteArray("caf\xe9 \xff\xfe", 7) };
    invalidUtf8.rawBytes = true;
    Msg binary { QStringLiteral("Blob"), QByteArray("\x00\x01\x02\x83hello\x00", 10) };
    binary.rawBytes = true;
    Msg again { QStringLiteral("NoteAdded"), R"({"email":"alice@example.com","n":2})",
        { { QStringLiteral("userId"), QStringLiteral("u-7") } } };
    w.append(QStringLiteral("note-1"), { quoted, pretty }, QStringLiteral("corr-1"), QStringLiteral("cause-1"));
    w.append(QStringLiteral("user,\"odd\"-2"), { unicode, text });
    w.append(QStringLiteral("note-1"), { invalidUtf8, binary, again }, QStringLiteral("corr-2"));
    return path;
}

} // namespace

TEST_CASE("Export round trips every format with awkward payloads", "[export]")
{
    QTemporaryDir dir;
    const QString storePath = trickyStore(dir);
    auto store = StoreRegistry::open(storePath);
    const EventList events = readAll(*store);
    REQUIRE(events.size() == 7);
    REQUIRE(events[3].data.encoding == Payload::Encoding::Text);
    REQUIRE(events[4].data.encoding == Payload::Encoding::Base64);
    REQUIRE(events[5].data.encoding == Payload::Encoding::Base64);

    SECTION("JSON Lines is byte for byte the events --json shape")
    {
        const QString out = dir.filePath(QStringLiteral("out.jsonl"));
        const ExportResult r = exportTo(*store, out, QStringLiteral("jsonl"));
        CHECK(r.events == 7);
        const QList<QByteArray> lines = readFile(out).split('\n');
        REQUIRE(lines.size() == 8);
        CHECK(lines.back().isEmpty());
        for (size_t i = 0; i < events.size(); ++i) {
            CHECK(lines[qsizetype(i)] == events[i].toJsonLine());
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(lines[qsizetype(i)], &error);
            INFO(lines[qsizetype(i)].toStdString());
            REQUIRE(error.error == QJsonParseError::NoError);
            CHECK(doc.object() == events[i].toJson());
        }
        const QJsonObject blob = QJsonDocument::fromJson(lines[5]).object();
        CHECK(QByteArray::fromBase64(blob.value(QStringLiteral("data")).toString().toLatin1())
            == QByteArray("\x00\x01\x02\x83hello\x00", 10));
        CHECK(blob.value(QStringLiteral("encoding")).toObject().value(QStringLiteral("data")).toString()
            == QLatin1String("base64"));
        CHECK(QJsonDocument::fromJson(lines[2])
                  .object()
                  .value(QStringLiteral("data"))
                  .toObject()
                  .value(QStringLiteral("name"))
            == QStringLiteral("Zoë Ørsted – 名前 🎉"));
    }

    SECTION("JSON is an array of the same objects")
    {
        const QString out = dir.filePath(QStringLiteral("out.json"));
        exportTo(*store, out, QStringLiteral("json"));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(readFile(out), &error);
        REQUIRE(error.error == QJsonParseError::NoError);
        const QJsonArray array = doc.array();
        REQUIRE(array.size() == 7);
        for (size_t i = 0; i < events.size(); ++i)
            CHECK(array.at(qsizetype(i)).toObject() == events[i].toJson());
    }

    SECTION("CSV is RFC 4180 with JSON text cells")
    {
        const QString out = dir.filePath(QStringLiteral("out.csv"));
        exportTo(*store, out, QStringLiteral("csv"));
        const std::vector<QStringList> rows = parseCsv(readFile(out));
        REQUIRE(rows.size() == 8);
        CHECK(rows[0].join(u',')
            == QLatin1String("position,stream,version,type,time,id,data,metadata,correlationId,causationId,encoding"));
        for (size_t i = 0; i < events.size(); ++i)
            checkCsvRow(rows[i + 1], events[i]);
        CHECK(rows[2][4] == QLatin1String("2024-05-01T10:00:01.250Z"));
    }

    SECTION("sqlite is an Emmett store with the same events, positions and versions")
    {
        const QString out = dir.filePath(QStringLiteral("out.sqlite"));
        exportTo(*store, out, QStringLiteral("sqlite"));
        auto copy = StoreRegistry::open(out);
        const StoreInfo info = copy->info();
        CHECK(info.layout == QLatin1String("emmett"));
        CHECK(info.headPosition == store->info().headPosition);
        const EventList back = readAll(*copy);
        REQUIRE(back.size() == events.size());
        for (size_t i = 0; i < events.size(); ++i) {
            CHECK(back[i].position == events[i].position);
            CHECK(back[i].version == events[i].version);
            CHECK(back[i].data.encoding == events[i].data.encoding);
            CHECK(back[i].data.bytes == events[i].data.bytes);
            CHECK(back[i].metadata.bytes == events[i].metadata.bytes);
            CHECK(back[i].toJsonLine() == events[i].toJsonLine());
        }
        const auto stream = copy->stream(QStringLiteral("note-1"));
        REQUIRE(stream);
        CHECK(stream->version == 5);
        EventFilter odd;
        odd.stream = QStringLiteral("user,\"odd\"-2");
        CHECK(readAll(*copy, odd).size() == 2);
    }
    CHECK(filesIn(dir).filter(QStringLiteral("partial")).isEmpty());
}

TEST_CASE("Export selects by stream, category, type, time, position and explicit keys", "[export]")
{
    QTemporaryDir dir;
    auto store = StoreRegistry::open(trickyStore(dir));
    auto lines = [&](ExportOptions options) {
        const QString out = dir.filePath(QStringLiteral("sel.jsonl"));
        options.overwrite = true;
        exportTo(*store, out, QStringLiteral("jsonl"), options);
        QList<qint64> positions;
        for (const QByteArray& line : readFile(out).split('\n')) {
            if (!line.isEmpty())
                positions.append(QJsonDocument::fromJson(line).object().value(QStringLiteral("position")).toInteger());
        }
        return positions;
    };
    ExportOptions o;
    o.filter.stream = QStringLiteral("note-1");
    CHECK(lines(o) == QList<qint64> { 1, 2, 5, 6, 7 });
    o.from = 2; // a version within the stream
    o.to = 4;
    CHECK(lines(o) == QList<qint64> { 2, 5, 6 });
    o = {};
    o.filter.category = QStringLiteral("user,\"odd\"");
    CHECK(lines(o) == QList<qint64> { 3, 4 });
    o = {};
    o.filter.types = QStringList { QStringLiteral("NoteAdded"), QStringLiteral("Blob") };
    CHECK(lines(o) == QList<qint64> { 1, 6, 7 });
    o = {};
    o.filter.fromTime = QDateTime(QDate(2024, 5, 1), QTime(10, 0, 1), QTimeZone::utc());
    o.filter.toTime = QDateTime(QDate(2024, 5, 1), QTime(10, 0, 2), QTimeZone::utc());
    CHECK(lines(o) == QList<qint64> { 2 });
    o = {};
    o.from = 3;
    o.to = 5;
    CHECK(lines(o) == QList<qint64> { 3, 4, 5 });
    o = {};
    o.keys = { 6, 2, 4 };
    CHECK(lines(o) == QList<qint64> { 2, 4, 6 });
}

TEST_CASE("Export refuses an existing file unless told, and never the store itself", "[export]")
{
    QTemporaryDir dir;
    const QString storePath = trickyStore(dir);
    auto store = StoreRegistry::open(storePath);
    const QString out = dir.filePath(QStringLiteral("exists.csv"));
    {
        QFile f(out);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    for (const QString& format : Exporter::formats()) {
        try {
            exportTo(*store, out, format);
            FAIL("an existing file was overwritten");
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::BadAddress);
        }
        CHECK(readFile(out) == "keep me");
    }
    ExportOptions force;
    force.overwrite = true;
    CHECK(exportTo(*store, out, QStringLiteral("csv"), force).events == 7);
    CHECK(readFile(out).startsWith("position,"));

    const QByteArray before = fileDigest(storePath);
    CHECK_THROWS_AS(exportTo(*store, storePath, QStringLiteral("sqlite"), force), StoreError);
    CHECK(fileDigest(storePath) == before);
    CHECK_THROWS_AS(
        exportTo(*store, dir.filePath(QStringLiteral("no/such/folder.jsonl")), QStringLiteral("jsonl")), StoreError);
    CHECK_THROWS_AS(exportTo(*store, dir.filePath(QStringLiteral("x.txt")), QStringLiteral("xml")), StoreError);
    CHECK(filesIn(dir) == QStringList { QStringLiteral("exists.csv"), QStringLiteral("tricky.sqlite") });
}

TEST_CASE("A cancelled or failed export leaves no file", "[export][cancel]")
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("sample.sqlite"));
    SampleOptions sample;
    sample.events = 20000;
    writeSampleStore(storePath, sample);
    auto store = StoreRegistry::open(storePath);

    for (const QString& format : Exporter::formats()) {
        DYNAMIC_SECTION("format " << format.toStdString())
        {
            const QString out = dir.filePath(QStringLiteral("big.") + format);
            ExportOptions options;
            options.path = out;
            options.format = format;
            const CancelledExport cancelled = cancelExportAt(*store, options, dir, 8000, 1);
            CHECK(cancelled.seen >= 8000);
            CHECK(cancelled.sawTempFile);
            CHECK(filesIn(dir) == QStringList { QStringLiteral("sample.sqlite") });

            std::atomic<bool> stop { false };
            try {
                Exporter::run(
                    *store, options,
                    [&](const ExportProgress& p) {
                        if (p.events > 0)
                            stop = true;
                        return true;
                    },
                    &stop);
                FAIL("not cancelled");
            } catch (const StoreError& e) {
                CHECK(e.kind() == StoreError::Kind::Cancelled);
            }
            CHECK(filesIn(dir) == QStringList { QStringLiteral("sample.sqlite") });

            // A failure mid-way (here thrown from the progress callback) leaves nothing either.
            try {
                Exporter::run(*store, options, [&](const ExportProgress& p) -> bool {
                    if (p.events > 0)
                        throw StoreError(QStringLiteral("disk full"));
                    return true;
                });
                FAIL("the failure went unnoticed");
            } catch (const StoreError& e) {
                CHECK(e.message() == QLatin1String("disk full"));
            }
            CHECK(filesIn(dir) == QStringList { QStringLiteral("sample.sqlite") });

            ExportProgress last;
            const ExportResult r = Exporter::run(*store, options, [&](const ExportProgress& p) {
                last = p;
                return true;
            });
            CHECK(r.events == 20000);
            CHECK(last.fraction == 1.0);
            CHECK(filesIn(dir).size() == 2);
        }
    }
}

TEST_CASE("A disk that fills up ends the export with an i/o error and leaves no file", "[export][io]")
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("sample.sqlite"));
    SampleOptions sample;
    sample.events = 20000;
    writeSampleStore(storePath, sample);
    auto store = StoreRegistry::open(storePath);

    // A file size limit makes write() fail the way a full disk does (EFBIG instead of ENOSPC), in any folder and
    // without privileges; SIGXFSZ is ignored so the call returns the error instead of ending the process.
    struct rlimit saved { };
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    struct Restore {
        rlimit limit;
        void (*handler)(int);
        ~Restore()
        {
            setrlimit(RLIMIT_FSIZE, &limit);
            std::signal(SIGXFSZ, handler);
        }
    } restore { saved, oldHandler };

    for (const QString& format : Exporter::formats()) {
        DYNAMIC_SECTION("format " << format.toStdString())
        {
            ExportOptions options;
            options.path = dir.filePath(QStringLiteral("out.") + format);
            options.format = format;
            struct rlimit small = saved;
            small.rlim_cur = 300 * 1024; // the store is written; the export needs several MB
            REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
            try {
                Exporter::run(*store, options, {});
                FAIL("the full disk went unnoticed");
            } catch (const StoreError& e) {
                INFO(e.message().toStdString());
                CHECK(e.kind() == StoreError::Kind::Io);
                if (format == QLatin1String("sqlite")) {
                    // SQLITE_FULL ("database or disk is full") or, past the file size limit, SQLITE_IOERR.
                    CHECK((e.message().contains(QStringLiteral("full"))
                        || e.message().contains(QStringLiteral("disk I/O error"))));
                } else {
                    CHECK(e.message().contains(QStringLiteral("Cannot write")));
                    CHECK(e.message().contains(QStringLiteral("too large"))); // strerror(EFBIG): "File too large"
                }
            }
            REQUIRE(setrlimit(RLIMIT_FSIZE, &saved) == 0);
            CHECK(filesIn(dir) == QStringList { QStringLiteral("sample.sqlite") });
            // With room again the same export succeeds.
            CHECK(Exporter::run(*store, options, {}).events == 20000);
        }
    }
}

TEST_CASE("Redaction replaces fields with a keyed token and leaves no trace of them", "[export][redact]")
{
    QTemporaryDir dir;
    auto store = StoreRegistry::open(trickyStore(dir));
    ExportOptions options;
    options.redact = QStringList { QStringLiteral("data.email"), QStringLiteral("metadata.userId"),
        QStringLiteral("metadata.correlationId"), QStringLiteral("data.b.c") };
    options.redactKey = QByteArray("a key shared by two exports on purpose");
    Redactor tokens = *Redactor::parse({});
    tokens.setKey(options.redactKey);
    const QString out = dir.filePath(QStringLiteral("redacted.jsonl"));
    const ExportResult r = exportTo(*store, out, QStringLiteral("jsonl"), options);
    CHECK(r.events == 7);
    CHECK(r.redactedEvents == 7); // the text and binary payloads are replaced whole by default
    const QByteArray bytes = readFile(out);
    for (const char* secret : { "alice@example.com", "bob@example.com", "u-7", "corr-1", "corr-2", "plain text" })
        CHECK_FALSE(bytes.contains(secret));
    CHECK(bytes.contains("cause-1"));

    const QString alice = tokens.token("\"alice@example.com\"");
    CHECK(alice.startsWith(QLatin1String("hmac:")));
    CHECK(alice.size() == 5 + 32);
    QList<QJsonObject> objects;
    for (const QByteArray& line : bytes.split('\n')) {
        if (!line.isEmpty())
            objects.append(QJsonDocument::fromJson(line).object());
    }
    REQUIRE(objects.size() == 7);
    auto data = [&](int i) { return objects[i].value(QStringLiteral("data")).toObject(); };
    CHECK(data(0).value(QStringLiteral("email")).toString() == alice);
    CHECK(data(6).value(QStringLiteral("email")).toString() == alice);
    CHECK(data(0).value(QStringLiteral("note")).toString() == QLatin1String("say \"hi\", then, leave"));
    CHECK(data(1).value(QStringLiteral("b")).toObject().value(QStringLiteral("c")).toString() == tokens.token("null"));
    CHECK(data(2).value(QStringLiteral("email")).toString() == tokens.token("\"bob@example.com\""));
    const QString corr1 = tokens.token("\"corr-1\"");
    CHECK(objects[0].value(QStringLiteral("correlationId")).toString() == corr1);
    CHECK(objects[0].value(QStringLiteral("metadata")).toObject().value(QStringLiteral("correlationId")).toString()
        == corr1);
    CHECK(objects[6].value(QStringLiteral("metadata")).toObject().value(QStringLiteral("userId")).toString()
        == tokens.token("\"u-7\""));
    CHECK(objects[3].value(QStringLiteral("data")).toString().startsWith(QLatin1String("hmac:")));

    // The same key gives the same bytes (joins across exports on purpose) ...
    const QString again = dir.filePath(QStringLiteral("again.jsonl"));
    exportTo(*store, again, QStringLiteral("jsonl"), options);
    CHECK(readFile(again) == bytes);
    // ... and without one each export has a fresh key: no token repeats across exports.
    options.redactKey.clear();
    const QString fresh1 = dir.filePath(QStringLiteral("fresh1.jsonl"));
    const QString fresh2 = dir.filePath(QStringLiteral("fresh2.jsonl"));
    exportTo(*store, fresh1, QStringLiteral("jsonl"), options);
    exportTo(*store, fresh2, QStringLiteral("jsonl"), options);
    const QByteArray one = readFile(fresh1);
    const QByteArray two = readFile(fresh2);
    CHECK_FALSE(one.contains(alice.toUtf8()));
    const qsizetype at = one.indexOf("hmac:");
    REQUIRE(at >= 0);
    CHECK(one.count(one.mid(at, 37)) >= 1);
    CHECK_FALSE(two.contains(one.mid(at, 37)));

    QString error;
    CHECK_FALSE(Redactor::parse({ QStringLiteral("email") }, &error));
    CHECK_FALSE(error.isEmpty());
    CHECK_FALSE(Redactor::parse({ QStringLiteral("data.") }, &error));
}

TEST_CASE("Redaction finds keys however the JSON spells them, and says what it does with non-JSON payloads",
    "[export][redact]")
{
    Redactor redactor = *Redactor::parse({ QStringLiteral("data.email"), QStringLiteral("data.a/b") });
    auto event = [](QByteArray data) {
        Event e;
        e.position = 9;
        e.data = Payload::json(std::move(data));
        return e;
    };
    // Python's ensure_ascii and PHP's escaped slash spell the same keys differently in the raw bytes.
    for (const QByteArray& spelling : { QByteArray(R"({"em\u0061il":"x@example.com"})"),
             QByteArray(R"({"\u0065mail":"x@example.com"})"), QByteArray(R"({"a\/b":"x@example.com"})") }) {
        Event e = event(spelling);
        INFO(spelling.constData());
        CHECK(redactor.apply(e));
        CHECK_FALSE(e.data.bytes.contains("x@example.com"));
    }
    Event untouched = event(R"({"name":"n"})");
    CHECK_FALSE(redactor.apply(untouched));

    Event xml;
    xml.position = 3;
    xml.data = Payload::text("<user><email>x@example.com</email></user>");
    Event keep = xml;
    redactor.setNonJson(Redactor::NonJson::Keep);
    CHECK_FALSE(redactor.apply(keep));
    CHECK(keep.data.bytes.contains("x@example.com"));
    redactor.setNonJson(Redactor::NonJson::Refuse);
    Event refused = xml;
    try {
        redactor.apply(refused);
        FAIL("a non-JSON payload passed under Refuse");
    } catch (const StoreError& e) {
        CHECK(e.message().contains(QLatin1String("not JSON")));
        CHECK(e.message().contains(QLatin1String("3")));
    }
    redactor.setNonJson(Redactor::NonJson::Redact);
    Event whole = xml;
    CHECK(redactor.apply(whole));
    CHECK_FALSE(whole.data.bytes.contains("x@example.com"));
    CHECK(whole.data.isJson());
}

TEST_CASE("CSV cells that a spreadsheet would run as formulas are neutralised unless asked", "[export][csv]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("formulas.sqlite"));
    {
        EmmettWriter w(path);
        Msg sum { QStringLiteral("=HYPERLINK(\"http://x\",\"y\")"), R"({"n":1})" };
        Msg plus { QStringLiteral("+1+1"), R"({"n":2})" };
        Msg at { QStringLiteral("@SUM(A1)"), R"({"n":3})" };
        Msg minus { QStringLiteral("-2+3"), R"({"n":4})" };
        Msg fine { QStringLiteral("Plain"), R"({"n":5})" };
        w.append(QStringLiteral("\tstream-1"), { sum, plus, at, minus, fine });
    }
    auto store = StoreRegistry::open(path);
    const QString safe = dir.filePath(QStringLiteral("safe.csv"));
    exportTo(*store, safe, QStringLiteral("csv"));
    const QByteArray bytes = readFile(safe);
    CHECK(bytes.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
    CHECK(bytes.contains(",\"'+1+1\","));
    CHECK(bytes.contains(",\"'@SUM(A1)\","));
    CHECK(bytes.contains(",\"'-2+3\","));
    CHECK(bytes.contains(",\"'\tstream-1\","));
    CHECK(bytes.contains(",Plain,"));
    for (const QByteArray& line : bytes.split('\n')) {
        for (const QByteArray& cell : line.split(','))
            CHECK_FALSE((cell.startsWith('=') || cell.startsWith('+') || cell.startsWith('@')));
    }

    ExportOptions raw;
    raw.csvKeepFormulas = true;
    const QString kept = dir.filePath(QStringLiteral("kept.csv"));
    exportTo(*store, kept, QStringLiteral("csv"), raw);
    CHECK(readFile(kept).contains(",+1+1,"));
}

TEST_CASE("Export never writes to the store's own file or its companions, even with --force", "[export]")
{
    QTemporaryDir dir;
    const QString path = trickyStore(dir);
    auto store = StoreRegistry::open(path);
    for (const QString& suffix :
        { QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal") }) {
        ExportOptions options;
        options.overwrite = true;
        options.format = QStringLiteral("jsonl");
        options.path = path + suffix;
        INFO(options.path.toStdString());
        try {
            Exporter::run(*store, options);
            FAIL("exported onto the store's own file");
        } catch (const StoreError& e) {
            CHECK(e.kind() == StoreError::Kind::BadAddress);
            CHECK(e.message().contains(QLatin1String("belongs to the store")));
        }
    }
    CHECK(readAll(*store).size() == 7);
}

TEST_CASE("ExportJob runs off the calling thread and reports back on it", "[export][job]")
{
    QTemporaryDir dir;
    const QString storePath = dir.filePath(QStringLiteral("sample.sqlite"));
    SampleOptions sample;
    sample.events = 20000;
    writeSampleStore(storePath, sample);

    ExportOptions options;
    options.path = dir.filePath(QStringLiteral("job.csv"));
    options.format = QStringLiteral("csv");
    StoreSession session(StoreOpener { storePath, {} });
    {
        ExportJob job(&session, options);
        QSignalSpy finished(&job, &ExportJob::finished);
        QSignalSpy failed(&job, &ExportJob::failed);
        job.start();
        CHECK(job.isRunning());
        REQUIRE(finished.wait(60000));
        CHECK(failed.isEmpty());
        CHECK(finished.first().first().value<ExportResult>().events == 20000);
        CHECK_FALSE(job.isRunning());
    }
    CHECK(QFileInfo::exists(options.path));

    options.path = dir.filePath(QStringLiteral("cancelled.csv"));
    {
        ExportJob job(&session, options);
        QSignalSpy cancelled(&job, &ExportJob::cancelled);
        QSignalSpy finished(&job, &ExportJob::finished);
        job.start();
        job.cancel();
        REQUIRE(cancelled.wait(60000));
        CHECK(finished.isEmpty());
    }
    CHECK(filesIn(dir) == QStringList { QStringLiteral("job.csv"), QStringLiteral("sample.sqlite") });

    options.path = dir.filePath(QStringLiteral("job.csv")); // exists
    ExportJob refused(&session, options);
    QSignalSpy failed(&refused, &ExportJob::failed);
    refused.start();
    REQUIRE(failed.wait(60000));
    CHECK(failed.first().first().value<Failure>().message.contains(QLatin1String("already exists")));
}
