#include <catch2/catch.hpp>

#include "flow/flowfinder.h"
#include "flow/flowvariants.h"
#include "nav/eventnavigator.h"
#include "samplewriter.h"
#include "store/storeregistry.h"
#include "store/storesession.h"
#include "test_flow_support.h"
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* s : items)
        out.append(QString::fromUtf8(s));
    return out;
}

QString nodeText(const FlowNode& n)
{
    if (n.placeholder)
        return QStringLiteral("? ") + n.ref;
    return QStringLiteral("%1@%2 %3").arg(n.event.stream).arg(n.event.version).arg(n.event.type);
}

// The nodes in order, and the edges as "cause -> effect" by node text.
QStringList nodes(const Flow& f)
{
    QStringList out;
    for (const FlowNode& n : f.nodes)
        out.append(nodeText(n));
    return out;
}

QStringList edges(const Flow& f)
{
    QStringList out;
    for (const FlowEdge& e : f.edges)
        out.append(nodeText(f.nodes[size_t(e.cause)]) + QStringLiteral(" -> ") + nodeText(f.nodes[size_t(e.effect)]));
    out.sort();
    return out;
}

qint64 positionOf(EventStore& store, const QString& stream, qint64 version)
{
    EventQuery q;
    q.filter.stream = stream;
    q.from = version;
    q.limit = 1;
    const EventPage page = store.events(q);
    REQUIRE(page.events.size() == 1);
    return page.events.front().position;
}

const QStringList emmettNodes = qsl({ "transfer-1@1 TransferRequested", "account-A@1 MoneyWithdrawn",
    "account-B@1 MoneyDeposited", "transfer-1@2 TransferCompleted", "audit-1@1 AuditRecorded", "? cmd-1" });
const QStringList emmettEdges
    = qsl({ "? cmd-1 -> transfer-1@1 TransferRequested", "account-A@1 MoneyWithdrawn -> account-B@1 MoneyDeposited",
        "account-B@1 MoneyDeposited -> transfer-1@2 TransferCompleted",
        "transfer-1@1 TransferRequested -> account-A@1 MoneyWithdrawn",
        "transfer-1@2 TransferCompleted -> audit-1@1 AuditRecorded" });

