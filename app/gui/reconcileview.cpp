#include "reconcileview.h"

#include "fold/reducer.h"
#include "fold/reducercatalog.h"
#include "reconcile/mappingsuggest.h"
#include "reconcile/reconcilemodel.h"
#include "store/storesession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace es {

namespace {

enum ScopeKind { Category, Prefix, Everything };

QString shown(const QJsonValue& v)
{
    if (v.isUndefined())
        return QStringLiteral("(no row / no value)");
    if (v.isString())
        return v.toString();
    return QString::fromUtf8(toJsonText(v));
}

} // namespace

ReconcileView::ReconcileView(QWidget* parent)
    : QWidget(parent)
    , m_job(new ReconcileJob(this))
    , m_model(new ReconcileModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_reducer = new QComboBox(this);
    m_reducer->setEditable(true);
    m_reducer->setToolTip(tr("A reducer of time travel, or the path of a .js file"));
    for (const ReducerCatalog::Entry& e : ReducerCatalog::entries())
        m_reducer->addItem(e.name, e.key);
    m_scopeKind = new QComboBox(this);
    m_scopeKind->addItems({ tr("Category"), tr("Streams starting with"), tr("Every stream") });
    m_scope = new QLineEdit(this);
    m_readModel = new QLineEdit(this);
    m_readModel->setPlaceholderText(tr("the store's own database"));
    m_readModel->setToolTip(
        tr("Another SQLite file or postgresql:// address holding the read model (opened read-only)"));
    m_tableName = new QComboBox(this);
    m_tableName->setEditable(true);
    m_keyColumn = new QComboBox(this);
    m_keyColumn->setEditable(true);
    m_keyPath = new QLineEdit(this);
    m_keyPath->setPlaceholderText(tr("empty: the key column holds the stream name"));
    m_checkpoint = new QComboBox(this);
    m_checkpoint->setEditable(true);
    m_checkpoint->setToolTip(tr("The projection's checkpoint: rows behind it whose stream has later events are stale"));
    m_secondConnection = new QCheckBox(tr("A second connection reads every other page"), this);
    m_secondConnection->setChecked(true);
    m_secondConnection->setToolTip(tr("Two read-only connections to the store read the events, faster on a large "
                                      "scope; clear it to keep to one (as the CLI's --connections 1)"));
    m_mapping = new QTableWidget(0, 2, this);
    m_mapping->setHorizontalHeaderLabels({ tr("Column"), tr("State path") });
    m_mapping->horizontalHeader()->setStretchLastSection(true);
    m_mapping->verticalHeader()->hide();
    auto* suggestButton = new QPushButton(tr("Suggest"), this);
    suggestButton->setToolTip(tr("Match the table's columns with the paths of the first stream's replayed state"));
    auto* addButton = new QPushButton(tr("Add"), this);
    auto* removeButton = new QPushButton(tr("Remove"), this);

    auto* scopeRow = new QHBoxLayout;
    scopeRow->addWidget(m_scopeKind);
    scopeRow->addWidget(m_scope, 1);
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_keyColumn, 1);
    keyRow->addWidget(new QLabel(tr("or state path"), this));
    keyRow->addWidget(m_keyPath, 1);
    auto* form = new QFormLayout;
    form->addRow(tr("Reducer"), m_reducer);
    form->addRow(tr("Scope"), scopeRow);
    form->addRow(tr("Read model"), m_readModel);
    form->addRow(tr("Table"), m_tableName);
    form->addRow(tr("Key column"), keyRow);
    form->addRow(tr("Checkpoint"), m_checkpoint);
    form->addRow(tr("Connections"), m_secondConnection);
    auto* mappingButtons = new QHBoxLayout;
    mappingButtons->addWidget(suggestButton);
    mappingButtons->addWidget(addButton);
    mappingButtons->addWidget(removeButton);
    mappingButtons->addStretch();
    auto* mappingBox = new QVBoxLayout;
    mappingBox->addWidget(m_mapping);
    mappingBox->addLayout(mappingButtons);
    form->addRow(tr("Columns"), mappingBox);

    m_run = new QPushButton(tr("Run"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_export = new QPushButton(tr("Export…"), this);
    m_statusFilter = new QComboBox(this);
    m_statusFilter->addItem(tr("Every status"), QString());
    for (const ReconcileStatus s : { ReconcileStatus::Differs, ReconcileStatus::Missing, ReconcileStatus::Extra,
             ReconcileStatus::Stale, ReconcileStatus::Ok })
        m_statusFilter->addItem(reconcileStatusName(s), reconcileStatusName(s));
    m_status = new QLabel(this);
    // A line of its own under the buttons, wrapped: a long summary must not widen the form and squeeze the results,
    // nor vanish when the form is narrow.
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_run);
    actions->addWidget(m_cancel);
    actions->addWidget(m_export);
    actions->addWidget(new QLabel(tr("Show"), this));
    actions->addWidget(m_statusFilter);
    actions->addStretch();

    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(ReconcileModel::StatusColumn);
    m_proxy->setSortRole(ReconcileModel::SortRole);
    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_match = new QLabel(this);
    m_match->setWordWrap(true);
    m_details = new QTableWidget(0, 3, this);
    m_details->setHorizontalHeaderLabels({ tr("Column"), tr("Table"), tr("Replayed") });
    m_details->horizontalHeader()->setStretchLastSection(true);
    m_details->verticalHeader()->hide();
    m_details->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* detailBox = new QWidget(this);
    auto* detailLayout = new QVBoxLayout(detailBox);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_match);
    detailLayout->addWidget(m_details);

    auto* formBox = new QWidget(this);
    auto* formLayout = new QVBoxLayout(formBox);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addLayout(form);
    formLayout->addLayout(actions);
    formLayout->addWidget(m_status);
    auto* results = new QSplitter(Qt::Vertical, this);
    results->addWidget(m_table);
    results->addWidget(detailBox);
    results->setStretchFactor(0, 3);
    results->setStretchFactor(1, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(formBox);
    split->addWidget(results);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_readModel, &QLineEdit::editingFinished, this, &ReconcileView::loadTables);
    connect(m_tableName, &QComboBox::currentTextChanged, this, &ReconcileView::loadColumns);
    connect(suggestButton, &QPushButton::clicked, this, &ReconcileView::suggest);
    connect(addButton, &QPushButton::clicked, this, [this] { m_mapping->insertRow(m_mapping->rowCount()); });
    connect(removeButton, &QPushButton::clicked, this, [this] {
        if (m_mapping->currentRow() >= 0)
            m_mapping->removeRow(m_mapping->currentRow());
    });
    connect(m_run, &QPushButton::clicked, this, &ReconcileView::run);
    connect(m_cancel, &QPushButton::clicked, this, &ReconcileView::cancel);
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the report"), QStringLiteral("reconcile.jsonl"), tr("JSON Lines (*.jsonl);;CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportTo(path, &error))
            m_status->setText(error);
    });
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
        [this] { setStatusFilter(m_statusFilter->currentData().toString()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ReconcileView::showDetails);
    connect(m_table, &QTableView::activated, this, &ReconcileView::activate);
    connect(m_job, &ReconcileJob::rowsAvailable, m_model, &ReconcileModel::append);
    connect(m_job, &ReconcileJob::runningChanged, this, [this](bool running) {
        m_run->setEnabled(!running);
        m_cancel->setEnabled(running);
    });
    connect(m_job, &ReconcileJob::progress, this, [this](qint64 streams, qint64 rows) {
        m_status->setText(
            tr("Reconciling: %1 streams, %2 rows, %3 reported").arg(streams).arg(rows).arg(m_model->rowCount()));
    });
    connect(m_job, &ReconcileJob::finished, this, [this](const ReconcileSummary& summary) {
        m_status->setText(summary.toText());
        Q_EMIT finished(summary);
    });
    connect(m_job, &ReconcileJob::failed, this, [this](const Failure& failure) {
        m_status->setText(tr("Failed: %1").arg(failure.message));
        Q_EMIT failed(failure);
    });
}

