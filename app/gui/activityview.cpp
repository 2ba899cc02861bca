#include "activityview.h"

#include "activity/activityjob.h"
#include "display/timeformat.h"
#include "display/typepalette.h"
#include "filterbar.h"
#include "followcontroller.h"
#include "models/eventtablemodel.h"
#include "store/storesession.h"
#include "streamsummary.h"

#include <QAction>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>

namespace es {

// Turns mouse gestures into chart values: a drag selects a range, a click or a hover names a point.
class ActivityChartView : public QChartView {
public:
    ActivityChartView(QChart* chart, QWidget* parent)
        : QChartView(chart, parent)
        , m_band(new QRubberBand(QRubberBand::Rectangle, viewport()))
    {
        setMouseTracking(true);
        setRenderHint(QPainter::Antialiasing, false);
    }

    std::function<void(double, double)> onDrag;
    std::function<void(double, double)> onClick;
    std::function<void(double, double, const QPoint&)> onHover;
    std::function<bool(int)> onKey;

    QPointF valueAt(const QPoint& viewportPos) const
    {
        const auto list = chart()->series();
        if (list.isEmpty())
            return { -1, -1 };
        return chart()->mapToValue(mapToScene(viewportPos), list.front());
    }

protected:
    void keyPressEvent(QKeyEvent* event) override
    {
        if (onKey && onKey(event->key()))
            event->accept();
        else
            QChartView::keyPressEvent(event);
    }

    void mousePressEvent(QMouseEvent* event) override
    {
        setFocus(Qt::MouseFocusReason);
        if (event->button() == Qt::LeftButton && plotRect().contains(event->position().toPoint())) {
            m_origin = event->position().toPoint();
            m_pressed = true;
            event->accept();
            return;
        }
        QChartView::mousePressEvent(event);
    }

    void mouseMoveEvent(QMouseEvent* event) override
    {
        const QPoint pos = event->position().toPoint();
        if (m_pressed) {
            if (std::abs(pos.x() - m_origin.x()) > 4) {
                const QRect plot = plotRect();
                const int x = std::clamp(pos.x(), plot.left(), plot.right());
                m_band->setGeometry(QRect(
                    QPoint(std::min(m_origin.x(), x), plot.top()), QPoint(std::max(m_origin.x(), x), plot.bottom())));
                m_band->show();
            }
            event->accept();
            return;
        }
        if (onHover && plotRect().contains(pos)) {
            const QPointF v = valueAt(pos);
            onHover(v.x(), v.y(), event->globalPosition().toPoint());
        } else {
            QToolTip::hideText();
        }
        QChartView::mouseMoveEvent(event);
    }

    void mouseReleaseEvent(QMouseEvent* event) override
    {
        if (!m_pressed || event->button() != Qt::LeftButton) {
            QChartView::mouseReleaseEvent(event);
            return;
        }
        m_pressed = false;
        const QPoint pos = event->position().toPoint();
        const bool dragged = m_band->isVisible();
        m_band->hide();
        if (dragged) {
            const QRect plot = plotRect();
            const QPoint end(std::clamp(pos.x(), plot.left(), plot.right()), pos.y());
            if (onDrag)
                onDrag(valueAt(m_origin).x(), valueAt(end).x());
        } else if (onClick) {
            const QPointF v = valueAt(pos);
            onClick(v.x(), v.y());
        }
        event->accept();
    }

private:
    QRect plotRect() const { return mapFromScene(chart()->plotArea()).boundingRect(); }

