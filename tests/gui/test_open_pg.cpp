#include <catch2/catch.hpp>

#include "eventview.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "openstoredialog.h"
#include "pg/pgstore.h"
#include "samplewriter.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "testutils.h"
#include "timetravelwindow.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

#include <memory>

using namespace es;
using es::test::runProcess;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString serverOrSkip()
{
    const QString server = es::test::postgresAddress();
    if (server.isEmpty())
        WARN("ES_TEST_PG is not set: PostgreSQL GUI test skipped (CI sets it)");
    return server;
}

// The form's fields for a plain keyword-string server address; nullopt when it uses anything the form lacks.
std::optional<PgConnectionFields> fieldsOf(const QString& server)
{
    PgConnectionFields f;
    for (const QString& part : server.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq <= 0)
            return std::nullopt;
        const QString key = part.left(eq);
        const QString value = part.mid(eq + 1);
        if (key == QLatin1String("host"))
            f.host = value;
        else if (key == QLatin1String("port"))
            f.port = value;
        else if (key == QLatin1String("user"))
            f.user = value;
        else if (key == QLatin1String("password"))
            f.password = value;
        else if (key != QLatin1String("dbname"))
            return std::nullopt;
    }
    return f;
}

void openAndWait(MainWindow& window, const QString& address, const OpenOptions& options = {})
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    QSignalSpy failed(&window, &MainWindow::storeFailed);
    window.openStore(address, options);
    REQUIRE(waitFor([&] { return opened.count() + failed.count() > 0; }, Timeout));
    if (failed.count())
        FAIL(failed.first().first().value<Failure>().message.toStdString());
    auto* model = window.eventView()->model();
    REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() > 0; }, Timeout));
}

std::optional<Event> loadedEvent(EventTableModel* model, int row)
{
    std::optional<Event> e;
    waitFor([&] { return (e = model->eventAt(row)).has_value(); }, Timeout);
    return e;
}

} // namespace

TEST_CASE("the PostgreSQL form builds libpq keyword strings", "[openpg]")
{
    OpenStoreDialog dialog(QDir::tempPath());
    auto* password = dialog.findChild<QLineEdit*>(QStringLiteral("pgPassword"));
    REQUIRE(password);
    CHECK(password->echoMode() == QLineEdit::Password);
    auto* sslMode = dialog.findChild<QComboBox*>(QStringLiteral("pgSslMode"));
    REQUIRE(sslMode);
    for (const char* mode : { "disable", "allow", "prefer", "require", "verify-ca", "verify-full" })
        CHECK(sslMode->findData(QLatin1String(mode)) > 0);
    // The layout box stays the first combo box a caller finds.
    CHECK(dialog.findChild<QComboBox*>() != sslMode);

    SECTION("spaces, quotes and backslashes are quoted the way libpq reads them")
    {
        PgConnectionFields f;
        f.host = QStringLiteral("db.example.com");
        f.port = QStringLiteral("5433");
        f.database = QStringLiteral("my db");
        f.user = QStringLiteral("o'brien");
        f.password = QStringLiteral("p w'\\d");
        f.sslMode = QStringLiteral("verify-full");
        f.sslRootCert = QStringLiteral("/etc/ca dir/root.crt");
        f.schema = QStringLiteral("store");
        dialog.setPostgresFields(f);
        CHECK(dialog.isPostgresFormCurrent());
        const QString address = dialog.address();
        CHECK(address
            == QLatin1String("host=db.example.com port=5433 dbname='my db' user='o\\'brien' password='p w\\'\\\\d' "
                             "sslmode=verify-full sslrootcert='/etc/ca dir/root.crt'"));
        CHECK(dialog.options().schema == QLatin1String("store"));
        CHECK_FALSE(address.contains(QLatin1String("schema")));
        // The engine's own parser reads the values back.
        CHECK(PgStore::acceptsAddress(address));
        CHECK(PgAddress::parse(address).database() == QLatin1String("my db"));
        const QString redacted = StoreRegistry::redactAddress(address);
        CHECK_FALSE(redacted.contains(QLatin1String("p w")));
        CHECK(redacted.contains(QLatin1String("dbname='my db'")));
        CHECK(dialog.postgresFields().sslMode == QLatin1String("verify-full"));
    }

    SECTION("empty fields are left out so PG* variables and ~/.pgpass apply")
    {
        PgConnectionFields f;
        f.database = QStringLiteral("events");
        dialog.setPostgresFields(f);
        CHECK(dialog.address() == QLatin1String("dbname=events"));
        CHECK(dialog.options().schema.isEmpty());
        auto* buttons = dialog.findChild<QDialogButtonBox*>();
        REQUIRE(buttons);
        CHECK(buttons->button(QDialogButtonBox::Open)->isEnabled());
        dialog.setPostgresFields({});
        CHECK(dialog.address().isEmpty());
        CHECK_FALSE(buttons->button(QDialogButtonBox::Open)->isEnabled());
        f = {};
        f.host = QStringLiteral("/var/run/postgresql");
        f.sslMode = QStringLiteral("require");
        dialog.setPostgresFields(f);
        CHECK(dialog.address() == QLatin1String("host=/var/run/postgresql sslmode=require"));
    }

    SECTION("the address tab still takes URIs and keyword strings")
    {
        dialog.setAddress(QStringLiteral("postgresql://reader@db.example.com:5432/events?sslmode=require"));
        CHECK_FALSE(dialog.isPostgresFormCurrent());
        CHECK(dialog.address() == QLatin1String("postgresql://reader@db.example.com:5432/events?sslmode=require"));
        dialog.setAddress(QStringLiteral("host=localhost dbname=events"));
        CHECK(dialog.address() == QLatin1String("host=localhost dbname=events"));
        CHECK(dialog.options().schema.isEmpty());
    }

    PgConnectionFields plain;
    plain.user = QStringLiteral("plain");
    CHECK(OpenStoreDialog::postgresAddress(plain) == QLatin1String("user=plain"));
}

