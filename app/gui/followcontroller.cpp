#include "followcontroller.h"

#include "models/eventtablemodel.h"

#include <QAction>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

namespace es {

FollowController::FollowController(QTableView* table, EventTableModel* model, QObject* parent)
    : FollowController(table->verticalScrollBar(), model, parent)
{
    m_table = table;
}

FollowController::FollowController(QScrollBar* bar, EventTableModel* model, QObject* parent)
    : QObject(parent)
    , m_bar(bar)
    , m_model(model)
    , m_follower(new LiveFollower(model, this))
    , m_action(new QAction(tr("&Follow"), this))
    , m_timer(new QTimer(this))
{
    m_action->setCheckable(true);
    m_action->setToolTip(tr("Follow: show new events as they are committed, pinned to the end"));
    m_timer->setInterval(1000);
    connect(m_action, &QAction::toggled, this, &FollowController::setFollowing);
    connect(m_timer, &QTimer::timeout, m_follower, &LiveFollower::tick);
    connect(m_follower, &LiveFollower::headsChanged, this, &FollowController::headsChanged);
    // A burst is read in a few polls without waiting for the timer.
    connect(m_follower, &LiveFollower::polled, this, [this](int events) {
        if (events > 0 && isFollowing())
            QTimer::singleShot(0, m_follower, &LiveFollower::tick);
    });
    connect(bar, &QScrollBar::valueChanged, this, [this] {
        if (!m_scrolling && isFollowing())
            m_pinned = atEnd();
    });
    connect(bar, &QScrollBar::rangeChanged, this, [this] {
        if (isFollowing() && m_pinned)
            pin();
    });
    // Pinned once the rows are laid out, unless the user scrolled away in between (asked again when it runs).
    const auto pinSoon = [this] {
        if (isFollowing() && m_pinned)
            QTimer::singleShot(0, this, [this] {
                if (isFollowing() && m_pinned)
                    pin();
            });
    };
    connect(model, &QAbstractItemModel::rowsInserted, this, pinSoon);
    connect(model, &QAbstractItemModel::modelReset, this, pinSoon);
}

void FollowController::setFollowing(bool on)
{
    if (m_action->isChecked() != on)
        m_action->setChecked(on); // comes back here through toggled
    if (on == m_timer->isActive())
        return;
    if (on) {
        m_pinned = true;
        pin();
        m_timer->start();
        m_follower->start();
        m_follower->tick();
    } else {
        m_timer->stop();
        m_follower->stop();
    }
}

bool FollowController::isFollowing() const
{
    return m_timer->isActive();
}

void FollowController::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

int FollowController::interval() const
{
    return m_timer->interval();
}

bool FollowController::atEnd() const
{
    if (!m_bar)
        return true;
    const QScrollBar* bar = m_bar;
    if (m_model && m_model->sortOrder() == Qt::DescendingOrder)
        return bar->value() <= bar->minimum();
    return bar->value() >= bar->maximum();
}

void FollowController::pin()
{
    if (!m_bar)
        return;
    m_scrolling = true;
    const bool top = m_model && m_model->sortOrder() == Qt::DescendingOrder;
    if (m_table && top) // lays out rows inserted since the last layout first
        m_table->scrollToTop();
    else if (m_table)
        m_table->scrollToBottom();
    else
        m_bar->setValue(top ? m_bar->minimum() : m_bar->maximum());
    m_scrolling = false;
}

} // namespace es
