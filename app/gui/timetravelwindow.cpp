#include "timetravelwindow.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "messagebanner.h"
#include "models/jsontreemodel.h"
#include "store/storesession.h"
#include "timelineindexmodel.h"
#include "timelinestrip.h"

#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTimeAxis>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtCharts/QChartView>

namespace es {

namespace {

QStringList g_sampleFolders;

const QString mergeKey = QStringLiteral("merge");
const QString mergeByTypeKey = QStringLiteral("merge-by-type");
const QString openFileKey = QStringLiteral("open-file");

QString indentedJson(const QByteArray& json)
{
    const QJsonValue v = parseJsonValue(json);
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented));
    return QString::fromUtf8(json);
}

QString shortJson(const QJsonValue& v)
{
    if (v.isUndefined())
        return QString();
    const QString text = QString::fromUtf8(toJsonText(v));
    return text.size() > 200 ? text.left(199) + QChar(0x2026) : text;
}

void fillDiff(QTreeWidget* list, const JsonDiff& diff)
{
    list->clear();
    QList<QTreeWidgetItem*> items;
    for (const JsonChange& c : diff) {
        auto* item = new QTreeWidgetItem({ c.kindName(), c.pathText(), shortJson(c.oldValue), shortJson(c.newValue) });
        const QColor colour = c.kind == JsonChange::Kind::Added ? QColor(30, 140, 60)
            : c.kind == JsonChange::Kind::Removed               ? QColor(190, 40, 40)
                                                                : QColor(40, 90, 190);
        item->setForeground(0, colour);
        items.append(item);
    }
    list->addTopLevelItems(items);
}

QTreeWidget* makeDiffList(QWidget* parent)
{
    auto* list = new QTreeWidget(parent);
    list->setHeaderLabels({ QObject::tr("Change"), QObject::tr("Path"), QObject::tr("Before"), QObject::tr("After") });
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    list->setColumnWidth(1, 160);
    list->setColumnWidth(2, 110);
    return list;
}

// Paints state-tree nodes changed by the current event (and, more faintly, their ancestors).
class ChangeDelegate : public QStyledItemDelegate {
public:
    explicit ChangeDelegate(const TimeTravelWindow* window, QObject* parent)
        : QStyledItemDelegate(parent)
        , m_window(window)
    { }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (m_window->isChanged(index)) {
            option->backgroundBrush = QColor(255, 226, 140);
            option->font.setBold(true);
        }
    }

private:
    const TimeTravelWindow* m_window;
};

void collectNumericPaths(const QJsonValue& v, const QJsonArray& path, QStringList& out, int depth = 0)
{
    if (out.size() > 200 || depth > 6)
        return;
    if (v.isDouble()) {
        out.append(jsonPathText(path));
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonArray p = path;
            p.append(it.key());
            collectNumericPaths(it.value(), p, out, depth + 1);
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < qMin<qsizetype>(a.size(), 20); ++i) {
            QJsonArray p = path;
            p.append(i);
            collectNumericPaths(a.at(i), p, out, depth + 1);
        }
    }
}

// "items[2].sku" or `meta["odd key"].n` back into steps; an empty array when it does not parse.
QJsonArray parsePathText(const QString& text)
{
    QJsonArray path;
    qsizetype i = 0;
    const qsizetype n = text.size();
    if (text == QLatin1String("$"))
        return path;
    while (i < n) {
        if (text.at(i) == u'.') {
            ++i;
        } else if (text.at(i) == u'[') {
            if (i + 1 < n && text.at(i + 1) == u'"') {
                QString key;
                i += 2;
                while (i < n && text.at(i) != u'"') {
                    if (text.at(i) == u'\\' && i + 1 < n)
                        ++i;
                    key += text.at(i++);
                }
                i += 2; // closing quote and bracket
                path.append(key);
            } else {
                const qsizetype close = text.indexOf(u']', i);
                if (close < 0)
                    return {};
                bool ok = false;
                const int index = text.mid(i + 1, close - i - 1).toInt(&ok);
                if (!ok)
                    return {};
                path.append(index);
                i = close + 1;
            }
        } else {
            qsizetype end = i;
            while (end < n && text.at(end) != u'.' && text.at(end) != u'[')
                ++end;
            path.append(text.mid(i, end - i));
            i = end;
        }
    }
    return path;
}

} // namespace

