#include <catch2/catch.hpp>

#include "testconfig.h"
#include "testutils.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

using es::test::runProcess;

// The man pages and completions are written by the build from the programs' --help (app/docgen). These tests read
// the help on their own, with nothing shared with the generator, and check that every command and option the
// programs take is in the documents.
namespace {

const QString cli = QStringLiteral(ES_CLI_PATH);
const QString gui = QStringLiteral(ES_GUI_PATH);
const QString docs = QStringLiteral(ES_DOCS_DIR);

QString runOk(const QString& program, const QStringList& args)
{
    QByteArray out;
    QByteArray err;
    const int code = runProcess(program, args, &out, &err);
    INFO(program.toStdString() << ' ' << args.join(QLatin1Char(' ')).toStdString() << ": " << err.constData());
    REQUIRE(code == 0);
    return QString::fromUtf8(out);
}

QString readDoc(const QString& name)
{
    QFile file(QDir(docs).filePath(name));
    INFO(file.fileName().toStdString());
    REQUIRE(file.open(QIODevice::ReadOnly));
    return QString::fromUtf8(file.readAll());
}

// Man page source as plain text: roff escapes for minus, fonts and backslash undone.
QString plain(QString roff)
{
    roff.replace(QLatin1String("\\-"), QLatin1String("-"));
    roff.remove(QRegularExpression(QStringLiteral("\\\\f[BIRP]")));
    roff.replace(QLatin1String("\\&"), QString());
    roff.replace(QLatin1String("\\e"), QLatin1String("\\"));
    return roff;
}

// The option spellings (-h, --help, --limit ...) of the Options: section of a --help text.
QStringList helpOptions(const QString& help)
{
    static const QRegularExpression spelling(QStringLiteral("(?:^|[ ,])(--?[A-Za-z0-9][A-Za-z0-9-]*)"));
    QStringList options;
    bool inOptions = false;
    for (const QString& line : help.split(QLatin1Char('\n'))) {
        if (line == QLatin1String("Options:")) {
            inOptions = true;
            continue;
        }
        if (inOptions && !line.startsWith(QLatin1Char(' ')))
            inOptions = false;
        if (!inOptions || !line.startsWith(QLatin1String("  -")))
            continue;
        const QString names = line.trimmed().section(QLatin1String("  "), 0, 0);
        for (auto it = spelling.globalMatch(names); it.hasNext();)
            options.append(it.next().captured(1));
    }
    return options;
}

// The commands listed under "Commands:" in eventscope-cli --help.
QStringList helpCommands(const QString& help)
{
    static const QRegularExpression item(QStringLiteral("^  ([a-z][a-z-]*) "));
    QStringList commands;
    bool inCommands = false;
    for (const QString& line : help.split(QLatin1Char('\n'))) {
        if (line == QLatin1String("Commands:")) {
            inCommands = true;
            continue;
        }
        if (inCommands && line.trimmed().isEmpty())
            break;
        if (const auto m = item.match(line); inCommands && m.hasMatch())
            commands.append(m.captured(1));
    }
    return commands;
}

// The commands the dispatcher names when it is given an unknown one: "(commands: info, streams, ...)". Empty (with a
// warning) if the message no longer has that shape: the Commands: list of --help is what the documents follow.
QStringList dispatcherCommands()
{
    QByteArray err;
    REQUIRE(runProcess(cli, { QStringLiteral("no-such-command"), QStringLiteral("store") }, nullptr, &err) == 2);
    const auto m = QRegularExpression(QStringLiteral("\\(commands: ([^)]*)\\)")).match(QString::fromUtf8(err));
    if (!m.hasMatch()) {
        WARN("the unknown-command message lists no commands: " << err.constData());
        return {};
    }
    return m.captured(1).split(QRegularExpression(QStringLiteral(",\\s*")), Qt::SkipEmptyParts);
}

// The text of a man page section whose header line starts with header ('.SH OPTIONS', '.SS "info'), up to the next
// header of that level.
QString section(const QString& man, const QString& header)
{
    const auto match
        = QRegularExpression(QStringLiteral("^") + QRegularExpression::escape(header) + QStringLiteral("[ \"\n]"),
            QRegularExpression::MultilineOption)
              .match(man);
    if (!match.hasMatch())
        return {};
    const qsizetype start = match.capturedStart();
    const QString level = header.left(4); // ".SH " or ".SS "
    qsizetype end = man.indexOf(QLatin1Char('\n') + level, start + header.size());
    if (level == QLatin1String(".SS ")) {
        const qsizetype sh = man.indexOf(QLatin1String("\n.SH "), start);
        if (sh >= 0 && (end < 0 || sh < end))
            end = sh;
    }
    return man.mid(start, end < 0 ? -1 : end - start);
}

QStringList bashComplete(const QStringList& words)
{
    const QString script = QStringLiteral("source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                                          "_eventscope_cli; printf '%s\\n' \"${COMPREPLY[@]}\"");
    QStringList args { QStringLiteral("-c"), script, QStringLiteral("bash"),
        QDir(docs).filePath(QStringLiteral("eventscope-cli.bash")) };
    args += words;
    return runOk(QStringLiteral("bash"), args).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

TEST_CASE("docs: --version of both programs names the project version, the GUI's with no display", "[cli][docs]")
{
    CHECK(runOk(cli, { QStringLiteral("--version") }) == QStringLiteral("eventscope-cli " ES_VERSION "\n"));
    // No DISPLAY, no WAYLAND_DISPLAY, no QT_QPA_PLATFORM: a QApplication would abort for want of a display.
    const QStringList bare { QStringLiteral("-u"), QStringLiteral("DISPLAY"), QStringLiteral("-u"),
        QStringLiteral("WAYLAND_DISPLAY"), QStringLiteral("-u"), QStringLiteral("QT_QPA_PLATFORM") };
    CHECK(runOk(QStringLiteral("env"), bare + QStringList { gui, QStringLiteral("--version") })
        == QStringLiteral("EventScope " ES_VERSION "\n"));
    const QString help = runOk(QStringLiteral("env"), bare + QStringList { gui, QStringLiteral("--help") });
    CHECK(help.startsWith(QLatin1String("Usage: ")));
    CHECK(help.contains(QLatin1String("--screenshot <FILE>")));
}

TEST_CASE("docs: eventscope-cli.1 has every command and every option the CLI takes", "[cli][docs]")
{
    const QString top = runOk(cli, { QStringLiteral("--help") });
    const QStringList commands = helpCommands(top);
    REQUIRE(commands.size() >= 8);
    REQUIRE(commands.contains(QStringLiteral("info")));
    REQUIRE(commands.contains(QStringLiteral("tail")));
    const QString man = plain(readDoc(QStringLiteral("eventscope-cli.1")));
    CHECK(man.contains(QLatin1String(".TH \"EVENTSCOPE-CLI\" 1 \"\" \"EventScope " ES_VERSION "\"")));

    // A command the dispatcher takes but the help does not list would be missing from the man page too.
    for (const QString& command : dispatcherCommands()) {
        INFO("command " << command.toStdString() << " is taken but not listed under Commands: in --help");
        CHECK(commands.contains(command));
    }

    const QString common = section(man, QStringLiteral(".SH OPTIONS"));
    REQUIRE(common.contains(QLatin1String("--help")));
    QSet<QString> documented;
    for (const QString& command : commands) {
        const QString help = runOk(cli, { command, QStringLiteral("--help") });
        const QString own = section(man, QStringLiteral(".SS \"") + command);
        INFO("command " << command.toStdString());
        REQUIRE(!own.isEmpty());
        const QStringList options = helpOptions(help);
        REQUIRE(options.contains(QStringLiteral("--help")));
        for (const QString& option : options) {
            INFO("option " << option.toStdString());
            const QRegularExpression word(QStringLiteral("(^|[^A-Za-z0-9-])") + QRegularExpression::escape(option)
                    + QStringLiteral("($|[^A-Za-z0-9-])"),
                QRegularExpression::MultilineOption);
            CHECK((own.contains(word) || common.contains(word)));
            documented.insert(option);
        }
    }
    // The first pass takes every option of every command; each is documented under some command.
    for (const QString& option : helpOptions(top)) {
        INFO("option " << option.toStdString());
        CHECK(documented.contains(option));
    }
    CHECK(man.contains(QLatin1String(".SH \"EXIT CODES\"")));
}

TEST_CASE("docs: eventscope.1 has every option of the GUI", "[cli][docs]")
{
    const QString man = plain(readDoc(QStringLiteral("eventscope.1")));
    const QString options = section(man, QStringLiteral(".SH OPTIONS"));
    const QStringList spellings = helpOptions(runOk(gui, { QStringLiteral("--help") }));
    REQUIRE(spellings.contains(QStringLiteral("--profile")));
    for (const QString& option : spellings) {
        INFO("option " << option.toStdString());
        CHECK(options.contains(option));
    }
}

TEST_CASE("docs: the man pages render without a groff warning", "[cli][docs]")
{
    if (!QFile::exists(QStringLiteral("/usr/bin/groff"))) {
        WARN("groff is not installed: not checked");
        return;
    }
    for (const QString& page : { QStringLiteral("eventscope.1"), QStringLiteral("eventscope-cli.1") }) {
        QByteArray out;
        QByteArray err;
        const int code = runProcess(QStringLiteral("groff"),
            { QStringLiteral("-man"), QStringLiteral("-Tutf8"), QStringLiteral("-ww"), QDir(docs).filePath(page) },
            &out, &err);
        INFO(page.toStdString() << ": " << err.constData());
        CHECK(code == 0);
        CHECK(err.isEmpty());
        CHECK(out.size() > 1000);
    }
}

TEST_CASE("docs: bash completion offers every command, each command's options, and files", "[cli][docs]")
{
    const QStringList commands = helpCommands(runOk(cli, { QStringLiteral("--help") }));
    REQUIRE(!commands.isEmpty());
    const QStringList offered = bashComplete({ QStringLiteral("eventscope-cli"), QString() });
    for (const QString& command : commands) {
        INFO("command " << command.toStdString());
        CHECK(offered.contains(command));
    }
    CHECK(bashComplete({ QStringLiteral("eventscope-cli"), QStringLiteral("ex") })
        == QStringList { QStringLiteral("export") });

    for (const QString& command : commands) {
        const QStringList options = bashComplete({ QStringLiteral("eventscope-cli"), command, QStringLiteral("-") });
        for (const QString& option : helpOptions(runOk(cli, { command, QStringLiteral("--help") }))) {
            INFO(command.toStdString() << ' ' << option.toStdString());
            CHECK(options.contains(option));
        }
    }
    // A value is skipped when finding the command: here the command is events, not "emmett".
    const QStringList afterValue = bashComplete({ QStringLiteral("eventscope-cli"), QStringLiteral("--profile"),
        QStringLiteral("emmett"), QStringLiteral("events"), QStringLiteral("--str") });
    CHECK(afterValue == QStringList { QStringLiteral("--stream") });

    QTemporaryDir dir;
    REQUIRE(QFile(dir.filePath(QStringLiteral("demo.sqlite"))).open(QIODevice::WriteOnly));
    const QString prefix = dir.filePath(QStringLiteral("de"));
    CHECK(bashComplete({ QStringLiteral("eventscope-cli"), QStringLiteral("info"), prefix })
        == QStringList { dir.filePath(QStringLiteral("demo.sqlite")) });
    CHECK(bashComplete({ QStringLiteral("eventscope-cli"), QStringLiteral("events"), QStringLiteral("store"),
              QStringLiteral("--mapping"), prefix })
        == QStringList { dir.filePath(QStringLiteral("demo.sqlite")) });
    // A value that is not a file gets no file names.
    CHECK(bashComplete({ QStringLiteral("eventscope-cli"), QStringLiteral("events"), QStringLiteral("store"),
                           QStringLiteral("--limit"), prefix })
              .isEmpty());
}

TEST_CASE("docs: zsh completion names every command and option", "[cli][docs]")
{
    const QString zsh = readDoc(QStringLiteral("_eventscope-cli"));
    CHECK(zsh.startsWith(QLatin1String("#compdef eventscope-cli\n")));
    const QStringList commands = helpCommands(runOk(cli, { QStringLiteral("--help") }));
    REQUIRE(!commands.isEmpty());
    for (const QString& command : commands) {
        const qsizetype start = zsh.indexOf(QLatin1String("\n        ") + command + QLatin1String(")\n"));
        INFO("command " << command.toStdString());
        REQUIRE(start >= 0);
        CHECK(zsh.contains(QLatin1String("'") + command + QLatin1Char(':')));
        const qsizetype end = zsh.indexOf(QLatin1String(";;"), start);
        const QString block = zsh.mid(start, end - start);
        for (const QString& option : helpOptions(runOk(cli, { command, QStringLiteral("--help") }))) {
            INFO("option " << option.toStdString());
            CHECK(QRegularExpression(QRegularExpression::escape(option) + QStringLiteral("[=\\[]"))
                      .match(block)
                      .hasMatch());
        }
    }
    if (QFile::exists(QStringLiteral("/usr/bin/zsh")) || QFile::exists(QStringLiteral("/bin/zsh"))) {
        QByteArray err;
        const int code = runProcess(QStringLiteral("zsh"),
            { QStringLiteral("-n"), QDir(docs).filePath(QStringLiteral("_eventscope-cli")) }, nullptr, &err);
        INFO(err.constData());
        CHECK(code == 0);
    }
}
