#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "connectors.h"
#include "core/event.h"
#include "store/eventstore.h"

#include <QApplication>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("EventScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("eventscope-tests"));
    qRegisterMetaType<es::Event>();
    qRegisterMetaType<es::StoreInfo>();
    es::registerConnectors();
    return Catch::Session().run(argc, argv);
}
