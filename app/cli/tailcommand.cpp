#include "tailcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "live/tailer.h"
#include "outputwriter.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <QElapsedTimer>

#include <cstdio>

namespace es::cli {

namespace {

QCommandLineOption pollOption()
{
    return { QStringLiteral("poll"), QStringLiteral("Look for new events every MS milliseconds (default 200)."),
        QStringLiteral("MS"), QStringLiteral("200") };
}

QCommandLineOption headsOption()
{
    return { QStringLiteral("heads"),
        QStringLiteral("Print `heads visible=N settled=M` to stderr whenever either changes. On PostgreSQL the "
                       "settled head can trail the visible one while a transaction that may still commit a lower "
                       "position is open; events are printed up to the settled head, and the line names those "
                       "transactions (`held by pid P (application, in transaction for S s)`). A line `tail: ...` "
                       "says what the tail cannot guarantee where it reads (e.g. on a hot standby).") };
}

} // namespace

void TailCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ pollOption(), headsOption() });
}

int TailCommand::run(const QStringList& arguments)
{
    const QCommandLineOption from(QStringLiteral("from"),
        QStringLiteral("Print from global position POS (a stream version with --stream), inclusive, then follow. "
                       "Default: only events committed from now on (the tail starts at the store's safe point, so a "
                       "transaction already holding a lower position when it starts is printed when it commits)."),
        QStringLiteral("POS"));
    const QCommandLineOption stream(QStringLiteral("stream"),
        QStringLiteral("Follow one stream; positions are then its versions."), QStringLiteral("S"));
    const QCommandLineOption category(
        QStringLiteral("category"), QStringLiteral("Follow the streams of category C."), QStringLiteral("C"));
    const QCommandLineOption poll = pollOption();
    const QCommandLineOption heads = headsOption();
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Print events as JSON Lines as they are committed (the event shape of `events --json`), each once and in "
        "order, until interrupted (Ctrl+C or SIGTERM ends it cleanly with exit code 0). With --heads, stderr also "
        "reports the visible and the settled head.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("tail"), help, QStringLiteral("tail"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ from, stream, category, poll, heads });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("tail"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli tail --help` for usage."));
        return int(BadArguments);
    };
    if (parser.isSet(stream) && parser.isSet(category))
        return usage(QStringLiteral("Give --stream or --category, not both."));
    qint64 start = -1;
    if (parser.isSet(from)) {
        bool ok = false;
        start = parser.value(from).toLongLong(&ok);
        if (!ok || start < 0)
            return usage(QStringLiteral("--from needs a position of 0 or more."));
    }
    bool ok = false;
    const int pollMs = parser.value(poll).toInt(&ok);
    if (!ok || pollMs < 1)
        return usage(QStringLiteral("--poll needs a number of milliseconds of 1 or more."));
    EventFilter scope;
    scope.stream = parser.value(stream);
    scope.category = parser.value(category);
    const bool printHeads = parser.isSet(heads);

    InterruptGuard guard;
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        Tailer tailer(scope, start, createTailStrategy(StoreRegistry::engineFor(address), *store));
        OutputWriter out(1, 1 << 16);
        TailHeads printed;
        while (!interrupted()) {
            QElapsedTimer timer;
            timer.start();
            EventList events;
            if (!retryWhileDisconnected([&] { events = tailer.poll(*store); }))
                break;
            for (const Event& e : events)
                out.line(e.toJsonLine());
            out.flush();
            const TailHeads now = tailer.heads();
            if (printHeads && !now.caveat.isEmpty() && now.caveat != printed.caveat) {
                std::fprintf(stderr, "tail: %s\n", qPrintable(now.caveat));
                std::fflush(stderr);
            }
            if (printHeads && now.visible >= 0 && !now.sameAs(printed)) {
                const QString holders = describeHolders(now.holders);
                std::fprintf(stderr, "heads visible=%lld settled=%lld%s\n", static_cast<long long>(now.visible),
                    static_cast<long long>(now.settled),
                    holders.isEmpty() || now.settled >= now.visible
                        ? ""
                        : qPrintable(QStringLiteral(" held by ") + holders));
                std::fflush(stderr);
            }
            printed = now;
            // A full batch means more is waiting: read on without sleeping.
            if (events.size() < 10000)
                sleepUnlessInterrupted(std::max<int>(0, pollMs - int(timer.elapsed())));
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
