#include "timetravelpanels.h"

#include "chartaxes.h"
#include "themecontroller.h"

#include "fold/reducer.h"
#include "fold/timelineindex.h"
#include "fold/timetravelengine.h"
#include "models/jsontreemodel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFontDatabase>
#include <QGraphicsLineItem>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QMouseEvent>
#include <QPen>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtCharts/QChartView>

#include <algorithm>
#include <cmath>
#include <functional>

namespace es {

namespace {

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

// Paints state-tree nodes changed by the current event.
class ChangeDelegate : public QStyledItemDelegate {
public:
    explicit ChangeDelegate(const StatePanel* panel, QObject* parent)
        : QStyledItemDelegate(parent)
        , m_panel(panel)
    { }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (m_panel->isChanged(index)) {
            option->backgroundBrush = QColor(255, 226, 140);
            // Dark text on the yellow in every palette: a dark palette's light text does not read on it.
            option->palette.setColor(QPalette::Text, QColor(0x1a, 0x1a, 0x1a));
            option->font.setBold(true);
        }
    }

private:
    const StatePanel* m_panel;
};

QPlainTextEdit* makeJsonText(QWidget* parent)
{
    auto* edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    ThemeController::useMonospace(edit);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    return edit;
}

} // namespace

DiffList::DiffList(QWidget* parent)
    : QTreeWidget(parent)
{
    setHeaderLabels({ tr("Change"), tr("Path"), tr("Before"), tr("After") });
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    setColumnWidth(1, 160);
    setColumnWidth(2, 110);
}

void DiffList::setDiff(const JsonDiff& diff)
{
    clear();
    QList<QTreeWidgetItem*> items;
    for (const JsonChange& c : diff) {
        auto* item = new QTreeWidgetItem({ c.kindName(), c.pathText(), shortJson(c.oldValue), shortJson(c.newValue) });
        const QColor colour = c.kind == JsonChange::Kind::Added ? QColor(30, 140, 60)
            : c.kind == JsonChange::Kind::Removed               ? QColor(190, 40, 40)
                                                                : QColor(40, 90, 190);
        item->setForeground(0, colour);
        items.append(item);
    }
    addTopLevelItems(items);
}

StatePanel::StatePanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new JsonTreeModel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* title = new QLabel(tr("<b>State</b> — changed by this event in yellow; click a value to jump to the "
                                "event that last set it"),
        this);
    title->setWordWrap(true);
    layout->addWidget(title);
    m_tree = new QTreeView(this);
    m_tree->setModel(m_model);
    m_tree->setItemDelegate(new ChangeDelegate(this, m_tree));
    m_tree->setUniformRowHeights(true);
    m_tree->setColumnWidth(JsonTreeModel::KeyColumn, 180);
    m_tree->setColumnWidth(JsonTreeModel::ValueColumn, 220);
    layout->addWidget(m_tree);
    connect(m_tree, &QTreeView::clicked, this, [this](const QModelIndex& index) {
        if (index.column() == JsonTreeModel::ValueColumn)
            Q_EMIT originRequested(index);
    });
}

void StatePanel::showState(const QByteArray& stateJson, const JsonDiff& changes)
{
    m_changedPaths.clear();
    m_changedParents.clear();
    for (const JsonChange& c : changes) {
        m_changedPaths.insert(c.pathText());
        QJsonArray parent = c.path;
        while (!parent.isEmpty()) {
            parent.removeLast();
            m_changedParents.insert(jsonPathText(parent));
        }
    }
    // The tree is rebuilt: what the user expanded is expanded again by path.
    QSet<QString> expanded;
    std::function<void(const QModelIndex&)> remember = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_model->rowCount(parent); ++r) {
            const QModelIndex i = m_model->index(r, 0, parent);
            if (m_tree->isExpanded(i)) {
                expanded.insert(jsonPathText(statePath(i)));
                remember(i);
            }
        }
    };
    remember({});
    m_model->setJsonText(stateJson);
    std::function<void(const QModelIndex&)> restore = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_model->rowCount(parent); ++r) {
            const QModelIndex i = m_model->index(r, 0, parent);
            if (!m_model->hasChildren(i))
                continue;
            const QString path = jsonPathText(statePath(i));
            if (expanded.contains(path) || m_changedParents.contains(path)) {
                m_tree->expand(i);
                restore(i);
            }
        }
    };
    restore({});
}