TimeTravelWindow::TimeTravelWindow(StoreSession* session, const QString& stream, qint64 startVersion, QWidget* parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_stream(stream)
    , m_engine(new TimeTravelEngine(session, stream, this))
    , m_pendingVersion(startVersion)
    , m_hasPending(startVersion >= 0)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Time travel — %1").arg(stream));
    resize(1400, 860);

    m_watcher = new QFileSystemWatcher(this);
    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(250);
    m_playTimer = new QTimer(this);

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

    createActions();
    toolbar->addAction(findChild<QAction*>(QStringLiteral("start")));
    toolbar->addAction(findChild<QAction*>(QStringLiteral("stepBack")));
    toolbar->addAction(m_playAction);
    toolbar->addAction(findChild<QAction*>(QStringLiteral("stepForward")));
    toolbar->addAction(findChild<QAction*>(QStringLiteral("end")));
    toolbar->addWidget(m_speedCombo);
    toolbar->addSeparator();
    toolbar->addWidget(m_goToEdit);
    toolbar->addSeparator();
    toolbar->addAction(findChild<QAction*>(QStringLiteral("runToBreakpoint")));
    toolbar->addAction(findChild<QAction*>(QStringLiteral("bookmark")));
    auto* spacer = new QWidget(toolbar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addWidget(m_progress);
    toolbar->addWidget(m_cancelButton);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 4);
    m_banner = new MessageBanner(central);
    layout->addWidget(m_banner);
    m_strip = new TimelineStrip(central);
    layout->addWidget(m_strip);

    auto* splitter = new QSplitter(Qt::Horizontal, central);
    m_eventModel = new TimelineIndexModel(this);
    m_eventTable = new QTableView(splitter);
    m_eventTable->setModel(m_eventModel);
    m_eventTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventTable->verticalHeader()->setVisible(false);
    m_eventTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_eventTable->horizontalHeader()->setStretchLastSection(true);
    m_eventTable->setColumnWidth(TimelineIndexModel::VersionColumn, 56);
    m_eventTable->setColumnWidth(TimelineIndexModel::TimeColumn, 150);
    m_eventTable->setColumnWidth(TimelineIndexModel::TypeColumn, 140);

    auto* statePane = new QWidget(splitter);
    auto* stateLayout = new QVBoxLayout(statePane);
    stateLayout->setContentsMargins(0, 0, 0, 0);
    auto* stateTitle = new QLabel(tr("<b>State</b> — changed by this event in yellow; click a value to jump to the "
                                     "event that last set it"),
        statePane);
    stateTitle->setWordWrap(true);
    stateLayout->addWidget(stateTitle);
    m_stateModel = new JsonTreeModel(this);
    m_stateTree = new QTreeView(statePane);
    m_stateTree->setModel(m_stateModel);
    m_stateTree->setItemDelegate(new ChangeDelegate(this, m_stateTree));
    m_stateTree->setUniformRowHeights(true);
    m_stateTree->setColumnWidth(JsonTreeModel::KeyColumn, 180);
    m_stateTree->setColumnWidth(JsonTreeModel::ValueColumn, 220);
    stateLayout->addWidget(m_stateTree);

    m_tabs = new QTabWidget(splitter);
    m_diffList = makeDiffList(m_tabs);
    m_tabs->addTab(m_diffList, tr("Changes"));
    m_eventText = new QPlainTextEdit(m_tabs);
    m_eventText->setReadOnly(true);
    m_eventText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tabs->addTab(m_eventText, tr("Event"));
    m_tabs->addTab(createBreakpointPage(), tr("Breakpoints"));
    m_tabs->addTab(createBookmarkPage(), tr("Bookmarks"));
    m_tabs->addTab(createComparePage(), tr("Compare"));
    m_tabs->addTab(createChartPage(), tr("Chart"));
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 3);
    splitter->setSizes({ 430, 470, 600 });
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);

    connect(m_strip, &TimelineStrip::cursorRequested, this, &TimeTravelWindow::setCursorIndex);
    connect(m_eventTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            if (current.isValid() && current.row() != m_cursor)
                setCursorIndex(current.row());
        });
    connect(m_stateTree, &QTreeView::clicked, this, [this](const QModelIndex& index) {
        if (index.column() == JsonTreeModel::ValueColumn)
            jumpToOrigin(index);
    });
    connect(m_goToEdit, &QLineEdit::returnPressed, this, [this] {
        if (!goTo(m_goToEdit->text()))
            m_banner->showMessage(
                tr("\"%1\" is neither a version nor a time.").arg(m_goToEdit->text()), MessageBanner::Kind::Warning);
    });
    connect(m_reducerCombo, &QComboBox::activated, this, &TimeTravelWindow::reducerChosen);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_reloadTimer->start(); });
    connect(m_reloadTimer, &QTimer::timeout, this, [this] { loadReducer(true); });
    connect(m_playTimer, &QTimer::timeout, this, &TimeTravelWindow::playTick);
    connect(m_speedCombo, &QComboBox::currentIndexChanged, this,
        [this] { m_playTimer->setInterval(1000 / qMax(1, m_speedCombo->currentData().toInt())); });
    m_playTimer->setInterval(1000 / qMax(1, m_speedCombo->currentData().toInt()));
    connect(m_cancelButton, &QToolButton::clicked, m_engine, &TimeTravelEngine::cancel);

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
        m_banner->showMessage(tr("Could not fold %1: %2").arg(m_stream, failure.message));
    });
    connect(m_engine, &TimeTravelEngine::stateReady, this, &TimeTravelWindow::onState);
    connect(m_engine, &TimeTravelEngine::compareReady, this, [this](const CompareResult& r) {
        if (r.failure) {
            m_banner->showMessage(r.failure->message);
            return;
        }
        m_compareLeft->setPlainText(indentedJson(r.fromJson));
        m_compareRight->setPlainText(indentedJson(r.toJson));
        fillDiff(m_compareList, r.diff);
        Q_EMIT compareShown();
    });
    connect(m_engine, &TimeTravelEngine::breakpointResult, this, [this](const BreakpointResult& r) {
        const bool found = r.found;
        const qint64 version = r.version;
        const QString& predicate = r.predicate;
        const QString error = r.failure ? r.failure->message : QString();
        if (!error.isEmpty()) {
            m_breakpointStatus->setText(error);
            m_banner->showMessage(tr("Breakpoint: %1").arg(error));
            return;
        }
        if (!found) {
            m_breakpointStatus->setText(tr("No breakpoint holds after version %1.").arg(cursorVersion()));
            return;
        }
        m_lastBreakpoint = predicate;
        m_breakpointStatus->setText(tr("Stopped at version %1: %2").arg(version).arg(predicate));
        goToVersion(version);
        Q_EMIT breakpointStopped(version);
    });
    connect(m_engine, &TimeTravelEngine::seriesReady, this, &TimeTravelWindow::onSeries);
    connect(m_engine, &TimeTravelEngine::lastSetFound, this, [this](const LastSetResult& r) {
        const QJsonArray& path = r.path;
        const qint64 version = r.version;
        const QString error = r.failure ? r.failure->message : QString();
        if (!error.isEmpty()) {
            m_banner->showMessage(error);
            return;
        }
        if (version < 0) {
            statusBar()->showMessage(tr("%1 comes from the reducer's initial state.").arg(jsonPathText(path)), 6000);
            goToStart();
        } else {
            statusBar()->showMessage(tr("%1 was last set at version %2.").arg(jsonPathText(path)).arg(version), 6000);
            goToVersion(version);
        }
        Q_EMIT originFound(version);
    });

    populateReducers();
    updateStatus();
    loadReducer(false);
}

