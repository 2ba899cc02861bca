#pragma once

#include "flow/linkquery.h"
#include "store/eventstore.h"

#include <QDateTime>
#include <QHash>
#include <QMetaType>
#include <QStringList>

#include <functional>
#include <vector>

namespace es {

class JobControl;

// Flows that went through the same sequence of types, with how long they took (first to last event).
struct FlowVariant {
    QStringList types;
    qint64 count = 0;
    double p50Seconds = -1; // nearest-rank percentiles; -1 where no flow of it has times
    double p95Seconds = -1;
    double p99Seconds = -1;
    QString exampleCorrelation; // one of its flows, to open
    qint64 examplePosition = -1;
};

// A flow that started and never reached the usual end (the most frequent last type of all flows) within the time
// asked, counted back from the newest event of the store.
struct IncompleteFlow {
    QString correlationId;
    QStringList types;
    qint64 firstPosition = -1;
    QDateTime firstTime;
    QDateTime lastTime;
};

struct FlowVariants {
    QString startType;
    QString usualEnd;
    qint64 flows = 0;
    std::vector<FlowVariant> variants; // most frequent first
    std::vector<IncompleteFlow> incomplete; // oldest first
    QDateTime reference; // the time incomplete flows are aged against (the newest event of the store)
    bool complete = false; // false in the partial results handed out while the rows stream in
};

struct FlowsRequest {
    QString startType;
    qint64 incompleteAfterSeconds = 0; // a flow without the usual end this much older than `reference` is incomplete
    qint64 fromPosition = -1; // start events only in this window (-1: unbounded)
    qint64 toPosition = -1;
};

// Groups the flows started by events of the start type (EventStore::flowRows: the database groups each correlation's
// events; variants are grouped here as the rows stream in). `partial` (optional) receives the variants so far about
// every `partialEvery` flows. Throws StoreError.
FlowVariants scanFlows(EventStore& store, const FlowsRequest& request, JobControl* control = nullptr,
    const std::function<void(const FlowVariants&)>& partial = {}, int partialEvery = 5000);

// Accumulates FlowRows into variants; scanFlows' core, usable on rows from anywhere.
class FlowVariantBuilder {
public:
    explicit FlowVariantBuilder(QString startType);
    void add(const FlowRow& row);
    qint64 flows() const { return m_flows; }
    // Variants, and incomplete flows aged against `reference` (an invalid time: the newest event seen).
    FlowVariants result(qint64 incompleteAfterSeconds, const QDateTime& reference, bool complete) const;

private:
    struct Group {
        QStringList types;
        std::vector<double> seconds;
        qint64 count = 0;
        QString exampleCorrelation;
        qint64 examplePosition = -1;
    };
    QString m_startType;
    std::vector<Group> m_groups;
    QHash<QString, int> m_index; // types joined -> group
    std::vector<FlowRow> m_rows; // every flow, for the incomplete ones (types dropped once the end is known)
    qint64 m_flows = 0;
    QDateTime m_newest;
};

} // namespace es

Q_DECLARE_METATYPE(es::FlowVariants)
