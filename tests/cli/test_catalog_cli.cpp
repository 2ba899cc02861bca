#include <catch2/catch.hpp>

#include "core/test_sqlite_support.h"
#include "testutils.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* s : items)
        out.append(QString::fromUtf8(s));
    return out;
}

const QString cli = QStringLiteral(ES_CLI_PATH);

// Registrations in two shapes (name until position 3, firstName from 4), data.zip a number until 4 and a string
// from 5, one e-mail address in two streams, and a ping that stops at 2.
void writeStore(const QString& path)
{
    using M = EmmettWriter::Message;
    EmmettWriter w(path);
    w.append(QStringLiteral("customer-1"),
        { M { QStringLiteral("Registered"), R"({"name":"A","email":"a@x.io","zip":1001})", {},
            QStringLiteral("2024-05-01 10:00:00") } });
    w.append(QStringLiteral("ping-1"), { M { QStringLiteral("Pinged"), R"({"n":1})" } });
    w.append(QStringLiteral("customer-2"),
        { M { QStringLiteral("Registered"), R"({"name":"B","email":"same@x.io","zip":1002})" } });
    w.append(QStringLiteral("customer-3"),
        { M { QStringLiteral("Registered"), R"({"firstName":"C","email":"c@x.io","zip":1003})" } });
    w.append(QStringLiteral("customer-4"),
        { M { QStringLiteral("Registered"), R"({"firstName":"D","email":"same@x.io","zip":"1004"})", {},
            QStringLiteral("2024-05-01 10:00:09") } });
    for (int i = 0; i < 6; ++i)
        w.append(QStringLiteral("customer-%1").arg(i % 4 + 1), { M { QStringLiteral("Moved"), R"({"city":"Oslo"})" } });
}

std::vector<QJsonObject> jsonLines(const QByteArray& out)
{
    std::vector<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        INFO(line.toStdString());
        REQUIRE(error.error == QJsonParseError::NoError);
        objects.push_back(doc.object());
    }
    return objects;
}

QStringList sortedKeys(const QJsonObject& o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

} // namespace

