#include "manpage.h"

#include <QRegularExpression>

#include <algorithm>

namespace es::docgen {

namespace {

// Text for a roff line: backslashes and minus signs escaped, `code` in bold.
QString roff(const QString& text)
{
    QString out;
    out.reserve(text.size() + 16);
    bool code = false;
    for (const QChar c : text) {
        if (c == QLatin1Char('\\'))
            out += QLatin1String("\\e");
        else if (c == QLatin1Char('-'))
            out += QLatin1String("\\-");
        else if (c == QLatin1Char('`')) {
            out += code ? QLatin1String("\\fR") : QLatin1String("\\fB");
            code = !code;
        } else
            out += c;
    }
    if (code)
        out += QLatin1String("\\fR");
    return out;
}

// A text line that roff must not read as a request.
QString textLine(const QString& text)
{
    const QString escaped = roff(text);
    if (escaped.startsWith(QLatin1Char('.')) || escaped.startsWith(QLatin1Char('\'')))
        return QLatin1String("\\&") + escaped + QLatin1Char('\n');
    return escaped + QLatin1Char('\n');
}

QString quoted(const QString& text)
{
    QString escaped = roff(text);
    escaped.replace(QLatin1Char('"'), QLatin1String("\\(dq"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QString optionLabel(const HelpEntry& option)
{
    QStringList spellings;
    for (const QString& name : option.names)
        spellings.append(QLatin1String("\\fB")
            + roff((name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name) + QLatin1String("\\fR"));
    QString label = spellings.join(QLatin1String(", "));
    if (!option.valueName.isEmpty())
        label += QLatin1String(" \\fI") + roff(option.valueName) + QLatin1String("\\fR");
    return label;
}

QString entries(const QList<HelpEntry>& list, bool asOptions)
{
    QString out;
    for (const HelpEntry& entry : list) {
        out += QLatin1String(".TP\n");
        if (asOptions)
            out += optionLabel(entry) + QLatin1Char('\n');
        else
            out += QLatin1String("\\fB") + roff(entry.names.join(QLatin1Char(' '))) + QLatin1String("\\fR\n");
        out += textLine(entry.description);
    }
    return out;
}

QString paragraphs(const QList<DescriptionBlock>& blocks, bool withLists)
{
    QString out;
    for (const DescriptionBlock& block : blocks) {
        if (!block.paragraph.isEmpty()) {
            out += QLatin1String(".PP\n") + textLine(block.paragraph);
        } else if (withLists) {
            out += QLatin1String(".PP\n") + textLine(block.list.title + QLatin1Char(':'));
            out += QLatin1String(".RS\n") + entries(block.list.items, false) + QLatin1String(".RE\n");
        }
    }
    return out;
}

// "eventscope-cli [options] info STORE" in synopsis fonts: the program and command bold, the rest italic.
QString synopsis(const QString& program, const QStringList& usage, const QString& command)
{
    QString out = QLatin1String("\\fB") + roff(program) + QLatin1String("\\fR");
    for (const QString& word : usage) {
        out += QLatin1Char(' ');
        if (word == QLatin1String("[options]"))
            out += QLatin1String("[\\fIoptions\\fR]");
        else if (word == command)
            out += QLatin1String("\\fB") + roff(word) + QLatin1String("\\fR");
        else if (word.startsWith(QLatin1Char('[')) && word.endsWith(QLatin1Char(']')))
            out += QLatin1String("[\\fI") + roff(word.mid(1, word.size() - 2)) + QLatin1String("\\fR]");
        else
            out += QLatin1String("\\fI") + roff(word) + QLatin1String("\\fR");
    }
    return out + QLatin1Char('\n');
}

bool hasOption(const QList<HelpEntry>& list, const HelpEntry& option)
{
    return std::any_of(list.cbegin(), list.cend(), [&](const HelpEntry& o) { return o.names == option.names; });
}

// The first sentence of the description, as NAME wants it: "a read-only inspector for event-sourced stores".
QString oneLine(const HelpDoc& help)
{
    QString first;
    for (const DescriptionBlock& block : help.description) {
        if (!block.paragraph.isEmpty()) {
            first = block.paragraph;
            break;
        }
    }
    first = firstSentence(first);
    if (first.size() > 1 && !first.at(1).isUpper()) // "A read-only ..." but not "JSON ..."
        first[0] = first.at(0).toLower();
    return first;
}

} // namespace

QString firstSentence(const QString& text)
{
    // A full stop followed by a capital: "postgresql://..." or "e.g. this" do not end a sentence.
    static const QRegularExpression end(QStringLiteral("(?<!\\.)\\.\\s+(?=[A-Z])"));
    QString first = text.trimmed();
    if (const auto m = end.match(first); m.hasMatch())
        first.truncate(m.capturedStart());
    if (first.endsWith(QLatin1Char('.')) && !first.endsWith(QLatin1String("..")))
        first.chop(1);
    return first;
}

QList<HelpEntry> commonOptions(const ProgramDoc& program)
{
    if (program.commands.isEmpty())
        return program.help.options;
    QList<HelpEntry> common;
    for (const HelpEntry& option : program.commands.constFirst().help.options) {
        const bool everywhere = std::all_of(program.commands.cbegin(), program.commands.cend(),
            [&](const CommandDoc& command) { return hasOption(command.help.options, option); });
        if (everywhere)
            common.append(option);
    }
    return common;
}

QString manPage(const ProgramDoc& program)
{
    QString out;
    out += QLatin1String(".\\\" Generated by eventscope-docgen from `") + program.name
        + QLatin1String(" --help`; do not edit.\n");
    out += QLatin1String(".TH ") + quoted(program.name.toUpper()) + QLatin1String(" 1 \"\" ") + quoted(program.source)
        + QLatin1String(" \"User Commands\"\n");
    out += QLatin1String(".nh\n.ad l\n"); // no hyphenation of addresses and option names, a ragged right margin
    out += QLatin1String(".SH NAME\n") + roff(program.name) + QLatin1String(" \\- ") + textLine(oneLine(program.help));

    out += QLatin1String(".SH SYNOPSIS\n");
    if (program.commands.isEmpty()) {
        out += synopsis(program.name, program.help.usage, QString());
    } else {
        for (const CommandDoc& command : program.commands) {
            out += synopsis(program.name, command.help.usage, command.name);
            out += QLatin1String(".br\n");
        }
        out += QLatin1String("\\fB") + roff(program.name)
            + QLatin1String("\\fR [\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR]\n");
    }

    const QList<HelpEntry> common = commonOptions(program);
    out += QLatin1String(".SH DESCRIPTION\n") + paragraphs(program.help.description, false);

    if (program.commands.isEmpty()) {
        out += QLatin1String(".SH OPTIONS\n") + entries(program.help.options, true);
        if (!program.help.arguments.isEmpty())
            out += QLatin1String(".SH ARGUMENTS\n") + entries(program.help.arguments, false);
    } else {
        out += QLatin1String(".SH OPTIONS\nEvery command takes these options:\n") + entries(common, true);
        out += QLatin1String(".SH COMMANDS\n");
        for (const CommandDoc& command : program.commands) {
            out += QLatin1String(".SS ") + quoted(command.summary.names.join(QLatin1Char(' '))) + QLatin1Char('\n');
            out += textLine(command.summary.description);
            out += paragraphs(command.help.description, true);
            QList<HelpEntry> arguments;
            for (const HelpEntry& argument : command.help.arguments) {
                if (argument.names.value(0) != command.name)
                    arguments.append(argument);
            }
            QList<HelpEntry> own;
            for (const HelpEntry& option : command.help.options) {
                if (!hasOption(common, option))
                    own.append(option);
            }
            if (!arguments.isEmpty() || !own.isEmpty())
                out += QLatin1String(".PP\n") + entries(arguments, false) + entries(own, true);
        }
    }
    // The program's other lists ("Exit codes:") get sections of their own.
    for (const DescriptionBlock& block : program.help.description) {
        if (block.list.title.isEmpty()
            || (!program.commands.isEmpty() && block.list.title == QLatin1String("Commands")))
            continue;
        out += QLatin1String(".SH ") + quoted(block.list.title.toUpper()) + QLatin1Char('\n');
        out += entries(block.list.items, false);
    }
    if (!program.seeAlso.isEmpty()) {
        out += QLatin1String(".SH \"SEE ALSO\"\n");
        QStringList refs;
        for (const QString& ref : program.seeAlso) {
            const qsizetype paren = ref.indexOf(QLatin1Char('('));
            refs.append(QLatin1String(".BR ") + roff(ref.left(paren)) + QLatin1Char(' ') + ref.mid(paren));
        }
        out += refs.join(QLatin1String(",\n")) + QLatin1Char('\n');
    }
    return out;
}

} // namespace es::docgen
