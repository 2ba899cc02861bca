#include "projectionsview.h"

#include "chartaxes.h"
#include "projectionsmodel.h"
#include "settings.h"
#include "store/storesession.h"

#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace es {

ProjectionsView::ProjectionsView(QWidget* parent)
    : QWidget(parent)
    , m_model(new ProjectionsModel(this))
    , m_table(new QTableView(this))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_note(new QLabel(this))
    , m_interval(new QDoubleSpinBox(this))
    , m_stall(new QDoubleSpinBox(this))
    , m_caughtUp(new QSpinBox(this))
    , m_timer(new QTimer(this))
    , m_tracker({}, ChartSamples)
{
    m_interval->setObjectName(QStringLiteral("pollInterval"));
    m_interval->setRange(0.2, 3600);
    m_interval->setDecimals(1);
    m_interval->setSuffix(tr(" s"));
    Settings* stored = Settings::instance();
    m_interval->setValue(stored->lagPollSeconds());
    m_stall->setObjectName(QStringLiteral("stallSeconds"));
    m_stall->setRange(1, 86400);
    m_stall->setDecimals(0);
    m_stall->setSuffix(tr(" s"));
    m_stall->setValue(stored->lagStallSeconds());
    m_caughtUp->setObjectName(QStringLiteral("caughtUpEvents"));
    m_caughtUp->setRange(0, 1000000000);
    m_caughtUp->setValue(int(std::clamp<qint64>(stored->lagCaughtUpEvents(), 0, 1000000000)));
    LagThresholds initial = m_tracker.thresholds();
    initial.stallSeconds = m_stall->value();
    initial.caughtUpEvents = m_caughtUp->value();
    m_tracker.setThresholds(initial);
    connect(stored, &Settings::lagSettingsChanged, this, [this, stored] {
        m_interval->setValue(stored->lagPollSeconds());
        m_stall->setValue(stored->lagStallSeconds());
        m_caughtUp->setValue(int(std::clamp<qint64>(stored->lagCaughtUpEvents(), 0, 1000000000)));
    });

    auto* settings = new QHBoxLayout;
    auto* form = new QFormLayout;
    form->addRow(tr("Poll every"), m_interval);
    auto* form2 = new QFormLayout;
    form2->addRow(tr("Stalled after"), m_stall);
    auto* form3 = new QFormLayout;
    form3->addRow(tr("Caught up within"), m_caughtUp);
    m_caughtUp->setSuffix(tr(" events"));
    settings->addLayout(form);
    settings->addLayout(form2);
    settings->addLayout(form3);
    settings->addStretch();

    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(ProjectionsModel::SortRole);
    m_table->setModel(proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ProjectionsModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Double-click a projection to open the log at its first unprocessed event."));

    m_chart->setTitle(tr("Lag (events) while EventScope runs"));
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(140);

    m_note->setWordWrap(true);
    m_note->hide();

    // Side by side in a wide, short bottom dock; stacked when the dock is tall. Neither part collapses to a sliver.
    m_splitter = new QSplitter(Qt::Horizontal, this);
    auto* splitter = m_splitter;
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_table);
    splitter->addWidget(m_chartView);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    m_table->setMinimumWidth(200);
    m_chartView->setMinimumWidth(240);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(settings);
    layout->addWidget(m_note);
    layout->addWidget(splitter, 1);

    m_timer->setInterval(int(m_interval->value() * 1000));
    connect(m_timer, &QTimer::timeout, this, &ProjectionsView::pollNow);
    connect(m_interval, &QDoubleSpinBox::valueChanged, this, [this](double s) {
        m_timer->setInterval(int(s * 1000));
        Settings::instance()->setLagPollSeconds(s);
    });
    auto thresholdsChanged = [this] {
        LagThresholds t = m_tracker.thresholds();
        t.stallSeconds = m_stall->value();
        t.caughtUpEvents = m_caughtUp->value();
        m_tracker.setThresholds(t);
        Settings::instance()->setLagStallSeconds(t.stallSeconds);
        Settings::instance()->setLagCaughtUpEvents(t.caughtUpEvents);
    };
    connect(m_stall, &QDoubleSpinBox::valueChanged, this, thresholdsChanged);
    connect(m_caughtUp, &QSpinBox::valueChanged, this, thresholdsChanged);
    connect(m_table, &QTableView::activated, this,
        [this, proxy](const QModelIndex& index) { activate(proxy->mapToSource(index).row()); });
}

ProjectionsView::~ProjectionsView() = default;

void ProjectionsView::setSession(StoreSession* session)
{
    ++m_generation;
    m_inFlight = false;
    m_session = session;
    m_tracker.clear();
    m_model->setRows({});
    m_chart->removeAllSeries();
    m_polls = 0;
    m_note->hide();
    m_started = QDateTime::currentDateTimeUtc();
    if (!session) {
        m_timer->stop();
        return;
    }
    m_timer->start();
    pollNow();
}

