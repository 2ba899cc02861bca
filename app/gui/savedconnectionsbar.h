#pragma once

#include "passwordvault.h"
#include "savedconnections.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QPushButton;

namespace es {

// The Connect dialog's "Saved:" row: pick a saved connection (its password comes from the keyring when one answers),
// save the form under a name, delete one. The note under it says where passwords go, or that they are asked for each
// time because no keyring answers.
class SavedConnectionsBar : public QWidget {
    Q_OBJECT
public:
    struct Form {
        std::function<SavedConnection()> current; // the form now, password included
        std::function<void(const SavedConnection&)> apply; // fills the form (no password)
        std::function<void(const QString&)> setPassword;
    };
    SavedConnectionsBar(Form form, QWidget* parent = nullptr);

    QComboBox* combo() const { return m_combo; }
    // Where passwords go, or why they are not kept: the dialog shows it as a row of its own.
    QLabel* noteLabel() const { return m_note; }
    QString note() const;
    // Saves the form under `name` (replacing one of that name); the password goes to the keyring, or nowhere.
    void saveAs(const QString& name);
    void select(const QString& name);
    void removeCurrent();

Q_SIGNALS:
    // A keyring read or write ended (tests wait for it).
    void keyringDone();

private:
    void rebuild(const QString& current);
    void choose(int index);
    void askName();
    void showVaultState();
    void setNote(const QString& text);

    Form m_form;
    QComboBox* m_combo;
    QPushButton* m_save;
    QPushButton* m_delete;
    QLabel* m_note;
    bool m_noteSet = false;
};

} // namespace es
