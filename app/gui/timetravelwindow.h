#pragma once

#include "fold/timetravelengine.h"

#include <QMainWindow>
#include <QSet>

#include <optional>

class QAction;
class QButtonGroup;
class QChartView;
class QComboBox;
class QFileSystemWatcher;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QSpinBox;
class QTableView;
class QTabWidget;
class QTimer;
class QToolButton;
class QTreeView;
class QTreeWidget;

namespace es {

class JsonTreeModel;
class MessageBanner;
class StoreSession;
class TimelineIndexModel;
class TimelineStrip;

// Time travel over one stream: fold it with a reducer and scrub through its life, seeing the state after each
// event, what the event changed, where a value came from, and a value charted over time. Folding runs as jobs on
// the session (on a lane of the engine's own); this window only shows results.
class TimeTravelWindow : public QMainWindow {
    Q_OBJECT
public:
    TimeTravelWindow(StoreSession* session, const QString& stream, qint64 startVersion = -1, QWidget* parent = nullptr);
    ~TimeTravelWindow() override;

    // Where sample reducers are looked for: the installed share/eventscope/reducers, or resources/reducers of a
    // source tree above the executable. Tests may set their own.
    static QStringList sampleReducerFolders();
    static void setSampleReducerFolders(const QStringList& folders);
    static QString userReducerFolder();

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

    // Reducer picker entries: "merge", "merge-by-type", or a .js file path.
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

    JsonTreeModel* stateModel() const { return m_stateModel; }
    QTreeView* stateTree() const { return m_stateTree; }
    QTreeWidget* diffList() const { return m_diffList; }
    QTreeWidget* compareList() const { return m_compareList; }
    TimelineStrip* strip() const { return m_strip; }
    TimelineIndexModel* eventModel() const { return m_eventModel; }
    QTableView* eventTable() const { return m_eventTable; }
    MessageBanner* banner() const { return m_banner; }
    QChartView* chartView() const { return m_chartView; }
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
    void createActions();
    QWidget* createComparePage();
    QWidget* createBreakpointPage();
    QWidget* createBookmarkPage();
    QWidget* createChartPage();
    void populateReducers();
    void reducerChosen();
    void loadReducer(bool keepCursor);
    void watchFile(const QString& path);
    void onLoaded(const TimelineIndexPtr& index);
    void onState(const CursorState& state);
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
    CursorState m_shown;
    QString m_lastBreakpoint;
    QString m_pendingChart;
    bool m_chartByTime = false;

    QComboBox* m_reducerCombo;
    QFileSystemWatcher* m_watcher;
    QTimer* m_reloadTimer;
    QTimer* m_playTimer;
    QComboBox* m_speedCombo;
    QLineEdit* m_goToEdit;
    QProgressBar* m_progress;
    QToolButton* m_cancelButton;
    MessageBanner* m_banner;
    TimelineStrip* m_strip;
    TimelineIndexModel* m_eventModel;
    QTableView* m_eventTable;
    JsonTreeModel* m_stateModel;
    QTreeView* m_stateTree;
    QTabWidget* m_tabs;
    QTreeWidget* m_diffList;
    QPlainTextEdit* m_eventText;
    QSpinBox* m_compareFrom;
    QSpinBox* m_compareTo;
    QPlainTextEdit* m_compareLeft;
    QPlainTextEdit* m_compareRight;
    QTreeWidget* m_compareList;
    QLineEdit* m_breakpointEdit;
    QListWidget* m_breakpointList;
    QLabel* m_breakpointStatus;
    QListWidget* m_bookmarkList;
    QComboBox* m_chartPath;
    QButtonGroup* m_chartAxis;
    QChartView* m_chartView;
    QLabel* m_status;
    QAction* m_playAction = nullptr;
    QSet<QString> m_changedPaths; // of the state shown, as jsonPathText
    QSet<QString> m_changedParents;
};

} // namespace es
