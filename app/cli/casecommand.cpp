#include "casecommand.h"

#include "casefile/casefile.h"
#include "cliapplication.h"
#include "clicommon.h"

#include <QFile>

#include <cstdio>

namespace es::cli {

namespace {

QCommandLineOption bookmarkOption()
{
    return { QStringLiteral("bookmark"),
        QStringLiteral("Keep a place: the event at global position POS, with an optional note (repeatable)."),
        QStringLiteral("POS[=NOTE]") };
}
QCommandLineOption reducerOption()
{
    return { QStringLiteral("reducer"), QStringLiteral("Keep the source of the reducer in FILE (a .js reducer)."),
        QStringLiteral("FILE") };
}
QCommandLineOption titleOption()
{
    return { QStringLiteral("title"), QStringLiteral("A title for the case."), QStringLiteral("TEXT") };
}

QStringList splitList(const QStringList& values)
{
    QStringList out;
    for (const QString& v : values) {
        for (const QString& part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!part.trimmed().isEmpty())
                out.append(part.trimmed());
        }
    }
    return out;
}

} // namespace

void CaseCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ bookmarkOption(), titleOption() }); // --reducer: fold has it too
}

int CaseCommand::run(const QStringList& arguments)
{
    const QCommandLineOption out(
        QStringLiteral("out"), QStringLiteral("The case file to write (required)."), QStringLiteral("FILE"));
    const QCommandLineOption stream(QStringLiteral("stream"),
        QStringLiteral("Keep one stream; --from and --to are then its versions."), QStringLiteral("S"));
    const QCommandLineOption category(
        QStringLiteral("category"), QStringLiteral("Keep the streams of category C."), QStringLiteral("C"));
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const QCommandLineOption filter(QStringLiteral("filter"),
        QStringLiteral("Only events where the JSON condition holds, e.g. \"data.amount > 100\"."),
        QStringLiteral("EXPR"));
    const QCommandLineOption from(QStringLiteral("from"),
        QStringLiteral("Start at global position POS (a stream version with --stream), inclusive."),
        QStringLiteral("POS"));
    const QCommandLineOption to(QStringLiteral("to"),
        QStringLiteral("Stop at global position POS (a stream version with --stream), inclusive."),
        QStringLiteral("POS"));
    const QCommandLineOption redact(QStringLiteral("redact"),
        QStringLiteral("Replace these fields with a keyed hash token, as export does, e.g. data.email (repeatable)."),
        QStringLiteral("PATHS"));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("Replace FILE if it exists."));
    const QCommandLineOption bookmark = bookmarkOption();
    const QCommandLineOption reducer = reducerOption();
    const QCommandLineOption title = titleOption();

    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Write a case file: the chosen events of STORE (optionally redacted) with bookmarks, notes and the reducer "
        "used, in a new SQLite store that EventScope opens like any other (docs/CASEFILE.md). The file appears only "
        "when complete; the store itself is never written.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("case"), help, QStringLiteral("case"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ out, stream, category, type, filter, from, to, redact, force, bookmark, reducer, title });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("case"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli case --help` for usage."));
        return int(BadArguments);
    };

    CaseOptions options;
    options.path = parser.value(out);
    if (options.path.isEmpty())
        return usage(QStringLiteral("--out FILE is required."));
    options.overwrite = parser.isSet(force);
    ExportOptions& selection = options.selection;
    selection.redact = splitList(parser.values(redact));
    QString redactError;
    if (!Redactor::parse(selection.redact, &redactError))
        return usage(QStringLiteral("--redact: %1").arg(redactError));
    EventFilter& f = selection.filter;
    f.stream = parser.value(stream);
    f.category = parser.value(category);
    if (!f.stream.isEmpty() && !f.category.isEmpty())
        return usage(QStringLiteral("Give --stream or --category, not both."));
    f.types = splitList(parser.values(type));
    for (const QString& expression : parser.values(filter)) {
        QString error;
        if (!EventFilter::parseConditions(expression, &f.conditions, &error))
            return usage(QStringLiteral("--filter \"%1\": %2").arg(expression, error));
    }
    for (const auto& [option, target] : { std::pair { &from, &selection.from }, std::pair { &to, &selection.to } }) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        *target = parser.value(*option).toLongLong(&ok);
        if (!ok || *target < 0)
            return usage(QStringLiteral("--%1 needs a position of 0 or more.").arg(option->names().constFirst()));
    }
    CaseContents& contents = options.contents;
    contents.title = parser.value(title);
    for (const QString& b : parser.values(bookmark)) {
        CasePlace place;
        bool ok = false;
        place.position = b.section(QLatin1Char('='), 0, 0).toLongLong(&ok);
        if (!ok || place.position < 0)
            return usage(QStringLiteral("--bookmark needs POS[=NOTE], e.g. 1234=\"the wrong total\"."));
        place.note = b.section(QLatin1Char('='), 1);
        contents.places.push_back(place);
    }
    if (parser.isSet(reducer)) {
        QString error;
        if (!CaseFile::takeReducer(parser.value(reducer), &contents, &error))
            return usage(QStringLiteral("--reducer: %1").arg(error));
    }

    const InterruptGuard guard;
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        // A bookmark names its event's stream and version too, so the place survives without positions.
        if (!contents.places.empty()) {
            for (CasePlace& place : contents.places) {
                EventQuery q;
                q.from = place.position;
                q.to = place.position;
                q.limit = 1;
                const EventPage page = store->events(q);
                if (page.events.empty() || page.events.front().position != place.position)
                    throw StoreError(QStringLiteral("--bookmark: no event at position %1.").arg(place.position));
                place.stream = page.events.front().stream;
                place.version = page.events.front().version;
            }
        }
        const ExportResult result = CaseFile::write(*store, options, {}, interruptFlag());
        std::fprintf(stderr, "wrote a case file of %lld events%s and %lld places to %s\n",
            static_cast<long long>(result.events),
            result.redactedEvents > 0
                ? QStringLiteral(" (%1 redacted)").arg(result.redactedEvents).toLocal8Bit().constData()
                : "",
            static_cast<long long>(contents.places.size()), QFile::encodeName(result.path).constData());
        return int(Success);
    });
}

} // namespace es::cli
