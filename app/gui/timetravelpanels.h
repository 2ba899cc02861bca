#pragma once

#include "core/jsondiff.h"
#include "fold/timelineindex.h"

#include <QJsonArray>
#include <QSet>
#include <QTreeWidget>
#include <QWidget>

class QButtonGroup;
class QChartView;
class QGraphicsLineItem;
class QLineSeries;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;
class QTreeView;

namespace es {

class JsonTreeModel;
struct CompareResult;
struct SeriesResult;

// The panels of the time-travel window. Each owns its widgets and says what the user asked for by a signal; the
// window decides what the engine is asked.

// Changes between two states: kind, path, before and after.
class DiffList : public QTreeWidget {
    Q_OBJECT
public:
    explicit DiffList(QWidget* parent = nullptr);
    void setDiff(const JsonDiff& diff);
};

// The state after the cursor's event as a tree; what that event changed in yellow (its ancestors faintly), nodes the
// user expanded stay expanded from one state to the next.
class StatePanel : public QWidget {
    Q_OBJECT
public:
    explicit StatePanel(QWidget* parent = nullptr);

    JsonTreeModel* model() const { return m_model; }
    QTreeView* tree() const { return m_tree; }
    void showState(const QByteArray& stateJson, const JsonDiff& changes);
    bool isChanged(const QModelIndex& index) const;
    // The path of a node, keys and array indexes from the root.
    static QJsonArray statePath(const QModelIndex& index);

Q_SIGNALS:
    // A value was clicked: where did it come from?
    void originRequested(const QModelIndex& index);

private:
    JsonTreeModel* m_model;
    QTreeView* m_tree;
    QSet<QString> m_changedPaths; // as jsonPathText
    QSet<QString> m_changedParents;
};

// JS predicates over (state, event) that stop "run to next breakpoint"; each can be switched off.
class BreakpointPanel : public QWidget {
    Q_OBJECT
public:
    explicit BreakpointPanel(QWidget* parent = nullptr);

    void addBreakpoint(const QString& predicate);
    QStringList enabledBreakpoints() const;
    QString status() const;
    void setStatus(const QString& text);
    void focusEditor();

Q_SIGNALS:
    void runRequested();

private:
    QLineEdit* m_edit;
    QListWidget* m_list;
    QLabel* m_status;
};

// Versions the user marked, with their event type and time.
class BookmarkPanel : public QWidget {
    Q_OBJECT
public:
    explicit BookmarkPanel(QWidget* parent = nullptr);

    void addBookmark(qint64 version, const QString& text);
    QList<qint64> versions() const;

Q_SIGNALS:
    void addRequested();
    void removed();
    void activated(qint64 version);
    void compareRequested(qint64 version);

private:
    QListWidget* m_list;
};

// Two states side by side and the changes between them.
class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(QWidget* parent = nullptr);

    void setVersions(qint64 fromVersion, qint64 toVersion);
    void setToVersion(qint64 version);
    void showResult(const CompareResult& result);
    QTreeWidget* diffList() const { return m_diff; }

Q_SIGNALS:
    void compareRequested(qint64 fromVersion, qint64 toVersion);
    // "← cursor": the window answers with setToVersion().
    void cursorVersionWanted();

private:
    QSpinBox* m_from;
    QSpinBox* m_to;
    QPlainTextEdit* m_left;
    QPlainTextEdit* m_right;
    DiffList* m_diff;
};

// A numeric path of the state charted over versions or over time.
class ChartPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartPanel(QWidget* parent = nullptr);

    QChartView* chartView() const { return m_view; }
    // The paths offered; the one typed or picked stays, "balance" is the first choice.
    void setPaths(const QStringList& paths);
    bool hasPaths() const;
    // x from the index: the event's version, or its time when byTime.
    void showSeries(const SeriesResult& series, const TimelineIndexPtr& index, bool byTime);
    // A dashed line at the version the window shows; -1 hides it.
    void setCursorVersion(qint64 version);

Q_SIGNALS:
    void plotRequested(const QString& pathText, bool byTime);
    // A click on the plot: the version nearest to where it was clicked.
    void versionClicked(qint64 version);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateCursor();
    qint64 versionAt(double x) const;

    QComboBox* m_path;
    QButtonGroup* m_axis;
    QChartView* m_view;
    QGraphicsLineItem* m_cursor = nullptr;
    QLineSeries* m_series = nullptr;
    TimelineIndexPtr m_index; // the index the series was plotted from: x to version for clicks and the cursor
    bool m_byTime = false;
    qint64 m_cursorVersion = -1;
};

} // namespace es
