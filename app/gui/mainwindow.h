#pragma once

#include "store/eventstore.h"
#include "store/storesession.h"

#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace es {

class CaseController;
class EventInspector;
class EventView;
class FollowController;
class ProjectionsView;
class ActivityView;
class DemoStoreWriter;
class StartPage;
class TypesView;
class FlowController;
class ReconcileView;
class MessageBanner;
class NavigationController;
class StoreSession;
class StreamBrowser;
class TimeTravelWindow;
struct Event;
struct ViewScope;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a store in the background; on failure the current store stays open and the error shows in the window.
    void openStore(const QString& address, const OpenOptions& options = {});
    void closeStore();

    StoreSession* session() const;
    const StoreInfo& storeInfo() const { return m_info; }
    bool isOpening() const;

    EventView* eventView() const { return m_eventView; }
    CaseController* caseController() const { return m_case; }
    StreamBrowser* streamBrowser() const { return m_streamBrowser; }
    EventInspector* inspector() const { return m_inspector; }
    MessageBanner* banner() const { return m_banner; }
    ProjectionsView* projectionsView() const { return m_projections; }
    ActivityView* activityView() const { return m_activity; }
    TypesView* typesView() const { return m_types; }
    StartPage* startPage() const { return m_startPage; }
    FlowController* flows() const { return m_flows; }
    ReconcileView* reconcileView() const { return m_reconcile; }
    FollowController* followController() const { return m_follow; }
    NavigationController* navigation() const { return m_navigation; }
    QString statusText() const;

    void showError(const QString& message);
    void showCorrelated(const Event& event);
    void goToCausation(const Event& event);
    void showStream(const QString& stream);
    // Opens the time-travel view on a stream, its cursor at `version` (-1: the last event).
    TimeTravelWindow* openTimeTravel(const QString& stream, qint64 version = -1);
    // Ctrl+T: the stream selected in the browser, else the selected event's stream at that event.
    void timeTravelFromSelection();
    // A read failed because the connection dropped: the window says so and retries with backoff until a read works.
    bool isDisconnected() const { return m_session && m_session->isDisconnected(); }

Q_SIGNALS:
    void storeOpened(const es::StoreInfo& info);
    // The event and stream counts arrived (they are counted after the store opened).
    void storeCounted(const es::StoreInfo& info);
    // An estimate of the event count arrived first (eventCountEstimated tells whether it is one).
    void storeEstimated(const es::StoreInfo& info);
    void storeFailed(const es::Failure& failure);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void rebuildRecentMenu();
    void adopt(StoreSession* session, const StoreInfo& info);
    void countStore();
    void updateStatus();
    void setBusy(bool busy);
    void openDialog(bool postgres = false);
    void connectStartPage();
    void parkDocks(bool park);
    void goToDialog();
    void goToStreamDialog();
    void jumpTo(qint64 position);
    void about();
    void exportDialog();
    void showFailure(const es::Failure& failure);
    void showDisconnected(const es::Failure& failure, int retryInMs);
    void showReconnected();

    QPointer<StoreSession> m_session;
    QPointer<StoreSession> m_opening;
    StoreInfo m_info;

    EventView* m_eventView;
    CaseController* m_case = nullptr;
    StreamBrowser* m_streamBrowser;
    EventInspector* m_inspector;
    MessageBanner* m_banner;
    ProjectionsView* m_projections = nullptr;
    ActivityView* m_activity = nullptr;
    TypesView* m_types = nullptr;
    FlowController* m_flows = nullptr;
    ReconcileView* m_reconcile = nullptr;
    FollowController* m_follow = nullptr;
    NavigationController* m_navigation = nullptr;

    QStackedWidget* m_pages = nullptr;
    StartPage* m_startPage = nullptr;
    DemoStoreWriter* m_demo = nullptr;
    QList<QAction*> m_storeActions;
    QList<QDockWidget*> m_parkedDocks;
    QMenu* m_recentMenu = nullptr;
    QAction* m_refreshAction = nullptr;
    QAction* m_goToAction = nullptr;
    QAction* m_goToStreamAction = nullptr;
    QAction* m_globalLogAction = nullptr;
    QAction* m_closeAction = nullptr;
    QAction* m_timeTravelAction = nullptr;

    QLabel* m_storeLabel = nullptr;
    QLabel* m_layoutLabel = nullptr;
    QLabel* m_countLabel = nullptr;
    QLabel* m_headLabel = nullptr;
    QToolButton* m_notesButton = nullptr;
    QProgressBar* m_busyBar = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QTimer* m_busyDelay = nullptr;
};

} // namespace es
