#include "timetravelwindow.h"

#include "themecontroller.h"
#include "windowedtableview.h"

#include "display/timeformat.h"
#include "fold/reducercatalog.h"
#include "fold/statepaths.h"
#include "messagebanner.h"
#include "models/jsontreemodel.h"
#include "settings.h"
#include "store/storesession.h"
#include "timelineindexmodel.h"
#include "timelinestrip.h"
#include "timetravelpanels.h"
#include "windowfit.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace es {

namespace {

const QString openFileKey = QStringLiteral("open-file");

} // namespace

TimeTravelWindow::TimeTravelWindow(StoreSession* session, const QString& stream, qint64 startVersion, QWidget* parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_stream(stream)
    , m_engine(new TimeTravelEngine(session, stream, this))
    , m_pendingVersion(startVersion)
    , m_hasPending(startVersion >= 0)
    , m_watcher(new QFileSystemWatcher(this))
    , m_reloadTimer(new QTimer(this))
    , m_playTimer(new QTimer(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Time travel — %1").arg(stream));
    windowfit::restore(this, QStringLiteral("timeTravel"), QSize(1400, 860));
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(250);

    createToolBar();
    setCentralWidget(createCentralArea());
    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);
    connectPanels();
    connectEngine();

    populateReducers();
    updateStatus();
    loadReducer(false);
}

TimeTravelWindow::~TimeTravelWindow() = default;

void TimeTravelWindow::createToolBar()
{
    auto* toolbar = addToolBar(tr("Time travel"));
    toolbar->setObjectName(QStringLiteral("timetravelToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addWidget(new QLabel(tr("Reducer "), toolbar));
    m_reducerCombo = new QComboBox(toolbar);
    m_reducerCombo->setMinimumContentsLength(22);
    m_reducerCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    toolbar->addWidget(m_reducerCombo);
    toolbar->addSeparator();

    m_speedCombo = new QComboBox(toolbar);
    for (const int speed : { 1, 2, 5, 10, 25, 50, 100 })
        m_speedCombo->addItem(tr("%1 ev/s").arg(speed), speed);
    m_speedCombo->setCurrentIndex(3);
    m_speedCombo->setToolTip(tr("Playback speed"));

    m_goToEdit = new QLineEdit(toolbar);
    m_goToEdit->setPlaceholderText(tr("Go to version or time"));
    m_goToEdit->setClearButtonEnabled(true);
    m_goToEdit->setMaximumWidth(210);

    m_progress = new QProgressBar(toolbar);
    m_progress->setMaximumWidth(180);
    m_progress->setTextVisible(true);
    m_progress->setVisible(false);
    m_cancelButton = new QToolButton(toolbar);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setVisible(false);

    createActions(toolbar);
    auto* spacer = new QWidget(toolbar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addWidget(m_progress);
    toolbar->addWidget(m_cancelButton);

    connect(m_reducerCombo, &QComboBox::activated, this, &TimeTravelWindow::reducerChosen);
    connect(m_speedCombo, &QComboBox::currentIndexChanged, this,
        [this] { m_playTimer->setInterval(1000 / qMax(1, m_speedCombo->currentData().toInt())); });
    m_playTimer->setInterval(1000 / qMax(1, m_speedCombo->currentData().toInt()));
    connect(m_goToEdit, &QLineEdit::returnPressed, this, [this] {
        if (!goTo(m_goToEdit->text()))
            m_banner->showMessage(
                tr("\"%1\" is neither a version nor a time.").arg(m_goToEdit->text()), MessageBanner::Kind::Warning);
    });
    connect(m_cancelButton, &QToolButton::clicked, m_engine, &TimeTravelEngine::cancel);
}

void TimeTravelWindow::createActions(QToolBar* toolbar)
{
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot,
                    QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
        auto* action = new QAction(text, this);
        if (icon != QStyle::SP_CustomBase)
            action->setIcon(style()->standardIcon(icon));
        action->setObjectName(name);
        action->setShortcut(key);
        action->setShortcutContext(Qt::WindowShortcut);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(text, key.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    toolbar->addAction(make(
        QStringLiteral("start"), tr("Start"), QKeySequence(Qt::CTRL | Qt::Key_Home), [this] { goToStart(); },
        QStyle::SP_MediaSkipBackward));
    toolbar->addAction(make(
        QStringLiteral("stepBack"), tr("Step back"), QKeySequence(Qt::CTRL | Qt::Key_BracketLeft),
        [this] { stepBack(); }, QStyle::SP_MediaSeekBackward));
    m_playAction = make(
        QStringLiteral("play"), tr("Play"), QKeySequence(Qt::CTRL | Qt::Key_J), [this] { setPlaying(!isPlaying()); },
        QStyle::SP_MediaPlay);
    toolbar->addAction(m_playAction);
    toolbar->addAction(make(
        QStringLiteral("stepForward"), tr("Step"), QKeySequence(Qt::CTRL | Qt::Key_BracketRight),
        [this] { stepForward(); }, QStyle::SP_MediaSeekForward));
    toolbar->addAction(make(
        QStringLiteral("end"), tr("End"), QKeySequence(Qt::CTRL | Qt::Key_End), [this] { goToEnd(); },
        QStyle::SP_MediaSkipForward));
    toolbar->addWidget(m_speedCombo);
    toolbar->addSeparator();
    toolbar->addWidget(m_goToEdit);
    toolbar->addSeparator();
    toolbar->addAction(make(QStringLiteral("runToBreakpoint"), tr("Run to breakpoint"), QKeySequence(Qt::Key_F8),
        [this] { runToNextBreakpoint(); }));
    toolbar->addAction(make(QStringLiteral("bookmark"), tr("Bookmark"), QKeySequence(Qt::CTRL | Qt::Key_B),
        [this] { addBookmark(cursorVersion()); }));
    make(QStringLiteral("goTo"), tr("Go to…"), QKeySequence(Qt::CTRL | Qt::Key_G), [this] {
        m_goToEdit->setFocus();
        m_goToEdit->selectAll();
    });
}

QWidget* TimeTravelWindow::createCentralArea()
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 4);
    m_banner = new MessageBanner(central);
    layout->addWidget(m_banner);
    m_strip = new TimelineStrip(central);
    layout->addWidget(m_strip);

    auto* splitter = new QSplitter(Qt::Horizontal, central);
    m_eventModel = new TimelineIndexModel(this);
    // A stream of a million events: the table sees a window of its rows, the scroll bar beside it spans them all
    // (Qt's own header would walk every row on each reset).
    m_eventRows = new WindowedTableView(splitter);
    m_eventRows->setModel(m_eventModel);
    m_eventTable = m_eventRows->table();
    m_eventTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventTable->verticalHeader()->setVisible(false);
    m_eventTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_eventTable->horizontalHeader()->setStretchLastSection(true);
    m_eventTable->setColumnWidth(TimelineIndexModel::VersionColumn, 56);
    m_eventTable->setColumnWidth(TimelineIndexModel::TimeColumn, 150);
    m_eventTable->setColumnWidth(TimelineIndexModel::TypeColumn, 140);
    m_statePanel = new StatePanel(splitter);
    m_tabs = createTabs(splitter);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 3);
    splitter->setSizes({ 430, 470, 600 });
    layout->addWidget(splitter, 1);
    return central;
}

QTabWidget* TimeTravelWindow::createTabs(QWidget* parent)
{
    auto* tabs = new QTabWidget(parent);
    m_diffList = new DiffList(tabs);
    tabs->insertTab(ChangesTab, m_diffList, tr("Changes"));
    m_eventText = new QPlainTextEdit(tabs);
    m_eventText->setReadOnly(true);
    ThemeController::useMonospace(m_eventText);
    tabs->insertTab(EventTab, m_eventText, tr("Event"));
    m_breakpoints = new BreakpointPanel(tabs);
    tabs->insertTab(BreakpointsTab, m_breakpoints, tr("Breakpoints"));
    m_bookmarks = new BookmarkPanel(tabs);
    tabs->insertTab(BookmarksTab, m_bookmarks, tr("Bookmarks"));
    m_compare = new ComparePanel(tabs);
    tabs->insertTab(CompareTab, m_compare, tr("Compare"));
    m_chart = new ChartPanel(tabs);
    tabs->insertTab(ChartTab, m_chart, tr("Chart"));
    return tabs;
}

void TimeTravelWindow::connectPanels()
{
    connect(m_strip, &TimelineStrip::cursorRequested, this, &TimeTravelWindow::setCursorIndex);
    connect(m_eventRows, &WindowedTableView::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != m_cursor)
            setCursorIndex(row);
    });
    connect(m_statePanel, &StatePanel::originRequested, this, &TimeTravelWindow::jumpToOrigin);
    connect(m_breakpoints, &BreakpointPanel::runRequested, this, &TimeTravelWindow::runToNextBreakpoint);
    connect(m_bookmarks, &BookmarkPanel::addRequested, this, [this] { addBookmark(cursorVersion()); });
    connect(m_bookmarks, &BookmarkPanel::removed, this, &TimeTravelWindow::updateMarkers);
    connect(m_bookmarks, &BookmarkPanel::activated, this, &TimeTravelWindow::goToVersion);
    connect(m_bookmarks, &BookmarkPanel::compareRequested, this, [this](qint64 version) {
        compare(version, cursorVersion());
        m_tabs->setCurrentIndex(CompareTab);
    });
    connect(m_compare, &ComparePanel::compareRequested, this, &TimeTravelWindow::compare);
    connect(m_compare, &ComparePanel::cursorVersionWanted, this, [this] { m_compare->setToVersion(cursorVersion()); });
    connect(m_chart, &ChartPanel::plotRequested, this, &TimeTravelWindow::chart);
    connect(m_chart, &ChartPanel::versionClicked, this, &TimeTravelWindow::goToVersion);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_reloadTimer->start(); });
    connect(m_reloadTimer, &QTimer::timeout, this, [this] { loadReducer(true); });
    connect(m_playTimer, &QTimer::timeout, this, &TimeTravelWindow::playTick);
}

