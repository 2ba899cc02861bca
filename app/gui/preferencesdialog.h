#pragma once

#include <QDialog>

#include <functional>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace es {

class CacheController;

// Edit › Preferences… (Ctrl+,): every setting the GUI keeps, in one place — appearance (system, light or dark), the
// interface and monospace fonts, the time format, the Projections dock's poll interval and lag thresholds, time
// travel's memory budgets, and the summary cache's folder (movable) and size with Clear. OK writes them to Settings;
// views that show a setting follow its change signal.
class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget* parent = nullptr);

    // The hook for the time format (UTC or local time): whoever owns that setting registers a factory for the row's
    // field, which reads and writes the setting itself. Until one is registered the row says times are in UTC.
    using TimesEditorFactory = std::function<QWidget*(QWidget* parent)>;
    static void setTimesEditorFactory(TimesEditorFactory factory);

    // Writes the fields to Settings (what OK does).
    void apply();

private:
    void updateCache();
    void updateFonts();

    QComboBox* m_theme;
    QDoubleSpinBox* m_poll;
    QDoubleSpinBox* m_stall;
    QSpinBox* m_caughtUp;
    QSpinBox* m_foldMemory;
    QSpinBox* m_snapshots;
    QLabel* m_cacheSize;
    QLabel* m_cacheFolder;
    QPushButton* m_interfaceFont;
    QPushButton* m_monospaceFont;
    CacheController* m_cache;
    QString m_interfaceFontText; // as Settings keeps them: empty for the desktop's
    QString m_monospaceFontText;
    QString m_cacheFolderText;
};

} // namespace es
