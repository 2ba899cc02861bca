#include "flowscommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "flow/flowvariants.h"
#include "outputwriter.h"
#include "store/eventstore.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace es::cli {

namespace {

QJsonValue secondsOrNull(double s)
{
    return s >= 0 ? QJsonValue(s) : QJsonValue();
}

QJsonValue timeOrNull(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(Event::timeToIso(t)) : QJsonValue();
}

QString secondsText(double s)
{
    if (s < 0)
        return QStringLiteral("-");
    if (s < 120)
        return QStringLiteral("%1s").arg(s, 0, 'f', s < 10 ? 2 : 1);
    if (s < 7200)
        return QStringLiteral("%1m").arg(s / 60, 0, 'f', 1);
    return QStringLiteral("%1h").arg(s / 3600, 0, 'f', 1);
}

} // namespace

bool FlowsCommand::parseDuration(const QString& text, qint64* seconds)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+)([smhdw]?)$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return false;
    bool ok = false;
    const qint64 n = m.captured(1).toLongLong(&ok);
    if (!ok)
        return false;
    const QString unit = m.captured(2);
    const qint64 factor = unit == QLatin1String("m") ? 60
        : unit == QLatin1String("h")                 ? 3600
        : unit == QLatin1String("d")                 ? 86400
        : unit == QLatin1String("w")                 ? 604800
                                                     : 1;
    *seconds = n * factor;
    return true;
}

int FlowsCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(QStringLiteral("json"),
        QStringLiteral("Write JSON Lines: one variant per line, then one incomplete flow per line."));
    const QCommandLineOption startType(
        QStringLiteral("start-type"), QStringLiteral("The type that starts a flow."), QStringLiteral("T"));
    const QCommandLineOption incompleteAfter(QStringLiteral("incomplete-after"),
        QStringLiteral("A flow without the usual end that started at least DURATION (90s, 15m, 2h, 3d) before the "
                       "newest event of the store is incomplete (default 0)."),
        QStringLiteral("DURATION"), QStringLiteral("0"));
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "The flows started by events of type T (every event sharing a correlation id with one), grouped by the "
        "database per correlation id and here by the sequence of types they went through: how many, and their "
        "duration (first to last event) at p50, p95 and p99. Then the incomplete flows: those that never reached "
        "the usual end (the most frequent last type) within --incomplete-after. Reads every event of the log. JSON "
        "keys: variants types, count, p50Seconds, p95Seconds, p99Seconds; incomplete flows incomplete (true), "
        "correlationId, types, firstPosition, firstTime, lastTime, usualEnd.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("flows"), help, QStringLiteral("flows"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, startType, incompleteAfter });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("flows"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli flows --help` for usage."));
        return int(BadArguments);
    };
    FlowsRequest request;
    request.startType = parser.value(startType);
    if (request.startType.isEmpty())
        return usage(QStringLiteral("The flows command needs --start-type."));
    if (!parseDuration(parser.value(incompleteAfter), &request.incompleteAfterSeconds))
        return usage(QStringLiteral("--incomplete-after needs a duration such as 90s, 15m, 2h or 3d."));
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const FlowVariants result = scanFlows(*store, request);
        OutputWriter out;
        const bool asJson = parser.isSet(json);
        if (!asJson)
            out.line(QStringLiteral("%1 flows started by %2; usual end: %3")
                         .arg(result.flows)
                         .arg(request.startType, result.usualEnd.isEmpty() ? QStringLiteral("-") : result.usualEnd)
                         .toUtf8());
        for (const FlowVariant& v : result.variants) {
            if (asJson) {
                const QJsonObject o { { QStringLiteral("types"), QJsonArray::fromStringList(v.types) },
                    { QStringLiteral("count"), v.count }, { QStringLiteral("p50Seconds"), secondsOrNull(v.p50Seconds) },
                    { QStringLiteral("p95Seconds"), secondsOrNull(v.p95Seconds) },
                    { QStringLiteral("p99Seconds"), secondsOrNull(v.p99Seconds) } };
                out.line(QJsonDocument(o).toJson(QJsonDocument::Compact));
            } else {
                out.line(
                    QStringLiteral("%1  p50 %2  p95 %3  p99 %4  %5")
                        .arg(QString::number(v.count).rightJustified(9), secondsText(v.p50Seconds),
                            secondsText(v.p95Seconds), secondsText(v.p99Seconds), v.types.join(QStringLiteral(" → ")))
                        .toUtf8());
            }
            out.maybeFlush();
        }
        if (!asJson && !result.incomplete.empty())
            out.line(QStringLiteral("incomplete (no %1):").arg(result.usualEnd).toUtf8());
        for (const IncompleteFlow& f : result.incomplete) {
            if (asJson) {
                const QJsonObject o { { QStringLiteral("incomplete"), true },
                    { QStringLiteral("correlationId"), f.correlationId },
                    { QStringLiteral("types"), QJsonArray::fromStringList(f.types) },
                    { QStringLiteral("firstPosition"), f.firstPosition },
                    { QStringLiteral("firstTime"), timeOrNull(f.firstTime) },
                    { QStringLiteral("lastTime"), timeOrNull(f.lastTime) },
                    { QStringLiteral("usualEnd"), result.usualEnd } };
                out.line(QJsonDocument(o).toJson(QJsonDocument::Compact));
            } else {
                out.line(QStringLiteral("  %1  position %2  %3  %4")
                             .arg(f.correlationId, QString::number(f.firstPosition),
                                 f.firstTime.isValid() ? Event::timeToIso(f.firstTime) : QStringLiteral("-"),
                                 f.types.join(QStringLiteral(" → ")))
                             .toUtf8());
            }
            out.maybeFlush();
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
