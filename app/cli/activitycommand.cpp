#include "activitycommand.h"

#include "activity/activity.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "core/event.h"
#include "core/payload.h"
#include "outputwriter.h"

#include <algorithm>

namespace es::cli {

namespace {

QCommandLineOption bucketOption()
{
    return { QStringLiteral("bucket"),
        QStringLiteral("Bucket size: minute, hour, day or auto (default: the size giving at most 120 buckets)."),
        QStringLiteral("SIZE"), QStringLiteral("auto") };
}

QCommandLineOption byOption()
{
    return { QStringLiteral("by"), QStringLiteral("Count per type, category or stream within each bucket."),
        QStringLiteral("GROUP") };
}

QCommandLineOption topOption()
{
    return { QStringLiteral("top"),
        QStringLiteral("With --by: the N groups with most events, the rest summed as \"(other)\" (default 20)."),
        QStringLiteral("N"), QStringLiteral("20") };
}

QCommandLineOption estimateOption()
{
    return { QStringLiteral("estimate"),
        QStringLiteral("Answer within about a second: counts scaled up from a sample of position ranges, marked "
                       "\"estimated\": true (one stream, or a small store, is counted exactly and says false).") };
}

QStringList splitList(const QStringList& values)
{
    QStringList out;
    for (const QString& v : values) {
        for (const QString& part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (const QString t = part.trimmed(); !t.isEmpty())
                out.append(t);
        }
    }
    return out;
}

QByteArray utcText(qint64 epochSeconds)
{
    return histogram::toUtc(epochSeconds).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toLatin1();
}

} // namespace

void ActivityCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ bucketOption(), byOption(), topOption(), estimateOption(), noCacheOption() });
}

int ActivityCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(QStringLiteral("json"),
        QStringLiteral("Write JSON Lines, one bucket (and group) per line, instead of a table."));
    const QCommandLineOption stream(
        QStringLiteral("stream"), QStringLiteral("Only the events of stream S."), QStringLiteral("S"));
    const QCommandLineOption category(
        QStringLiteral("category"), QStringLiteral("Only the events of category C."), QStringLiteral("C"));
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const QCommandLineOption fromTime(QStringLiteral("from-time"),
        QStringLiteral("Only events at or after TIME (ISO 8601; without a zone, UTC)."), QStringLiteral("TIME"));
    const QCommandLineOption toTime(
        QStringLiteral("to-time"), QStringLiteral("Only events before TIME."), QStringLiteral("TIME"));
    const QCommandLineOption bucket = bucketOption();
    const QCommandLineOption by = byOption();
    const QCommandLineOption top = topOption();
    const QCommandLineOption estimate = estimateOption();
    const QCommandLineOption noCache = noCacheOption();

    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Count events per time bucket (UTC), optionally per type, category or stream. Exact, counted by the "
        "database, unless --estimate; a second count of the same store comes from the local summary cache, which "
        "counts only the events appended since (--no-cache bypasses it). Buckets without events are left out. JSON "
        "keys: start (ISO 8601, UTC), count, "
        "group (with --by), estimated.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("activity"), help, QStringLiteral("activity"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, stream, category, type, fromTime, toTime, bucket, by, top, estimate, noCache });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("activity"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli activity --help` for usage."));
        return int(BadArguments);
    };

    ActivityRequest request;
    request.filter.stream = parser.value(stream);
    request.filter.category = parser.value(category);
    request.filter.types = splitList(parser.values(type));
    if (int(!request.filter.stream.isEmpty()) + int(!request.filter.category.isEmpty())
            + int(!request.filter.types.isEmpty())
        > 1)
        return usage(QStringLiteral("Give one of --stream, --category or --type."));
    for (const auto& [option, target] :
        { std::pair { &fromTime, &request.from }, std::pair { &toTime, &request.to } }) {
        if (!parser.isSet(*option))
            continue;
        *target = parseStoreTime(parser.value(*option).toUtf8());
        if (!target->isValid())
            return usage(
                QStringLiteral("--%1: \"%2\" is not a time.").arg(option->names().constFirst(), parser.value(*option)));
    }
    const QString size = parser.value(bucket);
    if (size == QLatin1String("minute"))
        request.bucketSeconds = 60;
    else if (size == QLatin1String("hour"))
        request.bucketSeconds = 3600;
    else if (size == QLatin1String("day"))
        request.bucketSeconds = 86400;
    else if (size != QLatin1String("auto"))
        return usage(QStringLiteral("--bucket is minute, hour, day or auto, not \"%1\".").arg(size));
    request.groupBy = HistogramQuery::GroupBy::None;
    if (parser.isSet(by)) {
        const QString g = parser.value(by);
        if (g == QLatin1String("type"))
            request.groupBy = HistogramQuery::GroupBy::Type;
        else if (g == QLatin1String("category"))
            request.groupBy = HistogramQuery::GroupBy::Category;
        else if (g == QLatin1String("stream"))
            request.groupBy = HistogramQuery::GroupBy::Stream;
        else
            return usage(QStringLiteral("--by is type, category or stream, not \"%1\".").arg(g));
    }
    bool ok = false;
    request.topN = parser.value(top).toInt(&ok);
    if (!ok || request.topN < 1)
        return usage(QStringLiteral("--top needs a number of 1 or more."));
    request.estimate = parser.isSet(estimate);
    request.useCache = !parser.isSet(noCache);
    const bool grouped = request.groupBy != HistogramQuery::GroupBy::None;

    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const ActivityResult result = activity::compute(*store, request);
        const Histogram& h = result.histogram;
        OutputWriter out;
        QByteArray line;
        if (!parser.isSet(json)) {
            line = "START (UTC)          ";
            if (grouped)
                line += "GROUP                             ";
            line += h.estimated ? "COUNT (estimated)" : "COUNT";
            out.line(line);
        }
        for (size_t b = 0; b < h.buckets.size(); ++b) {
            for (qsizetype g = 0; g < h.groups.size(); ++g) {
                const qint64 n = h.counts[b][size_t(g)];
                if (n == 0)
                    continue;
                line.clear();
                if (parser.isSet(json)) {
                    line.append("{\"start\":");
                    appendJsonString(line, histogram::toUtc(h.buckets[b]).toString(Qt::ISODate).toLatin1());
                    line.append(",\"count\":").append(QByteArray::number(n));
                    if (grouped) {
                        line.append(",\"group\":");
                        appendJsonString(line, h.groups.at(g));
                    }
                    line.append(",\"estimated\":").append(h.estimated ? "true" : "false").append('}');
                } else {
                    line.append(utcText(h.buckets[b])).append("  ");
                    if (grouped) {
                        const QByteArray name = h.groups.at(g).toUtf8();
                        line.append(name).append(QByteArray(std::max<qsizetype>(2, 34 - name.size()), ' '));
                    }
                    line.append(h.estimated ? "~" : "").append(QByteArray::number(n));
                }
                out.line(line);
            }
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