TEST_CASE("a password never reaches the settings file or the recent stores", "[openpg]")
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    Settings::useFile(ini);
    auto* settings = Settings::instance();
    settings->addRecentStore(QStringLiteral("host=db.example.com dbname=events user=reader password='Tr0ub4dor 3'"));
    settings->addRecentStore(QStringLiteral("postgresql://reader:Hunter2Secret@db.example.com/orders"));
    settings->addRecentStore(QStringLiteral("postgres://db.example.com/events?password=QueryS3cret&sslmode=require"));
    settings->sync();

    const QByteArray bytes = fileBytes(ini);
    REQUIRE_FALSE(bytes.isEmpty());
    for (const char* secret : { "Tr0ub4dor", "Hunter2Secret", "QueryS3cret" })
        CHECK_FALSE(bytes.contains(secret));
    const QStringList recent = Settings(ini).recentStores();
    REQUIRE(recent.size() == 3);
    CHECK(recent.at(2) == QLatin1String("host=db.example.com dbname=events user=reader"));
    CHECK(recent.at(1) == QLatin1String("host=db.example.com dbname=orders user=reader"));
    CHECK(recent.at(0) == QLatin1String("host=db.example.com dbname=events sslmode=require"));
    Settings::useFile({});
}

TEST_CASE("'Time travel from here' in the event table's menu opens the stream at that event", "[openpg]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString path = dir.filePath(QStringLiteral("demo.sqlite"));
    writeSampleStore(path, SampleOptions { 500, 11, QStringLiteral("emmett") });
    {
        MainWindow window;
        openAndWait(window, path);
        EventView* view = window.eventView();
        const auto event = loadedEvent(view->model(), 7);
        REQUIRE(event);
        std::unique_ptr<QMenu> menu(view->createContextMenu(7, nullptr));
        REQUIRE(menu);
        auto* action = menu->findChild<QAction*>(QStringLiteral("timeTravelFromHere"));
        REQUIRE(action);
        CHECK(action->text() == QLatin1String("Time travel from here"));
        QSignalSpy requested(view, &EventView::timeTravelRequested);
        action->trigger();
        REQUIRE(requested.count() == 1);
        CHECK(requested.first().at(0).toString() == event->stream);
        CHECK(requested.first().at(1).toLongLong() == event->version);
        const auto windows = window.findChildren<TimeTravelWindow*>();
        CHECK(windows.size() == 1);
    }
    Settings::useFile({});
}

TEST_CASE("PostgreSQL: the form opens the test server's store and the password stays out of sight", "[openpg][pg]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    es::test::PgTestDatabase db(QStringLiteral("pgui"), {}, server);
    REQUIRE(db.ok());
    writeSampleStore(db.address(), SampleOptions { 400, 3, QStringLiteral("messagedb") });

    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    Settings::useFile(ini);
    {
        OpenStoreDialog dialog(dir.path());
        const auto fields = fieldsOf(server);
        // The test server trusts local connections, so any password is accepted and must not be kept.
        const QString secret = QStringLiteral("GuiS3cret-pw");
        if (fields) {
            PgConnectionFields f = *fields;
            f.database = db.name();
            if (f.password.isEmpty())
                f.password = secret;
            dialog.setPostgresFields(f);
        } else {
            dialog.setAddress(db.address());
        }
        const QString address = dialog.address();
        MainWindow window;
        openAndWait(window, address, dialog.options());
        // The sample also records consumer positions, so the engine opened directly is the reference.
        const qint64 expected = StoreRegistry::open(db.address())->info().eventCount;
        CHECK(expected >= 400);
        CHECK(waitFor([&] { return window.storeInfo().eventCount >= 0; }));
        CHECK(window.storeInfo().eventCount == expected);
        auto* model = window.eventView()->model();
        CHECK(model->rowCount() == expected);
        const auto first = loadedEvent(model, 0);
        REQUIRE(first);
        CHECK_FALSE(first->stream.isEmpty());

        if (fields && fields->password.isEmpty()) {
            CHECK_FALSE(window.windowTitle().contains(secret));
            CHECK_FALSE(window.statusText().contains(secret));
            CHECK_FALSE(window.banner()->text().contains(secret));
            Settings::instance()->sync();
            CHECK_FALSE(fileBytes(ini).contains(secret.toUtf8()));
            const QStringList recent = Settings::instance()->recentStores();
            REQUIRE_FALSE(recent.isEmpty());
            CHECK(recent.first().contains(db.name()));
            CHECK_FALSE(recent.first().contains(secret));
        }
    }
    Settings::useFile({});
}