void ProjectionsView::setPollInterval(double seconds)
{
    m_interval->setValue(seconds);
}

double ProjectionsView::pollInterval() const
{
    return m_interval->value();
}

void ProjectionsView::setThresholds(const LagThresholds& thresholds)
{
    m_tracker.setThresholds(thresholds);
    m_stall->setValue(thresholds.stallSeconds);
    m_caughtUp->setValue(int(thresholds.caughtUpEvents));
}

LagThresholds ProjectionsView::thresholds() const
{
    return m_tracker.thresholds();
}

QString ProjectionsView::note() const
{
    return m_note->isVisible() || !m_note->text().isEmpty() ? m_note->text() : QString();
}

void ProjectionsView::pollNow()
{
    if (!m_session || m_inFlight)
        return;
    m_inFlight = true;
    const quint64 generation = m_generation;
    m_session->run<LagPoll>(
        StoreSession::Lane::Background, this, [](EventStore& store) { return pollLag(store); },
        [this, generation](LagPoll poll) {
            if (generation != m_generation)
                return;
            m_inFlight = false;
            onPoll(poll);
        },
        [this, generation](const Failure& failure) {
            if (generation != m_generation)
                return;
            m_inFlight = false;
            m_note->setText(tr("Could not read checkpoints: %1").arg(failure.message));
            m_note->show();
            Q_EMIT polled();
        });
}

void ProjectionsView::onPoll(const LagPoll& poll)
{
    ++m_polls;
    m_model->setRows(m_tracker.add(poll));
    m_note->setText(poll.note);
    m_note->setVisible(!poll.note.isEmpty());
    updateChart();
    Q_EMIT polled();
}

void ProjectionsView::updateChart()
{
    const auto& rows = m_model->rows();
    QHash<QString, QLineSeries*> existing;
    for (QAbstractSeries* s : m_chart->series()) {
        if (auto* line = qobject_cast<QLineSeries*>(s))
            existing.insert(line->property("key").toString(), line);
    }
    bool added = false;
    qint64 maxLag = 1;
    for (const LagRow& r : rows) {
        if (r.lagEvents < 0)
            continue;
        QLineSeries* series = existing.value(r.key);
        if (!series) {
            series = new QLineSeries;
            series->setName(r.partition.isEmpty() ? r.name : r.name + QStringLiteral(" [") + r.partition + u']');
            series->setProperty("key", r.key);
            m_chart->addSeries(series);
            added = true;
        }
        QList<QPointF> points;
        for (const LagSample& s : m_tracker.history(r.key)) {
            if (s.lagEvents < 0)
                continue;
            points.append(QPointF(double(m_started.msecsTo(s.at)) / 1000.0, double(s.lagEvents)));
            maxLag = std::max(maxLag, s.lagEvents);
        }
        series->replace(points);
    }
    if (added) {
        m_chart->createDefaultAxes();
        const auto horizontal = m_chart->axes(Qt::Horizontal);
        if (!horizontal.isEmpty())
            horizontal.front()->setTitleText(tr("seconds watched"));
    }
    double minX = 0;
    double maxX = 1;
    bool first = true;
    for (QAbstractSeries* s : m_chart->series()) {
        const auto* line = qobject_cast<QLineSeries*>(s);
        if (!line || line->count() == 0)
            continue;
        const double a = line->at(0).x();
        const double b = line->at(line->count() - 1).x();
        minX = first ? a : std::min(minX, a);
        maxX = first ? b : std::max(maxX, b);
        first = false;
    }
    // Whole seconds and whole events on round steps, as few ticks as the chart's size reads well with.
    const auto horizontal = m_chart->axes(Qt::Horizontal);
    const auto vertical = m_chart->axes(Qt::Vertical);
    if (auto* x = horizontal.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(horizontal.front()))
        chartaxes::applyNice(x, minX, std::max(maxX, minX + 1), std::clamp(m_chartView->width() / 90, 2, 8));
    if (auto* y = vertical.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(vertical.front()))
        chartaxes::applyNice(y, 0, double(maxLag), std::clamp(m_chartView->height() / 50, 2, 6));
}

void ProjectionsView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    const Qt::Orientation wanted = width() > height() * 2 ? Qt::Horizontal : Qt::Vertical;
    if (m_splitter->orientation() != wanted)
        m_splitter->setOrientation(wanted);
}

void ProjectionsView::activate(int row)
{
    const LagRow* r = m_model->rowAt(row);
    if (!r || r->status == LagStatus::Unparseable)
        return;
    const qint64 key = r->started && r->position >= 0 ? r->position + 1 : 0;
    Q_EMIT openRequested(r->scopeFilter, key);
}

} // namespace es