void checkEmmettFlow(EventStore& store)
{
    // From the withdrawal: the whole transfer, the audit record its completion caused (another correlation id),
    // and the command id Emmett never stored as a message id: a placeholder.
    FlowRequest request;
    request.position = positionOf(store, QStringLiteral("account-A"), 1);
    const Flow flow = findFlow(store, request);
    CHECK(flow.correlationId == QLatin1String("corr-1"));
    CHECK(nodes(flow) == emmettNodes);
    CHECK(edges(flow) == emmettEdges);
    CHECK_FALSE(flow.truncated);
    CHECK(flow.durationMs == 7000);
    REQUIRE(flow.slowestEdge >= 0);
    const FlowEdge slowest = flow.edges[size_t(flow.slowestEdge)];
    CHECK(nodeText(flow.nodes[size_t(slowest.cause)]) == QLatin1String("account-B@1 MoneyDeposited"));
    CHECK(slowest.ms == 3000);
    CHECK(flow.eventCount() == 5);
    CHECK(flow.placeholderCount() == 1);
    CHECK(flow.streams() == qsl({ "transfer-1", "account-A", "account-B", "audit-1" }));

    // From the correlation id alone: the same graph.
    FlowRequest byId;
    byId.correlationId = QStringLiteral("corr-1");
    const Flow same = findFlow(store, byId);
    CHECK(nodes(same) == emmettNodes);
    CHECK(edges(same) == emmettEdges);

    // The limit cuts the flow and says so.
    request.limit = 3;
    const Flow cut = findFlow(store, request);
    CHECK(cut.truncated);
    CHECK(cut.eventCount() == 3);
    CHECK(cut.nodes[1].event.position == request.position);

    // Many flows: variants by type sequence, durations, and the incomplete ones.
    FlowsRequest many;
    many.startType = QStringLiteral("TransferRequested");
    FlowVariants v = scanFlows(store, many);
    CHECK(v.flows == 4);
    CHECK(v.usualEnd == QLatin1String("TransferCompleted"));
    REQUIRE(v.variants.size() == 3);
    CHECK(v.variants[0].types == qsl({ "TransferRequested", "MoneyWithdrawn", "MoneyDeposited", "TransferCompleted" }));
    CHECK(v.variants[0].count == 2);
    CHECK(v.variants[0].p50Seconds == 6.0);
    CHECK(v.variants[0].p95Seconds == 10.0);
    CHECK(v.variants[0].p99Seconds == 10.0);
    CHECK(v.variants[0].exampleCorrelation == QLatin1String("corr-1"));
    CHECK(v.variants[1].types == qsl({ "TransferRequested", "MoneyWithdrawn" }));
    CHECK(v.variants[1].count == 1);
    CHECK(v.variants[1].p50Seconds == 1.0);
    CHECK(v.variants[2].types == qsl({ "TransferRequested", "MoneyWithdrawn", "TransferFailed" }));
    REQUIRE(v.incomplete.size() == 2);
    CHECK(v.incomplete[0].correlationId == QLatin1String("corr-2"));
    CHECK(v.incomplete[1].correlationId == QLatin1String("corr-4"));
    // Started less than five minutes before the newest event: not (yet) incomplete.
    many.incompleteAfterSeconds = 300;
    v = scanFlows(store, many);
    REQUIRE(v.incomplete.size() == 1);
    CHECK(v.incomplete[0].correlationId == QLatin1String("corr-2"));
    CHECK(v.incomplete[0].types == qsl({ "TransferRequested", "MoneyWithdrawn" }));
}

} // namespace

TEST_CASE("Flows: an Emmett SQLite store, ids assigned by Emmett, read in a window", "[flow][sqlite]")
{
    QTemporaryDir dir;
    const QString path = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    auto store = StoreRegistry::open(path);
    checkEmmettFlow(*store);

    // SQLite has no index on the metadata keys: those lookups read a window around the start, and say which.
    FlowRequest request;
    request.position = 8;
    request.window = 3;
    request.budgetMs = 0; // exactly the window asked for
    const FlowPlan plan = flowPlan(*store, request);
    CHECK_FALSE(plan.correlationIndexed);
    CHECK_FALSE(plan.causeIndexed); // message_id has no index of its own
    CHECK_FALSE(plan.effectIndexed);
    CHECK_FALSE(plan.wholeLog);
    const Flow flow = findFlow(*store, request);
    CHECK(flow.scan.windowFrom == 5);
    CHECK(flow.scan.windowTo == 11);
    CHECK(flow.scan.windowFromTime == QDateTime::fromString(QStringLiteral("2024-06-01T10:00:06Z"), Qt::ISODate));
    CHECK(nodes(flow) == qsl({ "transfer-2@1 TransferRequested", "account-A@2 MoneyWithdrawn", "? cmd-2" }));
    CHECK_FALSE(flow.nodes.back().searchedEverywhere); // looked for only in the window
    CHECK(flow.scan.stop == FlowScan::Stop::Window);
    FlowRequest byId;
    byId.correlationId = QStringLiteral("corr-2");
    CHECK_FALSE(flowPlan(*store, byId).wholeLog); // read backwards from the newest event under the budget
    byId.window = -1;
    CHECK(flowPlan(*store, byId).wholeLog);
    const Flow whole = findFlow(*store, byId);
    CHECK(whole.scan.wholeLog);
    CHECK(whole.scan.stop == FlowScan::Stop::Edges);
    CHECK(whole.nodes.back().searchedEverywhere);

    // An expression index on the correlation key (one a user may add) is found and used.
    execSqlite(path,
        QStringLiteral("CREATE INDEX emt_corr ON emt_messages (CASE WHEN json_valid(message_metadata) THEN "
                       "json_extract(message_metadata, '$.correlationId') END);"));
    auto indexed = StoreRegistry::open(path);
    CHECK(flowPlan(*indexed, request).correlationIndexed);
    CHECK_FALSE(flowPlan(*indexed, request).effectIndexed);
}

