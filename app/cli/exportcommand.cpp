#include "exportcommand.h"

#include "cliapplication.h"
#include "clicommon.h"
#include "export/exporter.h"
#include "store/storeregistry.h"

#include <QFileInfo>

#include <cstdio>

#include <unistd.h>

namespace es::cli {

namespace {

QCommandLineOption outOption()
{
    return { QStringLiteral("out"), QStringLiteral("The file to write (required)."), QStringLiteral("FILE") };
}
QCommandLineOption formatOption()
{
    return { QStringLiteral("format"), QStringLiteral("jsonl, json, csv or sqlite (default: from the --out suffix)."),
        QStringLiteral("FORMAT") };
}
QCommandLineOption toOption()
{
    return { QStringLiteral("to"),
        QStringLiteral("Stop at global position POS (a stream version with --stream), inclusive."),
        QStringLiteral("POS") };
}
QCommandLineOption forceOption()
{
    return { QStringLiteral("force"), QStringLiteral("Replace FILE if it exists.") };
}
QCommandLineOption redactOption()
{
    return { QStringLiteral("redact"),
        QStringLiteral("Replace these fields with a keyed hash token, e.g. data.email,metadata.userId (repeatable). "
                       "Equal values share a token within one export only, unless --redact-key is given."),
        QStringLiteral("PATHS") };
}
QCommandLineOption redactKeyOption()
{
    return { QStringLiteral("redact-key"),
        QStringLiteral("Key the redaction tokens with the bytes of FILE (at least 16), so exports made with the same "
                       "key can be joined on them. Keep FILE secret."),
        QStringLiteral("FILE") };
}
QCommandLineOption nonJsonOption()
{
    return { QStringLiteral("non-json"),
        QStringLiteral("With --redact, what to do with payloads that are not JSON (text, XML, binary), which "
                       "redaction cannot look into: redact (replace them whole, the default), refuse (stop the "
                       "export), or keep (write them as they are)."),
        QStringLiteral("POLICY") };
}
QCommandLineOption keepFormulasOption()
{
    return { QStringLiteral("csv-keep-formulas"),
        QStringLiteral("CSV: write cells that begin with =, +, -, @, tab or CR as they are. By default they get a "
                       "leading apostrophe so a spreadsheet does not run them as formulas.") };
}

QStringList splitList(const QStringList& values)
{
    QStringList out;
    for (const QString& v : values) {
        for (const QString& part : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!part.trimmed().isEmpty())
                out.append(part.trimmed());
        }
    }
    return out;
}

QString formatFromSuffix(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson"))
        return QStringLiteral("jsonl");
    if (suffix == QLatin1String("json") || suffix == QLatin1String("csv"))
        return suffix;
    if (suffix == QLatin1String("sqlite") || suffix == QLatin1String("sqlite3") || suffix == QLatin1String("db"))
        return QStringLiteral("sqlite");
    return {};
}

QString duration(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

void ExportCommand::addFirstPassOptions(QCommandLineParser& parser)
{
    parser.addOptions({ outOption(), formatOption(), toOption(), forceOption(), redactOption(), redactKeyOption(),
        nonJsonOption(), keepFormulasOption() });
}

int ExportCommand::run(const QStringList& arguments)
{
    const QCommandLineOption stream(QStringLiteral("stream"),
        QStringLiteral("Export one stream; positions are then its versions."), QStringLiteral("S"));
    const QCommandLineOption category(
        QStringLiteral("category"), QStringLiteral("Export the streams of category C."), QStringLiteral("C"));
    const QCommandLineOption type(QStringLiteral("type"),
        QStringLiteral("Only events of type T (repeat, or separate types with commas)."), QStringLiteral("T"));
    const QCommandLineOption filter(QStringLiteral("filter"),
        QStringLiteral("Only events where the JSON condition holds, e.g. \"data.amount > 100\"."),
        QStringLiteral("EXPR"));
    const QCommandLineOption text(
        QStringLiteral("text"), QStringLiteral("Only events whose data or metadata contains T."), QStringLiteral("T"));
    const QCommandLineOption fromTime(QStringLiteral("from-time"),
        QStringLiteral("Only events at or after TIME (ISO 8601; without a zone, UTC)."), QStringLiteral("TIME"));
    const QCommandLineOption toTime(
        QStringLiteral("to-time"), QStringLiteral("Only events before TIME."), QStringLiteral("TIME"));
    const QCommandLineOption from(QStringLiteral("from"),
        QStringLiteral("Start at global position POS (a stream version with --stream), inclusive."),
        QStringLiteral("POS"));
    const QCommandLineOption out = outOption();
    const QCommandLineOption format = formatOption();
    const QCommandLineOption to = toOption();
    const QCommandLineOption force = forceOption();
    const QCommandLineOption redact = redactOption();
    const QCommandLineOption redactKey = redactKeyOption();
    const QCommandLineOption nonJson = nonJsonOption();
    const QCommandLineOption keepFormulas = keepFormulasOption();

    QCommandLineParser parser;
    const QString help = QStringLiteral(
        "Export events to a file: JSON Lines or JSON (the event shape of `events --json`), CSV (RFC 4180, data and "
        "metadata as JSON text) or sqlite (a new store in the Emmett SQLite layout). The file appears only when "
        "complete; Ctrl+C leaves none.");
    parser.setApplicationDescription(help);
    parser.addPositionalArgument(QStringLiteral("export"), help, QStringLiteral("export"));
    parser.addPositionalArgument(
        QStringLiteral("STORE"), QStringLiteral("The store: a SQLite file path, sqlite:///path or postgresql://..."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(storeOptions());
    parser.addOptions({ out, format, stream, category, type, filter, text, fromTime, toTime, from, to, force, redact,
        redactKey, nonJson, keepFormulas });
    QString address;
    if (const int code = parseStoreCommand(parser, arguments, QStringLiteral("export"), &address); code >= 0)
        return code;
    auto usage = [](const QString& message) {
        printError(message + QStringLiteral("\nRun `eventscope-cli export --help` for usage."));
        return int(BadArguments);
    };

    ExportOptions options;
    options.path = parser.value(out);
    if (options.path.isEmpty())
        return usage(QStringLiteral("--out FILE is required."));
    options.format = parser.isSet(format) ? parser.value(format).toLower() : formatFromSuffix(options.path);
    if (options.format.isEmpty())
        return usage(QStringLiteral("Give --format (%1); the suffix of %2 does not say.")
                         .arg(Exporter::formats().join(QStringLiteral(", ")), options.path));
    if (!Exporter::formats().contains(options.format))
        return usage(QStringLiteral("Unknown format \"%1\" (formats: %2).")
                         .arg(options.format, Exporter::formats().join(QStringLiteral(", "))));
    options.overwrite = parser.isSet(force);
    options.redact = splitList(parser.values(redact));
    QString redactError;
    if (!Redactor::parse(options.redact, &redactError))
        return usage(QStringLiteral("--redact: %1").arg(redactError));
    if (parser.isSet(redactKey)) {
        QFile keyFile(parser.value(redactKey));
        if (!keyFile.open(QIODevice::ReadOnly))
            return usage(
                QStringLiteral("--redact-key: cannot read %1: %2").arg(keyFile.fileName(), keyFile.errorString()));
        options.redactKey = keyFile.read(4096);
        if (options.redactKey.size() < 16)
            return usage(QStringLiteral("--redact-key: %1 holds fewer than 16 bytes.").arg(keyFile.fileName()));
    }
    if (parser.isSet(nonJson)) {
        const auto policy = Redactor::nonJsonFromName(parser.value(nonJson));
        if (!policy)
            return usage(QStringLiteral("--non-json is redact, refuse or keep."));
        options.nonJson = *policy;
    }
    options.csvKeepFormulas = parser.isSet(keepFormulas);

    EventFilter& f = options.filter;
    f.stream = parser.value(stream);
    f.category = parser.value(category);
    if (!f.stream.isEmpty() && !f.category.isEmpty())
        return usage(QStringLiteral("Give --stream or --category, not both."));
    f.types = splitList(parser.values(type));
    f.text = parser.value(text);
    if (parser.isSet(fromTime)) {
        f.fromTime = parseStoreTime(parser.value(fromTime).toUtf8());
        if (!f.fromTime.isValid())
            return usage(QStringLiteral("--from-time: \"%1\" is not a time.").arg(parser.value(fromTime)));
    }
    if (parser.isSet(toTime)) {
        f.toTime = parseStoreTime(parser.value(toTime).toUtf8());
        if (!f.toTime.isValid())
            return usage(QStringLiteral("--to-time: \"%1\" is not a time.").arg(parser.value(toTime)));
    }
    for (const QString& expression : parser.values(filter)) {
        QString error;
        if (!EventFilter::parseConditions(expression, &f.conditions, &error))
            return usage(QStringLiteral("--filter \"%1\": %2").arg(expression, error));
    }
    for (const auto& [option, target] : { std::pair { &from, &options.from }, std::pair { &to, &options.to } }) {
        if (!parser.isSet(*option))
            continue;
        bool ok = false;
        *target = parser.value(*option).toLongLong(&ok);
        if (!ok || *target < 0)
            return usage(QStringLiteral("--%1 needs a position of 0 or more.").arg(option->names().constFirst()));
    }

    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const InterruptGuard guard;
    try {
        auto store = openStore(parser, address);
        qint64 lastShownMs = -1000;
        const QByteArray name = options.path.toLocal8Bit();
        const ExportResult result = Exporter::run(
            *store, options,
            [&](const ExportProgress& p) {
                if (terminal && p.elapsedMs - lastShownMs >= 200) {
                    lastShownMs = p.elapsedMs;
                    const QString percent
                        = p.fraction >= 0 ? QStringLiteral("%1%").arg(int(p.fraction * 100), 3) : QStringLiteral("  ?");
                    const QString eta
                        = p.etaMs >= 0 ? QStringLiteral(", about %1 left").arg(duration(p.etaMs)) : QString();
                    std::fprintf(stderr, "\rexporting to %s: %s, %lld events%s     ", name.constData(),
                        percent.toLocal8Bit().constData(), static_cast<long long>(p.events),
                        eta.toLocal8Bit().constData());
                    std::fflush(stderr);
                }
                return true;
            },
            interruptFlag());
        if (terminal) {
            std::fprintf(stderr, "\rexported %lld events (%.1f MB) to %s in %.1f s%s                    \n",
                static_cast<long long>(result.events), double(result.bytes) / 1e6, name.constData(),
                double(result.elapsedMs) / 1000.0,
                result.redactedEvents > 0
                    ? QStringLiteral(", %1 redacted").arg(result.redactedEvents).toLocal8Bit().constData()
                    : "");
        }
        return Success;
    } catch (const StoreError& e) {
        if (terminal)
            std::fputc('\n', stderr);
        printError(e.message());
        return exitCodeFor(e.kind());
    } catch (const std::exception& e) {
        printError(QString::fromLocal8Bit(e.what()));
        return ReadFailed;
    }
}

} // namespace es::cli
