#pragma once

#include <QDialog>
#include <QList>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace es {

// Help › Keyboard Shortcuts: every action of a window that has a shortcut, read from the actions themselves (so the
// list never drifts from the menus), with the menu it sits in, searchable by any of the three.
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    struct Entry {
        QString action; // the menu text without '&' and a trailing '…'
        QString shortcut; // every shortcut of the action, in the platform's notation
        QString where; // "File", "Go", "View › Docks"... or the widget holding it
    };

    explicit ShortcutsDialog(QWidget* window, QWidget* parent = nullptr);

    // The actions of `window` and its children with a shortcut, each once, sorted by where and name.
    static QList<Entry> collect(QWidget* window);

    QLineEdit* search() const { return m_search; }
    QTableView* table() const { return m_table; }
    int visibleRows() const;

private:
    QLineEdit* m_search;
    QTableView* m_table;
    QSortFilterProxyModel* m_proxy;
};

} // namespace es
