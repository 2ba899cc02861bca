#include "flowsview.h"

#include "store/storesession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QShortcut>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace es {

namespace {

enum Column { Count, P50, P95, P99, Types };
constexpr int CorrelationRole = Qt::UserRole;
constexpr int PositionRole = Qt::UserRole + 1;

QString seconds(double s)
{
    if (s < 0)
        return QStringLiteral("–");
    if (s < 120)
        return QStringLiteral("%1 s").arg(s, 0, 'f', s < 10 ? 2 : 1);
    if (s < 7200)
        return QStringLiteral("%1 min").arg(s / 60, 0, 'f', 1);
    return QStringLiteral("%1 h").arg(s / 3600, 0, 'f', 1);
}

bool parseDuration(const QString& text, qint64* out)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+)\\s*([smhdw]?)$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return false;
    const QString u = m.captured(2);
    const qint64 factor = u == QLatin1String("m") ? 60
        : u == QLatin1String("h")                 ? 3600
        : u == QLatin1String("d")                 ? 86400
        : u == QLatin1String("w")                 ? 604800
                                                  : 1;
    *out = m.captured(1).toLongLong() * factor;
    return true;
}

} // namespace

FlowsView::FlowsView(QWidget* parent)
    : QWidget(parent)
    , m_type(new QLineEdit(this))
    , m_after(new QLineEdit(this))
    , m_run(new QToolButton(this))
    , m_cancel(new QToolButton(this))
    , m_variants(new QTreeWidget(this))
    , m_incomplete(new QTreeWidget(this))
    , m_status(new QLabel(this))
{
    m_type->setPlaceholderText(tr("Start type, e.g. TransferRequested"));
    m_after->setText(QStringLiteral("1h"));
    m_after->setObjectName(QStringLiteral("incompleteAfter"));
    m_after->setToolTip(tr("A flow without the usual end is incomplete once it started this long (90s, 15m, 2h, 3d) "
                           "before the newest event"));
    m_after->setMaximumWidth(70);
    m_run->setText(tr("Group flows"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setEnabled(false);
    m_variants->setHeaderLabels({ tr("Flows"), tr("p50"), tr("p95"), tr("p99"), tr("Types") });
    m_variants->setRootIsDecorated(false);
    m_variants->setObjectName(QStringLiteral("flowVariants"));
    m_incomplete->setHeaderLabels({ tr("Correlation id"), tr("Position"), tr("Started"), tr("Types") });
    m_incomplete->setRootIsDecorated(false);
    m_incomplete->setObjectName(QStringLiteral("incompleteFlows"));
    m_status->setWordWrap(true);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_type, 1);
    bar->addWidget(new QLabel(tr("incomplete after"), this));
    bar->addWidget(m_after);
    bar->addWidget(m_run);
    bar->addWidget(m_cancel);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_variants);
    split->addWidget(m_incomplete);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_run, &QToolButton::clicked, this, &FlowsView::run);
    connect(m_type, &QLineEdit::returnPressed, this, &FlowsView::run);
    connect(m_cancel, &QToolButton::clicked, this, &FlowsView::cancel);
    auto open = [this](QTreeWidgetItem* item) {
        if (item)
            Q_EMIT openFlowRequested(
                item->data(0, CorrelationRole).toString(), item->data(0, PositionRole).toLongLong());
    };
    connect(m_variants, &QTreeWidget::itemActivated, this, open);
    connect(m_incomplete, &QTreeWidget::itemActivated, this, open);
    connect(new QShortcut(QKeySequence(Qt::Key_Escape), this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut),
        &QShortcut::activated, this, &FlowsView::cancel);
}

FlowsView::~FlowsView()
{
    cancel();
}

void FlowsView::setSession(StoreSession* session)
{
    cancel();
    m_session = session;
    m_variants->clear();
    m_incomplete->clear();
    m_status->clear();
}

void FlowsView::setStartType(const QString& type)
{
    m_type->setText(type);
}

void FlowsView::cancel()
{
    if (m_job && m_session)
        m_session->cancel(m_job);
}