TimeTravelWindow::~TimeTravelWindow() = default;

void TimeTravelWindow::createActions()
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
    make(
        QStringLiteral("start"), tr("Start"), QKeySequence(Qt::CTRL | Qt::Key_Home), [this] { goToStart(); },
        QStyle::SP_MediaSkipBackward);
    make(
        QStringLiteral("stepBack"), tr("Step back"), QKeySequence(Qt::CTRL | Qt::Key_BracketLeft),
        [this] { stepBack(); }, QStyle::SP_MediaSeekBackward);
    m_playAction = make(
        QStringLiteral("play"), tr("Play"), QKeySequence(Qt::CTRL | Qt::Key_J), [this] { setPlaying(!isPlaying()); },
        QStyle::SP_MediaPlay);
    make(
        QStringLiteral("stepForward"), tr("Step"), QKeySequence(Qt::CTRL | Qt::Key_BracketRight),
        [this] { stepForward(); }, QStyle::SP_MediaSeekForward);
    make(
        QStringLiteral("end"), tr("End"), QKeySequence(Qt::CTRL | Qt::Key_End), [this] { goToEnd(); },
        QStyle::SP_MediaSkipForward);
    make(QStringLiteral("runToBreakpoint"), tr("Run to breakpoint"), QKeySequence(Qt::Key_F8),
        [this] { runToNextBreakpoint(); });
    make(QStringLiteral("bookmark"), tr("Bookmark"), QKeySequence(Qt::CTRL | Qt::Key_B),
        [this] { addBookmark(cursorVersion()); });
    make(QStringLiteral("goTo"), tr("Go to…"), QKeySequence(Qt::CTRL | Qt::Key_G), [this] {
        m_goToEdit->setFocus();
        m_goToEdit->selectAll();
    });
}

