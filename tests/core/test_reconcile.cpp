#include <catch2/catch.hpp>

#include "test_reconcile_support.h"
#include "testutils.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/reducercatalog.h"
#include "fold/timeline.h"
#include "reconcile/reconciler.h"
#include "reconcile/valuecompare.h"
#include "store/storeregistry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <map>

using namespace es;
using namespace es::test;

namespace {

using Report = std::map<QString, QJsonObject>; // by key, notes taken out

struct Outcome {
    Report rows;
    std::map<QString, QString> notes;
    ReconcileSummary summary;
};

Outcome reconcile(EventStore& store, TableReader& table, const ReducerPtr& reducer, const ReconcileOptions& options)
{
    Outcome out;
    Reconciler reconciler(store, table, reducer, options);
    out.summary = reconciler.run([&](const ReconcileRow& row) {
        QJsonObject o = row.toJson();
        REQUIRE(out.rows.count(row.key) == 0);
        if (o.contains(QStringLiteral("note")))
            out.notes[row.key] = o.take(QStringLiteral("note")).toString();
        out.rows[row.key] = o;
    });
    return out;
}

QJsonObject json(const char* text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text));
    REQUIRE(doc.isObject());
    return doc.object();
}

std::vector<ColumnMapping> mappings(const QString& text)
{
    std::vector<ColumnMapping> out;
    for (const QString& part : text.split(u',')) {
        const qsizetype eq = part.indexOf(u'=');
        out.push_back({ part.left(eq), part.mid(eq + 1) });
    }
    return out;
}

const char* const accountColumns
    = "owner=owner,balance=balance,transactions=transactions,opened_at=openedAt,status=status,closed_at=closedAt";

ReconcileOptions accountOptions(const char* table = "account_summaries")
{
    ReconcileOptions o;
    o.category = QStringLiteral("account");
    o.table = QLatin1String(table);
    o.keyColumn = QStringLiteral("id");
    o.columns = mappings(QLatin1String(accountColumns));
    o.streamBatch = 4; // several pages of streams, and of table keys
    o.tableBatch = 2;
    return o;
}

