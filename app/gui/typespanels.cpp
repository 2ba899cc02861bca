#include "typespanels.h"

#include "core/jsonpath.h"

#include "catalog/typecatalogmodel.h"
#include "fold/reducercatalog.h"
#include "store/storesession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace es {

// --- RateDelegate -------------------------------------------------------------------------------------------------

void RateDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QVariantList rate = index.data(TypeCatalogModel::RateRole).toList();
    if (rate.size() < 2)
        return;
    qint64 most = 0;
    for (const QVariant& v : rate)
        most = std::max(most, v.toLongLong());
    if (most <= 0)
        return;
    const QRectF r = QRectF(option.rect).adjusted(3, 3, -3, -3);
    QPainterPath line;
    for (qsizetype i = 0; i < rate.size(); ++i) {
        const QPointF at(r.left() + r.width() * double(i) / double(rate.size() - 1),
            r.bottom() - r.height() * double(rate[i].toLongLong()) / double(most));
        if (i == 0)
            line.moveTo(at);
        else
            line.lineTo(at);
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(QPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::Link), 1.2));
    painter->drawPath(line);
    painter->restore();
}

// --- ShapeTimeline ------------------------------------------------------------------------------------------------

namespace {
constexpr int rowHeight = 18;
constexpr int labelWidth = 220;
} // namespace

ShapeTimeline::ShapeTimeline(QWidget* parent)
    : QWidget(parent)
{
    setMinimumHeight(rowHeight * 2);
    setToolTip(tr("Each shape (its sorted top-level data keys) from its first to its last position; click a bar to "
                  "open its first event"));
}

void ShapeTimeline::setType(const TypeSummary* type, bool sampled)
{
    m_type = type ? type->type : QString();
    m_shapes = type ? type->shapes : std::vector<ShapeStats> {};
    m_first = type ? type->firstPosition : -1;
    m_last = type ? type->lastPosition : -1;
    for (const ShapeStats& s : m_shapes) {
        m_first = m_first < 0 ? s.firstPosition : std::min(m_first, s.firstPosition);
        m_last = std::max(m_last, s.lastPosition);
    }
    m_sampled = sampled;
    updateGeometry();
    update();
}

QSize ShapeTimeline::sizeHint() const
{
    return { 600, rowHeight * int(std::max<size_t>(2, m_shapes.size() + 1)) };
}

QRect ShapeTimeline::barRect(int shape) const
{
    if (shape < 0 || size_t(shape) >= m_shapes.size() || m_first < 0)
        return {};
    const ShapeStats& s = m_shapes[size_t(shape)];
    const int left = labelWidth;
    const int width = std::max(10, this->width() - labelWidth - 8);
    const double span = double(std::max<qint64>(1, m_last - m_first));
    const int x0 = left + int(width * double(s.firstPosition - m_first) / span);
    const int x1 = left + int(width * double(s.lastPosition - m_first) / span);
    return { x0, shape * rowHeight + 3, std::max(3, x1 - x0), rowHeight - 6 };
}

void ShapeTimeline::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_shapes.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(6, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
            m_type.isEmpty() ? tr("Select a type to see its shapes over time") : tr("No JSON object payloads"));
        return;
    }
    const QFontMetrics fm = fontMetrics();
    for (size_t i = 0; i < m_shapes.size(); ++i) {
        const ShapeStats& s = m_shapes[i];
        const QString label
            = fm.elidedText(QStringLiteral("{%1} %2").arg(s.fields.join(QStringLiteral(", "))).arg(s.count),
                Qt::ElideMiddle, labelWidth - 8);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(4, int(i) * rowHeight, labelWidth - 8, rowHeight), Qt::AlignVCenter, label);
        QColor c = QColor::fromHsv(int(i * 67 % 360), 150, 200);
        painter.fillRect(barRect(int(i)), c);
    }
    const int axis = int(m_shapes.size()) * rowHeight + rowHeight / 2;
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(labelWidth, axis - rowHeight / 2 + 2, width() - 8, axis - rowHeight / 2 + 2);
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRect(labelWidth, axis - 6, 200, rowHeight), Qt::AlignLeft,
        tr("position %1").arg(m_first) + (m_sampled ? tr(" (sampled)") : QString()));
    painter.drawText(QRect(width() - 208, axis - 6, 200, rowHeight), Qt::AlignRight, tr("%1").arg(m_last));
}

void ShapeTimeline::mousePressEvent(QMouseEvent* event)
{
    for (size_t i = 0; i < m_shapes.size(); ++i) {
        QRect hit = barRect(int(i));
        hit.setLeft(0);
        if (hit.contains(event->position().toPoint())) {
            Q_EMIT shapeClicked(m_type, m_shapes[i].firstPosition);
            return;
        }
    }
    QWidget::mousePressEvent(event);
}

// --- CoveragePanel ------------------------------------------------------------------------------------------------

