#include "settings.h"

#include "cache/summarycache.h"

#include "fold/timeline.h"
#include "live/lag.h"
#include "store/storeregistry.h"

#include <QDir>
#include <QSettings>

namespace es {

namespace {

const QString recentKey = QStringLiteral("stores/recent");
const QString lastDirKey = QStringLiteral("stores/lastDirectory");
const QString geometryKey = QStringLiteral("window/geometry");
const QString stateKey = QStringLiteral("window/state");
const QString inspectorKey = QStringLiteral("window/inspectorSplitter");
const QString lagPollKey = QStringLiteral("projections/pollSeconds");
const QString lagStallKey = QStringLiteral("projections/stallSeconds");
const QString lagCaughtUpKey = QStringLiteral("projections/caughtUpEvents");
const QString foldMemoryKey = QStringLiteral("timetravel/memoryBudgetBytes");
const QString snapshotBudgetKey = QStringLiteral("timetravel/snapshotBudgetBytes");
const QString timesInUtcKey = QStringLiteral("display/timesInUtc");
const QString hiddenColumnsKey = QStringLiteral("columns/%1/hidden");
const QString streamSortColumnKey = QStringLiteral("streams/sortColumn");
const QString streamSortOrderKey = QStringLiteral("streams/sortOrder");
const QString themeKey = QStringLiteral("appearance/theme");
const QString interfaceFontKey = QStringLiteral("appearance/interfaceFont");
const QString monospaceFontKey = QStringLiteral("appearance/monospaceFont");
const QString cacheFolderKey = QStringLiteral("cache/folder");
const QString connectionsKey = QStringLiteral("connections");

Settings*& sharedInstance()
{
    static Settings* instance = nullptr;
    return instance;
}

} // namespace

Settings* Settings::instance()
{
    auto& shared = sharedInstance();
    if (!shared)
        shared = new Settings(qEnvironmentVariable("EVENTSCOPE_SETTINGS"), nullptr);
    return shared;
}

void Settings::useFile(const QString& iniPath)
{
    auto& shared = sharedInstance();
    if (!shared) {
        shared = new Settings(iniPath, nullptr);
        return;
    }
    // The same object with another file, so that whoever follows its signals (the theme, the fonts) still does.
    shared->m_settings = iniPath.isEmpty() ? std::make_unique<QSettings>()
                                           : std::make_unique<QSettings>(iniPath, QSettings::IniFormat);
    SummaryCache::setFolder(shared->cacheFolder());
}

Settings::Settings(const QString& iniPath, QObject* parent)
    : QObject(parent)
    , m_settings(iniPath.isEmpty() ? std::make_unique<QSettings>()
                                   : std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
    // The summary cache of this process lives where these settings say.
    SummaryCache::setFolder(cacheFolder());
}

Settings::~Settings() = default;

QString Settings::fileName() const
{
    return m_settings->fileName();
}

QStringList Settings::recentStores() const
{
    return m_settings->value(recentKey).toStringList();
}

QString Settings::redactedAddress(const QString& address)
{
    return StoreRegistry::redactAddress(address);
}

void Settings::addRecentStore(const QString& rawAddress)
{
    const QString address = redactedAddress(rawAddress);
    if (address.isEmpty())
        return;
    QStringList stores = recentStores();
    stores.removeAll(address);
    stores.prepend(address);
    while (stores.size() > MaxRecentStores)
        stores.removeLast();
    m_settings->setValue(recentKey, stores);
    Q_EMIT recentStoresChanged(stores);
}

void Settings::clearRecentStores()
{
    m_settings->remove(recentKey);
    Q_EMIT recentStoresChanged({});
}

QString Settings::lastDirectory() const
{
    return m_settings->value(lastDirKey, QDir::homePath()).toString();
}

void Settings::setLastDirectory(const QString& dir)
{
    m_settings->setValue(lastDirKey, dir);
}

QByteArray Settings::windowGeometry(const QString& window, const QString& screenKey) const
{
    return m_settings->value(geometryKey + u'/' + window + u'/' + screenKey).toByteArray();
}

void Settings::setWindowGeometry(const QString& window, const QString& screenKey, const QByteArray& geometry)
{
    m_settings->setValue(geometryKey + u'/' + window + u'/' + screenKey, geometry);
}

QByteArray Settings::windowState() const
{
    return m_settings->value(stateKey).toByteArray();
}

void Settings::setWindowState(const QByteArray& state)
{
    m_settings->setValue(stateKey, state);
}

QByteArray Settings::inspectorSplitter() const
{
    return m_settings->value(inspectorKey).toByteArray();
}

void Settings::setInspectorSplitter(const QByteArray& state)
{
    m_settings->setValue(inspectorKey, state);
}

void Settings::sync()
{
    m_settings->sync();
}

double Settings::lagPollSeconds() const
{
    return m_settings->value(lagPollKey, 2.0).toDouble();
}

void Settings::setLagPollSeconds(double seconds)
{
    if (lagPollSeconds() == seconds)
        return;
    m_settings->setValue(lagPollKey, seconds);
    Q_EMIT lagSettingsChanged();
}

double Settings::lagStallSeconds() const
{
    return m_settings->value(lagStallKey, LagThresholds {}.stallSeconds).toDouble();
}

void Settings::setLagStallSeconds(double seconds)
{
    if (lagStallSeconds() == seconds)
        return;
    m_settings->setValue(lagStallKey, seconds);
    Q_EMIT lagSettingsChanged();
}

qint64 Settings::lagCaughtUpEvents() const
{
    return m_settings->value(lagCaughtUpKey, LagThresholds {}.caughtUpEvents).toLongLong();
}

void Settings::setLagCaughtUpEvents(qint64 events)
{
    if (lagCaughtUpEvents() == events)
        return;
    m_settings->setValue(lagCaughtUpKey, events);
    Q_EMIT lagSettingsChanged();
}

qint64 Settings::foldMemoryBudgetBytes() const
{
    return qMax<qint64>(0, m_settings->value(foldMemoryKey, TimelineOptions {}.memoryBudgetBytes).toLongLong());
}

void Settings::setFoldMemoryBudgetBytes(qint64 bytes)
{
    m_settings->setValue(foldMemoryKey, qMax<qint64>(0, bytes));
}

qint64 Settings::snapshotBudgetBytes() const
{
    return qMax<qint64>(0, m_settings->value(snapshotBudgetKey, TimelineOptions {}.snapshotBudgetBytes).toLongLong());
}

void Settings::setSnapshotBudgetBytes(qint64 bytes)
{
    m_settings->setValue(snapshotBudgetKey, qMax<qint64>(0, bytes));
}

bool Settings::timesInUtc() const
{
    return m_settings->value(timesInUtcKey, true).toBool();
}

void Settings::setTimesInUtc(bool utc)
{
    m_settings->setValue(timesInUtcKey, utc);
}

QStringList Settings::hiddenColumns(const QString& table) const
{
    return m_settings->value(hiddenColumnsKey.arg(table)).toStringList();
}

void Settings::setHiddenColumns(const QString& table, const QStringList& titles)
{
    if (titles.isEmpty())
        m_settings->remove(hiddenColumnsKey.arg(table));
    else
        m_settings->setValue(hiddenColumnsKey.arg(table), titles);
}

int Settings::streamSortColumn() const
{
    return qBound(0, m_settings->value(streamSortColumnKey, 0).toInt(), 2);
}

Qt::SortOrder Settings::streamSortOrder() const
{
    return m_settings->value(streamSortOrderKey, 0).toInt() == 1 ? Qt::DescendingOrder : Qt::AscendingOrder;
}

void Settings::setStreamSort(int column, Qt::SortOrder order)
{
    m_settings->setValue(streamSortColumnKey, column);
    m_settings->setValue(streamSortOrderKey, order == Qt::DescendingOrder ? 1 : 0);
}

QString Settings::theme() const
{
    const QString theme = m_settings->value(themeKey).toString();
    return theme == QLatin1String("light") || theme == QLatin1String("dark") ? theme : QStringLiteral("system");
}

void Settings::setTheme(const QString& theme)
{
    if (theme == this->theme())
        return;
    m_settings->setValue(themeKey, theme);
    Q_EMIT themeChanged(this->theme());
}

QString Settings::interfaceFont() const
{
    return m_settings->value(interfaceFontKey).toString();
}

QString Settings::monospaceFont() const
{
    return m_settings->value(monospaceFontKey).toString();
}

void Settings::setFonts(const QString& interfaceFont, const QString& monospaceFont)
{
    if (interfaceFont == this->interfaceFont() && monospaceFont == this->monospaceFont())
        return;
    const auto keep = [this](const QString& key, const QString& value) {
        if (value.isEmpty())
            m_settings->remove(key);
        else
            m_settings->setValue(key, value);
    };
    keep(interfaceFontKey, interfaceFont);
    keep(monospaceFontKey, monospaceFont);
    Q_EMIT fontsChanged();
}

QString Settings::cacheFolder() const
{
    return m_settings->value(cacheFolderKey).toString();
}

void Settings::setCacheFolder(const QString& folder)
{
    if (folder == cacheFolder())
        return;
    if (folder.isEmpty())
        m_settings->remove(cacheFolderKey);
    else
        m_settings->setValue(cacheFolderKey, folder);
    SummaryCache::setFolder(folder);
    Q_EMIT cacheFolderChanged(folder);
}

// As an INI array of plain keys (connections/1/host=…), readable in the file, rather than one serialised blob.
QVariantList Settings::savedConnections() const
{
    QVariantList list;
    const int size = m_settings->beginReadArray(connectionsKey);
    for (int i = 0; i < size; ++i) {
        m_settings->setArrayIndex(i);
        QVariantMap map;
        for (const QString& key : m_settings->childKeys())
            map.insert(key, m_settings->value(key));
        list.append(map);
    }
    m_settings->endArray();
    return list;
}

void Settings::setSavedConnections(const QVariantList& connections)
{
    m_settings->remove(connectionsKey);
    m_settings->beginWriteArray(connectionsKey, int(connections.size()));
    for (int i = 0; i < connections.size(); ++i) {
        m_settings->setArrayIndex(i);
        const QVariantMap map = connections.at(i).toMap();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it.value().toString().isEmpty())
                m_settings->setValue(it.key(), it.value());
        }
    }
    m_settings->endArray();
}

} // namespace es
