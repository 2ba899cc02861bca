// Flows on stores where no index serves the lookups (issue 14): the window grows outward from the start in chunks,
// stops where the flow looks finished or where the time budget runs out, and says which.
#include <catch2/catch.hpp>

#include "flow/flowfinder.h"
#include "store/job.h"
#include "store/storeregistry.h"
#include "test_sqlite_support.h"
#include "testutils.h"

#include <QHash>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace es;
using namespace es::test;

namespace {

// One append: `count` messages to `stream` (filler when count > 1, no correlation), or one message of the flow.
struct Append {
    QString stream;
    int count = 1;
    QString type;
    QString correlation;
    QString causation;
};

// Positions 1..100000: filler, and at 1000 / 6000 / 10000 / 10500 / 19000 a transfer whose requested event (1000) lies
// outside the first chunk around the deposit (10000), an audit record under its own correlation id caused by that
// first event (10500: found only once the first event is, in the part already read), and its completion (19000).
std::vector<Append> appends()
{
    const std::vector<std::pair<qint64, Append>> flow {
        { 1000, { u"transfer-9"_qs, 1, u"TransferRequested"_qs, u"corr-far"_qs, u"cmd-9"_qs } },
        { 6000, { u"account-A"_qs, 1, u"MoneyWithdrawn"_qs, u"corr-far"_qs, u"transfer-9-msg-1"_qs } },
        { 10000, { u"account-B"_qs, 1, u"MoneyDeposited"_qs, u"corr-far"_qs, u"account-A-msg-1"_qs } },
        { 10500, { u"audit-9"_qs, 1, u"AuditRecorded"_qs, u"audit-9"_qs, u"transfer-9-msg-1"_qs } },
        { 19000, { u"transfer-9"_qs, 1, u"TransferCompleted"_qs, u"corr-far"_qs, u"account-B-msg-1"_qs } },
    };
    std::vector<Append> out;
    qint64 next = 1;
    int batches = 0;
    auto fill = [&](qint64 upTo) {
        while (next < upTo) {
            const int n = int(std::min<qint64>(1000, upTo - next));
            out.push_back({ QStringLiteral("filler-%1").arg(++batches), n, QStringLiteral("Ticked"), {}, {} });
            next += n;
        }
    };
    for (const auto& [position, a] : flow) {
        fill(position);
        out.push_back(a);
        ++next;
    }
    fill(100001);
    return out;
}

QString writeSqlite(const QString& path)
{
    EmmettWriter w(path);
    for (const Append& a : appends()) {
        std::vector<EmmettWriter::Message> messages;
        for (int i = 0; i < a.count; ++i)
            messages.push_back({ a.type, R"({"n":1})" });
        w.append(a.stream, messages, a.correlation, a.causation);
    }
    return path;
}

// The same appends against Emmett's PostgreSQL tables, as appendToStream.ts issues them: the stream row upserted,
// then the batch in one INSERT, each message with the next global position and the transaction's id.
QString pgSql()
{
    QString sql;
    QHash<QString, int> versions;
    for (const Append& a : appends()) {
        const int base = versions.value(a.stream);
        versions[a.stream] = base + a.count;
        QString meta
            = QStringLiteral("'streamName', '%1', 'messageId', '%1-msg-' || (%2 + g), 'streamPosition', %2 + g")
                  .arg(a.stream)
                  .arg(base);
        if (!a.correlation.isEmpty())
            meta += QStringLiteral(", 'correlationId', '%1', 'causationId', '%2'").arg(a.correlation, a.causation);
        sql += QStringLiteral(
            "BEGIN;\n"
            "INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata) VALUES "
            "('%1', %2, 'emt:default', '%3', '{}') ON CONFLICT (stream_id, partition, is_archived) DO UPDATE SET "
            "stream_position = EXCLUDED.stream_position;\n"
            "INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, message_metadata, "
            "message_schema_version, message_type, message_kind, message_id, transaction_id, created) SELECT '%1', "
            "%4 + g, 'emt:default', '{\"n\": 1}', jsonb_build_object(%5), '%4', '%6', 'E', '%1-msg-' || (%4 + g), "
            "pg_current_xact_id(), '2024-06-01 10:00:00+00' FROM generate_series(1, %7) g ORDER BY g;\nCOMMIT;\n")
                   .arg(a.stream)
                   .arg(base + a.count)
                   .arg(a.stream.section(u'-', 0, 0))
                   .arg(base)
                   .arg(meta, a.type)
                   .arg(a.count);
    }
    return sql;
}

QStringList qsl(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

// Positions as appends() counts them: the store's own less what it held before (Emmett's PostgreSQL fixture has some).
qint64 g_base = 0;

QString nodeText(const FlowNode& n)
{
    if (n.placeholder)
        return QStringLiteral("? ") + n.ref;
    return QStringLiteral("%1 %2").arg(n.event.position - g_base).arg(n.event.type);
}

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

void checkGrowingWindow(EventStore& store)
{
    const qint64 base = store.info(false).headPosition - 100000;
    g_base = base;
    FlowRequest request;
    request.position = base + 10000;
    const FlowPlan plan = flowPlan(store, request);
    REQUIRE_FALSE(plan.correlationIndexed);
    REQUIRE_FALSE(plan.effectIndexed);
    CHECK_FALSE(plan.wholeLog);

    // A budget no lookup can exceed: the window grows until no event of the flow lies within the quiet margin of
    // its open edge. The requested event lies past the first chunk (10000 ± 8192); the audit record in that first
    // chunk is found only after it, by the pass over the part already read.
    request.budgetMs = 600000;
    const Flow flow = findFlow(store, request);
    CHECK(nodes(flow)
        == qsl({ "1000 TransferRequested", "6000 MoneyWithdrawn", "10000 MoneyDeposited", "10500 AuditRecorded",
            "19000 TransferCompleted", "? cmd-9" }));
    QStringList expectedEdges = qsl({ "? cmd-9 -> 1000 TransferRequested",
        "1000 TransferRequested -> 6000 MoneyWithdrawn", "6000 MoneyWithdrawn -> 10000 MoneyDeposited",
        "1000 TransferRequested -> 10500 AuditRecorded", "10000 MoneyDeposited -> 19000 TransferCompleted" });
    expectedEdges.sort();
    CHECK(edges(flow) == expectedEdges);
    const FlowScan& s = flow.scan;
    CHECK(s.center == base + 10000);
    CHECK(s.windowFrom == 1);
    CHECK(s.stop == FlowScan::Stop::Quiet);
    CHECK(s.quietMargin == 34000); // 4 x the widest gap, 10500 to 19000
    CHECK(s.windowTo >= base + 19000 + 34000);
    CHECK(s.windowTo < base + 100000);
    CHECK_FALSE(s.wholeLog);
    CHECK(s.statements >= 6); // chunks on both sides and the pass for the values found late
    CHECK_FALSE(flow.nodes.back().searchedEverywhere);
    CHECK(flowToJson(flow).value(QLatin1String("scan")).toObject().value(QLatin1String("stoppedBy")).toString()
        == QLatin1String("quiet"));

    // A budget of 1 ms: the first chunk on each side only, and the flow says the budget stopped it.
    request.budgetMs = 1;
    const Flow cut = findFlow(store, request);
    CHECK(cut.scan.stop == FlowScan::Stop::Budget);
    CHECK(cut.scan.budgetMs == 1);
    CHECK(cut.scan.windowFrom == base + 10000 - 8192);
    CHECK(cut.scan.windowTo == base + 10000 + 8192);
    CHECK(nodes(cut) == qsl({ "6000 MoneyWithdrawn", "10000 MoneyDeposited", "? transfer-9-msg-1" }));
    const QJsonObject scan = flowToJson(cut).value(QLatin1String("scan")).toObject();
    CHECK(scan.value(QLatin1String("stoppedBy")).toString() == QLatin1String("budget"));
    CHECK(scan.value(QLatin1String("windowFrom")).toInteger() == base + 1808);

    // The same budget, with the reading allowed to go on: the cut flow is sent first (exact for its window), then the
    // whole one.
    FlowRequest follow;
    follow.position = base + 10000;
    follow.budgetMs = 1;
    follow.followMs = 600000;
    std::vector<Flow> sent;
    JobControl control([&](const JobProgress& p) {
        if (p.detail.metaType() == QMetaType::fromType<Flow>())
            sent.push_back(p.detail.value<Flow>());
    });
    const Flow followed = findFlow(store, follow, &control);
    REQUIRE(sent.size() == 1);
    CHECK(sent.front().scan.partial);
    CHECK(sent.front().scan.stop == FlowScan::Stop::Budget);
    CHECK(nodes(sent.front()) == nodes(cut));
    CHECK_FALSE(followed.scan.partial);
    CHECK(followed.scan.stop == FlowScan::Stop::Quiet);
    CHECK(nodes(followed) == nodes(flow));
    CHECK(edges(followed) == expectedEdges);
    CHECK(followed.scan.firstAnswerEvents == 2);
    CHECK(followed.scan.firstAnswerMs >= 0);

    // Widened as the GUI's Read further does (twice the reach, cut at the log's start): the requested event comes
    // in, and with it the audit record it caused, found in the part already read.
    request.window = cut.scan.reach() * 2;
    const Flow wider = findFlow(store, request);
    CHECK(wider.scan.windowFrom == 1);
    CHECK(wider.scan.windowTo == base + 10000 + 16384);
    CHECK(wider.scan.stop == FlowScan::Stop::Budget);
    CHECK(nodes(wider) == nodes(flow));

    // No budget: exactly the window asked for.
    FlowRequest exact;
    exact.position = base + 10000;
    exact.window = 100;
    exact.budgetMs = 0;
    const Flow narrow = findFlow(store, exact);
    CHECK(narrow.scan.stop == FlowScan::Stop::Window);
    CHECK(narrow.scan.windowFrom == base + 9900);
    CHECK(narrow.scan.windowTo == base + 10100);
    CHECK(nodes(narrow) == qsl({ "10000 MoneyDeposited", "? account-A-msg-1" }));

    // From the correlation id alone: read backwards from the newest event, to the start of the log here.
    FlowRequest byId;
    byId.correlationId = QStringLiteral("corr-far");
    byId.budgetMs = 600000;
    const Flow back = findFlow(store, byId);
    CHECK(back.scan.center == base + 100000);
    CHECK(back.scan.stop == FlowScan::Stop::Edges);
    CHECK(back.scan.wholeLog);
    CHECK(nodes(back) == nodes(flow));
    CHECK(back.nodes.back().searchedEverywhere);
}

} // namespace

TEST_CASE("Flows: the window grows in chunks until the flow looks finished or the budget ends (SQLite)",
    "[flow][flowwindow][sqlite]")
{
    QTemporaryDir dir;
    const QString path = writeSqlite(tempPath(dir, QStringLiteral("window.sqlite")));
    auto store = StoreRegistry::open(path);
    checkGrowingWindow(*store);
}

TEST_CASE("Flows: the window grows in chunks until the flow looks finished or the budget ends (PostgreSQL)",
    "[flow][flowwindow][pg]")
{
    ES_REQUIRE_PG("growing flow window test")
    PgTestDatabase db(QStringLiteral("flowwindow"), { QStringLiteral("emmett.sql") });
    db.sql(pgSql());
    auto store = StoreRegistry::open(db.address());
    checkGrowingWindow(*store);
}

// SQLite looks for a correlation id in the raw metadata text before parsing it; the JSON comparison decides, and a
// row that may spell the id with escapes is always parsed.
TEST_CASE("Flows: the raw-text search before the JSON finds exactly what the JSON comparison finds (SQLite)",
    "[flow][flowwindow][sqlite]")
{
    QTemporaryDir dir;
    const QString path = tempPath(dir, QStringLiteral("prefilter.sqlite"));
    {
        EmmettWriter w(path);
        auto message = [](const char* type, const char* metadata) {
            EmmettWriter::Message m { QString::fromUtf8(type), R"({"n":1})" };
            m.rawMetadata = metadata;
            return m;
        };
        w.append(QStringLiteral("order-1"), { message("Plain", R"({"correlationId":"c*[1]?","messageId":"m1"})") });
        w.append(QStringLiteral("order-2"), { message("Escaped", R"({"messageId":"m2","correlationId":"c*[1]?"})") });
        w.append(QStringLiteral("order-3"),
            { message("OtherKey", R"({"messageId":"m3","note":"c*[1]?","correlationId":"other"})") });
        w.append(QStringLiteral("order-4"), { message("Longer", R"({"messageId":"m4","correlationId":"c*[1]?x"})") });
        w.append(QStringLiteral("order-5"), { message("Pattern", R"({"messageId":"m5","correlationId":"cX[1]?"})") });
        w.append(QStringLiteral("order-6"), { message("Spaced", R"({"messageId": "m6", "correlationId": "c*[1]?"})") });
    }
    auto store = StoreRegistry::open(path);
    g_base = 0;
    FlowRequest request;
    request.correlationId = QStringLiteral("c*[1]?");
    request.window = -1;
    request.budgetMs = 0;
    const Flow flow = findFlow(*store, request);
    CHECK(nodes(flow) == qsl({ "1 Plain", "2 Escaped", "6 Spaced" }));
    CHECK(flow.scan.wholeLog);
}
