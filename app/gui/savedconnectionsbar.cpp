#include "savedconnectionsbar.h"

#include <QComboBox>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>

namespace es {

SavedConnectionsBar::SavedConnectionsBar(Form form, QWidget* parent)
    : QWidget(parent)
    , m_form(std::move(form))
    , m_combo(new QComboBox(this))
    , m_save(new QPushButton(tr("Save…"), this))
    , m_delete(new QPushButton(tr("Delete"), this))
    , m_note(new QLabel(this))
{
    m_combo->setObjectName(QStringLiteral("savedConnections"));
    m_save->setObjectName(QStringLiteral("saveConnection"));
    m_delete->setObjectName(QStringLiteral("deleteConnection"));
    m_note->setObjectName(QStringLiteral("keyringNote"));
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_save->setToolTip(tr("Keep these fields under a name; the password goes to the desktop keyring, never to the "
                          "settings file"));
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_combo, 0, 0);
    layout->addWidget(m_save, 0, 1);
    layout->addWidget(m_delete, 0, 2);
    layout->setColumnStretch(0, 1);

    rebuild({});
    connect(m_combo, &QComboBox::activated, this, &SavedConnectionsBar::choose);
    connect(m_save, &QPushButton::clicked, this, &SavedConnectionsBar::askName);
    connect(m_delete, &QPushButton::clicked, this, &SavedConnectionsBar::removeCurrent);
    auto* vault = PasswordVault::instance();
    connect(vault, &PasswordVault::stateChanged, this, &SavedConnectionsBar::showVaultState);
    showVaultState();
    vault->probe();
}

QString SavedConnectionsBar::note() const
{
    return m_note->text();
}

void SavedConnectionsBar::setNote(const QString& text)
{
    m_note->setText(text);
    m_noteSet = true;
}

void SavedConnectionsBar::showVaultState()
{
    auto* vault = PasswordVault::instance();
    switch (vault->state()) {
    case PasswordVault::State::Unknown:
    case PasswordVault::State::Probing:
        m_note->setText(tr("Looking for the desktop keyring…"));
        break;
    case PasswordVault::State::Available:
        if (!m_noteSet)
            m_note->setText(tr("Saved passwords go to the desktop keyring, never to the settings file."));
        break;
    case PasswordVault::State::Unavailable:
        // Replaces any earlier note: this is what decides where the password goes.
        m_note->setText(tr("No keyring answers (%1), so passwords are not kept: you enter them each time, or "
                           "libpq reads them from ~/.pgpass.")
                            .arg(vault->unavailableReason()));
        m_noteSet = false;
        break;
    }
}

void SavedConnectionsBar::rebuild(const QString& current)
{
    m_combo->clear();
    m_combo->addItem(tr("New connection"), QString());
    for (const SavedConnection& c : SavedConnection::all()) {
        QString where = c.fields.service.isEmpty() ? c.fields.host : tr("service %1").arg(c.fields.service);
        m_combo->addItem(c.name, c.name);
        m_combo->setItemData(m_combo->count() - 1,
            tr("%1 · database %2 · user %3")
                .arg(where.isEmpty() ? tr("default host") : where,
                    c.fields.database.isEmpty() ? tr("default") : c.fields.database,
                    c.fields.user.isEmpty() ? tr("default") : c.fields.user),
            Qt::ToolTipRole);
    }
    m_combo->setCurrentIndex(std::max(0, m_combo->findData(current)));
    m_delete->setEnabled(m_combo->currentIndex() > 0);
}

void SavedConnectionsBar::select(const QString& name)
{
    const int index = m_combo->findData(name);
    if (index < 0)
        return;
    m_combo->setCurrentIndex(index);
    choose(index);
}

void SavedConnectionsBar::choose(int index)
{
    m_delete->setEnabled(index > 0);
    const QString name = m_combo->itemData(index).toString();
    if (name.isEmpty())
        return;
    for (const SavedConnection& c : SavedConnection::all()) {
        if (c.name != name)
            continue;
        m_form.apply(c);
        auto* vault = PasswordVault::instance();
        if (vault->state() == PasswordVault::State::Unavailable) {
            showVaultState();
            Q_EMIT keyringDone();
            return;
        }
        vault->read(PasswordVault::keyFor(name), this, [this, name](const QString& password, bool found) {
            if (m_combo->currentData().toString() != name)
                return;
            if (found) {
                m_form.setPassword(password);
                setNote(tr("The password of %1 comes from the desktop keyring.").arg(name));
            } else if (PasswordVault::instance()->state() != PasswordVault::State::Unavailable) {
                setNote(tr("No password is kept for %1: enter it if the server asks for one (libpq also reads "
                           "~/.pgpass).")
                            .arg(name));
            }
            Q_EMIT keyringDone();
        });
        return;
    }
}

void SavedConnectionsBar::askName()
{
    bool ok = false;
    const QString current = m_combo->currentData().toString();
    const QString name
        = QInputDialog::getText(this, tr("Save Connection"), tr("Name:"), QLineEdit::Normal, current, &ok).trimmed();
    if (ok && !name.isEmpty())
        saveAs(name);
}

void SavedConnectionsBar::saveAs(const QString& name)
{
    SavedConnection c = m_form.current();
    c.name = name;
    const QString password = c.fields.password;
    SavedConnection::put(c);
    rebuild(name);
    auto* vault = PasswordVault::instance();
    const QString key = PasswordVault::keyFor(name);
    if (password.isEmpty()) {
        vault->remove(key);
        setNote(tr("Saved %1 without a password.").arg(name));
        Q_EMIT keyringDone();
        return;
    }
    if (vault->state() == PasswordVault::State::Unavailable) {
        setNote(tr("Saved %1 without its password: no keyring answers (%2), and EventScope never writes passwords "
                   "to its settings. Enter it each time, or put it in ~/.pgpass.")
                    .arg(name, vault->unavailableReason()));
        Q_EMIT keyringDone();
        return;
    }
    vault->write(key, password, this, [this, name](const QString& error) {
        if (error.isEmpty())
            setNote(tr("Saved %1; its password is in the desktop keyring.").arg(name));
        else
            setNote(tr("Saved %1 without its password: the keyring refused it (%2).").arg(name, error));
        Q_EMIT keyringDone();
    });
}

void SavedConnectionsBar::removeCurrent()
{
    const QString name = m_combo->currentData().toString();
    if (name.isEmpty())
        return;
    SavedConnection::remove(name);
    PasswordVault::instance()->remove(PasswordVault::keyFor(name));
    rebuild({});
    setNote(tr("Deleted %1.").arg(name));
}

} // namespace es
