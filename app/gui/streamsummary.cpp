#include "streamsummary.h"

#include "display/timeformat.h"
#include "store/storesession.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace es {

// Events per bucket over the scope's span, drawn as thin bars.
class Sparkline : public QWidget {
public:
    explicit Sparkline(QWidget* parent = nullptr)
        : QWidget(parent)
    {
        setMinimumHeight(36);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }

    void setData(const ActivityResult& rate)
    {
        m_totals.clear();
        for (const auto& bucket : rate.counts) {
            qint64 sum = 0;
            for (qint64 c : bucket)
                sum += c;
            m_totals.push_back(sum);
        }
        update();
    }

    QSize sizeHint() const override { return { 200, 36 }; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        const QRectF area = QRectF(rect()).adjusted(0, 2, 0, -1);
        p.setPen(palette().color(QPalette::Mid));
        p.drawLine(area.bottomLeft(), area.bottomRight());
        if (m_totals.empty())
            return;
        const qint64 most = std::max<qint64>(1, *std::max_element(m_totals.begin(), m_totals.end()));
        const double w = area.width() / double(m_totals.size());
        p.setPen(Qt::NoPen);
        p.setBrush(palette().color(QPalette::Highlight));
        for (size_t i = 0; i < m_totals.size(); ++i) {
            const double h = area.height() * double(m_totals[i]) / double(most);
            if (m_totals[i] > 0)
                p.drawRect(QRectF(area.left() + w * double(i), area.bottom() - std::max(1.0, h), std::max(1.0, w - 1),
                    std::max(1.0, h)));
        }
    }

private:
    std::vector<qint64> m_totals;
};

namespace {

QString count(qint64 n)
{
    return QLocale().toString(n);
}

QString eventText(const Event& e, bool isStream)
{
    if (!e.time.isValid() && e.position < 0)
        return QStringLiteral("—");
    QStringList parts;
    if (e.time.isValid())
        parts.append(TimeFormat::format(e.time, TimeFormat::Precision::Seconds));
    if (e.position >= 0)
        parts.append(StreamSummary::tr("position %1").arg(e.position));
    if (isStream && e.version >= 0)
        parts.append(StreamSummary::tr("version %1").arg(e.version));
    return parts.join(QLatin1String(", "));
}

} // namespace

StreamSummary::StreamSummary(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_count(new QLabel(this))
    , m_first(new QLabel(this))
    , m_last(new QLabel(this))
    , m_versionsLabel(new QLabel(tr("Versions:"), this))
    , m_versions(new QLabel(this))
    , m_note(new QLabel(this))
    , m_rate(new Sparkline(this))
    , m_rateLabel(new QLabel(this))
    , m_types(new QTableWidget(0, 3, this))
{
    setObjectName(QStringLiteral("streamSummary"));
    m_types->setObjectName(QStringLiteral("summaryTypes"));
    m_title->setTextFormat(Qt::RichText);
    m_state->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #a60; }"));
    m_note->hide();
    m_rateLabel->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    for (QLabel* l : { m_count, m_first, m_last, m_versions })
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_types->setHorizontalHeaderLabels({ tr("Type"), tr("Events"), tr("Share") });
    m_types->verticalHeader()->hide();
    m_types->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_types->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_types->setShowGrid(false);
    m_types->setAlternatingRowColors(true);
    m_types->verticalHeader()->setDefaultSectionSize(m_types->fontMetrics().height() + 6);
    m_types->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_types->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_types->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);

    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->setVerticalSpacing(2);
    form->addRow(tr("Events:"), m_count);
    form->addRow(tr("First:"), m_first);
    form->addRow(tr("Last:"), m_last);
    form->addRow(m_versionsLabel, m_versions);
    form->addRow(tr("Rate:"), m_rate);
    form->addRow(QString(), m_rateLabel);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_state);
    layout->addLayout(top);
    layout->addLayout(form);
    layout->addWidget(m_note);
    layout->addWidget(m_types, 1);
    clearFields(tr("No store open"));
}

StreamSummary::~StreamSummary()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void StreamSummary::setSession(StoreSession* session)
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    ++m_generation;
    m_session = session;
    m_hasSummary = false;
    if (!session) {
        clearFields(tr("No store open"));
        return;
    }
    refresh();
}

void StreamSummary::setScope(const ViewScope& scope)
{
    if (scope == m_scope && m_hasSummary)
        return;
    m_scope = scope;
    refresh();
}

void StreamSummary::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        refresh();
}