std::optional<CheckpointRow> checkpointNamed(EventStore& store, const QString& name)
{
    for (const CheckpointRow& row : store.checkpoints().rows) {
        if (row.name == name)
            return row;
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("reconcile: value rules for numbers, times, JSON, booleans and NULL", "[reconcile]")
{
    using K = TableCell::Kind;
    auto cell = [](K kind, QVariant v) { return TableCell { kind, std::move(v) }; };
    CHECK(cellEquals(cell(K::Integer, qint64(10)), QJsonValue(10.0)));
    CHECK(cellEquals(cell(K::Numeric, QStringLiteral("10.00")), QJsonValue(10)));
    CHECK(cellEquals(cell(K::Numeric, QStringLiteral("10.50")), QJsonValue(10.5)));
    CHECK(cellEquals(cell(K::Numeric, QStringLiteral("10.50")), QJsonValue(QStringLiteral("10.5"))));
    CHECK_FALSE(cellEquals(cell(K::Numeric, QStringLiteral("10.51")), QJsonValue(10.5)));
    CHECK(cellEquals(cell(K::Real, 2.5), QJsonValue(2.5)));
    CHECK(cellEquals(cell(K::Integer, qint64(9007199254740993)), QJsonValue(qint64(9007199254740993))));
    CHECK_FALSE(cellEquals(cell(K::Integer, qint64(9007199254740993)), QJsonValue(qint64(9007199254740992))));
    CHECK(cellEquals(cell(K::Time, QStringLiteral("2024-03-04 05:06:07+00")),
        QJsonValue(QStringLiteral("2024-03-04T05:06:07.000Z"))));
    CHECK(cellEquals(cell(K::Text, QStringLiteral("2024-03-04T06:06:07+01:00")),
        QJsonValue(QStringLiteral("2024-03-04T05:06:07Z"))));
    CHECK_FALSE(cellEquals(cell(K::Time, QStringLiteral("2024-03-04 05:06:08+00")),
        QJsonValue(QStringLiteral("2024-03-04T05:06:07.000Z"))));
    CHECK(cellEquals(cell(K::Json, QStringLiteral(R"({"b": [1, 2.0], "a": {"x": null}})")),
        QJsonDocument::fromJson(R"({"a": {"x": null}, "b": [1.0, 2]})").object()));
    CHECK_FALSE(cellEquals(
        cell(K::Json, QStringLiteral(R"({"a": 1})")), QJsonDocument::fromJson(R"({"a": 1, "b": 2})").object()));
    CHECK(cellEquals(cell(K::Text, QStringLiteral(R"([1, "x"])")), QJsonDocument::fromJson(R"([1, "x"])").array()));
    CHECK(cellEquals(cell(K::Bool, true), QJsonValue(true)));
    CHECK(cellEquals(cell(K::Integer, qint64(0)), QJsonValue(false)));
    CHECK_FALSE(cellEquals(cell(K::Integer, qint64(2)), QJsonValue(true)));
    // NULL equals a missing path and null; a value never equals a missing path.
    CHECK(cellEquals(cell(K::Null, {}), QJsonValue(QJsonValue::Undefined)));
    CHECK(cellEquals(cell(K::Null, {}), QJsonValue(QJsonValue::Null)));
    CHECK_FALSE(cellEquals(cell(K::Null, {}), QJsonValue(0)));
    CHECK_FALSE(cellEquals(cell(K::Text, QString()), QJsonValue(QJsonValue::Undefined)));
    CHECK_FALSE(cellEquals(cell(K::Text, QStringLiteral("10")), QJsonValue(QStringLiteral("10.0"))));
    CHECK(cellEquals(cell(K::Text, QStringLiteral("10")), QJsonValue(10)));
}

TEST_CASE("reconcile: an Emmett SQLite read model with every kind of fault", "[reconcile]")
{
    EmmettAccounts fixture;
    auto store = StoreRegistry::open(fixture.path);
    REQUIRE(store->tables());
    const ReducerPtr reducer = ReducerCatalog::load(reducerPath("accounts.js"));
    REQUIRE(reducer);

    const QJsonObject account1 = json(R"({"key": "account-1", "stream": "account-1", "status": "ok", "columns": {},
        "matchesVersion": 5, "matchesPosition": 5, "lastVersion": 5})");
    const QJsonObject account2 = json(R"({"key": "account-2", "stream": "account-2", "status": "differs",
        "columns": {"balance": {"table": 150, "replayed": 180}, "transactions": {"table": 2, "replayed": 4}},
        "matchesVersion": 3, "matchesPosition": 8, "lastVersion": 5})");
    const QJsonObject account3 = json(R"({"key": "account-3", "stream": "account-3", "status": "differs",
        "columns": {"balance": {"table": 999, "replayed": 100}},
        "matchesVersion": null, "matchesPosition": null, "lastVersion": 5})");
    const QJsonObject account4 = json(R"({"key": "account-4", "stream": "account-4", "status": "missing",
        "columns": {"owner": {"table": null, "replayed": "Di"}, "balance": {"table": null, "replayed": 20},
                    "transactions": {"table": null, "replayed": 4},
                    "opened_at": {"table": null, "replayed": "2024-03-04T03:00:00.000Z"},
                    "status": {"table": null, "replayed": "open"}, "closed_at": {"table": null, "replayed": null}},
        "matchesVersion": null, "matchesPosition": null, "lastVersion": 5})");
    const QJsonObject account9 = json(R"({"key": "account-9", "stream": null, "status": "extra",
        "columns": {"owner": {"table": "Gus", "replayed": null}, "balance": {"table": 0, "replayed": null},
                    "transactions": {"table": 0, "replayed": null},
                    "opened_at": {"table": "2024-03-04 09:00:00", "replayed": null},
                    "status": {"table": "open", "replayed": null}, "closed_at": {"table": null, "replayed": null}},
        "matchesVersion": null, "matchesPosition": null, "lastVersion": null})");

    SECTION("without a checkpoint, the lagging row differs and the new stream's row is missing")
    {
        const Outcome out = reconcile(*store, *store->tables(), reducer, accountOptions());
        REQUIRE(out.rows.size() == 7);
        CHECK(out.rows.at(QStringLiteral("account-1")) == account1);
        CHECK(out.rows.at(QStringLiteral("account-2")) == account2);
        CHECK(out.rows.at(QStringLiteral("account-3")) == account3);
        CHECK(out.rows.at(QStringLiteral("account-4")) == account4);
        CHECK(out.rows.at(QStringLiteral("account-5")) == json(R"({"key": "account-5", "stream": "account-5",
            "status": "differs", "columns": {"balance": {"table": 3, "replayed": 10},
            "transactions": {"table": 2, "replayed": 4}}, "matchesVersion": 3, "matchesPosition": 23,
            "lastVersion": 5})"));
        CHECK(out.rows.at(QStringLiteral("account-6")).value(QStringLiteral("status")) == QStringLiteral("missing"));
        CHECK(out.rows.at(QStringLiteral("account-9")) == account9);
        CHECK(out.notes.empty());
        CHECK(out.summary.streams == 6);
        CHECK(out.summary.events == 27);
        CHECK(out.summary.count(ReconcileStatus::Ok) == 1);
        CHECK(out.summary.count(ReconcileStatus::Differs) == 3);
        CHECK(out.summary.count(ReconcileStatus::Missing) == 2);
        CHECK(out.summary.count(ReconcileStatus::Extra) == 1);
        CHECK(out.summary.count(ReconcileStatus::Stale) == 0);
    }

    SECTION("with the projection's checkpoint, rows behind it are stale, the others as before")
    {
        ReconcileOptions options = accountOptions();
        options.checkpoint = checkpointNamed(*store, QStringLiteral("account-summaries"));
        REQUIRE(options.checkpoint);
        REQUIRE(options.checkpoint->position == 23);
        const Outcome out = reconcile(*store, *store->tables(), reducer, options);
        REQUIRE(out.rows.size() == 7);
        CHECK(out.rows.at(QStringLiteral("account-1")) == account1);
        // account-2 missed events before the checkpoint: a fault, not a lag.
        CHECK(out.rows.at(QStringLiteral("account-2")) == account2);
        CHECK(out.rows.at(QStringLiteral("account-3")) == account3);
        CHECK(out.rows.at(QStringLiteral("account-4")) == account4);
        CHECK(out.rows.at(QStringLiteral("account-5")) == json(R"({"key": "account-5", "stream": "account-5",
            "status": "stale", "columns": {"balance": {"table": 3, "replayed": 10},
            "transactions": {"table": 2, "replayed": 4}}, "matchesVersion": 3, "matchesPosition": 23,
            "lastVersion": 5})"));
        CHECK(out.notes.at(QStringLiteral("account-5")).contains(QLatin1String("checkpoint 23 of account-summaries")));
        CHECK(out.rows.at(QStringLiteral("account-6")).value(QStringLiteral("status")) == QStringLiteral("stale"));
        CHECK(out.notes.at(QStringLiteral("account-6")).startsWith(QLatin1String("no row yet")));
        CHECK(out.rows.at(QStringLiteral("account-9")) == account9);
        CHECK(out.summary.count(ReconcileStatus::Stale) == 2);
        CHECK(out.summary.count(ReconcileStatus::Missing) == 1);
    }

    SECTION("a prefix scope, and a read model in another file")
    {
        QTemporaryDir other;
        const QString readModel = other.filePath(QStringLiteral("readmodel.sqlite"));
        execSqlite(readModel,
            QStringLiteral("CREATE TABLE \"account summaries\" (id TEXT PRIMARY KEY, owner TEXT, balance REAL, "
                           "transactions INTEGER, opened_at TEXT, status TEXT, closed_at TEXT);"
                           "INSERT INTO \"account summaries\" VALUES ('account-1', 'Ann', 130.0, 4, "
                           "'2024-03-04T01:00:00+01:00', 'open', NULL);"));
        auto tables = StoreRegistry::openTables(readModel);
        ReconcileOptions options = accountOptions("account summaries");
        options.category.clear();
        options.prefix = QStringLiteral("account-1");
        const Outcome out = reconcile(*store, *tables, reducer, options);
        REQUIRE(out.rows.size() == 1);
        CHECK(out.rows.at(QStringLiteral("account-1")) == account1);
    }
}