QWidget* TimeTravelWindow::createComparePage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    m_compareFrom = new QSpinBox(page);
    m_compareTo = new QSpinBox(page);
    for (QSpinBox* box : { m_compareFrom, m_compareTo })
        box->setRange(-1, INT_MAX);
    auto* fromCursor = new QToolButton(page);
    fromCursor->setText(tr("← cursor"));
    auto* run = new QPushButton(tr("Compare"), page);
    row->addWidget(new QLabel(tr("Version"), page));
    row->addWidget(m_compareFrom);
    row->addWidget(new QLabel(tr("with"), page));
    row->addWidget(m_compareTo);
    row->addWidget(fromCursor);
    row->addStretch();
    row->addWidget(run);
    layout->addLayout(row);
    auto* split = new QSplitter(Qt::Vertical, page);
    auto* sides = new QSplitter(Qt::Horizontal, split);
    m_compareLeft = new QPlainTextEdit(sides);
    m_compareRight = new QPlainTextEdit(sides);
    for (QPlainTextEdit* e : { m_compareLeft, m_compareRight }) {
        e->setReadOnly(true);
        e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        e->setLineWrapMode(QPlainTextEdit::NoWrap);
    }
    m_compareList = makeDiffList(split);
    layout->addWidget(split, 1);
    connect(fromCursor, &QToolButton::clicked, this, [this] { m_compareTo->setValue(int(cursorVersion())); });
    connect(run, &QPushButton::clicked, this, [this] { compare(m_compareFrom->value(), m_compareTo->value()); });
    return page;
}