TEST_CASE("Flows: exports as JSON, Mermaid and Graphviz DOT name the nodes and edges", "[flow][sqlite]")
{
    QTemporaryDir dir;
    const QString path = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    auto store = StoreRegistry::open(path);
    FlowRequest request;
    request.position = 1;
    const Flow flow = findFlow(*store, request);
    const QJsonObject json = flowToJson(flow);
    CHECK(json.value(QLatin1String("correlationId")).toString() == QLatin1String("corr-1"));
    const QJsonArray events = json.value(QLatin1String("events")).toArray();
    REQUIRE(events.size() == 5);
    CHECK(events[0].toObject().value(QLatin1String("id")).toString() == QLatin1String("transfer-1-msg-1"));
    CHECK(events[0].toObject().value(QLatin1String("correlationId")).toString() == QLatin1String("corr-1"));
    const QJsonArray jsonEdges = json.value(QLatin1String("edges")).toArray();
    REQUIRE(jsonEdges.size() == 4);
    CHECK(jsonEdges[0].toObject()
        == QJsonObject { { QStringLiteral("from"), QStringLiteral("transfer-1-msg-1") },
            { QStringLiteral("to"), QStringLiteral("account-A-msg-1") } });
    const QJsonArray unresolved = json.value(QLatin1String("unresolved")).toArray();
    REQUIRE(unresolved.size() == 1);
    CHECK(unresolved[0].toObject().value(QLatin1String("id")).toString() == QLatin1String("cmd-1"));
    CHECK(unresolved[0].toObject().value(QLatin1String("referencedBy")).toArray()
        == QJsonArray { QStringLiteral("transfer-1-msg-1") });
    CHECK(json.value(QLatin1String("durationMs")).toInteger() == 7000);

    const QString mermaid = flowToMermaid(flow);
    CHECK(mermaid.startsWith(QLatin1String("flowchart LR\n")));
    CHECK(mermaid.contains(QLatin1String("n0[\"TransferRequested<br/>transfer-1@1\"]")));
    CHECK(mermaid.contains(QLatin1String("n5[/\"not in this store<br/>cmd-1\"/]")));
    CHECK(mermaid.contains(QLatin1String("n5 --> n0\n")));
    CHECK(mermaid.contains(QLatin1String("n2 -->|3.0 s| n3\n")));
    const QString dot = flowToDot(flow);
    CHECK(dot.startsWith(QLatin1String("digraph flow {")));
    CHECK(dot.contains(QLatin1String("n5 [label=\"not in this store\\ncmd-1\", style=dashed];")));
    CHECK(dot.contains(QLatin1String("n0 -> n1 [label=\"1.0 s\"];")));
    CHECK(dot.trimmed().endsWith(u'}'));
}

TEST_CASE("Flows: a flow runs as a job on the session, with progress and cancel", "[flow][sqlite]")
{
    QTemporaryDir dir;
    const QString path = flows::writeEmmett(tempPath(dir, QStringLiteral("flows.sqlite")));
    StoreSession session(StoreOpener { path, {} });
    QObject context;
    std::optional<Flow> got;
    JobCallbacks<Flow> on;
    on.finished = [&](Flow f) { got = std::move(f); };
    FlowRequest request;
    request.correlationId = QStringLiteral("corr-3");
    session.run<Flow>(
        StoreSession::Lane::Interactive, &context,
        [request](EventStore& store, JobControl& control) { return findFlow(store, request, &control); }, on);
    REQUIRE(test::waitFor([&] { return got.has_value(); }, 10000));
    CHECK(nodes(*got)
        == qsl({ "transfer-3@1 TransferRequested", "account-A@3 MoneyWithdrawn", "account-B@2 MoneyDeposited",
            "transfer-3@2 TransferCompleted", "? cmd-3" }));
}

