#pragma once

#include "core/event.h"

#include <QObject>
#include <QPointer>

class QMainWindow;
class QMenu;

namespace es {

class FlowWindow;
class FlowsView;
class StoreSession;

// Flows in the main window: the Flow window (opened from an event — the inspector's link, the event table's context
// menu — or from a correlation id, Ctrl+Shift+L) and the Flows dock (many flows from a start type). The main window
// constructs it, passes sessions on and answers its requests to show an event.
class FlowController : public QObject {
    Q_OBJECT
public:
    explicit FlowController(QMainWindow* window);

    void setSession(StoreSession* session);
    void addMenuActions(QMenu* menu);
    void openFromEvent(const Event& event);
    void openCorrelation(const QString& correlationId, qint64 position = -1);
    FlowWindow* window() const { return m_window; }
    FlowsView* flowsView() const { return m_flows; }

Q_SIGNALS:
    void eventActivated(const es::Event& event);
    void showInTableRequested(qint64 position);
    void timeTravelRequested(const QString& stream, qint64 version);

private:
    FlowWindow* ensureWindow();

    QMainWindow* m_main;
    QPointer<StoreSession> m_session;
    FlowWindow* m_window = nullptr;
    FlowsView* m_flows;
};

} // namespace es