    QRubberBand* m_band;
    QPoint m_origin;
    bool m_pressed = false;
};

namespace {

constexpr int DefaultRefreshMs = 3000;
// Tableau 10: distinct hues that stay apart when stacked.
constexpr std::array<QRgb, 10> Palette { 0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2, 0xedc948, 0xb07aa1, 0xff9da7,
    0x9c755f, 0x17becf };

QString filterKey(const EventFilter& f)
{
    QStringList conditions;
    for (const JsonCondition& c : f.conditions)
        conditions.append(c.toString());
    return QStringList { f.stream, f.category, f.types.join(u'\x1f'), Event::timeToIso(f.fromTime),
        Event::timeToIso(f.toTime), f.text, conditions.join(u'\x1f') }
        .join(u'\x1e');
}

QString scopeTitle(const EventView* view, const EventFilter& filter)
{
    const ViewScope scope = view->scope();
    QString title = scope.kind == ViewScope::Kind::All ? ActivityView::tr("Global log")
        : scope.kind == ViewScope::Kind::Category      ? ActivityView::tr("Category %1").arg(scope.name)
                                                       : ActivityView::tr("Stream %1").arg(scope.name);
    if (filter.hasPredicates())
        title += ActivityView::tr(", filtered");
    return title;
}

QString filterTime(const QDateTime& t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

ActivityView::ActivityView(QWidget* parent)
    : QWidget(parent)
    , m_job(new ActivityJob(this))
    , m_scopeLabel(new QLabel(this))
    , m_stackBy(new QComboBox(this))
    , m_topN(new QSpinBox(this))
    , m_bucketLabel(new QLabel(this))
    , m_status(new QLabel(this))
    , m_zoomOut(new QToolButton(this))
    , m_reset(new QToolButton(this))
    , m_save(new QToolButton(this))
    , m_chart(new QChart)
    , m_view(new ActivityChartView(m_chart, this))
    , m_overlay(new QLabel(m_view->viewport()))
    , m_summary(new StreamSummary(this))
    , m_followTimer(new QTimer(this))
    , m_relabel(new QTimer(this))
{
    setObjectName(QStringLiteral("activityView"));
    m_view->setObjectName(QStringLiteral("activityChart"));
    m_scopeLabel->setTextFormat(Qt::PlainText);
    QFont bold = m_scopeLabel->font();
    bold.setBold(true);
    m_scopeLabel->setFont(bold);

    m_stackBy->addItem(tr("Type"), int(HistogramQuery::GroupBy::Type));
    m_stackBy->addItem(tr("Category"), int(HistogramQuery::GroupBy::Category));
    m_stackBy->addItem(tr("Stream"), int(HistogramQuery::GroupBy::Stream));
    m_stackBy->addItem(tr("Nothing"), int(HistogramQuery::GroupBy::None));
    m_stackBy->setToolTip(tr("What the bars are stacked by (the most frequent, the rest as \"(other)\")"));
    m_topN->setRange(1, 20);
    m_topN->setValue(8);
    m_topN->setPrefix(tr("top "));
    m_topN->setToolTip(tr("How many groups get their own colour"));
    m_bucketLabel->setObjectName(QStringLiteral("bucketLabel"));
    m_status->setObjectName(QStringLiteral("activityStatus"));

    m_zoomOut->setText(tr("Zoom Out"));
    m_zoomOut->setToolTip(tr("Back to the range before the last zoom (- or Backspace on the chart)"));
    m_reset->setText(tr("Reset"));
    m_reset->setToolTip(tr("Show the whole span of the scope (0 or Home on the chart)"));
    m_save->setText(tr("Save…"));
    m_save->setToolTip(tr("Save the chart as a PNG or SVG image"));
    for (QToolButton* b : { m_zoomOut, m_reset, m_save })
        b->setAutoRaise(true);

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_scopeLabel);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Stack by:"), this));
    top->addWidget(m_stackBy);
    top->addWidget(m_topN);
    top->addSpacing(12);
    top->addWidget(m_bucketLabel);
    top->addStretch(1);
    top->addWidget(m_status);
    top->addWidget(m_zoomOut);
    top->addWidget(m_reset);
    top->addWidget(m_save);

    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    m_view->setMinimumHeight(180);
    m_view->onDrag = [this](double a, double b) { dragged(a, b); };
    m_view->onClick = [this](double x, double y) { clickedAt(x, y); };
    m_view->onHover = [this](double x, double y, const QPoint& global) { hoveredAt(x, y, global); };
    m_view->onKey = [this](int key) {
        if (key == Qt::Key_Minus || key == Qt::Key_Backspace) {
            zoomOut();
            return true;
        }
        if (key == Qt::Key_0 || key == Qt::Key_Home) {
            resetZoom();
            return true;
        }
        return false;
    };
    m_view->setFocusPolicy(Qt::StrongFocus);

    m_overlay->setAlignment(Qt::AlignCenter);
    m_overlay->setObjectName(QStringLiteral("activityOverlay"));
    m_overlay->setStyleSheet(QStringLiteral("QLabel { color: #777; font-size: 13pt; }"));
    m_overlay->setWordWrap(true);
    auto* overlayLayout = new QVBoxLayout(m_view->viewport());
    overlayLayout->addWidget(m_overlay, 0, Qt::AlignCenter);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_summary);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    split->setChildrenCollapsible(false);
    m_summary->setMinimumWidth(260);
    split->setSizes({ 1000, 360 });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    m_followTimer->setInterval(DefaultRefreshMs);
    connect(m_followTimer, &QTimer::timeout, this, [this] {
        if (!isVisible() || !m_session)
            return;
        if (!m_job->isRunning())
            start(false);
        if (!m_summary->isCounting())
            m_summary->refresh();
    });
    m_relabel->setSingleShot(true);
    m_relabel->setInterval(50);
    connect(m_relabel, &QTimer::timeout, this, &ActivityView::rebuildAxisLabels);
    connect(m_chart, &QChart::plotAreaChanged, m_relabel, qOverload<>(&QTimer::start));

