#pragma once

#include "flow/flow.h"

#include <QPointF>
#include <QRectF>
#include <QStringList>

#include <vector>

namespace es {

// Where the flow views draw each node, as plain geometry tested without painting (the TimelineStripGeometry
// pattern). Both layouts give one rectangle per flow node, in the order of Flow::nodes.

// The graph: causes left of their effects. A node's column is the longest causation path that leads to it; nodes
// of one column stack in position order; events without any causation link follow in a last row, in position order.
struct FlowGraphLayout {
    static constexpr double NodeWidth = 190;
    static constexpr double NodeHeight = 46;
    static constexpr double ColumnGap = 70;
    static constexpr double RowGap = 24;

    std::vector<QRectF> nodes;
    std::vector<int> columns; // per node
    QRectF bounds;

    static FlowGraphLayout compute(const Flow& flow);
};

// Swimlanes: one lane per stream (in the order of their first event) and one above them for causes not in this store;
// time runs left to right at `pixelsPerSecond`. Events of one lane closer than a node's width are nudged right so
// they never overlap; events without a time are placed by their order.
struct FlowLaneLayout {
    static constexpr double NodeWidth = 150;
    static constexpr double NodeHeight = 36;
    static constexpr double LaneHeight = 64;
    static constexpr double LabelWidth = 170;

    QStringList lanes; // "" first when the flow has placeholders
    std::vector<QRectF> nodes;
    std::vector<int> laneOf; // per node
    double pixelsPerSecond = 0;
    QRectF bounds;

    // zoom scales the time axis (1: the whole flow spans about `width` pixels).
    static FlowLaneLayout compute(const Flow& flow, double width, double zoom = 1.0);
    // The lane a y coordinate falls in, or -1.
    int laneAt(double y) const;
    double laneTop(int lane) const { return lane * LaneHeight; }
};

} // namespace es