CoveragePanel::CoveragePanel(QWidget* parent)
    : QWidget(parent)
    , m_picker(new QComboBox(this))
    , m_status(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    m_picker->addItem(tr("No reducer"), QString());
    for (const ReducerCatalog::Entry& e : ReducerCatalog::entries())
        m_picker->addItem(e.name, e.key);
    m_picker->setToolTip(tr("A time-travel reducer: which types it handles, and the fields it reads that events lack"));
    m_tree->setHeaderLabels({ tr("Type"), tr("Handled by"), tr("Reads"), tr("Events lacking a read field") });
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(true);
    m_status->setWordWrap(true);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Reducer:"), this));
    bar->addWidget(m_picker);
    bar->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);
    connect(m_picker, &QComboBox::currentIndexChanged, this,
        [this](int) { setReducer(m_picker->currentData().toString()); });
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString type = item->data(0, Qt::UserRole).toString();
        const QVariant position = item->data(0, Qt::UserRole + 1);
        if (!type.isEmpty() && position.isValid() && position.toLongLong() >= 0)
            Q_EMIT openRequested(type, item->data(0, Qt::UserRole + 2).toString(), position.toLongLong());
    });
}

CoveragePanel::~CoveragePanel()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void CoveragePanel::setSession(StoreSession* session, int lane)
{
    m_lane = lane;
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    m_generation.next();
    m_session = session;
    m_catalog.reset();
    m_tree->clear();
}

void CoveragePanel::setCatalog(std::shared_ptr<const TypeCatalog> catalog)
{
    m_catalog = std::move(catalog);
    start();
}

void CoveragePanel::setReducer(const QString& key)
{
    m_key = key;
    const int at = m_picker->findData(key);
    if (at >= 0 && at != m_picker->currentIndex()) {
        const QSignalBlocker block(m_picker);
        m_picker->setCurrentIndex(at);
    }
    start();
}

QString CoveragePanel::statusText() const
{
    return m_status->text();
}

void CoveragePanel::start()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    const quint64 generation = m_generation.next();
    m_tree->clear();
    if (m_key.isEmpty() || !m_catalog || !m_session) {
        m_status->setText(m_key.isEmpty() ? tr("Pick a reducer to see which types it handles") : QString());
        return;
    }
    m_status->setText(tr("Reading the reducer…"));
    CoverageOptions options;
    options.reducerKey = m_key;
    JobCallbacks<ReducerCoverage> on;
    on.finished = [this, generation](ReducerCoverage coverage) {
        if (!m_generation.isCurrent(generation))
            return;
        m_ticket = 0;
        show(coverage);
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        m_ticket = 0;
        m_status->setText(tr("Failed: %1").arg(failure.message));
    };
    on.cancelled = [this, generation] {
        if (m_generation.isCurrent(generation))
            m_ticket = 0;
    };
    auto catalog = m_catalog;
    m_ticket = m_session->run<ReducerCoverage>(
        StoreSession::Lane(m_lane), this,
        [catalog, options](
            EventStore& store, JobControl& control) { return reducerCoverage(store, *catalog, options, &control); },
        std::move(on));
}

void CoveragePanel::show(const ReducerCoverage& coverage)
{
    int handled = 0;
    for (const TypeCoverage& t : coverage.types) {
        auto* item = new QTreeWidgetItem(m_tree);
        item->setText(0, t.type);
        item->setText(1, t.handled ? t.handler : tr("ignored"));
        item->setText(2, t.reads.join(QStringLiteral(", ")));
        item->setData(0, Qt::UserRole, t.type);
        if (const TypeSummary* s = m_catalog->find(t.type))
            item->setData(0, Qt::UserRole + 1, s->firstPosition);
        handled += t.handled ? 1 : 0;
        if (!t.handled)
            item->setForeground(1, palette().color(QPalette::PlaceholderText));
        qint64 lacking = 0;
        for (const MissingRead& m : t.missing) {
            auto* child = new QTreeWidgetItem(item);
            child->setText(0, m.path);
            child->setText(3, m.description);
            child->setToolTip(3, m.description);
            child->setData(0, Qt::UserRole, t.type);
            child->setData(0, Qt::UserRole + 1, m.firstPosition);
            // Exactly the events the figure counts: those of the type without the path.
            if (m.events > 0) {
                const QStringList keys = m.path.split(u'.');
                child->setData(0, Qt::UserRole + 2,
                    QStringLiteral("%1 missing").arg(JsonPath::objectKeys(keys.mid(1)).toString(keys.value(0))));
            }
            if (!m.guarded)
                lacking += m.events;
        }
        if (coverage.method == ReducerCoverage::Method::Replay) {
            item->setText(3,
                tr("replayed %1: %2 changed the state, %3 threw%4")
                    .arg(t.replayed)
                    .arg(t.changed)
                    .arg(t.failed)
                    .arg(t.error.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(t.error)));
        } else if (lacking > 0) {
            item->setText(3, tr("%n event(s) lack a field it reads", nullptr, int(std::min<qint64>(lacking, INT_MAX))));
        }
    }
    m_tree->expandAll();
    QString how;
    switch (coverage.method) {
    case ReducerCoverage::Method::Merge:
        how = tr("a merge reducer takes every type as it comes");
        break;
    case ReducerCoverage::Method::Source:
        how = tr("read from the handlers' source")
            + (coverage.sampled ? tr("; counts from the catalog's sample") : tr("; counts exact"));
        break;
    case ReducerCoverage::Method::Replay:
        how = tr("from a replay of a sample (the source reading is not sound: %1)").arg(coverage.why);
        break;
    }
    QString status
        = tr("%1 handles %2 of %3 types; %4").arg(coverage.reducer).arg(handled).arg(coverage.types.size()).arg(how);
    if (!coverage.unknownHandlers.isEmpty())
        status += tr("; handlers without events here: %1").arg(coverage.unknownHandlers.join(QStringLiteral(", ")));
    m_status->setText(status);
}

