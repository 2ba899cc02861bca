#include "cliapplication.h"

#include "activitycommand.h"
#include "cache/scopecounts.h"
#include "cachecommand.h"
#include "categoriescommand.h"
#include "clicommon.h"

#include "casecommand.h"
#include "core/event.h"
#include "core/eventfilter.h"
#include "core/payload.h"
#include "diffcommand.h"
#include "exportcommand.h"
#include "flowcommand.h"
#include "flowscommand.h"
#include "foldcommand.h"
#include "lagcommand.h"
#include "linkcommand.h"
#include "outputwriter.h"
#include "reconcilecommand.h"
#include "resolvecommand.h"
#include "samplewriter.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"
#include "suggestmappingcommand.h"
#include "tailcommand.h"
#include "typescommand.h"
#include "valuescommand.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <limits>
#include <unistd.h>

namespace es::cli {

namespace {

const char* const description
    = R"(Inspect event stores from the command line. Read-only: only `sample`, `export` and `case` write, and
only a new file they create (export replaces one with --force).

Commands:
  info STORE      describe the store: layout, counts, positions, times (JSON)
  streams STORE   list streams (a table, or JSON Lines with --json)
  categories STORE
                  categories with their stream and event counts; exact, or --estimate within a second
  events STORE    read events in global order or one stream (a table, or JSON Lines with --json)
  sample FILE     write a deterministic demo store in a real layout (Emmett SQLite; or Message DB
                  into a new PostgreSQL database: sample postgresql://... --layout messagedb)
  fold STORE      replay one stream through a reducer: its state, a trace, or where a predicate holds
  export STORE    write events to a file: JSON Lines, JSON, CSV or a new SQLite store (--out FILE)
  lag STORE       checkpoints of projections and processors: lag in events and time, rate, ETA, status
  tail STORE      print events as JSON Lines as they are committed, until interrupted
  activity STORE  events per time bucket (and type, category or stream); exact, or --estimate within a second
  types STORE     the event types: counts, positions, times, shapes and fields by JSON type
  values STORE    the distinct values of one path of one type, and the streams they occur in
  suggest-mapping STORE
                  propose a mapping file for a database no profile matches (the mapping wizard)
  link STORE      print the eventscope:// link to an event, a stream, a filtered view or a time-travel state
  resolve LINK    print the event(s) an eventscope:// link points to (JSON Lines, as events --json)
  flow STORE      one business process from an event or a correlation id: events, causation edges,
                  unresolved causes (JSON, Graphviz DOT or Mermaid)
  flows STORE     the flows started by one type grouped by their type sequence, with durations, and the
                  incomplete ones
  cache ACTION    the local summary cache of counts: info (where, how big) or clear
  diff STORE_A STORE_B  the events changed, removed and added between two stores (or a stream or category)
  case STORE      write a case file: chosen events, places and notes in a new SQLite store (--out FILE)
  reconcile STORE compare a replay of every stream of a scope with a read-model table

STORE is a SQLite file path, sqlite:///path, or a postgresql:// address.
Run `eventscope-cli COMMAND --help` for the options of a command.

Exit codes:
  0  success (also when the reader of the output stops early, as `| head` does)
  1  the store could not be read, or the output could not be written
  2  bad arguments
  3  bad address: no such file, not a store, unreachable server, or the sample FILE exists
  4  unknown layout: no profile matches the store's tables, or an unknown --profile or --layout
  5  a table the layout needs is missing
  6  cancelled
  7  fold: the reducer failed (the message names the event)
  8  fold: the --until predicate never held
  9  differences found: diff (the stores differ) or reconcile (a row differs, is missing, extra or stale))";

bool parseCount(const QString& text, qint64* out)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0)
        return false;
    *out = value;
    return true;
}

