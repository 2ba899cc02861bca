#include "fold/reducercatalog.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace es {

const QString ReducerCatalog::mergeKey = QStringLiteral("merge");
const QString ReducerCatalog::mergeByTypeKey = QStringLiteral("merge-by-type");
const QString ReducerCatalog::sampleFolder = QStringLiteral(":/reducers");

namespace {

void addFolder(std::vector<ReducerCatalog::Entry>& out, const QString& folder, ReducerCatalog::Entry::Kind kind)
{
    const QFileInfoList files
        = QDir(folder).entryInfoList({ QStringLiteral("*.js") }, QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo& file : files)
        out.push_back({ kind, file.fileName(), file.absoluteFilePath(), folder });
}

} // namespace

std::vector<ReducerCatalog::Entry> ReducerCatalog::entries()
{
    std::vector<Entry> out;
    out.push_back(
        { Entry::Kind::Merge, QCoreApplication::translate("ReducerCatalog", "Merge (no code)"), mergeKey, {} });
    out.push_back({ Entry::Kind::MergeByType, QCoreApplication::translate("ReducerCatalog", "Merge by event type"),
        mergeByTypeKey, {} });
    addFolder(out, sampleFolder, Entry::Kind::Sample);
    for (const QString& folder : userFolders())
        addFolder(out, folder, Entry::Kind::User);
    return out;
}

QString ReducerCatalog::userFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/reducers");
}

QStringList ReducerCatalog::userFolders()
{
    QStringList folders;
    if (QFileInfo(userFolder()).isDir())
        folders.append(QDir::cleanPath(userFolder()));
    const QStringList found = QStandardPaths::locateAll(
        QStandardPaths::AppDataLocation, QStringLiteral("reducers"), QStandardPaths::LocateDirectory);
    for (const QString& folder : found) {
        const QString clean = QDir::cleanPath(folder);
        if (!folders.contains(clean))
            folders.append(clean);
    }
    return folders;
}

QString ReducerCatalog::preferredFor(const std::vector<Entry>& entries, const QString& stream)
{
    const QString category = stream.section(QLatin1Char('-'), 0, 0).toLower();
    if (category.isEmpty())
        return {};
    for (const Entry& entry : entries) {
        if (entry.folder.isEmpty())
            continue;
        if (QFileInfo(entry.key).baseName().toLower().startsWith(category))
            return entry.key;
    }
    return {};
}

bool ReducerCatalog::isFile(const QString& key)
{
    return key != mergeKey && key != mergeByTypeKey && !key.startsWith(QLatin1Char(':'))
        && !key.startsWith(QLatin1String("qrc:"));
}

ReducerPtr ReducerCatalog::load(const QString& key, Failure* failure, Check check)
{
    if (key == mergeKey || key == mergeByTypeKey || key.isEmpty())
        return std::make_shared<MergeReducer>(
            key == mergeByTypeKey ? MergeReducer::Mode::ByType : MergeReducer::Mode::Flat);
    QString error;
    auto js = JsReducer::fromFile(key, &error);
    if (!js) {
        if (failure)
            *failure = Failure { Failure::Kind::Io, error };
        return nullptr;
    }
    if (check == Check::No)
        return js;
    if (const auto problem = js->check()) {
        if (failure)
            *failure = Failure { Failure::Kind::ReducerError, problem->toString() };
        return nullptr;
    }
    return js;
}

} // namespace es
