#pragma once

#include <QObject>

class QAction;
class QMenu;

namespace es {

class MainWindow;

// Ties the stream browser and the shared display choices to the main window, through its public calls only:
// - the browser's context menu acts as the event table's does (show events, time travel, flow, export, copy link),
//   and the stream the table shows is drawn in bold;
// - Follow's new events move the browser's counts, last activity and categories on;
// - View › Times in UTC switches TimeFormat for every view, kept in the settings;
// - the event table's type cells carry the type's colour.
class BrowseController : public QObject {
    Q_OBJECT
public:
    explicit BrowseController(MainWindow* window);

    QAction* utcAction() const { return m_utc; }
    void addToViewMenu(QMenu* menu);

private:
    void exportStream(const QString& stream);
    void repaintTimes();

    MainWindow* m_window;
    QAction* m_utc;
};

} // namespace es
