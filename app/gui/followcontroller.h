#pragma once

#include "live/livefollower.h"

#include <QObject>
#include <QPointer>

class QAction;
class QScrollBar;
class QTableView;
class QTimer;

namespace es {

class EventTableModel;

// "Follow" for an event table: a LiveFollower ticked on a timer appends what the store's live tail found safe to show
// (the same tail strategy as `eventscope-cli tail`), and the view stays pinned to the end unless the user scrolled
// away (scrolling back to the end pins it again). The heads (and what holds the settled one back) go to the status
// bar.
class FollowController : public QObject {
    Q_OBJECT
public:
    FollowController(QTableView* table, EventTableModel* model, QObject* parent = nullptr);
    // For a view whose scroll bar spans the model's rows itself (EventView::scrollBar()): pinned is that bar at its
    // end.
    FollowController(QScrollBar* bar, EventTableModel* model, QObject* parent = nullptr);

    QAction* action() const { return m_action; }
    void setFollowing(bool on);
    bool isFollowing() const;
    bool isPinned() const { return m_pinned; }
    void setInterval(int ms);
    int interval() const;
    // The heads of the followed scope; both -1 when not following or not known yet.
    TailHeads heads() const { return m_follower->heads(); }
    LiveFollower* follower() const { return m_follower; }

Q_SIGNALS:
    void headsChanged(const es::TailHeads& heads);

private:
    void pin();
    bool atEnd() const;

    QPointer<QTableView> m_table;
    QPointer<QScrollBar> m_bar;
    QPointer<EventTableModel> m_model;
    LiveFollower* m_follower;
    QAction* m_action;
    QTimer* m_timer;
    bool m_pinned = true;
    bool m_scrolling = false;
};

} // namespace es
