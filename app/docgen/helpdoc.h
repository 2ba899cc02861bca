#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace es::docgen {

// One entry of the Options or Arguments list of QCommandLineParser's help: "-l, --limit <N>  At most N rows".
struct HelpEntry {
    QStringList names; // without dashes: { "l", "limit" }; for an argument, its name
    QString valueName; // "N", or empty for a switch
    QString description; // the wrapped lines joined again
};

// A titled list inside a description ("Commands:" or "Exit codes:" followed by indented "term  text" lines).
struct DescriptionList {
    QString title;
    QList<HelpEntry> items; // names holds the term split at spaces: { "info", "STORE" }
};

// A description split into paragraphs and titled lists, in their order.
struct DescriptionBlock {
    QString paragraph; // set for a paragraph
    DescriptionList list; // set (title non-empty) for a list
};

// What `program --help` prints, read back into its parts. QCommandLineParser renders the same QCommandLineOption
// objects the parser accepts, so documents made from this never drift from what the program takes.
struct HelpDoc {
    QStringList usage; // the words after "Usage: <program>": "[options]", "lag", "STORE"
    QList<DescriptionBlock> description;
    QList<HelpEntry> options;
    QList<HelpEntry> arguments;

    // The list of the description titled title (without the colon), or nullptr.
    const DescriptionList* list(const QString& title) const;
    // Every option name with its dashes ("-h", "--help", ...), in the order of the help.
    QStringList optionSpellings() const;
};

// Reads QCommandLineParser::helpText() output (Qt 6: "Usage: ...", description, "Options:", "Arguments:").
// Returns false with *error set when the text does not have that shape.
bool parseHelp(const QString& text, HelpDoc* doc, QString* error);

// Splits a free description into paragraphs and "Title:" lists of "  term  text" lines.
QList<DescriptionBlock> parseDescription(const QStringList& lines);

} // namespace es::docgen
