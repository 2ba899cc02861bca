#include "cachecommand.h"

#include "cache/summarycache.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "outputwriter.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace es::cli {

int CacheCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Write info as a JSON object."));
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "The local summary cache: exact counts (activity buckets, scope and store counts) kept per store and head in "
        "the user's cache folder, never in a store, so a second count of the same store answers at once. `info` "
        "says where it is and how big (JSON keys: path, bytes, stores, entries); `clear` forgets everything.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("cache"), help, QStringLiteral("cache"));
    parser.addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("info or clear"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(json);
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral("\nRun `eventscope-cli cache --help` for usage."));
        return BadArguments;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(Success);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList args = parser.positionalArguments();
    const QString action = args.value(1);
    if (args.size() != 2 || (action != QLatin1String("info") && action != QLatin1String("clear"))) {
        printError(QStringLiteral("The cache command needs one ACTION: info or clear.\nRun `eventscope-cli cache "
                                  "--help` for usage."));
        return BadArguments;
    }
    return runReportingErrors([&]() -> int {
        SummaryCache cache;
        if (!cache.isOpen()) {
            printError(QStringLiteral("Cannot open the summary cache %1: %2").arg(cache.path(), cache.error()));
            return ReadFailed;
        }
        if (action == QLatin1String("clear")) {
            cache.clear();
            if (!cache.error().isEmpty()) {
                printError(QStringLiteral("Cannot clear the summary cache %1: %2").arg(cache.path(), cache.error()));
                return ReadFailed;
            }
        }
        const CacheStats s = cache.stats();
        OutputWriter out;
        if (parser.isSet(json) || action == QLatin1String("info")) {
            QJsonObject o;
            o.insert(QStringLiteral("path"), s.path);
            o.insert(QStringLiteral("bytes"), s.bytes);
            o.insert(QStringLiteral("stores"), s.stores);
            o.insert(QStringLiteral("entries"), s.entries);
            out.write(QJsonDocument(o).toJson(parser.isSet(json) ? QJsonDocument::Compact : QJsonDocument::Indented));
        } else {
            out.line(QStringLiteral("Cleared %1 (%2 bytes left).").arg(s.path).arg(s.bytes).toUtf8());
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
