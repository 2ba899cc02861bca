// Case files and links driven through the GUI as a user does: the Save Case dialog keeps the store's saved views and
// the reducer time travel uses, opening the case brings both back; a link to a PostgreSQL store that asks for a
// password prompts for it (again after a wrong one) and never keeps it.
#include <catch2/catch.hpp>

#include "casecontroller.h"
#include "eventview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagebanner.h"
#include "models/eventtablemodel.h"
#include "nav/place.h"
#include "navigationcontroller.h"
#include "samplewriter.h"
#include "settings.h"
#include "store/storeregistry.h"
#include "testutils.h"
#include "timetravelwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QInputDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <functional>

using namespace es;
using es::test::waitFor;

namespace {

constexpr int Timeout = 30000;

bool settled(MainWindow& window)
{
    auto* model = window.eventView()->model();
    return !model->isLoading() && model->rowCount() > 0;
}

void openAndWait(MainWindow& window, const QString& address)
{
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    window.openStore(address);
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor([&] { return settled(window); }, Timeout));
}

// Answers the next modal dialog of the given class when it shows (as a user would), from the event loop.
template <typename Dialog> void whenShown(std::function<void(Dialog*)> answer)
{
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, answer] {
        if (auto* dialog = qobject_cast<Dialog*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            answer(dialog);
        }
    });
    timer->start();
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString valueOf(const QString& address, const QString& key)
{
    for (const QString& part : address.split(u' ', Qt::SkipEmptyParts))
        if (part.startsWith(key + u'='))
            return part.mid(key.size() + 1);
    return {};
}

} // namespace

TEST_CASE(
    "Save Case keeps the saved views and the time-travel reducer; opening the case restores both", "[gui][casefile]")
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    Settings::useFile(ini);
    const QString store = dir.filePath(QStringLiteral("store.sqlite"));
    writeSampleStore(store, SampleOptions { 600, 5, QStringLiteral("emmett") });
    const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));

    QString stream;
    QString type;
    {
        MainWindow window;
        window.show();
        window.navigation()->setAskBeforeOpening(false);
        openAndWait(window, store);
        const auto first = window.eventView()->model()->eventAt(0);
        REQUIRE(first);
        stream = first->stream;
        type = first->type;
        window.eventView()->filterBar()->setTypes(type);
        window.eventView()->applyFilter();
        REQUIRE(waitFor([&] { return settled(window); }, Timeout));
        REQUIRE(window.navigation()->saveView(QStringLiteral("Openings")));

        // Time travel open with a sample reducer: the dialog proposes it.
        TimeTravelWindow* travel = window.openTimeTravel(stream);
        REQUIRE(travel);
        travel->selectReducer(QStringLiteral(":/reducers/orders.js"));

        bool viewsOffered = false;
        QString reducerOffered;
        whenShown<QDialog>([&](QDialog* dialog) {
            auto* views = dialog->findChild<QCheckBox*>(QStringLiteral("caseViews"));
            auto* reducer = dialog->findChild<QComboBox*>(QStringLiteral("caseReducer"));
            auto* path = dialog->findChild<QLineEdit*>(QStringLiteral("casePath"));
            viewsOffered = views && views->isEnabled() && views->isChecked();
            reducerOffered = reducer ? reducer->currentData().toString() : QString();
            if (path)
                path->setText(casePath);
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
        });
        QSignalSpy saved(window.caseController(), &CaseController::caseSaved);
        window.caseController()->saveCaseDialog();
        REQUIRE(saved.wait(Timeout));
        CHECK(viewsOffered);
        CHECK(reducerOffered == QLatin1String(":/reducers/orders.js"));
        travel->close();
    }

    const CaseContents kept = CaseFile::read(casePath);
    REQUIRE(kept.views.size() == 1);
    CHECK(kept.views.front().name == QLatin1String("Openings"));
    CHECK(kept.reducerName == QLatin1String("orders.js"));
    CHECK(kept.reducerSource.toUtf8() == fileBytes(QStringLiteral(":/reducers/orders.js")));

    // A fresh window (and settings that never saw the case) opens the case: views and reducer come back.
    Settings::useFile(dir.filePath(QStringLiteral("other.ini")));
    MainWindow window;
    window.show();
    QSignalSpy shown(window.caseController(), &CaseController::placesShown);
    openAndWait(window, casePath);
    REQUIRE(waitFor([&] { return shown.count() == 1; }, Timeout));
    auto* list = window.caseController()->dock()->findChild<QListWidget*>();
    REQUIRE(list);
    QStringList rows;
    for (int i = 0; i < list->count(); ++i)
        rows.append(list->item(i)->text());
    CHECK(rows.contains(QLatin1String("Saved view: Openings")));
    CHECK(rows.filter(QStringLiteral("Reducer: orders.js")).size() == 1);

    const QList<SavedView> views = window.navigation()->savedPlaces().views(casePath);
    REQUIRE(views.size() == 1);
    CHECK(views.first().place.store == PlaceLink::storeOf(casePath));

    // Activating the view applies its filter to the case's events.
    const int viewRow = int(rows.indexOf(QStringLiteral("Saved view: Openings")));
    Q_EMIT list->itemActivated(list->item(viewRow));
    REQUIRE(
        waitFor([&] { return settled(window) && window.eventView()->model()->filter().types == QStringList { type }; },
            Timeout));

    // Time travel on the case starts with the case's reducer, kept in the cache folder.
    TimeTravelWindow* travel = window.openTimeTravel(stream);
    REQUIRE(travel);
    const QString key = travel->currentReducerKey();
    CHECK(key.endsWith(QLatin1String("/orders.js")));
    CHECK(key == window.caseController()->reducerKey());
    CHECK(fileBytes(key) == fileBytes(QStringLiteral(":/reducers/orders.js")));
    travel->close();
    Settings::useFile({});
}

