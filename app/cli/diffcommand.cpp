#include "diffcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "diff/storediff.h"
#include "outputwriter.h"

#include <cstdio>

#include <unistd.h>

namespace es::cli {

namespace {

QCommandLineOption matchOption()
{
    return { QStringLiteral("match"),
        QStringLiteral("Pair events by id, or by stream and version (default: by id when both stores keep ids)."),
        QStringLiteral("id|stream") };
}
QCommandLineOption windowOption()
{
    return { QStringLiteral("window"),
        QStringLiteral("How many events apart (in read order) two partners may be and still be paired; also the "
                       "most unpaired events kept in memory per store (default 100000)."),
        QStringLiteral("N") };
}

QCommandLineOption streamBOption()
{
    return { QStringLiteral("stream-b"),
        QStringLiteral("Compare --stream S of STORE_A with stream S2 of STORE_B (which may be the same store): events "
                       "are paired by version, and stream names, ids and positions are not compared."),
        QStringLiteral("S2") };
}

bool write(const QByteArray& line)
{
    return std::fwrite(line.constData(), 1, size_t(line.size()), stdout) == size_t(line.size())
        && std::fputc('\n', stdout) != EOF;
}

} // namespace

void DiffCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    // --window (a value) is known to the first pass already, from flow; QCommandLineParser warns on a second one.
    parser.addOption(matchOption());
    parser.addOption(streamBOption());
}

int DiffCommand::run(const QStringList& arguments)
{
    const QCommandLineOption stream(
        QStringLiteral("stream"), QStringLiteral("Compare one stream of both stores."), QStringLiteral("S"));
    const QCommandLineOption streamB = streamBOption();
    const QCommandLineOption category(QStringLiteral("category"),
        QStringLiteral("Compare the streams of category C of both stores."), QStringLiteral("C"));
    const QCommandLineOption json(QStringLiteral("json"),
        QStringLiteral("Write JSON Lines: change (changed, removed or added), stream, version, id, paths (for "
                       "changed, e.g. data.amount), a and b (the events as `events --json` prints them, null where "
                       "absent)."));
    const QCommandLineOption match = matchOption();
    const QCommandLineOption window = windowOption();

    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Compare two stores, or one stream or category of each, or two streams: events paired by id (or by stream "
        "and version; by version for two streams) "
        "are reported as changed (with the JSON paths that differ), removed (in STORE_A, not STORE_B) or added (in "
        "STORE_B, not STORE_A). Both stores are read once, side by side, in position order. A summary goes to "
        "stderr; the exit code is 9 when differences were found, 0 when none.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("diff"), help, QStringLiteral("diff"));
    parser.addPositionalArgument(QStringLiteral("STORE_A"),
        QStringLiteral("The first store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addPositionalArgument(QStringLiteral("STORE_B"), QStringLiteral("The second store, of any engine."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ stream, streamB, category, json, match, window });
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli diff --help` for usage."));
        return int(BadArguments);
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText() + QStringLiteral(" (for the diff command)"));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList args = parser.positionalArguments();
    if (args.size() < 3)
        return usage(QStringLiteral("The diff command needs STORE_A and STORE_B."));
    if (args.size() > 3)
        return usage(QStringLiteral("Unexpected argument \"%1\".").arg(args.at(3)));

    DiffOptions options;
    options.filter.stream = parser.value(stream);
    options.filter.category = parser.value(category);
    if (!options.filter.stream.isEmpty() && !options.filter.category.isEmpty())
        return usage(QStringLiteral("Give --stream or --category, not both."));
    if (parser.isSet(streamB)) {
        if (options.filter.stream.isEmpty())
            return usage(QStringLiteral("--stream-b needs --stream: the stream of STORE_A to compare it with."));
        EventFilter b;
        b.stream = parser.value(streamB);
        options.filterB = b;
    }
    if (parser.isSet(match)) {
        const QString m = parser.value(match);
        if (m == QLatin1String("id"))
            options.match = DiffMatch::Id;
        else if (m == QLatin1String("stream"))
            options.match = DiffMatch::StreamVersion;
        else
            return usage(QStringLiteral("--match is id or stream."));
    }
    if (parser.isSet(window)) {
        bool ok = false;
        options.window = parser.value(window).toLongLong(&ok);
        if (!ok || options.window < 1)
            return usage(QStringLiteral("--window needs a number of 1 or more."));
    }
    const bool jsonLines = parser.isSet(json);
    const bool terminal = ::isatty(STDERR_FILENO) == 1;

    const InterruptGuard guard;
    return runReportingErrors([&]() -> int {
        auto a = openStore(parser, args.at(1));
        std::unique_ptr<EventStore> b;
        try {
            b = openStore(parser, args.at(2));
        } catch (const StoreError& e) {
            throw StoreError(QStringLiteral("The second store: %1").arg(e.message()), e.kind());
        }
        qint64 lastShownMs = -1000;
        const DiffSummary summary = StoreDiff::run(
            *a, *b, options,
            [&](const DiffChange& c) {
                QByteArray line;
                if (jsonLines) {
                    line = c.toJsonLine();
                } else {
                    line = DiffChange::kindName(c.kind).toUtf8().leftJustified(8) + ' ' + c.stream.toUtf8() + '@'
                        + QByteArray::number(c.version);
                    if (!c.id.isEmpty())
                        line += " (" + c.id.toUtf8() + ')';
                    if (!c.paths.isEmpty())
                        line += "  " + c.paths.join(QStringLiteral(", ")).toUtf8();
                }
                if (!write(line))
                    throw OutputClosed();
            },
            [&](const DiffProgress& p) {
                if (terminal && p.elapsedMs - lastShownMs >= 200) {
                    lastShownMs = p.elapsedMs;
                    std::fprintf(stderr, "\rcomparing: %lld of %s events, %lld differences     ",
                        static_cast<long long>(p.eventsA),
                        p.totalA >= 0 ? QByteArray::number(p.totalA).constData() : "?",
                        static_cast<long long>(p.differences));
                    std::fflush(stderr);
                }
            },
            interruptFlag());
        std::fflush(stdout);
        std::fprintf(stderr,
            "%s%lld events in A, %lld in B (paired by %s): %lld unchanged, %lld changed, %lld removed, %lld added, in "
            "%.1f s\n",
            terminal ? "\r" : "", static_cast<long long>(summary.eventsA), static_cast<long long>(summary.eventsB),
            options.filterB           ? "version"
                : summary.matchedById ? "id"
                                      : "stream and version",
            static_cast<long long>(summary.unchanged), static_cast<long long>(summary.counts.changed),
            static_cast<long long>(summary.counts.removed), static_cast<long long>(summary.counts.added),
            double(summary.elapsedMs) / 1000.0);
        return summary.differs() ? int(Differences) : int(Success);
    });
}

} // namespace es::cli