ReconcileView::~ReconcileView() = default;

void ReconcileView::setSession(StoreSession* session)
{
    m_job->setSession(session);
    m_session = session;
    m_model->clear();
    m_status->clear();
    if (session) {
        loadTables();
        loadCheckpoints();
    }
}

void ReconcileView::setReducer(const QString& key)
{
    const int i = m_reducer->findData(key);
    if (i >= 0)
        m_reducer->setCurrentIndex(i);
    else
        m_reducer->setEditText(key);
}

void ReconcileView::setScope(const QString& category, const QString& prefix)
{
    m_scopeKind->setCurrentIndex(!category.isEmpty() ? Category : !prefix.isEmpty() ? Prefix : Everything);
    m_scope->setText(!category.isEmpty() ? category : prefix);
}

void ReconcileView::setTable(const QString& table, const QString& keyColumn, const QString& keyPath)
{
    m_tableName->setEditText(table);
    m_keyColumn->setEditText(keyColumn);
    m_keyPath->setText(keyPath);
}

void ReconcileView::setReadModel(const QString& address)
{
    m_readModel->setText(address);
    loadTables();
}

void ReconcileView::setCheckpoint(const QString& name)
{
    m_checkpoint->setEditText(name);
}

void ReconcileView::setMappings(const std::vector<ColumnMapping>& mappings)
{
    m_mapping->setRowCount(0);
    for (const ColumnMapping& m : mappings) {
        const int row = m_mapping->rowCount();
        m_mapping->insertRow(row);
        m_mapping->setItem(row, 0, new QTableWidgetItem(m.column));
        m_mapping->setItem(row, 1, new QTableWidgetItem(m.path));
    }
}