QJsonValue numberOrNull(qint64 value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue timeOrNull(const QDateTime& time)
{
    return time.isValid() ? QJsonValue(Event::timeToIso(time)) : QJsonValue(QJsonValue::Null);
}

void appendNumber(QByteArray& out, qint64 value)
{
    if (value >= 0)
        out.append(QByteArray::number(value));
    else
        out.append("null");
}

void appendTime(QByteArray& out, const QDateTime& time)
{
    if (time.isValid())
        appendJsonString(out, Event::timeToIso(time).toLatin1());
    else
        out.append("null");
}

QByteArray plainTime(const QDateTime& time)
{
    return time.isValid() ? time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toLatin1() : QByteArray("-");
}

QByteArray plainNumber(qint64 value)
{
    return value >= 0 ? QByteArray::number(value) : QByteArray("-");
}

// Pads to width; longer cells are kept whole (the table only aligns what fits).
void appendCell(QByteArray& out, const QByteArray& cell, int width, bool rightAlign = false)
{
    const qsizetype pad = std::max<qsizetype>(0, width - cell.size());
    if (rightAlign)
        out.append(QByteArray(pad, ' ')).append(cell);
    else
        out.append(cell).append(QByteArray(pad, ' '));
}

class RawLineWriter : public RawEventReceiver {
public:
    RawLineWriter(OutputWriter& out, qint64 limit)
        : m_out(out)
        , m_limit(limit)
    { }
    bool row(const RawEvent& event) override
    {
        event.appendJsonLine(m_out.buffer());
        m_out.buffer().append('\n');
        m_out.maybeFlush();
        return m_limit == 0 || ++m_written < m_limit;
    }

private:
    OutputWriter& m_out;
    qint64 m_limit;
    qint64 m_written = 0;
};

QStringList splitList(const QStringList& values)
{
    QStringList out;
    for (const QString& v : values) {
        for (const QString& part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString trimmed = part.trimmed();
            if (!trimmed.isEmpty())
                out.append(trimmed);
        }
    }
    return out;
}

} // namespace

CliApplication::CliApplication()
    : m_profile(QStringLiteral("profile"),
        QStringLiteral("Read the store with layout profile NAME instead of recognising it."), QStringLiteral("NAME"))
    , m_mapping(QStringLiteral("mapping"), QStringLiteral("Read the store with the user mapping (profile) in FILE."),
          QStringLiteral("FILE"))
    , m_schema(QStringLiteral("schema"), QStringLiteral("Database schema to read, where the layout allows one."),
          QStringLiteral("NAME"))
    , m_json(QStringLiteral("json"), QStringLiteral("Write JSON Lines, one object per line, instead of a table."))
    , m_limit(QStringLiteral("limit"), QStringLiteral("At most N rows; 0 for all (default 1000)."), QStringLiteral("N"),
          QStringLiteral("1000"))
    , m_prefix(QStringLiteral("prefix"), QStringLiteral("Only streams whose name starts with P."), QStringLiteral("P"))
    , m_contains(QStringLiteral("contains"), QStringLiteral("Only streams whose name contains S."), QStringLiteral("S"))
    , m_category(QStringLiteral("category"), QStringLiteral("Only streams of category C."), QStringLiteral("C"))
    , m_stream(QStringLiteral("stream"), QStringLiteral("Read one stream; positions are then its versions."),
          QStringLiteral("S"))
    , m_from(QStringLiteral("from"),
          QStringLiteral("Start at global position POS (a stream version with --stream), inclusive."),
          QStringLiteral("POS"))
    , m_type(QStringLiteral("type"), QStringLiteral("Only events of type T (repeat, or separate types with commas)."),
          QStringLiteral("T"))
    , m_filter(QStringLiteral("filter"),
          QStringLiteral("Only events where the JSON condition holds, e.g. \"data.amount > 100\", "
                         "\"metadata.userId = 'u-7'\" or \"data.name missing\" (repeat, or join with ' and ')."),
          QStringLiteral("EXPR"))
    , m_text(
          QStringLiteral("text"), QStringLiteral("Only events whose data or metadata contains T."), QStringLiteral("T"))
    , m_fromTime(QStringLiteral("from-time"),
          QStringLiteral("Only events at or after TIME (ISO 8601; without a zone, UTC)."), QStringLiteral("TIME"))
    , m_toTime(QStringLiteral("to-time"), QStringLiteral("Only events before TIME."), QStringLiteral("TIME"))
    , m_events(QStringLiteral("events"), QStringLiteral("Number of events to write (default 200000)."),
          QStringLiteral("N"), QStringLiteral("200000"))
    , m_seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 42); the same seed writes the same events."),
          QStringLiteral("S"), QStringLiteral("42"))
    , m_layout(QStringLiteral("layout"),
          QStringLiteral("Layout to write (default emmett; available: %1).")
              .arg(sampleLayouts().join(QStringLiteral(", "))),
          QStringLiteral("NAME"), QStringLiteral("emmett"))
{
    m_category.setDescription(QStringLiteral("Only streams (or events) of category C."));
}

CliApplication::~CliApplication() = default;

