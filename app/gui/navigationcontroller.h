#pragma once

#include "nav/navigationhistory.h"
#include "nav/place.h"
#include "nav/savedplaces.h"
#include "store/failure.h"

#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <optional>

class QAction;
class QDockWidget;
class QMenu;
class QSettings;
class QTimer;

namespace es {

class MainWindow;
class PlacesPanel;
class TimeTravelWindow;

// Places for the main window: Copy Link (Ctrl+Shift+C), Open Link, Back and Forward (Alt+Left/Right), saved views
// and recent places (a dock). It watches the window's event view to keep the history, and reaches the window only
// through its public calls: session(), eventView(), banner(), openStore(), openTimeTravel() and the store signals.
class NavigationController : public QObject {
    Q_OBJECT
public:
    explicit NavigationController(MainWindow* window);
    ~NavigationController() override;

    // The actions and the dock, for the window's menus.
    void addToMenu(QMenu* menu);
    QDockWidget* dock() const { return m_dock; }
    QAction* backAction() const { return m_back; }
    QAction* forwardAction() const { return m_forward; }
    QAction* copyLinkAction() const { return m_copyLink; }
    // Gives a time-travel window its own Copy Link (Ctrl+Shift+C) for its stream, version and reducer.
    void attach(TimeTravelWindow* window);

    // The place the window shows now (withSelection: the selected event too); nullopt without a store.
    std::optional<Place> currentPlace(bool withSelection = true) const;
    const NavigationHistory& history() const { return m_history; }
    SavedPlaces& savedPlaces() { return *m_saved; }

    // Opens a link: the store (asking first when it is neither open nor recent, and for a password when it needs
    // one), then the place. Bad links are said in the window's banner. False when the link does not parse.
    bool openLink(const QString& link);
    void openPlace(const Place& place);
    bool goBack();
    bool goForward();
    // Saves the view shown now under a name (the dock's Save View asks for it).
    bool saveView(const QString& name);
    void openSavedView(const SavedView& view);
    // Keeps a view that came from elsewhere (a case file) among the saved views of its store, and lists it.
    void restoreView(const SavedView& view);
    // Whether opening a link to a store not open nor recent asks first (tests turn it off).
    void setAskBeforeOpening(bool ask) { m_askBeforeOpening = ask; }

    // The link Copy Link puts on the clipboard now: the selected stream in the browser when it has focus, else the
    // selected event, else the view.
    QString linkForSelection() const;
    QString linkForView() const;

Q_SIGNALS:
    // A place was applied after Back, Forward, a link or a saved view (its event located when it names one).
    void placeShown(const es::Place& place);
    void historyChanged();

private:
    void scheduleSettle();
    void settle();
    void apply(const Place& place);
    void applyInStore(const Place& place);
    void finishApplying();
    void storeFailed(const Failure& failure);
    void updateActions();
    void copy(const QString& link, const QString& what);
    QString storeOfSession() const;
    QString sessionAddressFor(const QString& store) const;
    void showTimeTravel(const Place& place);

    MainWindow* m_window;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<SavedPlaces> m_saved;
    NavigationHistory m_history;
    QAction* m_back;
    QAction* m_forward;
    QAction* m_copyLink;
    QAction* m_copyViewLink;
    QAction* m_openLink;
    QAction* m_saveView;
    QDockWidget* m_dock = nullptr;
    PlacesPanel* m_panel = nullptr;
    QTimer* m_settleTimer;
    QTimer* m_applyTimeout;
    bool m_jumped = false;
    std::optional<Place> m_applying; // being applied: the view's changes are not new places
    std::optional<Place> m_pending; // waits for its store to open
    QString m_pendingAddress; // the address the pending store was opened with (a password given in the prompt)
    std::map<QString, QString> m_addresses; // store as links show it -> the address it was opened with (memory only)
    std::map<QString, QString> m_layouts; // store -> the layout a link asked for
    bool m_askBeforeOpening = true;
};

} // namespace es
