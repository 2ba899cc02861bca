#pragma once

#include <QDialog>
#include <QList>

#include <utility>

namespace es {

// Help › About EventScope: the version, the libraries it runs with (Qt, SQLite, libpq, libpqxx, QtKeychain), the
// licence and the links (home page, documentation, bug tracker).
class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    // {name, version} of each library, as loaded at run time where the library can say.
    static QList<std::pair<QString, QString>> versions();
    static QString homepage();
};

} // namespace es
