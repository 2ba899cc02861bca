#include "reconcilecommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "fold/reducercatalog.h"
#include "outputwriter.h"
#include "reconcile/reconciler.h"
#include "store/storeregistry.h"

#include <QJsonDocument>

#include <cstdio>

namespace es::cli {

namespace {

struct Options {
    QCommandLineOption reducer { QStringLiteral("reducer"),
        QStringLiteral("The reducer: a JavaScript file (as time travel loads it), or merge / merge-by-type."),
        QStringLiteral("FILE") };
    QCommandLineOption table { QStringLiteral("table"),
        QStringLiteral("The read-model table (schema.table on PostgreSQL)."), QStringLiteral("TABLE") };
    QCommandLineOption key { QStringLiteral("key"),
        QStringLiteral("The table's key column: it holds the stream name, or with --key-path the state's value at "
                       "PATH."),
        QStringLiteral("COLUMN") };
    QCommandLineOption keyPath { QStringLiteral("key-path"),
        QStringLiteral("The key is the replayed state's value at PATH, not the stream name."), QStringLiteral("PATH") };
    QCommandLineOption columns { QStringLiteral("columns"),
        QStringLiteral("Columns compared with state paths as time travel writes them: COL=PATH[,COL=PATH...] (balance, "
                       "owner.name, items[0].sku; $ for the whole state). Repeatable."),
        QStringLiteral("COL=PATH") };
    QCommandLineOption category { QStringLiteral("category"), QStringLiteral("Only the streams of category C."),
        QStringLiteral("C") };
    QCommandLineOption prefix { QStringLiteral("prefix"), QStringLiteral("Only the streams whose name starts with P."),
        QStringLiteral("P") };
    QCommandLineOption readModel { QStringLiteral("read-model"),
        QStringLiteral("The table is in this database (a SQLite file or postgresql:// address, opened read-only), not "
                       "in STORE."),
        QStringLiteral("ADDRESS") };
    QCommandLineOption checkpoint { QStringLiteral("checkpoint"),
        QStringLiteral("The projection's checkpoint, by name (as `lag` lists them): a row behind it whose stream has "
                       "later events is stale, not wrong."),
        QStringLiteral("NAME") };
    QCommandLineOption connections { QStringLiteral("connections"),
        QStringLiteral("Read-only connections to STORE that read the events: 2 (the default) reads every other page of "
                       "streams over a second one, 1 keeps to one."),
        QStringLiteral("N") };
    QCommandLineOption all { QStringLiteral("all"), QStringLiteral("Write ok rows too.") };
    QCommandLineOption json { QStringLiteral("json"), QStringLiteral("Write JSON Lines (the only format).") };
};

} // namespace

void ReconcileCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    const Options o;
    // --table (a value) is known to the first pass already, from suggest-mapping.
    parser.addOptions({ o.key, o.keyPath, o.columns, o.readModel, o.checkpoint, o.connections, o.all });
}

int ReconcileCommand::run(const QStringList& arguments)
{
    const Options o;
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Compare a replay of every stream of the scope with a read-model table. One JSON line per row that is not ok "
        "(every row with --all), keys: key, stream, status (ok, differs, missing, extra, stale), columns (column -> "
        "{table, replayed}), matchesVersion and matchesPosition (the latest version whose replayed state equals the "
        "row; null when none), lastVersion, note. A summary goes to stderr. Exit code 9: differences found.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("reconcile"), help, QStringLiteral("reconcile"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ o.reducer, o.table, o.key, o.keyPath, o.columns, o.category, o.prefix, o.readModel,
        o.checkpoint, o.connections, o.all, o.json });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("reconcile"), &address); code >= 0)
        return code;
    ReconcileOptions options;
    options.table = parser.value(o.table);
    options.keyColumn = parser.value(o.key);
    options.keyPath = parser.value(o.keyPath);
    options.category = parser.value(o.category);
    options.prefix = parser.value(o.prefix);
    for (const QString& value : parser.values(o.columns)) {
        for (const QString& part : value.split(u',', Qt::SkipEmptyParts)) {
            const qsizetype eq = part.indexOf(u'=');
            if (eq <= 0 || eq == part.size() - 1) {
                printError(QStringLiteral("--columns: \"%1\" is not COL=PATH.").arg(part));
                return BadArguments;
            }
            options.columns.push_back({ part.left(eq).trimmed(), part.mid(eq + 1).trimmed() });
        }
    }
    if (!parser.isSet(o.reducer) || options.table.isEmpty() || options.keyColumn.isEmpty() || options.columns.empty()) {
        printError(QStringLiteral("reconcile needs --reducer, --table, --key and --columns."));
        return BadArguments;
    }
    if (!options.category.isEmpty() && !options.prefix.isEmpty()) {
        printError(QStringLiteral("Give --category or --prefix, not both."));
        return BadArguments;
    }
    int connections = 2;
    if (parser.isSet(o.connections)) {
        bool ok = false;
        connections = parser.value(o.connections).toInt(&ok);
        if (!ok || connections < 1 || connections > 2) {
            printError(QStringLiteral("--connections takes 1 or 2, not \"%1\".").arg(parser.value(o.connections)));
            return BadArguments;
        }
    }
    Failure failure;
    const ReducerPtr reducer = ReducerCatalog::load(parser.value(o.reducer), &failure);
    if (!reducer) {
        printError(QStringLiteral("--reducer: %1").arg(failure.message));
        return failure.kind == Failure::Kind::ReducerError ? ReducerFailed : BadArguments;
    }
    const bool all = parser.isSet(o.all);
    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        std::unique_ptr<TableReader> ownTables;
        TableReader* tables = store->tables();
        if (parser.isSet(o.readModel)) {
            ownTables = StoreRegistry::openTables(parser.value(o.readModel));
            tables = ownTables.get();
        }
        if (!tables)
            throw StoreError(QStringLiteral("This engine reads no tables: give --read-model."));
        if (parser.isSet(o.checkpoint)) {
            const QString name = parser.value(o.checkpoint);
            const CheckpointSet set = store->checkpoints();
            QStringList names;
            for (const CheckpointRow& row : set.rows) {
                names.append(row.name);
                if (row.name == name && (!options.checkpoint || (!options.checkpoint->hasValue && row.hasValue)))
                    options.checkpoint = row;
            }
            if (!options.checkpoint) {
                printError(QStringLiteral("--checkpoint: the store keeps no checkpoint named \"%1\" (it has: %2)")
                               .arg(name, names.isEmpty() ? set.note : names.join(QStringLiteral(", "))));
                return BadArguments;
            }
        }
        // A second connection reads every other page.
        if (connections > 1)
            options.openReader = [&parser, &address] { return openStore(parser, address); };
        OutputWriter out;
        Reconciler reconciler(*store, *tables, reducer, options);
        const ReconcileSummary summary = reconciler.run(
            [&](const ReconcileRow& row) {
                if (row.status == ReconcileStatus::Ok && !all)
                    return;
                out.line(QJsonDocument(row.toJson()).toJson(QJsonDocument::Compact));
                out.maybeFlush();
            },
            {}, interruptFlag());
        out.flush();
        std::fprintf(stderr, "%s\n", summary.toText().toUtf8().constData());
        return summary.problems() > 0 ? Differences : Success;
    });
}

} // namespace es::cli
