#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class QHeaderView;
class QMenu;

namespace es {

// A table's column chooser: the header's context menu shows and hides columns (never the last one shown) and resets
// them; the hidden columns are kept in the settings under the table's name, by their titles, and applied again
// whenever the model resets or gains columns. Attached to a header from outside, so a view needs no code for it.
class ColumnChooser : public QObject {
    Q_OBJECT
public:
    ColumnChooser(QHeaderView* header, const QString& table, QObject* parent = nullptr);

    // The header's menu as it would show now; the caller owns it.
    QMenu* createMenu(QWidget* parent) const;
    void setColumnVisible(int section, bool visible);
    // Every column shown again, and the setting removed.
    void reset();
    QStringList hiddenTitles() const;

private:
    void apply();
    void save();
    QString titleOf(int section) const;

    QPointer<QHeaderView> m_header;
    QString m_table;
    bool m_applying = false;
};

} // namespace es