void TimeTravelWindow::connectEngine()
{
    connect(m_engine, &TimeTravelEngine::busyChanged, this, [this](bool busy) {
        m_progress->setVisible(busy);
        m_cancelButton->setVisible(busy);
        if (busy) {
            m_progress->setRange(0, 0);
            m_progress->setFormat(QString());
        }
    });
    connect(m_engine, &TimeTravelEngine::progress, this, [this](const QString& what, qint64 done, qint64 total) {
        m_progress->setToolTip(what);
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(done * 1000 / total));
            m_progress->setFormat(QStringLiteral("%1 %p%").arg(what.section(QLatin1Char(' '), 0, 0)));
        }
    });
    connect(m_engine, &TimeTravelEngine::loaded, this, &TimeTravelWindow::onLoaded);
    connect(m_engine, &TimeTravelEngine::loadFailed, this, [this](const Failure& failure) {
        if (failure.kind == Failure::Kind::ReducerError || failure.kind == Failure::Kind::Io)
            m_banner->showMessage(tr("Reducer %1: %2").arg(QFileInfo(m_loadingKey).fileName(), failure.message));
        else
            m_banner->showMessage(tr("Could not fold %1: %2").arg(m_stream, failure.message));
    });
    connect(m_engine, &TimeTravelEngine::stateReady, this, &TimeTravelWindow::onState);
    connect(m_engine, &TimeTravelEngine::compareReady, this, [this](const CompareResult& r) {
        if (r.failure) {
            m_banner->showMessage(r.failure->message);
            return;
        }
        m_compare->showResult(r);
        Q_EMIT compareShown();
    });
    connect(m_engine, &TimeTravelEngine::breakpointResult, this, &TimeTravelWindow::onBreakpoint);
    connect(m_engine, &TimeTravelEngine::seriesReady, this, &TimeTravelWindow::onSeries);
    connect(m_engine, &TimeTravelEngine::lastSetFound, this, &TimeTravelWindow::onLastSet);
    connect(m_engine, &TimeTravelEngine::sessionClosed, this, [this] {
        setPlaying(false);
        m_banner->showMessage(tr("The store was closed: open it again to time travel through %1.").arg(m_stream),
            MessageBanner::Kind::Warning);
    });
}

