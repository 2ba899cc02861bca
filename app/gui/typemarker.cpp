#include "typemarker.h"

#include "display/typepalette.h"

#include <QHash>
#include <QIcon>
#include <QPainter>
#include <QPixmap>

namespace es {

TypeMarkerDelegate::TypeMarkerDelegate(QObject* parent, bool topLevelOnly)
    : QStyledItemDelegate(parent)
    , m_topLevelOnly(topLevelOnly)
{ }

QColor TypeMarkerDelegate::colorOf(const QString& type)
{
    return QColor::fromRgb(typepalette::rgbOf(type));
}

QIcon TypeMarkerDelegate::swatch(const QString& type)
{
    static QHash<int, QIcon> icons;
    const int slot = typepalette::indexOf(type);
    auto it = icons.find(slot);
    if (it == icons.end()) {
        QPixmap pixmap(12, 12);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colorOf(type));
        painter.drawRoundedRect(QRectF(1, 1, 10, 10), 2, 2);
        painter.end();
        it = icons.insert(slot, QIcon(pixmap));
    }
    return *it;
}

void TypeMarkerDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (m_topLevelOnly && index.parent().isValid())
        return;
    const QString type = index.data(Qt::DisplayRole).toString();
    // A row not loaded yet shows a placeholder, not a type.
    if (type.isEmpty() || type == QStringLiteral("…"))
        return;
    option->features |= QStyleOptionViewItem::HasDecoration;
    option->icon = swatch(type);
    option->decorationSize = QSize(10, 10);
}

} // namespace es
