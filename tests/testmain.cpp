#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "connectors.h"
#include "core/event.h"
#include "store/eventstore.h"

#include <QApplication>
#include <QTemporaryDir>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // The summary cache of the code under test (and of the programs it runs) is a file of the run, never the user's.
    QTemporaryDir cacheDir;
    if (qEnvironmentVariableIsEmpty("ES_SUMMARY_CACHE"))
        qputenv("ES_SUMMARY_CACHE", cacheDir.filePath(QStringLiteral("summaries.sqlite")).toUtf8());
    // So is anything else kept in the cache folder (a case file's reducer).
    if (qEnvironmentVariableIsEmpty("XDG_CACHE_HOME"))
        qputenv("XDG_CACHE_HOME", cacheDir.filePath(QStringLiteral("xdg-cache")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("EventScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("eventscope-tests"));
    qRegisterMetaType<es::Event>();
    qRegisterMetaType<es::StoreInfo>();
    es::registerConnectors();
    return Catch::Session().run(argc, argv);
}