JsonTreeModel* TimeTravelWindow::stateModel() const
{
    return m_statePanel->model();
}

QTreeView* TimeTravelWindow::stateTree() const
{
    return m_statePanel->tree();
}

QTreeWidget* TimeTravelWindow::diffList() const
{
    return m_diffList;
}

QTreeWidget* TimeTravelWindow::compareList() const
{
    return m_compare->diffList();
}

QChartView* TimeTravelWindow::chartView() const
{
    return m_chart->chartView();
}

void TimeTravelWindow::populateReducers()
{
    const std::vector<ReducerCatalog::Entry> entries = ReducerCatalog::entries();
    m_reducerCombo->clear();
    QString folder;
    for (const ReducerCatalog::Entry& entry : entries) {
        if (entry.folder != folder) {
            m_reducerCombo->insertSeparator(m_reducerCombo->count());
            folder = entry.folder;
        }
        m_reducerCombo->addItem(entry.name, entry.key);
        if (!entry.folder.isEmpty())
            m_reducerCombo->setItemData(m_reducerCombo->count() - 1, entry.key, Qt::ToolTipRole);
    }
    m_reducerCombo->insertSeparator(m_reducerCombo->count());
    m_reducerCombo->addItem(tr("Open reducer file…"), openFileKey);
    // accounts.js for account-1001: the sample made for this stream's domain is the natural first choice.
    const QString preferred = ReducerCatalog::preferredFor(entries, m_stream);
    const int i = preferred.isEmpty() ? 0 : m_reducerCombo->findData(preferred);
    m_reducerCombo->setCurrentIndex(qMax(0, i));
}

