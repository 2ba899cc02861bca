#include "diff/diffmodels.h"

#include <algorithm>

namespace es {

DiffChangesModel::DiffChangesModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void DiffChangesModel::setResult(std::shared_ptr<const DiffResult> result)
{
    beginResetModel();
    m_result = std::move(result);
    rebuild();
    endResetModel();
}

void DiffChangesModel::setStream(const QString& stream)
{
    if (stream == m_stream)
        return;
    beginResetModel();
    m_stream = stream;
    rebuild();
    endResetModel();
}

void DiffChangesModel::rebuild()
{
    m_rows.clear();
    if (!m_result)
        return;
    for (size_t i = 0; i < m_result->changes.size(); ++i) {
        if (m_stream.isEmpty() || m_result->changes[i].stream == m_stream)
            m_rows.push_back(int(i));
    }
}

const DiffChange* DiffChangesModel::change(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return nullptr;
    return &m_result->changes[size_t(m_rows[size_t(row)])];
}

int DiffChangesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DiffChangesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffChangesModel::data(const QModelIndex& index, int role) const
{
    const DiffChange* c = change(index.row());
    if (!c || (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole))
        return {};
    switch (index.column()) {
    case ChangeColumn:
        return DiffChange::kindName(c->kind);
    case StreamColumn:
        return c->stream;
    case VersionColumn:
        return role == SortRole ? QVariant(c->version) : QVariant(QString::number(c->version));
    case IdColumn:
        return c->id;
    case PathsColumn:
        return c->paths.join(QStringLiteral(", "));
    }
    return {};
}

QVariant DiffChangesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ChangeColumn:
        return tr("Change");
    case StreamColumn:
        return tr("Stream");
    case VersionColumn:
        return tr("Version");
    case IdColumn:
        return tr("Id");
    case PathsColumn:
        return tr("Paths");
    }
    return {};
}

DiffStreamsModel::DiffStreamsModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void DiffStreamsModel::setSummary(const DiffSummary& summary)
{
    beginResetModel();
    m_rows.assign(summary.perStream.begin(), summary.perStream.end());
    std::stable_sort(
        m_rows.begin(), m_rows.end(), [](const auto& x, const auto& y) { return x.second.total() > y.second.total(); });
    endResetModel();
}

QString DiffStreamsModel::stream(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].first : QString();
}

int DiffStreamsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DiffStreamsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffStreamsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size())
        || (role != Qt::DisplayRole && role != SortRole && role != Qt::TextAlignmentRole))
        return {};
    const auto& [name, counts] = m_rows[size_t(index.row())];
    if (role == Qt::TextAlignmentRole)
        return index.column() == StreamColumn ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    switch (index.column()) {
    case StreamColumn:
        return name;
    case ChangedColumn:
        return counts.changed;
    case RemovedColumn:
        return counts.removed;
    case AddedColumn:
        return counts.added;
    }
    return {};
}

QVariant DiffStreamsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StreamColumn:
        return tr("Stream");
    case ChangedColumn:
        return tr("Changed");
    case RemovedColumn:
        return tr("Removed");
    case AddedColumn:
        return tr("Added");
    }
    return {};
}

} // namespace es
