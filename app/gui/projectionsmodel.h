#pragma once

#include "live/lag.h"

#include <QAbstractTableModel>

#include <vector>

namespace es {

// The rows of the Projections view: one per checkpoint (and partition), reset in one step per poll.
class ProjectionsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        PartitionColumn,
        ScopeColumn,
        PositionColumn,
        HeadColumn,
        LagEventsColumn,
        LagSecondsColumn,
        RateColumn,
        EtaColumn,
        StatusColumn,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, StatusRole, KeyRole };
    Q_ENUM(Role)

    explicit ProjectionsModel(QObject* parent = nullptr);

    void setRows(std::vector<LagRow> rows);
    const std::vector<LagRow>& rows() const { return m_rows; }
    const LagRow* rowAt(int row) const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QColor statusColor(LagStatus status);

private:
    std::vector<LagRow> m_rows;
};

} // namespace es
