// Replay benchmark (issue 18, item 3), run by hand: opening time travel on one long stream against the database's own
// shell reading the same rows, in one run.
//   bench_replay [--rounds N] [--stream S] [--cli PATH] [--old-cli PATH] STORE.sqlite
//   bench_replay --pg ADDRESS [--create EVENTS] [--rounds N] [--stream S] [--cli PATH] [--old-cli PATH]
// Each round times, one after another: the shell (sqlite3, or psql -At) printing the rows a fold reads to /dev/null;
// on SQLite also the shell running our own fold statement; Timeline::build with the merge reducer on the paged path
// (as before) and on the raw path; opening the stream in a TimeTravelEngine until the state at its last event arrives
// (what the window shows first); `eventscope-cli fold` end to end. Wall times and CPU seconds (this process, or the
// child's); the best of the rounds is compared, as on a busy machine one round mostly measures the neighbours.
// --create EVENTS writes a Message DB store of one stream (account-1, data {"amount": n}) into the database ADDRESS
// names, which must not exist yet (it is created): the way the sample writer loads, with COPY.
#include "connectors.h"
#include "fold/mergereducer.h"
#include "fold/timeline.h"
#include "fold/timetravelengine.h"
#include "layouts/profile.h"
#include "pg/pgaddress.h"
#include "samplewriter.h"
#include "sql/sqlbuilder.h"
#include "store/storeregistry.h"
#include "store/storesession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTimeZone>
#include <QUuid>

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdio>
#include <random>

#include <sys/resource.h>

using namespace es;

namespace {

struct Timing {
    double wall = 0; // seconds
    double cpu = 0; // seconds
};

double seconds(const timeval& t)
{
    return double(t.tv_sec) + double(t.tv_usec) / 1e6;
}

double cpuOf(int who)
{
    rusage u {};
    getrusage(who, &u);
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

template <typename F> Timing timed(F&& f)
{
    QElapsedTimer t;
    const double cpu = cpuOf(RUSAGE_SELF);
    t.start();
    f();
    return { double(t.nsecsElapsed()) / 1e9, cpuOf(RUSAGE_SELF) - cpu };
}

// A program with its output to /dev/null; CPU is the child's.
Timing runProgram(const QString& program, const QStringList& args)
{
    QProcess p;
    p.setStandardOutputFile(QProcess::nullDevice());
    const double cpu = cpuOf(RUSAGE_CHILDREN);
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    const bool ok
        = p.waitForStarted() && p.waitForFinished(-1) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    const Timing timing { double(t.nsecsElapsed()) / 1e9, cpuOf(RUSAGE_CHILDREN) - cpu };
    if (!ok) {
        std::fprintf(stderr, "%s failed: %s\n", qPrintable(program), p.readAllStandardError().constData());
        std::exit(1);
    }
    return timing;
}

// The SQL of a statement with its ? markers replaced by literals (integers, or quoted text).
QString spliced(const SqlStatement& st)
{
    QString sql = SqlBuilder::render(st.sql, SqlDialect::Sqlite);
    for (const QVariant& v : st.values) {
        const qsizetype at = sql.indexOf(u'?');
        const QString literal = v.typeId() == QMetaType::QString
            ? QLatin1Char('\'') + v.toString().replace(QLatin1String("'"), QLatin1String("''")) + QLatin1Char('\'')
            : QString::number(v.toLongLong());
        sql.replace(at, 1, literal);
    }
    return sql;
}

Timing buildTimeline(EventStore& store, const QString& stream, BatchReader::Path path, qint64* events)
{
    TimelineOptions options;
    options.readPath = path;
    Timeline timeline(store, stream, std::make_shared<MergeReducer>(), options);
    const Timing t = timed([&] {
        if (!timeline.build()) {
            std::fprintf(stderr, "build: %s\n", qPrintable(timeline.error()));
            std::exit(1);
        }
    });
    *events = timeline.count();
    return t;
}

// From load() to the state at the last event, as the time-travel window asks for it.
Timing openInEngine(const QString& address, const QString& stream, qint64* stateBytes)
{
    StoreSession session(StoreOpener { address, {} });
    TimeTravelEngine engine(&session, stream);
    QEventLoop loop;
    bool failed = false;
    QObject::connect(&engine, &TimeTravelEngine::loaded, &loop,
        [&](const TimelineIndexPtr& index) { engine.requestState(index->lastVersion()); });
    QObject::connect(&engine, &TimeTravelEngine::stateReady, &loop, [&](const CursorState& state) {
        *stateBytes = state.stateJson.size();
        failed = state.failure.has_value();
        loop.quit();
    });
    QObject::connect(&engine, &TimeTravelEngine::loadFailed, &loop, [&](const Failure& f) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(f.message));
        failed = true;
        loop.quit();
    });
    const Timing t = timed([&] {
        engine.load(std::make_shared<MergeReducer>());
        loop.exec();
    });
    if (failed)
        std::exit(1);
    return t;
}

