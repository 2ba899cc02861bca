#include <catch2/catch.hpp>

#include "testutils.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

QByteArray run(const QStringList& args)
{
    QByteArray out, err;
    const int code = runProcess(cli, args, &out, &err);
    INFO(err.constData());
    REQUIRE(code == 0);
    return out;
}

QJsonObject json(const QStringList& args)
{
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(run(args), &error).object();
    REQUIRE(error.error == QJsonParseError::NoError);
    return o;
}

qint64 entries()
{
    return json({ QStringLiteral("cache"), QStringLiteral("info"), QStringLiteral("--json") })
        .value(QLatin1String("entries"))
        .toInteger(-1);
}

// The child processes use a cache file of this test's own.
struct CacheFile {
    QTemporaryDir dir;
    QByteArray before = qgetenv("ES_SUMMARY_CACHE");
    CacheFile() { qputenv("ES_SUMMARY_CACHE", dir.filePath(QStringLiteral("summaries.sqlite")).toUtf8()); }
    ~CacheFile() { qputenv("ES_SUMMARY_CACHE", before); }
};

} // namespace

TEST_CASE("activity and info count through the summary cache unless --no-cache; cache info and clear", "[cli][cache]")
{
    CacheFile cache;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("c.sqlite"));
    run({ QStringLiteral("sample"), path, QStringLiteral("--events"), QStringLiteral("70000") });
    CHECK(entries() == 0);

    const QStringList activity { QStringLiteral("activity"), path, QStringLiteral("--bucket"), QStringLiteral("day"),
        QStringLiteral("--by"), QStringLiteral("type"), QStringLiteral("--top"), QStringLiteral("1000"),
        QStringLiteral("--json") };
    const QByteArray uncached = run(activity + QStringList { QStringLiteral("--no-cache") });
    CHECK(entries() == 0);
    CHECK_FALSE(uncached.isEmpty());

    // Two processes at once on an empty cache: both answer what the store counts.
    QProcess a;
    QProcess b;
    a.start(cli, activity);
    b.start(cli, activity);
    REQUIRE(a.waitForFinished(60000));
    REQUIRE(b.waitForFinished(60000));
    CHECK(a.exitCode() == 0);
    CHECK(b.exitCode() == 0);
    CHECK(a.readAllStandardOutput() == uncached);
    CHECK(b.readAllStandardOutput() == uncached);
    CHECK(entries() == 1);
    CHECK(run(activity) == uncached); // from the cache

    const QJsonObject info = json({ QStringLiteral("info"), path });
    CHECK(info.value(QLatin1String("events")).toInteger() == 70000);
    CHECK(info.value(QLatin1String("eventsEstimated")).toBool(true) == false);
    CHECK(entries() == 2);
    CHECK(json({ QStringLiteral("info"), path }) == info);
    CHECK(json({ QStringLiteral("info"), path, QStringLiteral("--no-cache") }) == info);
    const QJsonObject estimated = json({ QStringLiteral("info"), path, QStringLiteral("--estimate") });
    CHECK(estimated.value(QLatin1String("eventsEstimated")).toBool());
    CHECK(std::abs(estimated.value(QLatin1String("events")).toDouble() - 70000) / 70000 < 0.05);

    const QByteArray cleared = run({ QStringLiteral("cache"), QStringLiteral("clear") });
    CHECK(cleared.startsWith("Cleared "));
    CHECK(entries() == 0);

    QByteArray err;
    CHECK(runProcess(cli, { QStringLiteral("cache"), QStringLiteral("drop") }, nullptr, &err) == 2);
    CHECK(err.contains("info or clear"));
}
