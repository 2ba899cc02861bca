#include <catch2/catch.hpp>

#include "test_fold_support.h"
#include "testutils.h"

#include "fold/js/jsreducer.h"
#include "fold/mergereducer.h"
#include "fold/reducercatalog.h"
#include "reconcile/reconciler.h"
#include "store/storeregistry.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <map>

using namespace es;
using namespace es::test;

namespace {

struct Outcome {
    std::map<QString, QJsonObject> rows; // by key, notes taken out
    std::map<QString, QString> notes;
    ReconcileSummary summary;
};

Outcome reconcile(EventStore& store, TableReader& table, const ReducerPtr& reducer, const ReconcileOptions& options)
{
    Outcome out;
    Reconciler reconciler(store, table, reducer, options);
    out.summary = reconciler.run([&](const ReconcileRow& row) {
        QJsonObject o = row.toJson();
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

std::optional<CheckpointRow> checkpointNamed(EventStore& store, const QString& name)
{
    for (const CheckpointRow& row : store.checkpoints().rows) {
        if (row.name == name)
            return row;
    }
    return std::nullopt;
}

QString write(const char* stream, const char* type, const char* data)
{
    return QStringLiteral("SELECT write_message(gen_random_uuid()::text, '%1', '%2', '%3');")
        .arg(QLatin1String(stream), QLatin1String(type), QLatin1String(data));
}

} // namespace

TEST_CASE("reconcile: Message DB with a read model in the same database, through the merge reducer", "[reconcile][pg]")
{
    ES_REQUIRE_PG("Message DB reconciliation");
    PgTestDatabase db(QStringLiteral("recon_mdb"), { QStringLiteral("messagedb.sql") });
    // Written through write_message(), as Message DB's clients write; savings-5's consumer recorded its position
    // (Eventide's position store) after savings-5's version 1 (global position 13).
    QString sql = QStringLiteral("SET search_path = message_store, public;");
    const qint64 base = [&] {
        QByteArray out;
        REQUIRE(psql(db.address(),
                    { QStringLiteral("-t"), QStringLiteral("-A"), QStringLiteral("-c"),
                        QStringLiteral("SELECT coalesce(max(global_position), 0) FROM message_store.messages") },
                    &out)
            == 0);
        return out.trimmed().toLongLong();
    }();
    const char* opened
        = R"({"owner": "%1", "balance": 0, "openedAt": "2024-03-04T0%2:00:00Z", "profile": {"tier": "gold", "tags": ["a", "b"]}})";
    const char* owners[] = { "Ann", "Bob", "Cy", "Di", "Ed" };
    auto openedFor
        = [&](int i) { return QString::fromLatin1(opened).arg(QLatin1String(owners[i - 1])).arg(i).toUtf8(); };
    sql += write("savings-1", "Opened", openedFor(1).constData());
    sql += write("savings-1", "Deposited", R"({"balance": 100})");
    sql += write("savings-1", "Deposited", R"({"balance": 150.5})");
    sql += write("savings-2", "Opened", openedFor(2).constData());
    sql += write("savings-2", "Deposited", R"({"balance": 10})");
    sql += write("savings-2", "Deposited", R"({"balance": 20})");
    sql += write("savings-2", "Deposited", R"({"balance": 30})");
    sql += write("savings-3", "Opened", openedFor(3).constData());
    sql += write("savings-3", "Deposited", R"({"balance": 7})");
    sql += write("savings-4", "Opened", openedFor(4).constData());
    sql += write("savings-5", "Opened", openedFor(5).constData());
    sql += write("savings-5", "Deposited", R"({"balance": 1})");
    sql += write("savings-5", "Deposited", R"({"balance": 2})");
    db.sql(sql);
    db.sql(QStringLiteral("SET search_path = message_store, public; SELECT write_message(gen_random_uuid()::text, "
                          "'savings:position-balances', 'Recorded', '{\"position\": %1}');")
               .arg(base + 12));
    // The read model as its projection keeps it: numeric money, a timestamptz, the profile as jsonb.
    db.sql(QStringLiteral(
        "CREATE TABLE public.savings_balances (stream_name text PRIMARY KEY, owner text NOT NULL, "
        "balance numeric(12, 2) NOT NULL, opened_at timestamptz NOT NULL, profile jsonb NOT NULL);"
        "INSERT INTO public.savings_balances VALUES "
        "('savings-1', 'Ann', 150.50, '2024-03-04 01:00:00+00', '{\"tags\": [\"a\", \"b\"], \"tier\": \"gold\"}'),"
        "('savings-2', 'Bob', 20.00, '2024-03-04 02:00:00+00', '{\"tier\": \"gold\", \"tags\": [\"a\", \"b\"]}'),"
        "('savings-3', 'Cy', 7, '2024-03-04 03:00:00+00', '{\"tier\": \"silver\", \"tags\": [\"a\", \"b\"]}'),"
        "('savings-5', 'Ed', 1, '2024-03-04 05:00:00+00', '{\"tier\": \"gold\", \"tags\": [\"a\", \"b\"]}'),"
        "('savings-8', 'Hal', 0, '2024-03-04 08:00:00+00', '{}')"));
    auto store = StoreRegistry::open(db.address());
    REQUIRE(store->tables());
    ReconcileOptions options;
    options.category = QStringLiteral("savings");
    options.table = QStringLiteral("public.savings_balances");
    options.keyColumn = QStringLiteral("stream_name");
    options.columns = mappings(QStringLiteral("owner=owner,balance=balance,opened_at=openedAt,profile=profile"));
    options.checkpoint = checkpointNamed(*store, QStringLiteral("savings:position-balances"));
    REQUIRE(options.checkpoint);
    REQUIRE(options.checkpoint->position == base + 12);
    const ReducerPtr merge = std::make_shared<MergeReducer>();
    const Outcome out = reconcile(*store, *store->tables(), merge, options);
    REQUIRE(out.rows.size() == 6);
    CHECK(out.rows.at(QStringLiteral("savings-1")).value(QStringLiteral("status")) == QStringLiteral("ok"));
    CHECK(out.rows.at(QStringLiteral("savings-2"))
        == json(QStringLiteral(R"({"key": "savings-2", "stream": "savings-2", "status": "differs",
            "columns": {"balance": {"table": 20, "replayed": 30}}, "matchesVersion": 2, "matchesPosition": %1,
            "lastVersion": 3})")
                    .arg(base + 6)
                    .toUtf8()
                    .constData()));
    CHECK(out.rows.at(QStringLiteral("savings-3"))
        == json(R"({"key": "savings-3", "stream": "savings-3", "status": "differs",
            "columns": {"profile": {"table": {"tier": "silver", "tags": ["a", "b"]},
                                    "replayed": {"tier": "gold", "tags": ["a", "b"]}}},
            "matchesVersion": null, "matchesPosition": null, "lastVersion": 1})"));
    CHECK(out.rows.at(QStringLiteral("savings-4")).value(QStringLiteral("status")) == QStringLiteral("missing"));
    CHECK(out.rows.at(QStringLiteral("savings-5"))
        == json(QStringLiteral(R"({"key": "savings-5", "stream": "savings-5", "status": "stale",
            "columns": {"balance": {"table": 1, "replayed": 2}}, "matchesVersion": 1, "matchesPosition": %1,
            "lastVersion": 2})")
                    .arg(base + 12)
                    .toUtf8()
                    .constData()));
    CHECK(out.rows.at(QStringLiteral("savings-8")).value(QStringLiteral("status")) == QStringLiteral("extra"));
    CHECK(out.summary.problems() == 5);
}

TEST_CASE("reconcile: Emmett on PostgreSQL, the read model in another database", "[reconcile][pg]")
{
    ES_REQUIRE_PG("Emmett reconciliation");
    PgTestDatabase db(QStringLiteral("recon_emmett"), { QStringLiteral("emmett.sql") });
    PgTestDatabase readModel(QStringLiteral("recon_rm"));
    // As emmett-postgresql's appendToStream writes: the stream row, then its messages in one transaction.
    auto append = [&](const char* stream, const std::vector<std::pair<const char*, const char*>>& events, int hour) {
        QString sql = QStringLiteral("BEGIN; INSERT INTO emt_streams (stream_id, stream_position, partition, "
                                     "stream_type, stream_metadata) VALUES ('%1', %2, 'emt:default', 'account', '{}');")
                          .arg(QLatin1String(stream))
                          .arg(events.size());
        int v = 0;
        for (const auto& [type, data] : events) {
            ++v;
            sql += QStringLiteral("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                                  "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                                  "transaction_id, created) VALUES ('%1', %2, 'emt:default', '%3', "
                                  "'{\"streamName\": \"%1\"}', '0', '%4', 'E', gen_random_uuid()::text, "
                                  "pg_current_xact_id(), '2024-03-04 %5:%6:00+00');")
                       .arg(QLatin1String(stream))
                       .arg(v)
                       .arg(QLatin1String(data), QLatin1String(type))
                       .arg(hour, 2, 10, QLatin1Char('0'))
                       .arg(v, 2, 10, QLatin1Char('0'));
        }
        db.sql(sql + QStringLiteral("COMMIT;"));
    };
    append("account-1",
        { { "AccountOpened", R"({"accountId": "A1", "owner": "Ann"})" }, { "FundsDeposited", R"({"amount": 100})" },
            { "FundsWithdrawn", R"({"amount": 40})" } },
        1);
    append("account-2",
        { { "AccountOpened", R"({"accountId": "A2", "owner": "Bob"})" }, { "FundsDeposited", R"({"amount": 10})" },
            { "FundsDeposited", R"({"amount": 5})" } },
        2);
    readModel.sql(QStringLiteral(
        "CREATE TABLE account_summaries (id text PRIMARY KEY, owner text, balance bigint, transactions int);"
        "INSERT INTO account_summaries VALUES ('account-1', 'Ann', 60, 2), ('account-2', 'Bob', 10, 1),"
        "('account-3', 'Cy', 0, 0);"));
    auto store = StoreRegistry::open(db.address());
    auto tables = StoreRegistry::openTables(readModel.address());
    const ReducerPtr reducer = ReducerCatalog::load(reducerPath("accounts.js"));
    REQUIRE(reducer);
    ReconcileOptions options;
    options.prefix = QStringLiteral("account-");
    options.table = QStringLiteral("account_summaries");
    options.keyColumn = QStringLiteral("id");
    options.columns = mappings(QStringLiteral("owner=owner,balance=balance,transactions=transactions"));
    const Outcome out = reconcile(*store, *tables, reducer, options);
    REQUIRE(out.rows.size() == 3);
    CHECK(out.rows.at(QStringLiteral("account-1")).value(QStringLiteral("status")) == QStringLiteral("ok"));
    const QJsonObject two = out.rows.at(QStringLiteral("account-2"));
    CHECK(two.value(QStringLiteral("status")) == QStringLiteral("differs"));
    CHECK(two.value(QStringLiteral("matchesVersion")) == QJsonValue(2));
    CHECK(two.value(QStringLiteral("lastVersion")) == QJsonValue(3));
    CHECK(two.value(QStringLiteral("columns")).toObject()
        == json(R"({"balance": {"table": 10, "replayed": 15}, "transactions": {"table": 1, "replayed": 2}})"));
    CHECK(out.rows.at(QStringLiteral("account-3")).value(QStringLiteral("status")) == QStringLiteral("extra"));
}

TEST_CASE("reconcile: Marten's document table, keyed by a state path", "[reconcile][pg]")
{
    ES_REQUIRE_PG("Marten reconciliation");
    PgTestDatabase db(QStringLiteral("recon_marten"), { QStringLiteral("marten_string.sql") });
    auto stream = [&](const char* id, const std::vector<std::pair<const char*, const char*>>& events) {
        QString sql = QStringLiteral("BEGIN; INSERT INTO mt_streams (tenant_id, id, type, version) VALUES "
                                     "('*DEFAULT*', '%1', 'account', %2);")
                          .arg(QLatin1String(id))
                          .arg(events.size());
        int v = 0;
        for (const auto& [type, data] : events) {
            ++v;
            sql += QStringLiteral("INSERT INTO mt_events (data, type, mt_dotnet_type, seq_id, id, stream_id, version, "
                                  "timestamp, tenant_id) VALUES ('%1', '%2', 'Bank.%2', nextval('mt_events_sequence'), "
                                  "gen_random_uuid(), '%3', %4, '2024-05-01 00:00:0%4+00', '*DEFAULT*');")
                       .arg(QLatin1String(data), QLatin1String(type), QLatin1String(id))
                       .arg(v);
        }
        db.sql(sql + QStringLiteral("COMMIT;"));
    };
    stream("acct-1",
        { { "account_opened", R"({"AccountId": "A1", "Owner": "Ann"})" }, { "funds_deposited", R"({"Amount": 100})" },
            { "funds_deposited", R"({"Amount": 30})" } });
    stream("acct-2",
        { { "account_opened", R"({"AccountId": "A2", "Owner": "Bob"})" }, { "funds_deposited", R"({"Amount": 5})" },
            { "funds_deposited", R"({"Amount": 5})" } });
    stream("acct-3", { { "account_opened", R"({"AccountId": "A3", "Owner": "Cy"})" } });
    // Marten's document table for the Account aggregate (DocumentTable: id, data, mt_last_modified, mt_version,
    // mt_dotnet_type), rows as its upsert leaves them.
    db.sql(QStringLiteral("CREATE TABLE public.mt_doc_account (id varchar NOT NULL, data jsonb NOT NULL, "
                          "mt_last_modified timestamp with time zone NULL DEFAULT (transaction_timestamp()), "
                          "mt_version uuid NOT NULL DEFAULT (md5(random()::text || clock_timestamp()::text)::uuid), "
                          "mt_dotnet_type varchar NULL, CONSTRAINT pkey_mt_doc_account_id PRIMARY KEY (id));"
                          "INSERT INTO public.mt_doc_account (id, data, mt_dotnet_type) VALUES "
                          "('A1', '{\"Id\": \"A1\", \"Owner\": \"Ann\", \"Balance\": 130}', 'Bank.Account'),"
                          "('A2', '{\"Id\": \"A2\", \"Owner\": \"Bob\", \"Balance\": 5}', 'Bank.Account'),"
                          "('A9', '{\"Id\": \"A9\", \"Owner\": \"Ivy\", \"Balance\": 1}', 'Bank.Account');"));
    const ReducerPtr reducer = std::make_shared<JsReducer>(
        QStringLiteral("fromAll().when({ $init: function () { return { Id: null, Owner: null, Balance: 0 }; },\n"
                       "  account_opened: function (s, e) { s.Id = e.data.AccountId; s.Owner = e.data.Owner; },\n"
                       "  funds_deposited: function (s, e) { s.Balance += e.data.Amount; } });"),
        QStringLiteral("account.js"));
    auto store = StoreRegistry::open(db.address());
    ReconcileOptions options;
    options.prefix = QStringLiteral("acct-");
    options.table = QStringLiteral("mt_doc_account");
    options.keyColumn = QStringLiteral("id");
    options.keyPath = QStringLiteral("Id");
    options.columns = mappings(QStringLiteral("data=$"));
    const Outcome out = reconcile(*store, *store->tables(), reducer, options);
    REQUIRE(out.rows.size() == 4);
    CHECK(out.rows.at(QStringLiteral("A1")).value(QStringLiteral("status")) == QStringLiteral("ok"));
    CHECK(out.rows.at(QStringLiteral("A1")).value(QStringLiteral("stream")) == QStringLiteral("acct-1"));
    const QJsonObject a2 = out.rows.at(QStringLiteral("A2"));
    CHECK(a2.value(QStringLiteral("status")) == QStringLiteral("differs"));
    CHECK(a2.value(QStringLiteral("stream")) == QStringLiteral("acct-2"));
    CHECK(a2.value(QStringLiteral("matchesVersion")) == QJsonValue(2));
    CHECK(a2.value(QStringLiteral("lastVersion")) == QJsonValue(3));
    CHECK(a2.value(QStringLiteral("columns")).toObject()
        == json(R"({"data": {"table": {"Id": "A2", "Owner": "Bob", "Balance": 5},
                             "replayed": {"Id": "A2", "Owner": "Bob", "Balance": 10}}})"));
    CHECK(out.rows.at(QStringLiteral("A3")).value(QStringLiteral("status")) == QStringLiteral("missing"));
    CHECK(out.rows.at(QStringLiteral("A9")).value(QStringLiteral("status")) == QStringLiteral("extra"));
    CHECK(out.summary.problems() == 3);
}
