#include "flowscene.h"

#include "flow/flowlayout.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QHash>
#include <QPainterPath>
#include <QPen>

#include <cmath>

namespace es {

namespace {

QString durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', ms < 60000 ? 1 : 0);
}

void addNode(QGraphicsScene* scene, const Flow& flow, int index, const QRectF& rect, bool slowestEnd)
{
    const FlowNode& node = flow.nodes[size_t(index)];
    auto* box = scene->addRect(rect,
        QPen(node.placeholder ? QColor(120, 120, 120) : QColor(60, 60, 60), slowestEnd ? 2.0 : 1.0,
            node.placeholder ? Qt::DashLine : Qt::SolidLine),
        node.placeholder ? QBrush(QColor(240, 240, 240)) : QBrush(flowCategoryColor(node.category)));
    box->setData(FlowNodeKey, index);
    box->setFlag(QGraphicsItem::ItemIsSelectable);
    box->setCursor(QCursor(Qt::PointingHandCursor));
    QStringList lines = flowNodeLabel(node);
    if (node.placeholder && !node.searchedEverywhere)
        lines[0] = QObject::tr("not in the window read");
    box->setToolTip(node.placeholder
            ? lines.join(u'\n')
            : QStringLiteral("%1\n%2 @ %3\nposition %4\n%5")
                  .arg(node.event.type, node.event.stream)
                  .arg(node.event.version)
                  .arg(node.event.position)
                  .arg(node.event.time.isValid() ? Event::timeToIso(node.event.time) : QObject::tr("no time")));
    QFont bold;
    bold.setBold(true);
    const QFontMetricsF fm(bold);
    auto* title = scene->addSimpleText(fm.elidedText(lines.value(0), Qt::ElideRight, rect.width() - 10), bold);
    title->setParentItem(box);
    title->setPos(rect.left() + 5, rect.top() + 3);
    title->setAcceptedMouseButtons(Qt::NoButton);
    auto* sub
        = scene->addSimpleText(QFontMetricsF(QFont()).elidedText(lines.value(1), Qt::ElideMiddle, rect.width() - 10));
    sub->setParentItem(box);
    sub->setPos(rect.left() + 5, rect.top() + rect.height() / 2);
    sub->setAcceptedMouseButtons(Qt::NoButton);
}

void addArrow(QGraphicsScene* scene, QPointF from, QPointF to, const QString& label, bool slowest, bool curved)
{
    QPainterPath path(from);
    if (curved) {
        const double dx = std::max(30.0, std::abs(to.x() - from.x()) / 2);
        path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    } else {
        path.lineTo(to);
    }
    const QColor color = slowest ? QColor(200, 60, 30) : QColor(70, 70, 70);
    scene->addPath(path, QPen(color, slowest ? 2.0 : 1.2))->setZValue(-1);
    const QPointF tangent = to - path.pointAtPercent(0.95);
    const double angle = std::atan2(tangent.y(), tangent.x());
    QPolygonF head;
    head << to << to - QPointF(std::cos(angle - 0.4) * 9, std::sin(angle - 0.4) * 9)
         << to - QPointF(std::cos(angle + 0.4) * 9, std::sin(angle + 0.4) * 9);
    scene->addPolygon(head, QPen(color), QBrush(color))->setZValue(-1);
    if (!label.isEmpty()) {
        auto* text = scene->addSimpleText(label);
        text->setBrush(color);
        const QPointF mid = path.pointAtPercent(0.5);
        text->setPos(mid.x() - text->boundingRect().width() / 2, mid.y() - text->boundingRect().height() - 1);
    }
}

} // namespace

QColor flowCategoryColor(const QString& category)
{
    return QColor::fromHsv(int(qHash(category) % 360), 60, 250);
}

void drawFlowGraph(QGraphicsScene* scene, const Flow& flow)
{
    scene->clear();
    const FlowGraphLayout layout = FlowGraphLayout::compute(flow);
    for (size_t i = 0; i < flow.edges.size(); ++i) {
        const FlowEdge& e = flow.edges[i];
        const QRectF& a = layout.nodes[size_t(e.cause)];
        const QRectF& b = layout.nodes[size_t(e.effect)];
        addArrow(scene, QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y()), durationText(e.ms),
            int(i) == flow.slowestEdge, true);
    }
    for (size_t i = 0; i < flow.nodes.size(); ++i)
        addNode(scene, flow, int(i), layout.nodes[i], false);
    scene->setSceneRect(layout.bounds.adjusted(-20, -30, 20, 20));
}

void drawFlowLanes(QGraphicsScene* scene, const Flow& flow, double width, double zoom)
{
    scene->clear();
    const FlowLaneLayout layout = FlowLaneLayout::compute(flow, width, zoom);
    for (int lane = 0; lane < layout.lanes.size(); ++lane) {
        const double top = layout.laneTop(lane);
        scene
            ->addRect(QRectF(0, top, layout.bounds.width(), FlowLaneLayout::LaneHeight), QPen(QColor(215, 215, 215)),
                lane % 2 ? QBrush(QColor(250, 250, 250)) : QBrush(QColor(243, 245, 248)))
            ->setZValue(-2);
        const QString name = layout.lanes[lane].isEmpty() ? QObject::tr("(not in this store)") : layout.lanes[lane];
        auto* label = scene->addSimpleText(
            QFontMetricsF(QFont()).elidedText(name, Qt::ElideMiddle, FlowLaneLayout::LabelWidth - 12));
        label->setPos(6, top + FlowLaneLayout::LaneHeight / 2 - label->boundingRect().height() / 2);
    }
    for (size_t i = 0; i < flow.edges.size(); ++i) {
        const FlowEdge& e = flow.edges[i];
        const QRectF& a = layout.nodes[size_t(e.cause)];
        const QRectF& b = layout.nodes[size_t(e.effect)];
        const bool sameLane = layout.laneOf[size_t(e.cause)] == layout.laneOf[size_t(e.effect)];
        const QPointF from = sameLane ? QPointF(a.right(), a.center().y())
                                      : QPointF(a.center().x(), b.center().y() > a.center().y() ? a.bottom() : a.top());
        const QPointF to = sameLane ? QPointF(b.left(), b.center().y())
                                    : QPointF(b.left() + 12, b.center().y() > a.center().y() ? b.top() : b.bottom());
        addArrow(scene, from, to, {}, int(i) == flow.slowestEdge, false);
    }
    for (size_t i = 0; i < flow.nodes.size(); ++i)
        addNode(scene, flow, int(i), layout.nodes[i], false);
    scene->setSceneRect(layout.bounds.adjusted(0, 0, 20, 10));
}

} // namespace es