QString TimeTravelWindow::currentReducerKey() const
{
    return m_reducerCombo->currentData().toString();
}

void TimeTravelWindow::selectReducer(const QString& key)
{
    int i = m_reducerCombo->findData(key);
    if (i < 0) {
        m_reducerCombo->insertItem(m_reducerCombo->count() - 1, QFileInfo(key).fileName(), key);
        i = m_reducerCombo->count() - 2;
    }
    m_reducerCombo->setCurrentIndex(i);
    loadReducer(true);
}

void TimeTravelWindow::reducerChosen()
{
    if (currentReducerKey() == openFileKey) {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Open a reducer"), ReducerCatalog::userFolder(), tr("JavaScript reducers (*.js);;All files (*)"));
        if (file.isEmpty()) {
            m_reducerCombo->setCurrentIndex(0);
            return;
        }
        selectReducer(file);
        return;
    }
    loadReducer(true);
}

void TimeTravelWindow::watchFile(const QString& path)
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!path.isEmpty())
        m_watcher->addPath(path);
}

void TimeTravelWindow::loadReducer(bool keepCursor)
{
    setPlaying(false);
    const QString key = currentReducerKey();
    // Editors often save by replacing the file, which drops it from the watcher: watch it again every time.
    watchFile(ReducerCatalog::isFile(key) ? key : QString());
    m_banner->dismiss();
    if (keepCursor && m_index) {
        m_pendingVersion = cursorVersion();
        m_hasPending = true;
    }
    TimelineOptions options;
    options.memoryBudgetBytes = Settings::instance()->foldMemoryBudgetBytes();
    options.snapshotBudgetBytes = Settings::instance()->snapshotBudgetBytes();
    // Read, compiled and folded on the engine's lane: a reducer whose top level never ends costs this window
    // nothing; it ends as a ReducerError after the reducer's time budget. Supersedes a fold still running for the
    // previous reducer, and whatever was asked of it.
    m_loadingKey = key;
    m_engine->load(key, options);
}

void TimeTravelWindow::onLoaded(const TimelineIndexPtr& index)
{
    m_index = index;
    m_strip->setIndex(index);
    m_eventModel->setIndex(index);
    if (index->reducerError) {
        m_banner->showMessage(tr("The reducer failed: %1. States from there on stay as of the event before.")
                                  .arg(index->reducerError->toString()));
    }
    updateMarkers();
    updateChartPaths();
    qint64 target = index->count() - 1;
    if (m_hasPending)
        target = index->indexAtOrBefore(m_pendingVersion);
    m_hasPending = false;
    m_cursor = -2;
    setCursorIndex(target);
    Q_EMIT timelineLoaded();
}

qint64 TimeTravelWindow::cursorVersion() const
{
    if (!m_index || m_cursor < 0 || m_index->count() == 0)
        return m_index && m_index->count() ? m_index->versionAt(0) - 1 : -1;
    return m_index->versionAt(m_cursor);
}

void TimeTravelWindow::setCursorIndex(qint64 index)
{
    if (!m_index)
        return;
    index = qBound<qint64>(-1, index, m_index->count() - 1);
    if (index == m_cursor)
        return;
    m_cursor = index;
    m_strip->setCursor(index);
    m_eventModel->setCurrentRow(index);
    {
        QSignalBlocker block(m_eventRows);
        if (index >= 0)
            m_eventRows->selectRow(int(index));
        else
            m_eventRows->clearCurrent();
    }
    m_engine->requestState(cursorVersion());
    updateStatus();
}