TEST_CASE("Flows: Message DB keeps the writer's ids; causes are global positions", "[flow][pg][messagedb]")
{
    ES_REQUIRE_PG("Message DB flow test")
    PgTestDatabase db(
        QStringLiteral("flowmdb"), { QStringLiteral("messagedb.sql"), QStringLiteral("flows_messagedb.sql") });
    auto store = StoreRegistry::open(db.address());
    FlowRequest request;
    request.position = 10;
    const FlowPlan plan = flowPlan(*store, request);
    // Message DB indexes category(correlationStreamName) per category, which does not serve an exact lookup.
    CHECK_FALSE(plan.correlationIndexed);
    CHECK(plan.causeIndexed); // global_position, the primary key
    CHECK_FALSE(plan.effectIndexed);
    const Flow flow = findFlow(*store, request);
    CHECK(flow.correlationId == QLatin1String("transfer-1"));
    CHECK(nodes(flow)
        == qsl({ "transfer:command-1@0 Transfer", "transfer-1@0 TransferRequested", "account-A@0 Withdrawn",
            "account-B@0 Deposited", "transfer-1@1 TransferCompleted", "notification-1@0 Sent", "audit-1@0 Recorded",
            "? 999" }));
    CHECK(edges(flow)
        == qsl({ "? 999 -> notification-1@0 Sent", "account-A@0 Withdrawn -> account-B@0 Deposited",
            "account-B@0 Deposited -> transfer-1@1 TransferCompleted",
            "transfer-1@0 TransferRequested -> account-A@0 Withdrawn",
            "transfer-1@1 TransferCompleted -> audit-1@0 Recorded",
            "transfer:command-1@0 Transfer -> transfer-1@0 TransferRequested" }));
    CHECK(flow.nodes.back().searchedEverywhere); // a position is looked up by its key, never in a window only
    const QJsonObject json = flowToJson(flow);
    const QJsonArray jsonEdges = json.value(QLatin1String("edges")).toArray();
    CHECK(jsonEdges[0].toObject().value(QLatin1String("from")).toString()
        == QLatin1String("7a6a3c1e-0000-4000-8000-000000000008")); // the writer's id
    CHECK(flow.scan.windowFrom == 1);
    CHECK(flow.scan.windowTo == 17);

    FlowsRequest many;
    many.startType = QStringLiteral("TransferRequested");
    const FlowVariants v = scanFlows(*store, many);
    CHECK(v.flows == 2);
    REQUIRE(v.variants.size() == 2);
    CHECK(v.variants[0].types == qsl({ "TransferRequested", "Withdrawn", "Deposited", "TransferCompleted", "Sent" }));
    CHECK(v.variants[1].types == qsl({ "TransferRequested", "Withdrawn" }));
}