std::vector<ColumnMapping> ReconcileView::mappings() const
{
    std::vector<ColumnMapping> out;
    for (int row = 0; row < m_mapping->rowCount(); ++row) {
        const QTableWidgetItem* column = m_mapping->item(row, 0);
        const QTableWidgetItem* path = m_mapping->item(row, 1);
        if (column && path && !column->text().trimmed().isEmpty() && !path->text().trimmed().isEmpty())
            out.push_back({ column->text().trimmed(), path->text().trimmed() });
    }
    return out;
}

void ReconcileView::setSecondConnection(bool on)
{
    m_secondConnection->setChecked(on);
}

ReconcileRequest ReconcileView::request() const
{
    ReconcileRequest r;
    const int i = m_reducer->findText(m_reducer->currentText());
    r.reducerKey = i >= 0 ? m_reducer->itemData(i).toString() : m_reducer->currentText();
    r.readModelAddress = m_readModel->text().trimmed();
    r.checkpointName = m_checkpoint->currentText().trimmed();
    if (m_scopeKind->currentIndex() == Category)
        r.options.category = m_scope->text().trimmed();
    else if (m_scopeKind->currentIndex() == Prefix)
        r.options.prefix = m_scope->text().trimmed();
    r.options.table = m_tableName->currentText().trimmed();
    r.options.keyColumn = m_keyColumn->currentText().trimmed();
    r.options.keyPath = m_keyPath->text().trimmed();
    r.options.columns = mappings();
    r.connections = m_secondConnection->isChecked() ? 2 : 1;
    return r;
}

void ReconcileView::loadTables()
{
    if (!m_session)
        return;
    const QString address = m_readModel->text().trimmed();
    m_session->run<QStringList>(
        StoreSession::Lane::Background, this,
        [address](EventStore& store) {
            if (address.isEmpty())
                return store.tables() ? store.tables()->tables() : QStringList();
            return StoreRegistry::openTables(address)->tables();
        },
        [this](QStringList tables) {
            const QString current = m_tableName->currentText();
            const QSignalBlocker block(m_tableName);
            m_tableName->clear();
            m_tableName->addItems(tables);
            m_tableName->setEditText(current);
            Q_EMIT tablesLoaded();
        },
        [this](const Failure& failure) { m_status->setText(failure.message); });
}

void ReconcileView::loadColumns()
{
    const QString table = m_tableName->currentText().trimmed();
    if (!m_session || table.isEmpty())
        return;
    const QString address = m_readModel->text().trimmed();
    m_session->run<std::vector<TableColumn>>(
        StoreSession::Lane::Background, this,
        [address, table](EventStore& store) {
            if (address.isEmpty())
                return store.tables() ? store.tables()->columns(table) : std::vector<TableColumn>();
            return StoreRegistry::openTables(address)->columns(table);
        },
        [this, table](std::vector<TableColumn> columns) {
            if (m_tableName->currentText().trimmed() != table)
                return;
            m_columns = std::move(columns);
            const QString current = m_keyColumn->currentText();
            m_keyColumn->clear();
            for (const TableColumn& c : m_columns)
                m_keyColumn->addItem(c.name);
            m_keyColumn->setEditText(current.isEmpty() ? suggestKeyColumn(m_columns) : current);
        },
        [](const Failure&) {});
}