QString FlowsView::statusText() const
{
    return m_status->text();
}

void FlowsView::run()
{
    if (!m_session)
        return;
    FlowsRequest request;
    request.startType = m_type->text().trimmed();
    if (request.startType.isEmpty()) {
        m_status->setText(tr("Give the type that starts a flow."));
        return;
    }
    if (!parseDuration(m_after->text(), &request.incompleteAfterSeconds)) {
        m_status->setText(tr("\"incomplete after\" is a duration such as 90s, 15m, 2h or 3d."));
        return;
    }
    cancel();
    const quint64 generation = m_generation.next();
    m_cancel->setEnabled(true);
    m_status->setText(tr("Grouping the flows in the database (reads every event of the log; Esc cancels)…"));
    JobCallbacks<FlowVariants> on;
    auto ended = [this, generation] {
        if (!m_generation.isCurrent(generation))
            return false;
        m_job = 0;
        m_cancel->setEnabled(false);
        return true;
    };
    on.finished = [this, ended](FlowVariants v) {
        if (ended())
            showResult(v);
        Q_EMIT finished();
    };
    on.failed = [this, ended](const Failure& f) {
        if (ended())
            m_status->setText(tr("Could not group the flows: %1").arg(f.message));
        Q_EMIT finished();
    };
    on.cancelled = [this, ended] {
        if (ended())
            m_status->setText(tr("Cancelled; the variants shown are those read so far."));
        Q_EMIT finished();
    };
    on.progress = [this, generation](const JobProgress& p) {
        if (!m_generation.isCurrent(generation))
            return;
        if (p.detail.canConvert<FlowVariants>())
            showResult(p.detail.value<FlowVariants>());
        m_status->setText(tr("%1: %2 flows so far…").arg(p.what).arg(p.done));
    };
    m_job = m_session->run<FlowVariants>(
        StoreSession::Lane::Background, this,
        [request](EventStore& store, JobControl& control) {
            return scanFlows(store, request, &control, [&control](const FlowVariants& partial) {
                JobProgress p;
                p.what = QStringLiteral("Reading flows");
                p.done = partial.flows;
                p.detail = QVariant::fromValue(partial);
                control.progress(p);
            });
        },
        on);
}

void FlowsView::showResult(const FlowVariants& result)
{
    m_variants->clear();
    for (const FlowVariant& v : result.variants) {
        auto* item = new QTreeWidgetItem(m_variants);
        item->setText(Count, QString::number(v.count));
        item->setTextAlignment(Count, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(P50, seconds(v.p50Seconds));
        item->setText(P95, seconds(v.p95Seconds));
        item->setText(P99, seconds(v.p99Seconds));
        item->setText(Types, v.types.join(QStringLiteral(" → ")));
        item->setToolTip(Types, v.types.join(u'\n'));
        item->setData(0, CorrelationRole, v.exampleCorrelation);
        item->setData(0, PositionRole, v.examplePosition);
    }
    m_incomplete->clear();
    for (const IncompleteFlow& f : result.incomplete) {
        auto* item = new QTreeWidgetItem(m_incomplete);
        item->setText(0, f.correlationId);
        item->setText(1, QString::number(f.firstPosition));
        item->setText(2, f.firstTime.isValid() ? f.firstTime.toString(Qt::ISODate) : QStringLiteral("–"));
        item->setText(3, f.types.join(QStringLiteral(" → ")));
        item->setData(0, CorrelationRole, f.correlationId);
        item->setData(0, PositionRole, f.firstPosition);
    }
    for (int c = 0; c < Types; ++c)
        m_variants->resizeColumnToContents(c);
    if (result.complete)
        m_status->setText(tr("%1 flows started by %2 in %3 variants; usual end %4; %5 incomplete")
                              .arg(result.flows)
                              .arg(result.startType)
                              .arg(result.variants.size())
                              .arg(result.usualEnd.isEmpty() ? QStringLiteral("–") : result.usualEnd)
                              .arg(result.incomplete.size()));
}

} // namespace es