TEST_CASE("Flows: Marten's correlation_id and causation_id columns, with and without an index", "[flow][pg][marten]")
{
    ES_REQUIRE_PG("Marten flow test")
    PgTestDatabase db(
        QStringLiteral("flowmarten"), { QStringLiteral("marten_guid.sql"), QStringLiteral("flows_marten.sql") });
    const QStringList expectedNodes = qsl({ "f1000000-0000-4000-8000-000000000001@1 transfer_requested",
        "f2000000-0000-4000-8000-000000000002@1 money_withdrawn",
        "f3000000-0000-4000-8000-000000000003@1 money_deposited",
        "f1000000-0000-4000-8000-000000000001@2 transfer_completed", "? cmd-7" });
    const QStringList expectedEdges = qsl({ "? cmd-7 -> f1000000-0000-4000-8000-000000000001@1 transfer_requested",
        "f1000000-0000-4000-8000-000000000001@1 transfer_requested -> "
        "f2000000-0000-4000-8000-000000000002@1 money_withdrawn",
        "f2000000-0000-4000-8000-000000000002@1 money_withdrawn -> "
        "f3000000-0000-4000-8000-000000000003@1 money_deposited",
        "f3000000-0000-4000-8000-000000000003@1 money_deposited -> "
        "f1000000-0000-4000-8000-000000000001@2 transfer_completed" });
    FlowRequest request;
    request.position = 8;
    {
        auto store = StoreRegistry::open(db.address());
        const FlowPlan plan = flowPlan(*store, request);
        CHECK_FALSE(plan.correlationIndexed);
        CHECK(plan.causeIndexed); // the unique index on id
        CHECK_FALSE(plan.effectIndexed);
        const Flow flow = findFlow(*store, request);
        CHECK(flow.correlationId == QLatin1String("tx-1"));
        CHECK(nodes(flow) == expectedNodes);
        CHECK(edges(flow) == expectedEdges);
        CHECK(flow.scan.windowed());
        CHECK(flow.durationMs == 9000);
    }
    db.sql(QStringLiteral("CREATE INDEX mt_events_correlation ON mt_events (correlation_id); "
                          "CREATE INDEX mt_events_causation ON mt_events (causation_id)"));
    auto store = StoreRegistry::open(db.address());
    const FlowPlan plan = flowPlan(*store, request);
    CHECK(plan.correlationIndexed);
    CHECK(plan.causeIndexed);
    CHECK(plan.effectIndexed);
    const Flow flow = findFlow(*store, request);
    CHECK_FALSE(flow.scan.windowed());
    CHECK(nodes(flow) == expectedNodes);
    CHECK(edges(flow) == expectedEdges);
    FlowRequest byId;
    byId.correlationId = QStringLiteral("tx-1");
    CHECK_FALSE(flowPlan(*store, byId).wholeLog);
    CHECK(nodes(findFlow(*store, byId)) == expectedNodes);
}

TEST_CASE("Flows: Emmett on PostgreSQL gives the same graphs as on SQLite", "[flow][pg][emmett]")
{
    ES_REQUIRE_PG("Emmett PostgreSQL flow test")
    PgTestDatabase db(QStringLiteral("flowemmett"), { QStringLiteral("emmett.sql") });
    db.sql(flows::emmettPgSql());
    auto store = StoreRegistry::open(db.address());
    checkEmmettFlow(*store);
}

