#pragma once

#include "fold/timetravelengine.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QChartView;
class QComboBox;
class QFileSystemWatcher;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QTableView;
class QTabWidget;
class QTimer;
class QToolBar;
class QToolButton;
class QTreeView;
class QTreeWidget;

namespace es {

class BookmarkPanel;
class BreakpointPanel;
class ChartPanel;
class ComparePanel;
class DiffList;
class JsonTreeModel;
class MessageBanner;
class StatePanel;
class StoreSession;
class TimelineIndexModel;
class TimelineStrip;
class WindowedTableView;

// Time travel over one stream: fold it with a reducer and scrub through its life, seeing the state after each
// event, what the event changed, where a value came from, and a value charted over time. Folding runs as jobs on
// the session (on a lane of the engine's own); this window only shows results.
class TimeTravelWindow : public QMainWindow {
    Q_OBJECT
public:
    TimeTravelWindow(StoreSession* session, const QString& stream, qint64 startVersion = -1, QWidget* parent = nullptr);
    ~TimeTravelWindow() override;

    QString stream() const { return m_stream; }
    TimeTravelEngine* engine() const { return m_engine; }
    TimelineIndexPtr timelineIndex() const { return m_index; }
    bool isReady() const { return m_index != nullptr && !m_engine->isBusy(); }
    // The cursor as an event index (-1 = the initial state) and as a version.
    qint64 cursorIndex() const { return m_cursor; }
    qint64 cursorVersion() const;
    // The version whose state the tree shows now (it follows the cursor once the worker answers).
    qint64 shownVersion() const { return m_shown.version; }
    const CursorState& shownState() const { return m_shown; }

    // Reducer picker entries: ReducerCatalog keys ("merge", "merge-by-type", a sample's resource path, a .js file).
    void selectReducer(const QString& key);
    QString currentReducerKey() const;

    void setCursorIndex(qint64 index);
    void goToVersion(qint64 version);
    // A version number or a time (ISO 8601); false when the text is neither.
    bool goTo(const QString& text);
    void stepForward();
    void stepBack();
    void goToStart();
    void goToEnd();
    void setPlaying(bool playing);
    bool isPlaying() const;

    void addBreakpoint(const QString& predicate);
    QStringList breakpoints() const; // the enabled ones
    void runToNextBreakpoint();
    void addBookmark(qint64 version, const QString& label = {});
    QList<qint64> bookmarks() const;
    void compare(qint64 fromVersion, qint64 toVersion);
    void chart(const QString& pathText, bool byTime = false);
    // Jumps to the event that last set the value at this state-tree index.
    void jumpToOrigin(const QModelIndex& stateIndex);

    JsonTreeModel* stateModel() const;
    QTreeView* stateTree() const;
    QTreeWidget* diffList() const;
    QTreeWidget* compareList() const;
    TimelineStrip* strip() const { return m_strip; }
    TimelineIndexModel* eventModel() const { return m_eventModel; }
    QTableView* eventTable() const { return m_eventTable; } // a window of the rows: see eventRows()
    WindowedTableView* eventRows() const { return m_eventRows; }
    MessageBanner* banner() const { return m_banner; }
    QChartView* chartView() const;
    QString statusText() const;
    QString breakpointStatus() const;
    // Whether the state tree highlights this node as changed by the event at the cursor.
    bool isChanged(const QModelIndex& stateIndex) const;
    // The path of a state-tree node, keys and array indexes from the root.
    static QJsonArray statePath(const QModelIndex& stateIndex);

Q_SIGNALS:
    void timelineLoaded();
    void stateShown(qint64 version);
    void breakpointStopped(qint64 version);
    void compareShown();
    void chartShown();
    void originFound(qint64 version);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    enum Tab { ChangesTab, EventTab, BreakpointsTab, BookmarksTab, CompareTab, ChartTab };
    void createToolBar();
    void createActions(QToolBar* toolbar);
    QWidget* createCentralArea();
    QTabWidget* createTabs(QWidget* parent);
    void connectPanels();
    void connectEngine();
    void populateReducers();
    void reducerChosen();
    void loadReducer(bool keepCursor);
    void watchFile(const QString& path);
    void onLoaded(const TimelineIndexPtr& index);
    void onState(const CursorState& state);
    void onBreakpoint(const BreakpointResult& result);
    void onLastSet(const LastSetResult& result);
    void onSeries(const SeriesResult& series);
    void updateMarkers();
    void updateStatus();
    void updateChartPaths();
    void playTick();

    StoreSession* m_session;
    QString m_stream;
    TimeTravelEngine* m_engine;
    TimelineIndexPtr m_index;
    qint64 m_cursor = -1;
    qint64 m_pendingVersion = -1; // cursor version to restore after a (re)load
    bool m_hasPending = false;
    QString m_loadingKey; // the reducer of the last load()
    CursorState m_shown;
    bool m_chartByTime = false;

    QComboBox* m_reducerCombo = nullptr;
    QFileSystemWatcher* m_watcher;
    QTimer* m_reloadTimer;
    QTimer* m_playTimer;
    QComboBox* m_speedCombo = nullptr;
    QLineEdit* m_goToEdit = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QAction* m_playAction = nullptr;
    MessageBanner* m_banner = nullptr;
    TimelineStrip* m_strip = nullptr;
    TimelineIndexModel* m_eventModel = nullptr;
    WindowedTableView* m_eventRows = nullptr;
    QTableView* m_eventTable = nullptr;
    StatePanel* m_statePanel = nullptr;
    QTabWidget* m_tabs = nullptr;
    DiffList* m_diffList = nullptr;
    QPlainTextEdit* m_eventText = nullptr;
    BreakpointPanel* m_breakpoints = nullptr;
    BookmarkPanel* m_bookmarks = nullptr;
    ComparePanel* m_compare = nullptr;
    ChartPanel* m_chart = nullptr;
    QLabel* m_status = nullptr;
};

} // namespace es