TEST_CASE("reconcile: a correct table raises no alarm, whatever the column types", "[reconcile]")
{
    EmmettAccounts fixture;
    auto store = StoreRegistry::open(fixture.path);
    const ReducerPtr reducer = ReducerCatalog::load(reducerPath("accounts.js"));
    REQUIRE(reducer);
    // The whole state as a JSON column with its keys in another order, balances as REAL or text, times with 'T'.
    QString sql = QStringLiteral("CREATE TABLE accounts_ok (id TEXT PRIMARY KEY, owner TEXT, balance REAL, "
                                 "transactions TEXT, opened_at TEXT, status TEXT, closed_at TEXT, doc JSON);");
    for (int i = 1; i <= 6; ++i) {
        const QString stream = QStringLiteral("account-%1").arg(i);
        Timeline timeline(*store, stream, reducer);
        REQUIRE(timeline.build());
        const QJsonObject state = timeline.stateAt(timeline.lastVersion()).toObject();
        QStringList parts;
        const QStringList keys = state.keys();
        for (auto k = keys.crbegin(); k != keys.crend(); ++k)
            parts.append(QStringLiteral("\"%1\": %2").arg(*k, QString::fromUtf8(toJsonText(state.value(*k)))));
        sql += QStringLiteral("INSERT INTO accounts_ok VALUES ('%1', '%2', %3, '%4', '%5', 'open', NULL, '{%6}');")
                   .arg(stream, state.value(QStringLiteral("owner")).toString())
                   .arg(state.value(QStringLiteral("balance")).toDouble(), 0, 'f', 1)
                   .arg(state.value(QStringLiteral("transactions")).toInt())
                   .arg(state.value(QStringLiteral("openedAt"))
                            .toString()
                            .replace(QLatin1String(".000Z"), QLatin1String("+00:00")),
                       parts.join(QStringLiteral(", ")));
    }
    execSqlite(fixture.path, sql);
    ReconcileOptions options = accountOptions("accounts_ok");
    options.columns = mappings(QLatin1String(accountColumns) + QStringLiteral(",doc=$"));
    const Outcome out = reconcile(*store, *store->tables(), reducer, options);
    CHECK(out.rows.size() == 6);
    for (const auto& [key, row] : out.rows)
        CHECK(row.value(QStringLiteral("status")) == QStringLiteral("ok"));
    CHECK(out.summary.problems() == 0);
}

