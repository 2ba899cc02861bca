#include "resolvecommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "nav/place.h"
#include "outputwriter.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <limits>

namespace es::cli {

namespace {

QCommandLineOption storeOption()
{
    return { QStringLiteral("store"),
        QStringLiteral("Open the store at ADDRESS instead of the link's own address, e.g. the same address with its "
                       "password; it must name the same store."),
        QStringLiteral("ADDRESS") };
}

} // namespace

void ResolveCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOption(storeOption());
}

int ResolveCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Write JSON Lines, one event per line (the only output form)."));
    const QCommandLineOption limit(QStringLiteral("limit"),
        QStringLiteral("For a link to a view: at most N events; 0 for all (default 1000)."), QStringLiteral("N"),
        QStringLiteral("1000"));
    const QCommandLineOption store = storeOption();
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Print the event(s) an eventscope:// link points to, as JSON Lines with the keys of `events --json`: the "
        "event at its position or version, or the events of the view it names (a stream, a category, the global "
        "log, filtered). Fails (exit 1) when the event is not in the store.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("resolve"), help, QStringLiteral("resolve"));
    parser.addPositionalArgument(QStringLiteral("LINK"), QStringLiteral("An eventscope:// link."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, limit, store });
    QString link;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("resolve"), &link); code >= 0)
        return code;
    QString error;
    const std::optional<Place> place = PlaceLink::parse(link, &error);
    if (!place) {
        printError(error);
        return BadArguments;
    }
    bool ok = false;
    const qint64 max = parser.value(limit).toLongLong(&ok);
    if (!ok || max < 0) {
        printError(QStringLiteral("--limit needs a number of 0 or more."));
        return BadArguments;
    }
    QString address = place->store;
    if (parser.isSet(store)) {
        address = parser.value(store);
        if (PlaceLink::storeOf(address) != place->store) {
            printError(QStringLiteral("--store names another store (%1) than the link (%2).")
                           .arg(StoreRegistry::redactAddress(address), place->store));
            return BadArguments;
        }
    }

    return runReportingErrors([&]() -> int {
        // The link's layout, unless --profile says otherwise: the same arguments read again with it.
        if (!place->layout.isEmpty() && !parser.isSet(QStringLiteral("profile")))
            parser.parse(arguments + QStringList { QStringLiteral("--profile"), place->layout });
        auto events = openStore(parser, address);
        OutputWriter out;
        EventQuery query;
        query.filter = place->eventFilter();
        const qint64 key = place->key();
        if (key >= 0) {
            // One event: the first at or after its key, which must be it.
            query.from = key;
            query.limit = 1;
            const EventPage page = events->events(query);
            const bool found = !page.events.empty()
                && (place->scope == Place::Scope::Stream ? page.events.front().version : page.events.front().position)
                    == key;
            if (!found)
                throw StoreError(QStringLiteral("No event at %1 %2 in %3.")
                                     .arg(place->scope == Place::Scope::Stream ? QStringLiteral("version")
                                                                               : QStringLiteral("position"))
                                     .arg(key)
                                     .arg(place->describe()));
            out.line(page.events.front().toJsonLine());
            return Success;
        }
        query.scanWindow = query.filter.hasPredicates() ? 200000 : 0;
        qint64 written = 0;
        qint64 last = -1;
        const bool byVersion = query.filter.isStream();
        while (max == 0 || written < max) {
            query.limit = int(max == 0 ? 2000 : std::min<qint64>(2000, max - written));
            const EventPage page = events->events(query);
            for (const Event& e : page.events) {
                const qint64 k = byVersion ? e.version : e.position;
                if (last >= 0 && k >= 0 && k <= last)
                    continue;
                last = std::max(last, k);
                out.line(e.toJsonLine());
                if (++written == max)
                    break;
            }
            if (page.atEnd || page.next < 0)
                break;
            const qint64 next = page.events.empty() ? page.next : std::max(page.next, last + 1);
            if (query.from >= 0 && next <= query.from)
                break;
            query.from = next;
        }
        return Success;
    });
}

} // namespace es::cli