TEST_CASE("Flows: Commanded keeps correlation and causation in columns; causes are commands it never stores",
    "[flow][pg][commanded]")
{
    ES_REQUIRE_PG("Commanded flow test")
    PgTestDatabase db(
        QStringLiteral("flowcommanded"), { QStringLiteral("commanded.sql"), QStringLiteral("flows_commanded.sql") });
    auto store = StoreRegistry::open(db.address());
    // The inspector's event carries the columns' values.
    EventQuery q;
    q.from = 7;
    q.limit = 1;
    const EventPage page = store->events(q);
    REQUIRE(page.events.size() == 1);
    CHECK(page.events.front().correlationId == QLatin1String("d1000000-0000-4000-8000-000000000001"));
    CHECK(page.events.front().causationId == QLatin1String("a1000000-0000-4000-8000-000000000002"));
    // The metadata does not repeat it: the "same correlation id" link cannot filter on it, and opens the flow.
    CHECK(EventNavigator(store->info(false).links).correlation(page.events.front()).kind
        == EventNavigator::Correlation::Kind::Unreachable);

    FlowRequest request;
    request.position = 7;
    const FlowPlan plan = flowPlan(*store, request);
    CHECK_FALSE(plan.correlationIndexed); // EventStore indexes neither column
    CHECK(plan.causeIndexed); // event_id, the primary key
    CHECK_FALSE(plan.effectIndexed);
    const Flow flow = findFlow(*store, request);
    CHECK(flow.correlationId == QLatin1String("d1000000-0000-4000-8000-000000000001"));
    // Every event follows a command; the process manager's commands name the events they handle only in their own
    // causation id, which Commanded does not store: one placeholder per command, the events joined by correlation.
    CHECK(nodes(flow)
        == qsl({ "transfer-t1@1 Elixir.Bank.MoneyTransferRequested", "account-acc1@1 Elixir.Bank.MoneyWithdrawn",
            "account-acc2@1 Elixir.Bank.MoneyDeposited", "account-acc2@2 Elixir.Bank.BalanceChanged",
            "transfer-t1@2 Elixir.Bank.TransferCompleted", "? a1000000-0000-4000-8000-000000000001",
            "? a1000000-0000-4000-8000-000000000002", "? a1000000-0000-4000-8000-000000000003",
            "? a1000000-0000-4000-8000-000000000004" }));
    CHECK(edges(flow)
        == qsl({ "? a1000000-0000-4000-8000-000000000001 -> transfer-t1@1 Elixir.Bank.MoneyTransferRequested",
            "? a1000000-0000-4000-8000-000000000002 -> account-acc1@1 Elixir.Bank.MoneyWithdrawn",
            "? a1000000-0000-4000-8000-000000000003 -> account-acc2@1 Elixir.Bank.MoneyDeposited",
            "? a1000000-0000-4000-8000-000000000003 -> account-acc2@2 Elixir.Bank.BalanceChanged",
            "? a1000000-0000-4000-8000-000000000004 -> transfer-t1@2 Elixir.Bank.TransferCompleted" }));
    CHECK(flow.nodes.back().searchedEverywhere); // looked up by its primary key
    CHECK(flow.durationMs == 5000);
    CHECK(flowToJson(flow).value(QLatin1String("edges")).toArray().size() == 0); // placeholders are no events

    FlowsRequest many;
    many.startType = QStringLiteral("Elixir.Bank.MoneyTransferRequested");
    const FlowVariants v = scanFlows(*store, many);
    CHECK(v.flows == 1);
    REQUIRE(v.variants.size() == 1);
    CHECK(v.variants[0].types
        == qsl({ "Elixir.Bank.MoneyTransferRequested", "Elixir.Bank.MoneyWithdrawn", "Elixir.Bank.MoneyDeposited",
            "Elixir.Bank.BalanceChanged", "Elixir.Bank.TransferCompleted" }));
}

TEST_CASE("Flows: the Message DB sample follows messages as Eventide clients do", "[flow][pg][messagedb][sample]")
{
    ES_REQUIRE_PG("Message DB sample flow test")
    PgTestDatabase db(QStringLiteral("flowsample"));
    SampleOptions options;
    options.events = 3000;
    options.layout = QStringLiteral("messagedb");
    writeSampleStore(db.address(), options);
    auto store = StoreRegistry::open(db.address());
    // A message that follows another names it by stream, position and global position; the flow links the two.
    EventQuery q;
    q.from = 1500;
    q.limit = 500;
    std::optional<Event> effect;
    for (const Event& e : store->events(q).events) {
        if (!e.causationId.isEmpty()) {
            effect = e;
            break;
        }
    }
    REQUIRE(effect);
    const QJsonObject meta = QJsonDocument::fromJson(effect->metadata.bytes).object();
    const qint64 causePosition = meta.value(QLatin1String("causationMessageGlobalPosition")).toInteger();
    CHECK(effect->causationId == QString::number(causePosition));
    CHECK(causePosition < effect->position);
    FlowRequest request;
    request.position = effect->position;
    const Flow flow = findFlow(*store, request);
    const int causeNode = flow.indexOfPosition(causePosition);
    REQUIRE(causeNode >= 0);
    const Event& cause = flow.nodes[size_t(causeNode)].event;
    CHECK(cause.stream == meta.value(QLatin1String("causationMessageStreamName")).toString());
    CHECK(cause.version == meta.value(QLatin1String("causationMessagePosition")).toInteger());
    const int effectNode = flow.indexOfPosition(effect->position);
    CHECK(std::count_if(flow.edges.begin(), flow.edges.end(), [&](const FlowEdge& e) {
        return e.cause == causeNode && e.effect == effectNode;
    }) == 1);
}
