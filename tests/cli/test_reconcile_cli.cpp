#include <catch2/catch.hpp>

#include "core/test_reconcile_support.h"
#include "testutils.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <map>

using es::test::runProcess;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);
const QString accountsJs = QStringLiteral(ES_SOURCE_DIR "/resources/reducers/accounts.js");

std::map<QString, QJsonObject> linesByKey(const QByteArray& out)
{
    std::map<QString, QJsonObject> rows;
    for (const QByteArray& line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        REQUIRE(error.error == QJsonParseError::NoError);
        rows[doc.object().value(QStringLiteral("key")).toString()] = doc.object();
    }
    return rows;
}

QStringList arguments(const QString& store, const QStringList& more = {})
{
    QStringList args { QStringLiteral("reconcile"), store, QStringLiteral("--reducer"), accountsJs,
        QStringLiteral("--table"), QStringLiteral("account_summaries"), QStringLiteral("--key"), QStringLiteral("id"),
        QStringLiteral("--columns"), QStringLiteral("owner=owner,balance=balance,transactions=transactions"),
        QStringLiteral("--columns"), QStringLiteral("opened_at=openedAt,status=status,closed_at=closedAt"),
        QStringLiteral("--category"), QStringLiteral("account"), QStringLiteral("--json") };
    return args + more;
}

} // namespace

TEST_CASE("cli reconcile: every fault reported as JSON Lines, exit code 9", "[cli][reconcile]")
{
    es::test::EmmettAccounts fixture;
    QByteArray out, err;
    REQUIRE(runProcess(cli,
                arguments(fixture.path, { QStringLiteral("--checkpoint"), QStringLiteral("account-summaries") }), &out,
                &err)
        == 9);
    const auto rows = linesByKey(out);
    REQUIRE(rows.size() == 6); // every row but the one that is ok
    CHECK(rows.count(QStringLiteral("account-1")) == 0);
    const QJsonObject two = rows.at(QStringLiteral("account-2"));
    CHECK(QJsonDocument(two).toJson(QJsonDocument::Compact)
        == R"({"columns":{"balance":{"replayed":180,"table":150},"transactions":{"replayed":4,"table":2}},)"
           R"("key":"account-2","lastVersion":5,"matchesPosition":8,"matchesVersion":3,"status":"differs",)"
           R"("stream":"account-2"})");
    CHECK(rows.at(QStringLiteral("account-3")).value(QStringLiteral("matchesVersion")).isNull());
    CHECK(rows.at(QStringLiteral("account-4")).value(QStringLiteral("status")) == QStringLiteral("missing"));
    CHECK(rows.at(QStringLiteral("account-5")).value(QStringLiteral("status")) == QStringLiteral("stale"));
    CHECK(rows.at(QStringLiteral("account-5")).value(QStringLiteral("matchesVersion")) == QJsonValue(3));
    CHECK(rows.at(QStringLiteral("account-6")).value(QStringLiteral("status")) == QStringLiteral("stale"));
    CHECK(rows.at(QStringLiteral("account-9")).value(QStringLiteral("status")) == QStringLiteral("extra"));
    CHECK(rows.at(QStringLiteral("account-9")).value(QStringLiteral("stream")).isNull());
    CHECK(err.contains("6 streams (27 events), 5 table rows: 1 ok, 2 differ, 1 missing, 1 extra, 2 stale"));

    SECTION("--all writes the ok rows too")
    {
        QByteArray all;
        REQUIRE(runProcess(cli, arguments(fixture.path, { QStringLiteral("--all") }), &all) == 9);
        const auto every = linesByKey(all);
        CHECK(every.size() == 7);
        CHECK(every.at(QStringLiteral("account-1")).value(QStringLiteral("status")) == QStringLiteral("ok"));
    }
    SECTION("--connections 1 reads over one connection, with the same lines; only 1 or 2 are taken")
    {
        const QStringList checkpoint { QStringLiteral("--checkpoint"), QStringLiteral("account-summaries") };
        QByteArray one;
        REQUIRE(runProcess(cli,
                    arguments(fixture.path,
                        checkpoint + QStringList { QStringLiteral("--connections"), QStringLiteral("1") }),
                    &one)
            == 9);
        CHECK(linesByKey(one) == rows);
        for (const char* bad : { "0", "3", "two" }) {
            QByteArray badErr;
            CHECK(
                runProcess(cli, arguments(fixture.path, { QStringLiteral("--connections"), QString::fromLatin1(bad) }),
                    &one, &badErr)
                == 2);
            CHECK(badErr.contains("--connections takes 1 or 2"));
        }
    }
}

TEST_CASE("cli reconcile: a correct table exits 0 with no lines; bad arguments exit 2", "[cli][reconcile]")
{
    es::test::EmmettAccounts fixture;
    es::test::execSqlite(fixture.path,
        QStringLiteral("DELETE FROM account_summaries WHERE id IN ('account-2', 'account-3', 'account-5', 'account-9');"
                       "INSERT INTO account_summaries VALUES ('account-2', 'Bob', 180, 4, '2024-03-04T01:00:00Z', "
                       "'open', NULL);"));
    QByteArray out, err;
    const QStringList prefix { QStringLiteral("--prefix"), QStringLiteral("account-") };
    QStringList args = arguments(fixture.path);
    args.removeAt(args.indexOf(QStringLiteral("--category")) + 1);
    args.removeAll(QStringLiteral("--category"));
    // Only account-1 and account-2 are in scope; the table holds just their rows.
    REQUIRE(runProcess(cli, args + QStringList { QStringLiteral("--prefix"), QStringLiteral("account-") }, &out, &err)
        == 9); // account-3..6 have no rows
    es::test::execSqlite(fixture.path,
        QStringLiteral("DELETE FROM emt_messages WHERE stream_id > 'account-2';"
                       "DELETE FROM emt_streams WHERE stream_id > 'account-2';"));
    out.clear();
    REQUIRE(runProcess(cli, args + prefix, &out, &err) == 0);
    CHECK(out.isEmpty());
    CHECK(err.contains("2 streams (10 events), 2 table rows: 2 ok, 0 differ"));

    CHECK(runProcess(cli,
              { QStringLiteral("reconcile"), fixture.path, QStringLiteral("--reducer"), accountsJs,
                  QStringLiteral("--table"), QStringLiteral("account_summaries"), QStringLiteral("--key"),
                  QStringLiteral("id"), QStringLiteral("--columns"), QStringLiteral("balance") },
              &out, &err)
        == 2);
    CHECK(runProcess(cli,
              { QStringLiteral("reconcile"), fixture.path, QStringLiteral("--reducer"), accountsJs,
                  QStringLiteral("--table"), QStringLiteral("no_such_table"), QStringLiteral("--key"),
                  QStringLiteral("id"), QStringLiteral("--columns"), QStringLiteral("balance=balance") },
              &out, &err)
        == 5);
}
