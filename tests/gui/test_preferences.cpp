#include <catch2/catch.hpp>

#include "aboutdialog.h"
#include "cache/summarycache.h"
#include "connectors.h"
#include "display/timeformat.h"
#include "mainwindow.h"
#include "openstoredialog.h"
#include "passwordvault.h"
#include "preferencesdialog.h"
#include "savedconnectionsbar.h"
#include "settings.h"
#include "shortcutsdialog.h"
#include "store/storeregistry.h"
#include "testutils.h"
#include "themecontroller.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>

using namespace es;
using es::test::waitFor;

namespace {

// The tests never touch a real keyring: they run as CI does, with none.
void noKeyring()
{
    qputenv("EVENTSCOPE_KEYRING", "off");
    REQUIRE(PasswordVault::instance()->state() == PasswordVault::State::Unavailable);
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct EnvVar {
    QByteArray name;
    QByteArray old;
    bool had;
    EnvVar(const char* n, const QByteArray& value)
        : name(n)
        , old(qgetenv(n))
        , had(qEnvironmentVariableIsSet(n))
    {
        qputenv(n, value);
    }
    ~EnvVar()
    {
        if (had)
            qputenv(name.constData(), old);
        else
            qunsetenv(name.constData());
    }
};

} // namespace

TEST_CASE("Saved connections keep everything but the password, which needs a keyring", "[preferences][keyring]")
{
    noKeyring();
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    Settings::useFile(ini);
    const QString secret = QStringLiteral("pw-Secret-42");
    {
        OpenStoreDialog dialog(dir.path());
        PgConnectionFields f;
        f.host = QStringLiteral("db.example.com");
        f.port = QStringLiteral("5433");
        f.database = QStringLiteral("orders");
        f.user = QStringLiteral("alice");
        f.password = secret;
        f.sslMode = QStringLiteral("require");
        f.schema = QStringLiteral("events");
        dialog.setPostgresFields(f);
        SavedConnectionsBar* bar = dialog.savedConnections();
        REQUIRE(bar);
        CHECK(bar->note().contains(QLatin1String("No keyring answers")));
        QSignalSpy done(bar, &SavedConnectionsBar::keyringDone);
        bar->saveAs(QStringLiteral("orders prod"));
        REQUIRE(done.count() == 1);
        CHECK(bar->note().contains(QLatin1String("without its password")));
        CHECK(bar->note().contains(QLatin1String("~/.pgpass")));
    }
    Settings::instance()->sync();
    const QByteArray written = fileBytes(ini);
    CHECK(written.contains("db.example.com"));
    CHECK(written.contains("orders prod"));
    CHECK_FALSE(written.contains(secret.toUtf8()));
    CHECK_FALSE(written.contains("password"));

    OpenStoreDialog again(dir.path());
    SavedConnectionsBar* bar = again.savedConnections();
    REQUIRE(bar->combo()->findData(QStringLiteral("orders prod")) > 0);
    QSignalSpy done(bar, &SavedConnectionsBar::keyringDone);
    bar->select(QStringLiteral("orders prod"));
    REQUIRE(done.count() == 1);
    const PgConnectionFields back = again.postgresFields();
    CHECK(back.host == QStringLiteral("db.example.com"));
    CHECK(back.port == QStringLiteral("5433"));
    CHECK(back.user == QStringLiteral("alice"));
    CHECK(back.sslMode == QStringLiteral("require"));
    CHECK(back.schema == QStringLiteral("events"));
    CHECK(back.password.isEmpty()); // asked for again: no keyring kept it
    CHECK(again.address().contains(QLatin1String("host=db.example.com")));
    CHECK(again.address().contains(QLatin1String("sslmode=require")));

    bar->removeCurrent();
    CHECK(bar->combo()->findData(QStringLiteral("orders prod")) < 0);
    Settings::instance()->sync();
    CHECK_FALSE(fileBytes(ini).contains("db.example.com"));
}

TEST_CASE("Services of pg_service.conf are offered, and libpq resolves the one chosen", "[preferences][pgservice]")
{
    noKeyring();
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    QString host = QStringLiteral("/tmp"), port = QStringLiteral("5432");
    for (const QString& part : es::test::postgresAddress().split(u' ', Qt::SkipEmptyParts)) {
        if (part.startsWith(QLatin1String("host=")))
            host = part.mid(5);
        if (part.startsWith(QLatin1String("port=")))
            port = part.mid(5);
    }
    const QString file = dir.filePath(QStringLiteral("pg_service.conf"));
    {
        QFile f(file);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("# a comment\n[es_test_svc]\nhost=%1\nport=%2\nuser=postgres\ndbname=postgres\n\n"
                               "[es_broken_svc]\nno_such_keyword=1\n")
                    .arg(host, port)
                    .toUtf8());
    }
    EnvVar serviceFile("PGSERVICEFILE", file.toUtf8());
    EnvVar sysconf("PGSYSCONFDIR", dir.filePath(QStringLiteral("none")).toUtf8());

