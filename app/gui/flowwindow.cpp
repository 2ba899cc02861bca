#include "flowwindow.h"

#include "flowscene.h"
#include "store/storesession.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QProgressBar>
#include <QShortcut>
#include <QSpinBox>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace es {

namespace {

QString secondsText(qint64 ms)
{
    if (ms < 0)
        return QObject::tr("unknown");
    if (ms < 1000)
        return QObject::tr("%1 ms").arg(ms);
    if (ms < 120000)
        return QObject::tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    return QObject::tr("%1 min").arg(double(ms) / 60000.0, 0, 'f', 1);
}

QGraphicsView* makeView(QGraphicsScene* scene, QWidget* parent)
{
    auto* view = new QGraphicsView(scene, parent);
    view->setDragMode(QGraphicsView::ScrollHandDrag);
    view->setRenderHint(QPainter::Antialiasing);
    view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    view->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return view;
}

} // namespace

FlowWindow::FlowWindow(QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_correlation(new QLineEdit(this))
    , m_limit(new QSpinBox(this))
    , m_widen(new QToolButton(this))
    , m_cancel(new QToolButton(this))
    , m_export(new QToolButton(this))
    , m_progress(new QProgressBar(this))
    , m_tabs(new QTabWidget(this))
    , m_graphScene(new QGraphicsScene(this))
    , m_laneScene(new QGraphicsScene(this))
    , m_graphView(makeView(m_graphScene, this))
    , m_laneView(makeView(m_laneScene, this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Flow"));
    setObjectName(QStringLiteral("flowWindow"));
    resize(1100, 640);
    m_correlation->setPlaceholderText(tr("Correlation id (Ctrl+L)"));
    m_correlation->setClearButtonEnabled(true);
    m_limit->setRange(1, 100000);
    m_limit->setValue(m_request.limit);
    m_limit->setPrefix(tr("at most "));
    m_limit->setSuffix(tr(" events"));
    m_widen->setText(tr("Read further"));
    m_widen->setToolTip(tr("Where no index serves a lookup, read twice as many positions around the start as the "
                           "last lookup did, however long that takes (Esc cancels)"));
    m_widen->setEnabled(false);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setEnabled(false);
    m_export->setText(tr("Export"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_export);
    menu->addAction(tr("Save as PNG, SVG, Mermaid or DOT…"), this, &FlowWindow::exportDialog);
    menu->addAction(tr("Copy as Mermaid"), this, [this] {
        if (m_flow)
            QApplication::clipboard()->setText(flowToMermaid(*m_flow));
    });
    menu->addAction(tr("Copy as DOT"), this, [this] {
        if (m_flow)
            QApplication::clipboard()->setText(flowToDot(*m_flow));
    });
    m_export->setMenu(menu);
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);

    m_tabs->addTab(m_graphView, tr("&Graph"));
    m_tabs->addTab(m_laneView, tr("&Swimlanes"));
    m_tabs->setObjectName(QStringLiteral("flowTabs"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_correlation, 1);
    bar->addWidget(m_limit);
    bar->addWidget(m_widen);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancel);
    bar->addWidget(m_export);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);

    connect(m_correlation, &QLineEdit::returnPressed, this, [this] {
        if (m_correlation->text().trimmed().isEmpty())
            return;
        FlowRequest r = m_request;
        r.position = -1;
        r.correlationId = m_correlation->text().trimmed();
        open(r);
    });
    connect(m_limit, &QSpinBox::editingFinished, this, [this] {
        if (m_flow && m_limit->value() != m_request.limit) {
            FlowRequest r = m_request;
            r.limit = m_limit->value();
            open(r);
        }
    });
    connect(m_widen, &QToolButton::clicked, this, [this] {
        if (!m_flow)
            return;
        FlowRequest r = m_request;
        r.window = std::max<qint64>(m_flow->scan.reach() * 2, 32768);
        open(r);
    });
    connect(m_cancel, &QToolButton::clicked, this, &FlowWindow::cancel);
    for (QGraphicsView* view : { m_graphView, m_laneView }) {
        connect(view, &QGraphicsView::customContextMenuRequested, this,
            [this, view](const QPoint& pos) { nodeMenu(view, pos); });
        view->viewport()->installEventFilter(this);
    }
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { fit(); });

    auto shortcut = [this](const QKeySequence& keys, auto slot) {
        connect(new QShortcut(keys, this), &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_L), [this] {
        m_correlation->setFocus();
        m_correlation->selectAll();
    });
    shortcut(QKeySequence(Qt::Key_Escape), [this] { cancel(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_1), [this] { m_tabs->setCurrentIndex(0); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_2), [this] { m_tabs->setCurrentIndex(1); });
    shortcut(QKeySequence::ZoomIn, [this] { zoom(1.25); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Equal), [this] { zoom(1.25); });
    shortcut(QKeySequence::ZoomOut, [this] { zoom(0.8); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_0), [this] { fit(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_E), [this] { exportDialog(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_W), [this] { close(); });
}

FlowWindow::~FlowWindow()
{
    cancel();
}

void FlowWindow::setSession(StoreSession* session)
{
    if (session == m_session)
        return;
    cancel();
    m_session = session;
    m_flow.reset();
    m_graphScene->clear();
    m_laneScene->clear();
    m_status->clear();
}

void FlowWindow::cancel()
{
    if (m_job && m_session)
        m_session->cancel(m_job);
}

void FlowWindow::open(const FlowRequest& request)
{
    if (!m_session)
        return;
    cancel();
    m_request = request;
    // Where the budget runs out first, the flow found so far is shown and the reading goes on for a while.
    if (m_request.budgetMs > 0 && m_request.followMs == 0)
        m_request.followMs = FollowMs;
    m_limit->setValue(request.limit);
    if (!request.correlationId.isEmpty())
        m_correlation->setText(request.correlationId);
    const quint64 generation = m_generation.next();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->setEnabled(true);
    m_status->setText(request.position >= 0 ? tr("Finding the flow of the event at position %1…").arg(request.position)
                                            : tr("Finding the flow of correlation id %1…").arg(request.correlationId));
    JobCallbacks<Flow> on;
    auto ended = [this, generation] {
        if (!m_generation.isCurrent(generation))
            return false;
        m_job = 0;
        m_progress->hide();
        m_cancel->setEnabled(false);
        return true;
    };
    on.finished = [this, ended](Flow flow) {
        if (ended())
            showFlow(std::move(flow));
        Q_EMIT finished();
    };
    on.failed = [this, ended](const Failure& f) {
        if (!ended())
            return;
        m_status->setText(tr("The flow could not be read: %1").arg(f.message));
        Q_EMIT failed(f);
        Q_EMIT finished();
    };
    on.cancelled = [this, ended] {
        if (ended()) {
            if (m_flow && m_flow->scan.partial)
                m_status->setText(m_flowStatus + QStringLiteral("\n")
                    + tr("Stopped reading: the flow may go on beyond the window shown."));
            else
                m_status->setText(tr("Cancelled."));
        }
        Q_EMIT finished();
    };
    on.progress = [this, generation](const JobProgress& p) {
        if (!m_generation.isCurrent(generation))
            return;
        if (p.detail.metaType() == QMetaType::fromType<Flow>()) {
            showFlow(p.detail.value<Flow>());
            Q_EMIT partialShown();
        }
        if (p.total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000 * p.done / p.total));
        } else {
            m_progress->setRange(0, 0);
        }
        const bool partial = m_flow && m_flow->scan.partial;
        m_status->setText(partial ? m_flowStatus + QStringLiteral("\n") + p.what : p.what);
    };
    m_job = m_session->run<Flow>(
        StoreSession::Lane::Interactive, this,
        [request = m_request](EventStore& store, JobControl& control) { return findFlow(store, request, &control); },
        on);
}

void FlowWindow::showFlow(Flow flow)
{
    m_flow = std::move(flow);
    if (!m_flow->correlationId.isEmpty())
        m_correlation->setText(m_flow->correlationId);
    setWindowTitle(m_flow->correlationId.isEmpty() ? tr("Flow") : tr("Flow %1").arg(m_flow->correlationId));
    m_widen->setEnabled(m_flow->scan.windowed() && !m_flow->scan.wholeLog);
    m_laneZoom = 1.0;
    redraw();
    fit();
}

QString FlowWindow::statusText() const
{
    return m_status->text();
}

void FlowWindow::redraw()
{
    if (!m_flow)
        return;
    drawFlowGraph(m_graphScene, *m_flow);
    drawFlowLanes(m_laneScene, *m_flow, std::max(600, m_laneView->viewport()->width()), m_laneZoom);
    const Flow& f = *m_flow;
    QStringList parts;
    parts.append(tr("%n event(s)", nullptr, f.eventCount()));
    if (f.placeholderCount() > 0)
        parts.append(tr("%n cause(s) not in this store", nullptr, f.placeholderCount()));
    parts.append(tr("%n stream(s)", nullptr, int(f.streams().size())));
    parts.append(tr("first to last: %1").arg(secondsText(f.durationMs)));
    if (f.slowestEdge >= 0) {
        const FlowEdge& e = f.edges[size_t(f.slowestEdge)];
        parts.append(
            tr("slowest step: %1 → %2, %3")
                .arg(f.nodes[size_t(e.cause)].event.type, f.nodes[size_t(e.effect)].event.type, secondsText(e.ms)));
    }
    if (f.truncated)
        parts.append(tr("cut at %1 events (raise the limit)").arg(f.limit));
    const FlowScan& s = f.scan;
    QString scan;
    if (s.windowFrom >= 0) {
        scan = tr("unindexed lookups read positions %1–%2 (%3 to %4) in %5")
                   .arg(s.windowFrom)
                   .arg(s.windowTo)
                   .arg(s.windowFromTime.toString(Qt::ISODate), s.windowToTime.toString(Qt::ISODate),
                       secondsText(s.elapsedMs));
        switch (s.stop) {
        case FlowScan::Stop::Budget:
            scan += tr(": the %1 time budget ran out, the flow may go on (Read further)").arg(secondsText(s.budgetMs));
            break;
        case FlowScan::Stop::Quiet:
            scan += tr(": no event of the flow within %1 positions of either end").arg(s.quietMargin);
            break;
        case FlowScan::Stop::Edges:
            scan += tr(": the whole log");
            break;
        case FlowScan::Stop::Limit:
            scan += tr(": stopped at the event limit");
            break;
        case FlowScan::Stop::Window:
        case FlowScan::Stop::None:
            break;
        }
    } else {
        scan = tr("every lookup used an index");
    }
    if (s.partial)
        scan += tr(" — reading further (Esc stops)");
    m_flowStatus = parts.join(QStringLiteral(" · ")) + QStringLiteral("\n") + scan;
    m_status->setText(m_flowStatus);
}

void FlowWindow::zoom(double factor)
{
    if (m_tabs->currentIndex() == 1) {
        // Swimlanes zoom the time axis, not the text.
        m_laneZoom = std::clamp(m_laneZoom * factor, 0.05, 200.0);
        if (m_flow)
            drawFlowLanes(m_laneScene, *m_flow, std::max(600, m_laneView->viewport()->width()), m_laneZoom);
        return;
    }
    m_graphView->scale(factor, factor);
}

void FlowWindow::fit()
{
    if (m_tabs->currentIndex() == 0) {
        m_graphView->resetTransform();
        const QRectF r = m_graphScene->sceneRect();
        if (r.width() > m_graphView->viewport()->width() || r.height() > m_graphView->viewport()->height())
            m_graphView->fitInView(r, Qt::KeepAspectRatio);
    } else {
        m_laneZoom = 1.0;
        if (m_flow)
            drawFlowLanes(m_laneScene, *m_flow, std::max(600, m_laneView->viewport()->width()), m_laneZoom);
    }
}

std::optional<int> FlowWindow::nodeAt(QGraphicsView* view, const QPoint& pos) const
{
    for (QGraphicsItem* item : view->items(pos)) {
        for (QGraphicsItem* i = item; i; i = i->parentItem()) {
            const QVariant v = i->data(FlowNodeKey);
            if (v.isValid())
                return v.toInt();
        }
    }
    return std::nullopt;
}

bool FlowWindow::eventFilter(QObject* watched, QEvent* event)
{
    QGraphicsView* view = watched == m_graphView->viewport() ? m_graphView
        : watched == m_laneView->viewport()                  ? m_laneView
                                                             : nullptr;
    if (view && event->type() == QEvent::Wheel) {
        auto* wheel = static_cast<QWheelEvent*>(event);
        if (wheel->modifiers() & Qt::ControlModifier) {
            zoom(wheel->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
            return true;
        }
    }
    if (view && m_flow && event->type() == QEvent::MouseButtonRelease) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton) {
            if (const auto node = nodeAt(view, mouse->position().toPoint());
                node && !m_flow->nodes[size_t(*node)].placeholder)
                Q_EMIT eventActivated(m_flow->nodes[size_t(*node)].event);
        }
    }
    if (view && m_flow && event->type() == QEvent::MouseButtonDblClick) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (const auto node = nodeAt(view, mouse->position().toPoint());
            node && !m_flow->nodes[size_t(*node)].placeholder)
            Q_EMIT showInTableRequested(m_flow->nodes[size_t(*node)].event.position);
    }
    return QWidget::eventFilter(watched, event);
}

