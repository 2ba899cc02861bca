#pragma once

#include "flow/flow.h"

#include <QColor>

class QGraphicsScene;

namespace es {

// Draws a flow into a scene: the graph (FlowGraphLayout) or the swimlanes (FlowLaneLayout). Every node item carries
// its index into Flow::nodes as data(FlowNodeKey), so views map a click back to the event.
constexpr int FlowNodeKey = 0;

QColor flowCategoryColor(const QString& category);
void drawFlowGraph(QGraphicsScene* scene, const Flow& flow);
void drawFlowLanes(QGraphicsScene* scene, const Flow& flow, double width, double zoom);

} // namespace es
