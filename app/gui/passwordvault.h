#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace es {

// The passwords of saved connections, in the desktop's secret store through QtKeychain (the Secret Service of GNOME
// Keyring or KeePassXC, KWallet, the macOS Keychain, Windows' Credential Manager). Never a plain-text fallback:
// where no secret store answers (CI, an offscreen session, no D-Bus), state() turns Unavailable with the reason and
// callers ask for the password each time. EVENTSCOPE_KEYRING=off makes it Unavailable on purpose.
class PasswordVault : public QObject {
    Q_OBJECT
public:
    enum class State { Unknown, Probing, Available, Unavailable };

    // One per process: the probe's answer is kept.
    static PasswordVault* instance();

    State state() const { return m_state; }
    // Why the keyring cannot be used (QtKeychain's words), when Unavailable.
    QString unavailableReason() const { return m_reason; }
    // Asks the keyring once whether it answers; stateChanged() follows. Does nothing when already known or asking.
    void probe();

    // The key a saved connection's password is kept under.
    static QString keyFor(const QString& connectionName);

    // `done` runs on `context`'s thread with the password, or found == false (no entry, or no keyring).
    void read(const QString& key, QObject* context, std::function<void(const QString& password, bool found)> done);
    // `done` gets an empty string on success, else the reason.
    void write(
        const QString& key, const QString& password, QObject* context, std::function<void(const QString& error)> done);
    void remove(const QString& key);

Q_SIGNALS:
    void stateChanged(es::PasswordVault::State state);

private:
    explicit PasswordVault(QObject* parent = nullptr);
    void setState(State state, const QString& reason = {});

    State m_state = State::Unknown;
    QString m_reason;
};

} // namespace es
