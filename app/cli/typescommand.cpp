#include "typescommand.h"

#include "catalog/catalogscan.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "core/event.h"
#include "outputwriter.h"
#include "store/eventstore.h"

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

QJsonObject typeJson(const TypeSummary& t)
{
    QJsonArray shapes;
    for (const ShapeStats& s : t.shapes) {
        shapes.append(QJsonObject { { QStringLiteral("fields"), QJsonArray::fromStringList(s.fields) },
            { QStringLiteral("count"), s.count }, { QStringLiteral("firstPosition"), s.firstPosition },
            { QStringLiteral("lastPosition"), s.lastPosition } });
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
        { QStringLiteral("fields"), fields } };
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
        kinds.append(QStringLiteral("%1 %2").arg(k.kind).arg(k.count));
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
    parser.addOption(exactOption());
}

int TypesCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json = jsonOption("type");
    const QCommandLineOption exact = exactOption();
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const ScopeOptions scope;
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "The event types of the store (or of one stream or category): count, streams, first and last position and "
        "time, shapes (sorted top-level data keys) and fields (every JSON path of data and metadata, by JSON type), "
        "counted by the database. Type counts are exact; fields and shapes come from a sample (\"sampled\": true) "
        "unless --exact. JSON keys: type, count, streams, firstPosition, lastPosition, firstTime, lastTime, sampled, "
        "shapes (fields, count, firstPosition, lastPosition), fields (path, count, types: JSON type -> count, "
        "firstPosition, lastPosition).");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("types"), help, QStringLiteral("types"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, exact, type, scope.stream, scope.category });
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
        const TypeCatalog catalog = scanCatalog(*store, options);
        OutputWriter out;
        for (const TypeSummary& t : catalog.types) {
            if (parser.isSet(json))
                out.line(QJsonDocument(typeJson(t)).toJson(QJsonDocument::Compact));
            else
                writeTypeTable(catalog, t, out);
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
