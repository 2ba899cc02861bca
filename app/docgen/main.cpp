// eventscope-docgen: writes the man pages and the shell completions of eventscope and eventscope-cli from what the
// built programs print for --help, so the documents say exactly what the parsers accept. Run by the build.
#include "completions.h"
#include "helpdoc.h"
#include "manpage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QSaveFile>

#include <cstdio>
#include <cstdlib>

using namespace es::docgen;

namespace {

[[noreturn]] void fail(const QString& message)
{
    std::fprintf(stderr, "eventscope-docgen: %s\n", qPrintable(message));
    std::exit(1);
}

QString output(const QString& program, const QStringList& arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        fail(QStringLiteral("%1 %2 failed: %3")
                 .arg(program, arguments.join(QLatin1Char(' ')),
                     QString::fromLocal8Bit(process.readAllStandardError())));
    return QString::fromUtf8(process.readAllStandardOutput());
}

HelpDoc help(const QString& program, const QStringList& arguments)
{
    HelpDoc doc;
    QString error;
    if (!parseHelp(output(program, arguments), &doc, &error))
        fail(QStringLiteral("%1 %2: %3").arg(program, arguments.join(QLatin1Char(' ')), error));
    return doc;
}

void write(const QString& path, const QString& text)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit())
        fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
}

ProgramDoc program(const QString& path, const QString& name, const QString& source)
{
    ProgramDoc doc;
    doc.name = name;
    doc.source = source;
    doc.version = output(path, { QStringLiteral("--version") }).trimmed();
    doc.help = help(path, { QStringLiteral("--help") });
    return doc;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Writes eventscope.1, eventscope-cli.1, eventscope-cli.bash and "
                                                    "_eventscope-cli (zsh) from the programs' --help."));
    parser.addHelpOption();
    const QCommandLineOption gui(
        QStringLiteral("gui"), QStringLiteral("The eventscope program."), QStringLiteral("FILE"));
    const QCommandLineOption cli(
        QStringLiteral("cli"), QStringLiteral("The eventscope-cli program."), QStringLiteral("FILE"));
    const QCommandLineOption out(
        QStringLiteral("out"), QStringLiteral("The folder to write to."), QStringLiteral("DIR"));
    parser.addOptions({ gui, cli, out });
    parser.process(app);
    if (!parser.isSet(gui) || !parser.isSet(cli) || !parser.isSet(out))
        parser.showHelp(2);
    const QDir dir(parser.value(out));
    if (!QDir().mkpath(dir.path()))
        fail(QStringLiteral("cannot create %1").arg(dir.path()));

    ProgramDoc guiDoc = program(parser.value(gui), QStringLiteral("eventscope"), QString());
    guiDoc.source = guiDoc.version; // "EventScope 0.1.0"
    guiDoc.seeAlso = { QStringLiteral("eventscope-cli(1)") };

    ProgramDoc cliDoc = program(parser.value(cli), QStringLiteral("eventscope-cli"), guiDoc.source);
    cliDoc.seeAlso = { QStringLiteral("eventscope(1)") };
    // The commands are the ones the program's own help lists; each is then asked for its options.
    const DescriptionList* commands = cliDoc.help.list(QStringLiteral("Commands"));
    if (!commands || commands->items.isEmpty())
        fail(QStringLiteral("eventscope-cli --help has no \"Commands:\" list"));
    for (const HelpEntry& item : commands->items) {
        CommandDoc command;
        command.name = item.names.value(0);
        command.summary = item;
        command.help = help(parser.value(cli), { command.name, QStringLiteral("--help") });
        cliDoc.commands.append(command);
    }

    write(dir.filePath(QStringLiteral("eventscope.1")), manPage(guiDoc));
    write(dir.filePath(QStringLiteral("eventscope-cli.1")), manPage(cliDoc));
    write(dir.filePath(QStringLiteral("eventscope-cli.bash")), bashCompletion(cliDoc));
    write(dir.filePath(QStringLiteral("_eventscope-cli")), zshCompletion(cliDoc));
    return 0;
}
