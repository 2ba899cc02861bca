#pragma once

#include "eventstore.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace es {

// File › Open store…: an SQLite file (chooser) or any store address, with an optional layout override.
class OpenStoreDialog : public QDialog {
    Q_OBJECT
public:
    explicit OpenStoreDialog(const QString& startDirectory, QWidget* parent = nullptr);

    QString address() const;
    OpenOptions options() const;
    void setAddress(const QString& address);

private:
    void browse();
    void browseMapping();
    void updateOk();

    QString m_startDirectory;
    QTabWidget* m_tabs;
    QLineEdit* m_file;
    QLineEdit* m_address;
    QComboBox* m_profile;
    QLineEdit* m_mapping;
    QPushButton* m_okButton = nullptr;
};

} // namespace es