QWidget* TimeTravelWindow::createBreakpointPage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    m_breakpointEdit = new QLineEdit(page);
    m_breakpointEdit->setPlaceholderText(tr("JS predicate over (state, event), e.g. state.balance < 0"));
    auto* add = new QPushButton(tr("Add"), page);
    row->addWidget(m_breakpointEdit, 1);
    row->addWidget(add);
    layout->addLayout(row);
    m_breakpointList = new QListWidget(page);
    layout->addWidget(m_breakpointList, 1);
    auto* buttons = new QHBoxLayout;
    auto* runButton = new QPushButton(tr("Run to next breakpoint (F8)"), page);
    auto* remove = new QPushButton(tr("Remove"), page);
    buttons->addWidget(runButton);
    buttons->addStretch();
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    m_breakpointStatus = new QLabel(page);
    m_breakpointStatus->setWordWrap(true);
    layout->addWidget(m_breakpointStatus);
    auto addCurrent = [this] {
        addBreakpoint(m_breakpointEdit->text());
        m_breakpointEdit->clear();
    };
    connect(add, &QPushButton::clicked, this, addCurrent);
    connect(m_breakpointEdit, &QLineEdit::returnPressed, this, addCurrent);
    connect(runButton, &QPushButton::clicked, this, &TimeTravelWindow::runToNextBreakpoint);
    connect(remove, &QPushButton::clicked, this, [this] { delete m_breakpointList->currentItem(); });
    return page;
}

QWidget* TimeTravelWindow::createBookmarkPage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_bookmarkList = new QListWidget(page);
    layout->addWidget(m_bookmarkList, 1);
    auto* buttons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Bookmark the cursor (Ctrl+B)"), page);
    auto* compareButton = new QPushButton(tr("Compare with cursor"), page);
    auto* remove = new QPushButton(tr("Remove"), page);
    buttons->addWidget(add);
    buttons->addWidget(compareButton);
    buttons->addStretch();
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, [this] { addBookmark(cursorVersion()); });
    connect(remove, &QPushButton::clicked, this, [this] {
        delete m_bookmarkList->currentItem();
        updateMarkers();
    });
    connect(m_bookmarkList, &QListWidget::itemActivated, this,
        [this](QListWidgetItem* item) { goToVersion(item->data(Qt::UserRole).toLongLong()); });
    connect(compareButton, &QPushButton::clicked, this, [this] {
        if (auto* item = m_bookmarkList->currentItem()) {
            compare(item->data(Qt::UserRole).toLongLong(), cursorVersion());
            m_tabs->setCurrentIndex(4);
        }
    });
    return page;
}

QWidget* TimeTravelWindow::createChartPage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    m_chartPath = new QComboBox(page);
    m_chartPath->setEditable(true);
    m_chartPath->setMinimumContentsLength(16);
    m_chartPath->lineEdit()->setPlaceholderText(tr("numeric path, e.g. balance"));
    m_chartAxis = new QButtonGroup(page);
    auto* byVersion = new QRadioButton(tr("by version"), page);
    auto* byTime = new QRadioButton(tr("by time"), page);
    byVersion->setChecked(true);
    m_chartAxis->addButton(byVersion, 0);
    m_chartAxis->addButton(byTime, 1);
    auto* plot = new QPushButton(tr("Plot"), page);
    row->addWidget(m_chartPath, 1);
    row->addWidget(byVersion);
    row->addWidget(byTime);
    row->addWidget(plot);
    layout->addLayout(row);
    m_chartView = new QChartView(new QChart(), page);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->chart()->legend()->hide();
    m_chartView->setMinimumHeight(200);
    layout->addWidget(m_chartView, 1);
    connect(plot, &QPushButton::clicked, this,
        [this] { chart(m_chartPath->currentText(), m_chartAxis->checkedId() == 1); });
    return page;
}

QStringList TimeTravelWindow::sampleReducerFolders()
{
    if (!g_sampleFolders.isEmpty())
        return g_sampleFolders;
    QStringList folders;
    const QString appDir = QCoreApplication::applicationDirPath();
    const QString installed = QDir(appDir).absoluteFilePath(QStringLiteral("../share/eventscope/reducers"));
    if (QFileInfo(installed).isDir())
        folders.append(QDir::cleanPath(installed));
    // Running from a build folder: the source tree's samples, found by walking up.
    QDir dir(appDir);
    for (int i = 0; i < 4 && folders.isEmpty(); ++i) {
        if (QFileInfo(dir.filePath(QStringLiteral("resources/reducers"))).isDir())
            folders.append(QDir::cleanPath(dir.filePath(QStringLiteral("resources/reducers"))));
        if (!dir.cdUp())
            break;
    }
    return folders;
}