    const QList<PgServiceEntry> services = postgresServices();
    REQUIRE(services.size() == 2);
    CHECK(services[0].name == QStringLiteral("es_test_svc"));
    CHECK(services[0].file == file);
    CHECK(services[0].settings.size() == 4);
    CHECK(services[0].problem.isEmpty());
    CHECK(services[1].name == QStringLiteral("es_broken_svc"));
    CHECK(services[1].problem.contains(QLatin1String("no_such_keyword"))); // PQconninfoParse's own verdict

    OpenStoreDialog dialog(dir.path());
    dialog.showPostgresForm();
    auto* service = dialog.findChild<QComboBox*>(QStringLiteral("pgService"));
    REQUIRE(service);
    REQUIRE(service->findData(QStringLiteral("es_test_svc")) > 0);
    service->setCurrentIndex(service->findData(QStringLiteral("es_test_svc")));
    CHECK(dialog.findChild<QLineEdit*>(QStringLiteral("pgHost"))->placeholderText().contains(host));
    const QString address = dialog.address();
    CHECK(address == QStringLiteral("service=es_test_svc"));

    ES_REQUIRE_PG("connecting through a service");
    // libpq itself reads the file: the tables of the service's database open.
    auto tables = StoreRegistry::openTables(address);
    CHECK(tables != nullptr);
}