void createPgStore(const QString& address, qint64 events)
{
    // The sample writer makes the database and the Message DB schema (with one demo event in a stream of its own),
    // then the stream is loaded.
    SampleOptions options;
    options.layout = QStringLiteral("messagedb");
    options.events = 1;
    writeSampleStore(address, options);
    pqxx::connection conn(address.toStdString());
    pqxx::work tx(conn);
    tx.exec0("SET LOCAL synchronous_commit = off");
    tx.exec0("DROP INDEX message_store.messages_stream");
    tx.exec0("DROP INDEX message_store.messages_category");
    tx.exec0("DROP INDEX message_store.messages_id");
    pqxx::stream_to copy(tx, "message_store.messages",
        std::vector<std::string> { "position", "id", "time", "stream_name", "type", "data", "metadata" });
    std::mt19937_64 random(42);
    const qint64 start = 1709510400;
    for (qint64 v = 0; v < events; ++v) {
        const std::string data = "{\"amount\": " + std::to_string(qint64(random() % 10000) - 4000) + "}";
        const std::string id = QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
        const std::string time = QDateTime::fromSecsSinceEpoch(start + v * 2, QTimeZone::utc())
                                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                     .toStdString();
        const std::string metadata = "{\"schemaVersion\": \"1\", \"correlationStreamName\": \"account-1\", "
                                     "\"causationMessageGlobalPosition\": "
            + std::to_string(v) + "}";
        copy << std::make_tuple(v, id, time, std::string("account-1"), std::string("FundsDeposited"), data, metadata);
    }
    copy.complete();
    tx.exec0("SET LOCAL search_path TO message_store");
    tx.exec0("CREATE UNIQUE INDEX messages_id ON messages (id)");
    tx.exec0("CREATE UNIQUE INDEX messages_stream ON messages (stream_name, position, "
             "category(metadata->>'correlationStreamName'))");
    tx.exec0("CREATE INDEX messages_category ON messages (category(stream_name), global_position, "
             "category(metadata->>'correlationStreamName'))");
    tx.commit();
    pqxx::nontransaction(conn).exec0("ANALYZE message_store.messages");
}

