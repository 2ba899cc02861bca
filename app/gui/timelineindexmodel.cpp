#include "timelineindexmodel.h"

#include "display/timeformat.h"
#include "fold/timelineindex.h"
#include "timelinestrip.h"

#include <QFont>

namespace es {

TimelineIndexModel::TimelineIndexModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

TimelineIndexModel::~TimelineIndexModel() = default;

void TimelineIndexModel::setIndex(std::shared_ptr<const TimelineIndex> index)
{
    beginResetModel();
    m_index = std::move(index);
    m_current = -1;
    endResetModel();
}

void TimelineIndexModel::setCurrentRow(qint64 row)
{
    if (row == m_current)
        return;
    const qint64 old = m_current;
    m_current = row;
    for (const qint64 r : { old, row }) {
        if (r >= 0 && r < rowCount())
            Q_EMIT dataChanged(index(int(r), 0), index(int(r), ColumnCount - 1), { Qt::FontRole });
    }
}

int TimelineIndexModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_index ? 0 : int(qMin<qint64>(m_index->count(), INT_MAX));
}

int TimelineIndexModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineIndexModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_index)
        return {};
    const qint64 row = index.row();
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case VersionColumn:
            return m_index->versionAt(row);
        case TimeColumn: {
            const QDateTime t = m_index->timeAt(row);
            if (role == SortRole)
                return t.isValid() ? t.toMSecsSinceEpoch() : qint64(-1);
            return TimeFormat::format(t);
        }
        case TypeColumn:
            return m_index->typeAt(row);
        case PositionColumn: {
            const qint64 p = m_index->positionAt(row);
            return p >= 0 ? QVariant(p) : QVariant();
        }
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == TypeColumn)
            return TimelineStripGeometry::typeColor(m_index->typeAt(row));
        break;
    case Qt::FontRole:
        if (row == m_current) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case Qt::ForegroundRole:
        if (m_index->errorIndex >= 0 && row >= m_index->errorIndex)
            return QColor(190, 30, 30);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == VersionColumn || index.column() == PositionColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case VersionRole:
        return m_index->versionAt(row);
    case TypeIdRole:
        return int(m_index->typeIdAt(row));
    default:
        break;
    }
    return {};
}

QVariant TimelineIndexModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case VersionColumn:
        return tr("Version");
    case TimeColumn:
        return tr("Time");
    case TypeColumn:
        return tr("Type");
    case PositionColumn:
        return tr("Position");
    }
    return {};
}

} // namespace es