    connect(m_stackBy, &QComboBox::currentIndexChanged, this, [this] { start(); });
    connect(m_topN, &QSpinBox::valueChanged, this, [this] { start(); });
    connect(m_zoomOut, &QToolButton::clicked, this, &ActivityView::zoomOut);
    connect(m_reset, &QToolButton::clicked, this, &ActivityView::resetZoom);
    connect(m_save, &QToolButton::clicked, this, &ActivityView::saveDialog);
    connect(m_job, &ActivityJob::finished, this, [this](const ActivityResult& r, quint64) { apply(r); });
    connect(m_job, &ActivityJob::failed, this, &ActivityView::showFailure);
    connect(m_job, &ActivityJob::runningChanged, this, [this](bool running) {
        m_partsDone = 0;
        m_parts = 0;
        m_status->setStyleSheet({});
        m_status->setToolTip({});
        if (running)
            updateStatus();
        else
            m_status->clear();
    });
    connect(m_job, &ActivityJob::progress, this, [this](qint64 done, qint64 total) {
        m_partsDone = done;
        m_parts = total;
        updateStatus();
    });

    setScope({}, tr("Global log"));
    setOverlay(tr("Open a store to see its activity over time."));
    updateButtons();
}

ActivityView::~ActivityView() = default;

QChartView* ActivityView::chartView() const
{
    return m_view;
}

HistogramQuery::GroupBy ActivityView::groupBy() const
{
    return HistogramQuery::GroupBy(m_stackBy->currentData().toInt());
}

void ActivityView::setGroupBy(HistogramQuery::GroupBy groupBy)
{
    m_stackBy->setCurrentIndex(m_stackBy->findData(int(groupBy)));
}

void ActivityView::setTopN(int n)
{
    m_topN->setValue(n);
}

void ActivityView::setSession(StoreSession* session)
{
    m_session = session;
    m_job->setSession(session);
    m_summary->setSession(session);
    m_zoom.reset();
    m_hasResult = false;
    m_result = {};
    m_axis = {};
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    m_bucketLabel->clear();
    if (!session) {
        setOverlay(tr("Open a store to see its activity over time."));
        updateButtons();
        return;
    }
    start();
}

void ActivityView::setScope(const EventFilter& filter, const QString& title)
{
    const QString key = filterKey(filter);
    m_title = title;
    m_scopeLabel->setText(title);
    if (key == m_filterKey && m_hasResult)
        return;
    m_filterKey = key;
    m_filter = filter;
    m_zoom.reset();
    ViewScope scope;
    if (filter.isStream())
        scope = ViewScope::stream(filter.stream);
    else if (!filter.category.isEmpty())
        scope = ViewScope::category(filter.category);
    m_summary->setScope(scope);
    start();
}

void ActivityView::attach(EventView* view, FollowController* follow)
{
    const auto sync = [this, view] {
        if (m_ignoreView)
            return;
        const EventFilter filter = view->model()->filter();
        setScope(filter, scopeTitle(view, filter));
    };
    connect(view, &EventView::scopeChanged, this, sync);
    connect(view->filterBar(), &FilterBar::applied, this, sync);
    connect(view->model(), &QAbstractItemModel::modelReset, this, sync);
    connect(this, &ActivityView::bucketActivated, view,
        [this, view](const QDateTime& from, const QDateTime& to, HistogramQuery::GroupBy by, const QString& group) {
            openInView(view, from, to, by, group);
        });
    if (follow) {
        connect(follow->action(), &QAction::toggled, this, &ActivityView::setFollowing);
        setFollowing(follow->isFollowing());
    }
}

void ActivityView::openInView(
    EventView* view, const QDateTime& from, const QDateTime& to, HistogramQuery::GroupBy by, const QString& group)
{
    // The chart keeps its scope: the log narrows to one bar, the chart still shows where that bar sits.
    m_ignoreView = true;
    FilterBar* bar = view->filterBar();
    bar->setTimeRange(filterTime(from), filterTime(to));
    ViewScope target = view->scope();
    if (!group.isEmpty()) {
        if (by == HistogramQuery::GroupBy::Type)
            bar->setTypes(group);
        else if (by == HistogramQuery::GroupBy::Stream)
            target = ViewScope::stream(group);
        else if (by == HistogramQuery::GroupBy::Category)
            target = ViewScope::category(group);
    }
    if (target != view->scope())
        view->setScope(target);
    else
        view->applyFilter();
    m_ignoreView = false;
}

void ActivityView::zoomTo(const QDateTime& from, const QDateTime& to)
{
    if (m_zoom.push(from, to))
        start();
}

void ActivityView::zoomOut()
{
    if (m_zoom.pop())
        start();
}

void ActivityView::resetZoom()
{
    if (m_zoom.reset())
        start();
}

void ActivityView::refresh()
{
    start(false);
}

void ActivityView::setFollowing(bool on)
{
    if (on) {
        m_followTimer->start();
        start();
    } else {
        m_followTimer->stop();
    }
}

bool ActivityView::isFollowing() const
{
    return m_followTimer->isActive();
}

void ActivityView::setRefreshInterval(int ms)
{
    m_followTimer->setInterval(ms);
}

bool ActivityView::isCounting() const
{
    return m_job->isRunning();
}

QString ActivityView::statusText() const
{
    return m_status->text();
}

QString ActivityView::bucketText() const
{
    return m_bucketLabel->text();
}

void ActivityView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        start();
}

