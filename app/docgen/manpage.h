#pragma once

#include "helpdoc.h"

#include <QList>
#include <QString>

namespace es::docgen {

// One sub-command of a program: its name, its line in the program's command list, and its own --help.
struct CommandDoc {
    QString name;
    HelpEntry summary; // from the program's "Commands:" list: names = { "info", "STORE" }
    HelpDoc help;
};

struct ProgramDoc {
    QString name; // "eventscope-cli"
    QString version; // what `name --version` prints: "eventscope-cli 0.1.0"
    QString source; // the .TH source field: "EventScope 0.1.0"
    HelpDoc help;
    QList<CommandDoc> commands; // empty for a program without sub-commands
    QStringList seeAlso; // "eventscope(1)"
};

// The options every command has (--help, --version ...): listed once in OPTIONS rather than under each command.
QList<HelpEntry> commonOptions(const ProgramDoc& program);

// The first sentence of text, without its full stop.
QString firstSentence(const QString& text);

// A man(7) page, section 1, for program.
QString manPage(const ProgramDoc& program);

} // namespace es::docgen
