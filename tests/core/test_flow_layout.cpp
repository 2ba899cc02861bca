#include <catch2/catch.hpp>

#include "flow/flowlayout.h"

using namespace es;

namespace {

FlowNode event(qint64 position, const char* stream, int msFromStart)
{
    FlowNode n;
    n.event.position = position;
    n.event.stream = QString::fromUtf8(stream);
    n.event.type = QStringLiteral("T");
    n.event.time = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).addMSecs(msFromStart);
    n.ref = QString::number(position);
    return n;
}

// cmd -> 1 -> 2 -> 4, 1 -> 3; 5 unlinked.
Flow sample()
{
    Flow f;
    f.nodes = { event(1, "a-1", 0), event(2, "b-1", 1000), event(3, "c-1", 1500), event(4, "a-1", 1100),
        event(5, "d-1", 4000) };
    FlowNode p;
    p.placeholder = true;
    p.ref = QStringLiteral("cmd");
    f.nodes.push_back(p);
    f.edges = { { 5, 0, -1 }, { 0, 1, 1000 }, { 1, 3, 100 }, { 0, 2, 1500 } };
    return f;
}

} // namespace

TEST_CASE("Flow graph layout: causes left of effects, unlinked events in a last row", "[flow][layout]")
{
    const Flow f = sample();
    const FlowGraphLayout g = FlowGraphLayout::compute(f);
    CHECK(g.columns == std::vector<int> { 1, 2, 2, 3, 0, 0 });
    CHECK(g.nodes[5].left() == 0); // the placeholder before event 1
    CHECK(g.nodes[0].left() > g.nodes[5].right());
    CHECK(g.nodes[1].left() == g.nodes[2].left()); // one column
    CHECK(g.nodes[1].top() < g.nodes[2].top()); // in position order
    CHECK(g.nodes[3].left() > g.nodes[1].right());
    // Event 5 has no link: below every linked row.
    for (size_t i = 0; i < 4; ++i)
        CHECK(g.nodes[4].top() > g.nodes[i].bottom());
    CHECK(g.bounds.contains(g.nodes[3]));

    // A causation cycle still ends.
    Flow loop = f;
    loop.edges.push_back({ 3, 0, -1 });
    CHECK(FlowGraphLayout::compute(loop).nodes.size() == 6);
}

TEST_CASE("Flow swimlanes: a lane per stream, time to the right, no overlap in a lane", "[flow][layout]")
{
    const Flow f = sample();
    const FlowLaneLayout l = FlowLaneLayout::compute(f, 1000, 1.0);
    CHECK(l.lanes
        == QStringList {
            QString(), QStringLiteral("a-1"), QStringLiteral("b-1"), QStringLiteral("c-1"), QStringLiteral("d-1") });
    CHECK(l.laneOf == std::vector<int> { 1, 2, 3, 1, 4, 0 });
    // 4 s over (1000 - label - node) pixels.
    CHECK(l.pixelsPerSecond == Approx((1000 - FlowLaneLayout::LabelWidth - FlowLaneLayout::NodeWidth) / 4.0));
    CHECK(l.nodes[0].left() == FlowLaneLayout::LabelWidth);
    CHECK(l.nodes[1].left() == Approx(FlowLaneLayout::LabelWidth + l.pixelsPerSecond));
    // Event 4 (1.1 s) shares lane a-1 with event 1 and would overlap it: nudged right.
    CHECK(l.nodes[3].left() >= l.nodes[0].right());
    CHECK(l.laneAt(l.nodes[2].center().y()) == 3);
    CHECK(l.laneAt(-1) == -1);
    // Zoom stretches time.
    const FlowLaneLayout z = FlowLaneLayout::compute(f, 1000, 2.0);
    CHECK(z.pixelsPerSecond == Approx(2 * l.pixelsPerSecond));
    CHECK(z.nodes[4].left() > l.nodes[4].left());
}