void TimeTravelWindow::setSampleReducerFolders(const QStringList& folders)
{
    g_sampleFolders = folders;
}

QString TimeTravelWindow::userReducerFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/reducers");
}

void TimeTravelWindow::populateReducers()
{
    m_reducerCombo->clear();
    m_reducerCombo->addItem(tr("Merge (no code)"), mergeKey);
    m_reducerCombo->addItem(tr("Merge by event type"), mergeByTypeKey);
    QStringList folders = sampleReducerFolders();
    folders.append(userReducerFolder());
    QString preferred;
    const QString category = m_stream.section(QLatin1Char('-'), 0, 0).toLower();
    for (const QString& folder : folders) {
        const QFileInfoList files
            = QDir(folder).entryInfoList({ QStringLiteral("*.js") }, QDir::Files | QDir::Readable, QDir::Name);
        if (files.isEmpty())
            continue;
        m_reducerCombo->insertSeparator(m_reducerCombo->count());
        for (const QFileInfo& file : files) {
            m_reducerCombo->addItem(file.fileName(), file.absoluteFilePath());
            m_reducerCombo->setItemData(m_reducerCombo->count() - 1, file.absoluteFilePath(), Qt::ToolTipRole);
            // accounts.js for account-1001: the sample made for this stream's domain is the natural first choice.
            if (preferred.isEmpty() && !category.isEmpty() && file.baseName().toLower().startsWith(category))
                preferred = file.absoluteFilePath();
        }
    }
    m_reducerCombo->insertSeparator(m_reducerCombo->count());
    m_reducerCombo->addItem(tr("Open reducer file…"), openFileKey);
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
            this, tr("Open a reducer"), userReducerFolder(), tr("JavaScript reducers (*.js);;All files (*)"));
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
    ReducerPtr reducer;
    if (key == mergeKey || key == mergeByTypeKey || key.isEmpty()) {
        watchFile(QString());
        reducer = std::make_shared<MergeReducer>(
            key == mergeByTypeKey ? MergeReducer::Mode::ByType : MergeReducer::Mode::Flat);
    } else {
        // Editors often save by replacing the file, which drops it from the watcher: watch it again every time.
        watchFile(key);
        QString error;
        auto js = JsReducer::fromFile(key, &error);
        if (!js) {
            m_banner->showMessage(tr("Reducer %1: %2").arg(QFileInfo(key).fileName(), error));
            return;
        }
        if (const auto problem = js->check()) {
            m_banner->showMessage(tr("Reducer %1: %2").arg(QFileInfo(key).fileName(), problem->toString()));
            return;
        }
        reducer = js;
    }
    m_banner->dismiss();
    if (keepCursor && m_index) {
        m_pendingVersion = cursorVersion();
        m_hasPending = true;
    }
    // Supersedes a fold still running for the previous reducer, and whatever was asked of it.
    m_engine->load(reducer);
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
    if (index >= 0) {
        const QModelIndex row = m_eventModel->index(int(index), 0);
        QSignalBlocker block(m_eventTable->selectionModel());
        m_eventTable->selectionModel()->setCurrentIndex(
            row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_eventTable->scrollTo(row);
    } else {
        QSignalBlocker block(m_eventTable->selectionModel());
        m_eventTable->clearSelection();
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
    m_changedPaths.clear();
    m_changedParents.clear();
    for (const JsonChange& c : state.changes) {
        m_changedPaths.insert(c.pathText());
        QJsonArray parent = c.path;
        while (!parent.isEmpty()) {
            parent.removeLast();
            m_changedParents.insert(jsonPathText(parent));
        }
    }
    // Keep what the user expanded: the tree is rebuilt, so re-expand by path.
    QSet<QString> expanded;
    std::function<void(const QModelIndex&)> remember = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_stateModel->rowCount(parent); ++r) {
            const QModelIndex i = m_stateModel->index(r, 0, parent);
            if (m_stateTree->isExpanded(i)) {
                expanded.insert(jsonPathText(statePath(i)));
                remember(i);
            }
        }
    };
    remember({});
    m_stateModel->setJsonText(state.stateJson);
    std::function<void(const QModelIndex&)> restore = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_stateModel->rowCount(parent); ++r) {
            const QModelIndex i = m_stateModel->index(r, 0, parent);
            if (!m_stateModel->hasChildren(i))
                continue;
            const QString path = jsonPathText(statePath(i));
            if (expanded.contains(path) || m_changedParents.contains(path)) {
                m_stateTree->expand(i);
                restore(i);
            }
        }
    };
    restore({});
    fillDiff(m_diffList, state.changes);
    m_eventText->setPlainText(state.event ? QString::fromUtf8(QJsonDocument(state.event->toJson()).toJson())
                                          : tr("The initial state: no event folded yet."));
    if (state.failure)
        m_banner->showMessage(state.failure->message);
    if (m_chartPath->count() == 0)
        updateChartPaths();
    updateStatus();
    Q_EMIT stateShown(state.version);
}

