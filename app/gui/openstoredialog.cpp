#include "openstoredialog.h"
#include "display/timeformat.h"
#include "store/storesession.h"

#include "connectors.h"
#include "savedconnectionsbar.h"
#include "store/storeregistry.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

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
    m_address->setPlaceholderText(tr("sqlite:///path/to/store.sqlite or postgresql://user@host/db"));
    addressForm->addRow(tr("Address:"), m_address);
    auto* addressNote = new QLabel(tr("A file path, sqlite:///path, a postgresql:// URI or a libpq keyword string "
                                      "(host=… dbname=…)."),
        addressPage);
    addressNote->setWordWrap(true);
    addressNote->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    addressForm->addRow(QString(), addressNote);
    m_tabs->addTab(addressPage, tr("Address"));

    // Built after the layout box so that box stays the dialog's first combo box child.
    m_pgPage = new QWidget(m_tabs);
    m_pgPage->setObjectName(QStringLiteral("postgresPage"));
    auto* pgForm = new QFormLayout(m_pgPage);
    const auto pgEdit = [this](const char* name, const QString& placeholder) {
        auto* edit = new QLineEdit(m_pgPage);
        edit->setObjectName(QLatin1String(name));
        edit->setPlaceholderText(placeholder);
        return edit;
    };
    m_pgHost = pgEdit("pgHost", tr("default: PGHOST or the local socket"));
    m_pgPort = pgEdit("pgPort", tr("5432"));
    m_pgDatabase = pgEdit("pgDatabase", tr("default: PGDATABASE or the user name"));
    m_pgUser = pgEdit("pgUser", tr("default: PGUSER or your login"));
    m_pgPassword = pgEdit("pgPassword", tr("empty: ~/.pgpass or PGPASSWORD"));
    m_pgPassword->setEchoMode(QLineEdit::Password);
    m_pgSslMode = new QComboBox(m_pgPage);
    m_pgSslMode->setObjectName(QStringLiteral("pgSslMode"));
    m_pgSslMode->addItem(tr("Default (PGSSLMODE or prefer)"), QString());
    for (const char* mode : { "disable", "allow", "prefer", "require", "verify-ca", "verify-full" })
        m_pgSslMode->addItem(QLatin1String(mode), QLatin1String(mode));
    m_pgRootCert = pgEdit("pgSslRootCert", tr("Optional: CA certificate for verify-ca / verify-full"));
    auto* rootCertButton = new QPushButton(tr("Browse…"), m_pgPage);
    m_pgSchema = pgEdit("pgSchema", tr("Optional: the schema holding the store's tables"));
    m_pgTimeout = pgEdit("pgStatementTimeout", tr("default: 30 s per query; 0 = no limit"));
    m_pgTimeout->setValidator(new QDoubleValidator(0, 86400, 3, m_pgTimeout));
    m_saved = new SavedConnectionsBar(
        { [this] { return savedConnection(); }, [this](const SavedConnection& c) { applySavedConnection(c); },
            [this](const QString& password) { m_pgPassword->setText(password); } },
        m_pgPage);
    m_pgService = new QComboBox(m_pgPage);
    m_pgService->setObjectName(QStringLiteral("pgService"));
    m_pgService->setEditable(true);
    m_pgService->addItem(QString(), QString());
    for (const PgServiceEntry& service : postgresServices()) {
        QStringList settings;
        for (const auto& [keyword, value] : service.settings)
            settings.append(
                keyword + u'=' + (keyword.contains(QLatin1String("password")) ? QStringLiteral("****") : value));
        m_pgService->addItem(service.name, service.name);
        m_pgService->setItemData(m_pgService->count() - 1,
            tr("%1\n%2%3")
                .arg(service.file, settings.join(u'\n'),
                    service.problem.isEmpty() ? QString() : tr("\nlibpq cannot read it: %1").arg(service.problem)),
            Qt::ToolTipRole);
    }
    m_pgService->lineEdit()->setPlaceholderText(m_pgService->count() > 1
            ? tr("Optional: one of %n service(s) in pg_service.conf", nullptr, m_pgService->count() - 1)
            : tr("Optional: a service of pg_service.conf (none found)"));
    pgForm->addRow(tr("Saved:"), m_saved);
    pgForm->addRow(QString(), m_saved->noteLabel());
    pgForm->addRow(tr("Service:"), m_pgService);
    pgForm->addRow(tr("Host:"), m_pgHost);
    pgForm->addRow(tr("Port:"), m_pgPort);
    pgForm->addRow(tr("Database:"), m_pgDatabase);
    pgForm->addRow(tr("User:"), m_pgUser);
    pgForm->addRow(tr("Password:"), m_pgPassword);
    pgForm->addRow(tr("SSL mode:"), m_pgSslMode);
    pgForm->addRow(tr("SSL root cert:"), withBrowse(m_pgRootCert, rootCertButton, m_pgPage));
    pgForm->addRow(tr("Schema:"), m_pgSchema);
    pgForm->addRow(tr("Statement timeout (s):"), m_pgTimeout);
    auto* pgNote = new QLabel(tr("Empty fields are left to libpq: the service's settings, PG* variables, and "
                                 "~/.pgpass, which libpq reads itself for a password left empty."),
        m_pgPage);
    pgNote->setWordWrap(true);
    pgNote->setStyleSheet(QStringLiteral("QLabel { color: #888; }"));
    pgForm->addRow(QString(), pgNote);
    m_tabs->addTab(m_pgPage, tr("PostgreSQL"));
    connect(rootCertButton, &QPushButton::clicked, this, &OpenStoreDialog::browseRootCert);
    for (QLineEdit* edit : { m_pgHost, m_pgPort, m_pgDatabase, m_pgUser, m_pgPassword, m_pgRootCert })
        connect(edit, &QLineEdit::textChanged, this, &OpenStoreDialog::updateOk);
    connect(m_pgSslMode, &QComboBox::currentIndexChanged, this, &OpenStoreDialog::updateOk);
    connect(m_pgService, &QComboBox::currentTextChanged, this, &OpenStoreDialog::updateOk);
    connect(m_pgService, &QComboBox::currentTextChanged, this, &OpenStoreDialog::showServiceDefaults);

    m_profile->setEditable(true);
    m_profile->addItem(tr("Detect automatically"), QString());
    for (const LayoutInfo& layout : StoreRegistry::layouts()) {
        m_profile->addItem(layout.name, layout.name);
        const QString engines
            = layout.engines.isEmpty() ? tr("every engine") : layout.engines.join(QStringLiteral(", "));
        m_profile->setItemData(m_profile->count() - 1, tr("%1 (%2)").arg(layout.title, engines), Qt::ToolTipRole);
    }
    m_profile->setToolTip(tr("Force a store layout (profile) instead of recognising it from the tables"));
    m_mapping->setPlaceholderText(tr("Optional: a JSON mapping for a custom single-table layout"));
    auto* mappingButton = new QPushButton(tr("Browse…"), this);

    auto* options = new QFormLayout;
    options->addRow(tr("Layout:"), m_profile);
    options->addRow(tr("Mapping file:"), withBrowse(m_mapping, mappingButton, this));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    m_testButton = buttons->addButton(tr("&Test Connection"), QDialogButtonBox::ActionRole);
    m_testButton->setObjectName(QStringLiteral("testConnection"));
    m_testButton->setToolTip(tr("Open the store as given, read-only, and say what is there; nothing is kept"));
    m_testResult = new QLabel(this);
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testResult->hide();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addLayout(options);
    layout->addWidget(m_testResult);
    layout->addWidget(buttons);
    connect(m_testButton, &QPushButton::clicked, this, &OpenStoreDialog::testConnection);

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
    if (isPostgresFormCurrent())
        return postgresAddress(postgresFields());
    return (m_tabs->currentIndex() == 0 ? m_file->text() : m_address->text()).trimmed();
}

