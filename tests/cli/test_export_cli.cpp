#include <catch2/catch.hpp>

#include "testutils.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>

using es::test::runProcess;

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

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString makeSample(const QTemporaryDir& dir, int events)
{
    const QString path = dir.filePath(QStringLiteral("store.sqlite"));
    const Run r = run({ QStringLiteral("sample"), path, QStringLiteral("--events"), QString::number(events) });
    if (r.code != 0)
        FAIL("sample failed: " << r.err.constData());
    return path;
}

QStringList filesIn(const QTemporaryDir& dir)
{
    return QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

TEST_CASE("export writes what events --json prints, in every format", "[cli][export]")
{
    QTemporaryDir dir;
    const QString store = makeSample(dir, 5000);
    const Run events = run({ QStringLiteral("events"), store, QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("0"), QStringLiteral("--category"), QStringLiteral("order") });
    REQUIRE(events.code == 0);
    REQUIRE(events.out.count('\n') > 100);

    const QString jsonl = dir.filePath(QStringLiteral("orders.jsonl"));
    Run r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), jsonl, QStringLiteral("--format"),
        QStringLiteral("jsonl"), QStringLiteral("--category"), QStringLiteral("order") });
    INFO(r.err.constData());
    REQUIRE(r.code == 0);
    CHECK(readFile(jsonl) == events.out);

    // sqlite: reading the copy back prints the same lines.
    const QString copy = dir.filePath(QStringLiteral("orders.sqlite"));
    r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), copy, QStringLiteral("--category"),
        QStringLiteral("order") });
    REQUIRE(r.code == 0);
    const Run back = run(
        { QStringLiteral("events"), copy, QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("0") });
    REQUIRE(back.code == 0);
    CHECK(back.out == events.out);

    const QString csv = dir.filePath(QStringLiteral("orders.csv"));
    r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), csv, QStringLiteral("--category"),
        QStringLiteral("order"), QStringLiteral("--from"), QStringLiteral("100"), QStringLiteral("--to"),
        QStringLiteral("2000") });
    REQUIRE(r.code == 0);
    const QList<QByteArray> rows = readFile(csv).split('\n');
    CHECK(rows.first() == "position,stream,version,type,time,id,data,metadata,correlationId,causationId,encoding\r");
    for (qsizetype i = 1; i < rows.size() - 1; ++i) {
        const qint64 position = rows[i].left(rows[i].indexOf(',')).toLongLong();
        CHECK(position >= 100);
        CHECK(position <= 2000);
    }

    const QString json = dir.filePath(QStringLiteral("types.json"));
    r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), json, QStringLiteral("--format"),
        QStringLiteral("json"), QStringLiteral("--type"), QStringLiteral("OrderPlaced,AccountOpened") });
    REQUIRE(r.code == 0);
    const QJsonArray array = QJsonDocument::fromJson(readFile(json)).array();
    CHECK(array.size() > 10);
    for (const QJsonValue& v : array) {
        const QString type = v.toObject().value(QStringLiteral("type")).toString();
        CHECK((type == QLatin1String("OrderPlaced") || type == QLatin1String("AccountOpened")));
    }
}

TEST_CASE("export refuses an existing file without --force and reports bad arguments", "[cli][export]")
{
    QTemporaryDir dir;
    const QString store = makeSample(dir, 500);
    const QString out = dir.filePath(QStringLiteral("out.jsonl"));
    {
        QFile f(out);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("precious");
    }
    Run r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), out });
    CHECK(r.code == 3);
    CHECK(r.err.contains("already exists"));
    CHECK(readFile(out) == "precious");
    r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), out, QStringLiteral("--force") });
    CHECK(r.code == 0);
    CHECK(readFile(out).count('\n') == 500);

    CHECK(run({ QStringLiteral("export"), store }).code == 2);
    CHECK(run({ QStringLiteral("export"), store, QStringLiteral("--out"), dir.filePath(QStringLiteral("x.txt")) }).code
        == 2);
    CHECK(run({ QStringLiteral("export"), store, QStringLiteral("--out"), dir.filePath(QStringLiteral("x.csv")),
                  QStringLiteral("--format"), QStringLiteral("xml") })
              .code
        == 2);
    CHECK(run({ QStringLiteral("export"), store, QStringLiteral("--out"), dir.filePath(QStringLiteral("x.csv")),
                  QStringLiteral("--redact"), QStringLiteral("email") })
              .code
        == 2);
    CHECK(run({ QStringLiteral("export"), dir.filePath(QStringLiteral("missing.sqlite")), QStringLiteral("--out"),
                  dir.filePath(QStringLiteral("x.csv")) })
              .code
        == 3);
    CHECK(filesIn(dir) == QStringList { QStringLiteral("out.jsonl"), QStringLiteral("store.sqlite") });
}

