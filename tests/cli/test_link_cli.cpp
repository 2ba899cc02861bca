// `eventscope-cli link` and `resolve` on both engines: the link names the event, resolve prints it as `events --json`
// does, and a password given in the address appears nowhere.
#include <catch2/catch.hpp>

#include "samplewriter.h"
#include "testutils.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUrl>

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

QList<QByteArray> lines(const QByteArray& out)
{
    QList<QByteArray> list = out.split('\n');
    list.removeAll(QByteArray());
    return list;
}

// Links, resolve and a bad link on one store; `address` may hold `secret`, which no output may show.
void checkStore(const QString& address, const QString& secret)
{
    const QString s = QStringLiteral("--stream");
    const Run events = run({ QStringLiteral("events"), address, QStringLiteral("--json"), QStringLiteral("--limit"),
        QStringLiteral("60") });
    REQUIRE(events.code == 0);
    const QList<QByteArray> all = lines(events.out);
    REQUIRE(all.size() == 60);
    const QByteArray target = all.at(41);
    const auto position = QString::number(target.split(',').at(0).mid(12).toLongLong());
    const QString stream = QString::fromUtf8(target.split('"').at(5));

    std::vector<Run> outputs;
    const Run byPosition = run({ QStringLiteral("link"), address, QStringLiteral("--position"), position });
    REQUIRE(byPosition.code == 0);
    const QString link = QString::fromUtf8(byPosition.out.trimmed());
    CHECK(link.startsWith(QLatin1String("eventscope://open?v=1&store=")));
    outputs.push_back(byPosition);
    const Run resolved = run({ QStringLiteral("resolve"), link, QStringLiteral("--json") });
    INFO(resolved.err.constData());
    REQUIRE(resolved.code == 0);
    CHECK(lines(resolved.out) == QList<QByteArray> { target });
    outputs.push_back(resolved);

    // The stream's events, then one of them by version.
    const Run streamLink = run({ QStringLiteral("link"), address, s, stream });
    REQUIRE(streamLink.code == 0);
    const Run streamEvents = run({ QStringLiteral("resolve"), QString::fromUtf8(streamLink.out.trimmed()) });
    REQUIRE(streamEvents.code == 0);
    const Run expected = run({ QStringLiteral("events"), address, QStringLiteral("--json"), s, stream });
    CHECK(streamEvents.out == expected.out);
    const QList<QByteArray> versions = lines(expected.out);
    REQUIRE_FALSE(versions.isEmpty());
    // The stream's last event by its version (Message DB counts from 0, Emmett from 1).
    const QString lastVersion = QRegularExpression(QStringLiteral("\"version\":(\\d+),"))
                                    .match(QString::fromUtf8(versions.last()))
                                    .captured(1);
    REQUIRE_FALSE(lastVersion.isEmpty());
    const Run versionLink
        = run({ QStringLiteral("link"), address, s, stream, QStringLiteral("--version"), lastVersion });
    REQUIRE(versionLink.code == 0);
    const Run last = run({ QStringLiteral("resolve"), QString::fromUtf8(versionLink.out.trimmed()) });
    outputs.push_back(versionLink);
    outputs.push_back(last);
    INFO(last.err.constData());
    REQUIRE(last.code == 0);
    CHECK(lines(last.out) == QList<QByteArray> { versions.last() });

    // A filtered view: the filter travels in the link and resolve applies it.
    const QByteArray type = target.split('"').at(11);
    const Run viewLink = run({ QStringLiteral("link"), address, QStringLiteral("--type"), QString::fromUtf8(type) });
    outputs.push_back(viewLink);
    REQUIRE(viewLink.code == 0);
    const Run view = run({ QStringLiteral("resolve"), QString::fromUtf8(viewLink.out.trimmed()),
        QStringLiteral("--limit"), QStringLiteral("5") });
    REQUIRE(view.code == 0);
    CHECK_FALSE(lines(view.out).isEmpty());
    CHECK(lines(view.out).size() <= 5);
    for (const QByteArray& line : lines(view.out))
        CHECK(line.contains(QByteArray("\"type\":\"" + type + '"')));

    // Not in the store: exit 1 and a message; a bad link: exit 2 and why.
    const Run missing = run({ QStringLiteral("resolve"),
        QString::fromUtf8(
            run({ QStringLiteral("link"), address, s, stream, QStringLiteral("--version"), QStringLiteral("999999") })
                .out.trimmed()) });
    outputs.push_back(missing);
    CHECK(missing.code == 1);
    CHECK(missing.err.contains("No event at version 999999"));
    const Run bad = run({ QStringLiteral("resolve"), link + QStringLiteral("&position=2") });
    CHECK(bad.code == 2);
    CHECK(bad.err.contains("more than once"));
    if (!secret.isEmpty()) {
        // --store gives the address with its password back; another store is refused.
        const Run withStore = run({ QStringLiteral("resolve"), link, QStringLiteral("--store"), address });
        outputs.push_back(withStore);
        CHECK(withStore.code == 0);
        CHECK(withStore.out == resolved.out);
        const Run other
            = run({ QStringLiteral("resolve"), link, QStringLiteral("--store"), QStringLiteral("/tmp/x.db") });
        CHECK(other.code == 2);
    }
    for (const Run& r : outputs) {
        INFO(r.out.left(300).constData() << r.err.constData());
        if (!secret.isEmpty()) {
            CHECK_FALSE(r.out.contains(secret.toUtf8()));
            CHECK_FALSE(r.err.contains(secret.toUtf8()));
            CHECK_FALSE(QUrl::fromPercentEncoding(r.out).contains(secret));
        }
    }
}

} // namespace

TEST_CASE("link and resolve: SQLite", "[cli][links]")
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("links store.sqlite"));
    es::writeSampleStore(file, es::SampleOptions { 400, 11, QStringLiteral("emmett") });
    checkStore(file, {});

    // The link names an absolute file, whatever folder it was made in.
    QByteArray out;
    REQUIRE(runProcess(cli, { QStringLiteral("link"), file, QStringLiteral("--position"), QStringLiteral("3") }, &out)
        == 0);
    CHECK(QUrl::fromPercentEncoding(out).contains(file));
    QByteArray err;
    CHECK(runProcess(cli,
              { QStringLiteral("link"), file, QStringLiteral("--stream"), QStringLiteral("a"),
                  QStringLiteral("--position"), QStringLiteral("3") },
              nullptr, &err)
        == 2);
    CHECK(err.contains("--version, not --position"));
    CHECK(runProcess(cli,
              { QStringLiteral("link"), file, QStringLiteral("--text"), QStringLiteral("x"), QStringLiteral("--filter"),
                  QStringLiteral("data.a = 1") },
              nullptr, &err)
        == 2);
}

TEST_CASE("link and resolve: PostgreSQL, with a password in the address", "[cli][links][pg]")
{
    ES_REQUIRE_PG("link and resolve on PostgreSQL");
    es::test::PgTestDatabase db(QStringLiteral("clilinks"));
    REQUIRE(db.ok());
    es::writeSampleStore(db.address(), es::SampleOptions { 400, 11, QStringLiteral("messagedb") });
    // The test server trusts local connections: the password is accepted and must appear nowhere.
    const QString secret = QStringLiteral("CliLinkS3cretPw");
    checkStore(db.address() + QStringLiteral(" password=") + secret, secret);
}