TEST_CASE("Preferences write the settings and switch the theme; charts and icons follow", "[preferences][theme]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    ThemeController* theme = ThemeController::instance();
    theme->apply(QStringLiteral("system"));
    const bool startedDark = theme->isDark();

    QChartView view(new QChart);
    auto* axis = new QValueAxis;
    view.chart()->addAxis(axis, Qt::AlignLeft);
    view.resize(300, 200);
    view.show();
    QApplication::processEvents();

    PreferencesDialog dialog;
    dialog.findChild<QDoubleSpinBox*>(QStringLiteral("pollSeconds"))->setValue(7.5);
    dialog.findChild<QSpinBox*>(QStringLiteral("caughtUpEvents"))->setValue(12);
    dialog.findChild<QSpinBox*>(QStringLiteral("foldMemoryMiB"))->setValue(100);
    auto* themeBox = dialog.findChild<QComboBox*>(QStringLiteral("theme"));
    themeBox->setCurrentIndex(themeBox->findData(QStringLiteral("dark")));
    // The time zone row: the stream browser's controller registers its field when a main window is made.
    {
        MainWindow window;
        PreferencesDialog withWindow;
        auto* zone = withWindow.findChild<QComboBox*>(QStringLiteral("timesZone"));
        REQUIRE(zone);
        zone->setCurrentIndex(1);
        Q_EMIT zone->activated(1);
        CHECK_FALSE(TimeFormat::instance()->isUtc());
        CHECK_FALSE(Settings::instance()->timesInUtc());
        zone->setCurrentIndex(0);
        Q_EMIT zone->activated(0);
        CHECK(TimeFormat::instance()->isUtc());
    }
    CHECK_FALSE(dialog.findChild<QLabel*>(QStringLiteral("cacheFolder"))->text().isEmpty());
    dialog.apply();

    Settings* settings = Settings::instance();
    CHECK(settings->lagPollSeconds() == 7.5);
    CHECK(settings->lagCaughtUpEvents() == 12);
    CHECK(settings->foldMemoryBudgetBytes() == 100LL * 1024 * 1024);
    CHECK(settings->snapshotBudgetBytes() == 64LL * 1024 * 1024); // untouched fields keep their value
    CHECK(settings->theme() == QStringLiteral("dark"));
    CHECK(theme->isDark());
    CHECK(QApplication::style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) == 0);
    CHECK(view.chart()->backgroundBrush().color() == ThemeController::darkPalette().color(QPalette::Base));
    CHECK(axis->labelsColor() == ThemeController::darkPalette().color(QPalette::Text));

    // A bundled icon is drawn in the palette's text colour: light on dark.
    const QImage icon = ThemeController::icon(QStringLiteral("go-home")).pixmap(24, 24).toImage();
    int lightPixels = 0;
    for (int y = 0; y < icon.height(); ++y) {
        for (int x = 0; x < icon.width(); ++x) {
            const QColor c = icon.pixelColor(x, y);
            lightPixels += c.alpha() > 200 && c.lightness() > 180;
        }
    }
    CHECK(lightPixels > 10);

    settings->setTheme(QStringLiteral("light"));
    CHECK_FALSE(theme->isDark());
    CHECK(view.chart()->backgroundBrush().color().lightness() > 200);
    settings->setTheme(QStringLiteral("system"));
    CHECK(theme->isDark() == startedDark);
}

TEST_CASE("Help lists every shortcut from the actions; About names the libraries", "[preferences][help]")
{
    QTemporaryDir dir;
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    MainWindow window;
    const QList<ShortcutsDialog::Entry> entries = ShortcutsDialog::collect(&window);
    const auto find = [&](const QString& action) {
        for (const auto& e : entries) {
            if (e.action == action)
                return e;
        }
        return ShortcutsDialog::Entry {};
    };
    CHECK(find(QStringLiteral("Open Store")).shortcut
        == QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText));
    CHECK(find(QStringLiteral("Open Store")).where == QStringLiteral("File"));
    CHECK(find(QStringLiteral("Preferences")).shortcut == QStringLiteral("Ctrl+,"));
    CHECK(find(QStringLiteral("Preferences")).where == QStringLiteral("Tools"));
    CHECK(find(QStringLiteral("Time Travel")).shortcut == QStringLiteral("Ctrl+T"));
    CHECK(find(QStringLiteral("Keyboard Shortcuts")).where == QStringLiteral("Help"));
    for (const auto& e : entries)
        CHECK_FALSE(e.shortcut.isEmpty());

    ShortcutsDialog dialog(&window);
    CHECK(dialog.visibleRows() == entries.size());
    dialog.search()->setText(QStringLiteral("prefer"));
    CHECK(dialog.visibleRows() == 1);
    dialog.search()->setText(QStringLiteral("ctrl+shift"));
    CHECK(dialog.visibleRows() >= 2);

    const auto versions = AboutDialog::versions();
    QStringList names;
    for (const auto& [name, version] : versions) {
        names.append(name);
        CHECK_FALSE(version.isEmpty());
    }
    CHECK(names
        == QStringList { QStringLiteral("Qt"), QStringLiteral("SQLite"), QStringLiteral("libpq"),
            QStringLiteral("libpqxx"), QStringLiteral("QtKeychain") });
    CHECK(versions.front().second == QString::fromLatin1(qVersion()));
    AboutDialog about;
    CHECK(about.findChild<QLabel*>(QStringLiteral("aboutLinks"))->text().contains(QLatin1String("GPL")));
}