// --- ValuesPanel --------------------------------------------------------------------------------------------------

ValuesPanel::ValuesPanel(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_path(new QLineEdit(this))
    , m_duplicates(new QCheckBox(tr("Duplicates across streams"), this))
    , m_tree(new QTreeWidget(this))
{
    m_path->setPlaceholderText(tr("data.email"));
    m_duplicates->setToolTip(
        tr("Only values found in more than one stream (e.g. one e-mail address registered twice)"));
    m_tree->setHeaderLabels({ tr("Value"), tr("Events"), tr("Streams") });
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(true);
    auto* read = new QToolButton(this);
    read->setText(tr("Read"));
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_title);
    bar->addWidget(m_path, 1);
    bar->addWidget(m_duplicates);
    bar->addWidget(read);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);
    connect(read, &QToolButton::clicked, this, &ValuesPanel::refresh);
    connect(m_path, &QLineEdit::returnPressed, this, &ValuesPanel::refresh);
    connect(m_duplicates, &QCheckBox::toggled, this, &ValuesPanel::refresh);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        Q_EMIT openRequested(
            m_type, QStringLiteral("%1 = %2").arg(m_path->text().trimmed(), item->text(0)), m_firstPosition);
    });
    m_title->setText(tr("Pick a field"));
}

ValuesPanel::~ValuesPanel()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
}

void ValuesPanel::setSession(StoreSession* session, int lane)
{
    m_lane = lane;
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    m_generation.next();
    m_session = session;
    m_tree->clear();
}

void ValuesPanel::setScope(const EventFilter& scope)
{
    m_scope = scope;
    m_tree->clear();
}

void ValuesPanel::setPath(const QString& type, const QString& path, qint64 firstPosition)
{
    m_type = type;
    m_firstPosition = firstPosition;
    m_title->setText(tr("Values of %1:").arg(type));
    m_path->setText(path);
    m_tree->clear();
}

void ValuesPanel::setDuplicatesOnly(bool on)
{
    m_duplicates->setChecked(on);
}

void ValuesPanel::refresh()
{
    if (m_session && m_ticket)
        m_session->cancel(m_ticket);
    m_ticket = 0;
    const quint64 generation = m_generation.next();
    m_tree->clear();
    if (!m_session || m_type.isEmpty() || m_path->text().trimmed().isEmpty())
        return;
    ValuesQuery q;
    q.scope = m_scope;
    q.type = m_type;
    q.path = m_path->text().trimmed();
    q.duplicates = m_duplicates->isChecked();
    q.limit = 1000;
    JobCallbacks<std::vector<PathValue>> on;
    on.finished = [this, generation](std::vector<PathValue> values) {
        if (!m_generation.isCurrent(generation))
            return;
        m_ticket = 0;
        for (const PathValue& v : values) {
            auto* item = new QTreeWidgetItem(m_tree);
            item->setText(0, v.value);
            item->setText(1, QString::number(v.count));
            item->setText(2, v.streams.join(QStringLiteral(", ")));
            item->setToolTip(2, v.streams.join(u'\n'));
        }
    };
    on.failed = [this, generation](const Failure& failure) {
        if (!m_generation.isCurrent(generation))
            return;
        m_ticket = 0;
        auto* item = new QTreeWidgetItem(m_tree);
        item->setText(0, tr("Failed: %1").arg(failure.message));
    };
    on.cancelled = [this, generation] {
        if (m_generation.isCurrent(generation))
            m_ticket = 0;
    };
    m_ticket = m_session->run<std::vector<PathValue>>(
        StoreSession::Lane(m_lane), this, [q](EventStore& store, JobControl&) { return pathValues(store, q); },
        std::move(on));
}

} // namespace es
