#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QTableView;
class QTimer;

namespace es {

class EventTableModel;

// "Follow" for an event table: refreshes the model on a timer so appended events appear, and keeps the view
// pinned to the end unless the user scrolled away (scrolling back to the end pins it again).
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

private:
    void tick();
    void pin();
    bool atEnd() const;

    QPointer<QTableView> m_table;
    QPointer<EventTableModel> m_model;
    QAction* m_action;
    QTimer* m_timer;
    bool m_pinned = true;
    bool m_scrolling = false;
};

} // namespace es