TEST_CASE("Preferences choose the fonts and move the summary cache; Default goes back", "[preferences][fonts]")
{
    QTemporaryDir dir;
    const EnvVar noOverride("ES_SUMMARY_CACHE", QByteArray());
    qunsetenv("ES_SUMMARY_CACHE");
    Settings::useFile(dir.filePath(QStringLiteral("settings.ini")));
    ThemeController::instance();
    Settings* settings = Settings::instance();
    const QFont desktop = QApplication::font();
    const QString defaultPath = SummaryCache::defaultPath();

    QPlainTextEdit payload;
    ThemeController::useMonospace(&payload);
    CHECK(payload.font() == QFontDatabase::systemFont(QFontDatabase::FixedFont));

    // The fonts: the interface's for every widget, the monospace one for the payload views, now and after a change.
    QFont big = desktop;
    big.setPointSize(desktop.pointSize() + 5);
    QFont mono(QStringLiteral("DejaVu Sans Mono"), 15);
    settings->setFonts(big.toString(), mono.toString());
    CHECK(QApplication::font().pointSize() == big.pointSize());
    CHECK(payload.font().pointSize() == 15);
    QLabel later(QStringLiteral("made after the change"));
    CHECK(later.font().pointSize() == big.pointSize());
    {
        PreferencesDialog dialog;
        auto* interfaceButton = dialog.findChild<QPushButton*>(QStringLiteral("interfaceFont"));
        auto* monoButton = dialog.findChild<QPushButton*>(QStringLiteral("monospaceFont"));
        REQUIRE(interfaceButton);
        REQUIRE(monoButton);
        CHECK(monoButton->text().contains(QStringLiteral("15 pt")));
        CHECK(monoButton->font().pointSize() == 15);
        dialog.findChild<QPushButton*>(QStringLiteral("interfaceFontDefault"))->click();
        dialog.findChild<QPushButton*>(QStringLiteral("monospaceFontDefault"))->click();
        CHECK(monoButton->text().contains(QStringLiteral("the desktop's")));
        dialog.apply();
    }
    CHECK(settings->interfaceFont().isEmpty());
    CHECK(settings->monospaceFont().isEmpty());
    CHECK(QApplication::font() == desktop);
    CHECK(payload.font() == QFontDatabase::systemFont(QFontDatabase::FixedFont));

    // The cache folder: kept in the settings, used by every cache opened from then on, shown in the dialog.
    const QString moved = dir.filePath(QStringLiteral("elsewhere"));
    settings->setCacheFolder(moved);
    CHECK(SummaryCache::defaultPath() == moved + QStringLiteral("/summaries.sqlite"));
    {
        SummaryCache cache;
        REQUIRE(cache.isOpen());
        CHECK(QFileInfo::exists(moved + QStringLiteral("/summaries.sqlite")));
    }
    {
        PreferencesDialog dialog;
        auto* folder = dialog.findChild<QLabel*>(QStringLiteral("cacheFolder"));
        CHECK(folder->text().contains(QStringLiteral("elsewhere")));
        dialog.findChild<QPushButton*>(QStringLiteral("defaultCacheFolder"))->click();
        CHECK(folder->text().contains(QStringLiteral("from OK on")));
        dialog.apply();
    }
    CHECK(settings->cacheFolder().isEmpty());
    CHECK(SummaryCache::defaultPath() == defaultPath);
    // A settings file that names a folder moves the cache as it is read.
    {
        QSettings ini(dir.filePath(QStringLiteral("other.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("cache/folder"), moved);
    }
    Settings::useFile(dir.filePath(QStringLiteral("other.ini")));
    CHECK(SummaryCache::defaultPath() == moved + QStringLiteral("/summaries.sqlite"));
    Settings::useFile({});
    SummaryCache::setFolder({});
}
