#include "flowcontroller.h"

#include "flowsview.h"
#include "flowwindow.h"
#include "store/storesession.h"

#include <QDockWidget>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenu>

namespace es {

FlowController::FlowController(QMainWindow* window)
    : QObject(window)
    , m_main(window)
    , m_flows(new FlowsView(window))
{
    auto* dock = new QDockWidget(tr("Flows"), window);
    dock->setObjectName(QStringLiteral("flowsDock"));
    dock->setWidget(m_flows);
    window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();
    dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    connect(m_flows, &FlowsView::openFlowRequested, this, &FlowController::openCorrelation);
}

void FlowController::setSession(StoreSession* session)
{
    m_session = session;
    m_flows->setSession(session);
    if (m_window)
        m_window->setSession(session);
}

void FlowController::addMenuActions(QMenu* menu)
{
    auto* byId = menu->addAction(tr("&Flow of a Correlation Id…"), this, [this] {
        bool ok = false;
        const QString id = QInputDialog::getText(m_main, tr("Flow"), tr("Correlation id:"), QLineEdit::Normal, {}, &ok);
        if (ok && !id.trimmed().isEmpty())
            openCorrelation(id.trimmed());
    });
    byId->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
}

FlowWindow* FlowController::ensureWindow()
{
    if (!m_window) {
        m_window = new FlowWindow(m_main);
        m_window->setSession(m_session);
        connect(m_window, &FlowWindow::eventActivated, this, &FlowController::eventActivated);
        connect(m_window, &FlowWindow::showInTableRequested, this, &FlowController::showInTableRequested);
        connect(m_window, &FlowWindow::timeTravelRequested, this, &FlowController::timeTravelRequested);
    }
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
    return m_window;
}

void FlowController::openFromEvent(const Event& event)
{
    if (!m_session || event.position < 0)
        return;
    FlowRequest request;
    request.position = event.position;
    ensureWindow()->open(request);
}

void FlowController::openCorrelation(const QString& correlationId, qint64 position)
{
    if (!m_session)
        return;
    FlowRequest request;
    // An event of the flow centres the window of unindexed lookups; without one they read the whole log.
    request.position = position;
    request.correlationId = position >= 0 ? QString() : correlationId;
    ensureWindow()->open(request);
}

} // namespace es