void ActivityView::updateStatus()
{
    QString text = m_hasResult && m_result.estimated() ? tr("estimated · counting exactly…") : tr("counting…");
    if (m_parts > 0)
        text += QStringLiteral(" %1%").arg(m_partsDone * 100 / m_parts);
    m_status->setText(text);
}

void ActivityView::start(bool estimateFirst)
{
    updateButtons();
    if (!m_session)
        return;
    if (!isVisible()) {
        m_dirty = true;
        return;
    }
    m_dirty = false;
    ActivityRequest request;
    request.filter = m_filter;
    if (const auto range = m_zoom.current()) {
        request.from = range->from;
        request.to = range->to;
    }
    request.groupBy = groupBy();
    request.topN = m_topN->value();
    request.useCache = true;
    m_job->start(request, estimateFirst);
    if (!m_hasResult)
        setOverlay(tr("Counting…"));
}

void ActivityView::setOverlay(const QString& text)
{
    m_overlay->setText(text);
    m_overlay->setVisible(!text.isEmpty());
}

void ActivityView::showFailure(const Failure& failure)
{
    m_status->setStyleSheet(QStringLiteral("QLabel { color: #c00; }"));
    m_status->setText(tr("failed"));
    m_status->setToolTip(failure.message);
    if (!m_hasResult)
        setOverlay(tr("Could not count events: %1").arg(failure.message));
    Q_EMIT failed(failure);
}

