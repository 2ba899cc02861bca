#include "typescommand.h"

#include "catalog/catalogcache.h"
#include "catalog/catalogscan.h"
#include "catalog/coverage.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "core/event.h"
#include "outputwriter.h"
#include "store/eventstore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace es::cli {

namespace {

QCommandLineOption exactOption()
{
    return { QStringLiteral("exact"),
        QStringLiteral("Read fields and shapes from every event of the scope, not from a sample (slower on large "
                       "stores).") };
}

QCommandLineOption jsonOption(const char* what)
{
    return { QStringLiteral("json"),
        QStringLiteral("Write JSON Lines, one %1 per line, instead of a table.").arg(QLatin1String(what)) };
}

struct ScopeOptions {
    QCommandLineOption stream { QStringLiteral("stream"), QStringLiteral("Only the events of stream S."),
        QStringLiteral("S") };
    QCommandLineOption category { QStringLiteral("category"), QStringLiteral("Only the events of category C."),
        QStringLiteral("C") };
};

// The scope from --stream / --category; false (and a message printed) when both are given.
bool readScope(const QCommandLineParser& parser, const ScopeOptions& o, EventFilter* scope)
{
    scope->stream = parser.value(o.stream);
    scope->category = parser.value(o.category);
    if (!scope->stream.isEmpty() && !scope->category.isEmpty()) {
        printError(QStringLiteral("Give --stream or --category, not both."));
        return false;
    }
    return true;
}

QJsonValue orNull(qint64 v)
{
    return v >= 0 ? QJsonValue(v) : QJsonValue();
}

QJsonValue orNull(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(Event::timeToIso(t)) : QJsonValue();
}

QJsonObject coverageJson(const ReducerCoverage& coverage, const TypeCoverage& t)
{
    QJsonArray missing;
    for (const MissingRead& m : t.missing) {
        missing.append(QJsonObject { { QStringLiteral("path"), m.path }, { QStringLiteral("events"), m.events },
            { QStringLiteral("firstPosition"), orNull(m.firstPosition) },
            { QStringLiteral("lastPosition"), orNull(m.lastPosition) }, { QStringLiteral("guarded"), m.guarded },
            { QStringLiteral("description"), m.description } });
    }
    QJsonObject out { { QStringLiteral("reducer"), coverage.reducer },
        { QStringLiteral("method"), coverageMethodName(coverage.method) }, { QStringLiteral("handled"), t.handled },
        { QStringLiteral("handler"), t.handler.isEmpty() ? QJsonValue() : QJsonValue(t.handler) },
        { QStringLiteral("reads"), QJsonArray::fromStringList(t.reads) }, { QStringLiteral("missing"), missing },
        { QStringLiteral("sampled"), coverage.sampled } };
    if (coverage.method == ReducerCoverage::Method::Replay) {
        out.insert(QStringLiteral("why"), coverage.why);
        out.insert(QStringLiteral("replayed"), t.replayed);
        out.insert(QStringLiteral("changed"), t.changed);
        out.insert(QStringLiteral("failed"), t.failed);
        if (!t.error.isEmpty())
            out.insert(QStringLiteral("error"), t.error);
    }
    return out;
}

void writeCoverageTable(const ReducerCoverage& coverage, const TypeCoverage& t, OutputWriter& out)
{
    QString line
        = QStringLiteral("  reducer %1: %2")
              .arg(coverage.reducer,
                  t.handled ? QStringLiteral("handled by %1").arg(t.handler) : QStringLiteral("ignored (no handler)"));
    if (!t.reads.isEmpty())
        line += QStringLiteral("; reads %1").arg(t.reads.join(QStringLiteral(", ")));
    if (coverage.method == ReducerCoverage::Method::Replay)
        line += QStringLiteral("; replayed %1 events: %2 changed the state, %3 failed%4")
                    .arg(t.replayed)
                    .arg(t.changed)
                    .arg(t.failed)
                    .arg(t.error.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(t.error));
    out.line(line.toUtf8());
    for (const MissingRead& m : t.missing)
        out.line(QStringLiteral("    %1").arg(m.description).toUtf8());
}

QJsonObject typeJson(const TypeSummary& t)
{
    QJsonArray shapes;
    for (const ShapeStats& s : t.shapes) {
        shapes.append(QJsonObject { { QStringLiteral("fields"), QJsonArray::fromStringList(s.fields) },
            { QStringLiteral("count"), s.count }, { QStringLiteral("firstPosition"), s.firstPosition },
            { QStringLiteral("lastPosition"), s.lastPosition } });
    }
    QJsonArray payloads;
    for (const PayloadKindStats& k : t.payloads) {
        payloads.append(QJsonObject { { QStringLiteral("kind"), k.kind }, { QStringLiteral("encoding"), k.encoding },
            { QStringLiteral("count"), k.count }, { QStringLiteral("firstPosition"), k.firstPosition },
            { QStringLiteral("lastPosition"), k.lastPosition } });
    }
    QJsonArray fields;
    for (const FieldStats& f : t.fields) {
        if (f.types.empty())
            continue;
        QJsonObject types;
        for (const auto& [name, j] : f.types) {
            types.insert(name,
                QJsonObject { { QStringLiteral("count"), j.count },
                    { QStringLiteral("firstPosition"), j.firstPosition },
                    { QStringLiteral("lastPosition"), j.lastPosition } });
        }
        fields.append(QJsonObject { { QStringLiteral("path"), f.path }, { QStringLiteral("count"), f.count },
            { QStringLiteral("types"), types } });
    }
    return QJsonObject { { QStringLiteral("type"), t.type }, { QStringLiteral("count"), t.count },
        { QStringLiteral("streams"), orNull(t.streams) }, { QStringLiteral("firstPosition"), orNull(t.firstPosition) },
        { QStringLiteral("lastPosition"), orNull(t.lastPosition) },
        { QStringLiteral("firstTime"), orNull(t.firstTime) }, { QStringLiteral("lastTime"), orNull(t.lastTime) },
        { QStringLiteral("sampled"), t.sampled }, { QStringLiteral("shapes"), shapes },
        { QStringLiteral("fields"), fields }, { QStringLiteral("payloads"), payloads } };
}

QString span(qint64 first, qint64 last)
{
    return first == last ? QString::number(first) : QStringLiteral("%1-%2").arg(first).arg(last);
}

QString plainTime(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
}

void writeTypeTable(const TypeCatalog& catalog, const TypeSummary& t, OutputWriter& out)
{
    out.line(
        QStringLiteral("%1: %2 events in %3 streams, positions %4, %5 to %6")
            .arg(t.type, QString::number(t.count), t.streams >= 0 ? QString::number(t.streams) : QStringLiteral("?"),
                span(t.firstPosition, t.lastPosition), plainTime(t.firstTime), plainTime(t.lastTime))
            .toUtf8());
    out.line(t.sampled ? QStringLiteral("  fields and shapes from a sample of %1 of its events (--exact reads all)")
                             .arg(t.sampledEvents)
                             .toUtf8()
                       : QByteArray("  fields and shapes: exact"));
    QStringList kinds;
    for (const PayloadKindStats& k : t.payloads)
        kinds.append(QStringLiteral("%1 %2 (%3)").arg(k.kind).arg(k.count).arg(k.encoding));
    out.line(QStringLiteral("  payloads: %1").arg(kinds.join(QStringLiteral(", "))).toUtf8());
    if (!t.shapes.empty()) {
        out.line("  shapes:");
        for (const ShapeStats& s : t.shapes) {
            out.line(QStringLiteral("    %1  {%2}  %3")
                         .arg(QString::number(s.count).rightJustified(9), s.fields.join(QStringLiteral(", ")),
                             span(s.firstPosition, s.lastPosition))
                         .toUtf8());
        }
    }
    if (!t.fields.empty()) {
        out.line("  fields:");
        qsizetype width = 4;
        for (const FieldStats& f : t.fields)
            width = std::max(width, f.path.size());
        width = std::min<qsizetype>(width, 48);
        for (const FieldStats& f : t.fields) {
            QStringList types;
            for (const auto& [name, j] : f.types)
                types.append(
                    QStringLiteral("%1 %2 (%3)").arg(name).arg(j.count).arg(span(j.firstPosition, j.lastPosition)));
            QString extra;
            if (f.minNumber)
                extra += QStringLiteral("  range %1..%2")
                             .arg(QString::number(*f.minNumber, 'g', 15), QString::number(*f.maxNumber, 'g', 15));
            if (f.minLength >= 0)
                extra += QStringLiteral("  length %1..%2").arg(f.minLength).arg(f.maxLength);
            if (f.distinctEstimate >= 0)
                extra += QStringLiteral("  ~%1 distinct").arg(f.distinctEstimate);
            out.line(QStringLiteral("    %1  %2  %3%4")
                         .arg(f.path.leftJustified(width), QString::number(f.count).rightJustified(9),
                             types.join(QStringLiteral(", ")), extra)
                         .toUtf8());
        }
    }
    if (!t.drift.empty()) {
        out.line("  drift:");
        for (const DriftFlag& d : t.drift)
            out.line(QStringLiteral("    %1: %2").arg(driftKindName(d.kind), d.description).toUtf8());
    }
    Q_UNUSED(catalog);
}

} // namespace

void TypesCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOption(exactOption()); // --no-cache: the first pass has it from activity
}

int TypesCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json = jsonOption("type");
    const QCommandLineOption exact = exactOption();
    const QCommandLineOption noCache = noCacheOption();
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const QCommandLineOption reducer(QStringLiteral("reducer"),
        QStringLiteral("Reducer coverage: which types reducer R handles and ignores, and the fields its handlers read "
                       "that some events lack. R is merge, merge-by-type or a JavaScript reducer file; adds the key "
                       "coverage (reducer, method: merge, source or replay, handled, handler, reads, missing: path, "
                       "events, firstPosition, lastPosition, guarded, description; sampled)."),
        QStringLiteral("R"));
    const ScopeOptions scope;
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "The event types of the store (or of one stream or category): count, streams, first and last position and "
        "time, shapes (sorted top-level data keys) and fields (every JSON path of data and metadata, by JSON type), "
        "counted by the database. Type counts are exact; fields and shapes come from a sample (\"sampled\": true) "
        "unless --exact. JSON keys: type, count, streams, firstPosition, lastPosition, firstTime, lastTime, sampled, "
        "shapes (fields, count, firstPosition, lastPosition), fields (path, count, types: JSON type -> count, "
        "firstPosition, lastPosition), payloads (kind: a JSON type or none, xml, yaml, text, binary; encoding: how "
        "the store keeps it, e.g. text, blob, jsonb, bytea; count, firstPosition, lastPosition). The catalog of the "
        "store or a category is kept in the local summary cache: a second run at the same head answers from it, a "
        "moved head reads only the events appended since and counts the streams again (--no-cache bypasses it).");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("types"), help, QStringLiteral("types"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, exact, type, reducer, scope.stream, scope.category, noCache });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("types"), &address); code >= 0)
        return code;
    CatalogOptions options;
    if (!readScope(parser, scope, &options.scope))
        return BadArguments;
    for (const QString& v : parser.values(type)) {
        for (const QString& part : v.split(u',', Qt::SkipEmptyParts))
            options.scope.types.append(part.trimmed());
    }
    options.exact = parser.isSet(exact);
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const TypeCatalog catalog
            = parser.isSet(noCache) ? scanCatalog(*store, options) : scanCatalogCached(*store, options);
        std::optional<ReducerCoverage> coverage;
        if (parser.isSet(reducer)) {
            CoverageOptions o;
            o.reducerKey = parser.value(reducer);
            if (o.reducerKey != QLatin1String("merge") && o.reducerKey != QLatin1String("merge-by-type")
                && !o.reducerKey.startsWith(u':'))
                o.reducerKey = QFileInfo(o.reducerKey).absoluteFilePath();
            coverage = reducerCoverage(*store, catalog, o);
        }
        OutputWriter out;
        for (size_t i = 0; i < catalog.types.size(); ++i) {
            const TypeSummary& t = catalog.types[i];
            if (parser.isSet(json)) {
                QJsonObject o = typeJson(t);
                if (coverage)
                    o.insert(QStringLiteral("coverage"), coverageJson(*coverage, coverage->types[i]));
                out.line(QJsonDocument(o).toJson(QJsonDocument::Compact));
            } else {
                writeTypeTable(catalog, t, out);
                if (coverage)
                    writeCoverageTable(*coverage, coverage->types[i], out);
            }
        }
        if (coverage && !parser.isSet(json)) {
            if (coverage->method == ReducerCoverage::Method::Replay)
                out.line(QStringLiteral("reducer coverage from a replay of a sample: %1").arg(coverage->why).toUtf8());
            if (!coverage->unknownHandlers.isEmpty())
                out.line(QStringLiteral("handlers without events here: %1")
                             .arg(coverage->unknownHandlers.join(QStringLiteral(", ")))
                             .toUtf8());
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
