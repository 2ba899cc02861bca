#include "openstoredialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace es {

namespace {

QWidget* withBrowse(QLineEdit* edit, QPushButton* button, QWidget* parent)
{
    auto* w = new QWidget(parent);
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(edit, 1);
    l->addWidget(button);
    return w;
}

} // namespace

OpenStoreDialog::OpenStoreDialog(const QString& startDirectory, QWidget* parent)
    : QDialog(parent)
    , m_startDirectory(startDirectory)
    , m_tabs(new QTabWidget(this))
    , m_file(new QLineEdit(this))
    , m_address(new QLineEdit(this))
    , m_profile(new QComboBox(this))
    , m_mapping(new QLineEdit(this))
{
    setWindowTitle(tr("Open Store"));
    setObjectName(QStringLiteral("openStoreDialog"));

    auto* filePage = new QWidget(m_tabs);
    auto* fileForm = new QFormLayout(filePage);
    m_file->setPlaceholderText(tr("/path/to/store.sqlite"));
    auto* browseButton = new QPushButton(tr("Browse…"), filePage);
    fileForm->addRow(tr("SQLite file:"), withBrowse(m_file, browseButton, filePage));
    auto* fileNote = new QLabel(tr("Opened read-only; safe while an application is writing to it."), filePage);
    fileNote->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    fileForm->addRow(QString(), fileNote);
    m_tabs->addTab(filePage, tr("SQLite file"));

    auto* addressPage = new QWidget(m_tabs);
    auto* addressForm = new QFormLayout(addressPage);
    m_address->setPlaceholderText(tr("sqlite:///path/to/store.sqlite"));
    addressForm->addRow(tr("Address:"), m_address);
    auto* addressNote = new QLabel(tr("A file path or sqlite:///path. PostgreSQL addresses "
                                      "(postgresql://user@host/db) open where the PostgreSQL engine is available."),
        addressPage);
    addressNote->setWordWrap(true);
    addressNote->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    addressForm->addRow(QString(), addressNote);
    m_tabs->addTab(addressPage, tr("Address"));

    m_profile->setEditable(true);
    m_profile->addItem(tr("Detect automatically"), QString());
    // The connectors ship their profiles as resources; listing them keeps this dialog in step with them.
    const QStringList profiles = QDir(QStringLiteral(":/profiles")).entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    for (const QString& file : profiles) {
        const QString name = QFileInfo(file).completeBaseName();
        m_profile->addItem(name, name);
    }
    m_profile->setToolTip(tr("Force a store layout (profile) instead of recognising it from the tables"));
    m_mapping->setPlaceholderText(tr("Optional: a JSON mapping for a custom single-table layout"));
    auto* mappingButton = new QPushButton(tr("Browse…"), this);

    auto* options = new QFormLayout;
    options->addRow(tr("Layout:"), m_profile);
    options->addRow(tr("Mapping file:"), withBrowse(m_mapping, mappingButton, this));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addLayout(options);
    layout->addWidget(buttons);

    connect(browseButton, &QPushButton::clicked, this, &OpenStoreDialog::browse);
    connect(mappingButton, &QPushButton::clicked, this, &OpenStoreDialog::browseMapping);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_file, &QLineEdit::textChanged, this, &OpenStoreDialog::updateOk);
    connect(m_address, &QLineEdit::textChanged, this, &OpenStoreDialog::updateOk);
    connect(m_tabs, &QTabWidget::currentChanged, this, &OpenStoreDialog::updateOk);
    m_okButton = buttons->button(QDialogButtonBox::Open);
    updateOk();
    resize(560, sizeHint().height());
}

QString OpenStoreDialog::address() const
{
    return (m_tabs->currentIndex() == 0 ? m_file->text() : m_address->text()).trimmed();
}

OpenOptions OpenStoreDialog::options() const
{
    OpenOptions o;
    const int i = m_profile->currentIndex();
    const bool chosen = i >= 0 && m_profile->itemText(i) == m_profile->currentText();
    o.profile = chosen ? m_profile->itemData(i).toString() : m_profile->currentText().trimmed();
    o.mappingFile = m_mapping->text().trimmed();
    return o;
}

void OpenStoreDialog::setAddress(const QString& address)
{
    if (QFileInfo::exists(address)) {
        m_file->setText(address);
        m_tabs->setCurrentIndex(0);
    } else {
        m_address->setText(address);
        m_tabs->setCurrentIndex(1);
    }
}

void OpenStoreDialog::browse()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Open SQLite Event Store"),
        m_file->text().isEmpty() ? m_startDirectory : m_file->text(),
        tr("SQLite databases (*.sqlite *.sqlite3 *.db *.db3);;All files (*)"));
    if (!file.isEmpty())
        m_file->setText(file);
}

void OpenStoreDialog::browseMapping()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Layout Mapping"), m_startDirectory, tr("JSON mapping (*.json);;All files (*)"));
    if (!file.isEmpty())
        m_mapping->setText(file);
}

void OpenStoreDialog::updateOk()
{
    if (m_okButton)
        m_okButton->setEnabled(!address().isEmpty());
}

} // namespace es
