#include "foldcommand.h"

#include "cliapplication.h"
#include "core/jsondiff.h"
#include "fold/batchreader.h"
#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "outputwriter.h"
#include "store/eventstore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstdio>

namespace es::cli {

namespace {

void printMessage(const QString& message)
{
    std::fprintf(stderr, "eventscope-cli: %s\n", message.toLocal8Bit().constData());
    std::fflush(stderr);
}

int usage(const QString& message)
{
    printMessage(message + QStringLiteral("\nRun `eventscope-cli fold --help` for usage."));
    return BadArguments;
}

QByteArray indented(const QByteArray& stateJson)
{
    const QJsonValue v = parseJsonValue(stateJson);
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented).trimmed();
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented).trimmed();
    return stateJson;
}

QString describe(const Event& e)
{
    QString text = QStringLiteral("version %1 (%2").arg(e.version).arg(e.type);
    if (e.position >= 0)
        text += QStringLiteral(", position %1").arg(e.position);
    if (e.time.isValid())
        text += QStringLiteral(", ") + Event::timeToIso(e.time);
    return text + QLatin1Char(')');
}

} // namespace

FoldCommand::FoldCommand()
    : m_reducer(QStringLiteral("reducer"),
        QStringLiteral("Fold with the JavaScript reducer in FILE (EventStoreDB projection style). Without it, the "
                       "merge reducer deep-merges each event's data into the state."),
        QStringLiteral("FILE"))
    , m_mergeByType(QStringLiteral("by-type"), QStringLiteral("Merge reducer: merge each event into state[type]."))
    , m_at(QStringLiteral("at"), QStringLiteral("Stop after the event at stream version V."), QStringLiteral("V"))
    , m_asOf(QStringLiteral("as-of"),
          QStringLiteral("Stop after the last event at or before TIME (ISO 8601; without a zone, UTC)."),
          QStringLiteral("TIME"))
    , m_until(QStringLiteral("until"),
          QStringLiteral("Stop at the first version where the JS predicate over (state, event) holds, e.g. "
                         "'state.balance < 0'; says which on stderr. Exit code 8 when it never holds."),
          QStringLiteral("PREDICATE"))
    , m_skipType(QStringLiteral("skip-type"),
          QStringLiteral("What-if: do not fold events of type T (repeat, or separate with commas)."),
          QStringLiteral("T"))
    , m_skipVersion(QStringLiteral("skip-version"),
          QStringLiteral("What-if: do not fold the event at version V (repeat, or separate with commas)."),
          QStringLiteral("V"))
    , m_trace(QStringLiteral("trace"),
          QStringLiteral("Write JSON Lines {version, position, type, state, diff}, one per event folded, instead "
                         "of the final state."))
    , m_memoryLimit(QStringLiteral("memory-limit"),
          QStringLiteral("Stop with a reducer error (exit code 7) when the state grows past SIZE as compact JSON, "
                         "e.g. 512M or 2G; 0 for no limit. Default: 256M."),
          QStringLiteral("SIZE"))
{ }

QList<QCommandLineOption> FoldCommand::options() const
{
    return { m_reducer, m_mergeByType, m_at, m_asOf, m_until, m_skipType, m_skipVersion, m_trace, m_memoryLimit };
}

QString FoldCommand::help()
{
    return QStringLiteral("Replay one stream (--stream S) through a reducer and print its state as JSON.");
}