bool OpenStoreDialog::isPostgresFormCurrent() const
{
    return m_tabs->currentWidget() == m_pgPage;
}

void OpenStoreDialog::showPostgresForm()
{
    m_tabs->setCurrentWidget(m_pgPage);
    m_pgHost->setFocus();
}

PgConnectionFields OpenStoreDialog::postgresFields() const
{
    PgConnectionFields f;
    f.host = m_pgHost->text().trimmed();
    f.port = m_pgPort->text().trimmed();
    f.database = m_pgDatabase->text().trimmed();
    f.user = m_pgUser->text().trimmed();
    // Passwords may legitimately start or end with spaces.
    f.password = m_pgPassword->text();
    f.sslMode = m_pgSslMode->currentData().toString();
    f.sslRootCert = m_pgRootCert->text().trimmed();
    f.schema = m_pgSchema->text().trimmed();
    f.service = m_pgService->currentText().trimmed();
    return f;
}

void OpenStoreDialog::setPostgresFields(const PgConnectionFields& fields)
{
    m_pgHost->setText(fields.host);
    m_pgPort->setText(fields.port);
    m_pgDatabase->setText(fields.database);
    m_pgUser->setText(fields.user);
    m_pgPassword->setText(fields.password);
    m_pgSslMode->setCurrentIndex(std::max(0, m_pgSslMode->findData(fields.sslMode)));
    m_pgRootCert->setText(fields.sslRootCert);
    m_pgSchema->setText(fields.schema);
    m_pgService->setCurrentText(fields.service);
    m_tabs->setCurrentWidget(m_pgPage);
}

SavedConnection OpenStoreDialog::savedConnection() const
{
    SavedConnection c;
    c.fields = postgresFields();
    const int i = m_profile->currentIndex();
    c.profile = i >= 0 && m_profile->itemText(i) == m_profile->currentText() ? m_profile->itemData(i).toString()
                                                                             : m_profile->currentText().trimmed();
    c.statementTimeout = m_pgTimeout->text().trimmed();
    return c;
}