void CliApplication::addOptions(QCommandLineParser& parser, Command command) const
{
    const bool all = command == Command::None;
    if (all || command != Command::Sample)
        parser.addOptions({ m_profile, m_mapping, m_schema, cli::statementTimeoutOption() });
    if (all || command == Command::Info)
        parser.addOption(m_json);
    if (command == Command::Info) // the first pass has them from activity
        parser.addOptions({ cli::noCacheOption(),
            { QStringLiteral("estimate"),
                QStringLiteral("Answer within about a second: the event count estimated from a sample of position "
                               "ranges (\"eventsEstimated\": true), the stream count left null.") } });
    if (command == Command::Streams || command == Command::Events)
        parser.addOptions({ m_json, m_limit, m_category });
    if (all)
        parser.addOptions({ m_limit, m_category });
    if (all || command == Command::Streams)
        parser.addOptions({ m_prefix, m_contains });
    if (all || command == Command::Events)
        parser.addOptions({ m_stream, m_from, m_type, m_filter, m_text, m_fromTime, m_toTime });
    if (all || command == Command::Sample)
        parser.addOptions({ m_events, m_seed, m_layout });
    if (all || command == Command::Fold)
        parser.addOptions(FoldCommand().options());
    if (all)
        ExportCommand::addFirstPassOptions(parser);
    if (all) {
        LagCommand::addFirstPassOptions(parser);
        TailCommand::addFirstPassOptions(parser);
        ActivityCommand::addFirstPassOptions(parser);
        TypesCommand::addFirstPassOptions(parser);
        ValuesCommand::addFirstPassOptions(parser);
        SuggestMappingCommand::addFirstPassOptions(parser);
        LinkCommand::addFirstPassOptions(parser);
        ResolveCommand::addFirstPassOptions(parser);
        FlowCommand::addFirstPassOptions(parser);
        DiffCommand::addFirstPassOptions(parser);
        CaseCommand::addFirstPassOptions(parser);
        ReconcileCommand::addFirstPassOptions(parser);
    }
    if (command == Command::Fold)
        parser.addOption(m_stream);
}

int CliApplication::usageError(const QString& message) const
{
    printError(message + QStringLiteral("\nRun `eventscope-cli --help` for usage."));
    return BadArguments;
}

