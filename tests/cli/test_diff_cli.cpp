#include <catch2/catch.hpp>

#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using es::test::execSqlite;
using es::test::runProcess;

// `diff` and `case` as a user runs them, on stores the sample command writes the way Emmett does.

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

struct Run {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList& args)
{
    Run r;
    r.code = runProcess(cli, args, &r.out, &r.err);
    return r;
}

QString makeSample(const QTemporaryDir& dir, const QString& name, int events)
{
    const QString path = dir.filePath(name);
    const Run r = run({ QStringLiteral("sample"), path, QStringLiteral("--events"), QString::number(events) });
    if (r.code != 0)
        FAIL("sample failed: " << r.err.constData());
    return path;
}

std::vector<QJsonObject> lines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        REQUIRE(error.error == QJsonParseError::NoError);
        objects.push_back(doc.object());
    }
    return objects;
}

// The event at `position` as `events --json` prints it.
QJsonObject eventAt(const QString& store, int position)
{
    const Run r = run({ QStringLiteral("events"), store, QStringLiteral("--from"), QString::number(position),
        QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--json") });
    REQUIRE(r.code == 0);
    return lines(r.out).at(0);
}

} // namespace

TEST_CASE("diff prints the changed, removed and added events as JSON Lines and exits with 9", "[cli][diff]")
{
    QTemporaryDir dir;
    const QString a = makeSample(dir, QStringLiteral("a.sqlite"), 3000);
    const QString b = dir.filePath(QStringLiteral("b.sqlite"));
    REQUIRE(QFile::copy(a, b));
    QFile(b).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    const QJsonObject edited = eventAt(a, 100);
    const QJsonObject removed = eventAt(a, 200);
    execSqlite(b,
        QStringLiteral("UPDATE emt_messages SET message_data = json_set(message_data, '$.amount', 999) WHERE "
                       "global_position = 100; DELETE FROM emt_messages WHERE global_position = 200; "
                       "INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
                       "message_metadata, message_schema_version, message_type, message_id, is_archived) VALUES "
                       "('audit-1', 1, 'emt:default', 'E', '{\"ok\":true}', '{}', '0', 'Audited', 'new-id-1', 0);"));

    const Run r = run({ QStringLiteral("diff"), a, b, QStringLiteral("--json") });
    INFO(r.err.constData());
    CHECK(r.code == 9);
    const std::vector<QJsonObject> changes = lines(r.out);
    REQUIRE(changes.size() == 3);
    const QJsonObject& changed = changes[0];
    CHECK(changed[QStringLiteral("change")].toString() == QLatin1String("changed"));
    CHECK(changed[QStringLiteral("stream")] == edited[QStringLiteral("stream")]);
    CHECK(changed[QStringLiteral("version")] == edited[QStringLiteral("version")]);
    CHECK(changed[QStringLiteral("id")] == edited[QStringLiteral("id")]);
    CHECK(changed[QStringLiteral("paths")].toArray() == QJsonArray { QStringLiteral("data.amount") });
    CHECK(changed[QStringLiteral("a")].toObject() == edited);
    CHECK(changed[QStringLiteral("b")].toObject() == eventAt(b, 100));
    const QJsonObject& added = changes[1];
    CHECK(added[QStringLiteral("change")].toString() == QLatin1String("added"));
    CHECK(added[QStringLiteral("stream")].toString() == QLatin1String("audit-1"));
    CHECK(added[QStringLiteral("id")].toString() == QLatin1String("new-id-1"));
    CHECK(added[QStringLiteral("a")].isNull());
    const QJsonObject& gone = changes[2];
    CHECK(gone[QStringLiteral("change")].toString() == QLatin1String("removed"));
    CHECK(gone[QStringLiteral("a")].toObject() == removed);
    CHECK(gone[QStringLiteral("b")].isNull());
    CHECK(r.err.contains("3000 events in A, 3000 in B (paired by id): 2998 unchanged, 1 changed, 1 removed, 1 added"));

    SECTION("no differences: exit 0 and no output")
    {
        const Run same = run({ QStringLiteral("diff"), a, a, QStringLiteral("--json") });
        CHECK(same.code == 0);
        CHECK(same.out.isEmpty());
    }
    SECTION("one stream, by stream and version")
    {
        const Run one = run(
            { QStringLiteral("diff"), a, b, QStringLiteral("--stream"), edited[QStringLiteral("stream")].toString(),
                QStringLiteral("--match"), QStringLiteral("stream"), QStringLiteral("--json") });
        CHECK(one.code == 9);
        const std::vector<QJsonObject> only = lines(one.out);
        REQUIRE(only.size() == 1);
        CHECK(only[0][QStringLiteral("change")].toString() == QLatin1String("changed"));
        CHECK(one.err.contains("paired by stream and version"));
    }
    SECTION("two streams of one store, by version")
    {
        const QString stream = edited[QStringLiteral("stream")].toString();
        const QString other = removed[QStringLiteral("stream")].toString();
        REQUIRE(stream != other);
        const Run self = run({ QStringLiteral("diff"), a, a, QStringLiteral("--stream"), stream,
            QStringLiteral("--stream-b"), stream, QStringLiteral("--json") });
        CHECK(self.code == 0);
        CHECK(self.err.contains("paired by version"));
        const Run two = run({ QStringLiteral("diff"), a, a, QStringLiteral("--stream"), stream,
            QStringLiteral("--stream-b"), other, QStringLiteral("--json") });
        CHECK(two.code == 9);
        const std::vector<QJsonObject> changes = lines(two.out);
        REQUIRE_FALSE(changes.empty());
        for (const QJsonObject& c : changes) {
            // Ids, names and positions of the other stream's events are never reported as differences.
            for (const QJsonValue& path : c[QStringLiteral("paths")].toArray())
                CHECK_FALSE(QStringList({ QStringLiteral("id"), QStringLiteral("stream") }).contains(path.toString()));
        }
        CHECK(run({ QStringLiteral("diff"), a, a, QStringLiteral("--stream-b"), other }).code == 2);
    }
    SECTION("usage errors and a missing store")
    {
        CHECK(run({ QStringLiteral("diff"), a }).code == 2);
        CHECK(run({ QStringLiteral("diff"), a, b, QStringLiteral("--stream"), QStringLiteral("x"),
                      QStringLiteral("--category"), QStringLiteral("y") })
                  .code
            == 2);
        const Run missing = run({ QStringLiteral("diff"), a, dir.filePath(QStringLiteral("nope.sqlite")) });
        CHECK(missing.code == 3);
        CHECK(missing.err.contains("The second store"));
    }
}

TEST_CASE("case writes a case file that opens as a store and keeps its bookmarks", "[cli][casefile]")
{
    QTemporaryDir dir;
    const QString store = makeSample(dir, QStringLiteral("store.sqlite"), 2000);
    const QString out = dir.filePath(QStringLiteral("case.sqlite"));
    const QJsonObject marked = eventAt(store, 42);
    const Run r = run({ QStringLiteral("case"), store, QStringLiteral("--out"), out, QStringLiteral("--category"),
        QStringLiteral("order"), QStringLiteral("--redact"), QStringLiteral("metadata.userId"),
        QStringLiteral("--bookmark"), QStringLiteral("42=the odd one"), QStringLiteral("--title"),
        QStringLiteral("Orders") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);

    const Run info = run({ QStringLiteral("info"), out });
    REQUIRE(info.code == 0);
    CHECK(QJsonDocument::fromJson(info.out).object()[QStringLiteral("layout")].toString()
        == QLatin1String("eventscope-case"));
    const Run orders = run({ QStringLiteral("events"), store, QStringLiteral("--category"), QStringLiteral("order"),
        QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    const Run kept = run(
        { QStringLiteral("events"), out, QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    const std::vector<QJsonObject> original = lines(orders.out);
    const std::vector<QJsonObject> back = lines(kept.out);
    REQUIRE(back.size() == original.size());
    REQUIRE(!back.empty());
    for (size_t i = 0; i < back.size(); ++i) {
        QJsonObject expected = original[i];
        QJsonObject meta = expected[QStringLiteral("metadata")].toObject();
        const QJsonObject got = back[i][QStringLiteral("metadata")].toObject();
        if (meta.contains(QStringLiteral("userId"))) {
            CHECK(got[QStringLiteral("userId")].toString().startsWith(QLatin1String("hmac:")));
            meta[QStringLiteral("userId")] = got[QStringLiteral("userId")];
        }
        expected[QStringLiteral("metadata")] = meta;
        CHECK(back[i] == expected);
    }
    // The bookmark, read with the sqlite3 shell as the documented layout says.
    QByteArray places;
    REQUIRE(runProcess(QStringLiteral("sqlite3"),
                { out, QStringLiteral("SELECT kind, position, stream, version, note FROM es_case_places") }, &places)
        == 0);
    CHECK(places.trimmed()
        == QStringLiteral("event|42|%1|%2|the odd one")
               .arg(marked[QStringLiteral("stream")].toString())
               .arg(marked[QStringLiteral("version")].toInt())
               .toUtf8());
    CHECK(run({ QStringLiteral("case"), store, QStringLiteral("--out"), out }).code == 3); // exists
    CHECK(run({ QStringLiteral("case"), store, QStringLiteral("--out"), store, QStringLiteral("--force") }).code == 3);
}
