#include "helpdoc.h"

#include <QRegularExpression>

#include <algorithm>

namespace es::docgen {

namespace {

// QCommandLineParser writes "  " + names padded to a column + " " + description, so two spaces at least part them.
const QRegularExpression entryStart(QStringLiteral("^  (\\S.*?)(?: {2,}(\\S.*))?$"));
const QRegularExpression continuation(QStringLiteral("^ {3,}(\\S.*)$"));

void appendText(QString& to, const QString& more)
{
    if (!to.isEmpty())
        to += QLatin1Char(' ');
    to += more.trimmed();
}

HelpEntry entryFrom(const QString& namesColumn, const QString& text)
{
    HelpEntry entry;
    QString names = namesColumn.trimmed();
    const qsizetype open = names.indexOf(QLatin1String(" <"));
    if (open >= 0 && names.endsWith(QLatin1Char('>'))) {
        entry.valueName = names.mid(open + 2, names.size() - open - 3);
        names.truncate(open);
    }
    for (const QString& name : names.split(QLatin1String(", "), Qt::SkipEmptyParts)) {
        QString bare = name.trimmed();
        while (bare.startsWith(QLatin1Char('-')))
            bare.remove(0, 1);
        entry.names.append(bare);
    }
    entry.description = text.trimmed();
    return entry;
}

// The lines of an Options: or Arguments: section.
bool parseEntries(const QStringList& lines, bool options, QList<HelpEntry>* out, QString* error)
{
    for (const QString& line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        if (const auto more = continuation.match(line); more.hasMatch()) {
            if (out->isEmpty()) {
                *error = QStringLiteral("a continued line before any entry: \"%1\"").arg(line);
                return false;
            }
            appendText(out->last().description, more.captured(1));
            continue;
        }
        const auto start = entryStart.match(line);
        if (!start.hasMatch() || (options && !start.captured(1).startsWith(QLatin1Char('-')))) {
            *error = QStringLiteral("not an entry: \"%1\"").arg(line);
            return false;
        }
        out->append(entryFrom(start.captured(1), start.captured(2)));
    }
    return true;
}

int lastIndexOfLine(const QStringList& lines, const QString& line, int before)
{
    for (int i = before - 1; i >= 0; --i) {
        if (lines.at(i) == line)
            return i;
    }
    return -1;
}

} // namespace

const DescriptionList* HelpDoc::list(const QString& title) const
{
    for (const DescriptionBlock& block : description) {
        if (block.list.title == title)
            return &block.list;
    }
    return nullptr;
}

QStringList HelpDoc::optionSpellings() const
{
    QStringList spellings;
    for (const HelpEntry& option : options) {
        for (const QString& name : option.names)
            spellings.append((name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name);
    }
    return spellings;
}

QList<DescriptionBlock> parseDescription(const QStringList& lines)
{
    static const QRegularExpression item(QStringLiteral("^  (\\S.*?)(?: {2,}(\\S.*))?$"));
    QList<DescriptionBlock> blocks;
    QStringList block;
    auto flush = [&] {
        if (block.isEmpty())
            return;
        DescriptionBlock out;
        const bool titled = block.size() > 1 && block.first().endsWith(QLatin1Char(':'))
            && !block.first().startsWith(QLatin1Char(' '))
            && std::all_of(
                block.cbegin() + 1, block.cend(), [](const QString& l) { return l.startsWith(QLatin1String("  ")); });
        if (titled) {
            out.list.title = block.first().chopped(1);
            for (qsizetype i = 1; i < block.size(); ++i) {
                const QString& line = block.at(i);
                const auto more = continuation.match(line);
                const auto start = item.match(line);
                if (more.hasMatch() && !out.list.items.isEmpty()) {
                    appendText(out.list.items.last().description, more.captured(1));
                } else if (start.hasMatch()) {
                    HelpEntry entry;
                    entry.names = start.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
                    entry.description = start.captured(2);
                    out.list.items.append(entry);
                }
            }
        } else {
            for (const QString& line : std::as_const(block))
                appendText(out.paragraph, line);
        }
        blocks.append(out);
        block.clear();
    };
    for (const QString& line : lines) {
        if (line.trimmed().isEmpty())
            flush();
        else
            block.append(line);
    }
    flush();
    return blocks;
}

bool parseHelp(const QString& text, HelpDoc* doc, QString* error)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    if (lines.isEmpty() || !lines.first().startsWith(QLatin1String("Usage: "))) {
        *error = QStringLiteral("the help does not start with \"Usage: \"");
        return false;
    }
    doc->usage = lines.first().mid(7).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!doc->usage.isEmpty())
        doc->usage.removeFirst(); // the program as it was started

    const int arguments = lastIndexOfLine(lines, QStringLiteral("Arguments:"), int(lines.size()));
    const int options
        = lastIndexOfLine(lines, QStringLiteral("Options:"), arguments >= 0 ? arguments : int(lines.size()));
    const int descriptionEnd = options >= 0 ? options : (arguments >= 0 ? arguments : int(lines.size()));
    doc->description = parseDescription(lines.mid(1, descriptionEnd - 1));
    if (options >= 0) {
        const int end = arguments >= 0 ? arguments : int(lines.size());
        if (!parseEntries(lines.mid(options + 1, end - options - 1), true, &doc->options, error))
            return false;
    }
    if (arguments >= 0 && !parseEntries(lines.mid(arguments + 1), false, &doc->arguments, error))
        return false;
    return true;
}

} // namespace es::docgen
