#include "connectors.h"
#include "core/event.h"
#include "eventview.h"
#include "mainwindow.h"
#include "models/eventtablemodel.h"
#include "models/streamtreemodel.h"
#include "nav/place.h"
#include "navigationcontroller.h"
#include "settings.h"
#include "singleinstance.h"
#include "store/eventstore.h"
#include "store/storesession.h"
#include "streambrowser.h"
#include "themecontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QUrl>

#include <cstdio>
#include <memory>

namespace {

// --screenshot: waits until the first page and the stream tree are shown, selects an event, saves the window and quits.
void scheduleScreenshot(es::MainWindow* window, const QString& path)
{
    auto* timer = new QTimer(window);
    auto* clock = new QElapsedTimer;
    clock->start();
    auto stage = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, window, [window, path, timer, clock, stage] {
        auto* model = window->eventView()->model();
        const bool timedOut = clock->elapsed() > 30000;
        if (*stage == 0) {
            const bool ready = window->session() && !window->session()->isBusy() && model->rowCount() > 0
                && !model->isLoading() && window->streamBrowser()->model()->rowCount() > 0;
            if (!ready && !timedOut)
                return;
            if (ready) {
                auto* tree = window->streamBrowser()->tree();
                tree->expand(tree->model()->index(0, 0));
                window->eventView()->selectRow(qMin(32, model->rowCount() - 1));
            }
            *stage = 1;
            return;
        }
        if (window->session() && window->session()->isBusy() && !timedOut)
            return;
        if (*stage < 4) { // a few more ticks so expanded items and the inspector paint
            ++*stage;
            return;
        }
        timer->stop();
        const bool saved = window->grab().save(path);
        std::fprintf(stderr, "%s %s\n", saved ? "saved" : "could not save", qPrintable(path));
        delete clock;
        QCoreApplication::exit(saved ? 0 : 1);
    });
    timer->start(200);
}

// --help and --version answer before QApplication exists: it needs a display, and packaging scripts, `man` page
// generation and users on a plain terminal ask without one. Anything else (Qt's own -platform ..., a bad option)
// goes on to QApplication and parser.process() as usual.
void answerHelpOrVersion(QCommandLineParser& parser, int argc, char** argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (!parser.parse(arguments))
        return;
    const bool help = parser.isSet(QStringLiteral("help")) && !parser.isSet(QStringLiteral("help-all"));
    if (!help && !parser.isSet(QStringLiteral("version")))
        return;
    QCoreApplication core(argc, argv);
    parser.process(core); // prints and exits
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("EventScope"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("eventscope.io"));
    QCoreApplication::setApplicationName(QStringLiteral("EventScope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A read-only inspector for event-sourced stores.\n\n"
                       "Opens the store at ADDRESS (or none) in a window: streams by category, the global log, each "
                       "event's data and metadata, filters, time travel through a stream's states, projection lag "
                       "and activity. Nothing is ever written to the store. eventscope-cli reads the same stores "
                       "from scripts."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("address"),
        QStringLiteral("The store to open: a SQLite file, sqlite:///path or postgresql://...; or an eventscope:// "
                       "link, which a window already running takes over (one per user)."),
        QStringLiteral("[ADDRESS|LINK]"));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
        QStringLiteral("Use this store layout instead of detecting it."), QStringLiteral("NAME"));
    const QCommandLineOption mappingOption(QStringLiteral("mapping"),
        QStringLiteral("A JSON mapping file describing a custom single-table layout."), QStringLiteral("FILE"));
    const QCommandLineOption settingsOption(QStringLiteral("settings"),
        QStringLiteral("Read and write settings in this INI file instead of the user's settings "
                       "(also EVENTSCOPE_SETTINGS)."),
        QStringLiteral("FILE"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
        QStringLiteral("Save the window as an image once the first page is shown, then quit."), QStringLiteral("FILE"));
    parser.addOptions({ profileOption, mappingOption, settingsOption, screenshotOption });
    answerHelpOrVersion(parser, argc, argv);

    QApplication app(argc, argv);
    QGuiApplication::setDesktopFileName(QStringLiteral("io.eventscope.EventScope"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("EventScope"));
    parser.process(app);

    if (parser.positionalArguments().size() > 1)
        parser.showHelp(1);
    if (parser.isSet(settingsOption))
        es::Settings::useFile(parser.value(settingsOption));
    es::ThemeController::instance(); // the chosen theme, before the first window

    qRegisterMetaType<es::Event>();
    qRegisterMetaType<es::StoreInfo>();
    es::registerConnectors();

    QString argument = parser.positionalArguments().value(0);
    if (argument.startsWith(QLatin1String("file://"), Qt::CaseInsensitive))
        argument = QUrl(argument).toLocalFile(); // the desktop entry's %u passes files as file:// URLs
    const bool link = es::PlaceLink::looksLikeLink(argument);
    es::SingleInstance instance;
    if (link && !parser.isSet(screenshotOption) && es::SingleInstance::send(instance.name(), argument))
        return 0;

    es::MainWindow window;
    window.show();
    instance.listen();
    QObject::connect(&instance, &es::SingleInstance::messageReceived, &window, [&window](const QString& message) {
        window.navigation()->openLink(message);
        window.raise();
        window.activateWindow();
    });
    if (link) {
        window.navigation()->openLink(argument);
    } else if (!argument.isEmpty()) {
        es::OpenOptions options;
        options.profile = parser.value(profileOption);
        options.mappingFile = parser.value(mappingOption);
        window.openStore(argument, options);
    }
    if (parser.isSet(screenshotOption))
        scheduleScreenshot(&window, parser.value(screenshotOption));
    return app.exec();
}
