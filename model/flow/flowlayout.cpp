#include "flow/flowlayout.h"

#include <algorithm>
#include <cmath>

namespace es {

FlowGraphLayout FlowGraphLayout::compute(const Flow& flow)
{
    FlowGraphLayout out;
    const size_t n = flow.nodes.size();
    out.columns.assign(n, 0);
    std::vector<bool> linked(n, false);
    for (const FlowEdge& e : flow.edges) {
        linked[size_t(e.cause)] = true;
        linked[size_t(e.effect)] = true;
    }
    // Longest path, relaxed at most n times so that a cycle (a store whose causation ids loop) still ends.
    for (size_t round = 0; round < n; ++round) {
        bool changed = false;
        for (const FlowEdge& e : flow.edges) {
            const int want = out.columns[size_t(e.cause)] + 1;
            if (want > out.columns[size_t(e.effect)] && want <= int(n)) {
                out.columns[size_t(e.effect)] = want;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    std::vector<int> rowsInColumn;
    out.nodes.resize(n);
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = i;
    // Placeholders stand before the events they caused: order them by their first effect.
    auto key = [&](size_t i) -> qint64 {
        if (!flow.nodes[i].placeholder)
            return flow.nodes[i].event.position;
        for (const FlowEdge& e : flow.edges) {
            if (size_t(e.cause) == i)
                return flow.nodes[size_t(e.effect)].event.position;
        }
        return -1;
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
    int maxRow = -1;
    for (size_t i : order) {
        if (!linked[i])
            continue;
        const int column = out.columns[i];
        if (int(rowsInColumn.size()) <= column)
            rowsInColumn.resize(size_t(column) + 1, 0);
        const int row = rowsInColumn[size_t(column)]++;
        maxRow = std::max(maxRow, row);
        out.nodes[i] = QRectF(column * (NodeWidth + ColumnGap), row * (NodeHeight + RowGap), NodeWidth, NodeHeight);
    }
    int loose = 0;
    for (size_t i : order) {
        if (linked[i])
            continue;
        out.columns[i] = loose;
        out.nodes[i] = QRectF(
            loose * (NodeWidth + ColumnGap), (maxRow + 1) * (NodeHeight + RowGap) + RowGap, NodeWidth, NodeHeight);
        ++loose;
    }
    for (const QRectF& r : out.nodes)
        out.bounds = out.bounds.isNull() ? r : out.bounds.united(r);
    return out;
}

FlowLaneLayout FlowLaneLayout::compute(const Flow& flow, double width, double zoom)
{
    FlowLaneLayout out;
    const size_t n = flow.nodes.size();
    if (flow.placeholderCount() > 0)
        out.lanes.append(QString());
    out.lanes += flow.streams();
    out.nodes.resize(n);
    out.laneOf.assign(n, 0);
    QDateTime first, last;
    for (const FlowNode& node : flow.nodes) {
        const QDateTime& t = node.event.time;
        if (node.placeholder || !t.isValid())
            continue;
        if (!first.isValid() || t < first)
            first = t;
        if (!last.isValid() || t > last)
            last = t;
    }
    const double span = first.isValid() ? double(first.msecsTo(last)) / 1000.0 : 0.0;
    const double usable = std::max(200.0, width - LabelWidth - NodeWidth) * std::max(0.01, zoom);
    out.pixelsPerSecond = span > 0 ? usable / span : 0;
    // Events by time (then position) so that nudging keeps their order within a lane.
    std::vector<size_t> order;
    for (size_t i = 0; i < n; ++i) {
        if (!flow.nodes[i].placeholder)
            order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const Event& x = flow.nodes[a].event;
        const Event& y = flow.nodes[b].event;
        if (x.time.isValid() && y.time.isValid() && x.time != y.time)
            return x.time < y.time;
        return x.position < y.position;
    });
    std::vector<double> laneEnd(size_t(out.lanes.size()), -1e18);
    for (size_t k = 0; k < order.size(); ++k) {
        const size_t i = order[k];
        const FlowNode& node = flow.nodes[i];
        const int lane = int(out.lanes.indexOf(node.event.stream));
        double x = LabelWidth
            + (out.pixelsPerSecond > 0 && node.event.time.isValid()
                    ? double(first.msecsTo(node.event.time)) / 1000.0 * out.pixelsPerSecond
                    : double(k) * (NodeWidth + 20) * std::max(0.01, zoom));
        x = std::max(x, laneEnd[size_t(lane)] + 8);
        laneEnd[size_t(lane)] = x + NodeWidth;
        out.laneOf[i] = lane;
        out.nodes[i] = QRectF(x, lane * LaneHeight + (LaneHeight - NodeHeight) / 2, NodeWidth, NodeHeight);
    }
    // A placeholder sits in the top lane just before the first event it caused.
    for (size_t i = 0; i < n; ++i) {
        if (!flow.nodes[i].placeholder)
            continue;
        double x = LabelWidth;
        for (const FlowEdge& e : flow.edges) {
            if (size_t(e.cause) == i) {
                x = std::max(LabelWidth, out.nodes[size_t(e.effect)].left() - NodeWidth / 2);
                break;
            }
        }
        x = std::max(x, laneEnd[0] + 8);
        laneEnd[0] = x + NodeWidth;
        out.laneOf[i] = 0;
        out.nodes[i] = QRectF(x, (LaneHeight - NodeHeight) / 2, NodeWidth, NodeHeight);
    }
    double right = LabelWidth + NodeWidth;
    for (const QRectF& r : out.nodes)
        right = std::max(right, r.right());
    out.bounds = QRectF(0, 0, right + 20, out.lanes.size() * LaneHeight);
    return out;
}

int FlowLaneLayout::laneAt(double y) const
{
    if (y < 0)
        return -1;
    const int lane = int(std::floor(y / LaneHeight));
    return lane < lanes.size() ? lane : -1;
}

} // namespace es
