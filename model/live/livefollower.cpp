#include "live/livefollower.h"

#include "models/eventtablemodel.h"
#include "store/eventstore.h"
#include "store/storeregistry.h"

#include <QTimer>

namespace es {

// Lives on the follow lane once created: only jobs of that lane touch the Tailer.
struct LiveFollower::TailState {
    EventFilter scope;
    QString engine;
    std::unique_ptr<Tailer> tailer;
    const EventStore* store = nullptr;
};

struct LiveFollower::Batch {
    EventList events;
    TailHeads heads;
    bool begun = false; // the tail has its start (it waits for transactions that may commit below it)
    qint64 startKey = -1;
    bool storeChanged = false; // the lane has a new connection: the tail's cursors belong to the old one
};

LiveFollower::LiveFollower(EventTableModel* model, QObject* parent)
    : QObject(parent)
    , m_model(model)
{
    connect(model, &QAbstractItemModel::modelReset, this, &LiveFollower::onModelReset);
}

LiveFollower::~LiveFollower()
{
    stopTail();
}

void LiveFollower::start()
{
    m_active = true;
}

void LiveFollower::stop()
{
    m_active = false;
    stopTail();
    setHeads({});
}

void LiveFollower::tick()
{
    if (!m_active || !m_model || !m_model->session() || m_busy)
        return;
    if (!m_tail || m_model->session() != m_laneSession)
        startTail();
    else if (!m_begun)
        beginTail();
    else if (m_model->liveSession() == 0 || m_model->liveSession() != m_liveSession)
        startTail();
    else
        poll();
}

void LiveFollower::stopTail()
{
    m_tail.reset();
    m_liveSession = 0;
    m_busy = false;
    if (m_laneSession)
        m_laneSession->closeLane(m_lane); // cancels a job still queued or running there
    m_laneSession = nullptr;
}

// A new tail: its safe point first; the model then reads the store up to it, and the polls bring the rest.
void LiveFollower::startTail()
{
    StoreSession* session = m_model->session();
    stopTail();
    ++m_starts;
    m_laneSession = session;
    m_lane = session->openLane(QStringLiteral("follow"));
    auto state = std::make_shared<TailState>();
    state->scope = m_model->filter();
    state->engine = StoreRegistry::engineFor(session->address());
    m_tail = state;
    m_begun = false;
    beginTail();
}

// The tail's start: the settled start of its strategy, which may wait for writers still open (the next tick asks
// again); once there, the model reads the store up to it.
void LiveFollower::beginTail()
{
    StoreSession* session = m_laneSession;
    if (!session || !m_tail)
        return;
    std::shared_ptr<TailState> state = m_tail;
    m_busy = true;
    auto ended = [this, state] {
        if (state == m_tail) {
            m_busy = false;
            m_tail.reset(); // the next tick starts again
        }
    };
    session->run<Batch>(
        m_lane, this,
        [state](EventStore& store) {
            if (!state->tailer || state->store != &store) {
                state->tailer = std::make_unique<Tailer>(
                    state->scope, -1, createTailStrategy(state->engine, store), Tailer::Start::FromSafePoint);
                state->store = &store;
            }
            Batch b;
            b.begun = state->tailer->begin(store);
            b.startKey = state->tailer->startKey();
            b.heads = state->tailer->heads();
            return b;
        },
        [this, state](Batch b) {
            if (state != m_tail)
                return;
            m_busy = false;
            setHeads(b.heads);
            if (!m_model || !b.begun)
                return;
            m_begun = true;
            m_applying = true;
            m_liveSession = m_model->startLive(b.startKey);
            m_applying = false;
            poll();
        },
        [ended](const Failure&) { ended(); }, ended);
}

void LiveFollower::poll()
{
    StoreSession* session = m_laneSession;
    if (!session || !m_tail)
        return;
    std::shared_ptr<TailState> state = m_tail;
    const int batch = m_batch;
    m_busy = true;
    auto ended = [this, state] {
        // The tail keeps its cursor; the next tick asks again (the session reports a lost connection).
        if (state == m_tail)
            m_busy = false;
    };
    session->run<Batch>(
        m_lane, this,
        [state, batch](EventStore& store) {
            Batch b;
            if (state->store != &store) {
                b.storeChanged = true;
                return b;
            }
            b.events = state->tailer->poll(store, batch);
            b.heads = state->tailer->heads();
            return b;
        },
        [this, state](Batch b) {
            if (state != m_tail)
                return;
            m_busy = false;
            if (!m_model || m_model->liveSession() != m_liveSession || b.storeChanged) {
                m_tail.reset(); // the next tick starts over
                return;
            }
            const int n = int(b.events.size());
            if (n > 0)
                Q_EMIT eventsArrived(b.events);
            m_model->appendLive(std::move(b.events));
            setHeads(b.heads);
            if (m_model->liveRowCount() > m_maxLiveRows)
                m_tail.reset();
            Q_EMIT polled(n);
        },
        [ended](const Failure&) { ended(); }, ended);
}

void LiveFollower::onModelReset()
{
    // A reset of the model's own (a filter, a sort, another store) ends its live rows: the tail starts over.
    if (!m_applying && m_active && m_tail && m_model && m_model->liveSession() != m_liveSession) {
        stopTail();
        QTimer::singleShot(0, this, &LiveFollower::tick);
    }
}

void LiveFollower::setHeads(const TailHeads& heads)
{
    if (heads.sameAs(m_heads))
        return;
    m_heads = heads;
    Q_EMIT headsChanged(m_heads);
}

} // namespace es
