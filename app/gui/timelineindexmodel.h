#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace es {

struct TimelineIndex;

// The events of a time-travel timeline as a table (version, time, type, position), straight from the Timeline's
// shared index: data() never reads the store. The whole model resets in one step when the timeline is rebuilt.
class TimelineIndexModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { VersionColumn, TimeColumn, TypeColumn, PositionColumn, ColumnCount };
    enum Role { VersionRole = Qt::UserRole + 1, TypeIdRole, SortRole };

    explicit TimelineIndexModel(QObject* parent = nullptr);
    ~TimelineIndexModel() override;

    void setIndex(std::shared_ptr<const TimelineIndex> index);
    const std::shared_ptr<const TimelineIndex>& timelineIndex() const { return m_index; }
    // Marks the row of the cursor (bold); -1 for none.
    void setCurrentRow(qint64 row);
    qint64 currentRow() const { return m_current; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const TimelineIndex> m_index;
    qint64 m_current = -1;
};

} // namespace es
