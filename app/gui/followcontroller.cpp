#include "followcontroller.h"

#include "models/eventtablemodel.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"
#include "store/storesession.h"

#include <QAction>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

namespace es {

// Lives on the session's background lane once created: only jobs of that lane touch the Tailer.
struct FollowController::TailState {
    QPointer<StoreSession> session;
    EventFilter scope;
    std::unique_ptr<Tailer> tailer;
    const EventStore* store = nullptr;
};

FollowController::FollowController(QTableView* table, EventTableModel* model, QObject* parent)
    : QObject(parent)
    , m_table(table)
    , m_model(model)
    , m_action(new QAction(tr("&Follow"), this))
    , m_timer(new QTimer(this))
{
    m_action->setCheckable(true);
    m_action->setToolTip(tr("Follow: show new events as they are committed, pinned to the end"));
    m_timer->setInterval(1000);
    connect(m_action, &QAction::toggled, this, &FollowController::setFollowing);
    connect(m_timer, &QTimer::timeout, this, &FollowController::tick);
    QScrollBar* bar = table->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this] {
        if (!m_scrolling && isFollowing())
            m_pinned = atEnd();
    });
    connect(bar, &QScrollBar::rangeChanged, this, [this] {
        if (isFollowing() && m_pinned)
            pin();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (isFollowing() && m_pinned)
            QTimer::singleShot(0, this, &FollowController::pin);
    });
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
        tick();
    } else {
        m_timer->stop();
        resetHeads();
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

void FollowController::tick()
{
    if (m_model && m_model->session()) {
        m_model->refresh();
        pollHeads();
    }
}

void FollowController::resetHeads()
{
    m_tail.reset();
    if (m_heads.visible != -1 || m_heads.settled != -1) {
        m_heads = {};
        Q_EMIT headsChanged(m_heads);
    }
}

void FollowController::pollHeads()
{
    StoreSession* session = m_model->session();
    const EventFilter filter = m_model->filter();
    if (m_tail
        && (m_tail->session != session || m_tail->scope.stream != filter.stream
            || m_tail->scope.category != filter.category))
        resetHeads();
    if (!m_tailJob.expired())
        return;
    if (!m_tail) {
        m_tail = std::make_shared<TailState>();
        m_tail->session = session;
        m_tail->scope.stream = filter.stream;
        m_tail->scope.category = filter.category;
    }
    auto job = std::make_shared<int>(0);
    m_tailJob = job;
    std::shared_ptr<TailState> state = m_tail;
    const QString engine = StoreRegistry::engineFor(session->address());
    session->run<TailHeads>(
        StoreSession::Lane::Background, this,
        [state, engine, job](EventStore& store) {
            if (!state->tailer || state->store != &store) {
                state->tailer = std::make_unique<Tailer>(state->scope, -1, createTailStrategy(engine, store));
                state->store = &store;
            }
            // The table shows the events; this only moves the tail on, so a burst is read over a few ticks.
            state->tailer->poll(store, 5000);
            return state->tailer->heads();
        },
        [this, state](TailHeads heads) {
            if (state != m_tail || (heads.visible == m_heads.visible && heads.settled == m_heads.settled))
                return;
            m_heads = heads;
            Q_EMIT headsChanged(m_heads);
        });
}

bool FollowController::atEnd() const
{
    if (!m_table)
        return true;
    const QScrollBar* bar = m_table->verticalScrollBar();
    if (m_model && m_model->sortOrder() == Qt::DescendingOrder)
        return bar->value() <= bar->minimum();
    return bar->value() >= bar->maximum();
}

void FollowController::pin()
{
    if (!m_table)
        return;
    m_scrolling = true;
    if (m_model && m_model->sortOrder() == Qt::DescendingOrder)
        m_table->scrollToTop();
    else
        m_table->scrollToBottom();
    m_scrolling = false;
}

} // namespace es