QJsonArray TimeTravelWindow::statePath(const QModelIndex& stateIndex)
{
    QJsonArray reversed;
    for (QModelIndex i = stateIndex.siblingAtColumn(0); i.isValid(); i = i.parent()) {
        const QModelIndex parent = i.parent();
        const QString parentType = parent.isValid()
            ? parent.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString()
            : JsonTreeModel::typeName(static_cast<const JsonTreeModel*>(i.model())->json());
        const QString key = i.data().toString();
        if (parentType == QLatin1String("array"))
            reversed.append(key.toInt());
        else
            reversed.append(key);
    }
    QJsonArray path;
    for (qsizetype k = reversed.size() - 1; k >= 0; --k)
        path.append(reversed.at(k));
    return path;
}

bool TimeTravelWindow::isChanged(const QModelIndex& stateIndex) const
{
    if (m_changedPaths.isEmpty())
        return false;
    QJsonArray path = statePath(stateIndex);
    // A node inside a value that was added or replaced changed with it.
    while (true) {
        if (m_changedPaths.contains(jsonPathText(path)))
            return true;
        if (path.isEmpty())
            return false;
        path.removeLast();
    }
}

void TimeTravelWindow::jumpToOrigin(const QModelIndex& stateIndex)
{
    if (!m_index || !stateIndex.isValid())
        return;
    m_engine->findLastSet(statePath(stateIndex), cursorVersion());
}

void TimeTravelWindow::addBreakpoint(const QString& predicate)
{
    const QString p = predicate.trimmed();
    if (p.isEmpty())
        return;
    auto* item = new QListWidgetItem(p, m_breakpointList);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsEditable);
    item->setCheckState(Qt::Checked);
}

QStringList TimeTravelWindow::breakpoints() const
{
    QStringList out;
    for (int i = 0; i < m_breakpointList->count(); ++i) {
        if (m_breakpointList->item(i)->checkState() == Qt::Checked)
            out.append(m_breakpointList->item(i)->text());
    }
    return out;
}

QString TimeTravelWindow::breakpointStatus() const
{
    return m_breakpointStatus->text();
}

void TimeTravelWindow::runToNextBreakpoint()
{
    const QStringList predicates = breakpoints();
    if (predicates.isEmpty()) {
        m_tabs->setCurrentIndex(2);
        m_breakpointEdit->setFocus();
        m_breakpointStatus->setText(tr("Add a breakpoint first: a predicate such as state.balance < 0."));
        return;
    }
    setPlaying(false);
    m_breakpointStatus->setText(tr("Running…"));
    m_engine->findBreakpoint(predicates, cursorVersion());
}

