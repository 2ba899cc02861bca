#include "placespanel.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QMenu>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace es {

namespace {

enum Role { KindRole = Qt::UserRole + 1, IndexRole };
enum Kind { ViewItem = 1, RecentItem };

QString storeName(const QString& store)
{
    const QFileInfo file(store);
    return file.isAbsolute() && !file.fileName().isEmpty() ? file.fileName() : store;
}

} // namespace

PlacesPanel::PlacesPanel(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_views(new QTreeWidgetItem(m_tree, { tr("Saved views") }))
    , m_recent(new QTreeWidgetItem(m_tree, { tr("Recent places") }))
{
    setObjectName(QStringLiteral("placesPanel"));
    m_tree->setObjectName(QStringLiteral("placesTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setRootIsDecorated(false);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    for (QTreeWidgetItem* top : { m_views, m_recent }) {
        QFont bold = top->font(0);
        bold.setBold(true);
        top->setFont(0, bold);
        top->setFlags(Qt::ItemIsEnabled);
        top->setExpanded(true);
    }
    auto* save = new QPushButton(tr("Save View…"), this);
    save->setToolTip(tr("Keep the scope, filter, columns and sort of the event table under a name for this store"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree, 1);
    layout->addWidget(save);
    connect(save, &QPushButton::clicked, this, &PlacesPanel::saveRequested);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) { activated(item); });
    connect(m_tree, &QTreeWidget::customContextMenuRequested, this, &PlacesPanel::showMenu);
}

void PlacesPanel::setViews(const QList<SavedView>& views)
{
    if (views == m_savedViews)
        return;
    m_savedViews = views;
    qDeleteAll(m_views->takeChildren());
    for (int i = 0; i < views.size(); ++i) {
        auto* item = new QTreeWidgetItem(m_views, { views.at(i).name });
        item->setData(0, KindRole, ViewItem);
        item->setData(0, IndexRole, i);
        item->setToolTip(0, views.at(i).place.describe());
    }
    m_views->setExpanded(true);
}

void PlacesPanel::setRecent(const QList<Place>& places)
{
    if (places == m_recentPlaces)
        return;
    m_recentPlaces = places;
    qDeleteAll(m_recent->takeChildren());
    for (int i = 0; i < places.size(); ++i) {
        const Place& p = places.at(i);
        auto* item = new QTreeWidgetItem(m_recent, { p.describe() });
        item->setData(0, KindRole, RecentItem);
        item->setData(0, IndexRole, i);
        item->setToolTip(0, tr("%1 in %2").arg(p.describe(), storeName(p.store)));
    }
    m_recent->setExpanded(true);
}

void PlacesPanel::activated(QTreeWidgetItem* item)
{
    const int i = item->data(0, IndexRole).toInt();
    switch (item->data(0, KindRole).toInt()) {
    case ViewItem:
        if (i >= 0 && i < m_savedViews.size())
            Q_EMIT viewActivated(m_savedViews.at(i));
        break;
    case RecentItem:
        if (i >= 0 && i < m_recentPlaces.size())
            Q_EMIT placeActivated(m_recentPlaces.at(i));
        break;
    default:
        break;
    }
}

void PlacesPanel::showMenu(const QPoint& pos)
{
    QTreeWidgetItem* item = m_tree->itemAt(pos);
    if (!item || !item->data(0, KindRole).isValid())
        return;
    const int i = item->data(0, IndexRole).toInt();
    const bool view = item->data(0, KindRole).toInt() == ViewItem;
    QMenu menu(this);
    menu.addAction(tr("Open"), this, [this, item] { activated(item); });
    const Place place = view ? m_savedViews.value(i).place : m_recentPlaces.value(i);
    menu.addAction(tr("Copy Link"), this, [this, place] { Q_EMIT copyRequested(PlaceLink::toLink(place)); });
    if (view) {
        const QString name = m_savedViews.value(i).name;
        menu.addAction(tr("Remove"), this, [this, name] { Q_EMIT removeRequested(name); });
    }
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace es