int CliApplication::run(const QStringList& arguments)
{
    // link takes --version V, which the first pass reads as the program's --version: it goes first when named first.
    if (arguments.value(1) == QLatin1String("link"))
        return LinkCommand().run(arguments);
    // First pass with every option, only to find the command among the arguments.
    QCommandLineParser first;
    first.setApplicationDescription(QString::fromUtf8(description));
    first.addPositionalArgument(QStringLiteral("COMMAND"),
        QStringLiteral(
            "info, streams, categories, events, sample, fold, export, lag, tail, activity, types, values, flow, flows, "
            "suggest-mapping, link, resolve, cache, diff, case or reconcile"));
    const QCommandLineOption help = first.addHelpOption();
    const QCommandLineOption version = first.addVersionOption();
    addOptions(first, Command::None);
    if (!first.parse(arguments))
        return usageError(first.errorText());
    const QStringList positional = first.positionalArguments();
    const QString name = positional.value(0);
    if (name.isEmpty()) {
        if (first.isSet(version))
            first.showVersion();
        if (first.isSet(help))
            first.showHelp(Success);
        return usageError(QStringLiteral("No command given."));
    }
    if (name == QLatin1String("export"))
        return ExportCommand().run(arguments);
    if (name == QLatin1String("lag"))
        return LagCommand().run(arguments);
    if (name == QLatin1String("tail"))
        return TailCommand().run(arguments);
    if (name == QLatin1String("activity"))
        return ActivityCommand().run(arguments);
    if (name == QLatin1String("types"))
        return TypesCommand().run(arguments);
    if (name == QLatin1String("categories"))
        return CategoriesCommand().run(arguments);
    if (name == QLatin1String("values"))
        return ValuesCommand().run(arguments);
    if (name == QLatin1String("suggest-mapping"))
        return SuggestMappingCommand().run(arguments);
    if (name == QLatin1String("link"))
        return LinkCommand().run(arguments);
    if (name == QLatin1String("resolve"))
        return ResolveCommand().run(arguments);
    if (name == QLatin1String("flow"))
        return FlowCommand().run(arguments);
    if (name == QLatin1String("flows"))
        return FlowsCommand().run(arguments);
    if (name == QLatin1String("cache"))
        return CacheCommand().run(arguments);
    if (name == QLatin1String("diff"))
        return DiffCommand().run(arguments);
    if (name == QLatin1String("case"))
        return CaseCommand().run(arguments);
    if (name == QLatin1String("reconcile"))
        return ReconcileCommand().run(arguments);

    Command command = Command::None;
    QString argumentName = QStringLiteral("STORE");
    QString argumentHelp = QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://...");
    QString commandHelp;
    if (name == QLatin1String("info")) {
        command = Command::Info;
        commandHelp = QStringLiteral(
            "Describe the store as a JSON object. Its counts are exact: a second count of the same store comes from "
            "the local summary cache (--no-cache bypasses it); --estimate answers within a second.");
    } else if (name == QLatin1String("streams")) {
        command = Command::Streams;
        commandHelp
            = QStringLiteral("List streams by name (keys: stream, category, version, events, firstTime, lastTime).");
    } else if (name == QLatin1String("events")) {
        command = Command::Events;
        commandHelp = QStringLiteral("Read events forward in global order, or one stream in version order.");
    } else if (name == QLatin1String("sample")) {
        command = Command::Sample;
        argumentName = QStringLiteral("FILE");
        argumentHelp = QStringLiteral("The new store file; an existing file is never replaced.");
        commandHelp = QStringLiteral("Write a deterministic demo store (accounts, orders, shipments).");
    } else if (name == QLatin1String("fold")) {
        command = Command::Fold;
        commandHelp = FoldCommand::help();
    } else {
        return usageError(
            QStringLiteral("Unknown command \"%1\" (commands: info, streams, categories, events, sample, fold, export, "
                           "lag, tail, activity, "
                           "types, values, flow, flows, suggest-mapping, link, resolve, cache, diff, case, reconcile).")
                .arg(name));
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(commandHelp);
    parser.addPositionalArgument(name, commandHelp, name);
    parser.addPositionalArgument(argumentName, argumentHelp);
    parser.addHelpOption();
    parser.addVersionOption();
    addOptions(parser, command);
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("%1 (for the %2 command)").arg(parser.errorText(), name));
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList args = parser.positionalArguments();
    if (args.size() < 2)
        return usageError(QStringLiteral("The %1 command needs %2.").arg(name, argumentName));
    if (args.size() > 2)
        return usageError(QStringLiteral("Unexpected argument \"%1\".").arg(args.at(2)));

    return runReportingErrors([&]() -> int {
        if (command == Command::Sample)
            return sample(parser, args.at(1));
        OutputWriter out;
        int code = Success;
        switch (command) {
        case Command::Info:
            code = info(parser, args.at(1), out);
            break;
        case Command::Streams:
            code = streams(parser, args.at(1), out);
            break;
        case Command::Events:
            code = events(parser, args.at(1), out);
            break;
        case Command::Fold:
            code = FoldCommand().run(parser, *openStore(parser, args.at(1)), parser.value(m_stream), out);
            break;
        case Command::Sample:
        case Command::None:
            break;
        }
        out.flush();
        return code;
    });
}

std::unique_ptr<EventStore> CliApplication::openStore(const QCommandLineParser& parser, const QString& address) const
{
    return cli::openStore(parser, address);
}

int CliApplication::info(const QCommandLineParser& parser, const QString& address, OutputWriter& out)
{
    auto store = openStore(parser, address);
    StoreInfo i;
    if (parser.isSet(QStringLiteral("estimate"))) {
        i = store->info(false);
        const CountEstimate estimate = store->estimateCount({});
        i.eventCount = estimate.count;
        i.eventCountEstimated = estimate.estimated;
    } else {
        i = counts::storeInfo(*store, !parser.isSet(QStringLiteral("no-cache")));
    }
    QJsonObject o;
    o.insert(QStringLiteral("address"), i.address);
    o.insert(QStringLiteral("engine"), i.engine);
    o.insert(QStringLiteral("layout"), i.layout);
    o.insert(QStringLiteral("layoutTitle"), i.layoutTitle);
    o.insert(QStringLiteral("candidateLayouts"), QJsonArray::fromStringList(i.candidateLayouts));
    o.insert(QStringLiteral("events"), numberOrNull(i.eventCount));
    o.insert(QStringLiteral("eventsEstimated"), i.eventCountEstimated);
    o.insert(QStringLiteral("streams"), numberOrNull(i.streamCount));
    o.insert(QStringLiteral("firstPosition"), numberOrNull(i.firstPosition));
    o.insert(QStringLiteral("headPosition"), numberOrNull(i.headPosition));
    o.insert(QStringLiteral("firstTime"), timeOrNull(i.firstTime));
    o.insert(QStringLiteral("lastTime"), timeOrNull(i.lastTime));
    o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(i.notes));
    out.write(QJsonDocument(o).toJson(QJsonDocument::Indented));
    return Success;
}

