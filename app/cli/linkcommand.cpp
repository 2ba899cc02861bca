#include "linkcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "core/event.h"
#include "nav/place.h"

#include <cstdio>

namespace es::cli {

namespace {

QCommandLineOption positionOption()
{
    return { QStringLiteral("position"), QStringLiteral("The event at global position N."), QStringLiteral("N") };
}

QCommandLineOption timeTravelOption()
{
    return { QStringLiteral("time-travel"),
        QStringLiteral("A link to time travel through the stream (at --version, else at its last event).") };
}

QCommandLineOption reducerOption()
{
    return { QStringLiteral("reducer"),
        QStringLiteral("With --time-travel: the reducer by name (merge, merge-by-type, or a .js file name of the "
                       "reducer folders)."),
        QStringLiteral("NAME") };
}

} // namespace

void LinkCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    // --reducer is fold's too, and already there.
    parser.addOptions({ positionOption(), timeTravelOption() });
}

int LinkCommand::run(const QStringList& arguments)
{
    const QCommandLineOption position = positionOption();
    const QCommandLineOption stream(QStringLiteral("stream"), QStringLiteral("The stream S."), QStringLiteral("S"));
    const QCommandLineOption version(
        QStringLiteral("version"), QStringLiteral("With --stream: the event at version V."), QStringLiteral("V"));
    const QCommandLineOption category(
        QStringLiteral("category"), QStringLiteral("The events of category C."), QStringLiteral("C"));
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const QCommandLineOption filter(QStringLiteral("filter"),
        QStringLiteral("Only events where the JSON condition holds, e.g. \"data.amount > 100\" (repeat, or join "
                       "with ' and ')."),
        QStringLiteral("EXPR"));
    const QCommandLineOption text(QStringLiteral("text"),
        QStringLiteral("Only events whose data or metadata contains T (not with --filter)."), QStringLiteral("T"));
    const QCommandLineOption fromTime(QStringLiteral("from-time"),
        QStringLiteral("Only events at or after TIME (ISO 8601; without a zone, UTC)."), QStringLiteral("TIME"));
    const QCommandLineOption toTime(
        QStringLiteral("to-time"), QStringLiteral("Only events before TIME."), QStringLiteral("TIME"));
    const QCommandLineOption profile(QStringLiteral("profile"),
        QStringLiteral("The layout profile NAME the link opens the store with (default: recognised)."),
        QStringLiteral("NAME"));
    const QCommandLineOption timeTravel = timeTravelOption();
    const QCommandLineOption reducer = reducerOption();

    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Print the eventscope:// link to a place in a store: an event (--position, or --stream and --version), a "
        "stream, a category or the global log with a filter, or a time-travel state. The GUI opens it (`eventscope "
        "LINK`), `resolve` prints its events. The store is not read, and the link never holds a password or other "
        "secret of the address. The format is in docs/LINKS.md.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("link"), help, QStringLiteral("link"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addOptions(
        { position, stream, version, category, type, filter, text, fromTime, toTime, profile, timeTravel, reducer });
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli link --help` for usage."));
        return int(BadArguments);
    };
    // Not parseStoreCommand: here --version is the stream version, not the program's.
    if (!parser.parse(arguments))
        return usage(parser.errorText() + QStringLiteral(" (for the link command)"));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usage(positional.size() < 2 ? QStringLiteral("The link command needs STORE.")
                                           : QStringLiteral("Unexpected argument \"%1\".").arg(positional.at(2)));
    const QString address = positional.at(1);
    auto count = [&parser](const QCommandLineOption& option, qint64* out) {
        bool ok = false;
        *out = parser.value(option).toLongLong(&ok);
        return ok && *out >= 0;
    };

    Place place;
    place.store = address;
    place.layout = parser.value(profile);
    if (parser.isSet(stream) && parser.isSet(category))
        return usage(QStringLiteral("Give --stream or --category, not both."));
    if (parser.isSet(stream)) {
        place.scope = Place::Scope::Stream;
        place.scopeName = parser.value(stream);
    } else if (parser.isSet(category)) {
        place.scope = Place::Scope::Category;
        place.scopeName = parser.value(category);
    }
    if (parser.isSet(position)) {
        if (parser.isSet(stream))
            return usage(QStringLiteral("A stream's events are named by --version, not --position."));
        if (!count(position, &place.position))
            return usage(QStringLiteral("--position needs a number of 0 or more."));
    }
    if (parser.isSet(version)) {
        if (!parser.isSet(stream))
            return usage(QStringLiteral("--version needs --stream."));
        if (!count(version, &place.version))
            return usage(QStringLiteral("--version needs a number of 0 or more."));
    }
    for (const QString& value : parser.values(type)) {
        for (const QString& part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!part.trimmed().isEmpty())
                place.filter.types.append(part.trimmed());
        }
    }
    for (const QString& expression : parser.values(filter)) {
        QString error;
        if (!EventFilter::parseConditions(expression, &place.filter.conditions, &error))
            return usage(QStringLiteral("--filter \"%1\": %2").arg(expression, error));
    }
    place.filter.text = parser.value(text);
    if (!place.filter.text.isEmpty() && !place.filter.conditions.empty())
        return usage(QStringLiteral("Give --text or --filter, not both: a link's filter has one or the other."));
    for (const auto& [option, field] :
        { std::pair { &fromTime, &place.filter.fromTime }, { &toTime, &place.filter.toTime } }) {
        if (!parser.isSet(*option))
            continue;
        *field = parseStoreTime(parser.value(*option).toUtf8());
        if (!field->isValid())
            return usage(
                QStringLiteral("--%1: \"%2\" is not a time.").arg(option->names().first(), parser.value(*option)));
    }
    if (parser.isSet(timeTravel)) {
        if (!parser.isSet(stream))
            return usage(QStringLiteral("--time-travel needs --stream."));
        place.view = Place::View::TimeTravel;
        place.reducer = parser.value(reducer);
    } else if (parser.isSet(reducer)) {
        return usage(QStringLiteral("--reducer goes with --time-travel."));
    }

    QString error;
    const QString link = PlaceLink::toLink(place, &error);
    if (link.isEmpty()) {
        printError(error);
        return BadArguments;
    }
    std::fprintf(stdout, "%s\n", link.toUtf8().constData());
    std::fflush(stdout);
    return Success;
}

} // namespace es::cli
