#pragma once

#include "diff/diffjob.h"

#include <QAbstractTableModel>

#include <memory>

namespace es {

// The changes of a diff, one per row (change, stream, version, id, paths); setStream() keeps one stream's.
class DiffChangesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ChangeColumn, StreamColumn, VersionColumn, IdColumn, PathsColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit DiffChangesModel(QObject* parent = nullptr);

    // Resets in one step; the result is shared, not copied.
    void setResult(std::shared_ptr<const DiffResult> result);
    void setStream(const QString& stream); // empty: every stream
    const DiffChange* change(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    std::shared_ptr<const DiffResult> m_result;
    QString m_stream;
    std::vector<int> m_rows; // indexes into m_result->changes
};

// Counts per stream (only streams with differences), the streams with most differences first.
class DiffStreamsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StreamColumn, ChangedColumn, RemovedColumn, AddedColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit DiffStreamsModel(QObject* parent = nullptr);
    void setSummary(const DiffSummary& summary);
    QString stream(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<std::pair<QString, DiffCounts>> m_rows;
};

} // namespace es
