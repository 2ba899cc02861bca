#pragma once

#include <QFont>
#include <QIcon>
#include <QObject>
#include <QPalette>
#include <QStyle>

class QChart;
class QWidget;

namespace es {

// Preferences › Appearance: the desktop's colours ("system"), or Fusion in light or dark. Qt 6.4 has no colour-scheme
// call (QStyleHints::colorScheme is 6.5), so "system" means the palette the desktop gave at start, and dark when that
// palette is dark or GTK_THEME names a dark variant. Charts follow the palette (background, labels, grid: series keep
// their colours), and icon() gives icons that read on either.
class ThemeController : public QObject {
    Q_OBJECT
public:
    // The one controller: applies Settings::theme() now and on every change. Call after QApplication exists.
    static ThemeController* instance();

    // "system", "light" or "dark".
    void apply(const QString& choice);
    QString choice() const { return m_choice; }
    bool isDark() const;
    bool systemPrefersDark() const;

    // The desktop theme's icon when it has one, else a bundled SVG (resources/icons/actions) drawn in the palette's
    // text colour at paint time, so it follows a theme switch; else the style's `fallback`.
    static QIcon icon(const QString& name, QStyle::StandardPixmap fallback = QStyle::SP_CustomBase);
    // Preferences › Display › Fonts: the monospace font for payloads and JSON (Settings::monospaceFont(), else the
    // desktop's fixed font); useMonospace() gives `widget` that font now and after every change of the setting.
    static QFont monospaceFont();
    static void useMonospace(QWidget* widget);
    static QPalette darkPalette();
    static bool isDarkPalette(const QPalette& palette);
    // Background, title, legend, axis labels and grid in the palette's colours; series untouched.
    static void styleChart(QChart* chart, const QPalette& palette);

Q_SIGNALS:
    void applied(bool dark);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    explicit ThemeController(QObject* parent);
    void restyleCharts();
    // The interface font (Settings::interfaceFont(), else the desktop's) and the monospace widgets' font.
    void applyFonts();

    QPalette m_systemPalette;
    QString m_systemStyle;
    QFont m_systemFont;
    QString m_choice;
    bool m_changed = false; // style or palette set by apply()
};

} // namespace es