void ReconcileView::loadCheckpoints()
{
    m_session->run<QStringList>(
        StoreSession::Lane::Background, this,
        [](EventStore& store) {
            QStringList names;
            for (const CheckpointRow& row : store.checkpoints().rows) {
                if (!names.contains(row.name))
                    names.append(row.name);
            }
            return names;
        },
        [this](QStringList names) {
            const QString current = m_checkpoint->currentText();
            m_checkpoint->clear();
            m_checkpoint->addItem(QString());
            m_checkpoint->addItems(names);
            m_checkpoint->setEditText(current);
        },
        [](const Failure&) {});
}

void ReconcileView::suggest()
{
    if (!m_session)
        return;
    const ReconcileRequest r = request();
    m_session->run<std::vector<ColumnMapping>>(
        StoreSession::Lane::Background, this,
        [r](EventStore& store) {
            Failure failure;
            const ReducerPtr reducer = ReducerCatalog::load(r.reducerKey, &failure);
            if (!reducer)
                throw StoreError(failure.message, failure.kind);
            std::unique_ptr<TableReader> own;
            TableReader* tables = store.tables();
            if (!r.readModelAddress.isEmpty()) {
                own = StoreRegistry::openTables(r.readModelAddress);
                tables = own.get();
            }
            if (!tables)
                return std::vector<ColumnMapping>();
            const std::vector<TableColumn> columns = tables->columns(r.options.table);
            const QJsonValue state = sampleState(store, reducer, r.options.category, r.options.prefix);
            return suggestMappings(columns, r.options.keyColumn, state);
        },
        [this](std::vector<ColumnMapping> suggested) {
            setMappings(suggested);
            m_status->setText(tr("%1 columns matched by name: check the paths").arg(suggested.size()));
            Q_EMIT this->suggested();
        },
        [this](const Failure& failure) { m_status->setText(failure.message); });
}

void ReconcileView::run()
{
    m_model->clear();
    m_details->setRowCount(0);
    m_match->clear();
    m_status->setText(tr("Reconciling…"));
    m_job->start(request());
}

void ReconcileView::cancel()
{
    m_job->cancel();
    m_status->setText(tr("Cancelled after %1 rows").arg(m_model->rowCount()));
}

bool ReconcileView::exportTo(const QString& path, QString* error) const
{
    QSaveFile file(path);
    const bool csv = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(csv ? reconcileCsv(m_model->rows()) : reconcileJsonLines(m_model->rows())) < 0
        || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString ReconcileView::statusText() const
{
    return m_status->text();
}

void ReconcileView::setStatusFilter(const QString& status)
{
    if (status.isEmpty())
        m_proxy->setFilterRegularExpression(QString());
    else
        m_proxy->setFilterRegularExpression(QStringLiteral("^%1$").arg(status));
    const int i = m_statusFilter->findData(status);
    if (i >= 0 && i != m_statusFilter->currentIndex())
        m_statusFilter->setCurrentIndex(i);
}

void ReconcileView::selectRow(int proxyRow)
{
    m_table->setCurrentIndex(m_proxy->index(proxyRow, 0));
}

void ReconcileView::showDetails()
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    m_details->setRowCount(0);
    if (!current.isValid()) {
        m_match->clear();
        return;
    }
    const ReconcileRow& r = m_model->rowAt(current.row());
    QString text = QStringLiteral("%1 — %2").arg(r.key, reconcileStatusName(r.status));
    if (!r.matchText().isEmpty())
        text += QStringLiteral(": ") + r.matchText();
    if (r.status == ReconcileStatus::Differs && r.matchesVersion >= 0 && r.matchesVersion < r.lastVersion)
        text += tr(" — the events after it were never applied");
    else if (r.status == ReconcileStatus::Differs && r.matchesVersion < 0)
        text += tr(" — a wrong value, not a lag");
    if (!r.note.isEmpty())
        text += QStringLiteral(" (") + r.note + u')';
    m_match->setText(text);
    for (const ColumnValues& c : r.columns) {
        const int row = m_details->rowCount();
        m_details->insertRow(row);
        m_details->setItem(row, 0, new QTableWidgetItem(c.column));
        m_details->setItem(row, 1, new QTableWidgetItem(shown(c.table)));
        m_details->setItem(row, 2, new QTableWidgetItem(shown(c.replayed)));
    }
    m_details->resizeColumnsToContents();
}

void ReconcileView::activate(const QModelIndex& index)
{
    const ReconcileRow& r = m_model->rowAt(m_proxy->mapToSource(index).row());
    if (r.stream.isEmpty())
        return;
    Q_EMIT timeTravelRequested(r.stream, r.matchesVersion >= 0 ? r.matchesVersion : r.lastVersion);
}

} // namespace es
