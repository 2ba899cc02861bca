#include "windowfit.h"

#include "settings.h"

#include <QDockWidget>
#include <QEvent>
#include <QGuiApplication>
#include <QMainWindow>
#include <QScreen>
#include <QStyle>
#include <QTimer>
#include <QWidget>

#include <algorithm>

namespace es::windowfit {

namespace {

// Room left around a window for its frame and the desktop's panels when it is sized to fit.
constexpr int kMargin = 24;

const QScreen* screenOf(const QWidget* window)
{
    if (const QScreen* s = window->screen())
        return s;
    return QGuiApplication::primaryScreen();
}

// Watches a main window's Show and Resize events and rebalances its side docks.
class CentralRoom : public QObject {
public:
    explicit CentralRoom(QMainWindow* window)
        : QObject(window)
        , m_window(window)
    {
        window->installEventFilter(this);
        for (QDockWidget* dock : window->findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly))
            dock->installEventFilter(this);
    }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == m_window && (event->type() == QEvent::Show || event->type() == QEvent::Resize))
            balance();
        else if (watched != m_window && event->type() == QEvent::Show)
            QTimer::singleShot(0, this, &CentralRoom::balance); // once the main window has laid the dock out
        return false;
    }

private:
    void balance()
    {
        QList<QDockWidget*> docks;
        QList<int> widths;
        // Docks stacked in one side area share its column: a side takes the width of its widest dock.
        int left = 0;
        int right = 0;
        for (QDockWidget* dock : m_window->findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly)) {
            const Qt::DockWidgetArea area = m_window->dockWidgetArea(dock);
            if (dock->isHidden() || dock->isFloating()
                || (area != Qt::LeftDockWidgetArea && area != Qt::RightDockWidgetArea))
                continue;
            docks.append(dock);
            widths.append(dock->width());
            int& side = area == Qt::LeftDockWidgetArea ? left : right;
            side = std::max(side, dock->width());
        }
        const int total = left + right;
        const int room = m_window->width() * 42 / 100; // the docks give the table at least ~58%
        if (docks.isEmpty() || total <= room)
            return;
        for (int& w : widths)
            w = std::max(dockMinimum, w * room / total);
        m_window->resizeDocks(docks, widths, Qt::Horizontal);
    }

    static constexpr int dockMinimum = 160;
    QMainWindow* m_window;
};

} // namespace

void keepCentralRoom(QMainWindow* window)
{
    new CentralRoom(window);
}

QString screenKey(const QScreen* screen)
{
    if (!screen)
        return QStringLiteral("none");
    const QSize size = screen->availableGeometry().size();
    QString name = screen->name();
    name.replace(u'/', u'_').replace(u'\\', u'_');
    return QStringLiteral("%1 %2x%3")
        .arg(name.isEmpty() ? QStringLiteral("screen") : name)
        .arg(size.width())
        .arg(size.height());
}

QSize fitted(QSize preferred, const QScreen* screen)
{
    if (!screen)
        return preferred;
    const QSize available = screen->availableGeometry().size() - QSize(kMargin, kMargin);
    return preferred.boundedTo(available.expandedTo(QSize(320, 240)));
}

void clampToScreen(QWidget* window)
{
    const QScreen* screen = screenOf(window);
    if (!screen)
        return;
    const QRect area = screen->availableGeometry();
    // The frame adds a title bar and borders outside geometry(); keep all of it on screen.
    const QRect frame = window->frameGeometry();
    const QSize decoration = frame.size() - window->geometry().size();
    const QSize most = area.size() - decoration;
    if (window->width() > most.width() || window->height() > most.height())
        window->resize(window->size().boundedTo(most));
    QRect placed = window->frameGeometry();
    if (placed.right() > area.right())
        placed.moveRight(area.right());
    if (placed.bottom() > area.bottom())
        placed.moveBottom(area.bottom());
    if (placed.left() < area.left())
        placed.moveLeft(area.left());
    if (placed.top() < area.top())
        placed.moveTop(area.top());
    window->move(placed.topLeft());
}

void restore(QWidget* window, const QString& name, QSize preferred)
{
    const QScreen* screen = screenOf(window);
    const QByteArray saved = Settings::instance()->windowGeometry(name, screenKey(screen));
    if (saved.isEmpty() || !window->restoreGeometry(saved)) {
        const QSize size = fitted(preferred, screen);
        window->resize(size);
        if (screen) {
            QRect r(QPoint(), size);
            r.moveCenter(screen->availableGeometry().center());
            window->move(r.topLeft());
        }
    }
    clampToScreen(window);
}

void save(const QWidget* window, const QString& name)
{
    Settings::instance()->setWindowGeometry(name, screenKey(screenOf(window)), window->saveGeometry());
}

} // namespace es::windowfit