QJsonArray StatePanel::statePath(const QModelIndex& index)
{
    QJsonArray reversed;
    for (QModelIndex i = index.siblingAtColumn(0); i.isValid(); i = i.parent()) {
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

bool StatePanel::isChanged(const QModelIndex& index) const
{
    if (m_changedPaths.isEmpty())
        return false;
    QJsonArray path = statePath(index);
    // A node inside a value that was added or replaced changed with it.
    while (true) {
        if (m_changedPaths.contains(jsonPathText(path)))
            return true;
        if (path.isEmpty())
            return false;
        path.removeLast();
    }
}

BreakpointPanel::BreakpointPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    m_edit = new QLineEdit(this);
    m_edit->setPlaceholderText(tr("JS predicate over (state, event), e.g. state.balance < 0"));
    auto* add = new QPushButton(tr("Add"), this);
    row->addWidget(m_edit, 1);
    row->addWidget(add);
    layout->addLayout(row);
    m_list = new QListWidget(this);
    layout->addWidget(m_list, 1);
    auto* buttons = new QHBoxLayout;
    auto* run = new QPushButton(tr("Run to next breakpoint (F8)"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    buttons->addWidget(run);
    buttons->addStretch();
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto addTyped = [this] {
        addBreakpoint(m_edit->text());
        m_edit->clear();
    };
    connect(add, &QPushButton::clicked, this, addTyped);
    connect(m_edit, &QLineEdit::returnPressed, this, addTyped);
    connect(run, &QPushButton::clicked, this, &BreakpointPanel::runRequested);
    connect(remove, &QPushButton::clicked, this, [this] { delete m_list->currentItem(); });
}

void BreakpointPanel::addBreakpoint(const QString& predicate)
{
    const QString p = predicate.trimmed();
    if (p.isEmpty())
        return;
    auto* item = new QListWidgetItem(p, m_list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsEditable);
    item->setCheckState(Qt::Checked);
}

QStringList BreakpointPanel::enabledBreakpoints() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->checkState() == Qt::Checked)
            out.append(m_list->item(i)->text());
    }
    return out;
}

QString BreakpointPanel::status() const
{
    return m_status->text();
}

void BreakpointPanel::setStatus(const QString& text)
{
    m_status->setText(text);
}

void BreakpointPanel::focusEditor()
{
    m_edit->setFocus();
}

BookmarkPanel::BookmarkPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_list = new QListWidget(this);
    layout->addWidget(m_list, 1);
    auto* buttons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Bookmark the cursor (Ctrl+B)"), this);
    auto* compare = new QPushButton(tr("Compare with cursor"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    buttons->addWidget(add);
    buttons->addWidget(compare);
    buttons->addStretch();
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, &BookmarkPanel::addRequested);
    connect(remove, &QPushButton::clicked, this, [this] {
        delete m_list->currentItem();
        Q_EMIT removed();
    });
    connect(m_list, &QListWidget::itemActivated, this,
        [this](QListWidgetItem* item) { Q_EMIT activated(item->data(Qt::UserRole).toLongLong()); });
    connect(compare, &QPushButton::clicked, this, [this] {
        if (auto* item = m_list->currentItem())
            Q_EMIT compareRequested(item->data(Qt::UserRole).toLongLong());
    });
}

void BookmarkPanel::addBookmark(qint64 version, const QString& text)
{
    auto* item = new QListWidgetItem(text, m_list);
    item->setData(Qt::UserRole, version);
}

