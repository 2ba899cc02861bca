#pragma once

#include "nav/savedplaces.h"

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace es {

// The Places dock: the saved views of the open store and the recent places, each opened by activating it.
class PlacesPanel : public QWidget {
    Q_OBJECT
public:
    explicit PlacesPanel(QWidget* parent = nullptr);

    void setViews(const QList<SavedView>& views);
    void setRecent(const QList<Place>& places);
    QTreeWidget* tree() const { return m_tree; }

Q_SIGNALS:
    void viewActivated(const es::SavedView& view);
    void placeActivated(const es::Place& place);
    void saveRequested();
    void removeRequested(const QString& name);
    void copyRequested(const QString& link);

private:
    void activated(QTreeWidgetItem* item);
    void showMenu(const QPoint& pos);

    QTreeWidget* m_tree;
    QTreeWidgetItem* m_views;
    QTreeWidgetItem* m_recent;
    QList<SavedView> m_savedViews;
    QList<Place> m_recentPlaces;
};

} // namespace es