TEST_CASE("reconcile: table names and columns are checked against the catalog", "[reconcile]")
{
    EmmettAccounts fixture;
    auto store = StoreRegistry::open(fixture.path);
    TableReader& tables = *store->tables();
    CHECK(tables.tables().contains(QStringLiteral("account_summaries")));
    TableQuery bad { QStringLiteral("account_summaries; DROP TABLE emt_messages"), QStringLiteral("id"), {}, {},
        std::nullopt, 10 };
    REQUIRE_THROWS_AS(tables.rows(bad), StoreError);
    try {
        tables.rows({ QStringLiteral("account_summaries"), QStringLiteral("id\" FROM emt_messages --"), {}, {},
            std::nullopt, 10 });
        FAIL("an unknown column was read");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::MissingTable);
    }
    // Keyset pages in key order, keys as parameters.
    const std::vector<TableRow> page = tables.rows({ QStringLiteral("account_summaries"), QStringLiteral("ID"),
        { QStringLiteral("balance") }, {}, QStringLiteral("account-2"), 2 });
    REQUIRE(page.size() == 2);
    CHECK(page[0].key == QStringLiteral("account-3"));
    CHECK(page[1].key == QStringLiteral("account-5"));
    CHECK(page[1].cells.at(0).kind == TableCell::Kind::Integer);
    const std::vector<TableRow> looked = tables.rows({ QStringLiteral("account_summaries"), QStringLiteral("id"),
        { QStringLiteral("owner") }, { QStringLiteral("account-9"), QStringLiteral("x' OR '1'='1") }, {}, 0 });
    REQUIRE(looked.size() == 1);
    CHECK(looked[0].cells.at(0).value.toString() == QStringLiteral("Gus"));
}

