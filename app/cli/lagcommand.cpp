#include "lagcommand.h"

#include "cliapplication.h"
#include "eventstore.h"
#include "lag.h"
#include "outputwriter.h"
#include "storeregistry.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace es::cli {

namespace live {

namespace {

std::atomic<bool> stopRequested { false };

void onSignal(int)
{
    stopRequested = true;
}

struct sigaction previousInt;
struct sigaction previousTerm;

} // namespace

InterruptGuard::InterruptGuard()
{
    stopRequested = false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previousInt);
    sigaction(SIGTERM, &action, &previousTerm);
}

InterruptGuard::~InterruptGuard()
{
    sigaction(SIGINT, &previousInt, nullptr);
    sigaction(SIGTERM, &previousTerm, nullptr);
}

bool interrupted()
{
    return stopRequested.load();
}

bool sleepUnlessInterrupted(int ms)
{
    constexpr int Step = 20;
    for (int slept = 0; slept < ms; slept += Step) {
        if (interrupted())
            return false;
        QThread::msleep(std::min(Step, ms - slept));
    }
    return !interrupted();
}

void printError(const QString& message)
{
    std::fprintf(stderr, "eventscope-cli: %s\n", message.toLocal8Bit().constData());
    std::fflush(stderr);
}

int exitCodeForStoreError(int kind)
{
    switch (StoreError::Kind(kind)) {
    case StoreError::Kind::BadAddress:
    case StoreError::Kind::Disconnected:
        return BadAddress;
    case StoreError::Kind::UnknownLayout:
        return UnknownLayout;
    case StoreError::Kind::MissingTable:
        return MissingTable;
    case StoreError::Kind::Cancelled:
        return Cancelled;
    case StoreError::Kind::Generic:
        break;
    }
    return ReadFailed;
}

QList<QCommandLineOption> storeOptions()
{
    return {
        { QStringLiteral("profile"), QStringLiteral("Read the store with layout profile NAME instead of recognising it."),
            QStringLiteral("NAME") },
        { QStringLiteral("mapping"), QStringLiteral("Read the store with the user mapping (profile) in FILE."),
            QStringLiteral("FILE") },
        { QStringLiteral("schema"), QStringLiteral("Database schema to read, where the layout allows one."),
            QStringLiteral("NAME") },
    };
}

std::unique_ptr<EventStore> openStore(const QCommandLineParser& parser, const QString& address)
{
    OpenOptions options;
    options.profile = parser.value(QStringLiteral("profile"));
    options.mappingFile = parser.value(QStringLiteral("mapping"));
    options.schema = parser.value(QStringLiteral("schema"));
    if (!options.mappingFile.isEmpty() && !QFileInfo::exists(options.mappingFile))
        throw StoreError(QStringLiteral("The mapping file %1 does not exist.").arg(options.mappingFile),
            StoreError::Kind::UnknownLayout);
    return StoreRegistry::open(address, options);
}

} // namespace live

namespace {

QCommandLineOption watchOption()
{
    return { QStringLiteral("watch"), QStringLiteral("Poll again every SECONDS until interrupted (rates need two polls)."),
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
            !r.started ? QStringLiteral("(none)") : r.position >= 0 ? QString::number(r.position) : r.raw,
            r.head >= 0 ? QString::number(r.head) : QStringLiteral("-"),
            r.lagEvents >= 0 ? QString::number(r.lagEvents) : QStringLiteral("-"), number(r.lagSeconds, 1),
            number(r.ratePerSecond, 1), number(r.etaSeconds, 0),
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
        "lag in events (counted) and in time, rate, ETA and status (caught-up, catching-up, falling-behind, stalled, "
        "behind, ahead-of-head, unparseable, error). JSON keys: name, scope, position, head, lagEvents, lagSeconds, "
        "ratePerSecond, etaSeconds, status (and partition, checkpoint, detail).");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("lag"), help, QStringLiteral("lag"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(live::storeOptions());
    parser.addOptions({ json, watch, stall });
    auto usage = [](const QString& message) {
        live::printError(message + QStringLiteral("\nRun `eventscope-cli lag --help` for usage."));
        return int(BadArguments);
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText() + QStringLiteral(" (for the lag command)"));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList args = parser.positionalArguments();
    if (args.size() < 2)
        return usage(QStringLiteral("The lag command needs STORE."));
    if (args.size() > 2)
        return usage(QStringLiteral("Unexpected argument \"%1\".").arg(args.at(2)));
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

    live::InterruptGuard guard;
    try {
        auto store = live::openStore(parser, args.at(1));
        OutputWriter out;
        LagTracker tracker(thresholds);
        QString lastNote;
        for (bool first = true;; first = false) {
            if (!first && !live::sleepUnlessInterrupted(int(watchSeconds * 1000)))
                break;
            const LagPoll poll = pollLag(*store);
            if (!poll.note.isEmpty() && poll.note != lastNote)
                live::printError(poll.note);
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
    } catch (const OutputClosed&) {
        return Success;
    } catch (const StoreError& e) {
        live::printError(e.message());
        return live::exitCodeForStoreError(int(e.kind()));
    } catch (const std::exception& e) {
        live::printError(QString::fromLocal8Bit(e.what()));
        return ReadFailed;
    }
}

} // namespace es::cli