TEST_CASE(
    "PostgreSQL: a restarted server shows 'disconnected, retrying' and the view recovers", "[openpg][pg][restart]")
{
    const QString server = serverOrSkip();
    if (server.isEmpty())
        return;
    if (es::test::postgresControl().isEmpty()) {
        WARN("ES_TEST_PG_CTL is not set: GUI restart test skipped");
        return;
    }
    es::test::PgTestDatabase db(QStringLiteral("pgui"), {}, server);
    REQUIRE(db.ok());
    writeSampleStore(db.address(), SampleOptions { 3000, 9, QStringLiteral("messagedb") });
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    {
        MainWindow window;
        window.resize(1000, 700);
        window.show();
        openAndWait(window, db.address());
        EventView* view = window.eventView();
        auto* model = view->model();
        const int total = model->rowCount();
        REQUIRE(total >= 3000);
        view->selectRow(1500);
        const auto selected = loadedEvent(model, 1500);
        REQUIRE(selected);
        REQUIRE(view->currentEvent());
        const int scroll = view->table()->verticalScrollBar()->value();
        REQUIRE(scroll > 0);

        es::test::restartPostgres();

        // The next read (F5) on the dropped connection fails; the window says so and keeps retrying on its own.
        view->refresh();
        bool sawDisconnected = false;
        QString bannerText;
        const bool recovered = waitFor(
            [&] {
                if (window.isDisconnected()) {
                    sawDisconnected = true;
                    bannerText = window.banner()->text();
                }
                return sawDisconnected && !window.isDisconnected();
            },
            60000);
        REQUIRE(sawDisconnected);
        CHECK(bannerText.contains(QLatin1String("Disconnected from")));
        CHECK(bannerText.contains(QLatin1String("retrying")));
        REQUIRE(recovered);
        CHECK(window.banner()->isHidden());
        REQUIRE(waitFor([&] { return !model->isLoading() && model->rowCount() == total; }, Timeout));
        REQUIRE(waitFor([&] { return view->currentEvent().has_value(); }, Timeout));
        CHECK(view->currentEvent()->position == selected->position);
        CHECK(view->table()->verticalScrollBar()->value() == scroll);
    }
    Settings::useFile({});
}

TEST_CASE("Test Connection says what the address opens, or why not, and keeps nothing", "[openpg][testconnection]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    const QString file = dir.filePath(QStringLiteral("store.sqlite"));
    writeSampleStore(file, SampleOptions { 300, 3, QStringLiteral("emmett") });
    OpenStoreDialog dialog(dir.path());
    auto* test = dialog.findChild<QPushButton*>(QStringLiteral("testConnection"));
    REQUIRE(test);
    QLabel* result = dialog.testResult();
    const auto tested = [&](const QString& expect) {
        test->click();
        return waitFor([&] { return result->text().contains(expect); }, Timeout);
    };

    dialog.setAddress(file);
    REQUIRE(tested(QStringLiteral("Connected")));
    CHECK(result->text().contains(QStringLiteral("Emmett")));
    CHECK(result->text().contains(QStringLiteral("positions 1 to 300")));
    CHECK(Settings::instance()->recentStores().isEmpty()); // a test opens nothing for good

    dialog.setAddress(dir.filePath(QStringLiteral("missing.sqlite")));
    REQUIRE(tested(QStringLiteral("Could not open it")));

    const QString server = serverOrSkip();
    if (!server.isEmpty()) {
        // A wrong password over TCP (the test servers ask for one there): said as such, and the password not echoed.
        const QString port = server.section(QStringLiteral("port="), 1).section(u' ', 0, 0);
        const QString secret = QStringLiteral("Wr0ng-S3cret");
        dialog.setAddress(QStringLiteral("host=127.0.0.1 port=%1 dbname=postgres user=es_nobody_%2 password=%3")
                              .arg(port)
                              .arg(QCoreApplication::applicationPid())
                              .arg(secret));
        REQUIRE(tested(QStringLiteral("✘")));
        CHECK(result->text().contains(QStringLiteral("password")));
        CHECK_FALSE(result->text().contains(secret));
        es::test::PgTestDatabase db(QStringLiteral("testconn"), {}, server);
        REQUIRE(db.ok());
        writeSampleStore(db.address(), SampleOptions { 500, 3, QStringLiteral("messagedb") });
        dialog.setAddress(db.address());
        REQUIRE(tested(QStringLiteral("Connected")));
        CHECK(result->text().contains(QStringLiteral("Message DB")));
    }
    Settings::useFile({});
}
