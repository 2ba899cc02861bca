#include "casefile/casefile.h"

#include "fold/reducercatalog.h"
#include "store/storeregistry.h"

#include <QCryptographicHash>
#include <QSaveFile>
#include <QStandardPaths>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimeZone>

#include <mutex>

#include <unistd.h>

namespace es {

namespace {

struct Engine {
    std::mutex mutex;
    CaseFile::TableWriter writer;
    CaseFile::TableReader reader;
};

Engine& engine()
{
    static Engine e;
    return e;
}

QString filePathOf(const QString& address)
{
    QString path = address;
    if (path.startsWith(QLatin1String("sqlite://")))
        path = path.mid(9);
    else if (path.startsWith(QLatin1String("sqlite:")) || path.startsWith(QLatin1String("file:")))
        path = path.section(u':', 1);
    return path.section(u'?', 0, 0);
}

} // namespace

void CaseFile::registerEngine(TableWriter writer, TableReader reader)
{
    Engine& e = engine();
    std::lock_guard lock(e.mutex);
    e.writer = std::move(writer);
    e.reader = std::move(reader);
}

ExportResult CaseFile::write(EventStore& store, const CaseOptions& options, const Exporter::ProgressFn& progress,
    const std::atomic<bool>* cancel)
{
    TableWriter writer;
    {
        Engine& e = engine();
        std::lock_guard lock(e.mutex);
        writer = e.writer;
    }
    if (!writer)
        throw StoreError(QStringLiteral("No engine writes case files (registerConnectors() was not called)."));
    if (options.path.isEmpty())
        throw StoreError(QStringLiteral("No case file given."), StoreError::Kind::BadAddress);
    const QFileInfo target(options.path);
    if (!target.absoluteDir().exists())
        throw StoreError(
            QStringLiteral("The folder %1 does not exist.").arg(target.absolutePath()), StoreError::Kind::BadAddress);
    if (target.isDir())
        throw StoreError(QStringLiteral("%1 is a folder.").arg(options.path), StoreError::Kind::BadAddress);
    if ((target.exists() || target.isSymLink()) && !options.overwrite)
        throw StoreError(QStringLiteral("%1 already exists (overwrite it with --force).").arg(options.path),
            StoreError::Kind::BadAddress);
    const QString storePath = QFileInfo(filePathOf(store.address())).canonicalFilePath();
    if (!storePath.isEmpty()) {
        const QString targetPath = target.exists() ? target.canonicalFilePath() : target.absoluteFilePath();
        for (const char* suffix : { "", "-wal", "-shm", "-journal" }) {
            if (targetPath == storePath + QLatin1String(suffix))
                throw StoreError(QStringLiteral("%1 belongs to the store being inspected; EventScope never writes to "
                                                "it.")
                                     .arg(options.path),
                    StoreError::Kind::BadAddress);
        }
    }

    // The events by the exporter into a private name beside the target, the case tables next, then the rename.
    const QString temp
        = target.absoluteDir().filePath(QStringLiteral(".%1.case-%2.sqlite").arg(target.fileName()).arg(::getpid()));
    QFile::remove(temp);
    ExportOptions events = options.selection;
    events.format = QStringLiteral("sqlite");
    events.path = temp;
    events.overwrite = false;
    ExportResult result;
    try {
        result = Exporter::run(store, events, progress, cancel);
        CaseContents contents = options.contents;
        contents.source = StoreRegistry::redactAddress(store.address());
        if (!contents.created.isValid())
            contents.created = QDateTime::currentDateTimeUtc();
        contents.redacted = events.redact;
        contents.events = result.events;
        writer(temp, contents);
        if (cancel && cancel->load())
            throw StoreError(QStringLiteral("Cancelled"), StoreError::Kind::Cancelled);
        const QByteArray from8 = QFile::encodeName(temp);
        const QByteArray to8 = QFile::encodeName(target.absoluteFilePath());
        if (options.overwrite) {
            if (std::rename(from8.constData(), to8.constData()) != 0)
                throw StoreError(
                    QStringLiteral("Cannot move the case file to %1.").arg(options.path), StoreError::Kind::BadAddress);
        } else if (::link(from8.constData(), to8.constData()) == 0) {
            QFile::remove(temp);
        } else {
            throw StoreError(QStringLiteral("Cannot move the case file to %1 (does it exist now?).").arg(options.path),
                StoreError::Kind::BadAddress);
        }
    } catch (...) {
        QFile::remove(temp);
        throw;
    }
    result.path = target.absoluteFilePath();
    result.format = layoutName();
    result.bytes = QFileInfo(result.path).size();
    return result;
}

CaseContents CaseFile::read(const QString& address)
{
    TableReader reader;
    {
        Engine& e = engine();
        std::lock_guard lock(e.mutex);
        reader = e.reader;
    }
    if (!reader)
        throw StoreError(QStringLiteral("No engine reads case files (registerConnectors() was not called)."));
    return reader(filePathOf(address));
}

bool CaseFile::takeReducer(const QString& key, CaseContents* contents, QString* error)
{
    if (key == ReducerCatalog::mergeKey || key == ReducerCatalog::mergeByTypeKey) {
        contents->reducerName = key;
        contents->reducerSource.clear();
        return true;
    }
    QFile file(key);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read the reducer %1: %2").arg(key, file.errorString());
        return false;
    }
    contents->reducerName = QFileInfo(key).fileName();
    contents->reducerSource = QString::fromUtf8(file.readAll());
    return true;
}

QString CaseFile::reducerKey(const CaseContents& contents, QString* error)
{
    const QString& name = contents.reducerName;
    if (name.isEmpty())
        return {};
    if (contents.reducerSource.isEmpty())
        return name == ReducerCatalog::mergeKey || name == ReducerCatalog::mergeByTypeKey ? name : QString();
    // The file name only (a case written by hand may say "../x"), ending in .js as the catalog expects.
    QString fileName = QFileInfo(name).fileName();
    if (fileName.isEmpty() || fileName.startsWith(u'.'))
        fileName = QStringLiteral("reducer.js");
    if (!fileName.endsWith(QLatin1String(".js")))
        fileName += QLatin1String(".js");
    // One folder per source: two cases with reducers of one name and different code never share a file.
    const QByteArray hash = QCryptographicHash::hash(contents.reducerSource.toUtf8(), QCryptographicHash::Sha1).toHex();
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
        + QStringLiteral("/case-reducers/") + QString::fromLatin1(hash.left(16));
    const QString path = folder + u'/' + fileName;
    if (QFileInfo::exists(path))
        return path;
    QSaveFile file(path);
    if (!QDir().mkpath(folder) || !file.open(QIODevice::WriteOnly) || file.write(contents.reducerSource.toUtf8()) < 0
        || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot keep the case's reducer in %1: %2").arg(folder, file.errorString());
        return {};
    }
    return path;
}

} // namespace es
