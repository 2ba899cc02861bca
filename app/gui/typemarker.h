#pragma once

#include <QStyledItemDelegate>

namespace es {

// Draws a small square of the type's colour (typepalette) before a cell that shows an event type, so a type has one
// colour in the event table, the Types dock, Activity and time travel.
class TypeMarkerDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    // topLevelOnly: only rows without a parent name a type (the Types dock lists fields under them).
    explicit TypeMarkerDelegate(QObject* parent = nullptr, bool topLevelOnly = false);

    static QColor colorOf(const QString& type);
    // A square swatch of the type's colour, cached per colour.
    static QIcon swatch(const QString& type);

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;

private:
    bool m_topLevelOnly;
};

} // namespace es
