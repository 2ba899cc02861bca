#pragma once

#include "reconcile/reconcilejob.h"
#include "store/tablereader.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace es {

class ReconcileModel;
class StoreSession;

// The Reconcile dock: a reducer, a scope, a read-model table (the store's database or another address), its key
// and a column↔path mapping (suggested from the first stream's replayed state, editable); Run compares every stream
// of the scope with the table on a lane of its own (ReconcileJob), rows shown as they arrive, filtered by status. A
// row shows its columns side by side and the version its state matches; activating it opens time travel there.
class ReconcileView : public QWidget {
    Q_OBJECT
public:
    explicit ReconcileView(QWidget* parent = nullptr);
    ~ReconcileView() override;

    void setSession(StoreSession* session);

    // The form, for tests and the command line of the GUI.
    void setReducer(const QString& key);
    void setScope(const QString& category, const QString& prefix = {});
    void setTable(const QString& table, const QString& keyColumn, const QString& keyPath = {});
    void setReadModel(const QString& address);
    void setCheckpoint(const QString& name);
    void setMappings(const std::vector<ColumnMapping>& mappings);
    // Whether a second read-only connection reads every other page (the default), as the CLI's --connections 2.
    void setSecondConnection(bool on);
    // What Run asks for, from the form.
    ReconcileRequest request() const;
    std::vector<ColumnMapping> mappings() const;
    void suggest();
    void run();
    void cancel();
    bool exportTo(const QString& path, QString* error = nullptr) const; // .csv: CSV, otherwise JSON Lines

    ReconcileModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    QTableWidget* details() const { return m_details; }
    QString statusText() const;
    void setStatusFilter(const QString& status); // empty: every status
    void selectRow(int proxyRow);

Q_SIGNALS:
    void timeTravelRequested(const QString& stream, qint64 version);
    void finished(const es::ReconcileSummary& summary);
    void failed(const es::Failure& failure);
    void suggested();
    void tablesLoaded();

private:
    void loadTables();
    void loadColumns();
    void loadCheckpoints();
    void showDetails();
    void activate(const QModelIndex& index);

    QPointer<StoreSession> m_session;
    ReconcileJob* m_job;
    ReconcileModel* m_model;
    QSortFilterProxyModel* m_proxy;
    std::vector<TableColumn> m_columns;
    QComboBox* m_reducer;
    QComboBox* m_scopeKind;
    QLineEdit* m_scope;
    QLineEdit* m_readModel;
    QComboBox* m_tableName;
    QComboBox* m_keyColumn;
    QLineEdit* m_keyPath;
    QComboBox* m_checkpoint;
    QCheckBox* m_secondConnection;
    QTableWidget* m_mapping;
    QPushButton* m_run;
    QPushButton* m_cancel;
    QPushButton* m_export;
    QComboBox* m_statusFilter;
    QLabel* m_status;
    QTableView* m_table;
    QLabel* m_match;
    QTableWidget* m_details;
};

} // namespace es
