#include "mappingwizard.h"

#include "mapping/schemareader.h"
#include "settings.h"
#include "store/storesession.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace es {

namespace {

constexpr int PreviewEvents = 20;

QStringList splitKeys(const QString& text)
{
    QStringList keys;
    for (const QString& k : text.split(u',', Qt::SkipEmptyParts))
        keys.append(k.trimmed());
    return keys;
}

} // namespace

MappingWizard::MappingWizard(const QString& address, const OpenOptions& options, QWidget* parent)
    : QDialog(parent)
    , m_address(address)
    , m_options(options)
    , m_status(new QLabel(tr("Reading the tables…"), this))
    , m_tables(new QTreeWidget(this))
    , m_roles(new QTableWidget(0, 3, this))
    , m_correlation(new QLineEdit(this))
    , m_causation(new QLineEdit(this))
    , m_warnings(new QLabel(this))
    , m_preview(new QTableWidget(0, 6, this))
    , m_previewStatus(new QLabel(this))
    , m_name(new QLineEdit(QStringLiteral("my-events"), this))
    , m_saveOpen(new QPushButton(tr("Save and Open"), this))
{
    setObjectName(QStringLiteral("mappingWizard"));
    setWindowTitle(tr("Build a Mapping — %1").arg(Settings::redactedAddress(address)));
    m_status->setWordWrap(true);
    m_tables->setObjectName(QStringLiteral("mappingTables"));
    m_tables->setHeaderLabels({ tr("Table / column"), tr("Type"), tr("Rows") });
    m_tables->setRootIsDecorated(true);
    m_roles->setObjectName(QStringLiteral("mappingRoles"));
    m_roles->setHorizontalHeaderLabels({ tr("Role"), tr("SQL expression"), tr("Why") });
    m_roles->horizontalHeader()->setStretchLastSection(true);
    m_roles->verticalHeader()->hide();
    m_warnings->setObjectName(QStringLiteral("mappingWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { color: #a15c00; }"));
    m_preview->setObjectName(QStringLiteral("mappingPreview"));
    m_preview->setHorizontalHeaderLabels(
        { tr("Position"), tr("Stream"), tr("Version"), tr("Type"), tr("Time"), tr("Data") });
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_preview->verticalHeader()->hide();
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_previewStatus->setWordWrap(true);

    auto* rolesBox = new QWidget(this);
    auto* rolesLayout = new QVBoxLayout(rolesBox);
    rolesLayout->setContentsMargins(0, 0, 0, 0);
    rolesLayout->addWidget(m_roles, 1);
    auto* links = new QFormLayout;
    links->addRow(tr("Correlation keys:"), m_correlation);
    links->addRow(tr("Causation keys:"), m_causation);
    rolesLayout->addLayout(links);
    rolesLayout->addWidget(m_warnings);
    auto* previewButton = new QPushButton(tr("Preview"), rolesBox);
    auto* previewRow = new QHBoxLayout;
    previewRow->addWidget(m_previewStatus, 1);
    previewRow->addWidget(previewButton);
    rolesLayout->addLayout(previewRow);
    rolesLayout->addWidget(m_preview, 1);

    auto* split = new QSplitter(this);
    split->addWidget(m_tables);
    split->addWidget(rolesBox);
    split->setStretchFactor(1, 3);
    split->setSizes({ 380, 1000 });

    auto* buttons = new QDialogButtonBox(this);
    auto* saveAsButton = buttons->addButton(tr("Save Mapping File…"), QDialogButtonBox::ActionRole);
    buttons->addButton(m_saveOpen, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Layout name:"), this));
    bottom->addWidget(m_name);
    bottom->addWidget(buttons, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
    layout->addLayout(bottom);
    resize(1400, 820);

    connect(m_tables, &QTreeWidget::itemSelectionChanged, this, &MappingWizard::chooseTable);
    connect(m_roles, &QTableWidget::itemChanged, this, [this] {
        if (!m_showing)
            readEdits();
    });
    connect(previewButton, &QPushButton::clicked, this, &MappingWizard::preview);
    connect(saveAsButton, &QPushButton::clicked, this, &MappingWizard::saveAs);
    connect(m_saveOpen, &QPushButton::clicked, this, &MappingWizard::saveAndOpen);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_saveOpen->setEnabled(false);

    // The catalog is read on a thread of its own (a connection of its own); the result comes back queued.
    QPointer<MappingWizard> self(this);
    QThread* reader = QThread::create([self, address, options] {
        DatabaseSchema schema;
        QString error;
        try {
            schema = SchemaReader::describe(address, options);
        } catch (const StoreError& e) {
            error = e.message();
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, schema, error] {
                if (!self)
                    return;
                if (!error.isEmpty()) {
                    self->m_loading = false;
                    self->m_status->setText(tr("Could not read the tables: %1").arg(error));
                    Q_EMIT self->described();
                    return;
                }
                self->setSchema(schema);
            },
            Qt::QueuedConnection);
    });
    connect(reader, &QThread::finished, reader, &QObject::deleteLater);
    reader->start();
}

MappingWizard::~MappingWizard() = default;

void MappingWizard::setSchema(const DatabaseSchema& schema)
{
    m_schema = schema;
    m_loading = false;
    m_proposal = MappingProposer::propose(schema);
    m_status->setText(m_proposal.table.isEmpty()
            ? tr("No table looks like an events table (%1 tables). Pick one on the left.").arg(schema.tables.size())
            : tr("No built-in layout matches this database. Proposed from %1 tables: events in %2 (%3). Edit any "
                 "expression, preview, then save the mapping file.")
                  .arg(schema.tables.size())
                  .arg(m_proposal.schema.isEmpty() ? m_proposal.table : m_proposal.schema + u'.' + m_proposal.table,
                      m_proposal.tableReason));
    const QSignalBlocker block(m_tables);
    m_tables->clear();
    for (const DbTable& t : schema.tables) {
        auto* item = new QTreeWidgetItem(m_tables,
            { t.qualifiedName(), t.view ? tr("view") : tr("table"),
                t.rowEstimate < 0 ? QStringLiteral("?") : QLocale().toString(t.rowEstimate) });
        item->setData(0, Qt::UserRole, t.qualifiedName());
        for (const DbColumn& c : t.columns) {
            new QTreeWidgetItem(item,
                { c.name,
                    c.type + (c.primaryKey ? tr(", key") : QString()) + (c.generated ? tr(", generated") : QString()),
                    QString() });
        }
        if (t.qualifiedName()
            == (m_proposal.schema.isEmpty() ? m_proposal.table : m_proposal.schema + u'.' + m_proposal.table)) {
            item->setSelected(true);
            item->setExpanded(true);
            m_tables->scrollToItem(item);
        }
    }
    for (int c = 0; c < m_tables->columnCount(); ++c)
        m_tables->resizeColumnToContents(c);
    showProposal();
    Q_EMIT described();
    if (m_proposal.complete())
        preview();
}

void MappingWizard::chooseTable()
{
    const QList<QTreeWidgetItem*> selected = m_tables->selectedItems();
    if (selected.isEmpty() || m_loading)
        return;
    QTreeWidgetItem* item = selected.front()->parent() ? selected.front()->parent() : selected.front();
    const QString table = item->data(0, Qt::UserRole).toString();
    if (table.isEmpty()
        || table == (m_proposal.schema.isEmpty() ? m_proposal.table : m_proposal.schema + u'.' + m_proposal.table))
        return;
    m_proposal = MappingProposer::propose(m_schema, table);
    showProposal();
    preview();
}

void MappingWizard::showProposal()
{
    m_showing = true;
    m_roles->setRowCount(int(m_proposal.roles.size()));
    int row = 0;
    for (const MappingRole& r : m_proposal.roles) {
        auto* name = new QTableWidgetItem(r.role);
        name->setFlags(Qt::ItemIsEnabled);
        if (MappingProposal::requiredRoles().contains(r.role))
            name->setText(r.role + u'*');
        auto* reason = new QTableWidgetItem(r.reason);
        reason->setFlags(Qt::ItemIsEnabled);
        reason->setToolTip(r.reason);
        m_roles->setItem(row, 0, name);
        m_roles->setItem(row, 1, new QTableWidgetItem(r.expression));
        m_roles->setItem(row, 2, reason);
        ++row;
    }
    m_roles->resizeColumnToContents(0);
    m_roles->setColumnWidth(1, 320);
    m_correlation->setText(m_proposal.correlationKeys.join(QStringLiteral(", ")));
    m_causation->setText(m_proposal.causationKeys.join(QStringLiteral(", ")));
    QStringList warnings;
    for (const QString& w : m_proposal.warnings)
        warnings.append(QStringLiteral("⚠ ") + w);
    m_warnings->setText(warnings.join(u'\n'));
    m_saveOpen->setEnabled(m_proposal.complete());
    m_showing = false;
}

void MappingWizard::readEdits()
{
    for (int row = 0; row < m_roles->rowCount(); ++row) {
        const QString role = m_proposal.roles[size_t(row)].role;
        m_proposal.setRole(role, m_roles->item(row, 1)->text());
        m_roles->item(row, 2)->setText(m_proposal.role(role).reason);
    }
    m_proposal.correlationKeys = splitKeys(m_correlation->text());
    m_proposal.causationKeys = splitKeys(m_causation->text());
    m_saveOpen->setEnabled(m_proposal.complete());
}

QString MappingWizard::writeTemporary()
{
    const QString path = m_temp.filePath(QStringLiteral("preview-%1.json").arg(++m_previewCount));
    return save(path) ? path : QString();
}

void MappingWizard::preview()
{
    readEdits();
    if (!m_proposal.complete()) {
        showPreviewFailure(
            tr("Nothing to preview: no %1 yet.").arg(m_proposal.missingRoles().join(QStringLiteral(", "))));
        return;
    }
    const QString file = writeTemporary();
    if (file.isEmpty())
        return;
    if (m_previewSession) {
        m_previewSession->cancelAll();
        m_previewSession->deleteLater();
    }
    OpenOptions options = m_options;
    options.profile.clear();
    options.mappingFile = file;
    auto* session = new StoreSession(StoreOpener { m_address, options }, this);
    m_previewSession = session;
    m_previewStatus->setText(tr("Reading the first events through the mapping…"));
    session->run<EventList>(
        StoreSession::Lane::Interactive, this,
        [](EventStore& store) {
            EventQuery q;
            q.limit = PreviewEvents;
            return store.events(q).events;
        },
        [this, session](EventList events) {
            if (m_previewSession == session)
                showPreview(events);
        },
        [this, session](const Failure& failure) {
            if (m_previewSession == session)
                showPreviewFailure(failure.message);
        });
}

void MappingWizard::showPreview(const EventList& events)
{
    m_preview->setRowCount(int(events.size()));
    int row = 0;
    for (const Event& e : events) {
        const QStringList cells { QString::number(e.position), e.stream, QString::number(e.version), e.type,
            e.time.isValid() ? e.time.toString(Qt::ISODateWithMs) : QString(), e.data.preview(160) };
        for (int c = 0; c < cells.size(); ++c)
            m_preview->setItem(row, c, new QTableWidgetItem(cells[c]));
        ++row;
    }
    m_preview->resizeColumnsToContents();
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_previewStatus->setText(events.empty()
            ? tr("The mapping reads no events.")
            : tr("The first %n event(s) as the mapping reads them.", nullptr, int(events.size())));
    Q_EMIT previewed();
}

void MappingWizard::showPreviewFailure(const QString& message)
{
    m_preview->setRowCount(0);
    m_previewStatus->setText(tr("Preview failed: %1").arg(message));
    Q_EMIT previewed();
}

QStringList MappingWizard::previewRows() const
{
    QStringList rows;
    for (int r = 0; r < m_preview->rowCount(); ++r) {
        rows.append(QStringLiteral("%1 %2@%3 %4")
                        .arg(m_preview->item(r, 0)->text(), m_preview->item(r, 1)->text(),
                            m_preview->item(r, 2)->text(), m_preview->item(r, 3)->text()));
    }
    return rows;
}

bool MappingWizard::save(const QString& path)
{
    const QString name = m_name->text().trimmed().isEmpty() ? QStringLiteral("my-events") : m_name->text().trimmed();
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || f.write(QJsonDocument(m_proposal.toMappingJson(name)).toJson(QJsonDocument::Indented)) < 0) {
        showPreviewFailure(tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    return true;
}

void MappingWizard::saveAs()
{
    readEdits();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Mapping File"),
        Settings::instance()->lastDirectory() + u'/' + m_name->text() + QStringLiteral(".json"),
        tr("Mapping files (*.json)"));
    if (!path.isEmpty() && save(path))
        m_savedFile = path;
}

void MappingWizard::saveAndOpen()
{
    readEdits();
    if (m_savedFile.isEmpty()) {
        saveAs();
        if (m_savedFile.isEmpty())
            return;
    } else if (!save(m_savedFile)) {
        return;
    }
    accept();
}

bool MappingWizard::offer(QWidget* parent, const QString& address, const OpenOptions& options, QString* mappingFile)
{
    const auto answer = QMessageBox::question(parent, tr("No Known Layout"),
        tr("No built-in profile matches the tables of %1.\n\nBuild a mapping file from its tables? EventScope "
           "proposes the events table and the column for each role; you check them on a preview.")
            .arg(Settings::redactedAddress(address)),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes)
        return false;
    MappingWizard wizard(address, options, parent);
    if (wizard.exec() != QDialog::Accepted)
        return false;
    *mappingFile = wizard.mappingFile();
    return !mappingFile->isEmpty();
}

} // namespace es