TEST_CASE("A link to a PostgreSQL store that asks for a password prompts for it, again after a wrong one",
    "[gui][nav][pg][password]")
{
    const QString server = es::test::postgresAddress();
    if (server.isEmpty()) {
        WARN("ES_TEST_PG is not set: skipped");
        return;
    }
    es::test::PgTestDatabase db(QStringLiteral("linkpw"));
    REQUIRE(db.ok());
    writeSampleStore(db.address(), SampleOptions { 200, 3, QStringLiteral("messagedb") });
    const QString role = QStringLiteral("es_linkpw_%1").arg(QCoreApplication::applicationPid());
    const QString password = QStringLiteral("Link S3cret'pw");
    db.sql(QStringLiteral("DROP ROLE IF EXISTS %1; CREATE ROLE %1 LOGIN PASSWORD 'Link S3cret''pw'; "
                          "GRANT CONNECT ON DATABASE %2 TO %1; GRANT USAGE ON SCHEMA message_store TO %1; "
                          "GRANT SELECT ON ALL TABLES IN SCHEMA message_store TO %1")
               .arg(role, db.name()));
    struct DropRole {
        const es::test::PgTestDatabase& db;
        QString role;
        ~DropRole()
        {
            es::test::psql(db.address(),
                { QStringLiteral("-c"),
                    QStringLiteral("REASSIGN OWNED BY %1 TO CURRENT_USER; DROP OWNED BY %1; DROP ROLE %1").arg(role) });
        }
    } dropRole { db, role };

    // Over TCP to the same server: scripts/test's server (and the shared one) ask passwords there, not on the socket.
    const QString port = valueOf(server, QStringLiteral("port"));
    const QString tcp = QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3").arg(port, db.name(), role);
    // No ~/.pgpass may answer for the user: an empty password file of the test's own.
    QTemporaryDir passDir;
    const QString passFile = passDir.filePath(QStringLiteral("pgpass"));
    {
        QFile f(passFile);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    qputenv("PGPASSFILE", QFile::encodeName(passFile));
    {
        try {
            StoreRegistry::open(tcp);
            WARN("the test server does not ask for passwords over TCP: the prompt is not tested here");
            return;
        } catch (const std::exception&) { }
    }

    const QString ini = passDir.filePath(QStringLiteral("settings.ini"));
    Settings::useFile(ini);
    Place place;
    place.store = tcp;
    place.scope = Place::Scope::All;
    const QString link = PlaceLink::toLink(place);
    REQUIRE_FALSE(link.isEmpty());

    MainWindow window;
    window.show();
    window.navigation()->setAskBeforeOpening(false);
    QSignalSpy opened(&window, &MainWindow::storeOpened);
    int prompts = 0;
    QString secondPromptText;
    whenShown<QInputDialog>([&](QInputDialog* first) {
        ++prompts;
        CHECK(first->textEchoMode() == QLineEdit::Password);
        whenShown<QInputDialog>([&](QInputDialog* second) {
            ++prompts;
            secondPromptText = second->labelText();
            second->setTextValue(password);
            second->accept();
        });
        first->setTextValue(QStringLiteral("wrong-pw"));
        first->accept();
    });
    REQUIRE(window.navigation()->openLink(link));
    REQUIRE(waitFor([&] { return opened.count() == 1; }, Timeout));
    REQUIRE(waitFor([&] { return settled(window); }, Timeout));
    CHECK(prompts == 2);
    CHECK(secondPromptText.contains(QLatin1String("refused")));
    CHECK(window.storeInfo().eventCount != 0);
    CHECK_FALSE(window.windowTitle().contains(password));
    CHECK_FALSE(window.banner()->text().contains(password));
    CHECK_FALSE(window.navigation()->linkForView().contains(QLatin1String("S3cret")));
    Settings::instance()->sync();
    CHECK_FALSE(fileBytes(ini).contains("S3cret"));
    qunsetenv("PGPASSFILE");
    Settings::useFile({});
}
