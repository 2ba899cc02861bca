#pragma once

#include "store/eventstore.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QLabel;
class QLineEdit;
class QWidget;
class QPushButton;
class QTabWidget;

namespace es {

// The fields of the PostgreSQL form; empty ones are left out of the address so PG* variables,
// ~/.pgpass and service files still apply.
struct PgConnectionFields {
    QString host;
    QString port;
    QString database;
    QString user;
    QString password;
    QString sslMode;
    QString sslRootCert;
    QString schema;
    QString service; // a libpq service (pg_service.conf) the other fields add to or override
};

struct SavedConnection;
class SavedConnectionsBar;
class StoreSession;

// File › Open store…: an SQLite file (chooser), a PostgreSQL form, or any store address, with an optional
// layout override.
class OpenStoreDialog : public QDialog {
    Q_OBJECT
public:
    explicit OpenStoreDialog(const QString& startDirectory, QWidget* parent = nullptr);

    QString address() const;
    OpenOptions options() const;
    void setAddress(const QString& address);

    PgConnectionFields postgresFields() const;
    void setPostgresFields(const PgConnectionFields& fields);
    bool isPostgresFormCurrent() const;
    // Shows the PostgreSQL form with the first field focused (the start page's "Connect to PostgreSQL").
    void showPostgresForm();

    // The PostgreSQL form with its layout and statement timeout, as a connection to save (no name); and back.
    SavedConnection savedConnection() const;
    void applySavedConnection(const SavedConnection& connection);
    SavedConnectionsBar* savedConnections() const { return m_saved; }

    // The PostgreSQL engine's address for the fields (StoreRegistry::composeAddress); the schema is not part of it
    // (it goes to OpenOptions::schema).
    static QString postgresAddress(const PgConnectionFields& fields);

    // Test Connection: opens the store as given on a session of its own, off the GUI thread, and says in
    // testResult() what it found (the layout, the events and the head) or why it could not; nothing is kept.
    void testConnection();
    QLabel* testResult() const { return m_testResult; }

private:
    void browse();
    void browseMapping();
    void browseRootCert();
    void updateOk();
    void showServiceDefaults();

    QString m_startDirectory;
    QTabWidget* m_tabs;
    QLineEdit* m_file;
    QLineEdit* m_address;
    QWidget* m_pgPage = nullptr;
    QLineEdit* m_pgHost = nullptr;
    QLineEdit* m_pgPort = nullptr;
    QLineEdit* m_pgDatabase = nullptr;
    QLineEdit* m_pgUser = nullptr;
    QLineEdit* m_pgPassword = nullptr;
    QComboBox* m_pgSslMode = nullptr;
    QLineEdit* m_pgRootCert = nullptr;
    QLineEdit* m_pgSchema = nullptr;
    QLineEdit* m_pgTimeout = nullptr;
    QComboBox* m_pgService = nullptr;
    SavedConnectionsBar* m_saved = nullptr;
    QComboBox* m_profile;
    QLineEdit* m_mapping;
    QPushButton* m_okButton = nullptr;
    QPushButton* m_testButton = nullptr;
    QLabel* m_testResult = nullptr;
    QPointer<StoreSession> m_testing;
};

} // namespace es