TEST_CASE("cli types: one JSON line per type with exactly the documented keys", "[cli][catalog]")
{
    QTemporaryDir dir;
    const QString store = tempPath(dir, QStringLiteral("types.sqlite"));
    writeStore(store);
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli, { QStringLiteral("types"), store, QStringLiteral("--exact"), QStringLiteral("--json") },
                &out, &err)
        == 0);
    const std::vector<QJsonObject> lines = jsonLines(out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].value(QLatin1String("type")).toString() == QLatin1String("Moved"));
    CHECK(lines[1].value(QLatin1String("type")).toString() == QLatin1String("Pinged"));
    const QJsonObject reg = lines[2];
    CHECK(sortedKeys(reg)
        == qsl({ "count", "fields", "firstPosition", "firstTime", "lastPosition", "lastTime", "payloads", "sampled",
            "shapes", "streams", "type" }));
    CHECK(reg.value(QLatin1String("type")).toString() == QLatin1String("Registered"));
    CHECK(reg.value(QLatin1String("count")).toInt() == 4);
    CHECK(reg.value(QLatin1String("streams")).toInt() == 4);
    CHECK(reg.value(QLatin1String("firstPosition")).toInt() == 1);
    CHECK(reg.value(QLatin1String("lastPosition")).toInt() == 5);
    CHECK(reg.value(QLatin1String("firstTime")).toString() == QLatin1String("2024-05-01T10:00:00.000Z"));
    CHECK(reg.value(QLatin1String("lastTime")).toString().startsWith(QLatin1String("20")));
    CHECK(reg.value(QLatin1String("sampled")).toBool() == false);
    const QJsonArray shapes = reg.value(QLatin1String("shapes")).toArray();
    REQUIRE(shapes.size() == 2);
    const QJsonObject v1 = shapes[0].toObject();
    CHECK(sortedKeys(v1) == qsl({ "count", "fields", "firstPosition", "lastPosition" }));
    CHECK(v1.value(QLatin1String("fields")).toArray() == QJsonArray::fromStringList(qsl({ "email", "name", "zip" })));
    CHECK(v1.value(QLatin1String("count")).toInt() == 2);
    CHECK(v1.value(QLatin1String("firstPosition")).toInt() == 1);
    CHECK(v1.value(QLatin1String("lastPosition")).toInt() == 3);
    CHECK(shapes[1].toObject().value(QLatin1String("fields")).toArray()
        == QJsonArray::fromStringList(qsl({ "email", "firstName", "zip" })));
    CHECK(shapes[1].toObject().value(QLatin1String("firstPosition")).toInt() == 4);
    QJsonObject zip;
    for (const QJsonValue& f : reg.value(QLatin1String("fields")).toArray()) {
        if (f.toObject().value(QLatin1String("path")).toString() == QLatin1String("data.zip"))
            zip = f.toObject();
    }
    REQUIRE_FALSE(zip.isEmpty());
    CHECK(sortedKeys(zip) == qsl({ "count", "path", "types" }));
    CHECK(zip.value(QLatin1String("count")).toInt() == 4);
    const QJsonObject types = zip.value(QLatin1String("types")).toObject();
    CHECK(types.keys() == qsl({ "number", "string" }));
    const QJsonObject number = types.value(QLatin1String("number")).toObject();
    CHECK(sortedKeys(number) == qsl({ "count", "firstPosition", "lastPosition" }));
    CHECK(number.value(QLatin1String("count")).toInt() == 3);
    CHECK(number.value(QLatin1String("lastPosition")).toInt() == 4);
    CHECK(types.value(QLatin1String("string")).toObject().value(QLatin1String("firstPosition")).toInt() == 5);

    // Without --exact on a store this small the sample is the whole store: nothing sampled.
    REQUIRE(runProcess(cli,
                { QStringLiteral("types"), store, QStringLiteral("--json"), QStringLiteral("--category"),
                    QStringLiteral("ping") },
                &out, &err)
        == 0);
    const std::vector<QJsonObject> pings = jsonLines(out);
    REQUIRE(pings.size() == 1);
    CHECK(pings[0].value(QLatin1String("type")).toString() == QLatin1String("Pinged"));
    CHECK(pings[0].value(QLatin1String("count")).toInt() == 1);

    // The table names the drift.
    REQUIRE(runProcess(cli, { QStringLiteral("types"), store, QStringLiteral("--type"), QStringLiteral("Registered") },
                &out, &err)
        == 0);
    const QString table = QString::fromUtf8(out);
    CHECK(table.startsWith(QLatin1String("Registered: 4 events in 4 streams, positions 1-5")));
    CHECK(table.contains(QLatin1String("pathTypeChanged: data.zip changed type: number 1-4, string 5-5")));
    CHECK(table.contains(QLatin1String("fieldAppeared: data.firstName appeared at position 4")));
    CHECK_FALSE(table.contains(QLatin1String("Moved")));

    CHECK(runProcess(cli,
              { QStringLiteral("types"), store, QStringLiteral("--stream"), QStringLiteral("a"),
                  QStringLiteral("--category"), QStringLiteral("b") },
              &out, &err)
        == 2);
}

TEST_CASE("cli values: counts, streams and duplicates across streams", "[cli][catalog]")
{
    QTemporaryDir dir;
    const QString store = tempPath(dir, QStringLiteral("values.sqlite"));
    writeStore(store);
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli,
                { QStringLiteral("values"), store, QStringLiteral("--type"), QStringLiteral("Registered"),
                    QStringLiteral("--path"), QStringLiteral("data.email"), QStringLiteral("--duplicates"),
                    QStringLiteral("--json") },
                &out, &err)
        == 0);
    std::vector<QJsonObject> lines = jsonLines(out);
    REQUIRE(lines.size() == 1);
    CHECK(sortedKeys(lines[0]) == qsl({ "count", "streams", "value" }));
    CHECK(lines[0].value(QLatin1String("value")).toString() == QLatin1String("same@x.io"));
    CHECK(lines[0].value(QLatin1String("count")).toInt() == 2);
    CHECK(lines[0].value(QLatin1String("streams")).toArray()
        == QJsonArray::fromStringList(qsl({ "customer-2", "customer-4" })));

    REQUIRE(runProcess(cli,
                { QStringLiteral("values"), store, QStringLiteral("--type"), QStringLiteral("Registered"),
                    QStringLiteral("--path"), QStringLiteral("data.zip"), QStringLiteral("--limit"),
                    QStringLiteral("2"), QStringLiteral("--json") },
                &out, &err)
        == 0);
    lines = jsonLines(out);
    REQUIRE(lines.size() == 2);
    // Most frequent first, then by the value's JSON text: the string "1004" before the number 1001.
    CHECK(lines[0].value(QLatin1String("value")).toString() == QLatin1String("1004"));
    CHECK(lines[1].value(QLatin1String("value")).toInt() == 1001); // numbers stay numbers
    CHECK(lines[1].value(QLatin1String("streams")).toArray() == QJsonArray::fromStringList(qsl({ "customer-1" })));

    REQUIRE(runProcess(cli,
                { QStringLiteral("values"), store, QStringLiteral("--type"), QStringLiteral("Moved"),
                    QStringLiteral("--path"), QStringLiteral("data.city") },
                &out, &err)
        == 0);
    const QStringList rows = QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].simplified() == QString::fromUtf8("6 4 \"Oslo\" (customer-1, customer-2, customer-3, … (4 in all))"));

    CHECK(runProcess(
              cli, { QStringLiteral("values"), store, QStringLiteral("--type"), QStringLiteral("Moved") }, &out, &err)
        == 2);
    CHECK(runProcess(cli,
              { QStringLiteral("values"), store, QStringLiteral("--type"), QStringLiteral("Moved"),
                  QStringLiteral("--path"), QStringLiteral("city") },
              &out, &err)
        == 2);
}

