#pragma once

#include <QSize>
#include <QString>

class QMainWindow;
class QScreen;
class QWidget;

namespace es::windowfit {

// Sizing rules every top-level window follows, so each fits the screen it opens on (a 1024x700 netbook as well as a
// 2560x1440 monitor) and comes back where the user left it on that screen.

// A name for the screen and its available size, used to keep one geometry per screen ("eDP-1 1366x740").
QString screenKey(const QScreen* screen);

// The preferred size shrunk to fit the screen's available area (minus a small margin for the window frame).
QSize fitted(QSize preferred, const QScreen* screen);

// Restores the geometry saved for this window on its screen, or sizes it to fitted(preferred) and centres it; either
// way the result lies inside the available area, never wider or taller than it.
void restore(QWidget* window, const QString& name, QSize preferred);

// Saves the window's geometry for its current screen.
void save(const QWidget* window, const QString& name);

// Keeps the main window's central widget (the event table) at least about half of the window's width: when the
// window is shown or shrunk and the side docks leave it less, the docks give up width in proportion. Docks the user
// widens on a large window stay as they are.
void keepCentralRoom(QMainWindow* window);

// Moves and shrinks the window so that all of it lies inside its screen's available area.
void clampToScreen(QWidget* window);

} // namespace es::windowfit
