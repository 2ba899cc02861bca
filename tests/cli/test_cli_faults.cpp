// The CLI against a server that never answers, and addresses holding secrets.
#include <catch2/catch.hpp>

#include "faultserver.h"
#include "pg/pgaddress.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

using namespace es;
using namespace es::test;

namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);

} // namespace

TEST_CASE("cli: info against a server that accepts and never answers ends with a clear message", "[cli][faults]")
{
    TcpFaultServer silent;
    const QString address
        = QStringLiteral("host=127.0.0.1 port=%1 dbname=events user=alice password=Sekr3t-pw").arg(silent.port());
    QByteArray out;
    QByteArray err;
    QElapsedTimer clock;
    clock.start();
    // The default connect timeout (10 s): nothing in the address shortens it.
    const int code = runProcess(cli, { QStringLiteral("info"), address }, &out, &err, 60000);
    const qint64 ms = clock.elapsed();
    INFO(err.constData() << "after " << ms << " ms");
    CHECK(code == 1);
    CHECK(ms >= 9000);
    CHECK(ms < 30000);
    CHECK(silent.accepted() >= 1);
    CHECK(err.contains("did not answer within 10 s"));
    CHECK(err.contains(QStringLiteral("port=%1").arg(silent.port()).toUtf8()));
    CHECK(!err.contains("Sekr3t"));
    CHECK(out.isEmpty());
}

TEST_CASE("cli: secrets in addresses never appear in errors or info", "[cli][redact]")
{
    const std::vector<std::pair<QString, QByteArray>> forms {
        { QStringLiteral("jdbc:postgresql://db.example.com/events?user=u&password=JdbcS3cret"), "JdbcS3cret" },
        { QStringLiteral("postgresql+psycopg2://alice:AlchemyS3cret@db.example.com/events"), "AlchemyS3cret" },
        { QStringLiteral("jdbc:sqlserver://db.example.com;user=u;password=MsS3cret"), "MsS3cret" },
        { QStringLiteral("postgresql://127.0.0.1:1/events?sslpassword=SslS3cret&sslmode=disable"), "SslS3cret" },
        { QStringLiteral("host=127.0.0.1 port=1 dbname=events sslpassword=KwS3cret"), "KwS3cret" },
        { QStringLiteral("postgresql://bob:UriS3cret@127.0.0.1:1/events?no_such_option=1"), "UriS3cret" },
        { QStringLiteral("mysql://root:MyS3cret@db.example.com/events"), "MyS3cret" },
        { QStringLiteral("sqlite:///no/such/events.db?password=FileS3cret"), "FileS3cret" },
    };
    for (const auto& [address, secret] : forms) {
        QByteArray out;
        QByteArray err;
        const int code = runProcess(cli, { QStringLiteral("info"), address }, &out, &err);
        INFO(address.toStdString() << " -> " << code << ": " << err.constData());
        CHECK(code != 0);
        CHECK(!err.isEmpty());
        CHECK(!err.contains(secret));
        CHECK(!out.contains(secret));
    }

    ES_REQUIRE_PG("info with secrets on a real server");
    PgTestDatabase db(QStringLiteral("clisecrets"), { QStringLiteral("messagedb.sql") });
    const QString withSecrets = db.address() + QStringLiteral(" password=PwS3cret sslpassword=SslS3cret");
    QByteArray out;
    QByteArray err;
    REQUIRE(runProcess(cli, { QStringLiteral("info"), withSecrets }, &out, &err) == 0);
    INFO(out.constData() << err.constData());
    CHECK(!out.contains("S3cret"));
    CHECK(!err.contains("S3cret"));
    CHECK(out.contains(db.name().toUtf8()));
    const QString uri = QStringLiteral("postgresql://%1@/%2?host=%3&port=%4&password=PwS3cret&sslpassword=SslS3cret")
                            .arg(PgAddress::parse(db.address()).value(QStringLiteral("user")), db.name(),
                                PgAddress::parse(db.address()).value(QStringLiteral("host")),
                                PgAddress::parse(db.address()).value(QStringLiteral("port")));
    REQUIRE(runProcess(cli, { QStringLiteral("info"), uri }, &out, &err) == 0);
    CHECK(!out.contains("S3cret"));
    CHECK(!err.contains("S3cret"));
}