void TimeTravelWindow::addBookmark(qint64 version, const QString& label)
{
    if (!m_index)
        return;
    const qint64 i = m_index->indexAtOrBefore(version);
    QString text = QStringLiteral("v%1").arg(version);
    if (i >= 0)
        text += QStringLiteral("  %1  %2").arg(m_index->typeAt(i), m_index->timeAt(i).toString(Qt::ISODate));
    if (!label.isEmpty())
        text += QStringLiteral("  — ") + label;
    auto* item = new QListWidgetItem(text, m_bookmarkList);
    item->setData(Qt::UserRole, version);
    updateMarkers();
}

QList<qint64> TimeTravelWindow::bookmarks() const
{
    QList<qint64> out;
    for (int i = 0; i < m_bookmarkList->count(); ++i)
        out.append(m_bookmarkList->item(i)->data(Qt::UserRole).toLongLong());
    return out;
}

void TimeTravelWindow::compare(qint64 fromVersion, qint64 toVersion)
{
    m_compareFrom->setValue(int(fromVersion));
    m_compareTo->setValue(int(toVersion));
    m_engine->requestCompare(fromVersion, toVersion);
}

void TimeTravelWindow::chart(const QString& pathText, bool byTime)
{
    const QJsonArray path = parsePathText(pathText.trimmed());
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
    QChart* chart = m_chartView->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes())
        chart->removeAxis(axis);
    auto* line = new QLineSeries(chart);
    double lo = 0;
    double hi = 0;
    bool first = true;
    for (const auto& [index, value] : series.points) {
        const double x
            = m_chartByTime ? double(m_index->timesMs[std::size_t(index)]) : double(m_index->versionAt(index));
        line->append(x, value);
        lo = first ? value : qMin(lo, value);
        hi = first ? value : qMax(hi, value);
        first = false;
    }
    chart->addSeries(line);
    chart->setTitle(tr("%1 over %2").arg(jsonPathText(series.path), m_chartByTime ? tr("time") : tr("versions")));
    QAbstractAxis* xAxis = nullptr;
    if (m_chartByTime) {
        auto* axis = new QDateTimeAxis(chart);
        axis->setFormat(QStringLiteral("MM-dd HH:mm"));
        xAxis = axis;
    } else {
        auto* axis = new QValueAxis(chart);
        axis->setLabelFormat(QStringLiteral("%d"));
        xAxis = axis;
    }
    auto* yAxis = new QValueAxis(chart);
    yAxis->setLabelFormat(QStringLiteral("%.0f"));
    const double pad = hi > lo ? (hi - lo) * 0.05 : 1.0;
    yAxis->setRange(lo - pad, hi + pad);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    line->attachAxis(xAxis);
    line->attachAxis(yAxis);
    if (series.points.empty())
        chart->setTitle(tr("%1 is never a number in this stream").arg(jsonPathText(series.path)));
    Q_EMIT chartShown();
}

void TimeTravelWindow::updateChartPaths()
{
    if (m_shown.stateJson.isEmpty())
        return;
    QStringList paths;
    collectNumericPaths(parseJsonValue(m_shown.stateJson), {}, paths);
    const QString current = m_chartPath->currentText();
    m_chartPath->clear();
    m_chartPath->addItems(paths);
    if (!current.isEmpty())
        m_chartPath->setCurrentText(current);
    else if (paths.contains(QStringLiteral("balance")))
        m_chartPath->setCurrentText(QStringLiteral("balance"));
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
            text += QStringLiteral(" · ") + t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    }
    text += tr(" · reducer %1 · snapshot every %2 events").arg(m_index->reducerName).arg(m_index->snapshotInterval);
    m_status->setText(text);
}

void TimeTravelWindow::closeEvent(QCloseEvent* event)
{
    setPlaying(false);
    m_engine->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace es