QList<qint64> BookmarkPanel::versions() const
{
    QList<qint64> out;
    for (int i = 0; i < m_list->count(); ++i)
        out.append(m_list->item(i)->data(Qt::UserRole).toLongLong());
    return out;
}

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    m_from = new QSpinBox(this);
    m_to = new QSpinBox(this);
    for (QSpinBox* box : { m_from, m_to })
        box->setRange(-1, INT_MAX);
    auto* fromCursor = new QToolButton(this);
    fromCursor->setText(tr("← cursor"));
    auto* run = new QPushButton(tr("Compare"), this);
    row->addWidget(new QLabel(tr("Version"), this));
    row->addWidget(m_from);
    row->addWidget(new QLabel(tr("with"), this));
    row->addWidget(m_to);
    row->addWidget(fromCursor);
    row->addStretch();
    row->addWidget(run);
    layout->addLayout(row);
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* sides = new QSplitter(Qt::Horizontal, split);
    m_left = makeJsonText(sides);
    m_right = makeJsonText(sides);
    m_diff = new DiffList(split);
    layout->addWidget(split, 1);
    connect(fromCursor, &QToolButton::clicked, this, &ComparePanel::cursorVersionWanted);
    connect(run, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(m_from->value(), m_to->value()); });
}

void ComparePanel::setVersions(qint64 fromVersion, qint64 toVersion)
{
    m_from->setValue(int(fromVersion));
    m_to->setValue(int(toVersion));
}

void ComparePanel::setToVersion(qint64 version)
{
    m_to->setValue(int(version));
}

void ComparePanel::showResult(const CompareResult& result)
{
    m_left->setPlainText(indentedJson(result.fromJson));
    m_right->setPlainText(indentedJson(result.toJson));
    m_diff->setDiff(result.diff);
}

ChartPanel::ChartPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    m_path = new QComboBox(this);
    m_path->setEditable(true);
    m_path->setMinimumContentsLength(16);
    m_path->lineEdit()->setPlaceholderText(tr("numeric path, e.g. balance"));
    m_axis = new QButtonGroup(this);
    auto* byVersion = new QRadioButton(tr("by version"), this);
    auto* byTime = new QRadioButton(tr("by time"), this);
    byVersion->setChecked(true);
    m_axis->addButton(byVersion, 0);
    m_axis->addButton(byTime, 1);
    auto* plot = new QPushButton(tr("Plot"), this);
    row->addWidget(m_path, 1);
    row->addWidget(byVersion);
    row->addWidget(byTime);
    row->addWidget(plot);
    layout->addLayout(row);
    m_view = new QChartView(new QChart(), this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->chart()->legend()->hide();
    m_view->setMinimumHeight(200);
    m_view->setToolTip(tr("Click to go to that version"));
    m_view->viewport()->installEventFilter(this);
    m_cursor = new QGraphicsLineItem(m_view->chart());
    m_cursor->setPen(QPen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine));
    m_cursor->setZValue(10);
    m_cursor->hide();
    connect(m_view->chart(), &QChart::plotAreaChanged, this, &ChartPanel::updateCursor);
    layout->addWidget(m_view, 1);
    connect(plot, &QPushButton::clicked, this,
        [this] { Q_EMIT plotRequested(m_path->currentText(), m_axis->checkedId() == 1); });
}

void ChartPanel::setPaths(const QStringList& paths)
{
    const QString current = m_path->currentText();
    m_path->clear();
    m_path->addItems(paths);
    if (!current.isEmpty())
        m_path->setCurrentText(current);
    else if (paths.contains(QStringLiteral("balance")))
        m_path->setCurrentText(QStringLiteral("balance"));
}

bool ChartPanel::hasPaths() const
{
    return m_path->count() > 0;
}