TEST_CASE("export --redact hashes fields consistently", "[cli][export][redact]")
{
    QTemporaryDir dir;
    const QString store = makeSample(dir, 2000);
    const QString out = dir.filePath(QStringLiteral("r.jsonl"));
    const Run r = run({ QStringLiteral("export"), store, QStringLiteral("--out"), out, QStringLiteral("--redact"),
        QStringLiteral("metadata.userId,data.owner") });
    REQUIRE(r.code == 0);
    const QByteArray bytes = readFile(out);
    CHECK_FALSE(bytes.contains("\"userId\":\"u-"));
    CHECK_FALSE(bytes.contains("\"owner\":\"u-"));
    CHECK(bytes.contains("\"userId\":\"hmac:"));
    CHECK(bytes.count('\n') == 2000);

    // A key file joins two exports on purpose; without it the tokens differ between exports.
    const QString keyFile = dir.filePath(QStringLiteral("key.bin"));
    {
        QFile f(keyFile);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("0123456789abcdef0123456789abcdef"));
    }
    auto exportWith = [&](const QString& name, QStringList extra) {
        const QString path = dir.filePath(name);
        QStringList args { QStringLiteral("export"), store, QStringLiteral("--out"), path, QStringLiteral("--redact"),
            QStringLiteral("metadata.userId") };
        args += extra;
        REQUIRE(run(args).code == 0);
        return readFile(path);
    };
    const QByteArray keyed1 = exportWith(QStringLiteral("k1.jsonl"), { QStringLiteral("--redact-key"), keyFile });
    const QByteArray keyed2 = exportWith(QStringLiteral("k2.jsonl"), { QStringLiteral("--redact-key"), keyFile });
    CHECK(keyed1 == keyed2);
    CHECK(keyed1 != bytes);
    CHECK(exportWith(QStringLiteral("u1.jsonl"), {}) != exportWith(QStringLiteral("u2.jsonl"), {}));

    const QString shortKey = dir.filePath(QStringLiteral("short.bin"));
    {
        QFile f(shortKey);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("short");
    }
    const Run bad
        = run({ QStringLiteral("export"), store, QStringLiteral("--out"), dir.filePath(QStringLiteral("b.jsonl")),
            QStringLiteral("--redact"), QStringLiteral("data.x"), QStringLiteral("--redact-key"), shortKey });
    CHECK(bad.code == 2);
    CHECK(bad.err.contains("16 bytes"));
    const Run policy = run({ QStringLiteral("export"), store, QStringLiteral("--out"),
        dir.filePath(QStringLiteral("p.jsonl")), QStringLiteral("--redact"), QStringLiteral("data.x"),
        QStringLiteral("--non-json"), QStringLiteral("maybe") });
    CHECK(policy.code == 2);
}

TEST_CASE("Ctrl+C during export leaves no file and exits 6", "[cli][export][cancel]")
{
    QTemporaryDir dir;
    const QString store = makeSample(dir, 300000);
    const QString out = dir.filePath(QStringLiteral("big.sqlite"));
    QProcess p;
    p.start(cli, { QStringLiteral("export"), store, QStringLiteral("--out"), out });
    REQUIRE(p.waitForStarted());
    // Wait until the temporary file exists, then interrupt.
    REQUIRE(es::test::waitFor([&] { return filesIn(dir).size() > 1 || p.state() == QProcess::NotRunning; }, 30000));
    REQUIRE(p.state() == QProcess::Running);
    ::kill(pid_t(p.processId()), SIGINT);
    REQUIRE(p.waitForFinished(60000));
    CHECK(p.exitCode() == 6);
    CHECK(p.readAllStandardError().contains("cancelled"));
    CHECK(filesIn(dir) == QStringList { QStringLiteral("store.sqlite") });
}