struct Row {
    QString label;
    std::vector<Timing> runs;
    Timing best() const
    {
        Timing b { 1e9, 1e9 };
        for (const Timing& t : runs) {
            b.wall = std::min(b.wall, t.wall);
            b.cpu = std::min(b.cpu, t.cpu);
        }
        return b;
    }
};

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    registerConnectors();
    QCommandLineParser parser;
    const QCommandLineOption pgOption(QStringLiteral("pg"), QStringLiteral("PostgreSQL address."), QStringLiteral("A"));
    const QCommandLineOption createOption(
        QStringLiteral("create"), QStringLiteral("Write EVENTS events first."), QStringLiteral("EVENTS"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"), QStringLiteral("Rounds."), QStringLiteral("N"));
    const QCommandLineOption streamOption(QStringLiteral("stream"), QStringLiteral("Stream."), QStringLiteral("S"));
    const QCommandLineOption cliOption(QStringLiteral("cli"), QStringLiteral("eventscope-cli."), QStringLiteral("P"));
    const QCommandLineOption oldCliOption(
        QStringLiteral("old-cli"), QStringLiteral("An older eventscope-cli to compare."), QStringLiteral("P"));
    parser.addOptions({ pgOption, createOption, roundsOption, streamOption, cliOption, oldCliOption });
    parser.addPositionalArgument(QStringLiteral("store"), QStringLiteral("SQLite store."));
    parser.process(app);
    const bool pg = parser.isSet(pgOption);
    const QString address = pg ? parser.value(pgOption) : parser.positionalArguments().value(0);
    if (address.isEmpty())
        parser.showHelp(2);
    const int rounds = parser.isSet(roundsOption) ? parser.value(roundsOption).toInt() : 3;
    const QString stream = parser.isSet(streamOption) ? parser.value(streamOption) : QStringLiteral("account-1");
    const QString cli = parser.isSet(cliOption)
        ? parser.value(cliOption)
        : QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/eventscope-cli");
    const QString oldCli = parser.value(oldCliOption);

    try {
        if (parser.isSet(createOption)) {
            const qint64 events = parser.value(createOption).toLongLong();
            QElapsedTimer t;
            t.start();
            createPgStore(address, events);
            std::printf("wrote %lld events of %s to %s in %.1f s\n", static_cast<long long>(events), qPrintable(stream),
                qPrintable(PgAddress::redact(address)), double(t.elapsed()) / 1000.0);
        }
        auto store = StoreRegistry::open(address);
        const StoreInfo info = store->info(false);

        // What the shell runs: the columns a fold reads (position, stream, version, type, time, data, metadata) of
        // the stream in order; on SQLite also our own fold statement, as the raw path runs it (in windows there).
        QString program;
        QStringList plainArgs;
        QStringList oursArgs;
        if (pg) {
            program = QStandardPaths::findExecutable(QStringLiteral("psql"));
            const std::string quoted = pqxx::connection(address.toStdString()).quote(stream.toStdString());
            const QString sql = QStringLiteral("SELECT global_position, stream_name, position, type, time, data, "
                                               "metadata FROM message_store.messages WHERE stream_name = %1 ORDER BY "
                                               "position")
                                    .arg(QString::fromStdString(quoted));
            plainArgs = { QStringLiteral("-X"), QStringLiteral("-A"), QStringLiteral("-t"), QStringLiteral("-q"),
                QStringLiteral("-d"), address, QStringLiteral("-c"), sql };
            std::printf("psql -X -A -t -q -d ADDRESS -c \"%s\" > /dev/null\n", qPrintable(sql));
        } else {
            program = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
            const Profile profile = ProfileRegistry::find(info.layout, QStringLiteral("sqlite"))
                                        ->resolved({ { QStringLiteral("messages"), QStringLiteral("emt_messages") },
                                            { QStringLiteral("streams"), QStringLiteral("emt_streams") } });
            SqlBuilder builder(profile, SqlDialect::Sqlite);
            EventQuery query;
            query.filter.stream = stream;
            query.limit = 0;
            const QString plain = QStringLiteral("SELECT global_position, stream_id, stream_position, message_type, "
                                                 "created, message_data, message_metadata FROM emt_messages WHERE "
                                                 "stream_id = '%1' AND is_archived = 0 AND message_kind = 'E' ORDER BY "
                                                 "stream_position")
                                      .arg(stream);
            const QString ours = spliced(builder.eventsPage(query, false, std::nullopt, { false, false, false }));
            plainArgs = { QStringLiteral("-readonly"), address, plain };
            oursArgs = { QStringLiteral("-readonly"), address, ours };
            std::printf("sqlite3 -readonly %s \"%s\" > /dev/null\n", qPrintable(address), qPrintable(plain));
            std::printf("sqlite3 -readonly %s \"%s\" > /dev/null\n", qPrintable(address), qPrintable(ours));
        }
        const QStringList cliArgs = { QStringLiteral("fold"), address, QStringLiteral("--stream"), stream };
        std::printf("%s fold ADDRESS --stream %s > /dev/null\n\n", qPrintable(cli), qPrintable(stream));

        std::vector<Row> rows;
        auto add = [&rows](const QString& label, Timing t) {
            auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.label == label; });
            if (it == rows.end())
                it = rows.insert(rows.end(), Row { label, {} });
            it->runs.push_back(t);
        };
        const QString shell = pg ? QStringLiteral("psql -At, fold columns") : QStringLiteral("sqlite3, fold columns");
        qint64 events = 0;
        qint64 stateBytes = 0;
        for (int round = 0; round < rounds; ++round) {
            add(shell, runProgram(program, plainArgs));
            if (!pg)
                add(QStringLiteral("sqlite3, our fold statement"), runProgram(program, oursArgs));
            add(QStringLiteral("Timeline::build, paged (before)"),
                buildTimeline(*store, stream, BatchReader::Path::Pages, &events));
            add(QStringLiteral("Timeline::build, raw (now)"),
                buildTimeline(*store, stream, BatchReader::Path::Raw, &events));
            add(QStringLiteral("engine: load to last state shown"), openInEngine(address, stream, &stateBytes));
            add(QStringLiteral("eventscope-cli fold (end to end)"), runProgram(cli, cliArgs));
            if (!oldCli.isEmpty())
                add(QStringLiteral("eventscope-cli fold, old binary"), runProgram(oldCli, cliArgs));
            std::printf("round %d done\n", round + 1);
            std::fflush(stdout);
        }
        const Timing base = rows.front().best();
        std::printf("\n%lld events of %s, merge reducer, best of %d rounds (last state %lld bytes)\n",
            static_cast<long long>(events), qPrintable(stream), rounds, static_cast<long long>(stateBytes));
        std::printf("%-36s %10s %9s %10s %9s   %s\n", "", "wall (s)", "vs shell", "CPU (s)", "vs shell", "all walls");
        for (const Row& r : rows) {
            const Timing b = r.best();
            QString all;
            for (const Timing& t : r.runs)
                all += QString::number(t.wall, 'f', 2) + u' ';
            std::printf("%-36s %10.3f %8.2fx %10.3f %8.2fx   %s\n", qPrintable(r.label), b.wall, base.wall / b.wall,
                b.cpu, base.cpu / b.cpu, qPrintable(all));
        }
        std::printf("(\"vs shell\": the shell's time over ours; 1.00x or more is at least as fast)\n");
    } catch (const StoreError& e) {
        std::fprintf(stderr, "store: %s\n", qPrintable(e.message()));
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
