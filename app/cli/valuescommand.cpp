#include "valuescommand.h"

#include "catalog/catalogscan.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "outputwriter.h"
#include "store/eventstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <limits>

namespace es::cli {

namespace {

QCommandLineOption pathOption()
{
    return { QStringLiteral("path"), QStringLiteral("The path, as `types` prints it (data.email, metadata.userId)."),
        QStringLiteral("P") };
}

QCommandLineOption duplicatesOption()
{
    return { QStringLiteral("duplicates"), QStringLiteral("Only values found in more than one stream.") };
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

} // namespace

void ValuesCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ pathOption(), duplicatesOption() });
}

int ValuesCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json = jsonOption("value");
    const QCommandLineOption path = pathOption();
    const QCommandLineOption duplicates = duplicatesOption();
    const QCommandLineOption type(QStringLiteral("type"), QStringLiteral("The event type."), QStringLiteral("T"));
    const QCommandLineOption limit(QStringLiteral("limit"),
        QStringLiteral("At most N values; 0 for all (default 1000)."), QStringLiteral("N"), QStringLiteral("1000"));
    const ScopeOptions scope;
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "The distinct values of one path of one event type, most frequent first, with the streams "
        "they occur in, counted by the database. With --duplicates only values found in more than one "
        "stream (two customers registered with one e-mail address). JSON keys: value, count, streams.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("values"), help, QStringLiteral("values"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, path, duplicates, type, limit, scope.stream, scope.category });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("values"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli values --help` for usage."));
        return int(BadArguments);
    };
    ValuesQuery query;
    if (!readScope(parser, scope, &query.scope))
        return BadArguments;
    query.type = parser.value(type);
    query.path = parser.value(path);
    query.duplicates = parser.isSet(duplicates);
    if (query.type.isEmpty() || query.path.isEmpty())
        return usage(QStringLiteral("The values command needs --type and --path."));
    bool ok = false;
    const qint64 n = parser.value(limit).toLongLong(&ok);
    if (!ok || n < 0 || n > std::numeric_limits<int>::max())
        return usage(QStringLiteral("--limit needs a number of 0 or more."));
    query.limit = int(n);
    QString root;
    QStringList keys;
    QString error;
    if (!parseCatalogPath(query.path, &root, &keys, &error))
        return usage(QStringLiteral("--path: ") + error);
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const std::vector<PathValue> values = pathValues(*store, query);
        OutputWriter out;
        if (!parser.isSet(json))
            out.line(QByteArrayLiteral("COUNT      STREAMS  VALUE"));
        for (const PathValue& v : values) {
            if (parser.isSet(json)) {
                const QJsonArray wrapped = QJsonDocument::fromJson('[' + v.value.toUtf8() + ']').array();
                const QJsonObject o { { QStringLiteral("value"), wrapped.isEmpty() ? QJsonValue() : wrapped.first() },
                    { QStringLiteral("count"), v.count },
                    { QStringLiteral("streams"), QJsonArray::fromStringList(v.streams) } };
                out.line(QJsonDocument(o).toJson(QJsonDocument::Compact));
            } else {
                QString streams = v.streams.mid(0, 3).join(QStringLiteral(", "));
                if (v.streams.size() > 3)
                    streams += QStringLiteral(", … (%1 in all)").arg(v.streams.size());
                out.line(QStringLiteral("%1  %2  %3  (%4)")
                             .arg(QString::number(v.count).leftJustified(9),
                                 QString::number(v.streams.size()).rightJustified(7), v.value, streams)
                             .toUtf8());
            }
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
