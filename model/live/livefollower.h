#pragma once

#include "live/tailer.h"
#include "store/storesession.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace es {

class EventTableModel;

// Drives an event table live from the store's tail (the same TailStrategy as `eventscope-cli tail`): a Tailer on a
// session lane of its own takes the strategy's settled start (waiting, tick by tick, for the transactions that could
// still commit below it), the model reads the store only up to it
// (EventTableModel::startLive), and each tick() appends what the tail found safe to show since, each event once, in the
// tail's order. So the table never shows a row a late commit could still land before. A reset of the model (filter,
// sort, session), a new connection on the lane, or more than maxLiveRows() live rows start the tail over from a newer
// safe point (the model then reads those rows from the store). The GUI's FollowController ticks it on a timer.
class LiveFollower : public QObject {
    Q_OBJECT
public:
    explicit LiveFollower(EventTableModel* model, QObject* parent = nullptr);
    ~LiveFollower() override;

    // Starts following at the next tick(); stop() ends it and leaves the rows shown as they are.
    void start();
    void stop();
    bool isActive() const { return m_active; }
    // Starts the tail when it must, else polls it; nothing while a poll is still running.
    void tick();

    void setMaxLiveRows(qint64 rows) { m_maxLiveRows = rows; }
    qint64 maxLiveRows() const { return m_maxLiveRows; }
    // Events per poll.
    void setBatch(int events) { m_batch = events; }

    // The heads of the followed scope; both -1 when not following or not known yet.
    TailHeads heads() const { return m_heads; }
    // How many times the tail started (the first start included).
    int starts() const { return m_starts; }
    // True while no start or poll job is queued or running.
    bool isIdle() const { return !m_busy; }

Q_SIGNALS:
    void headsChanged(const es::TailHeads& heads);
    // A poll brought events (after they were appended to the model).
    void polled(int events);
    // The events a poll brought, in the tail's order, just before they go into the model.
    void eventsArrived(const es::EventList& events);

private:
    struct TailState;
    struct Batch;

    void startTail();
    void beginTail();
    void stopTail();
    void poll();
    void setHeads(const TailHeads& heads);
    void onModelReset();

    QPointer<EventTableModel> m_model;
    bool m_active = false;
    bool m_applying = false; // inside the model's startLive()
    std::shared_ptr<TailState> m_tail;
    QPointer<StoreSession> m_laneSession;
    StoreSession::Lane m_lane = StoreSession::Lane::Background;
    quint64 m_liveSession = 0;
    bool m_busy = false;
    bool m_begun = false; // the tail has its start and the model is live from it
    int m_starts = 0;
    qint64 m_maxLiveRows = 100000;
    int m_batch = 5000;
    TailHeads m_heads;
};

} // namespace es
