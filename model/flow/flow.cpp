#include "flow/flow.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <map>

namespace es {

int Flow::eventCount() const
{
    return int(std::count_if(nodes.begin(), nodes.end(), [](const FlowNode& n) { return !n.placeholder; }));
}

int Flow::placeholderCount() const
{
    return int(nodes.size()) - eventCount();
}

int Flow::indexOfPosition(qint64 position) const
{
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!nodes[i].placeholder && nodes[i].event.position == position)
            return int(i);
    }
    return -1;
}

QString Flow::nodeName(const FlowNode& node)
{
    if (node.placeholder)
        return node.ref;
    return node.event.id.isEmpty() ? QString::number(node.event.position) : node.event.id;
}

QStringList Flow::streams() const
{
    QStringList out;
    for (const FlowNode& n : nodes) {
        if (!n.placeholder && !out.contains(n.event.stream))
            out.append(n.event.stream);
    }
    return out;
}

QStringList flowNodeLabel(const FlowNode& node)
{
    if (node.placeholder)
        return { QStringLiteral("not in this store"), node.ref };
    return { node.event.type, QStringLiteral("%1@%2").arg(node.event.stream).arg(node.event.version) };
}

QString flowStopName(FlowScan::Stop stop)
{
    switch (stop) {
    case FlowScan::Stop::None:
        break;
    case FlowScan::Stop::Edges:
        return QStringLiteral("edges");
    case FlowScan::Stop::Window:
        return QStringLiteral("window");
    case FlowScan::Stop::Quiet:
        return QStringLiteral("quiet");
    case FlowScan::Stop::Budget:
        return QStringLiteral("budget");
    case FlowScan::Stop::Limit:
        return QStringLiteral("limit");
    }
    return QStringLiteral("none");
}

QJsonObject flowToJson(const Flow& flow)
{
    QJsonArray events;
    for (const FlowNode& n : flow.nodes) {
        if (!n.placeholder)
            events.append(QJsonDocument::fromJson(n.event.toJsonLine()).object());
    }
    QJsonArray edges;
    std::map<int, QJsonArray> referencedBy;
    for (const FlowEdge& e : flow.edges) {
        const FlowNode& cause = flow.nodes[size_t(e.cause)];
        const FlowNode& effect = flow.nodes[size_t(e.effect)];
        if (cause.placeholder) {
            referencedBy[e.cause].append(Flow::nodeName(effect));
            continue;
        }
        edges.append(QJsonObject {
            { QStringLiteral("from"), Flow::nodeName(cause) }, { QStringLiteral("to"), Flow::nodeName(effect) } });
    }
    QJsonArray unresolved;
    for (size_t i = 0; i < flow.nodes.size(); ++i) {
        const FlowNode& n = flow.nodes[i];
        if (!n.placeholder)
            continue;
        unresolved.append(
            QJsonObject { { QStringLiteral("id"), n.ref }, { QStringLiteral("referencedBy"), referencedBy[int(i)] },
                { QStringLiteral("searchedEverywhere"), n.searchedEverywhere } });
    }
    QJsonObject slowest;
    if (flow.slowestEdge >= 0) {
        const FlowEdge& e = flow.edges[size_t(flow.slowestEdge)];
        slowest = QJsonObject { { QStringLiteral("from"), Flow::nodeName(flow.nodes[size_t(e.cause)]) },
            { QStringLiteral("to"), Flow::nodeName(flow.nodes[size_t(e.effect)]) }, { QStringLiteral("ms"), e.ms } };
    }
    const FlowScan& s = flow.scan;
    QJsonObject scan { { QStringLiteral("correlationIndexed"), s.correlationIndexed },
        { QStringLiteral("causeIndexed"), s.causeIndexed }, { QStringLiteral("effectIndexed"), s.effectIndexed },
        { QStringLiteral("wholeLog"), s.wholeLog }, { QStringLiteral("statements"), s.statements },
        { QStringLiteral("elapsedMs"), s.elapsedMs } };
    if (s.windowFrom >= 0) {
        scan.insert(QStringLiteral("center"), s.center);
        scan.insert(QStringLiteral("stoppedBy"), flowStopName(s.stop));
        scan.insert(QStringLiteral("budgetMs"), s.budgetMs);
        if (s.stop == FlowScan::Stop::Quiet)
            scan.insert(QStringLiteral("quietMargin"), s.quietMargin);
        scan.insert(QStringLiteral("windowFrom"), s.windowFrom);
        scan.insert(QStringLiteral("windowTo"), s.windowTo);
        if (s.windowFromTime.isValid())
            scan.insert(QStringLiteral("windowFromTime"), Event::timeToIso(s.windowFromTime));
        if (s.windowToTime.isValid())
            scan.insert(QStringLiteral("windowToTime"), Event::timeToIso(s.windowToTime));
    }
    QJsonObject out { { QStringLiteral("correlationId"), flow.correlationId }, { QStringLiteral("events"), events },
        { QStringLiteral("edges"), edges }, { QStringLiteral("unresolved"), unresolved },
        { QStringLiteral("truncated"), flow.truncated }, { QStringLiteral("scan"), scan } };
    out.insert(
        QStringLiteral("startPosition"), flow.startPosition >= 0 ? QJsonValue(flow.startPosition) : QJsonValue());
    out.insert(QStringLiteral("durationMs"), flow.durationMs >= 0 ? QJsonValue(flow.durationMs) : QJsonValue());
    out.insert(QStringLiteral("slowestStep"), slowest.isEmpty() ? QJsonValue() : QJsonValue(slowest));
    return out;
}

