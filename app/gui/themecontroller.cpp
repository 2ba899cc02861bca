#include "themecontroller.h"

#include "settings.h"

#include <QApplication>
#include <QFile>
#include <QFontDatabase>
#include <QIconEngine>
#include <QPainter>
#include <QStyleFactory>
#include <QSvgRenderer>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>

namespace es {

namespace {

// An SVG whose "currentColor" is the palette's text colour for the icon's mode, looked up at every paint.
class TintedSvgEngine : public QIconEngine {
public:
    explicit TintedSvgEngine(QByteArray svg)
        : m_svg(std::move(svg))
    { }
    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override
    {
        const QPalette palette = QGuiApplication::palette();
        const QColor color = mode == QIcon::Disabled ? palette.color(QPalette::Disabled, QPalette::WindowText)
            : mode == QIcon::Selected                ? palette.color(QPalette::HighlightedText)
                                                     : palette.color(QPalette::WindowText);
        QByteArray svg = m_svg;
        svg.replace("currentColor", color.name().toLatin1());
        QSvgRenderer renderer(svg);
        renderer.render(painter, QRectF(rect));
    }
    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        QPixmap pixmap(size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        paint(&painter, QRect(QPoint(), size), mode, state);
        return pixmap;
    }
    QIconEngine* clone() const override { return new TintedSvgEngine(m_svg); }
    QString key() const override { return QStringLiteral("es-tinted-svg"); }

private:
    QByteArray m_svg;
};

} // namespace

ThemeController* ThemeController::instance()
{
    static ThemeController* controller = new ThemeController(qApp);
    return controller;
}

ThemeController::ThemeController(QObject* parent)
    : QObject(parent)
    , m_systemPalette(QApplication::palette())
    , m_systemStyle(QApplication::style()->name())
    , m_systemFont(QApplication::font())
{
    qApp->installEventFilter(this);
    connect(Settings::instance(), &Settings::themeChanged, this, &ThemeController::apply);
    connect(Settings::instance(), &Settings::fontsChanged, this, &ThemeController::applyFonts);
    apply(Settings::instance()->theme());
    if (!Settings::instance()->interfaceFont().isEmpty())
        applyFonts();
}

namespace {

const char* const monospaceProperty = "esMonospace";

QFont fontFrom(const QString& text, const QFont& fallback)
{
    QFont font;
    return !text.isEmpty() && font.fromString(text) ? font : fallback;
}

} // namespace

QFont ThemeController::monospaceFont()
{
    return fontFrom(Settings::instance()->monospaceFont(), QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

void ThemeController::useMonospace(QWidget* widget)
{
    widget->setProperty(monospaceProperty, true);
    widget->setFont(monospaceFont());
}

void ThemeController::applyFonts()
{
    QApplication::setFont(fontFrom(Settings::instance()->interfaceFont(), m_systemFont));
    const QFont mono = monospaceFont();
    for (QWidget* w : QApplication::allWidgets()) {
        if (w->property(monospaceProperty).toBool())
            w->setFont(mono);
    }
}

bool ThemeController::isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

bool ThemeController::systemPrefersDark() const
{
    return isDarkPalette(m_systemPalette)
        || qEnvironmentVariable("GTK_THEME").contains(QLatin1String("dark"), Qt::CaseInsensitive);
}

bool ThemeController::isDark() const
{
    return isDarkPalette(QApplication::palette());
}

QPalette ThemeController::darkPalette()
{
    QPalette p;
    const QColor window(0x2d, 0x2f, 0x33), base(0x1f, 0x21, 0x24), text(0xe3, 0xe5, 0xe8), dim(0x80, 0x84, 0x8a);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, dim);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x36, 0x39, 0x3e));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x46));
    p.setColor(QPalette::Mid, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1e));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb0, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb4, 0x9c, 0xff));
    for (QPalette::ColorRole role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        p.setColor(QPalette::Disabled, role, dim);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x52));
    return p;
}

void ThemeController::apply(const QString& choice)
{
    m_choice = choice;
    const bool dark = choice == QLatin1String("dark")
        || (choice != QLatin1String("light") && systemPrefersDark() && !isDarkPalette(m_systemPalette));
    // Until a theme is chosen the desktop's own style and palette stay untouched (and keep following the desktop).
    if (!dark && choice != QLatin1String("light") && !m_changed) {
        Q_EMIT applied(isDark());
        return;
    }
    m_changed = true;
    if (dark) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
    } else if (choice == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setStyle(QStyleFactory::create(m_systemStyle));
        QApplication::setPalette(m_systemPalette);
    }
    restyleCharts();
    Q_EMIT applied(isDark());
}

QIcon ThemeController::icon(const QString& name, QStyle::StandardPixmap fallback)
{
    if (QIcon::hasThemeIcon(name))
        return QIcon::fromTheme(name);
    QFile file(QStringLiteral(":/icons/actions/%1.svg").arg(name));
    if (file.open(QIODevice::ReadOnly))
        return QIcon(new TintedSvgEngine(file.readAll()));
    return fallback == QStyle::SP_CustomBase ? QIcon() : QApplication::style()->standardIcon(fallback);
}

void ThemeController::styleChart(QChart* chart, const QPalette& palette)
{
    const QColor text = palette.color(QPalette::Text);
    const QColor dim = palette.color(QPalette::PlaceholderText);
    QColor grid = text;
    grid.setAlphaF(0.18f);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setTitleBrush(text);
    if (QLegend* legend = chart->legend())
        legend->setLabelColor(text);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setMinorGridLineColor(grid);
        axis->setLinePenColor(dim);
    }
}

void ThemeController::restyleCharts()
{
    for (QWidget* widget : QApplication::allWidgets()) {
        if (auto* view = qobject_cast<QChartView*>(widget); view && view->chart())
            styleChart(view->chart(), QApplication::palette());
    }
}

// Every chart view as it is first shown: styled now, and again whenever its plot area changes, which is when views
// add axes for new data.
bool ThemeController::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Polish) {
        if (auto* view = qobject_cast<QChartView*>(watched); view && view->chart()) {
            QChart* chart = view->chart();
            styleChart(chart, QApplication::palette());
            if (!chart->property("esThemed").toBool()) {
                chart->setProperty("esThemed", true);
                connect(chart, &QChart::plotAreaChanged, this, [chart] { styleChart(chart, QApplication::palette()); });
            }
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace es