TEST_CASE("cli types --reducer: coverage of each type by a merge or JavaScript reducer", "[cli][catalog]")
{
    QTemporaryDir dir;
    const QString store = tempPath(dir, QStringLiteral("coverage.sqlite"));
    writeStore(store);
    const QString reducer = dir.filePath(QStringLiteral("customers.js"));
    QFile f(reducer);
    REQUIRE(f.open(QIODevice::WriteOnly));
    // Registered reads data.name (absent from position 4 on) and tests data.zip; Pinged and Moved have no handler.
    f.write("fromCategory('customer').when({\n"
            "  $init() { return { names: [] }; },\n"
            "  Registered(s, e) { const d = e.data; s.names.push(d.name); if (d.zip) s.zip = d.zip; },\n"
            "});\n");
    f.close();
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli,
                { QStringLiteral("types"), store, QStringLiteral("--reducer"), reducer, QStringLiteral("--json") },
                &out, &err)
        == 0);
    const std::vector<QJsonObject> lines = jsonLines(out);
    REQUIRE(lines.size() == 3);
    const QJsonObject moved = lines[0].value(QLatin1String("coverage")).toObject();
    CHECK(sortedKeys(moved) == qsl({ "handled", "handler", "method", "missing", "reads", "reducer", "sampled" }));
    CHECK(moved.value(QLatin1String("method")).toString() == QLatin1String("source"));
    CHECK_FALSE(moved.value(QLatin1String("handled")).toBool());
    CHECK(moved.value(QLatin1String("handler")).isNull());
    const QJsonObject reg = lines[2].value(QLatin1String("coverage")).toObject();
    CHECK(reg.value(QLatin1String("handled")).toBool());
    CHECK(reg.value(QLatin1String("reads")).toArray() == QJsonArray::fromStringList(qsl({ "data.name", "data.zip" })));
    const QJsonArray missing = reg.value(QLatin1String("missing")).toArray();
    REQUIRE(missing.size() == 1);
    const QJsonObject name = missing[0].toObject();
    CHECK(name.value(QLatin1String("path")).toString() == QLatin1String("data.name"));
    CHECK(name.value(QLatin1String("events")).toInt() == 2);
    CHECK(name.value(QLatin1String("firstPosition")).toInt() == 4);
    CHECK(name.value(QLatin1String("lastPosition")).toInt() == 5);
    CHECK_FALSE(name.value(QLatin1String("guarded")).toBool());
    CHECK(name.value(QLatin1String("description")).toString()
        == QLatin1String("the reducer reads data.name; 2 Registered events since position 4 have no data.name"));

    // The table says the same; merge handles every type.
    REQUIRE(runProcess(cli,
                { QStringLiteral("types"), store, QStringLiteral("--reducer"), reducer, QStringLiteral("--type"),
                    QStringLiteral("Registered") },
                &out, &err)
        == 0);
    CHECK(QString::fromUtf8(out).contains(
        QLatin1String("the reducer reads data.name; 2 Registered events since position 4 have no data.name")));
    REQUIRE(runProcess(cli,
                { QStringLiteral("types"), store, QStringLiteral("--reducer"), QStringLiteral("merge"),
                    QStringLiteral("--json") },
                &out, &err)
        == 0);
    for (const QJsonObject& line : jsonLines(out)) {
        CHECK(line.value(QLatin1String("coverage")).toObject().value(QLatin1String("method")).toString()
            == QLatin1String("merge"));
        CHECK(line.value(QLatin1String("coverage")).toObject().value(QLatin1String("handled")).toBool());
    }
    CHECK(
        runProcess(cli,
            { QStringLiteral("types"), store, QStringLiteral("--reducer"), dir.filePath(QStringLiteral("absent.js")) },
            &out, &err)
        != 0);
}