void ActivityView::updateButtons()
{
    m_zoomOut->setEnabled(m_zoom.isZoomed());
    m_reset->setEnabled(m_zoom.isZoomed());
    m_save->setEnabled(m_hasResult && !m_result.starts.empty());
}

void ActivityView::apply(const ActivityResult& result)
{
    m_result = result;
    m_axis.starts = result.starts;
    m_axis.bucketSeconds = result.histogram.bucketSeconds;
    m_axis.zone = TimeFormat::timeZone();
    m_hasResult = true;
    ++m_applied;
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    const Histogram& h = result.histogram;
    if (result.starts.empty() || h.total == 0) {
        m_bucketLabel->clear();
        setOverlay(m_zoom.isZoomed() ? tr("No events in this range.") : tr("No events in %1.").arg(m_title));
        m_chart->legend()->hide();
        updateButtons();
        Q_EMIT updated();
        return;
    }
    setOverlay({});
    auto* series = new QStackedBarSeries;
    series->setBarWidth(0.9);
    const bool single = groupBy() == HistogramQuery::GroupBy::None;
    for (int g = 0; g < h.groups.size(); ++g) {
        auto* set = new QBarSet(single ? tr("Events") : h.groups[g]);
        QList<qreal> values;
        values.reserve(qsizetype(result.counts.size()));
        for (const auto& bucket : result.counts)
            values.append(qreal(bucket[size_t(g)]));
        set->append(values);
        set->setBorderColor(Qt::transparent);
        const bool other = h.hasOther && g == h.groups.size() - 1;
        // Types keep their colour in every view; categories and streams take the palette in turn.
        const QRgb colour = groupBy() == HistogramQuery::GroupBy::Type ? typepalette::rgbOf(h.groups[g])
                                                                       : Palette[size_t(g) % Palette.size()];
        set->setColor(other ? QColor(0xb0, 0xb0, 0xb0) : QColor(colour));
        series->append(set);
    }
    m_chart->addSeries(series);
    auto* x = new QCategoryAxis;
    x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    x->setGridLineVisible(false);
    m_chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto* y = new QValueAxis;
    const ActivityAxis::ValueTicks ticks = ActivityAxis::valueTicks(ActivityAxis::peak(result.counts));
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0);
    y->setTickInterval(ticks.interval);
    y->setRange(0, ticks.max);
    y->setLabelFormat(QStringLiteral("%.0f"));
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    m_chart->legend()->setVisible(!single);
    rebuildAxisLabels();

    QString range = tr("%1 – %2").arg(
        histogram::bucketLabel(result.from, h.bucketSeconds), histogram::bucketLabel(result.to, h.bucketSeconds));
    const QString events = h.estimated ? tr("%1 events (estimated)").arg(histogram::approximateCount(h.total))
                                       : tr("%1 events").arg(QLocale().toString(h.total));
    m_bucketLabel->setText(tr("1 bar = %1 · %2 · %3 (%4)")
                               .arg(histogram::bucketName(h.bucketSeconds), events, range, TimeFormat::zoneLabel()));
    if (m_job->isRunning())
        updateStatus();
    updateButtons();
    Q_EMIT updated();
}

void ActivityView::rebuildAxisLabels()
{
    auto axes = m_chart->axes(Qt::Horizontal);
    if (axes.isEmpty() || m_axis.starts.empty())
        return;
    auto* x = qobject_cast<QCategoryAxis*>(axes.front());
    if (!x)
        return;
    const int n = m_axis.count();
    const int labelWidth = QFontMetrics(x->labelsFont()).horizontalAdvance(m_axis.labelSample()) + 16;
    const double plotWidth = std::max(
        100.0, m_chart->plotArea().width() > 0 ? m_chart->plotArea().width() : double(m_view->width() - 260));
    const std::vector<ActivityAxis::Label> labels = m_axis.labels(plotWidth, labelWidth);
    QStringList texts;
    for (const ActivityAxis::Label& label : labels)
        texts.append(label.text);
    // Relabelling moves the plot area, which asks for relabelling: stop when nothing changes.
    if (texts == x->categoriesLabels() && x->max() == double(n) - 0.5)
        return;
    for (const QString& label : x->categoriesLabels())
        x->remove(label);
    for (const ActivityAxis::Label& label : labels)
        x->append(label.text, label.index);
    x->setStartValue(-0.5);
    x->setRange(-0.5, double(n) - 0.5);
}

