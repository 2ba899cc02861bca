#pragma once

#include "reconcile/reconciler.h"

#include <QAbstractTableModel>

namespace es {

// The rows of a reconciliation as they arrive (append-only until clear()): status, key, stream, what version the row
// matches, and the columns that differ. A snapshot model: rows are only ever appended at the end.
class ReconcileModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StatusColumn, KeyColumn, StreamColumn, MatchColumn, DifferencesColumn, ColumnCount };
    enum Role {
        StatusRole = Qt::UserRole + 1, // int(ReconcileStatus)
        SortRole,
    };

    explicit ReconcileModel(QObject* parent = nullptr);

    void clear();
    void append(const ReconcileRows& rows);
    const ReconcileRow& rowAt(int row) const { return m_rows.at(size_t(row)); }
    const ReconcileRows& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    ReconcileRows m_rows;
};

// The report as JSON Lines (the CLI's lines) or CSV: one line per column that differs (one line for a row without
// differing columns): key, stream, status, matchesVersion, matchesPosition, lastVersion, column, table, replayed,
// note. Values in the CSV are JSON text.
QByteArray reconcileJsonLines(const ReconcileRows& rows);
QByteArray reconcileCsv(const ReconcileRows& rows);

} // namespace es
