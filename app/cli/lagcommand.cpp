#include "lagcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "live/lag.h"
#include "outputwriter.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace es::cli {

namespace {

QCommandLineOption watchOption()
{
    return { QStringLiteral("watch"),
        QStringLiteral("Poll again every SECONDS until interrupted (rates need two polls)."),
        QStringLiteral("SECONDS") };
}

QCommandLineOption stallOption()
{
    return { QStringLiteral("stall"),
        QStringLiteral("A consumer behind and not moving for SECONDS is stalled (default 30)."),
        QStringLiteral("SECONDS"), QStringLiteral("30") };
}

QJsonValue optionalNumber(const std::optional<double>& value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonValue keyOrNull(qint64 value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QByteArray jsonLine(const LagRow& r)
{
    QJsonObject o { { QStringLiteral("name"), r.name }, { QStringLiteral("scope"), r.scope },
        { QStringLiteral("position"), r.started && r.position >= 0 ? QJsonValue(r.position) : QJsonValue() },
        { QStringLiteral("head"), keyOrNull(r.head) }, { QStringLiteral("lagEvents"), keyOrNull(r.lagEvents) },
        { QStringLiteral("lagSeconds"), optionalNumber(r.lagSeconds) },
        { QStringLiteral("ratePerSecond"), optionalNumber(r.ratePerSecond) },
        { QStringLiteral("etaSeconds"), optionalNumber(r.etaSeconds) },
        { QStringLiteral("status"), lagStatusName(r.status) } };
    // lagEvents extrapolated beyond the engine's exact window (see ScopeProgress::Probe::estimated).
    o.insert(QStringLiteral("lagEstimated"), r.lagEstimated);
    if (!r.partition.isEmpty())
        o.insert(QStringLiteral("partition"), r.partition);
    o.insert(QStringLiteral("checkpoint"), r.started ? QJsonValue(r.raw) : QJsonValue());
    if (!r.detail.isEmpty())
        o.insert(QStringLiteral("detail"), r.detail);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString number(const std::optional<double>& value, int decimals)
{
    return value ? QString::number(*value, 'f', decimals) : QStringLiteral("-");
}

void writeTable(const std::vector<LagRow>& rows, OutputWriter& out)
{
    const QStringList headers { QStringLiteral("NAME"), QStringLiteral("PARTITION"), QStringLiteral("SCOPE"),
        QStringLiteral("POSITION"), QStringLiteral("HEAD"), QStringLiteral("LAG"), QStringLiteral("LAG_S"),
        QStringLiteral("RATE/S"), QStringLiteral("ETA_S"), QStringLiteral("STATUS") };
    std::vector<QStringList> cells;
    for (const LagRow& r : rows) {
        cells.push_back({ r.name, r.partition.isEmpty() ? QStringLiteral("-") : r.partition, r.scope,
            !r.started            ? QStringLiteral("(none)")
                : r.position >= 0 ? QString::number(r.position)
                                  : r.raw,
            r.head >= 0 ? QString::number(r.head) : QStringLiteral("-"),
            r.lagEvents < 0      ? QStringLiteral("-")
                : r.lagEstimated ? u'~' + QString::number(r.lagEvents)
                                 : QString::number(r.lagEvents),
            number(r.lagSeconds, 1), number(r.ratePerSecond, 1), number(r.etaSeconds, 0),
            r.detail.isEmpty() ? lagStatusName(r.status) : lagStatusName(r.status) + QStringLiteral(": ") + r.detail });
    }
    std::vector<qsizetype> widths;
    for (const QString& h : headers)
        widths.push_back(h.size());
    for (const QStringList& row : cells) {
        for (qsizetype i = 0; i + 1 < row.size(); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], row.at(i).size());
    }
    auto line = [&](const QStringList& row) {
        QString text;
        for (qsizetype i = 0; i < row.size(); ++i) {
            const bool last = i + 1 == row.size();
            text += last ? row.at(i) : row.at(i).leftJustified(widths[size_t(i)]) + QStringLiteral("  ");
        }
        out.line(text.toUtf8());
    };
    line(headers);
    for (const QStringList& row : cells)
        line(row);
}

} // namespace

void LagCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ watchOption(), stallOption() });
}

int LagCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Write JSON Lines, one checkpoint per line, instead of a table."));
    const QCommandLineOption watch = watchOption();
    const QCommandLineOption stall = stallOption();
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Show every checkpoint (projection, processor, subscription) the store keeps: position, head of its scope, "
        "lag in events (counted; beyond the engine's exact window estimated, shown ~N) and in time, rate, ETA and "
        "status (caught-up, catching-up, falling-behind, stalled, "
        "behind, ahead-of-head, unparseable, error). JSON keys: name, scope, position, head, lagEvents, lagEstimated, "
        "lagSeconds, "
        "ratePerSecond, etaSeconds, status (and partition, checkpoint, detail).");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("lag"), help, QStringLiteral("lag"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, watch, stall });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("lag"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli lag --help` for usage."));
        return int(BadArguments);
    };
    double watchSeconds = 0;
    if (parser.isSet(watch)) {
        bool ok = false;
        watchSeconds = parser.value(watch).toDouble(&ok);
        if (!ok || watchSeconds <= 0)
            return usage(QStringLiteral("--watch needs a number of seconds above 0."));
    }
    LagThresholds thresholds;
    {
        bool ok = false;
        thresholds.stallSeconds = parser.value(stall).toDouble(&ok);
        if (!ok || thresholds.stallSeconds <= 0)
            return usage(QStringLiteral("--stall needs a number of seconds above 0."));
    }

    InterruptGuard guard;
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        OutputWriter out;
        LagTracker tracker(thresholds);
        QString lastNote;
        for (bool first = true;; first = false) {
            if (!first && !sleepUnlessInterrupted(int(watchSeconds * 1000)))
                break;
            LagPoll poll;
            if (watchSeconds <= 0)
                poll = pollLag(*store);
            else if (!retryWhileDisconnected([&] { poll = pollLag(*store); }))
                break;
            if (!poll.note.isEmpty() && poll.note != lastNote)
                printError(poll.note);
            lastNote = poll.note;
            const std::vector<LagRow> rows = tracker.add(poll);
            if (parser.isSet(json)) {
                for (const LagRow& r : rows)
                    out.line(jsonLine(r));
            } else {
                if (watchSeconds > 0)
                    out.line(poll.at.toString(Qt::ISODate).toUtf8());
                if (!rows.empty())
                    writeTable(rows, out);
                if (watchSeconds > 0)
                    out.line({});
            }
            out.flush();
            if (watchSeconds <= 0)
                break;
        }
        return Success;
    });
}

} // namespace es::cli