int CliApplication::streams(const QCommandLineParser& parser, const QString& address, OutputWriter& out)
{
    qint64 limit = 0;
    if (!parseCount(parser.value(m_limit), &limit))
        return usageError(QStringLiteral("--limit needs a number of 0 or more."));
    const bool json = parser.isSet(m_json);
    auto store = openStore(parser, address);

    StreamQuery query;
    query.prefix = parser.value(m_prefix);
    query.contains = parser.value(m_contains);
    query.category = parser.value(m_category);
    query.withStats = true;
    constexpr int pageSize = 500;

    int widths[2] = { 6, 8 };
    bool headerWritten = false;
    qint64 written = 0;
    QByteArray line;
    while (limit == 0 || written < limit) {
        query.limit = static_cast<int>(limit == 0 ? pageSize : std::min<qint64>(pageSize, limit - written));
        const StreamList page = store->streams(query);
        if (!json && !headerWritten) {
            // Column widths from the first page: the table streams out without reading every stream first.
            for (const StreamInfo& s : page) {
                widths[0] = std::max(widths[0], static_cast<int>(s.name.toUtf8().size()));
                widths[1] = std::max(widths[1], static_cast<int>(s.category.toUtf8().size()));
            }
            widths[0] = std::min(widths[0], 60);
            line.clear();
            appendCell(line, "STREAM", widths[0] + 2);
            appendCell(line, "CATEGORY", widths[1] + 2);
            appendCell(line, "VERSION", 9, true);
            appendCell(line, "EVENTS", 9, true);
            line.append("  ");
            appendCell(line, "FIRST TIME", 21);
            line.append("LAST TIME");
            out.line(line);
            headerWritten = true;
        }
        for (const StreamInfo& s : page) {
            line.clear();
            if (json) {
                line.append("{\"stream\":");
                appendJsonString(line, s.name);
                line.append(",\"category\":");
                appendJsonString(line, s.category);
                line.append(",\"version\":");
                appendNumber(line, s.version);
                line.append(",\"events\":");
                appendNumber(line, s.events);
                line.append(",\"firstTime\":");
                appendTime(line, s.firstTime);
                line.append(",\"lastTime\":");
                appendTime(line, s.lastTime);
                line.append('}');
            } else {
                appendCell(line, s.name.toUtf8(), widths[0] + 2);
                appendCell(line, s.category.toUtf8(), widths[1] + 2);
                appendCell(line, plainNumber(s.version), 9, true);
                appendCell(line, plainNumber(s.events), 9, true);
                line.append("  ");
                appendCell(line, plainTime(s.firstTime), 21);
                line.append(plainTime(s.lastTime));
            }
            out.line(line);
            ++written;
        }
        if (page.size() < static_cast<std::size_t>(query.limit) || page.empty())
            break;
        query.after = page.back().name;
    }
    return Success;
}

