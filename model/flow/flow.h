#pragma once

#include "core/event.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace es {

// One node of a flow: an event of the store, or a placeholder for a cause the store does not hold (a command id, a
// message of another system), named by the reference its effects carry.
struct FlowNode {
    Event event; // a placeholder's has position -1 and its reference as id
    bool placeholder = false;
    // How a causation reference names this node: its id, or its position as text where the layout names causes by
    // position.
    QString ref;
    // Placeholders: whether the store was searched for it everywhere (false: only in the scanned window).
    bool searchedEverywhere = true;
    QString category; // the stream's category (empty for placeholders)
};

// A causation link: the cause's node, the effect's node, and the time between them (-1 where a time is unknown).
struct FlowEdge {
    int cause = -1;
    int effect = -1;
    qint64 ms = -1;
};

// How a flow was found: which lookups an index served, and the window of positions read where none did.
struct FlowScan {
    // Why the window stopped growing.
    enum class Stop {
        None, // no window was needed (every lookup used an index)
        Edges, // it reached both ends of the log
        Window, // it read the window asked for (no time budget)
        Quiet, // no event of the flow within quietMargin positions of either open edge: the flow looks finished
        Budget, // the time budget ran out: the flow may go on beyond the window
        Limit, // the event limit was reached
    };
    bool correlationIndexed = false;
    bool causeIndexed = false; // causes by id (or position)
    bool effectIndexed = false; // effects by causation reference
    qint64 windowFrom = -1; // the positions unindexed lookups read (inclusive); -1 when none was needed
    qint64 windowTo = -1;
    QDateTime windowFromTime;
    QDateTime windowToTime;
    bool wholeLog = false; // the window is the whole log
    qint64 center = -1; // where the window grew from: the start event, or the newest event
    Stop stop = Stop::None;
    qint64 quietMargin = 0;
    qint64 elapsedMs = 0; // the whole lookup
    int budgetMs = 0; // the budget it ran under (0: none)
    // The flow as found when the budget ran out, sent while the reading went on (FlowRequest::followMs); in the final
    // flow: when that first answer was sent and how many events it had (-1: none was sent).
    bool partial = false;
    qint64 firstAnswerMs = -1;
    int firstAnswerEvents = -1;
    int statements = 0;
    bool windowed() const { return windowFrom >= 0 || wholeLog; }
    // The window's half-width around the center as read (the larger side): what a user widens.
    qint64 reach() const { return windowFrom < 0 ? 0 : std::max(center - windowFrom, windowTo - center); }
};

// "budget", "quiet", ... as flowToJson's scan.stoppedBy names them.
QString flowStopName(FlowScan::Stop stop);

// One business process: the events sharing a correlation id and the causation chains through them, as a graph.
struct Flow {
    QString correlationId;
    qint64 startPosition = -1; // the event it was opened from (-1: from a correlation id)
    std::vector<FlowNode> nodes; // the store's events in position order, then placeholders
    std::vector<FlowEdge> edges;
    bool truncated = false; // the event limit was reached: more events may belong to it
    int limit = 0;
    FlowScan scan;
    qint64 durationMs = -1; // first to last event
    int slowestEdge = -1; // index into edges of the longest cause→effect step

    int eventCount() const;
    int placeholderCount() const;
    int indexOfPosition(qint64 position) const;
    // The name an edge or an unresolved reference uses for a node: its id, else its position as text.
    static QString nodeName(const FlowNode& node);
    // Streams in the order of their first event (the swimlanes' rows).
    QStringList streams() const;
};

// JSON as `eventscope-cli flow --format json` prints it: correlationId, events (as `events --json`), edges (from, to:
// ids), unresolved (id, referencedBy), and the extras startPosition, durationMs, slowestStep, truncated, scan.
QJsonObject flowToJson(const Flow& flow);
// Mermaid flowchart text and Graphviz DOT text of the graph, for documents.
QString flowToMermaid(const Flow& flow);
QString flowToDot(const Flow& flow);
// A node's label lines: type, then stream@version (or "not in this store" and the reference).
QStringList flowNodeLabel(const FlowNode& node);

} // namespace es

Q_DECLARE_METATYPE(es::Flow)