void StreamSummary::refresh()
{
    switch (m_scope.kind) {
    case ViewScope::Kind::All:
        m_title->setText(tr("<b>Global log</b>"));
        break;
    case ViewScope::Kind::Category:
        m_title->setText(tr("Category <b>%1</b>").arg(m_scope.name.toHtmlEscaped()));
        break;
    case ViewScope::Kind::Stream:
        m_title->setText(tr("Stream <b>%1</b>").arg(m_scope.name.toHtmlEscaped()));
        break;
    }
    if (!m_session)
        return;
    if (!isVisible()) {
        m_dirty = true;
        return;
    }
    m_dirty = false;
    if (m_ticket)
        m_session->cancel(m_ticket);
    EventFilter filter;
    if (m_scope.kind == ViewScope::Kind::Stream)
        filter.stream = m_scope.name;
    else if (m_scope.kind == ViewScope::Kind::Category)
        filter.category = m_scope.name;
    const quint64 generation = ++m_generation;
    m_state->setText(tr("counting…"));
    if (m_estimateTicket)
        m_session->cancel(m_estimateTicket);
    m_estimateTicket = 0;
    // A new scope gets its count estimated first (within a second; the summary can take many on millions of
    // events); a refresh of the one shown keeps its figures until the new ones come.
    if (!m_hasSummary || m_summary.scope.stream != filter.stream || m_summary.scope.category != filter.category) {
        m_estimateTicket = m_session->run<CountEstimate>(
            StoreSession::Lane::Background, this, [filter](EventStore& store) { return store.estimateCount(filter); },
            [this, generation](CountEstimate estimate) {
                if (generation != m_generation || !m_ticket)
                    return;
                m_estimateTicket = 0;
                m_count->setText(estimate.estimated
                        ? tr("%1 (estimated)").arg(histogram::approximateCount(estimate.count))
                        : count(estimate.count));
                if (estimate.estimated)
                    m_state->setText(tr("estimated · counting…"));
                Q_EMIT estimated();
            },
            [this, generation](const Failure&) {
                if (generation == m_generation)
                    m_estimateTicket = 0;
            });
    }
    m_ticket = m_session->run<ScopeSummary>(
        StoreSession::Lane::Background, this,
        [filter](EventStore& store) { return activity::summarize(store, filter, true); },
        [this, generation](ScopeSummary summary) {
            if (generation != m_generation)
                return;
            m_ticket = 0;
            apply(summary);
        },
        [this, generation](const Failure& failure) {
            if (generation != m_generation)
                return;
            m_ticket = 0;
            m_state->setText(tr("failed"));
            m_note->setText(failure.message);
            m_note->show();
            Q_EMIT failed(failure);
        });
}

QString StreamSummary::countText() const
{
    return m_count->text();
}

void StreamSummary::clearFields(const QString& state)
{
    m_state->setText(state);
    for (QLabel* l : { m_count, m_first, m_last, m_versions, m_rateLabel })
        l->clear();
    m_note->hide();
    m_rate->setData({});
    m_types->setRowCount(0);
}

void StreamSummary::apply(const ScopeSummary& s)
{
    m_summary = s;
    m_hasSummary = true;
    ++m_applied;
    const bool isStream = s.scope.isStream();
    m_state->clear();
    m_count->setText(count(s.count));
    m_first->setText(eventText(s.first, isStream));
    m_last->setText(eventText(s.last, isStream));
    m_versionsLabel->setText(isStream ? tr("Versions:") : tr("Streams:"));
    if (isStream)
        m_versions->setText(s.firstVersion >= 0 ? tr("%1 – %2").arg(s.firstVersion).arg(s.lastVersion) : QString());
    else
        m_versions->setText(s.streams >= 0 ? count(s.streams) : QStringLiteral("—"));
    m_versionsLabel->setVisible(isStream || !s.scope.category.isEmpty());
    m_versions->setVisible(m_versionsLabel->isVisible());
    m_rate->setData(s.rate);
    if (!s.rate.starts.empty()) {
        qint64 peak = 0;
        for (const auto& bucket : s.rate.counts) {
            qint64 sum = 0;
            for (qint64 c : bucket)
                sum += c;
            peak = std::max(peak, sum);
        }
        m_rateLabel->setText(
            tr("1 bar = %1, peak %2").arg(histogram::bucketName(s.rate.histogram.bucketSeconds), count(peak)));
    } else {
        m_rateLabel->clear();
    }
    m_note->setText(s.note);
    m_note->setVisible(!s.note.isEmpty());
    if (s.count == 0)
        m_state->setText(tr("no events"));

    m_types->setRowCount(int(s.typeCounts.size()));
    qint64 total = 0;
    for (const auto& [type, n] : s.typeCounts)
        total += n;
    for (int r = 0; r < int(s.typeCounts.size()); ++r) {
        const auto& [type, n] = s.typeCounts[size_t(r)];
        auto* name = new QTableWidgetItem(type);
        auto* events = new QTableWidgetItem(count(n));
        events->setData(Qt::UserRole, n);
        events->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto* share = new QTableWidgetItem(
            total > 0 ? QLocale().toString(100.0 * double(n) / double(total), 'f', 1) + QLatin1Char('%') : QString());
        share->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_types->setItem(r, 0, name);
        m_types->setItem(r, 1, events);
        m_types->setItem(r, 2, share);
    }
    Q_EMIT updated();
}

} // namespace es