void FlowWindow::nodeMenu(QGraphicsView* view, const QPoint& pos)
{
    if (!m_flow)
        return;
    const auto node = nodeAt(view, pos);
    if (!node)
        return;
    const FlowNode n = m_flow->nodes[size_t(*node)];
    QMenu menu(this);
    if (n.placeholder) {
        menu.addAction(tr("Copy reference %1").arg(n.ref), this, [n] { QApplication::clipboard()->setText(n.ref); });
    } else {
        const Event e = n.event;
        menu.addAction(tr("Show in the &inspector"), this, [this, e] { Q_EMIT eventActivated(e); });
        menu.addAction(tr("Show in the event &table"), this, [this, e] { Q_EMIT showInTableRequested(e.position); });
        menu.addAction(tr("&Time travel at version %1").arg(e.version), this,
            [this, e] { Q_EMIT timeTravelRequested(e.stream, e.version); });
        menu.addAction(tr("Open the &flow from here"), this, [this, e] {
            FlowRequest r = m_request;
            r.position = e.position;
            r.correlationId.clear();
            open(r);
        });
    }
    menu.exec(view->viewport()->mapToGlobal(pos));
}

void FlowWindow::exportDialog()
{
    if (!m_flow)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export flow"), QStringLiteral("flow.svg"),
        tr("SVG (*.svg);;PNG (*.png);;Mermaid (*.mmd);;Graphviz DOT (*.dot *.gv)"));
    if (!path.isEmpty() && !exportTo(path))
        m_status->setText(tr("Could not write %1").arg(path));
}

bool FlowWindow::exportTo(const QString& path)
{
    if (!m_flow)
        return false;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("mmd") || suffix == QLatin1String("dot") || suffix == QLatin1String("gv")) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        const QString text = suffix == QLatin1String("mmd") ? flowToMermaid(*m_flow) : flowToDot(*m_flow);
        return f.write(text.toUtf8()) >= 0;
    }
    QGraphicsScene* scene = m_tabs->currentIndex() == 0 ? m_graphScene : m_laneScene;
    const QRectF source = scene->sceneRect();
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(source.size().toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
        svg.setTitle(windowTitle());
        QPainter painter;
        if (!painter.begin(&svg))
            return false;
        scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        return painter.end();
    }
    QImage image((source.size() * 2).toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene->render(&painter, QRectF(QPointF(0, 0), source.size() * 2), source);
    painter.end();
    return image.save(path, suffix == QLatin1String("png") ? "PNG" : nullptr);
}

} // namespace es