namespace {

QString escapedLabel(QStringList lines, bool dot)
{
    for (QString& l : lines) {
        l.replace(u'\\', QStringLiteral("\\\\"));
        l.replace(u'"', dot ? QStringLiteral("\\\"") : QStringLiteral("#quot;"));
        if (!dot) {
            l.replace(u'<', QStringLiteral("#lt;"));
            l.replace(u'>', QStringLiteral("#gt;"));
        }
    }
    return lines.join(dot ? QStringLiteral("\\n") : QStringLiteral("<br/>"));
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', ms < 60000 ? 1 : 0);
}

} // namespace

QString flowToMermaid(const Flow& flow)
{
    QString out = QStringLiteral("flowchart LR\n");
    for (size_t i = 0; i < flow.nodes.size(); ++i) {
        const FlowNode& n = flow.nodes[i];
        const QString label = escapedLabel(flowNodeLabel(n), false);
        if (n.placeholder)
            out += QStringLiteral("  n%1[/\"%2\"/]\n").arg(i).arg(label);
        else
            out += QStringLiteral("  n%1[\"%2\"]\n").arg(i).arg(label);
    }
    for (const FlowEdge& e : flow.edges) {
        const QString d = durationText(e.ms);
        if (d.isEmpty())
            out += QStringLiteral("  n%1 --> n%2\n").arg(e.cause).arg(e.effect);
        else
            out += QStringLiteral("  n%1 -->|%3| n%2\n").arg(e.cause).arg(e.effect).arg(d);
    }
    for (size_t i = 0; i < flow.nodes.size(); ++i) {
        if (flow.nodes[i].placeholder)
            out += QStringLiteral("  style n%1 stroke-dasharray: 5 5\n").arg(i);
    }
    return out;
}

QString flowToDot(const Flow& flow)
{
    QString out = QStringLiteral("digraph flow {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
    if (!flow.correlationId.isEmpty())
        out += QStringLiteral("  label=\"%1\";\n").arg(escapedLabel({ flow.correlationId }, true));
    for (size_t i = 0; i < flow.nodes.size(); ++i) {
        const FlowNode& n = flow.nodes[i];
        out += QStringLiteral("  n%1 [label=\"%2\"%3];\n")
                   .arg(i)
                   .arg(escapedLabel(flowNodeLabel(n), true),
                       n.placeholder ? QStringLiteral(", style=dashed") : QString());
    }
    for (const FlowEdge& e : flow.edges) {
        const QString d = durationText(e.ms);
        out += d.isEmpty() ? QStringLiteral("  n%1 -> n%2;\n").arg(e.cause).arg(e.effect)
                           : QStringLiteral("  n%1 -> n%2 [label=\"%3\"];\n").arg(e.cause).arg(e.effect).arg(d);
    }
    out += QStringLiteral("}\n");
    return out;
}

} // namespace es
