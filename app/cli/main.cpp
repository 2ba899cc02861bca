#include "cliapplication.h"
#include "connectors.h"

#include <QCoreApplication>

#include <csignal>

int main(int argc, char** argv)
{
    // A closed pipe (`| head`) must show up as EPIPE on write, not kill the process mid-buffer.
    std::signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EVENTSCOPE_VERSION));
    es::registerConnectors();
    es::cli::CliApplication cli;
    return cli.run(QCoreApplication::arguments());
}
