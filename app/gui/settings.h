#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <memory>

class QSettings;

namespace es {

// The GUI's settings, typed, with defaults in one place. Backed by QSettings; tests and
// `--settings FILE` (or EVENTSCOPE_SETTINGS) point it at a private INI file.
class Settings : public QObject {
    Q_OBJECT
public:
    static constexpr int MaxRecentStores = 10;

    // The shared instance; created on first use from EVENTSCOPE_SETTINGS or the user's settings.
    static Settings* instance();
    // Switches the shared instance to an INI file (empty = the user's settings). Call before windows read it.
    static void useFile(const QString& iniPath);

    explicit Settings(const QString& iniPath = {}, QObject* parent = nullptr);
    ~Settings() override;

    QString fileName() const;

    QStringList recentStores() const;
    // Stores the address without any password (reopening relies on ~/.pgpass or PGPASSWORD then).
    void addRecentStore(const QString& address);
    // An address fit to show or keep: any password in a PostgreSQL address removed.
    static QString redactedAddress(const QString& address);
    void clearRecentStores();

    QString lastDirectory() const;
    void setLastDirectory(const QString& dir);

    // A window's geometry as saveGeometry() wrote it, kept per window name and per screen (screenKey names the
    // screen and its size), so a laptop panel and a desktop monitor each keep their own.
    QByteArray windowGeometry(const QString& window, const QString& screenKey) const;
    void setWindowGeometry(const QString& window, const QString& screenKey, const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    QByteArray inspectorSplitter() const;
    void setInspectorSplitter(const QByteArray& state);

    // The Projections dock: seconds between lag polls (default 2), behind and not moving this long is stalled
    // (default 30 s), a lag at or below this many events is caught up (default 0).
    double lagPollSeconds() const;
    void setLagPollSeconds(double seconds);
    double lagStallSeconds() const;
    void setLagStallSeconds(double seconds);
    qint64 lagCaughtUpEvents() const;
    void setLagCaughtUpEvents(qint64 events);

    // Time travel's memory: the most a reducer's state may hold, as compact JSON (default 256 MB; 0 = no limit),
    // and the most the kept snapshots of states may hold together (default 64 MB, a hard cap). The index of a
    // stream takes 3-5 bytes per event on top (see docs/ARCHITECTURE.md).
    qint64 foldMemoryBudgetBytes() const;
    void setFoldMemoryBudgetBytes(qint64 bytes);
    qint64 snapshotBudgetBytes() const;
    void setSnapshotBudgetBytes(qint64 bytes);

    // Times shown in UTC (the default) or in the local zone: View › Times in UTC (TimeFormat holds the choice).
    bool timesInUtc() const;
    void setTimesInUtc(bool utc);
    // The columns the user hid in a table (ColumnChooser), by their header titles; `table` names the table.
    QStringList hiddenColumns(const QString& table) const;
    void setHiddenColumns(const QString& table, const QStringList& titles);
    // The stream browser's order: a StreamTreeModel column (default the name) and direction.
    int streamSortColumn() const;
    Qt::SortOrder streamSortOrder() const;
    void setStreamSort(int column, Qt::SortOrder order);
    // Preferences › Appearance: "system" (follow the desktop's colour scheme), "light" or "dark".
    QString theme() const;
    void setTheme(const QString& theme);
    // Preferences › Display: the interface font and the monospace font of payloads and JSON, each as
    // QFont::toString(); empty: the desktop's (the application font, QFontDatabase::FixedFont).
    QString interfaceFont() const;
    QString monospaceFont() const;
    void setFonts(const QString& interfaceFont, const QString& monospaceFont);
    // Preferences › Summary cache: the folder of the summary cache; empty: the default (SummaryCache::folder()).
    QString cacheFolder() const;
    void setCacheFolder(const QString& folder);

    // The Connect dialog's saved PostgreSQL connections (SavedConnection::toMap each): names, addresses and options,
    // never a password (those are in the desktop keyring, see PasswordVault).
    QVariantList savedConnections() const;
    void setSavedConnections(const QVariantList& connections);

    void sync();

Q_SIGNALS:
    void recentStoresChanged(const QStringList& stores);
    void themeChanged(const QString& theme);
    void fontsChanged();
    void cacheFolderChanged(const QString& folder);
    // A lag poll interval or threshold changed (Preferences, or the Projections dock's own fields).
    void lagSettingsChanged();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace es