void ChartPanel::showSeries(const SeriesResult& series, const TimelineIndexPtr& indexPtr, bool byTime)
{
    QChart* chart = m_view->chart();
    m_series = nullptr;
    m_index = indexPtr;
    const TimelineIndex& index = *indexPtr;
    chart->removeAllSeries();
    // removeAxis() hands the axis back to the caller.
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    auto* line = new QLineSeries(chart);
    double lo = 0;
    double hi = 0;
    bool first = true;
    for (const auto& [i, value] : series.points) {
        const double x = byTime ? double(index.timeMsAt(i)) : double(index.versionAt(i));
        line->append(x, value);
        lo = first ? value : qMin(lo, value);
        hi = first ? value : qMax(hi, value);
        first = false;
    }
    chart->addSeries(line);
    chart->setTitle(tr("%1 over %2").arg(jsonPathText(series.path), byTime ? tr("time") : tr("versions")));
    QAbstractAxis* xAxis = nullptr;
    double xLo = 0;
    double xHi = 1;
    if (!line->points().isEmpty()) {
        xLo = line->points().front().x();
        xHi = line->points().back().x();
    }
    const int width = std::max(200, m_view->width());
    if (byTime) {
        auto* axis = new QDateTimeAxis(chart);
        chartaxes::applyTime(axis, qint64(xLo), qint64(xHi), width);
        xAxis = axis;
    } else {
        auto* axis = new QValueAxis(chart);
        chartaxes::applyNice(axis, xLo, xHi, std::clamp(width / 90, 2, 10));
        xAxis = axis;
    }
    auto* yAxis = new QValueAxis(chart);
    // Whole numbers when every value is whole (balances in cents, counts), otherwise as many decimals as the step.
    bool integers = true;
    for (const auto& [i, value] : series.points)
        integers = integers && value == std::floor(value);
    chartaxes::applyNice(yAxis, lo, hi, std::clamp(m_view->height() / 50, 2, 8), integers);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    line->attachAxis(xAxis);
    line->attachAxis(yAxis);
    m_series = line;
    m_byTime = byTime;
    updateCursor();
    if (series.points.empty())
        chart->setTitle(tr("%1 is never a number in this stream").arg(jsonPathText(series.path)));
}

void ChartPanel::setCursorVersion(qint64 version)
{
    m_cursorVersion = version;
    updateCursor();
}

// The cursor is a line at the shown version's x (its time, when plotted by time), from the top of the plot to the
// bottom.
void ChartPanel::updateCursor()
{
    if (!m_series || !m_index || m_cursorVersion < 0 || m_series->count() == 0) {
        m_cursor->hide();
        return;
    }
    const qint64 i = m_index->indexAtOrBefore(m_cursorVersion);
    if (i < 0) {
        m_cursor->hide();
        return;
    }
    const double x = m_byTime ? double(m_index->timeMsAt(i)) : double(m_cursorVersion);
    QChart* chart = m_view->chart();
    const QRectF plot = chart->plotArea();
    const QPointF at = chart->mapToPosition(QPointF(x, 0), m_series);
    if (at.x() < plot.left() - 0.5 || at.x() > plot.right() + 0.5) {
        m_cursor->hide();
        return;
    }
    m_cursor->setLine(at.x(), plot.top(), at.x(), plot.bottom());
    m_cursor->show();
}

bool ChartPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::Resize)
            QTimer::singleShot(0, this, &ChartPanel::updateCursor);
        if (event->type() == QEvent::MouseButtonRelease && m_series && m_index && m_index->count() > 0) {
            const auto* mouse = static_cast<QMouseEvent*>(event);
            QChart* chart = m_view->chart();
            const QPointF scene = m_view->mapToScene(mouse->position().toPoint());
            const QPointF inChart = chart->mapFromScene(scene);
            if (chart->plotArea().contains(inChart)) {
                const double x = chart->mapToValue(inChart, m_series).x();
                Q_EMIT versionClicked(versionAt(x));
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

// The version nearest to x: x is a version, or a time in ms since the epoch when plotted by time.
qint64 ChartPanel::versionAt(double x) const
{
    const qint64 n = m_index->count();
    if (!m_byTime) {
        const qint64 first = m_index->versionAt(0);
        const qint64 last = m_index->versionAt(n - 1);
        return std::clamp<qint64>(qint64(std::llround(x)), first, last);
    }
    // The state as of the clicked time: the last event at or before it (the first when the click is before it).
    const qint64 i = m_index->indexAsOf(QDateTime::fromMSecsSinceEpoch(qint64(x), QTimeZone::utc()));
    return m_index->versionAt(std::max<qint64>(0, i));
}

} // namespace es
