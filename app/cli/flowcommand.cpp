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
        QStringLiteral("Where no index serves a lookup, read the positions within N of the start event (default "
                       "250000); 0 reads the whole log."),
        QStringLiteral("N"), QStringLiteral("250000") };
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

QString windowText(const FlowScan& s)
{
    QString text = QStringLiteral("positions %1 to %2").arg(s.windowFrom).arg(s.windowTo);
    if (s.windowFromTime.isValid() && s.windowToTime.isValid())
        text += QStringLiteral(" (%1 to %2)").arg(Event::timeToIso(s.windowFromTime), Event::timeToIso(s.windowToTime));
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
    parser.addOptions(
        { correlationOption(), eventOption(), windowOption(), startTypeOption(), incompleteAfterOption() });
}

int FlowCommand::run(const QStringList& arguments)
{
    const QCommandLineOption correlation = correlationOption();
    const QCommandLineOption event = eventOption();
    const QCommandLineOption window = windowOption();
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
        "the layout's indexes where the database has them; others read a window of positions around the start event "
        "(said on stderr; --window widens it). JSON keys: correlationId, events (as `events --json` prints them), "
        "edges (from, to: the cause's and the effect's ids), unresolved (id, referencedBy, searchedEverywhere), "
        "startPosition, durationMs, slowestStep (from, to, ms), truncated, scan.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("flow"), help, QStringLiteral("flow"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ correlation, event, format, window, limit });
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
    if (!ok || request.window < 0)
        return usage(QStringLiteral("--window needs a number of positions (0: the whole log)."));
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
        if (flow.scan.windowed() && !plan.wholeLog)
            printError(QStringLiteral("note: no index serves lookups of %1 here; read %2 (--window widens it)")
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