void TimeTravelWindow::goToVersion(qint64 version)
{
    if (m_index)
        setCursorIndex(m_index->indexAtOrBefore(version));
}

bool TimeTravelWindow::goTo(const QString& text)
{
    const QString t = text.trimmed();
    if (!m_index || t.isEmpty())
        return false;
    bool isNumber = false;
    const qint64 version = t.toLongLong(&isNumber);
    if (isNumber) {
        goToVersion(version);
        return true;
    }
    const QDateTime time = parseStoreTime(t.toUtf8());
    if (!time.isValid())
        return false;
    setCursorIndex(m_index->indexAsOf(time));
    return true;
}

void TimeTravelWindow::stepForward()
{
    setCursorIndex(m_cursor + 1);
}

void TimeTravelWindow::stepBack()
{
    setCursorIndex(m_cursor - 1);
}

void TimeTravelWindow::goToStart()
{
    setCursorIndex(-1);
}

void TimeTravelWindow::goToEnd()
{
    if (m_index)
        setCursorIndex(m_index->count() - 1);
}

void TimeTravelWindow::setPlaying(bool playing)
{
    if (playing && m_index && m_cursor >= m_index->count() - 1)
        setCursorIndex(-1);
    if (playing && m_index)
        m_playTimer->start();
    else
        m_playTimer->stop();
    if (m_playAction) {
        m_playAction->setText(m_playTimer->isActive() ? tr("Pause") : tr("Play"));
        m_playAction->setIcon(
            style()->standardIcon(m_playTimer->isActive() ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    }
}

bool TimeTravelWindow::isPlaying() const
{
    return m_playTimer->isActive();
}

void TimeTravelWindow::playTick()
{
    if (!m_index || m_cursor >= m_index->count() - 1) {
        setPlaying(false);
        return;
    }
    stepForward();
}

void TimeTravelWindow::onState(const CursorState& state)
{
    if (!m_index || state.version != cursorVersion())
        return; // an older request: the cursor has moved on
    m_shown = state;
    m_statePanel->showState(state.stateJson, state.changes);
    m_diffList->setDiff(state.changes);
    m_eventText->setPlainText(state.event ? QString::fromUtf8(QJsonDocument(state.event->toJson()).toJson())
                                          : tr("The initial state: no event folded yet."));
    if (state.failure)
        m_banner->showMessage(state.failure->message);
    if (!m_chart->hasPaths())
        updateChartPaths();
    m_chart->setCursorVersion(state.version);
    updateStatus();
    Q_EMIT stateShown(state.version);
}

QJsonArray TimeTravelWindow::statePath(const QModelIndex& stateIndex)
{
    return StatePanel::statePath(stateIndex);
}

bool TimeTravelWindow::isChanged(const QModelIndex& stateIndex) const
{
    return m_statePanel->isChanged(stateIndex);
}

void TimeTravelWindow::jumpToOrigin(const QModelIndex& stateIndex)
{
    if (!m_index || !stateIndex.isValid())
        return;
    m_engine->findLastSet(statePath(stateIndex), cursorVersion());
}

void TimeTravelWindow::onLastSet(const LastSetResult& result)
{
    if (result.failure) {
        m_banner->showMessage(result.failure->message);
        return;
    }
    if (result.version < 0) {
        statusBar()->showMessage(tr("%1 comes from the reducer's initial state.").arg(jsonPathText(result.path)), 6000);
        goToStart();
    } else {
        statusBar()->showMessage(
            tr("%1 was last set at version %2.").arg(jsonPathText(result.path)).arg(result.version), 6000);
        goToVersion(result.version);
    }
    Q_EMIT originFound(result.version);
}

void TimeTravelWindow::addBreakpoint(const QString& predicate)
{
    m_breakpoints->addBreakpoint(predicate);
}

QStringList TimeTravelWindow::breakpoints() const
{
    return m_breakpoints->enabledBreakpoints();
}

QString TimeTravelWindow::breakpointStatus() const
{
    return m_breakpoints->status();
}

void TimeTravelWindow::runToNextBreakpoint()
{
    const QStringList predicates = breakpoints();
    if (predicates.isEmpty()) {
        m_tabs->setCurrentIndex(BreakpointsTab);
        m_breakpoints->focusEditor();
        m_breakpoints->setStatus(tr("Add a breakpoint first: a predicate such as state.balance < 0."));
        return;
    }
    setPlaying(false);
    m_breakpoints->setStatus(tr("Running…"));
    m_engine->findBreakpoint(predicates, cursorVersion());
}

void TimeTravelWindow::onBreakpoint(const BreakpointResult& result)
{
    if (result.failure) {
        m_breakpoints->setStatus(result.failure->message);
        m_banner->showMessage(tr("Breakpoint: %1").arg(result.failure->message));
        return;
    }
    if (!result.found) {
        m_breakpoints->setStatus(tr("No breakpoint holds after version %1.").arg(cursorVersion()));
        return;
    }
    m_breakpoints->setStatus(tr("Stopped at version %1: %2").arg(result.version).arg(result.predicate));
    goToVersion(result.version);
    Q_EMIT breakpointStopped(result.version);
}

void TimeTravelWindow::addBookmark(qint64 version, const QString& label)
{
    if (!m_index)
        return;
    const qint64 i = m_index->indexAtOrBefore(version);
    QString text = QStringLiteral("v%1").arg(version);
    if (i >= 0)
        text += QStringLiteral("  %1  %2").arg(m_index->typeAt(i), TimeFormat::format(m_index->timeAt(i)));
    if (!label.isEmpty())
        text += QStringLiteral("  — ") + label;
    m_bookmarks->addBookmark(version, text);
    updateMarkers();
}

QList<qint64> TimeTravelWindow::bookmarks() const
{
    return m_bookmarks->versions();
}

void TimeTravelWindow::compare(qint64 fromVersion, qint64 toVersion)
{
    m_compare->setVersions(fromVersion, toVersion);
    m_engine->requestCompare(fromVersion, toVersion);
}

void TimeTravelWindow::chart(const QString& pathText, bool byTime)
{
    const QJsonArray path = parseJsonPathText(pathText.trimmed());
    if (path.isEmpty()) {
        m_banner->showMessage(tr("Pick a numeric path of the state to chart."), MessageBanner::Kind::Warning);
        return;
    }
    m_chartByTime = byTime;
    m_engine->requestSeries(path);
}

void TimeTravelWindow::onSeries(const SeriesResult& series)
{
    if (series.failure) {
        m_banner->showMessage(series.failure->message);
        return;
    }
    if (!m_index)
        return;
    m_chart->showSeries(series, m_index, m_chartByTime);
    Q_EMIT chartShown();
}

void TimeTravelWindow::updateChartPaths()
{
    if (!m_shown.stateJson.isEmpty())
        m_chart->setPaths(numericPaths(parseJsonValue(m_shown.stateJson)));
}

void TimeTravelWindow::updateMarkers()
{
    std::vector<qint64> marks;
    if (m_index) {
        for (const qint64 v : bookmarks())
            marks.push_back(m_index->indexAtOrBefore(v));
    }
    m_strip->setMarkers(std::move(marks), m_index ? m_index->errorIndex : -1);
}

QString TimeTravelWindow::statusText() const
{
    return m_status->text();
}

void TimeTravelWindow::updateStatus()
{
    if (!m_index) {
        m_status->setText(tr("Folding %1…").arg(m_stream));
        return;
    }
    const qint64 n = m_index->count();
    QString text;
    if (m_cursor < 0) {
        text = tr("Initial state · %1 events").arg(n);
    } else {
        text = tr("Version %1 · event %2 of %3 · %4")
                   .arg(m_index->versionAt(m_cursor))
                   .arg(m_cursor + 1)
                   .arg(n)
                   .arg(m_index->typeAt(m_cursor));
        const QDateTime t = m_index->timeAt(m_cursor);
        if (t.isValid())
            text += QStringLiteral(" · ") + TimeFormat::format(t) + u' ' + TimeFormat::zoneLabel();
    }
    text += tr(" · reducer %1 · snapshot every %2 events · index %3")
                .arg(m_index->reducerName)
                .arg(m_index->snapshotInterval)
                .arg(formatBytes(m_index->bytes()));
    m_status->setText(text);
}

void TimeTravelWindow::closeEvent(QCloseEvent* event)
{
    windowfit::save(this, QStringLiteral("timeTravel"));
    setPlaying(false);
    m_engine->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace es