void ActivityView::dragged(double fromX, double toX)
{
    if (const auto span = m_axis.dragSpan(fromX, toX))
        zoomTo(span->first, span->second);
}

void ActivityView::clickedAt(double x, double y)
{
    const int index = m_axis.indexAt(x);
    if (index < 0)
        return;
    const int group = activity::stackedGroupAt(m_result.counts[size_t(index)], y);
    if (group >= 0)
        activateBucket(index, group);
}

void ActivityView::hoveredAt(double x, double y, const QPoint& globalPos)
{
    const int index = m_axis.indexAt(x);
    const int group = index < 0 ? -1 : activity::stackedGroupAt(m_result.counts[size_t(index)], y);
    if (group < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(globalPos, toolTipFor(index, group), m_view);
}

QString ActivityView::toolTipFor(int index, int group) const
{
    if (index < 0 || index >= int(m_result.starts.size()) || group < 0 || group >= m_result.histogram.groups.size())
        return {};
    const qint64 size = m_result.histogram.bucketSeconds;
    const qint64 start = m_result.starts[size_t(index)];
    const auto& bucket = m_result.counts[size_t(index)];
    const qint64 total = std::accumulate(bucket.begin(), bucket.end(), qint64(0));
    QString text = tr("%1 – %2").arg(
        histogram::bucketLabel(start, size), histogram::bucketLabel(histogram::bucketEnd(start, size), size));
    const bool estimated = m_result.estimated();
    const auto number
        = [estimated](qint64 n) { return estimated ? histogram::approximateCount(n) : QLocale().toString(n); };
    if (groupBy() != HistogramQuery::GroupBy::None)
        text += u'\n' + tr("%1: %2").arg(m_result.histogram.groups[group], number(bucket[size_t(group)]));
    text += u'\n' + tr("All events in this bar: %1").arg(number(total));
    if (estimated)
        text += u'\n' + tr("Estimated from a sample; the exact count follows.");
    text += u'\n' + tr("Click to open the log at this bar; drag to zoom.");
    return text;
}

QPoint ActivityView::barCenter(int index, int group) const
{
    const auto list = m_chart->series();
    if (list.isEmpty() || index < 0 || index >= m_axis.count())
        return {};
    const QPointF value = ActivityAxis::segmentCentre(m_result.counts[size_t(index)], index, group);
    return m_view->mapFromScene(m_chart->mapToPosition(value, list.front()));
}

void ActivityView::activateBucket(int index, int group)
{
    if (index < 0 || index >= m_axis.count())
        return;
    const auto [from, to] = m_axis.bucketSpan(index);
    QString name;
    const HistogramQuery::GroupBy by = groupBy();
    if (by != HistogramQuery::GroupBy::None && group >= 0 && group < m_result.histogram.groups.size()
        && !(m_result.histogram.hasOther && group == m_result.histogram.groups.size() - 1))
        name = m_result.histogram.groups[group];
    Q_EMIT bucketActivated(from, to, by, name);
}

bool ActivityView::savePng(const QString& path)
{
    return m_view->grab().save(path, "PNG");
}

bool ActivityView::saveSvg(const QString& path)
{
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(m_view->size());
    generator.setViewBox(QRect(QPoint(0, 0), m_view->size()));
    generator.setTitle(tr("EventScope activity: %1").arg(m_title));
    QPainter painter;
    if (!painter.begin(&generator))
        return false;
    m_view->render(&painter);
    painter.end();
    return QFileInfo(path).size() > 0;
}

void ActivityView::saveDialog()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Chart"), QStringLiteral("activity.png"), tr("PNG image (*.png);;SVG image (*.svg)"), &selected);
    if (path.isEmpty())
        return;
    const bool svg = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)
        || (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) && selected.contains(QLatin1String("svg")));
    const bool ok = svg ? saveSvg(path) : savePng(path);
    if (!ok)
        showFailure({ Failure::Kind::Io, tr("Could not write %1").arg(path) });
}

} // namespace es
