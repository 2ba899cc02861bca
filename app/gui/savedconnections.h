#pragma once

#include "openstoredialog.h"

#include <QList>
#include <QVariantMap>

namespace es {

// A named PostgreSQL connection as the Connect dialog keeps it in Settings: the form's fields, layout and statement
// timeout, never the password (the keyring has it, under PasswordVault::keyFor(name)).
struct SavedConnection {
    QString name;
    PgConnectionFields fields; // fields.password is always empty here
    QString profile; // the layout override; empty: detect
    QString statementTimeout; // seconds as typed; empty: the default

    QVariantMap toMap() const;
    static SavedConnection fromMap(const QVariantMap& map);

    // The saved connections in the order kept; put() replaces one of the same name or adds it at the end.
    static QList<SavedConnection> all();
    static void put(const SavedConnection& connection);
    static void remove(const QString& name);
};

} // namespace es
