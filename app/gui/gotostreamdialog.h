#pragma once

#include <QDialog>
#include <QPointer>

class QCompleter;
class QLineEdit;
class QStringListModel;
class QTimer;

namespace es {

class StoreSession;

// Go to stream (Ctrl+K): completion from the store's stream list, asked for as the user types.
class GoToStreamDialog : public QDialog {
    Q_OBJECT
public:
    explicit GoToStreamDialog(StoreSession* session, QWidget* parent = nullptr);

    QString stream() const;
    QStringList completions() const;
    QLineEdit* edit() const { return m_edit; }

private:
    void lookUp();

    QPointer<StoreSession> m_session;
    QLineEdit* m_edit;
    QStringListModel* m_names;
    QCompleter* m_completer;
    QTimer* m_debounce;
    quint64 m_ticket = 0;
    QString m_asked;
};

} // namespace es