void OpenStoreDialog::applySavedConnection(const SavedConnection& connection)
{
    setPostgresFields(connection.fields);
    const int layout = m_profile->findData(connection.profile);
    if (layout >= 0)
        m_profile->setCurrentIndex(layout);
    else
        m_profile->setCurrentText(connection.profile);
    m_pgTimeout->setText(connection.statementTimeout);
}

// A service's own settings as the placeholders of the fields they fill, so it is clear what an empty field means.
void OpenStoreDialog::showServiceDefaults()
{
    const QString name = m_pgService->currentText().trimmed();
    QHash<QString, QString> values;
    for (const PgServiceEntry& service : postgresServices()) {
        if (service.name == name) {
            for (const auto& [keyword, value] : service.settings)
                values.insert(keyword, value);
        }
    }
    const auto place = [&](QLineEdit* edit, const char* keyword, const QString& otherwise) {
        const QString value = values.value(QLatin1String(keyword));
        edit->setPlaceholderText(value.isEmpty() ? otherwise : tr("from service %1: %2").arg(name, value));
    };
    place(m_pgHost, "host", tr("default: PGHOST or the local socket"));
    place(m_pgPort, "port", tr("5432"));
    place(m_pgDatabase, "dbname", tr("default: PGDATABASE or the user name"));
    place(m_pgUser, "user", tr("default: PGUSER or your login"));
}

QString OpenStoreDialog::postgresAddress(const PgConnectionFields& fields)
{
    ConnectionFields c;
    c.host = fields.host;
    c.port = fields.port;
    c.database = fields.database;
    c.user = fields.user;
    c.password = fields.password;
    c.options = { { QStringLiteral("service"), fields.service }, { QStringLiteral("sslmode"), fields.sslMode },
        { QStringLiteral("sslrootcert"), fields.sslRootCert } };
    return StoreRegistry::composeAddress(QStringLiteral("postgresql"), c);
}

OpenOptions OpenStoreDialog::options() const
{
    OpenOptions o;
    const int i = m_profile->currentIndex();
    const bool chosen = i >= 0 && m_profile->itemText(i) == m_profile->currentText();
    o.profile = chosen ? m_profile->itemData(i).toString() : m_profile->currentText().trimmed();
    o.mappingFile = m_mapping->text().trimmed();
    if (isPostgresFormCurrent()) {
        o.schema = m_pgSchema->text().trimmed();
        bool ok = false;
        const double seconds = QLocale().toDouble(m_pgTimeout->text().trimmed(), &ok);
        if (ok && seconds >= 0)
            o.statementTimeoutMs = std::max(seconds > 0 ? 1 : 0, int(seconds * 1000 + 0.5));
    }
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

void OpenStoreDialog::browseRootCert()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("SSL Root Certificate"),
        m_pgRootCert->text().isEmpty() ? m_startDirectory : m_pgRootCert->text(),
        tr("Certificates (*.crt *.pem *.cer);;All files (*)"));
    if (!file.isEmpty())
        m_pgRootCert->setText(file);
}

void OpenStoreDialog::updateOk()
{
    const bool any = !address().isEmpty();
    if (m_okButton)
        m_okButton->setEnabled(any);
    if (m_testButton)
        m_testButton->setEnabled(any);
}

void OpenStoreDialog::testConnection()
{
    if (m_testing) {
        m_testing->cancelAll();
        m_testing->deleteLater();
    }
    const QString address = this->address();
    if (address.isEmpty())
        return;
    auto* session = new StoreSession(StoreOpener { address, options() }, this);
    m_testing = session;
    m_testResult->setText(tr("Connecting to %1…").arg(StoreRegistry::redactAddress(address)));
    m_testResult->show();
    // What the window shows first when it opens a store: the layout and the head, no count of the events.
    session->run<StoreInfo>(
        StoreSession::Lane::Interactive, this, [](EventStore& store) { return store.info(false); },
        [this, session](const StoreInfo& info) {
            if (m_testing != session)
                return;
            m_testResult->setText(info.headPosition < 0
                    ? tr("✔ Connected: %1, no events yet.").arg(info.layoutTitle)
                    : tr("✔ Connected: %1, events at positions %2 to %3 (the last at %4).")
                          .arg(info.layoutTitle, QLocale().toString(info.firstPosition),
                              QLocale().toString(info.headPosition), TimeFormat::format(info.lastTime)));
            m_testing = nullptr;
            session->deleteLater();
        },
        [this, session](const Failure& failure) {
            if (m_testing != session)
                return;
            m_testResult->setText(failure.kind == Failure::Kind::Unauthorized
                    ? tr("✘ The server wants a password, or refused the one given: %1").arg(failure.message)
                    : tr("✘ Could not open it: %1").arg(failure.message));
            m_testing = nullptr;
            session->deleteLater();
        });
}

} // namespace es
