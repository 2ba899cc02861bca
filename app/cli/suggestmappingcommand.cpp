#include "suggestmappingcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "mapping/mappingproposal.h"
#include "mapping/schemareader.h"

#include <QJsonDocument>

#include <cstdio>

namespace es::cli {

namespace {

QCommandLineOption tableOption()
{
    return { QStringLiteral("table"),
        QStringLiteral("Propose roles for table T (schema.table on PostgreSQL) instead of the best ranked one."),
        QStringLiteral("T") };
}

QCommandLineOption nameOption()
{
    return { QStringLiteral("name"), QStringLiteral("The layout name the mapping file gives (default my-events)."),
        QStringLiteral("N"), QStringLiteral("my-events") };
}

} // namespace

void SuggestMappingCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ tableOption(), nameOption() });
}

int SuggestMappingCommand::run(const QStringList& arguments)
{
    const QCommandLineOption table = tableOption();
    const QCommandLineOption name = nameOption();
    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Propose a mapping for a database whatever its layout: list its tables with their columns, keys, indexes, row "
        "estimates and first rows, pick the events table and the column (or expression) for each role (position, "
        "stream, version, type, data, metadata, time, id, category) and the correlation keys found in the metadata. "
        "The mapping file goes to stdout (use it with --mapping); the tables considered, the reason for each role and "
        "what the proposal cannot guarantee go to stderr. Exit code 4 when a required role was not found.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("suggest-mapping"), help, QStringLiteral("suggest-mapping"));
    parser.addPositionalArgument(QStringLiteral("STORE"),
        QStringLiteral("The database: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({ table, name,
        QCommandLineOption(QStringLiteral("schema"), QStringLiteral("PostgreSQL: only the tables of schema S."),
            QStringLiteral("S")) });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("suggest-mapping"), &address); code >= 0)
        return code;
    return runReportingErrors([&]() -> int {
        OpenOptions options;
        options.schema = parser.value(QStringLiteral("schema"));
        const DatabaseSchema schema = SchemaReader::describe(address, options);
        const MappingProposal p = MappingProposer::propose(schema, parser.value(table));
        QString report;
        for (const TableCandidate& c : p.candidates)
            report += QStringLiteral("table %1 (score %2): %3\n").arg(c.table).arg(c.score).arg(c.reason);
        for (const MappingRole& r : p.roles) {
            report += r.expression.isEmpty() && r.reason.isEmpty()
                ? QStringLiteral("%1: none found\n").arg(r.role)
                : QStringLiteral("%1 = %2: %3\n")
                      .arg(r.role, r.expression.isEmpty() ? QStringLiteral("(from the stream name)") : r.expression,
                          r.reason);
        }
        if (!p.correlationKeys.isEmpty() || !p.causationKeys.isEmpty())
            report += QStringLiteral("metadata keys: correlation %1, causation %2\n")
                          .arg(p.correlationKeys.join(u','), p.causationKeys.join(u','));
        for (const QString& w : p.warnings)
            report += QStringLiteral("warning: %1\n").arg(w);
        std::fputs(report.toLocal8Bit().constData(), stderr);
        if (!p.complete()) {
            printError(
                QStringLiteral("No mapping: found nothing for %1.").arg(p.missingRoles().join(QStringLiteral(", "))));
            return UnknownLayout;
        }
        const QByteArray json = QJsonDocument(p.toMappingJson(parser.value(name))).toJson(QJsonDocument::Indented);
        std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
        std::fflush(stdout);
        return Success;
    });
}

} // namespace es::cli
