#include "categoriescommand.h"

#include "cache/categorycounts.h"
#include "cliapplication.h"
#include "clicommon.h"
#include "core/payload.h"
#include "outputwriter.h"

#include <algorithm>

namespace es::cli {

namespace {

QCommandLineOption categoryEstimateOption()
{
    return { QStringLiteral("estimate"),
        QStringLiteral("Answer within about a second: events and streams per category scaled up from a sample of "
                       "position ranges (a stream counted by its first event), marked \"estimated\": true; a small "
                       "category may be missing. A small store is counted and says false.") };
}

} // namespace

int CategoriesCommand::run(const QStringList& arguments)
{
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Write JSON Lines, one category per line, instead of a table."));
    const QCommandLineOption estimate = categoryEstimateOption();
    const QCommandLineOption noCache = noCacheOption();
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "List the categories of streams with their stream and event counts, as the stream browser shows them. Exact "
        "unless --estimate; a second count of the same store comes from the local summary cache, which counts only "
        "the events appended since where the layout allows (--no-cache bypasses it). JSON keys: category, streams, "
        "events (null where the layout does not count them), estimated, cached.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("categories"), help, QStringLiteral("categories"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ json, estimate, noCache });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("categories"), &address); code >= 0)
        return code;

    return runReportingErrors([&]() -> int {
        auto store = openStore(parser, address);
        const bool useCache = !parser.isSet(noCache);
        const counts::CategoryCounts result
            = parser.isSet(estimate) ? counts::quickCategories(*store, useCache) : counts::categories(*store, useCache);
        OutputWriter out;
        QByteArray line;
        int width = 8;
        for (const CategoryInfo& c : result.categories)
            width = std::max(width, int(c.name.toUtf8().size()));
        if (!parser.isSet(json)) {
            line = QByteArray("CATEGORY").leftJustified(width + 2, ' ') + "STREAMS       EVENTS";
            if (result.estimated)
                line += "  (estimated)";
            out.line(line);
        }
        const QByteArray approx = result.estimated ? "~" : "";
        for (const CategoryInfo& c : result.categories) {
            line.clear();
            if (parser.isSet(json)) {
                line.append("{\"category\":");
                appendJsonString(line, c.name);
                line.append(",\"streams\":").append(QByteArray::number(c.streams));
                line.append(",\"events\":").append(c.events >= 0 ? QByteArray::number(c.events) : "null");
                line.append(",\"estimated\":").append(result.estimated ? "true" : "false");
                line.append(",\"cached\":").append(result.cached ? "true" : "false").append('}');
            } else {
                line.append(c.name.toUtf8().leftJustified(width + 2, ' '));
                line.append(QByteArray(approx + QByteArray::number(c.streams)).leftJustified(12, ' '));
                line.append(c.events >= 0 ? QByteArray(approx + QByteArray::number(c.events)).rightJustified(8, ' ')
                                          : QByteArray("       -"));
            }
            out.line(line);
        }
        out.flush();
        return Success;
    });
}

} // namespace es::cli
