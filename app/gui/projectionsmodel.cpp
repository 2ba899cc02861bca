#include "projectionsmodel.h"

#include <QColor>

namespace es {

namespace {

QString seconds(const std::optional<double>& value)
{
    if (!value)
        return QStringLiteral("–");
    const double s = *value;
    if (s < 120)
        return QString::number(s, 'f', s < 10 ? 1 : 0) + QStringLiteral(" s");
    if (s < 7200)
        return QString::number(s / 60, 'f', 1) + QStringLiteral(" min");
    return QString::number(s / 3600, 'f', 1) + QStringLiteral(" h");
}

} // namespace

ProjectionsModel::ProjectionsModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void ProjectionsModel::setRows(std::vector<LagRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

const LagRow* ProjectionsModel::rowAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)] : nullptr;
}

int ProjectionsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProjectionsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor ProjectionsModel::statusColor(LagStatus status)
{
    switch (status) {
    case LagStatus::CaughtUp:
        return QColor(0xc8, 0xe6, 0xc9);
    case LagStatus::CatchingUp:
    case LagStatus::Behind:
        return QColor(0xff, 0xf5, 0xc4);
    case LagStatus::FallingBehind:
        return QColor(0xff, 0xd5, 0xa0);
    case LagStatus::Stalled:
    case LagStatus::Error:
    case LagStatus::Unparseable:
        return QColor(0xff, 0xb4, 0xb4);
    case LagStatus::Ahead:
        return QColor(0xd0, 0xd8, 0xff);
    }
    return {};
}

QVariant ProjectionsModel::data(const QModelIndex& index, int role) const
{
    const LagRow* r = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!r)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return r->name;
        case PartitionColumn:
            return r->partition;
        case ScopeColumn:
            return r->scope;
        case PositionColumn:
            return !r->started ? tr("(none)") : r->position >= 0 ? QString::number(r->position) : r->raw;
        case HeadColumn:
            return r->head >= 0 ? QString::number(r->head) : QStringLiteral("–");
        case LagEventsColumn:
            if (r->lagEvents < 0)
                return QStringLiteral("–");
            return r->lagEstimated ? u'≈' + QString::number(r->lagEvents) : QString::number(r->lagEvents);
        case LagSecondsColumn:
            return seconds(r->lagSeconds);
        case RateColumn:
            return r->ratePerSecond ? QString::number(*r->ratePerSecond, 'f', 1) + tr("/s") : QStringLiteral("–");
        case EtaColumn:
            return seconds(r->etaSeconds);
        case StatusColumn:
            return lagStatusTitle(r->status);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case PositionColumn:
            return r->position;
        case HeadColumn:
            return r->head;
        case LagEventsColumn:
            return r->lagEvents;
        case LagSecondsColumn:
            return r->lagSeconds.value_or(-1);
        case RateColumn:
            return r->ratePerSecond.value_or(-1);
        case EtaColumn:
            return r->etaSeconds.value_or(-1);
        case StatusColumn:
            return int(r->status);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::BackgroundRole:
        if (index.column() == StatusColumn)
            return statusColor(r->status);
        break;
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn)
            return QColor(Qt::black);
        break;
    case Qt::ToolTipRole:
        if (!r->detail.isEmpty())
            return r->detail;
        if (r->status == LagStatus::Stalled)
            return tr("Not moving for %1 s").arg(qint64(r->stalledFor));
        if (r->lagEstimated && index.column() == LagEventsColumn)
            return tr("Estimated: counted exactly only near the head, extrapolated further back");
        return r->raw.isEmpty() ? QVariant() : tr("Stored value: %1").arg(r->raw);
    case Qt::TextAlignmentRole:
        if (index.column() >= PositionColumn && index.column() <= EtaColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case StatusRole:
        return lagStatusName(r->status);
    case KeyRole:
        return r->key;
    }
    return {};
}

QVariant ProjectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case PartitionColumn:
        return tr("Partition");
    case ScopeColumn:
        return tr("Scope");
    case PositionColumn:
        return tr("Position");
    case HeadColumn:
        return tr("Head");
    case LagEventsColumn:
        return tr("Lag (events)");
    case LagSecondsColumn:
        return tr("Lag (time)");
    case RateColumn:
        return tr("Rate");
    case EtaColumn:
        return tr("ETA");
    case StatusColumn:
        return tr("Status");
    }
    return {};
}

} // namespace es