int CliApplication::events(const QCommandLineParser& parser, const QString& address, OutputWriter& out)
{
    qint64 limit = 0;
    if (!parseCount(parser.value(m_limit), &limit))
        return usageError(QStringLiteral("--limit needs a number of 0 or more."));
    qint64 from = -1;
    if (parser.isSet(m_from) && !parseCount(parser.value(m_from), &from))
        return usageError(QStringLiteral("--from needs a position of 0 or more."));

    EventFilter filter;
    filter.stream = parser.value(m_stream);
    filter.category = parser.value(m_category);
    filter.types = splitList(parser.values(m_type));
    filter.text = parser.value(m_text);
    if (parser.isSet(m_fromTime)) {
        filter.fromTime = parseStoreTime(parser.value(m_fromTime).toUtf8());
        if (!filter.fromTime.isValid())
            return usageError(QStringLiteral("--from-time: \"%1\" is not a time.").arg(parser.value(m_fromTime)));
    }
    if (parser.isSet(m_toTime)) {
        filter.toTime = parseStoreTime(parser.value(m_toTime).toUtf8());
        if (!filter.toTime.isValid())
            return usageError(QStringLiteral("--to-time: \"%1\" is not a time.").arg(parser.value(m_toTime)));
    }
    for (const QString& expression : parser.values(m_filter)) {
        QString error;
        if (!EventFilter::parseConditions(expression, &filter.conditions, &error))
            return usageError(QStringLiteral("--filter \"%1\": %2").arg(expression, error));
    }
    if (!filter.stream.isEmpty() && !filter.category.isEmpty())
        return usageError(QStringLiteral("Give --stream or --category, not both."));
    const bool json = parser.isSet(m_json);
    auto store = openStore(parser, address);

    EventQuery query;
    query.filter = filter;
    query.from = from;
    // Filtered reads go in bounded windows so output flows and each statement stays short.
    query.scanWindow = filter.hasPredicates() ? 200000 : 0;
    constexpr int pageSize = 2000;

    if (!json) {
        QByteArray header;
        appendCell(header, "POSITION", 10, true);
        header.append("  ");
        appendCell(header, "TIME", 21);
        appendCell(header, "STREAM", 28);
        appendCell(header, "VERSION", 7, true);
        header.append("  ");
        appendCell(header, "TYPE", 22);
        header.append("DATA");
        out.line(header);
    }

    if (json) {
        // Rows go from the store to the output as bytes, with no Event built (the same writer as export).
        RawLineWriter lines(out, limit);
        EventQuery rawQuery;
        rawQuery.filter = filter;
        rawQuery.from = from;
        rawQuery.limit = int(std::min<qint64>(limit, std::numeric_limits<int>::max()));
        if (store->readRaw(rawQuery, lines))
            return Success;
    }

    const bool byVersion = filter.isStream();
    qint64 written = 0;
    qint64 lastKey = -1;
    QByteArray line;
    while (limit == 0 || written < limit) {
        query.limit = static_cast<int>(limit == 0 ? pageSize : std::min<qint64>(pageSize, limit - written));
        const EventPage page = store->events(query);
        for (const Event& e : page.events) {
            const qint64 key = byVersion ? e.version : e.position;
            if (lastKey >= 0 && key >= 0 && key <= lastKey)
                continue;
            lastKey = std::max(lastKey, key);
            if (json) {
                out.line(e.toJsonLine());
            } else {
                line.clear();
                appendCell(line, plainNumber(e.position), 10, true);
                line.append("  ");
                appendCell(line, plainTime(e.time), 21);
                appendCell(line, e.stream.toUtf8(), 26);
                line.append("  ");
                appendCell(line, plainNumber(e.version), 7, true);
                line.append("  ");
                appendCell(line, e.type.toUtf8(), 20);
                line.append("  ");
                line.append(e.data.preview(100).toUtf8());
                out.line(line);
            }
            if (++written == limit)
                break;
        }
        if (page.atEnd || page.next < 0)
            break;
        const qint64 next = page.events.empty() ? page.next : std::max(page.next, lastKey + 1);
        if (query.from >= 0 && next <= query.from)
            break; // no progress; never loop on a store that repeats itself
        query.from = next;
    }
    return Success;
}

int CliApplication::sample(const QCommandLineParser& parser, const QString& file)
{
    SampleOptions options;
    qint64 events = 0;
    if (!parseCount(parser.value(m_events), &events) || events < 1)
        return usageError(QStringLiteral("--events needs a number of 1 or more."));
    bool ok = false;
    const quint64 seed = parser.value(m_seed).toULongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("--seed needs a non-negative integer."));
    options.events = events;
    options.seed = seed;
    options.layout = parser.value(m_layout);

    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const InterruptGuard guard;
    int lastPercent = -1;
    QElapsedTimer timer;
    timer.start();
    const QByteArray name = file.toLocal8Bit();
    writeSampleStore(file, options, [&](qint64 done, qint64 total) {
        if (terminal) {
            const int percent = static_cast<int>(done * 100 / std::max<qint64>(1, total));
            if (percent != lastPercent) {
                lastPercent = percent;
                std::fprintf(stderr, "\rwriting %s: %3d%% (%lld of %lld events)", name.constData(), percent,
                    static_cast<long long>(done), static_cast<long long>(total));
                std::fflush(stderr);
            }
        }
        return !interrupted();
    });
    if (terminal) {
        std::fprintf(stderr, "\rwrote %lld events to %s in %.1f s            \n", static_cast<long long>(events),
            name.constData(), static_cast<double>(timer.elapsed()) / 1000.0);
    }
    return Success;
}

} // namespace es::cli
