#pragma once

#include "live/tailer.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QAction;
class QTableView;
class QTimer;

namespace es {

class EventTableModel;
class StoreSession;

// "Follow" for an event table: refreshes the model on a timer so appended events appear, and keeps the view
// pinned to the end unless the user scrolled away (scrolling back to the end pins it again). While following, a Tailer
// on the session's background lane tracks the visible and the settled head of the view's scope.
class FollowController : public QObject {
    Q_OBJECT
public:
    FollowController(QTableView* table, EventTableModel* model, QObject* parent = nullptr);

    QAction* action() const { return m_action; }
    void setFollowing(bool on);
    bool isFollowing() const;
    bool isPinned() const { return m_pinned; }
    void setInterval(int ms);
    int interval() const;
    // The heads of the followed scope; both -1 when not following or not known yet.
    TailHeads heads() const { return m_heads; }

Q_SIGNALS:
    void headsChanged(const es::TailHeads& heads);

private:
    struct TailState;

    void tick();
    void pollHeads();
    void resetHeads();
    void pin();
    bool atEnd() const;

    QPointer<QTableView> m_table;
    QPointer<EventTableModel> m_model;
    QAction* m_action;
    QTimer* m_timer;
    bool m_pinned = true;
    bool m_scrolling = false;
    std::shared_ptr<TailState> m_tail;
    std::weak_ptr<void> m_tailJob; // alive while a heads poll is queued or running
    TailHeads m_heads;
};

} // namespace es
