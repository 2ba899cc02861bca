#include "flowcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "flow/flowfinder.h"
#include "outputwriter.h"
#include "store/eventstore.h"

#include <QJsonDocument>

namespace es::cli {

namespace {

QCommandLineOption correlationOption()
{
    return { QStringLiteral("correlation"), QStringLiteral("Start from the events with correlation id ID."),
        QStringLiteral("ID") };
}

QCommandLineOption eventOption()
{
    return { QStringLiteral("event"), QStringLiteral("Start from the event at global position POSITION."),
        QStringLiteral("POSITION") };
}

QCommandLineOption windowOption()
{
    return { QStringLiteral("window"),
        QStringLiteral("Where no index serves a lookup, read at least the positions within N of the start event (of "
                       "the newest event with --correlation), then further while --budget lasts and the flow does "
                       "not look finished (default 0); -1 reads the whole log."),
        QStringLiteral("N"), QStringLiteral("0") };
}

QCommandLineOption budgetOption()
{
    return { QStringLiteral("budget"),
        QStringLiteral("Milliseconds the reading past --window may take (default 1500); 0 reads exactly --window."),
        QStringLiteral("MS"), QStringLiteral("1500") };
}

QCommandLineOption startTypeOption()
{
    return { QStringLiteral("start-type"), QStringLiteral("flows: the type that starts a flow."), QStringLiteral("T") };
}

QCommandLineOption incompleteAfterOption()
{
    return { QStringLiteral("incomplete-after"),
        QStringLiteral("flows: a flow without the usual end that started at least DURATION (90s, 15m, 2h, 3d) before "
                       "the newest event is incomplete (default 0)."),
        QStringLiteral("DURATION"), QStringLiteral("0") };
}

// Which positions were read and why the reading stopped.
QString windowText(const FlowScan& s)
{
    QString text = QStringLiteral("positions %1 to %2").arg(s.windowFrom).arg(s.windowTo);
    if (s.windowFromTime.isValid() && s.windowToTime.isValid())
        text += QStringLiteral(" (%1 to %2)").arg(Event::timeToIso(s.windowFromTime), Event::timeToIso(s.windowToTime));
    text += QStringLiteral(" in %1 s; ").arg(double(s.elapsedMs) / 1000.0, 0, 'f', 2);
    switch (s.stop) {
    case FlowScan::Stop::Budget:
        text += QStringLiteral("the %1 ms budget ran out and the flow may go on (--window %2 reads further)")
                    .arg(s.budgetMs)
                    .arg(s.reach() * 2);
        break;
    case FlowScan::Stop::Quiet:
        text += QStringLiteral("no event of the flow within %1 positions of either end (--window %2 reads further)")
                    .arg(s.quietMargin)
                    .arg(s.reach() * 2);
        break;
    case FlowScan::Stop::Edges:
        text += QStringLiteral("that is the whole log");
        break;
    case FlowScan::Stop::Limit:
        text += QStringLiteral("stopped at the event limit");
        break;
    case FlowScan::Stop::Window:
    case FlowScan::Stop::None:
        text += QStringLiteral("the window asked for");
        break;
    }
    return text;
}

QStringList unindexed(const FlowPlan& plan)
{
    QStringList out;
    if (!plan.correlationIndexed)
        out.append(QStringLiteral("correlation ids"));
    if (!plan.causeIndexed)
        out.append(QStringLiteral("causes"));
    if (!plan.effectIndexed)
        out.append(QStringLiteral("effects"));
    return out;
}

} // namespace

void FlowCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ correlationOption(), eventOption(), windowOption(), budgetOption(), startTypeOption(),
        incompleteAfterOption() });
}

int FlowCommand::run(const QStringList& arguments)
{
    const QCommandLineOption correlation = correlationOption();
    const QCommandLineOption event = eventOption();
    const QCommandLineOption window = windowOption();
    const QCommandLineOption budget = budgetOption();
    const QCommandLineOption format(QStringLiteral("format"),
        QStringLiteral("json (one object: correlationId, events, edges, unresolved), dot or mermaid (default json)."),
        QStringLiteral("FORMAT"), QStringLiteral("json"));
    const QCommandLineOption limit(QStringLiteral("limit"),
        QStringLiteral("At most N events (default 500); more marks the flow truncated."), QStringLiteral("N"),
        QStringLiteral("500"));
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "One business process: every event sharing the start's correlation id, plus causation chains in both "
        "directions, transitively. A cause the store does not hold is a placeholder (\"unresolved\"). Lookups use "
        "the layout's indexes where the database has them; others read outward from the start event in growing "
        "chunks of positions until the flow looks finished or --budget runs out (the window read and why it stopped "
        "are said on stderr; --window widens it). JSON keys: correlationId, events (as `events --json` prints them), "
        "edges (from, to: the cause's and the effect's ids), unresolved (id, referencedBy, searchedEverywhere), "
        "startPosition, durationMs, slowestStep (from, to, ms), truncated, scan.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("flow"), help, QStringLiteral("flow"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ correlation, event, format, window, budget, limit });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("flow"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli flow --help` for usage."));
        return int(BadArguments);
    };
    FlowRequest request;
    if (parser.isSet(correlation) == parser.isSet(event))
        return usage(QStringLiteral("Give --correlation ID or --event POSITION."));
    bool ok = true;
    if (parser.isSet(event)) {
        request.position = parser.value(event).toLongLong(&ok);
        if (!ok || request.position < 0)
            return usage(QStringLiteral("--event needs a global position."));
    } else {
        request.correlationId = parser.value(correlation);
        if (request.correlationId.isEmpty())
            return usage(QStringLiteral("--correlation needs an id."));
    }
    request.window = parser.value(window).toLongLong(&ok);
    if (!ok || request.window < -1)
        return usage(QStringLiteral("--window needs a number of positions (-1: the whole log)."));
    const qint64 ms = parser.value(budget).toLongLong(&ok);
    if (!ok || ms < 0 || ms > 86400000)
        return usage(QStringLiteral("--budget needs a number of milliseconds (0: read exactly --window)."));
    request.budgetMs = int(ms);
    const qint64 n = parser.value(limit).toLongLong(&ok);
    if (!ok || n < 1 || n > 1000000)
        return usage(QStringLiteral("--limit needs a number from 1 to 1000000."));
    request.limit = int(n);
    const QString fmt = parser.value(format);
    if (fmt != QLatin1String("json") && fmt != QLatin1String("dot") && fmt != QLatin1String("mermaid"))
        return usage(QStringLiteral("--format is json, dot or mermaid."));
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const FlowPlan plan = flowPlan(*store, request);
        if (plan.wholeLog)
            printError(QStringLiteral("note: no index serves lookups of %1 here; reading the whole log")
                           .arg(unindexed(plan).join(QStringLiteral(", "))));
        const Flow flow = findFlow(*store, request);
        if (flow.scan.windowed())
            printError(QStringLiteral("note: no index serves lookups of %1 here; read %2")
                           .arg(unindexed(plan).join(QStringLiteral(", ")), windowText(flow.scan)));
        if (flow.truncated)
            printError(QStringLiteral("note: the flow has more than %1 events (--limit raises it)").arg(request.limit));
        OutputWriter out;
        if (fmt == QLatin1String("dot"))
            out.write(flowToDot(flow).toUtf8());
        else if (fmt == QLatin1String("mermaid"))
            out.write(flowToMermaid(flow).toUtf8());
        else
            out.line(QJsonDocument(flowToJson(flow)).toJson(QJsonDocument::Compact));
        out.flush();
        return Success;
    });
}

} // namespace es::cli