TEST_CASE("reconcile: cancelled between streams", "[reconcile]")
{
    EmmettAccounts fixture;
    auto store = StoreRegistry::open(fixture.path);
    const ReducerPtr reducer = std::make_shared<MergeReducer>();
    std::atomic<bool> cancel { false };
    Reconciler reconciler(*store, *store->tables(), reducer, accountOptions());
    int seen = 0;
    try {
        reconciler.run(
            [&](const ReconcileRow&) {
                if (++seen == 2)
                    cancel = true;
            },
            {}, &cancel);
        FAIL("not cancelled");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreError::Kind::Cancelled);
    }
    CHECK(seen < 7);
}

TEST_CASE("reconcile: a reducer that throws or loops on one stream fails that row alone", "[reconcile][budget]")
{
    EmmettAccounts fixture;
    auto store = StoreRegistry::open(fixture.path);
    // Only account-3 deposits 20 (at its version 3). Every stream is in one page, folded in one call of the engine.
    const auto reducer = [](const char* hostile) -> ReducerPtr {
        return std::make_shared<JsReducer>(
            QStringLiteral("({ $init: () => ({ owner: null, balance: 0 }),\n"
                           "   AccountOpened: (s, e) => { s.owner = e.data.owner; },\n"
                           "   FundsDeposited: (s, e) => { %1\n"
                           "       s.balance += e.data.amount; },\n"
                           "   FundsWithdrawn: (s, e) => { s.balance -= e.data.amount; } "
                           "})")
                .arg(QLatin1String(hostile)),
            QStringLiteral("hostile.js"), 300);
    };
    ReconcileOptions options = accountOptions();
    options.columns = mappings(QStringLiteral("owner=owner,balance=balance"));
    options.streamBatch = 200;
    const Outcome clean = reconcile(*store, *store->tables(), reducer(""), options);
    REQUIRE(clean.rows.size() == 7);
    CHECK(clean.notes.empty());

    struct Case {
        const char* hostile;
        const char* note;
    };
    const Case cases[] = {
        { "if (e.data.amount === 20) throw new Error('hostile');",
            "the reducer failed: FundsDeposited at version 3: threw: Error: hostile (line 3)" },
        { "if (e.data.amount === 20) for (;;);",
            "the reducer failed: FundsDeposited at version 3: timed out: the reducer ran longer than its budget of "
            "300 ms and was stopped" },
    };
    for (const Case& c : cases) {
        INFO(c.hostile);
        const Outcome out = reconcile(*store, *store->tables(), reducer(c.hostile), options);
        REQUIRE(out.rows.size() == 7);
        for (const auto& [key, row] : clean.rows) {
            if (key != QLatin1String("account-3"))
                CHECK(out.rows.at(key) == row);
        }
        CHECK(out.notes.size() == 1);
        CHECK(out.notes.at(QStringLiteral("account-3")) == QLatin1String(c.note));
        // The state as of the event before the failing one.
        CHECK(out.rows.at(QStringLiteral("account-3")) == json(R"({"key": "account-3", "stream": "account-3",
            "status": "differs", "columns": {"balance": {"table": 999, "replayed": 10}},
            "matchesVersion": null, "matchesPosition": null, "lastVersion": 5})"));
    }
}