int FoldCommand::run(const QCommandLineParser& parser, EventStore& store, const QString& stream, OutputWriter& out)
{
    if (stream.isEmpty())
        return usage(QStringLiteral("The fold command needs --stream S."));
    if (parser.isSet(m_at) && parser.isSet(m_asOf))
        return usage(QStringLiteral("Give --at or --as-of, not both."));
    if (parser.isSet(m_reducer) && parser.isSet(m_mergeByType))
        return usage(QStringLiteral("--by-type applies to the merge reducer only."));

    qint64 at = -1;
    bool hasAt = false;
    if (parser.isSet(m_at)) {
        bool ok = false;
        at = parser.value(m_at).toLongLong(&ok);
        if (!ok)
            return usage(QStringLiteral("--at needs a stream version."));
        hasAt = true;
    }
    QDateTime asOf;
    if (parser.isSet(m_asOf)) {
        asOf = parseStoreTime(parser.value(m_asOf).toUtf8());
        if (!asOf.isValid())
            return usage(QStringLiteral("--as-of: \"%1\" is not a time.").arg(parser.value(m_asOf)));
    }
    QSet<QString> skipTypes;
    QSet<qint64> skipVersions;
    for (const QString& value : parser.values(m_skipType)) {
        for (const QString& part : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            skipTypes.insert(part.trimmed());
    }
    for (const QString& value : parser.values(m_skipVersion)) {
        for (const QString& part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            skipVersions.insert(part.trimmed().toLongLong(&ok));
            if (!ok)
                return usage(QStringLiteral("--skip-version: \"%1\" is not a version.").arg(part));
        }
    }

    qint64 memoryLimit = Fold::defaultMemoryBudget;
    if (parser.isSet(m_memoryLimit)) {
        memoryLimit = parseByteSize(parser.value(m_memoryLimit));
        if (memoryLimit < 0)
            return usage(QStringLiteral("--memory-limit: \"%1\" is not a size (e.g. 512M, 2G, 0 for none).")
                             .arg(parser.value(m_memoryLimit)));
    }

    ReducerPtr reducer;
    if (parser.isSet(m_reducer)) {
        QString error;
        auto js = JsReducer::fromFile(parser.value(m_reducer), &error);
        if (!js) {
            printMessage(QStringLiteral("--reducer: %1").arg(error));
            return BadArguments;
        }
        reducer = js;
    } else {
        reducer = std::make_shared<MergeReducer>(
            parser.isSet(m_mergeByType) ? MergeReducer::Mode::ByType : MergeReducer::Mode::Flat);
    }
    ReducerError reducerError;
    std::unique_ptr<Fold> fold = reducer->createFold(&reducerError);
    if (!fold) {
        printMessage(QStringLiteral("reducer %1: %2").arg(reducer->name(), reducerError.toString()));
        return ReducerFailed;
    }
    fold->setMemoryBudget(memoryLimit);
    const bool until = parser.isSet(m_until);
    if (until && !fold->setStopPredicate(parser.value(m_until), &reducerError)) {
        printMessage(QStringLiteral("--until: %1").arg(reducerError.toString()));
        return BadArguments;
    }

    // One event says the stream is there (stream() would count it first, which reads all of it).
    EventQuery first;
    first.filter.stream = stream;
    first.limit = 1;
    if (store.events(first).events.empty()) {
        printMessage(QStringLiteral("No stream named \"%1\" in the store.").arg(stream));
        return ReadFailed;
    }

    const bool trace = parser.isSet(m_trace);
    EventQuery query;
    query.filter.stream = stream;
    if (hasAt)
        query.to = at;

    QJsonValue previousValue = trace ? fold->state() : QJsonValue();
    QByteArray line;
    qint64 folded = 0;
    std::optional<Event> stoppedAt;
    std::optional<ReducerError> failed;
    EventList kept;
    // Folded while it is read, a batch of rows at a time (the same batches on the raw and the paged path).
    auto foldBatch = [&](const Event* events, qsizetype count) {
        const Event* batch = events;
        qsizetype n = count;
        bool done = false;
        const bool filtered = asOf.isValid() || !skipTypes.isEmpty() || !skipVersions.isEmpty();
        if (filtered) {
            kept.clear();
            for (qsizetype k = 0; k < count; ++k) {
                const Event& e = events[k];
                if (asOf.isValid() && e.time.isValid() && e.time > asOf) {
                    done = true;
                    break;
                }
                if (skipTypes.contains(e.type) || skipVersions.contains(e.version))
                    continue;
                kept.push_back(e);
            }
            batch = kept.data();
            n = qsizetype(kept.size());
        }
        // One event per call when tracing (the state after each is printed); otherwise the whole batch.
        const qsizetype step = trace ? 1 : n;
        for (qsizetype i = 0; i < n; i += step) {
            const FoldResult r = fold->apply(batch + i, step);
            if (!r.ok()) {
                failed = r.error;
                return false;
            }
            folded += r.applied;
            if (trace) {
                const Event& e = batch[i];
                const QByteArray state = fold->stateJson();
                const QJsonValue value = parseJsonValue(state);
                line.clear();
                line.append("{\"version\":").append(QByteArray::number(e.version));
                line.append(",\"position\":");
                line.append(e.position >= 0 ? QByteArray::number(e.position) : QByteArray("null"));
                line.append(",\"type\":");
                appendJsonString(line, e.type);
                line.append(",\"state\":").append(state);
                line.append(",\"diff\":");
                line.append(QJsonDocument(diffToJson(diffJson(previousValue, value))).toJson(QJsonDocument::Compact));
                line.append('}');
                out.line(line);
                previousValue = value;
            }
            if (r.stopped) {
                stoppedAt = batch[i + r.applied - 1];
                return false;
            }
        }
        return !done;
    };
    if (!hasAt || at >= 0) {
        BatchReader reader(store, trace ? 500 : 2000);
        reader.setMetadata(fold->readsMetadata());
        reader.read(query, foldBatch);
    }
    if (failed) {
        out.flush();
        printMessage(QStringLiteral("the reducer failed: %1").arg(failed->toString()));
        return ReducerFailed;
    }

    if (until && !stoppedAt) {
        out.flush();
        printMessage(QStringLiteral("the predicate never held (%1 events folded).").arg(folded));
        return PredicateNeverHeld;
    }
    if (!trace)
        out.line(indented(fold->stateJson()));
    out.flush();
    if (stoppedAt)
        printMessage(QStringLiteral("the predicate first holds at %1").arg(describe(*stoppedAt)));
    return Success;
}

} // namespace es::cli
